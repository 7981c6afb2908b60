"""Notebook 05's exercises: each check says right to the solution, not attempted to the stub, and
not right yet to a plausible wrong answer, naming the mistake without printing the right answer."""
import pathlib

import pytest

from check_cells import assert_named_and_kept, printed_by_check, solution, verdict

MASTER = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "05_searching_for_a_local_rule.ipynb"

STUB = {"5.1": "def variance_parts(outputs, labels):\n    raise NotImplementedError\n",
        "5.2": "def report(validation, test):\n    raise NotImplementedError\n"}

# Wrong answers a student might write: (turn, source, words the check must say, words it must not print)
WRONG = {
    "equal class weights": ("5.1", """
def variance_parts(outputs, labels):
    parts = [outputs[labels == c] for c in (False, True)]
    within = sum(((p - p.mean(axis=0)) ** 2).sum(axis=1).mean() for p in parts) / 2
    between = sum(((p.mean(axis=0) - outputs.mean(axis=0)) ** 2).sum() for p in parts) / 2
    return within, between
""", ["weight each class by its share"], ["0.04", "0.36"]),
    "mean over the units": ("5.1", """
def variance_parts(outputs, labels):
    overall, within, between = outputs.mean(axis=0), 0.0, 0.0
    for c in (False, True):
        part, share = outputs[labels == c], (labels == c).mean()
        within += share * ((part - part.mean(axis=0)) ** 2).mean()
        between += share * ((part.mean(axis=0) - overall) ** 2).mean()
    return within, between
""", ["within-class part is off", "between-class part is off"], ["0.04", "0.36"]),
    "the class means forgotten": ("5.1", """
def variance_parts(outputs, labels):
    within = ((outputs - outputs.mean(axis=0)) ** 2).sum(axis=1).mean()
    between = (outputs.mean(axis=0) ** 2).sum()
    return within, between
""", ["within-class part is off", "see hint 2"], ["0.04", "0.36"]),
    "one number": ("5.1", """
def variance_parts(outputs, labels):
    return ((outputs - outputs.mean(axis=0)) ** 2).sum(axis=1).mean()
""", ["return two numbers"], []),
    "the test points choose": ("5.2", """
def report(validation, test):
    best = int(np.argmax(test))
    return best, float(test[best])
""", ["which points may choose it"], ["0.86", "(1,"]),
    "the validation number reported": ("5.2", """
def report(validation, test):
    best = int(np.argmax(validation))
    return best, float(validation[best])
""", ["which points have not been used yet"], ["0.86"]),
    "the accuracy alone": ("5.2", """
def report(validation, test):
    return float(test[int(np.argmax(validation))])
""", ["return two things"], ["0.86"]),
}


@pytest.mark.parametrize("turn, name", [("5.1", "variance_parts"), ("5.2", "report")])
def test_the_solution_is_right_and_the_stub_not_attempted(turn, name):
    assert verdict(printed_by_check(MASTER, turn, solution(MASTER, name)), turn) == "right"
    assert verdict(printed_by_check(MASTER, turn, STUB[turn]), turn) == "not attempted yet"


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_a_wrong_answer_is_named_and_the_answer_kept(mistake):
    assert_named_and_kept(MASTER, *WRONG[mistake])
