"""Notebook 01's exercises: Your turn 1.1 (flow x through a pipe by hand) and 1.2 (predict every shape).

The student copy runs untouched with each check saying "not attempted yet"; fed the mistakes a
student makes, each check says "not right yet", names the mistake and prints no piece of the answer.
"""
import pathlib
import re

import nbformat
import pytest

from student_run import errors, printed, run_student_copy, said_by

ROOT = pathlib.Path(__file__).resolve().parents[1]
MASTER = ROOT / "notebooks" / "01_building_pipes.ipynb"

FLOW = "def flow_by_hand(weights, x):\n    a = x\n    for W in weights{loop}:\n        a = {step}\n{end}"
# (wrong answer, words the check must say, pieces of the answer it must not print)
WRONG = {
    "1.1": [
        (FLOW.format(loop="[::-1]", step="hc.sigmoid(a @ W)", end="    return a"), "wrong order", []),
        (FLOW.format(loop="", step="hc.sigmoid(a @ W.T)", end="    return a"), "transposed", []),
        (FLOW.format(loop="", step="hc.sigmoid(W @ a)", end="    return a"), "matrix product failed", []),
        (FLOW.format(loop="", step="hc.sigmoid(a @ W)", end="        return a"), "only the first section", []),
        (FLOW.format(loop="", step="a @ W", end="    return hc.sigmoid(a)"), "once, at the end", []),
        (FLOW.format(loop="", step="a @ W", end="    return a"), "sigmoid is missing", []),
        ("def flow_by_hand(weights, x):\n    layers = [x]\n    for W in weights:\n"
         "        layers.append(hc.sigmoid(layers[-1] @ W))\n    return layers", "not every layer", []),
    ],
    "1.2": [
        ("def predicted_shapes(depth, width, networks, samples, bias):\n"
         "    return (networks, 2, depth, width, width), (networks, 2, depth + 1, samples, width)",
         "number 4 of your weights shape is off", ["(2, 2, 4, 4, 3)", "(1, 2, 2, 6, 5)"]),
        ("def predicted_shapes(depth, width, networks, samples, bias):\n"
         "    return (networks, 2, depth, width + bias, width), (networks, 2, depth, samples, width + bias)",
         "number 3 of your flow shape is off", ["(1, 2, 2, 1, 2)", "depth + 1"]),
        ("def predicted_shapes(depth, width, networks, samples, bias):\n"
         "    return (2, depth, width + bias, width), (2, depth + 1, samples, width + bias)",
         "your weights shape has 4 numbers; it needs 5", ["(1, 2, 1, 2, 2)"]),
        ("def predicted_shapes(depth, width, networks, samples, bias):\n"
         "    return (networks, 2, depth, width + bias, width), (networks, 2, samples, depth + 1, width + bias)",
         "number 3 of your flow shape is off", ["(1, 2, 2, 1, 2)"]),
    ],
}
CHECK = {"1.1": '_ = hl.check("1.1", check_1_1)', "1.2": '_ = hl.check("1.2", check_1_2)'}
CASES = [(name, *case) for name, cases in WRONG.items() for case in cases]


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    answers = [f"{source}\n\n\n{CHECK[name]}" for name, source, _, _ in CASES]
    return run_student_copy(MASTER, answers, tmp_path_factory.mktemp("student01"))


def test_the_master_has_two_exercises_early_and_its_saved_checks_say_right():
    nb = nbformat.read(MASTER, as_version=4)
    headings = [c.source for c in nb.cells if c.cell_type == "markdown" and "Your turn 1." in c.source]
    assert [re.search(r"Your turn (1\.\d)", h).group(1) for h in headings] == ["1.1", "1.2"]
    words = 0
    for cell in nb.cells:        # the first exercise within the first 1,000 words: a student's code in 15 minutes
        if cell.cell_type == "markdown":
            if "Your turn 1.1" in cell.source:
                break
            words += len(re.sub(r"<[^>]+>|\]\([^)]*\)", " ", cell.source).split())
    assert words < 1000, words
    said = "".join(printed(c) for c in nb.cells if c.cell_type == "code")
    assert "Your turn 1.1: right!" in said and "Your turn 1.2: right!" in said
    for cell in nb.cells:        # every check cell: hidden, says what it is, ends with hl.check
        if cell.cell_type == "code" and "hl.check(" in cell.source:
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
            assert cell.source.startswith("# The check of Your turn 1.")


def test_the_untouched_student_copy_says_not_attempted_yet(student):
    cells, _ = student
    assert not [e for c in cells for e in errors(c)]
    said = "".join(printed(c) for c in cells if c.cell_type == "code")
    for name in WRONG:
        assert f"Your turn {name}: not attempted yet" in said
    assert "right!" not in said


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{n}-{w[:24]}" for n, _, w, _ in CASES])
def test_a_wrong_answer_is_named_and_the_answer_kept(student, k):
    name, _, words, secrets = CASES[k]
    cell = student[1][k]
    assert not errors(cell), errors(cell)
    said = said_by(cell, name)
    assert said.startswith(f"Your turn {name}: not right yet."), said
    assert words in said, said
    for secret in secrets:
        assert secret not in said, f"the check prints {secret!r}"
