"""One course: every notebook in the README's table, in order, with the run time of the one source,
and with the class and self-study times counted from the notebooks, of the other one source.

docs/run_times.json (scripts/time_notebooks.py) holds each notebook's Restart & Run All; the
README's notebooks table and each notebook's first cell (scripts/launch_cell.py) show it, and
nothing else states a run time. The teacher's guide points at the README for them.
docs/course_times.json (scripts/course_times.py) holds each notebook's class and self-study minutes,
counted section by section; each notebook's first cell and the guide's table show them, and the
guide states no other class time. The guide's picture of a class's predictions is what
scripts/class_predictions.py draws from sample files made here (`python tests/course/test_course.py`
draws it again).
"""
import contextlib
import json
import os
import pathlib
import re
import sys

if __name__ == "__main__":      # run as a script (see the end): find the modules as pytest's pythonpath does
    sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[2] / folder) for folder in ("", "scripts")]

import nbformat  # noqa: E402
import pytest  # noqa: E402

import class_predictions  # noqa: E402  (scripts/ is on pytest's pythonpath)
import course_times  # noqa: E402
import heatex_lab as hl  # noqa: E402
import time_notebooks as timing  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

def test_every_notebook_has_a_measured_run_time_here_and_in_a_browser():
    assert timing.OUT.exists(), "run: python scripts/time_notebooks.py"
    times = timing.load()
    assert set(times) == {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}, "measure the notebooks again"
    assert all(0 < here < 120 for here, _ in times.values()), times
    missing = [name for name, (_, browser) in times.items() if browser is None]
    assert not missing, f"no browser time for {missing}: run benchmarks/browser_times.py SITE --write"
    part = json.loads(timing.OUT.read_text())["browser"]
    assert part["how"] and part["measured"]
    for entry in part["notebooks"].values():     # measured side by side: both there, both real
        assert 0 < entry["here_beside"] < entry["seconds"] < 600 and 0 < entry["kernel_start"] < 300


def test_the_readme_lists_every_notebook_in_order_with_its_run_times():
    rows = [timing.ROW.match(line) for line in (ROOT / "README.md").read_text().splitlines()]
    rows = [m for m in rows if m]
    assert [m[1] for m in rows] == [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]
    times = timing.load()
    for m in rows:
        assert m[3] == timing.shown(*times[m[1]]), f"{m[1]}: run python scripts/time_notebooks.py --readme-only"


def test_rewriting_the_readme_changes_only_the_run_time_column():
    text = "x\n| [a](notebooks/01_x.ipynb) | learn, with | pipes | 3 s |\n| other | row |\n"
    assert timing.readme_with_times(text, {"notebooks/01_x.ipynb": (12.4, 30.6)}) == \
        "x\n| [a](notebooks/01_x.ipynb) | learn, with | pipes | 12 s · 31 s |\n| other | row |\n"
    assert timing.readme_with_times(text, {"notebooks/01_x.ipynb": (12.4, None)}) == \
        "x\n| [a](notebooks/01_x.ipynb) | learn, with | pipes | 12 s |\n| other | row |\n"


