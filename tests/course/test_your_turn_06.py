"""Notebook 06's exercises: each check says right to the solution, not attempted to the stub, and
not right yet to a plausible wrong answer, naming the mistake without printing the right answer.
Your turn 6.1 refuses a copy of the core's targets, which the task forbids (teaching review 2,
defect 11)."""
import pathlib

import pytest

from check_cells import assert_named_and_kept, printed_by_check, solution, verdict

MASTER = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "06_making_it_learn.ipynb"

STUB = {"6.1": "def difference_targets(one, x, y):\n    raise NotImplementedError\n",
        "6.2": "def moved(start, end):\n    raise NotImplementedError\n"}

WALK = """
def difference_targets(one, x, y):
    h = one.flow(x, y)[0][:, :one.width]
    t = h.copy()
    t[one.depth] = y
    for j in range(one.depth):
        L = one.depth - j
        W = {W}
        g = lambda v: {g}
        t[L - 1] = {step}
    return {returned}
"""
RIGHT = dict(W="one.backward[j]", g="hc.sigmoid(np.append(v, 1.0) @ W)", step="g(t[L]) + (h[L - 1] - g(h[L]))",
             returned="t")

# Wrong answers a student might write: (turn, source, words the check must say, words it must not print)
WRONG = {
    "a copy of the core's targets": ("6.1", """
def difference_targets(one, x, y):
    return one.flow(x, y)[1][::-1, :one.width]
""", ["backward layers one.flow hands out"], ["[::-1"]),
    "the core's targets, in backward order": ("6.1", """
def difference_targets(one, x, y):
    return one.flow(x, y)[1][:, :one.width]
""", ["backward layers one.flow hands out"], []),
    "no correction": ("6.1", WALK.format(**dict(RIGHT, step="g(t[L])")),
                      ["literal exchange's partners", "correction"], ["h[L - 1] - g(h[L])"]),
    "the sections in the wrong order": ("6.1", WALK.format(**dict(RIGHT, W="one.backward[L - 1]")),
                                        ["wrong order"], []),
    "no bias": ("6.1", WALK.format(**dict(RIGHT, g="hc.sigmoid(v @ W[:-1])")), ["the bias"], ["np.append"]),
    "targets in backward order": ("6.1", WALK.format(**dict(RIGHT, returned="t[::-1]")), ["backward order"], []),
    "the correction's sign turned": ("6.1", WALK.format(**dict(RIGHT, step="g(t[L]) - (h[L - 1] - g(h[L]))")),
                                     ["differ from the core's"], []),
    "every section": ("6.2", """
def moved(start, end):
    return np.linalg.norm((end - start).reshape(len(start), -1), axis=1) / np.linalg.norm(start.reshape(len(start), -1), axis=1)
""", ["section 0"], ["start[:, 0]"]),
    "how much it grew": ("6.2", """
def moved(start, end):
    size = lambda a: np.linalg.norm(a, axis=(1, 2))
    return (size(end[:, 0]) - size(start[:, 0])) / size(start[:, 0])
""", ["grew"], ["end[:, 0] - start[:, 0]"]),
    "divided by the end": ("6.2", """
def moved(start, end):
    size = lambda a: np.linalg.norm(a, axis=(1, 2))
    return size(end[:, 0] - start[:, 0]) / size(end[:, 0])
""", ["the size it ended with"], []),
    "not divided": ("6.2", """
def moved(start, end):
    return np.linalg.norm(end[:, 0] - start[:, 0], axis=(1, 2))
""", ["not divided"], []),
    "one number for all networks": ("6.2", """
def moved(start, end):
    return np.median(np.linalg.norm(end[:, 0] - start[:, 0], axis=(1, 2)) / np.linalg.norm(start[:, 0], axis=(1, 2)))
""", ["one number per network"], []),
}


@pytest.mark.parametrize("turn, name", [("6.1", "difference_targets"), ("6.2", "moved")])
def test_the_solution_is_right_and_the_stub_not_attempted(turn, name):
    assert verdict(printed_by_check(MASTER, turn, solution(MASTER, name)), turn) == "right"
    assert verdict(printed_by_check(MASTER, turn, STUB[turn]), turn) == "not attempted yet"


def test_the_walk_written_out_is_right():
    assert verdict(printed_by_check(MASTER, "6.1", WALK.format(**RIGHT)), "6.1") == "right"


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_a_wrong_answer_is_named_and_the_answer_kept(mistake):
    assert_named_and_kept(MASTER, *WRONG[mistake])
