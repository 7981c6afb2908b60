"""The exercise notebook: the master's solutions, the generated student version, and its checks.

nbval runs the master (notebooks/05_exercises.ipynb) strictly with the other notebooks. Here:
the committed student version is exactly what the script makes from the master now; it runs
top to bottom with every check saying "not attempted yet"; and the checks are not a rubber
stamp -- fed wrong answers, each one says "not right yet".
"""
import importlib.util
import json
import pathlib
import re
import shutil
import sys

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
MASTER = ROOT / "notebooks" / "05_exercises.ipynb"


def load_generator():
    spec = importlib.util.spec_from_file_location("make_student_notebooks",
                                                  ROOT / "scripts" / "make_student_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load_generator()
STUDENT = generator.student_path(MASTER)


def tagged(nb, tag, cell_type="code"):
    return [c for c in nb.cells if c.cell_type == cell_type and tag in c.metadata.get("tags", [])]


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def exercise_numbers(nb):
    """The exercise numbers, read from the master's check cells: check(N, check_N)."""
    return sorted(int(n) for c in nb.cells if c.cell_type == "code"
                  for n in re.findall(r"^check\((\d+), check_\1\)", c.source, re.M))


# Deliberately wrong answers, one per exercise, each a mistake a student might make.
WRONG_ANSWERS = {
    1: '''
def predicted_shapes(depth, width, networks, samples, bias):
    return (networks, 2, depth, width, width), (networks, 2, depth + 1, samples, width)   # forgets the bias
''',
    2: '''
def blog_update(W, a, o, p, step):
    return step * (W / W.sum(axis=0)) * (a - o)    # forgets the partner's pull
''',
    3: '''
def partner_layer(pipe, section, depth, alignment):
    return depth - section    # ignores the alignment
''',
    4: '''
def predict_ten_times_step():
    return {"first_change_ratio": 1, "weights_travel": "about as far", "tells_points_apart": True}
''',
    5: '''
def frozen_quantity(weights):
    return weights.sum(axis=-2)    # the column sums move with the weights
''',
    6: '''
def layer_spreads(pipe_weights, points):
    return hc.flow(pipe_weights, points).std(axis=-1).mean(axis=-1)    # spread over units, not points
''',
}


@pytest.fixture(scope="module")
def student_run(tmp_path_factory):
    """The student notebook executed in a temporary folder, then every check run on a wrong answer."""
    folder = tmp_path_factory.mktemp("student")
    path = folder / STUDENT.name
    shutil.copy(STUDENT, path)
    nb = nbformat.read(path, as_version=4)
    n_student_cells = len(nb.cells)
    for number, source in WRONG_ANSWERS.items():
        nb.cells.append(nbformat.v4.new_code_cell(source.strip() + f"\n\ncheck({number}, check_{number})"))
    # The kernel is this test's own Python (as nbval's --nbval-current-env), whatever kernels the
    # machine has installed.
    spec = folder / "kernels" / "this-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "this Python", "language": "python"}))
    km = KernelManager(kernel_name="this-python",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder / "kernels")]))
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
    assert len(numbers) >= 5 and numbers == list(range(1, len(numbers) + 1))
    assert len(solutions) == len(numbers), "one solution cell per exercise"
    for cell in solutions:
        assert "NotImplementedError" not in cell.source, "a solution cell in the master is still a stub"
        stub = generator.stub_source(cell.source)
        assert stub != cell.source and stub.count("raise NotImplementedError") >= 1
    said = "".join(printed(c) for c in nb.cells if c.cell_type == "code")
    for n in numbers:
        assert f"Exercise {n}: right!" in said, f"the master's saved check of exercise {n} does not say right"
    assert "not right yet" not in said and "not attempted yet" not in said
    assert tagged(nb, generator.SOLUTION, "markdown"), "the master's discussion answers are tagged solution"


def test_the_student_version_hides_every_solution():
    master = nbformat.read(MASTER, as_version=4)
    student = nbformat.read(STUDENT, as_version=4)
    ids = {c.id: c for c in student.cells}
    for cell in tagged(master, generator.SOLUTION) + tagged(master, generator.SOLUTION, "markdown"):
        assert cell.id in ids and ids[cell.id].source != cell.source
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


def test_every_check_says_not_right_yet_to_a_wrong_answer(student_run):
    _, wrong = student_run
    assert len(wrong) == len(WRONG_ANSWERS)
    for number, cell in zip(WRONG_ANSWERS, wrong):
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"exercise {number}'s check crashed on a wrong answer: {errors}"
        assert printed(cell).startswith(f"Exercise {number}: not right yet."), printed(cell)


def test_the_stub_maker_refuses_cells_it_cannot_stub_cleanly():
    with pytest.raises(generator.SolutionCellError, match="only function definitions"):
        generator.stub_source("answer = 42\n")
    with pytest.raises(generator.SolutionCellError, match="own lines"):
        generator.stub_source("def f(): return 1\n")
    stub = generator.stub_source('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n    return x\n\n\ndef g():\n    return 2\n')
    assert stub == ('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n'
                    '    raise NotImplementedError("write f, run this cell, then run the check below")\n\n\n'
                    'def g():\n    raise NotImplementedError("write g, run this cell, then run the check below")')
