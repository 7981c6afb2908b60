"""The launch cell and the badge row at the top of every notebook: generated here, never pasted.

    python scripts/launch_cell.py             # insert or refresh both in every notebook under notebooks/
    python scripts/launch_cell.py --execute   # ...and re-run in place each notebook they were inserted into
    python scripts/launch_cell.py --check     # exit 1 if a notebook does not start with them as made now

`make launch-cell` runs the second. Every notebook (notebooks/*.ipynb, the masters) has:

1. first, a markdown cell (id `launch-links`): the notebook's own Binder, JupyterLite, Colab and
   Kaggle badges (from scripts/links.py), the way through the course (previous, all notebooks, the teacher's guide,
   next) and its time: its class and self-study minutes, counted section by section from the
   notebook (docs/course_times.json, scripts/course_times.py), and how long Restart & Run All
   takes here and in a browser, from the one source of run times, docs/run_times.json
   (scripts/time_notebooks.py, benchmarks/browser_times.py);
2. then its own title cell;
3. then the launch cell, the same code everywhere (id `launch`, tagged `setup`), before any other
   code. It does nothing in a local JupyterLab or on Binder (no output, so nbval's strict
   comparison is unaffected); under Pyodide (JupyterLite) it installs heatex from the site, which
   loads what the notebooks import (numpy, matplotlib, ipywidgets, tqdm), and stops tqdm's monitor
   thread; on Colab and Kaggle it installs heatex from the repository without its dependencies, so
   the runtime's own Jupyter and widget packages stay as they are, and on Colab it turns on the
   widget manager ipywidgets 8 needs;
4. last, a markdown cell (id `course-footer`) with the way through the course again.

Inserting the cells shifts every execution count, which tests/course/test_notebooks_clean.py requires to
run 1..N: `--execute` re-runs such notebooks top to bottom with this Python's kernel, saving no
widget state and no timings, as the notebooks are kept; outputs that nbval ignores (they differ
between machines) keep their saved text. Refreshing cells already there changes
no count and runs nothing. The student copies carry the same launch cell: `make launch-cell` runs
scripts/make_student_notebooks.py after this script (which imports this one, never the other way).
"""

import argparse
import copy
import pathlib
import sys
import tempfile

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import course_times  # noqa: E402  (scripts/course_times.py: the one source of class and self-study times)
import links  # noqa: E402  (scripts/links.py: the one place that names the repository)
import this_python  # noqa: E402
import time_notebooks  # noqa: E402  (scripts/time_notebooks.py: the one source of run times)

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LAUNCH_ID, BADGES_ID, FOOTER_ID = "launch", "launch-links", "course-footer"
GENERATED = (LAUNCH_ID, BADGES_ID, FOOTER_ID)
SETUP_TAG = "setup"

# `%pip` inside an `if` is turned into a call by IPython (and by JupyterLite's piplite); comments
# never go on a %pip line, where pip would read them as arguments. No `import google...`
# statement: Pyodide loads the packages a cell's import statements name before running it, and
# would download protobuf (which provides `google`) in JupyterLite.
LAUNCH_SOURCE = '''\
# Setup for JupyterLite, Colab and Kaggle: it does nothing in your own Jupyter or on Binder.
import os, sys
if sys.platform == "emscripten":  # JupyterLite: heatex and the packages it needs
    %pip install -q heatex
elif "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
    # heatex alone: the runtime keeps its own numpy, Jupyter and widgets
    %pip install -q --no-deps {pip_source}
try:  # one line on what was set up, or what failed and what to do
    import heatex_launch; heatex_launch.ready("{reading_site}")
except ImportError:
    print("heatex could not be installed here: check the network, or read the notebooks on",
          "{reading_site}")'''


def launch_source(repository=None, branch=None):
    return LAUNCH_SOURCE.format(pip_source=links.pip_source(repository, branch),
                                reading_site=links.pages_url(repository))


def launch_cell():
    cell = nbformat.v4.new_code_cell(launch_source())
    cell.id = LAUNCH_ID
    # Its source starts collapsed, as Neuromatch hides its helpers: a student's first code is the
    # notebook's own, not platform plumbing (a click shows it).
    cell.metadata = {"tags": [SETUP_TAG], "jupyter": {"source_hidden": True}}
    return cell


