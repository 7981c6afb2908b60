"""Run a notebook's student copy as a student would, for the tests of its "Your turn" exercises.

`run_student_copy(master, answers, folder)` copies the student copy of ``master`` into ``folder``,
runs it top to bottom untouched, then runs one appended cell per answer (a student's attempt, followed
by the check, and the measurement again where there is one), each predictions file kept in ``folder``.
It returns (the student copy's cells, the appended cells), executed. `said_by(cell, name)` is what
the check of Your turn ``name`` printed in a cell, from "Your turn ``name``:" on.
"""
import shutil

import nbformat
from nbclient import NotebookClient

import make_student_notebooks as generator   # scripts/ is on pytest's pythonpath
import this_python


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


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def errors(cell):
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def said_by(cell, name):
    """What the check of Your turn ``name`` printed in ``cell``: from "Your turn name:" to the end."""
    text = printed(cell)
    start = text.find(f"Your turn {name}:")
    return text[start:] if start >= 0 else ""


def source_of(nb_cells, cell_id):
    """The source of the cell with id ``cell_id`` (a measurement to run again after a new prediction)."""
    return next(c.source for c in nb_cells if c.get("id") == cell_id)
