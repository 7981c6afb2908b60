"""Notebook 02's exercises: Your turn 2.1 (the rule the blog's update() really runs), 2.2 (Schmidhuber's
rule derived from its loss) and 2.3 (predict, then measure, a ten-times-larger step).

The student copy runs untouched with each check saying "not attempted yet" and the measurement
waiting for a prediction; fed the mistakes a student makes, each check says "not right yet", names
the mistake and prints no piece of the answer.
"""
import pathlib

import nbformat
import pytest

from your_turn_support import errors, master_problems, printed, run_student_copy, source_of, wrong_answer_problems

ROOT = pathlib.Path(__file__).resolve().parents[2]
MASTER = ROOT / "notebooks" / "02_heat_exchange_training.ipynb"

BLOG = "def blog_update(W, a, o, p, step):\n    return {}"
SCHMIDHUBER = ("def schmidhuber_update(W, a, o, p, pull_previous, pull_partner, step):\n"
               "    q = {q}\n    e = {e}\n    return {change}")
RIGHT_E = "pull_previous * (q - o) + pull_partner * (p - o)"
RIGHT_CHANGE = "step * np.outer(a, e * o * (1 - o))"
# (wrong answer, words the check must say, pieces of the answer it must not print)
WRONG = {
    "2.1": [
        (BLOG.format("step * W / W.sum(axis=0) * ((a - o) + (p - o))[:, None]"), "each row is scaled",
         ["W.sum(axis=0)", "axis=0"]),
        (BLOG.format("step * W / W.sum(axis=1) * ((a - o) + (p - o))"), "divides by row sums", ["axis=0"]),
        (BLOG.format("step * W * ((a - o) + (p - o))"), "the credit is missing", ["W.sum"]),
        (BLOG.format("step * W / W.sum(axis=0) * ((o - a) + (o - p))"), "the sign is turned round", []),
        (BLOG.format("step * W / W.sum(axis=0) * (p - o)"), "one of the two pulls is missing", []),
        (BLOG.format("W / W.sum(axis=0) * ((a - o) + (p - o))"), "the step is missing", []),
        (BLOG.format("step * ((a - o) + (p - o))"), "shaped like W", []),
    ],
    "2.2": [
        (SCHMIDHUBER.format(q="a", e=RIGHT_E, change=RIGHT_CHANGE), "one longer than o", ["a[:len(o)]"]),
        (SCHMIDHUBER.format(q="a[:len(o)]", e=RIGHT_E, change="step * np.outer(q, e * o * (1 - o))"),
         "no row for the bias's weight", ["np.outer(a"]),
        (SCHMIDHUBER.format(q="a[:len(o)]", e=RIGHT_E, change="step * np.outer(a, e)"),
         "slope o(1 - o) is missing", ["np.outer(a, e * o * (1 - o))"]),
        (SCHMIDHUBER.format(q="a[:len(o)]", e="pull_previous * (o - q) + pull_partner * (o - p)", change=RIGHT_CHANGE),
         "wrong sign", []),
        (SCHMIDHUBER.format(q="a[:len(o)]", e=RIGHT_E, change="step * np.outer(e * o * (1 - o), a)"),
         "transposed", []),
        (SCHMIDHUBER.format(q="a[:len(o)]", e="(q - o) + (p - o)", change=RIGHT_CHANGE), "not weighted", []),
    ],
    "2.3": [
        ('def my_prediction():\n    return {"first_change_ratio": 1, "weights_travel": "about as far", '
         '"tells_points_apart": True}', "how does the rule's change depend on the step", ["10", "'farther'", "False"]),
        ('def my_prediction():\n    return {"first_change_ratio": 10, "weights_travel": "less far", '
         '"tells_points_apart": False}', "compare your prediction with the 'travel' columns", ["'farther'"]),
        ('def my_prediction():\n    return {"first_change_ratio": 10, "weights_travel": "farther", '
         '"tells_points_apart": True}', "look at the 'labels' column", ["False"]),
    ],
}
CHECK = {name: f'_ = hl.check("{name}", check_{name.replace(".", "_")})' for name in WRONG}
CASES = [(name, *case) for name, cases in WRONG.items() for case in cases]
# A prediction not in the form asked: the measurement refuses, and so does the check.
UNFORMED = 'def my_prediction():\n    return {"first_change_ratio": 10}'


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    nb = nbformat.read(MASTER, as_version=4)
    measure = source_of(nb.cells, "measure-2-3")
    assert 'hl.predict("2.3"' in measure
    answers = []
    for k, (name, source, _, _) in enumerate(CASES):
        # each prediction is a fresh student's: a question of its own, so that it is the first one kept
        again = measure.replace('hl.predict("2.3"', f'hl.predict("2.3-{k}"') if name == "2.3" else ""
        answers.append(f"{source}\n\n{again}\n\n{CHECK[name]}")
    answers.append(f"{UNFORMED}\n\nmeasured_2_3 = None\n{measure}\n\n{CHECK['2.3']}")
    return run_student_copy(MASTER, answers, tmp_path_factory.mktemp("student02"))


def test_the_master_has_its_exercises_early_and_its_saved_checks_say_right():
    problems = master_problems(MASTER, ["2.1", "2.2", "2.3"])
    assert not problems, problems
    assert "you predicted" in printed(nbformat.read(MASTER, as_version=4).cells)


def test_the_untouched_student_copy_says_not_attempted_yet_and_measures_nothing(student):
    cells, _ = student
    assert not errors(cells), errors(cells)
    said = printed(cells)
    for name in WRONG:
        assert f"Your turn {name}: not attempted yet" in said
    assert "right!" not in said and "you predicted" not in said and "travel at step" not in said
    assert "Prediction 2.3: write your prediction" in said


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{n}-{w[:24]}" for n, _, w, _ in CASES])
def test_a_wrong_answer_is_named_and_the_answer_kept(student, k):
    name, _, words, secrets = CASES[k]
    problems = wrong_answer_problems(student[1][k], name, words, secrets)
    assert not problems, problems


def test_a_prediction_not_in_the_form_asked_measures_nothing_and_the_check_says_so(student):
    cell = student[1][-1]
    assert "not in the form asked" in printed([cell]) and "travel at step" not in printed([cell])
    problems = wrong_answer_problems(cell, "2.3", "run the measurement cell above first", [])
    assert not problems, problems
