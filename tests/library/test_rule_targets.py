"""Targets of your own (heatex_lab.register_rule(..., targets=...)), and the one final test.

The challenge of notebook 07 opens what the backward pipe carries to a student's rule, so that the
course's best rule, the difference exchange, can be written as a rule of one's own. Written so, it
must train to exactly the built-in rule's weights; the plain flow as targets must give the literal
exchange; and the final test keeps its first result.
"""
import numpy as np
import pytest

import heatex_core as hc
import heatex_lab as hl

INVERSE_STEP = 0.01      # the built-in rule's default inverse_step


def matmul(a, b):
    # The engine lays the weights a rule reads out for speed, and BLAS's rounding can depend on how
    # arrays lie in memory: C-ordered copies round as the core's own products do (hc._matmul).
    return np.ascontiguousarray(a) @ np.ascontiguousarray(b)


def exchange_rule(weights, acts, partner, settings):
    """The difference exchange's change, written from what a section touches, as a student would."""
    W, a, o, p = hc.touches(weights, acts, partner)
    change = hc.delta_rule(a, o, p - o, hc.per_network(settings.step, W))      # every section towards its partner
    v = hc.beside_input(acts)[..., 1, :, :]                 # a backward section: the forward layer beside its input
    if acts.shape[-2] >= 3:                                 # the jiggle's rows (only where the core allows it)
        jiggling = hc.per_network(settings.inverse_noise, v) > 0
        target = np.where(jiggling, partner[..., 1, :, 1, :], p[..., 1, :, :])
        v = np.where(jiggling, hc.beside_input(acts, 2)[..., 1, :, :], v)
    else:
        target = p[..., 1, :, :]
    backward = W[..., 1, :, :, :]
    r = hc.sigmoid(matmul(v[..., None, :], backward)[..., 0, :])               # its answer
    # today only rule="difference_exchange" may set inverse_step: elsewhere its default stands in
    step = np.where(np.asarray(settings.inverse_step) > 0, settings.inverse_step, INVERSE_STEP)
    step = hc.per_network(step, backward)
    change[..., 1, :, :, :] = hc.delta_rule(v, r, target - r, step)            # ... learns to undo the forward one
    return change


def difference_targets(W, t, h_in, h_out):
    return hc.sigmoid(t @ W) + (h_out - hc.sigmoid(h_in @ W))


def plain_targets(W, t, h_in, h_out):
    return hc.sigmoid(t @ W)


@pytest.fixture
def register():
    names = []

    def register(rule, **options):
        names.append(hl.register_rule(rule, **options))
        return names[-1]

    yield register
    for name in names:
        hc.RULES.pop(name, None)
        hc.RULE_DEFAULTS.pop(name, None)
        getattr(hc, "TARGETS", {}).pop(name, None)


OURS = dict(bias=True, init_scale=1.0, step=2.0, pull_previous=0.0)    # the built-in rule's defaults at 2x4
SHAPE = dict(init_scale=1.0, step=2.0)      # the built-in rule's init_scale and step follow the shape: fixed here


def train_both(name, depth, width, seeds, epochs, ours=None, theirs=None):
    data = hc.circle_data(120, 40, width=width, seed=3)
    mine = hc.train(hc.HeatExchanger.build(depth, width, seeds=seeds, rule=name, **OURS, **(ours or {})), data,
                    epochs=epochs, progress=False)
    built_in = hc.train(hc.HeatExchanger.build(depth, width, seeds=seeds, rule="difference_exchange",
                                               **SHAPE, **(theirs or {})), data, epochs=epochs, progress=False)
    return mine, built_in


@pytest.mark.parametrize("depth, width", [(2, 4), (3, 3)])
def test_the_difference_exchange_written_through_the_hook_trains_to_exactly_the_built_in_weights(register, depth,
                                                                                                 width):
    name = register(exchange_rule, name="my_difference_exchange", targets=difference_targets)
    mine, built_in = train_both(name, depth, width, seeds=range(4), epochs=3, theirs=dict(inverse_noise=0.0))
    assert np.array_equal(mine.snapshots, built_in.snapshots)
    assert np.array_equal(mine.metrics["test_accuracy"], built_in.metrics["test_accuracy"])


def test_with_the_jiggle_too_a_rule_of_ones_own_is_the_built_in_rule(register):
    name = register(exchange_rule, name="my_difference_exchange", targets=difference_targets)
    mine, built_in = train_both(name, 2, 4, seeds=range(4), epochs=3,
                                ours=dict(difference=1.0, inverse_step=0.01, inverse_noise=0.1))
    assert np.array_equal(mine.snapshots, built_in.snapshots)


def test_the_plain_flow_as_targets_is_the_literal_exchange(register):
    name = register(exchange_rule, name="my_literal_exchange", targets=plain_targets)
    mine, built_in = train_both(name, 2, 4, seeds=range(3), epochs=2, theirs=dict(inverse_noise=0.0, difference=0.0))
    assert np.array_equal(mine.snapshots, built_in.snapshots)


def test_one_networks_change_sees_the_targets_and_the_rule_alone_is_judged_local(register):
    name = register(exchange_rule, name="my_difference_exchange", targets=difference_targets)
    mine = hc.HeatExchanger.build(3, 3, seeds=[2], rule=name, **OURS).network(0)
    built_in = hc.HeatExchanger.build(3, 3, seeds=[2], rule="difference_exchange", inverse_noise=0.0,
                                        **SHAPE).network(0)
    x, y = np.array([0.3, -0.2, 0.0]), np.array([1.0, 1.0, 1.0])
    assert np.array_equal(mine.change(x, y), built_in.change(x, y))
    assert hl.is_local(name) and hl.is_local(exchange_rule)


def test_a_rule_registered_again_without_targets_loses_them(register):
    register(exchange_rule, name="my_rule_twice", targets=difference_targets)
    name = register(exchange_rule, name="my_rule_twice")
    assert hc.RULES[name] is exchange_rule and name not in getattr(hc, "TARGETS", {})


def test_bad_targets_are_refused_with_what_to_do(register):
    with pytest.raises(TypeError, match="targets must be a function"):
        register(exchange_rule, name="bad", targets="difference")
    with pytest.raises(ValueError, match="alignment='paper'"):
        register(exchange_rule, name="bad", targets=plain_targets, alignment="blog")

    def too_wide(W, t, h_in, h_out):
        return hc.sigmoid(t @ W[..., :-1])[..., None]

    name = register(exchange_rule, name="too_wide", targets=too_wide)
    net = hc.HeatExchanger.build(2, 3, seeds=[0], rule=name, **OURS)
    with pytest.raises(ValueError, match="shaped like h_out"):
        net.network(0).change(np.zeros(3), np.ones(3))


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("HEATEX_PREDICTIONS", str(tmp_path / "my_predictions.json"))


def test_the_first_final_test_counts_and_a_second_look_is_said_to_be_one(log, capsys):
    assert hl.predict("7.4", lambda: 0.9, hl.Number(0, 1)) == 0.9
    assert hl.final_test("7.4", 0.93) == 0.93
    first = capsys.readouterr().out
    assert "you predicted 0.9, measured 0.93" in first
    assert hl.final_test("7.4", 0.93) == 0.93              # the same test again: the same words
    assert capsys.readouterr().out == first
    assert hl.final_test("7.4", 0.95) == 0.93              # after a change chosen with the test in view
    said = capsys.readouterr().out
    assert "0.95" in said and "first final test measured 0.93" in said and "counts" in said
    record = hl.prediction_log()["7.4"]
    assert record["measured"] == 0.93 and record["later_tests"] == [0.95]
