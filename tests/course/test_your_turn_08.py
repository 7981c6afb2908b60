"""Notebook 08's exercises: each check says right to the solution, not attempted to the stub, and
not right yet to a plausible wrong answer, naming the mistake without printing the right answer."""
import pathlib

import pytest

from check_cells import assert_named_and_kept, printed_by_check, solution, verdict

MASTER = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "08_how_far_does_it_go.ipynb"

STUB = {"8.1": "def test_accuracies(rule, data, seeds, epochs):\n    raise NotImplementedError\n",
        "8.2": "def linear_read_out(data):\n    raise NotImplementedError\n"}

TRAIN = """
def test_accuracies(rule, data, seeds, epochs):
    net = hc.HeatExchanger.build(2, 4, seeds=seeds, rule={rule})
    run = hc.train(net, data, epochs, progress=False)
    return {returned}
"""
RIGHT_TRAIN = dict(rule="rule", returned='run.metrics["test_accuracy"][-1]')

READ = """
def linear_read_out(data):
    ones = lambda x: {ones}
    w = np.linalg.lstsq(ones(data.x_train), data.y_train, rcond=None)[0]
    return {returned}
"""
RIGHT_READ = dict(ones="np.column_stack([x, np.ones(len(x))])",
                  returned='np.mean((ones(data.x_test) @ w).argmax(axis=1) == data.labels("test"))')

# Wrong answers a student might write: (turn, source, words the check must say, words it must not print)
WRONG = {
    "training accuracy": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, returned='run.metrics["train_accuracy"][-1]')),
                          ["training points"], ["test_accuracy"]),
    "before training": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, returned='run.metrics["test_accuracy"][0]')),
                        ["before training"], ["[-1]"]),
    "the rule left out": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, rule='"blog"')), ["another rule"], []),
    "one rule for all": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, rule='"difference_exchange"')),
                         ["another rule"], []),
    "the mean": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, returned='run.metrics["test_accuracy"][-1].mean()')),
                 ["one accuracy per network"], []),
    "every epoch": ("8.1", TRAIN.format(**dict(RIGHT_TRAIN, returned='run.metrics["test_accuracy"]')),
                    ["one accuracy per network"], []),
    "trained again": ("8.1", TRAIN.replace("progress=False)", "progress=False, retrain_below=0.9)").format(**RIGHT_TRAIN),
                      ["differ"], []),
    "scored on the training images": ("8.2", READ.format(**dict(
        RIGHT_READ, returned='np.mean((ones(data.x_train) @ w).argmax(axis=1) == data.labels("train"))')),
        ["training images"], ["labels(\"test\")"]),
    "no offset": ("8.2", READ.format(**dict(RIGHT_READ, ones="x")), ["offset"], []),
    "each output apart": ("8.2", READ.format(**dict(RIGHT_READ, returned="np.mean((ones(data.x_test) @ w > 0.5) == data.y_test)")),
                          ["largest output"], ["argmax"]),
    "many numbers": ("8.2", READ.format(**dict(RIGHT_READ, returned="(ones(data.x_test) @ w).argmax(axis=1)")),
                     ["one number"], []),
}


@pytest.mark.parametrize("turn, name", [("8.1", "test_accuracies"), ("8.2", "linear_read_out")])
def test_the_solution_is_right_and_the_stub_not_attempted(turn, name):
    assert verdict(printed_by_check(MASTER, turn, solution(MASTER, name)), turn) == "right"
    assert verdict(printed_by_check(MASTER, turn, STUB[turn]), turn) == "not attempted yet"


def test_the_answers_written_out_are_right():
    assert verdict(printed_by_check(MASTER, "8.1", TRAIN.format(**RIGHT_TRAIN)), "8.1") == "right"
    assert verdict(printed_by_check(MASTER, "8.2", READ.format(**RIGHT_READ)), "8.2") == "right"


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_a_wrong_answer_is_named_and_the_answer_kept(mistake):
    assert_named_and_kept(MASTER, *WRONG[mistake])
