"""Notebook 04's checks are not a rubber stamp: fed a student's plausible mistakes, each says
"not right yet", names the mistake, and prints no piece of the right answer; its prediction
unlocks the measurement only in the form asked.

The student copy runs once in a temporary folder (tests/your_turn_support.py), then every wrong
answer below in a cell of its own, followed by the exercise's check.
"""
import pytest

from your_turn_support import assert_named_and_kept_to_itself, measurement, run_cases, stdout_of

NOTEBOOK = "04_does_it_learn.ipynb"

SPREAD = ["3.8e-09", "2.0e-02", "layer.std(axis=0)"]
FROZEN = ["keepdims", "sum(axis=-2", "share of its column"]
LINE = ["z[:, 0] + z[:, 1]", "sum(axis", "> -z"]
CASES = {
    "the spread over the units": ("4.1", """
def spread_by_hand(pipe, points):
    layer, spreads = points, [points.std(axis=1).mean()]
    for W in pipe:
        if pipe.shape[-2] > pipe.shape[-1]:
            layer = np.hstack([layer, np.ones((len(layer), 1))])
        layer = hc.sigmoid(layer @ W)
        spreads.append(layer.std(axis=1).mean())
    return np.array(spreads)
""", ["axis 0", "hint 1"], SPREAD),
    "the variance": ("4.1", """
def spread_by_hand(pipe, points):
    layer, spreads = points, [points.var(axis=0).mean()]
    for W in pipe:
        if pipe.shape[-2] > pipe.shape[-1]:
            layer = np.hstack([layer, np.ones((len(layer), 1))])
        layer = hc.sigmoid(layer @ W)
        spreads.append(layer.var(axis=0).mean())
    return np.array(spreads)
""", ["not the variance"], SPREAD),
    "the input left out": ("4.1", """
def spread_by_hand(pipe, points):
    layer, spreads = points, []
    for W in pipe:
        if pipe.shape[-2] > pipe.shape[-1]:
            layer = np.hstack([layer, np.ones((len(layer), 1))])
        layer = hc.sigmoid(layer @ W)
        spreads.append(layer.std(axis=0).mean())
    return np.array(spreads)
""", ["depth + 1", "layer 0"], SPREAD),
    "the bias's 1 in the spread": ("4.1", """
def spread_by_hand(pipe, points):
    bias = pipe.shape[-2] > pipe.shape[-1]
    ones = np.ones((len(points), 1))
    layer, spreads = points, [points.std(axis=0).mean()]
    for W in pipe:
        if bias:
            layer = np.hstack([layer, ones])
        layer = hc.sigmoid(layer @ W)
        spreads.append((np.hstack([layer, ones]) if bias else layer).std(axis=0).mean())
    return np.array(spreads)
""", ["bias's constant 1 out", "hint 2"], SPREAD),
    "no column of ones": ("4.1", """
def spread_by_hand(pipe, points):
    layer, spreads = points, [points.std(axis=0).mean()]
    for W in pipe:
        layer = hc.sigmoid(layer @ W)
        spreads.append(layer.std(axis=0).mean())
    return np.array(spreads)
""", ["append the column of ones", "hint 2"], SPREAD),
    "no sigmoid": ("4.1", """
def spread_by_hand(pipe, points):
    bias = pipe.shape[-2] > pipe.shape[-1]
    layer, spreads = points, [points.std(axis=0).mean()]
    for W in pipe:
        if bias:
            layer = np.hstack([layer, np.ones((len(layer), 1))])
        layer = layer @ W
        spreads.append(layer.std(axis=0).mean())
    return np.array(spreads)
""", ["applies the sigmoid"], SPREAD),
    "the column sums": ("4.2", """
def frozen_quantity(weights):
    return weights.sum(axis=-2)           # they move with the weights
""", ["changed during training"], FROZEN),
    "the direction with its sign": ("4.2", """
def frozen_quantity(weights):
    return weights / np.linalg.norm(weights, axis=-2, keepdims=True)
""", ["only changed sign", "hint 2"], ["share of its column"]),
    "a constant": ("4.2", """
def frozen_quantity(weights):
    return np.ones(weights.shape[:-2])
""", ["does not tell apart"], FROZEN),
    "the shares of the rows": ("4.2", """
def frozen_quantity(weights):
    return weights / weights.sum(axis=-1, keepdims=True)
""", ["changed during training"], FROZEN),
    "one unit's sign": ("4.3", """
def says_inside(z):
    return z[:, 0] > 0
""", ["one unit's sign", "both units"], LINE),
    "both positive": ("4.3", """
def says_inside(z):
    return (z > 0).all(axis=1)
""", ["quarter of the plane"], LINE),
    "either positive": ("4.3", """
def says_inside(z):
    return (z > 0).any(axis=1)
""", ["three quarters"], LINE),
    "the sigmoid's threshold on z": ("4.3", """
def says_inside(z):
    return z.mean(axis=1) > 0.5
""", ["threshold", "σ(0) = 0.5"], LINE),
    "labels as numbers": ("4.3", """
def says_inside(z):
    return (z.sum(axis=1) > 0).astype(int)
""", ["booleans"], ["sum(axis"]),
}

PREDICTION_WRONG_FORM = """
def my_prediction():
    return {"keeps_most": "depth", "bias_keeps_more": "no"}
"""
PREDICTION = """
def my_prediction():
    return {"keeps_most": "larger weights", "bias_keeps_more": True}
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The untouched run, what each wrong answer's check said, and the measurement of 4.1 run twice:
    after a prediction in the wrong form, then after one in the form asked."""
    measure = measurement(NOTEBOOK, "4.1")
    return run_cases(NOTEBOOK, CASES, tmp_path_factory.mktemp("student04"),
                     after=[PREDICTION_WRONG_FORM.strip() + "\n\n" + measure,
                            PREDICTION.strip() + "\n\n" + measure])


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_answer_is_not_right_yet_with_its_mistake_named_and_no_answer(student, case):
    exercise, _, words, secrets = CASES[case]
    assert_named_and_kept_to_itself(case, student[1][case], exercise, words, secrets)


def test_the_untouched_copy_is_not_attempted_and_measures_nothing(student):
    text = stdout_of(student[0])
    for exercise in ("4.1", "4.2", "4.3"):
        assert f"Your turn {exercise}: not attempted yet" in text
    assert "write your prediction" in text and "median spread at the output" not in text


def test_the_measurement_waits_for_a_prediction_in_the_form_asked(student):
    _, _, (wrong_form, in_form) = student
    assert "not in the form asked" in wrong_form and "'keeps_most' must be one of" in wrong_form
    assert "median spread at the output" not in wrong_form
    assert "fewer sections           depth  2, width  2, init_scale 1, bias False: " \
           "median spread at the output 2.0e-02" in in_form
    assert "keeps_most: you predicted 'larger weights', measured 'fewer sections'" in in_form
    assert "bias_keeps_more: you predicted True, measured False" in in_form
