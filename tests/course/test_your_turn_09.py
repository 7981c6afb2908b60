"""The appendix's check is not a rubber stamp: fed a student's plausible mistakes, it says "not
right yet", names the mistake, and prints no piece of the right answer.

The student copy runs once in a temporary folder (tests/your_turn_support.py), then every wrong
answer below in a cell of its own, followed by the check.
"""
import pytest

from your_turn_support import assert_named_and_kept_to_itself, run_cases, stdout_of

NOTEBOOK = "09_appendix_films_and_files.ipynb"

FRAMES = ["[0, 6, 12", "linspace", "np.round", "np.unique"]
CASES = {
    "fractions": ("9.1", """
def spaced_frames(last, count):
    return list(np.linspace(0, last, count))
""", ["whole numbers", "hint 1"], FRAMES),
    "the last snapshot left out": ("9.1", """
def spaced_frames(last, count):
    return list(range(0, last, max(1, last // (count - 1))))
""", ["end at the last one"], FRAMES),
    "repeats": ("9.1", """
def spaced_frames(last, count):
    return [int(i) for i in np.round(np.linspace(0, last, count))]
""", ["appears twice", "hint 2"], FRAMES),
    "a fixed step": ("9.1", """
def spaced_frames(last, count):
    step = max(1, last // (count - 1))
    return list(range(0, last - step + 1, step)) + [last]
""", ["gaps", "evenly"], FRAMES),
    "decreasing": ("9.1", """
def spaced_frames(last, count):
    return [int(i) for i in np.unique(np.round(np.linspace(0, last, count)))][::-1]
""", ["increasing order"], FRAMES),
}


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The untouched run, and what each wrong answer's check said."""
    return run_cases(NOTEBOOK, CASES, tmp_path_factory.mktemp("student09"))


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_answer_is_not_right_yet_with_its_mistake_named_and_no_answer(student, case):
    exercise, _, words, secrets = CASES[case]
    assert_named_and_kept_to_itself(case, student[1][case], exercise, words, secrets)


def test_the_untouched_copy_is_not_attempted(student):
    text = stdout_of(student[0])
    assert "Your turn 9.1: not attempted yet" in text
