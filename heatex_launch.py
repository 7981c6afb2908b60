"""heatex_launch: what the first cell of every notebook calls in JupyterLite, on Colab and on Kaggle.

The launch cell installs heatex where nothing is installed (it does nothing in your own Jupyter or
on Binder), then calls ``ready``, which says in one line what was set up -- or, in plain words,
what failed and what to do. It needs the standard library only, because it runs where numpy may
not have arrived: in the browser, numpy and matplotlib come from Pyodide's package host, which a
school's proxy or a flaky network can keep away.
"""

import importlib
import logging
import sys

# What the notebooks import, and what each is for, in the words a failure message uses.
NEEDED = {"numpy": "the arrays", "matplotlib": "the figures", "ipywidgets": "the sliders",
          "tqdm": "the progress bars"}


def runtime():
    """Where this kernel runs: "JupyterLite", "Colab", "Kaggle", or None (your own Jupyter, Binder)."""
    import os
    if sys.platform == "emscripten":
        return "JupyterLite"
    if "google.colab" in sys.modules:
        return "Colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        return "Kaggle"
    return None


def ready(reading_site=None):
    """Check that what the notebooks import has arrived, quiet what would print in pink, and say so
    in one line; returns True if the notebook can run. ``reading_site`` is where to read the
    notebooks when they cannot run here."""
    where = runtime()
    if where is None:        # your own Jupyter or Binder: everything is installed, nothing to say
        return True
    if sys.platform == "emscripten":
        try:
            import tqdm
            tqdm.tqdm.monitor_interval = 0     # its monitor thread cannot start in a browser
        except ImportError:
            pass                               # said below
    missing = []
    for name in NEEDED:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        what = ", ".join(f"{name} ({NEEDED[name]})" for name in missing)
        fallback = f", or read the notebooks with their results on the reading site: {reading_site}" \
            if reading_site else ""
        if where == "JupyterLite":
            advice = ("the browser downloads them from Pyodide's package host (cdn.jsdelivr.net): check the "
                      "network or a proxy that blocks it, then reload the page and run this cell again")
        else:
            advice = "install them in this runtime (%pip install " + " ".join(missing) + "), then run this cell again"
        print(f"heatex is installed, but {what} could not be loaded in {where}: {advice}{fallback}.")
        return False
    quiet_first_use()
    import ipywidgets
    import matplotlib
    import numpy
    widgets = ipywidgets.__version__
    if where == "Colab" and int(widgets.split(".")[0]) >= 8:
        sys.modules["google.colab"].output.enable_custom_widget_manager()    # widgets 8 need Colab's manager
    print(f"heatex is ready in {where}: numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, "
          f"ipywidgets {widgets}.")
    return True


def quiet_first_use():
    """What a first use would print to stderr (pink in a notebook): matplotlib's note that it builds its
    font cache, done here once and quietly."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import matplotlib.font_manager  # noqa: F401  (builds the font cache the first time)
