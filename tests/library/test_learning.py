"""What notebook 04 claims about learning: the end-exchange rule is local and learns,
the exchange in hidden sections flattens their features, the blog's rule only stretches."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import heatex_core as hc
import heatex_lab as hl


def test_is_local_knows_which_rules_are_local():
    assert {name: hl.is_local(name) for name in hc.BUILT_IN} == {
        "blog": True, "schmidhuber": True, "backprop": False, "end_exchange": True, "difference_exchange": True}
    assert hl.is_local("difference_exchange", rows=3)          # with the jiggle's rows too


def test_the_difference_exchange_would_not_be_local_without_the_wall_beside_the_input():
    # A backward section learns from the forward layer beside its input: scrambling that layer moves its change.
    rng = np.random.default_rng(0)
    arrays = hl.random_step_inputs(rng, 2, 3, 3, True, 3)
    change = hc.difference_exchange_rule(*arrays, hl.LocalitySettings())
    weights, acts, partner = (a.copy() for a in arrays)
    acts[:, 0, 3] = rng.uniform(0, 1, acts[:, 0, 3].shape)      # forward layer 3: beside backward section 0's input
    again = hc.difference_exchange_rule(weights, acts, partner, hl.LocalitySettings())
    assert not np.allclose(change[:, 1, 0], again[:, 1, 0])
    np.testing.assert_array_equal(change[:, 1, 1:], again[:, 1, 1:])


def test_is_local_judges_a_students_own_rule():
    def towards_partner(weights, acts, partner, settings):        # local: W, a, o, p only
        W, a, o, p = hc.touches(weights, acts, partner)
        return hc.per_network(settings.step, W) * a[..., :, None] * (p - o)[..., None, :]

    def towards_the_output(weights, acts, partner, settings):     # peeks at the pipe's last layer
        W, a, o, p = hc.touches(weights, acts, partner)
        last = acts[..., -1:, 0, :o.shape[-1]]
        return hc.per_network(settings.step, W) * a[..., :, None] * (last - o)[..., None, :]

    assert hl.is_local(towards_partner)
    assert not hl.is_local(towards_the_output)
    with pytest.raises(ValueError, match="unknown rule 'magic'"):
        hl.is_local("magic")
    with pytest.raises(TypeError, match="rule function"):
        hl.is_local(3)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), depth=st.integers(1, 5), width=st.integers(2, 6))
def test_end_exchange_is_local_at_any_depth_and_width(seed, depth, width):
    assert hl.is_local("end_exchange", depth=depth, width=width, trials=2, seed=seed)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), depth=st.integers(1, 4), width=st.integers(2, 5), bias=st.booleans())
def test_hidden_pull_one_is_schmidhubers_rule(seed, depth, width, bias):
    data = hc.circle_data(n_train=15, n_test=5, width=width, seed=seed)
    runs = [hc.train(hc.HeatExchanger.build(depth, width, seeds=[seed, seed + 1], rule=rule, bias=bias, step=0.5,
                                            **extra), data, epochs=2, progress=False)
            for rule, extra in (("end_exchange", dict(hidden_pull=1.0, init_scale=1.0, pull_previous=1.0)),
                                ("schmidhuber", {}))]
    np.testing.assert_array_equal(runs[0].snapshots, runs[1].snapshots)


def test_with_hidden_pull_zero_only_the_end_sections_learn():
    data = hc.circle_data(n_train=50, n_test=10, width=4, seed=0)
    net = hc.HeatExchanger.build(3, 4, seeds=[0, 1], rule="end_exchange", bias=True, step=1.0)
    run = hc.train(net, data, epochs=2, progress=False)
    np.testing.assert_array_equal(run.snapshots[-1][:, :, :-1], run.snapshots[0][:, :, :-1])
    assert np.all(np.abs(run.snapshots[-1][:, :, -1] - run.snapshots[0][:, :, -1]).max(axis=(-2, -1)) > 1e-3)


def test_end_exchange_learns_the_circle_above_the_majority_baseline():
    # The notebook's chosen settings in small: 2 sections of 16, sharp random features.
    data = hc.circle_data(n_train=300, n_test=300, width=16, seed=0)
    net = hc.HeatExchanger.build(2, 16, seeds=[0, 1, 2, 3], rule="end_exchange", bias=True, init_scale=5.0,
                                 step=1.0, pull_previous=0.0)
    accuracy = hc.train(net, data, epochs=10, progress=False).metrics["test_accuracy"][-1]
    baseline = hc.majority_accuracy(data)
    assert np.all(accuracy > baseline + 0.2), (accuracy, baseline)
    assert accuracy.mean() > 0.8


def hidden_spread(weights, x):
    acts = hc.flow(weights[:, 0], x)
    return acts[:, 1, :, :weights.shape[-1]].std(axis=-2).mean(axis=-1)


def test_the_exchange_flattens_hidden_features_and_end_exchange_keeps_them():
    data = hc.circle_data(n_train=200, n_test=50, width=16, seed=1)
    settings_ = dict(bias=True, init_scale=5.0, step=1.0, pull_previous=0.0)
    runs = {pull: hc.train(hc.HeatExchanger.build(2, 16, seeds=[0, 1], rule="end_exchange", hidden_pull=pull,
                                                  **settings_), data, epochs=3, progress=False)
            for pull in (0.0, 1.0)}
    before = hidden_spread(runs[1.0].snapshots[0], data.x_train)
    collapsed = hidden_spread(runs[1.0].snapshots[-1], data.x_train)
    kept = hidden_spread(runs[0.0].snapshots[-1], data.x_train)
    assert np.all(collapsed < 0.2 * before), (collapsed, before)
    np.testing.assert_array_equal(kept, before)
    # ... and the collapsed exchanger agrees with its partner: mismatch falls towards zero
    mismatch = runs[1.0].metrics["mismatch"][:, :, 0, 0]
    assert np.all(mismatch[-1] < 0.1 * mismatch[0])
    assert np.all(runs[1.0].metrics["test_accuracy"][-1] < 0.6)


def test_the_blog_rule_only_stretches_each_units_weights():
    # change = W * (step * t / column sum): every column is multiplied by one number.
    data = hc.circle_data(n_train=100, n_test=10, seed=0)
    run = hc.train(hc.HeatExchanger.build(10, 2, seeds=[0, 1, 2], rule="blog"), data, epochs=2, progress=False)
    first, last = run.snapshots[0], run.snapshots[-1]
    cosine = (first * last).sum(axis=-2) / np.sqrt((first ** 2).sum(axis=-2) * (last ** 2).sum(axis=-2))
    np.testing.assert_allclose(np.abs(cosine), 1.0, atol=1e-9)
    assert np.max(np.abs(last - first)) > 1e-4           # it did change them
    credit = lambda w: w / w.sum(axis=-2, keepdims=True)
    np.testing.assert_allclose(credit(last), credit(first), rtol=1e-6, atol=1e-9)


def test_ten_sections_of_two_give_a_constant_output_before_training():
    data = hc.circle_data(seed=0)
    net = hc.HeatExchanger.build(10, 2, seeds=list(range(20)))
    acts = hc.flow(net.weights[:, 0], data.x_train)
    spread = acts[:, -1].std(axis=-2).mean(axis=-1)
    assert np.median(spread) < 1e-6


def test_hidden_pull_travels_with_the_run(tmp_path):
    data = hc.circle_data(n_train=10, n_test=5, width=3, seed=0)
    net = hc.HeatExchanger.build(2, 3, seeds=[4, 5], rule="end_exchange", bias=True, hidden_pull=[0.0, 0.25])
    run = hc.train(net, data, epochs=1, progress=False)
    assert run.config["hidden_pull"] == [0.0, 0.25]
    run.save(tmp_path / "run.npz")
    loaded = hc.Run.load(tmp_path / "run.npz")
    assert loaded.network_at(1, network=1).hidden_pull.tolist() == [0.25]
    assert loaded.network_at(0).hidden_pull.tolist() == [0.0, 0.25]
    assert hc.RULE_DEFAULTS["end_exchange"]["alignment"] == "paper"


@pytest.mark.parametrize("bad", [[0.0, 1.0, 2.0], float("nan"), "strong"])
def test_a_bad_hidden_pull_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="hidden_pull"):
        hc.HeatExchanger.build(2, 3, seeds=[0, 1], rule="end_exchange", bias=True, hidden_pull=bad)


def test_a_registered_rule_trains_by_name():
    def half_schmidhuber(weights, acts, partner, settings):
        return 0.5 * hc.schmidhuber_rule(weights, acts, partner, settings)

    name = hl.register_rule(half_schmidhuber)
    try:
        data = hc.circle_data(n_train=20, n_test=5, width=3, seed=0)
        mine = hc.train(hc.HeatExchanger.build(2, 3, seeds=[0], rule=name, bias=True, step=0.2), data,
                        epochs=1, progress=False)
        theirs = hc.train(hc.HeatExchanger.build(2, 3, seeds=[0], rule="schmidhuber", bias=True, step=0.1), data,
                          epochs=1, progress=False)
        np.testing.assert_allclose(mine.snapshots, theirs.snapshots, rtol=1e-12, atol=1e-15)
        assert mine.config["rule"] == "half_schmidhuber" and mine.config["alignment"] == "paper"
    finally:
        del hc.RULES[name], hc.RULE_DEFAULTS[name]
    with pytest.raises(ValueError, match="built-in rule"):
        hl.register_rule(half_schmidhuber, name="blog")
    with pytest.raises(TypeError, match="rule must be a function"):
        hl.register_rule("not a function")
