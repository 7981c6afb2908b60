"""Notebook 01's exercises: Your turn 1.1 (flow x through a pipe by hand) and 1.2 (predict every shape).

The student copy runs untouched with each check saying "not attempted yet"; fed the mistakes a
student makes, each check says "not right yet", names the mistake and prints no piece of the answer.
"""
import pathlib

import pytest

from your_turn_support import errors, master_problems, printed, run_student_copy, wrong_answer_problems

ROOT = pathlib.Path(__file__).resolve().parents[2]
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
    problems = master_problems(MASTER, ["1.1", "1.2"])
    assert not problems, problems


def test_the_untouched_student_copy_says_not_attempted_yet(student):
    cells, _ = student
    assert not errors(cells), errors(cells)
    said = printed(cells)
    for name in WRONG:
        assert f"Your turn {name}: not attempted yet" in said
    assert "right!" not in said


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{n}-{w[:24]}" for n, _, w, _ in CASES])
def test_a_wrong_answer_is_named_and_the_answer_kept(student, k):
    name, _, words, secrets = CASES[k]
    problems = wrong_answer_problems(student[1][k], name, words, secrets)
    assert not problems, problems
