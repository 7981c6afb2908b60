"""What the tests of a notebook's "Your turn" exercises share (tests/test_your_turn_NN.py).

`run_student_copy(master, answers, folder)` copies the student copy of ``master`` into ``folder``,
runs it top to bottom untouched, then runs one appended cell per answer (a student's attempt, followed
by the check, and the measurement again where there is one), the predictions file kept in ``folder``.
It returns (the student copy's cells, the appended cells), executed. `master_problems` says what the
master lacks (its exercises in order, the first one early, its saved checks right, its check cells
hidden); `wrong_answer_problems` what a check said wrong about a wrong answer.
"""
import pathlib
import re
import shutil

import nbformat
from nbclient import NotebookClient

import make_student_notebooks as generator   # scripts/ is on pytest's pythonpath
import this_python

ROOT = pathlib.Path(__file__).resolve().parents[1]
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

# ---------------------------------------------------------------------------------------------------
# Cases run in one go (tests/course/test_your_turn_03.py, _04, _09): ``run_with_answers`` executes the
# student copy, then one appended cell per case -- the student's wrong answer followed by the
# exercise's check (or its measurement) -- and returns what each appended cell printed.
# ---------------------------------------------------------------------------------------------------

STUDENT = ROOT / "notebooks" / "student"


def printed_by(cell):
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
    return nb.cells[:count], [printed_by(cell) for cell in nb.cells[count:]]


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
