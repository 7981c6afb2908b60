"""The README a newcomer reads in two minutes: short, its code runs as shown, its numbers are true.

- at most 120 lines;
- its Python block runs as it stands, and what its comments say it gives is what it gives;
- it states heatex_core.py's size as scripts/code_lines.py counts it now;
- it names every module of the library (heatex_*.py) in its table of modules;
- every notebook's row and run time is tests/course/test_course.py's; every link is tests/delivery/test_links.py's.
"""
import contextlib
import io
import pathlib
import re

import code_lines  # scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 120, "the README is read in two minutes: move detail to docs/"


def python_blocks(text):
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def test_the_readmes_code_runs_and_gives_what_it_says():
    blocks = python_blocks(README)
    assert len(blocks) == 1, "one Python block: the core in one screen"
    names = {}
    with contextlib.redirect_stderr(io.StringIO()):      # tqdm's progress bar
        exec(compile(blocks[0], "README.md", "exec"), names)
    # what the comments say: the blog's network scores a constant's 0.476; the rule is local
    assert list(names["run"].metrics["test_accuracy"][-1]) == [0.476, 0.476, 0.476]
    assert "0.476, a constant's score" in blocks[0]
    assert names["hl"].is_local("difference_exchange") is True
    assert "# True: each section reads only what it touches" in blocks[0]
    assert names["learns"].n_networks == 20


def test_the_readme_states_the_cores_true_size():
    counted = code_lines.code_lines((ROOT / "heatex_core.py").read_text(encoding="utf-8"))
    stated = re.search(r"\[heatex_core\.py\]\(heatex_core\.py\) \|[^|\n]*?(\d+) lines of code \|", README)
    assert stated, "the README's table of modules states heatex_core.py's lines of code"
    assert int(stated[1]) == counted, (
        f"heatex_core.py has {counted} lines of code now (python scripts/code_lines.py): "
        f"write it into the README's table of modules")


def test_the_readme_names_every_module_once():
    for path in sorted(ROOT.glob("heatex_*.py")):
        rows = re.findall(rf"^\| \[{re.escape(path.name)}\]\({re.escape(path.name)}\) \| .+ \|$", README, re.M)
        assert len(rows) == 1, f"{path.name}: one line in the README's table of modules"


def test_code_lines_leaves_out_docstrings_comments_and_blank_lines():
    source = ('"""A module\n\ndocstring."""\n\n# a comment\nx = [1,\n     2]  # trailing\n\n\n'
              'def f():\n    """Doc."""\n    return x\n\n\nclass A:\n    """Doc\n    more."""\n    y = "not a doc"\n')
    assert code_lines.code_lines(source) == 6     # x = [1, / 2], def f, return x, class A, y = ...
