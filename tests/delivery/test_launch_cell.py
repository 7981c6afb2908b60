"""The launch cell at the top of every notebook: generated, the same everywhere, and doing what
it says in each runtime.

Every notebook (masters and student copy) starts with exactly the cell scripts/launch_cell.py
makes now, then its badge row. The cell itself is run here under each runtime it knows, with
IPython's own translation of `%pip` and a recorder in place of the magic: locally it does
nothing; under Pyodide it installs heatex (and so what the notebooks import) and quiets tqdm's
monitor; on Colab and Kaggle it installs heatex from the repository without dependencies, and on
Colab it turns on the widget manager. nbval runs every notebook with the cell strictly (no output).
"""
import contextlib
import io
import pathlib
import re
import sys
import types

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import launch_cell as launch   # scripts/ is on pytest's pythonpath
import test_notebooks_clean as clean

ROOT = pathlib.Path(__file__).resolve().parents[2]
links = launch.links
STUDENT = ROOT / "notebooks" / "student"


# --- every notebook starts with it -----------------------------------------------------------

@pytest.mark.parametrize("path", launch.master_notebooks(), ids=lambda p: p.name)
def test_every_notebook_has_the_current_course_cells_and_launch_cell(path):
    assert launch.problems(path) == [], "run: make launch-cell (scripts/launch_cell.py --execute)"
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].source.startswith("# "), "the notebook's own title comes right after the badges"
    assert cells[2].execution_count == 1 and cells[2].outputs == [], "run first, printing nothing"


@pytest.mark.parametrize("path", sorted(STUDENT.glob("*.ipynb")), ids=lambda p: p.name)
def test_student_copies_have_the_launch_cell_and_their_own_badges_and_way(path):
    cells = nbformat.read(path, as_version=4).cells
    expected = launch.launch_cell()
    launch_cells = [c for c in cells if c.get("id") == launch.LAUNCH_ID]
    assert len(launch_cells) == 1
    assert {k: launch_cells[0].get(k) for k in ("cell_type", "id", "source", "metadata")} == \
           {k: expected.get(k) for k in ("cell_type", "id", "source", "metadata")}
    code = [c for c in cells if c.cell_type == "code"]
    assert code[0].get("id") == launch.LAUNCH_ID, "no code runs before the launch cell"
    assert cells[0].get("id") == launch.BADGES_ID and "notebooks/student/" in cells[0].source, \
        "the student's badges open the student copy"
    assert cells[-1].source == launch.footer_cell(path.relative_to(ROOT)).source


def test_the_way_through_the_course_links_every_notebook_in_order():
    masters = launch.master_notebooks()
    for before, after in zip(masters, masters[1:]):
        assert f"({after.name})" in launch.navigation(f"notebooks/{before.name}")
        assert f"({before.name})" in launch.navigation(f"notebooks/{after.name}")
    assert "‹ previous" not in launch.navigation(f"notebooks/{masters[0].name}")
    assert "next:" not in launch.navigation(f"notebooks/{masters[-1].name}")
    for path in masters:
        for target in re.findall(r"\]\(([^)#]+)", launch.navigation(f"notebooks/{path.name}")):
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


def test_there_are_notebooks_to_start():
    names = [p.name for p in launch.master_notebooks()]
    assert "01_building_pipes.ipynb" in names and not any("student" in n for n in names)


# --- the cell is short, tagged, and saved clean -------------------------------------------------

def test_the_cell_says_what_it_is_and_is_short():
    source = launch.launch_source()
    first_line = source.splitlines()[0]
    assert first_line.startswith("# Setup for JupyterLite, Colab and Kaggle") and "nothing" in first_line
    assert len(source.splitlines()) <= 12 and max(map(len, source.splitlines())) <= 100
    assert launch.launch_cell().metadata == {"tags": ["setup"], "jupyter": {"source_hidden": True}}
    # No comment on a %pip line: pip would read it as arguments.
    assert all("#" not in line for line in source.splitlines() if line.strip().startswith("%pip"))
    assert links.pip_source() in source, "Colab installs from the repository links.py names"


