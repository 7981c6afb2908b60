"""Run one "Your turn" check cell of a notebook on an answer, as a student's kernel would.

The student copy (notebooks/student/, made by scripts/make_student_notebooks.py) is read, its
imports-and-constants cell is run, then the answer (source that defines the student's functions),
then the check cell of the exercise; what the check prints is returned. The checks are pure
functions of the answer, so no training cell needs to run.
"""
import contextlib
import io
import re

import nbformat

import make_student_notebooks as generator   # scripts/ is on pytest's pythonpath


def check_cell(master, turn):
    """The source of the check cell of Your turn ``turn`` in the student copy of ``master``."""
    cells = nbformat.read(generator.student_path(master), as_version=4).cells
    return next(c.source for c in cells if c.cell_type == "code"
                and c.source.startswith(f"# The check of Your turn {turn} "))


def constants_cell(master):
    """The notebook's first code cell after the launch cell: its imports and constants."""
    cells = nbformat.read(generator.student_path(master), as_version=4).cells
    return next(c.source for c in cells if c.cell_type == "code" and "import heatex_core as hc" in c.source)


def printed_by_check(master, turn, answer):
    """What the check of Your turn ``turn`` prints when ``answer`` is the student's code."""
    namespace = {}
    without_magics = "\n".join(line for line in constants_cell(master).splitlines() if not line.startswith("%"))
    exec(without_magics, namespace)
    exec(answer, namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(check_cell(master, turn), namespace)
    return out.getvalue()


def verdict(said, turn):
    """'right', 'not right yet' or 'not attempted yet', from what a check printed."""
    match = re.search(rf"Your turn {re.escape(turn)}: (right!|not right yet\.|not attempted yet)", said)
    assert match, said
    return match[1].rstrip(".!")


def solution(master, name):
    """The source of the master's solution cell that defines ``name``."""
    cells = nbformat.read(master, as_version=4).cells
    return next(c.source for c in cells if generator.SOLUTION in c.metadata.get("tags", [])
                and f"def {name}(" in c.source)


def assert_named_and_kept(master, turn, answer, says, never):
    """The check of ``turn`` says "not right yet" to ``answer``, with every phrase of ``says`` and none of ``never``."""
    said = printed_by_check(master, turn, answer)
    assert verdict(said, turn) == "not right yet", said
    for words in says:
        assert words in said, said
    for secret in never:
        assert secret not in said, f"the check prints {secret!r}: {said}"