def badge_cell(path, nb=None):
    """The first cell of the notebook at path (relative to the repository, e.g. notebooks/01_x.ipynb):
    its badge row, the way through the course and its time. (``nb`` is not needed any more: the time
    comes from docs/course_times.json.)"""
    path = pathlib.PurePosixPath(path).as_posix()
    lines = [links.badges_html(path), "", navigation(path)]
    time = time_line(path)
    if time:
        lines += ["", time]
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.id = BADGES_ID
    return cell


def footer_cell(path):
    cell = nbformat.v4.new_markdown_cell(navigation(pathlib.PurePosixPath(path).as_posix()))
    cell.id = FOOTER_ID
    return cell


def title_of(path):
    """A notebook's title: the first heading of its own first markdown cell, without the '#'."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.get("id") not in GENERATED:
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return pathlib.Path(path).stem


def navigation(path):
    """‹ previous · all notebooks · teacher's guide · next ›, as links relative to the notebook at path."""
    path = pathlib.PurePosixPath(path)
    masters = [p.name for p in master_notebooks()]
    student = path.parent.name == "student"
    up = "../../" if student else "../"
    here = path.name
    # A student copy takes the place of the notebook it is made from, between the same neighbours.
    i = masters.index(here) if here in masters else len(masters)
    before = masters[i - 1] if i > 0 else None
    after = masters[i + 1] if i + 1 < len(masters) else None
    prefix = "../" if student else ""
    parts = []
    if before:
        parts.append(f"‹ previous: [{title_of(NOTEBOOKS / before)}]({prefix}{before})")
    parts.append(f"[all notebooks]({up}README.md#the-notebooks)")
    parts.append(f"[teacher's guide]({up}docs/teaching.md)")     # lesson plans, answers to every Try this
    if after:
        parts.append(f"next: [{title_of(NOTEBOOKS / after)}]({prefix}{after}) ›")
    return "**Course:** " + " · ".join(parts)


def time_line(path):
    """The notebook's time: its class and self-study minutes, counted section by section from the notebook
    (docs/course_times.json, scripts/course_times.py), and its run times here and in a browser
    (docs/run_times.json)."""
    master = pathlib.PurePosixPath(path).as_posix().replace("notebooks/student/", "notebooks/")
    counted = course_times.load().get(master)
    times = time_notebooks.load().get(master)
    parts = []
    if counted is not None:
        parts.append(f"about {counted['class_minutes']} minutes in class, then {counted['self_study_minutes']} on "
                     "your own")
    if times is not None:
        here, browser = times
        parts.append(f"Restart & Run All takes {here:.0f} s"
                     + (f" ({browser:.0f} s in a browser, in JupyterLite)" if browser is not None else ""))
    return ("**Time:** " + "; ".join(parts) + ".") if parts else ""


def master_notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def relative(path):
    return pathlib.Path(path).resolve().relative_to(ROOT).as_posix()


def with_launch_cells(nb, path):
    """(the notebook with the current course cells in place, whether the launch cell was inserted).

    Order: badge row and way through the course, the notebook's title cell, the launch cell, the
    rest, the footer."""
    nb = copy.deepcopy(nb)
    old = {c.get("id"): c for c in nb.cells if c.get("id") in GENERATED}
    launch = launch_cell()
    if LAUNCH_ID in old:
        # Refreshed in place: the cell keeps its place in the run (count 1, no output).
        launch.execution_count = old[LAUNCH_ID].get("execution_count")
        launch.outputs = old[LAUNCH_ID].get("outputs", [])
    rest = [c for c in nb.cells if c.get("id") not in GENERATED]
    title, body = rest[:1], rest[1:]
    nb.cells = [badge_cell(relative(path), nb), *title, launch, *body, footer_cell(relative(path))]
    return nb, LAUNCH_ID not in old