def test_the_cell_passes_the_clean_notebook_checks():
    nb = clean.notebook(launch.launch_source())
    assert [p for check in clean.CHECKS for p in check(nb)] == []


# --- what it does in each runtime ------------------------------------------------------------

class FakeShell:
    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line):
        self.magics.append((name, line))


def run_cell(monkeypatch, platform="linux", colab=False, kaggle=False):
    """Run the launch cell as IPython would, in a runtime made to look like the one named.

    Returns (the magics it ran, what it printed, whether it enabled Colab's widget manager)."""
    code = TransformerManager().transform_cell(launch.launch_source())
    shell = FakeShell()
    enabled = []
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    for name in ("google", "google.colab", "google.colab.output"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    if kaggle:
        monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    if colab:
        google, colab_module = types.ModuleType("google"), types.ModuleType("google.colab")
        output = types.ModuleType("google.colab.output")
        output.enable_custom_widget_manager = lambda: enabled.append(True)
        google.colab, colab_module.output = colab_module, output
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab_module)
        monkeypatch.setitem(sys.modules, "google.colab.output", output)
    import tqdm
    monkeypatch.setattr(tqdm.tqdm, "monitor_interval", tqdm.tqdm.monitor_interval)  # restored after
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        exec(compile(code, "<launch cell>", "exec"), {"get_ipython": lambda: shell})
    return shell.magics, printed.getvalue(), bool(enabled)


def test_locally_and_on_binder_it_does_nothing(monkeypatch):
    import tqdm
    interval = tqdm.tqdm.monitor_interval
    assert run_cell(monkeypatch) == ([], "", False)
    assert tqdm.tqdm.monitor_interval == interval


def test_under_pyodide_it_installs_heatex_says_so_in_one_line_and_stops_the_tqdm_monitor(monkeypatch):
    import tqdm
    magics, printed, enabled = run_cell(monkeypatch, platform="emscripten")
    # heatex's wheel is served by the JupyterLite site; its dependencies are numpy, matplotlib,
    # tqdm and ipywidgets (tests/delivery/test_packaging.py), which Pyodide loads with it.
    assert magics == [("pip", "install -q heatex")]
    assert tqdm.tqdm.monitor_interval == 0
    assert printed.startswith("heatex is ready in JupyterLite: numpy ") and printed.count("\n") == 1, printed
    assert not enabled


def test_in_the_browser_a_package_that_did_not_arrive_is_named_with_what_to_do(monkeypatch):
    import heatex_launch
    real = heatex_launch.importlib.import_module

    def offline(name, *args):
        if name in ("numpy", "matplotlib"):
            raise ModuleNotFoundError(f"No module named '{name}'")
        return real(name, *args)

    monkeypatch.setattr(heatex_launch.importlib, "import_module", offline)
    magics, printed, _ = run_cell(monkeypatch, platform="emscripten")
    assert "numpy (the arrays), matplotlib (the figures) could not be loaded in JupyterLite" in printed
    assert "check the network" in printed and links.pages_url() in printed and printed.count("\n") == 1


def test_an_install_that_failed_says_so_and_where_to_read_instead(monkeypatch):
    monkeypatch.setitem(sys.modules, "heatex_launch", None)      # import heatex_launch raises ImportError
    magics, printed, _ = run_cell(monkeypatch, colab=True)
    assert printed.startswith("heatex could not be installed here: check the network")
    assert links.pages_url() in printed


def test_on_colab_it_installs_heatex_alone_and_enables_widgets_8_only(monkeypatch):
    import ipywidgets
    magics, printed, enabled = run_cell(monkeypatch, colab=True)
    assert magics == [("pip", f"install -q --no-deps {links.pip_source()}")]
    assert enabled and printed.startswith("heatex is ready in Colab: ")
    monkeypatch.setattr(ipywidgets, "__version__", "7.7.1")      # Colab's own ipywidgets 7 shows widgets itself
    _, printed, enabled = run_cell(monkeypatch, colab=True)
    assert not enabled and "ipywidgets 7.7.1" in printed


