"""The exercise notebook: the master's solutions, the generated student version, and its checks.

nbval runs the master (notebooks/07_exercises.ipynb) strictly with the other notebooks. Here:
the committed student version is exactly what the script makes from the master now; it runs
top to bottom with every check saying "not attempted yet" and no measurement shown before a
prediction is written; and the checks are not a rubber stamp -- fed wrong answers, each one says
"not right yet", without printing the right answer.
"""
import pathlib
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

import make_student_notebooks as generator   # scripts/ is on pytest's pythonpath
import this_python

ROOT = pathlib.Path(__file__).resolve().parents[1]
MASTER = ROOT / "notebooks" / "07_exercises.ipynb"


STUDENT = generator.student_path(MASTER)


def tagged(nb, tag, cell_type="code"):
    return [c for c in nb.cells if c.cell_type == cell_type and tag in c.metadata.get("tags", [])]


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def exercise_numbers(nb):
    """The exercise numbers, read from the master's check cells: check(N, check_N)."""
    return sorted(int(n) for c in nb.cells if c.cell_type == "code"
                  for n in re.findall(r"^check\((\d+), check_\1\)", c.source, re.M))


# Deliberately wrong answers, one per exercise, each a mistake a student might make, and for each
# a piece of the right answer that the check must not print.
WRONG_ANSWERS = {
    1: ("""
def predicted_shapes(depth, width, networks, samples, bias):
    return (networks, 2, depth, width, width), (networks, 2, depth + 1, samples, width)   # forgets the bias
""", ["(1, 2, 1, 2, 2)", "(3, 2, 10, 2, 2)", "(2, 2, 4, 4, 3)"]),
    2: ("""
def frozen_quantity(weights):
    return weights.sum(axis=-2)    # the column sums move with the weights
""", ["weights.sum(axis=-2, keepdims=True)"]),
    3: ("""
def schmidhuber_update(W, a, o, p, pull_previous, pull_partner, step):
    e = pull_previous * (a - o) + pull_partner * (p - o)     # uses a, bias and all, as the previous layer
    return step * np.outer(a, e * o * (1 - o))
""", ["q = a[:len(o)]"]),
    4: ("""
def predict_ten_times_step():
    return {"first_change_ratio": 1, "weights_travel": "about as far", "tells_points_apart": True}
""", ["10.0 times", "'farther'", "False"]),
    5: ("""
def variance_parts(outputs, labels):
    within = sum(((outputs[labels == c] - outputs[labels == c].mean(axis=0)) ** 2).sum(axis=1).mean()
                 for c in (False, True)) / 2          # averages the classes, not the points
    between = ((outputs.mean(axis=0)) ** 2).sum()     # forgets the class means
    return within, between
""", ["0.04", "0.36"]),
    6: ("""
def report(validation, test):
    best = int(np.argmax(test))                      # lets the test points choose
    return best, float(test[best])
""", ["index 1", "0.86"]),
    7: ("""
def my_rule(weights, acts, partner, settings):
    W, a, o, p = hc.touches(weights, acts, partner)
    last = acts[..., -1:, 0, :o.shape[-1]]             # peeks at the pipe's output layer
    return hc.per_network(settings.step, W) * a[..., :, None] * (last - o)[..., None, :]
""", []),
    8: ("""
def difference_targets(one, x, y):
    h = one.flow(x, y)[0][:, :one.width]
    t = h.copy()
    t[one.depth] = y
    for j, W in enumerate(one.backward):
        L = one.depth - j
        t[L - 1] = hc.sigmoid(np.append(t[L], 1.0) @ W)     # the literal exchange: no correction
    return t


def predict_hidden_movement():
    return {"farther": "literal", "literal_moves": False}
""", ["h[L - 1]", "'difference'", "True"]),
}
GATED = {4: "first change at step 0.01", 5: "within-class", 6: "reported minus fresh accuracy", 8: "x its initial norm"}