def test_where_to_open_it_shows_the_browsers_times_as_measured():
    text = timing.OPEN_IT.read_text()
    assert timing.open_it_with_table(text) == text, "run: python scripts/time_notebooks.py --readme-only"
    for path in NOTEBOOKS:
        assert f"| {path.stem} |" in text.split(timing.START)[1].split(timing.END)[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_states_its_run_times_only_in_its_header(path):
    nb = json.loads(path.read_text())
    header = "".join(nb["cells"][0]["source"])
    here, browser = timing.load()[path.relative_to(ROOT).as_posix()]
    assert f"Restart & Run All takes {here:.0f} s ({browser:.0f} s in a browser, in JupyterLite)" in header
    prose = "".join("".join(c["source"]) for c in nb["cells"][1:] if c["cell_type"] == "markdown")
    found = re.findall(r"(?:takes|about|runs? in) (?:a minute|\d+ (?:s|seconds))\b", prose)
    assert not found, f"{path.name} states a run time outside its header: {found}"


def test_the_teachers_guide_takes_run_times_from_the_readme():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    assert "see README" in guide
    assert not re.search(r"Restart & Run All[^\n|]*\d+ s", guide)


# --- class and self-study times: counted from the notebooks, one source ---------------------

GUIDE = ROOT / "docs" / "teaching.md"
EXAMPLE_PICTURE = ROOT / "docs" / "images" / "class_predictions_example.png"


def test_the_counted_times_are_what_the_notebooks_give_now():
    assert course_times.main(["--check"]) == 0, "run: python scripts/course_times.py, then make launch-cell"
    assert set(course_times.load()) == {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebooks_header_states_its_counted_times(path):
    header = "".join(json.loads(path.read_text())["cells"][0]["source"])
    counted = course_times.load()[path.relative_to(ROOT).as_posix()]
    assert (f"about {counted['class_minutes']} minutes in class, then {counted['self_study_minutes']} on your own"
            in header)


def test_the_guide_states_class_times_only_in_its_table_of_counted_times():
    guide = GUIDE.read_text()
    outside = guide.split(course_times.START)[0] + guide.split(course_times.END)[1]
    for line in outside.splitlines():
        if line.startswith("**Class time.**"):
            assert not re.search(r"\d+ min", line), f"a class time outside the table: {line}"
    assert not re.search(r"\b\d+ minutes in class\b", outside)


def test_the_time_model_counts_what_it_says():
    nb = nbformat.v4.new_notebook()
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    figure = nbformat.v4.new_output("display_data", data={"image/png": "", "text/plain": "<Figure>"})
    nb.cells = [
        md("# Title\n\n" + "word " * 96),                                          # 98 words: start
        md("## 1. A section\n\n" + "word " * 96 + "\n\n> **Think!** Why?\n\n"
           "<details><summary>Hint 1</summary>\n\nnot counted at all\n\n</details>\n"
           "<details><summary>Sidebar: history</summary>\n\nfour words read alone\n\n</details>"),
        code("x = 1", outputs=[figure]),
        code("# Your answer\ndef f():\n    return 1"),
        md("### Your turn 1.1: more\n\nthree words here"),
        code("said = hl.predict('1.2', f, form=hl.Number())"),
        md("## Summary\n\n**Check your understanding**\n\n1. One?\n2. Two?"),
        md("## Open\n\nplanned, not counted", ),
    ]
    nb.cells[3].metadata["tags"] = ["solution"]
    nb.cells[-1].metadata["heatex"] = {"planned_minutes": {"class": 20, "self_study": 30}}
    start, section, summary, open_ = course_times.sections(nb)
    assert start["counted"] == {"class_words": 98}
    # 96 words and 7 tokens ("## 1. A section", "> **Think!** Why?"), a Think!, a code cell with a figure, a
    # Your turn (its heading and task: 8 tokens), a prediction; the sidebar's words alone
    assert section["counted"] == {"class_words": 111, "self_study_words": 6, "code_cells": 2, "figures": 1,
                                  "think": 1, "your_turn": 1, "prediction": 1}
    assert section["class_minutes"] == round(1.11 + 2 + 1 + 2 + 8 + 2, 1)
    assert section["self_study_minutes"] == round(6 / 100, 1)
    assert summary["counted"] == {"class_words": 2, "self_study_words": 7, "recall_question": 2}
    assert (open_["class_minutes"], open_["self_study_minutes"]) == (20, 30)


# The teacher's guide shows what scripts/class_predictions.py draws from a class's files. Its picture
# is drawn from eight sample files that this test writes, never from a class.
SAMPLE_CLASS = [12, 14, 15, 16, 18, 18, 19, 20]      # predictions for 7.2 (how many of 20 networks reach 0.90)


@contextlib.contextmanager
def predictions_in(path):
    before = os.environ.get("HEATEX_PREDICTIONS")
    os.environ["HEATEX_PREDICTIONS"] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["HEATEX_PREDICTIONS"]
        else:
            os.environ["HEATEX_PREDICTIONS"] = before


def draw_sample_class(folder, out):
    """Eight students' predictions files, made by heatex_lab as a notebook makes them, drawn by the script."""
    files = []
    for k, guess in enumerate(SAMPLE_CLASS, start=1):
        files.append(folder / f"student{k}.json")
        with predictions_in(files[-1]), contextlib.redirect_stdout(None):
            hl.predict("7.2", lambda: guess, hl.Number(0, 20))
            hl.reveal("7.2", 20)
    with contextlib.redirect_stdout(None):
        return class_predictions.main([str(f) for f in files] + ["--question", "7.2", "--out", str(out)])


def test_the_guides_class_picture_is_what_the_script_draws_from_sample_files(tmp_path):
    import matplotlib.image

    assert draw_sample_class(tmp_path, tmp_path / "class.png") == 0
    drawn, shown = (matplotlib.image.imread(p) for p in (tmp_path / "class.png", EXAMPLE_PICTURE))
    assert drawn.shape == shown.shape and abs(drawn - shown).mean() < 0.01, (
        "the guide's picture is stale: python tests/course/test_course.py writes it again")
    assert "images/class_predictions_example.png" in GUIDE.read_text()


if __name__ == "__main__":      # python tests/course/test_course.py: draw the guide's picture again
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        EXAMPLE_PICTURE.parent.mkdir(parents=True, exist_ok=True)
        sys.exit(draw_sample_class(pathlib.Path(folder), EXAMPLE_PICTURE))