def test_on_kaggle_it_installs_heatex_alone(monkeypatch):
    magics, printed, enabled = run_cell(monkeypatch, kaggle=True)
    assert magics == [("pip", f"install -q --no-deps {links.pip_source()}")]
    assert not enabled and printed.startswith("heatex is ready in Kaggle: ")


# --- inserting and refreshing ------------------------------------------------------------------

def plain_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    nb.cells[1].execution_count = 1
    return nb


def test_inserting_is_idempotent_and_refreshing_keeps_the_run():
    path = ROOT / "notebooks" / "07_example.ipynb"
    nb, inserted = launch.with_launch_cells(plain_notebook(), path)
    ids = [c.get("id") for c in nb.cells]
    assert inserted and ids[0] == launch.BADGES_ID and ids[2] == launch.LAUNCH_ID and ids[-1] == launch.FOOTER_ID
    assert nb.cells[1].source == "# Title" and len(nb.cells) == 5
    assert "notebooks/07_example.ipynb" in nb.cells[0].source
    nb.cells[2].execution_count = 1
    again, inserted_again = launch.with_launch_cells(nb, path)
    assert not inserted_again and again == nb
    # A stale launch cell (an older text) is replaced in place; its count stays, and moved course
    # cells come back where they belong.
    nb.cells[2].source = "# an older launch cell"
    nb.cells.insert(3, nb.cells.pop(0))
    refreshed, inserted = launch.with_launch_cells(nb, path)
    assert not inserted and refreshed.cells[2].source == launch.launch_source()
    assert refreshed.cells[2].execution_count == 1 and refreshed.cells[0].id == launch.BADGES_ID
    assert [c.source for c in refreshed.cells[1:2] + refreshed.cells[3:4]] == ["# Title", "x = 1"]


def test_a_notebook_without_the_cell_is_reported(tmp_path):
    path = ROOT / "notebooks" / "01_building_pipes.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") not in launch.GENERATED]
    copy = tmp_path / "x.ipynb"
    nbformat.write(nb, copy)
    found = launch.problems(copy, "notebooks/01_building_pipes.ipynb")
    assert any("not the launch cell's" in p for p in found) and any("badges, course, time" in p for p in found)
    nb, _ = launch.with_launch_cells(nb, path)
    nbformat.write(nb, copy)
    assert launch.problems(copy, "notebooks/01_building_pipes.ipynb") == []
    assert launch.problems(copy, "notebooks/02_other.ipynb"), "badges that open another notebook"


def test_rerunning_keeps_the_outputs_nbval_ignores():
    saved = plain_notebook()
    saved.cells.append(nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\n# (why)\nHTML(x)", id="anim"))
    saved.cells[-1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "old ids"},
                                                      execution_count=2)]
    saved.cells.append(nbformat.v4.new_code_cell("print(1)", id="plain"))
    saved.cells[-1].outputs = [nbformat.v4.new_output("stream", text="0\n")]
    rerun = copy_notebook(saved)
    rerun.cells[2].execution_count, rerun.cells[2].outputs = 3, [
        nbformat.v4.new_output("execute_result", {"text/plain": "new ids"}, execution_count=3)]
    rerun.cells[3].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    launch.keep_ignored_outputs(rerun, saved)
    assert rerun.cells[2].outputs[0]["data"]["text/plain"] == "old ids"
    assert rerun.cells[2].outputs[0]["execution_count"] == 3, "the count follows the cell"
    assert rerun.cells[3].outputs[0]["text"] == "1\n", "outputs nbval compares are the new ones"


def copy_notebook(nb):
    return nbformat.reads(nbformat.writes(nb), as_version=4)