@pytest.fixture(scope="module")
def student_run(tmp_path_factory):
    """The student notebook executed in a temporary folder, then every check run on a wrong answer."""
    folder = tmp_path_factory.mktemp("student")
    path = folder / STUDENT.name
    shutil.copy(STUDENT, path)
    nb = nbformat.read(path, as_version=4)
    n_student_cells = len(nb.cells)
    # A gated exercise's measurement runs again after the wrong prediction, as a student would run it.
    measurements = dict(zip(sorted(GATED), [c.source for c in nb.cells if c.cell_type == "code"
                                            and c.source.startswith("said = committed(")]))
    for number, (source, _) in WRONG_ANSWERS.items():
        again = "\n\n" + measurements[number] if number in measurements else ""
        nb.cells.append(nbformat.v4.new_code_cell(source.strip() + again + f"\n\ncheck({number}, check_{number})"))
    # The kernel is this test's own Python (as nbval's --nbval-current-env), whatever kernels the
    # machine has installed.
    with this_python.kernel() as km:
        NotebookClient(nb, km=km, timeout=120, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
    return nb.cells[:n_student_cells], nb.cells[n_student_cells:]


def test_the_committed_student_notebook_is_what_the_script_makes_now():
    assert STUDENT.exists(), f"{STUDENT} is missing: run python scripts/make_student_notebooks.py"
    assert STUDENT.read_text(encoding="utf-8") == generator.student_text(MASTER), (
        "the student notebook is stale: run python scripts/make_student_notebooks.py and commit it")


def test_the_master_holds_tagged_solutions_and_its_saved_checks_all_say_right():
    nb = nbformat.read(MASTER, as_version=4)
    solutions = tagged(nb, generator.SOLUTION)
    numbers = exercise_numbers(nb)
    assert len(numbers) >= 7 and numbers == list(range(1, len(numbers) + 1))
    assert len(solutions) >= len(numbers), "a solution cell for every exercise"
    for cell in solutions:
        assert "NotImplementedError" not in cell.source, "a solution cell in the master is still a stub"
        stub = generator.stub_source(cell.source)
        assert stub != cell.source and stub.count("raise NotImplementedError") >= 1
    said = "".join(printed(c) for c in nb.cells if c.cell_type == "code")
    for n in numbers:
        assert f"Exercise {n}: right!" in said, f"the master's saved check of exercise {n} does not say right"
    assert "not right yet" not in said and "not attempted yet" not in said
    assert tagged(nb, generator.SOLUTION, "markdown"), "the master's discussion answers are tagged solution"


def test_the_student_version_keeps_every_solution_behind_a_click():
    master = nbformat.read(MASTER, as_version=4)
    student = nbformat.read(STUDENT, as_version=4)
    ids = {c.id: c for c in student.cells}
    for cell in tagged(master, generator.SOLUTION) + tagged(master, generator.SOLUTION, "markdown"):
        assert cell.id in ids and ids[cell.id].source != cell.source
        shown = ids[cell.id + generator.SOLUTION_SUFFIX]
        assert shown.cell_type == "markdown" and shown.source.startswith("<details><summary>Click for ")
        assert cell.source in shown.source and shown.source.endswith("</details>")
    visible = [c.source for c in student.cells if not c.source.startswith("<details>")]
    for cell in tagged(master, generator.SOLUTION):
        body = cell.source.split('"""')[-1].strip()          # the code after each docstring
        assert not any(body in text for text in visible), "a solution's body is visible without a click"
    text = "\n".join(c.source for c in student.cells)
    for maintainer_words in ("CI", "nbval", "master", "scripts/make_student_notebooks.py"):
        assert maintainer_words not in text.replace("notebooks/student", ""), (
            f"the student copy mentions {maintainer_words!r}: keep maintainer notes in cells tagged teacher-only")
    for cell in master.cells:
        if generator.TEACHER_ONLY in cell.metadata.get("tags", []):
            assert cell.id not in ids
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")


def test_the_student_version_runs_with_only_stub_errors_and_says_not_attempted(student_run):
    cells, _ = student_run
    errors = [o for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert all(e.ename == "NotImplementedError" for e in errors), [f"{e.ename}: {e.evalue}" for e in errors]
    said = "".join(printed(c) for c in cells if c.cell_type == "code")
    numbers = exercise_numbers(nbformat.read(MASTER, as_version=4))
    for n in numbers:
        assert f"Exercise {n}: not attempted yet" in said
    assert "right!" not in said and "not right yet" not in said


def test_no_measurement_is_shown_before_a_prediction_is_written(student_run):
    cells, _ = student_run
    said = "".join(printed(c) for c in cells if c.cell_type == "code")
    assert said.count("Write your prediction in the cell above and run it first") == len(GATED)
    for number, measured in GATED.items():
        assert measured not in said, f"exercise {number} shows its measurement before any prediction"


def test_every_check_says_not_right_yet_to_a_wrong_answer_and_keeps_the_answer_to_itself(student_run):
    _, wrong = student_run
    assert len(wrong) == len(WRONG_ANSWERS)
    for (number, (_, secrets)), cell in zip(WRONG_ANSWERS.items(), wrong):
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"exercise {number}'s check crashed on a wrong answer: {errors}"
        said = printed(cell)
        assert f"Exercise {number}:" in said, said
        said = said[said.index(f"Exercise {number}:"):]         # what the check says, after any measurement
        assert said.startswith(f"Exercise {number}: not right yet."), said
        for secret in secrets:
            assert secret not in said, f"exercise {number}'s check prints the answer {secret!r}"


def test_the_stub_maker_refuses_cells_it_cannot_stub_cleanly():
    with pytest.raises(generator.SolutionCellError, match="only function definitions"):
        generator.stub_source("answer = 42\n")
    with pytest.raises(generator.SolutionCellError, match="own lines"):
        generator.stub_source("def f(): return 1\n")
    stub = generator.stub_source('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n    return x\n\n\ndef g():\n    return 2\n')
    assert stub == ('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n'
                    '    raise NotImplementedError("write f, run this cell, then run the check below")\n\n\n'
                    'def g():\n    raise NotImplementedError("write g, run this cell, then run the check below")')