def problems(path, where=None):
    """Why the notebook at path does not start with the launch cell and badge row as made now.

    where: its place in the repository (e.g. notebooks/01_x.ipynb), if path is a copy elsewhere."""
    where = where or relative(path)
    nb = nbformat.read(path, as_version=4)
    found = []
    if len(nb.cells) < 4:
        return [f"{where}: fewer than four cells"]
    header, launch, footer = nb.cells[0], nb.cells[2], nb.cells[-1]
    expected = launch_cell()
    for key in ("cell_type", "id", "source", "metadata"):
        if launch.get(key) != expected.get(key):
            found.append(f"{where}: the third cell's {key} is not the launch cell's")
    if launch.get("outputs"):
        found.append(f"{where}: the launch cell has outputs (it must print nothing locally)")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and code[0].get("id") != LAUNCH_ID:
        found.append(f"{where}: code runs before the launch cell")
    for cell, made, name in ((header, badge_cell(where, nb), "first cell (badges, course, time)"),
                             (footer, footer_cell(where), "last cell (the way through the course)")):
        for key in ("cell_type", "id", "source"):
            if cell.get(key) != made.get(key):
                found.append(f"{where}: the {name}'s {key} is not as made now")
    ids = [c.get("id") for c in nb.cells]
    if any(ids.count(i) > 1 for i in GENERATED):
        found.append(f"{where}: a course cell appears twice")
    return found


def write(nb, path):
    text = nbformat.writes(nb)
    pathlib.Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def execute(path):
    """Re-run the notebook at path in place: this Python's kernel, in notebooks/, as the notebooks
    are kept (no widget state, no timings), MPLBACKEND unset so inline figures are drawn. The
    outputs nbval ignores stay as they were saved (see keep_ignored_outputs)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = copy.deepcopy(nb)
    kernelspec = copy.deepcopy(nb.metadata.get("kernelspec"))
    # A fresh predictions file: the saved outputs are those of a first run, never of a developer's
    # earlier predictions kept beside the notebook (heatex_lab.predict).
    with this_python.kernel() as km, tempfile.TemporaryDirectory() as scratch:
        env = {**this_python.environment(), "HEATEX_PREDICTIONS": str(pathlib.Path(scratch) / "my_predictions.json")}
        NotebookClient(nb, km=km, timeout=900, record_timing=False, store_widget_state=False,
                       resources={"metadata": {"path": str(pathlib.Path(path).parent)}}
                       ).execute(env=env)
    nb.metadata.pop("widgets", None)
    if kernelspec is not None:
        nb.metadata["kernelspec"] = kernelspec
    keep_ignored_outputs(nb, saved)
    write(nb, path)


def ignored_by_nbval(cell):
    return (any(line.strip() == "# NBVAL_IGNORE_OUTPUT" for line in cell.source.splitlines())
            or "nbval-ignore-output" in cell.metadata.get("tags", []))


def keep_ignored_outputs(nb, saved):
    """Cells whose output nbval ignores keep the output they were saved with.

    Such an output depends on the machine or the run (whether matplotlib finds ffmpeg, random
    ids in an animation's HTML): re-running a notebook only to renumber it should not change it.
    Only the execution count of an execute_result follows the cell's new count."""
    before = {c.get("id"): c for c in saved.cells if c.cell_type == "code"}
    for cell in nb.cells:
        old = before.get(cell.get("id"))
        if (cell.cell_type != "code" or old is None or old.source != cell.source or not ignored_by_nbval(cell)
                or not old.outputs):     # nothing saved yet (a notebook never run): keep what this run made
            continue
        cell.outputs = copy.deepcopy(old.outputs)
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = cell.execution_count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 on a stale notebook")
    parser.add_argument("--execute", action="store_true",
                        help="re-run in place each notebook the cells were inserted into")
    args = parser.parse_args(argv)
    paths = master_notebooks()
    if args.check:
        found = [p for path in paths for p in problems(path)]
        for problem in found:
            print(problem)
        if found:
            print("run: make launch-cell")
        return 1 if found else 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        new, inserted = with_launch_cells(nb, path)
        if new == nb:
            continue
        write(new, path)
        print(f"{'inserted the launch cell in' if inserted else 'refreshed the launch cell of'} {relative(path)}")
        if inserted and args.execute:
            print(f"  re-running {relative(path)} ...", flush=True)
            execute(path)
        elif inserted:
            print(f"  {relative(path)}: execution counts shifted; re-run it (--execute) before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
