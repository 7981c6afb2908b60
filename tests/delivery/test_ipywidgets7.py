"""The widget notebooks run on ipywidgets 7, installed as the launch cell installs heatex on Colab.

Colab has shipped ipywidgets 7.7.1, and the launch cell installs heatex there without its
dependencies (`pip install --no-deps`), so heatex runs on the runtime's own widgets. Here a fresh
virtual environment gets ipywidgets 7.7.1 and what else a notebook imports, heatex goes in with
--no-deps, and every notebook that shows a widget (the scrubber, the signal demo) runs top to bottom
on a kernel of that environment: no cell may raise, and the widgets must reach the page.
"""
import os
import pathlib
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import this_python   # scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[2]
WIDGETS_7 = ["ipywidgets==7.7.1", "ipykernel", "numpy", "matplotlib", "tqdm", "pillow"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_notebooks():
    return [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
            if any(word in p.read_text(encoding="utf-8") for word in ("hv.Scrubber(", "hv.SignalDemo("))]


@pytest.fixture(scope="module")
def python7(tmp_path_factory):
    """The python of a fresh venv with ipywidgets 7.7.1, and heatex installed with --no-deps."""
    venv = tmp_path_factory.mktemp("ipywidgets7") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    for args in (WIDGETS_7, ["--no-deps", str(ROOT)]):
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                              capture_output=True, text=True)
        assert done.returncode == 0, f"pip install {' '.join(args)} failed (is PyPI reachable?):\n{done.stderr[-2000:]}"
    version = subprocess.run([str(python), "-c", "import ipywidgets; print(ipywidgets.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "7.7.1"
    return python


@pytest.mark.parametrize("path", widget_notebooks(), ids=lambda p: p.stem)
def test_a_widget_notebook_runs_on_ipywidgets_7(path, python7, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # the cells whose saved output (ipywidgets 8) shows a widget must show one on 7 too
    widget_cells = {n for n, c in enumerate(nb.cells) if c.cell_type == "code"
                    and any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))}
    env = {**this_python.environment(), "HEATEX_PREDICTIONS": str(tmp_path / "my_predictions.json")}
    with this_python.kernel(python7) as km:
        NotebookClient(nb, km=km, timeout=600, allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
    errors = [(n, o.get("ename"), o.get("evalue", "")[:200]) for n, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name} on ipywidgets 7: {errors}"
    missing = [n for n in sorted(widget_cells)
               if not any(WIDGET_VIEW in o.get("data", {}) for o in nb.cells[n].get("outputs", []))]
    assert not missing, f"{path.name}: cells {missing} show a widget on ipywidgets 8 but not on 7"


def test_the_widget_notebooks_show_widgets():
    # 03's scrubber, 04's signal demo and 06's scrubber at least: the test above compares them on 7
    showing = [p.stem for p in widget_notebooks()
               if any(WIDGET_VIEW in o.get("data", {}) for c in nbformat.read(p, as_version=4).cells
                      if c.cell_type == "code" for o in c.get("outputs", []))]
    assert len(showing) >= 3, showing
