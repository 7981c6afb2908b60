"""Notebook 03's checks are not a rubber stamp: fed a student's plausible mistakes, each says
"not right yet", names the mistake, and prints no piece of the right answer; its prediction
unlocks the measurement only in the form asked.

The student copy runs once in a temporary folder (tests/your_turn_support.py), then every wrong
answer below in a cell of its own, followed by the exercise's check.
"""
import pytest

from your_turn_support import assert_named_and_kept_to_itself, measurement, run_cases, stdout_of

NOTEBOOK = "03_scrubbing_snapshots.ipynb"

# exercise, a wrong answer a student might write, words the check must say, pieces of the right
# answer it must not print (the flare is at snapshot 11, backward section 7, -21.9; the forward
# pipe moves 5.81 times its size; F[0]'s mismatch ends at 0.209).
FLARE = ["(11, 1, 7)", "11, 1, 7", "21.9", "snapshot 11"]
MOVED = ["5.81", "5.8"]
HEAT = ["0.209", "0.036", "0.0706"]
CASES = {
    "largest, not largest in size": ("3.1", """
def largest_weight(snapshots):
    return np.unravel_index(np.argmax(snapshots), snapshots.shape)[:3]      # forgets the size: |w|
""", ["not the largest in size", "negative"], FLARE),
    "a flat index": ("3.1", """
def largest_weight(snapshots):
    return int(np.argmax(np.abs(snapshots)))
""", ["one number", "hint 2"], FLARE),
    "five indices": ("3.1", """
def largest_weight(snapshots):
    return np.unravel_index(np.argmax(np.abs(snapshots)), snapshots.shape)
""", ["three indices", "row and column"], FLARE),
    "the largest of the last snapshot": ("3.1", """
def largest_weight(snapshots):
    last = np.abs(snapshots[-1])
    return (len(snapshots) - 1, *np.unravel_index(np.argmax(last), last.shape)[:2])
""", ["snapshot", "off"], FLARE),
    "the change of size, not the distance": ("3.2", """
def moved(snapshots):
    size = np.linalg.norm(np.reshape(snapshots, (len(snapshots), -1)), axis=1)
    return (size - size[0]) / size[0]
""", ["size changed", "flips sign", "hint 1"], MOVED),
    "not divided": ("3.2", """
def moved(snapshots):
    flat = np.reshape(snapshots, (len(snapshots), -1))
    return np.linalg.norm(flat - flat[0], axis=1)
""", ["divide by ‖W_0‖"], MOVED),
    "divided by each snapshot's size": ("3.2", """
def moved(snapshots):
    flat = np.reshape(snapshots, (len(snapshots), -1))
    return np.linalg.norm(flat - flat[0], axis=1) / np.linalg.norm(flat, axis=1)
""", ["not by each snapshot's own"], MOVED),
    "the mean absolute change": ("3.2", """
def moved(snapshots):
    flat = np.reshape(snapshots, (len(snapshots), -1))
    return np.abs(flat - flat[0]).mean(axis=1)
""", ["differ", "hints"], MOVED),
    "one number per weight": ("3.2", """
def moved(snapshots):
    return np.abs(snapshots - snapshots[0]) / np.abs(snapshots[0])
""", ["one number per snapshot"], MOVED),
    "the section's input, not its output": ("3.3", """
def section_mismatch(weights, x, y, i):
    depth = weights.shape[1]
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.mean((forward[i] - backward[depth - i]) ** 2))
""", ["layer i + 1", "hint 1"], HEAT),
    "the backward pipe in the forward order": ("3.3", """
def section_mismatch(weights, x, y, i):
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.mean((forward[i + 1] - backward[i + 1]) ** 2))
""", ["right to left", "hint 2"], HEAT),
    "the paper's pairing": ("3.3", """
def section_mismatch(weights, x, y, i):
    depth = weights.shape[1]
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.mean((forward[i + 1] - backward[depth - i - 1]) ** 2))
""", ["paper's pairing"], HEAT),
    "a sum": ("3.3", """
def section_mismatch(weights, x, y, i):
    depth = weights.shape[1]
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.sum((forward[i + 1] - backward[depth - i]) ** 2))
""", ["not a sum"], HEAT),
    "a root": ("3.3", """
def section_mismatch(weights, x, y, i):
    depth = weights.shape[1]
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.sqrt(np.mean((forward[i + 1] - backward[depth - i]) ** 2)))
""", ["no square root"], HEAT),
    "ten sections for ever": ("3.3", """
def section_mismatch(weights, x, y, i):
    forward, backward = hc.flow(weights[0], x), hc.flow(weights[1], y)
    return float(np.mean((forward[i + 1] - backward[10 - i]) ** 2))
""", ["not for four", "weights.shape"], HEAT),
}

RIGHT_MOVED = """
def moved(snapshots):
    flat = np.reshape(snapshots, (len(snapshots), -1))
    return np.linalg.norm(flat - flat[0], axis=1) / np.linalg.norm(flat[0])
"""
PREDICTION_WRONG_FORM = """
def my_prediction():
    return {"moved": "far", "snapshots_with_two_labels": 0}
"""
PREDICTION = """
def my_prediction():
    return {"moved": 2, "snapshots_with_two_labels": 61}
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The untouched run, what each wrong answer's check said, and the measurement of 3.2 run twice:
    after a prediction in the wrong form, then after one in the form asked."""
    measure = measurement(NOTEBOOK, "3.2")
    return run_cases(NOTEBOOK, CASES, tmp_path_factory.mktemp("student03"),
                     after=[RIGHT_MOVED.strip() + "\n" + PREDICTION_WRONG_FORM + "\n\n" + measure,
                            PREDICTION.strip() + "\n\n" + measure])


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_answer_is_not_right_yet_with_its_mistake_named_and_no_answer(student, case):
    exercise, _, words, secrets = CASES[case]
    assert_named_and_kept_to_itself(case, student[1][case], exercise, words, secrets)


def test_the_untouched_copy_is_not_attempted_and_measures_nothing(student):
    text = stdout_of(student[0])
    for exercise in ("3.1", "3.2", "3.3"):
        assert f"Your turn {exercise}: not attempted yet" in text
    assert "write your prediction" in text and "moved after 60 epochs" not in text


def test_the_measurement_waits_for_a_prediction_in_the_form_asked(student):
    _, _, (wrong_form, in_form) = student
    assert "not in the form asked" in wrong_form and "'moved' must be a number" in wrong_form
    assert "moved after 60 epochs" not in wrong_form
    assert "moved after 60 epochs" in in_form
    assert "moved: you predicted 2, measured 5.81" in in_form
    assert "snapshots_with_two_labels: you predicted 61, measured 0" in in_form
