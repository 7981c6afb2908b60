"""Run a student copy as a student would, then with wrong answers, for the tests of its "Your turn" checks.

``run_with_answers`` executes notebooks/student/<name> in a temporary folder (its predictions file
there too), then one appended cell per case: the student's wrong answer followed by the exercise's
check (or its measurement), as a student runs them after editing the cell. It returns what each
appended cell printed, so a test can require "not right yet" with the mistake named and none of the
right answer (see tests/test_your_turn_03.py).
"""
import pathlib
import shutil

import nbformat
from nbclient import NotebookClient

import this_python

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUDENT = ROOT / "notebooks" / "student"


def printed(cell):
    """What a cell wrote to stdout, and its errors as ``Name: message`` lines."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    errors = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return text + "".join(f"\n{e}" for e in errors)


def check_call(exercise):
    """The line that runs exercise ``exercise``'s check, as the check cell ends: ``_ = hl.check("3.1", check_3_1)``."""
    return f'_ = hl.check("{exercise}", check_{exercise.replace(".", "_")})'


def run_with_answers(name, sources, folder, timeout=300):
    """(the student copy's cells after Run All, what each of ``sources`` printed when run after it)."""
    path = pathlib.Path(folder) / name
    shutil.copy(STUDENT / name, path)
    nb = nbformat.read(path, as_version=4)
    count = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    env = {**this_python.environment(), "HEATEX_PREDICTIONS": str(pathlib.Path(folder) / "my_predictions.json")}
    with this_python.kernel() as km:
        NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute(env=env)
    return nb.cells[:count], [printed(cell) for cell in nb.cells[count:]]


def verdict(said, exercise):
    """The check's own words: what follows "Your turn N.M:" (a measurement may print before it)."""
    head = f"Your turn {exercise}:"
    assert head in said, f"the check of {exercise} said nothing: {said!r}"
    return said[said.index(head):]


def measurement(name, exercise):
    """The source of the student copy's measurement cell of ``exercise``: ``said = hl.predict("N.M", ...``."""
    nb = nbformat.read(STUDENT / name, as_version=4)
    return next(c.source for c in nb.cells
                if c.cell_type == "code" and c.source.startswith(f'said = hl.predict("{exercise}"'))


def run_cases(name, cases, folder, after=()):
    """Run the student copy, then each case's wrong answer with its check, then the sources ``after``.

    ``cases`` maps a name to (exercise, wrong answer, words the check must say, pieces of the right
    answer it must not print). Returns (the untouched run's cells, {case: what its check printed},
    what each of ``after`` printed)."""
    cells = [source.strip() + "\n\n" + check_call(exercise) for exercise, source, _, _ in cases.values()]
    run, said = run_with_answers(name, cells + list(after), folder)
    return run, dict(zip(cases, said)), said[len(cases):]


def assert_named_and_kept_to_itself(case, said, exercise, words, secrets):
    """The check said "not right yet", with every one of ``words``, and none of ``secrets``."""
    text = verdict(said, exercise)
    assert text.startswith(f"Your turn {exercise}: not right yet."), text
    for word in words:
        assert word in text, f"{case}: the check should say {word!r}, said {text!r}"
    for secret in secrets:
        assert secret not in text, f"{case}: the check prints the answer {secret!r}: {text!r}"


def stdout_of(cells):
    """Everything the cells of a run printed."""
    return "".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.get("outputs", []))
