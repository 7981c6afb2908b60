"""What the tests of a notebook's "Your turn" exercises share (tests/test_your_turn_NN.py).

`run_student_copy(master, answers, folder)` copies the student copy of ``master`` into ``folder``,
runs it top to bottom untouched, then runs one appended cell per answer (a student's attempt, followed
by the check, and the measurement again where there is one), the predictions file kept in ``folder``.
It returns (the student copy's cells, the appended cells), executed. `master_problems` says what the
master lacks (its exercises in order, the first one early, its saved checks right, its check cells
hidden); `wrong_answer_problems` what a check said wrong about a wrong answer.
"""
import re
import shutil

import nbformat
from nbclient import NotebookClient

import make_student_notebooks as generator   # scripts/ is on pytest's pythonpath
import this_python

FIRST_EXERCISE_WITHIN = 1000       # markdown words: a student writes code within fifteen minutes


def run_student_copy(master, answers, folder):
    path = folder / master.name
    shutil.copy(generator.student_path(master), path)
    nb = nbformat.read(path, as_version=4)
    untouched = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(source.strip()) for source in answers]
    with this_python.kernel() as km:
        NotebookClient(nb, km=km, timeout=300, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute(
            env={**this_python.environment(), "HEATEX_PREDICTIONS": str(folder / "my_predictions.json")})
    return nb.cells[:untouched], nb.cells[untouched:]


def printed(cells):
    """Everything the code cells among ``cells`` printed."""
    return "".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


def errors(cells):
    return [f"{o.ename}: {o.evalue}" for c in cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def said_by(cell, name):
    """What the check of Your turn ``name`` printed in ``cell``: from "Your turn name:" to the end."""
    text = printed([cell])
    start = text.find(f"Your turn {name}:")
    return text[start:] if start >= 0 else ""


def source_of(cells, cell_id):
    """The source of the cell with id ``cell_id`` (a measurement to run again after a new prediction)."""
    return next(c.source for c in cells if c.get("id") == cell_id)


def master_problems(master, names):
    """What the master notebook lacks: exercises ``names`` in order, the first within
    FIRST_EXERCISE_WITHIN words, every saved check saying right, every check cell hidden and
    saying what it checks."""
    nb = nbformat.read(master, as_version=4)
    problems = []
    headings = [m.group(1) for c in nb.cells if c.cell_type == "markdown"
                for m in re.finditer(r"Your turn (\d+\.\d+)", c.source)]
    if headings != names:
        problems.append(f"the exercises' headings are {headings}, not {names}")
    words = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if f"Your turn {names[0]}" in cell.source:
                break
            words += len(re.sub(r"<[^>]+>|\]\([^)]*\)", " ", cell.source).split())
    if words >= FIRST_EXERCISE_WITHIN:
        problems.append(f"Your turn {names[0]} comes after {words} words")
    said = printed(nb.cells)
    problems += [f"the saved check of Your turn {n} does not say right" for n in names
                 if f"Your turn {n}: right!" not in said]
    for cell in nb.cells:
        if cell.cell_type == "code" and "hl.check(" in cell.source:
            if cell.metadata.get("jupyter", {}).get("source_hidden") is not True:
                problems.append(f"a check cell shows its source: {cell.source.splitlines()[0]}")
            if not cell.source.startswith("# The check of Your turn "):
                problems.append(f"a check cell does not say what it checks: {cell.source.splitlines()[0]}")
    return problems


def wrong_answer_problems(cell, name, words, secrets):
    """What the check of Your turn ``name`` got wrong about a wrong answer: it must say "not right
    yet" with ``words`` (the mistake named) and none of ``secrets`` (pieces of the answer)."""
    if errors([cell]):
        return [f"the cell raised {errors([cell])}"]
    said = said_by(cell, name)
    problems = []
    if not said.startswith(f"Your turn {name}: not right yet."):
        problems.append(f"the check said {said!r}")
    if words not in said:
        problems.append(f"the check does not say {words!r}: {said!r}")
    problems += [f"the check prints {secret!r}" for secret in secrets if secret in said]
    return problems
