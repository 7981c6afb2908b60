"""One course: every notebook in the README's table, in order, with the run time of the one source.

docs/run_times.json (scripts/time_notebooks.py) holds each notebook's Restart & Run All; the
README's notebooks table and each notebook's first cell (scripts/launch_cell.py) show it, and
nothing else states a run time. The teacher's guide points at the README for them.
"""
import json
import pathlib
import re

import pytest

import time_notebooks as timing   # scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

def run_times():
    return {name: entry["seconds"] for name, entry in json.loads(timing.OUT.read_text())["notebooks"].items()}


def test_every_notebook_has_a_measured_run_time():
    assert timing.OUT.exists(), "run: python scripts/time_notebooks.py"
    times = run_times()
    assert set(times) == {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}, "measure the notebooks again"
    assert all(0 < seconds < 120 for seconds in times.values()), times


def test_the_readme_lists_every_notebook_in_order_with_its_run_time():
    rows = [timing.ROW.match(line) for line in (ROOT / "README.md").read_text().splitlines()]
    rows = [m for m in rows if m]
    assert [m[1] for m in rows] == [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]
    times = run_times()
    for m in rows:
        assert m[3] == f"{times[m[1]]:.0f} s", f"{m[1]}: run python scripts/time_notebooks.py --readme-only"


def test_rewriting_the_readme_changes_only_the_run_time_column():
    text = "x\n| [a](notebooks/01_x.ipynb) | learn, with | pipes | 3 s |\n| other | row |\n"
    assert timing.readme_with_times(text, {"notebooks/01_x.ipynb": 12.4}) == \
        "x\n| [a](notebooks/01_x.ipynb) | learn, with | pipes | 12 s |\n| other | row |\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_states_its_run_time_only_in_its_header(path):
    nb = json.loads(path.read_text())
    header = "".join(nb["cells"][0]["source"])
    seconds = run_times()[path.relative_to(ROOT).as_posix()]
    assert f"Restart & Run All takes {seconds:.0f} s" in header
    prose = "".join("".join(c["source"]) for c in nb["cells"][1:] if c["cell_type"] == "markdown")
    found = re.findall(r"(?:takes|about|runs? in) (?:a minute|\d+ (?:s|seconds))\b", prose)
    assert not found, f"{path.name} states a run time outside its header: {found}"


def test_the_teachers_guide_takes_run_times_from_the_readme():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    assert "see README" in guide
    assert not re.search(r"Restart & Run All[^\n|]*\d+ s", guide)
