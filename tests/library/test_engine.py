"""heatex_engine changes no number: its fast path equals heatex_core's readable code, bit for bit.

The readable path is what a student reads: ``hc.flow`` (sigmoid(a @ W) section by section), a
rule applied to the whole arrays, ``weights += change``, the metric formulas. The engine
computes the same things in place, laid out for speed. These equalities depend on the numpy and
BLAS build, so they run wherever the tests run.
"""
import copy
import pickle

import numpy as np
from hypothesis import given, settings, strategies as st

import heatex_core as hc
import heatex_engine as engine

RULES = sorted(hc.RULES)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), k=st.integers(1, 5), depth=st.integers(1, 5), width=st.integers(2, 6),
       m=st.integers(1, 7), bias=st.booleans(), scale=st.sampled_from([0.5, 1.0, 5.0, 20.0, 400.0]),
       pipes=st.booleans())
def test_engine_flow_is_the_readable_flow(seed, k, depth, width, m, bias, scale, pipes):
    rng = np.random.default_rng(seed)
    lead = (k, 2) if pipes else (k,)
    weights = rng.uniform(-scale, scale, lead + (depth, width + bias, width))
    inputs = rng.uniform(-1, 1, ((2,) if pipes else ()) + (m, width))
    with np.errstate(over="ignore"):          # huge weights overflow exp; the sigmoid is then 0 on both paths
        readable = hc.flow(weights, inputs)
        fast = engine.Engine().flow(weights, inputs)
    np.testing.assert_array_equal(fast, readable)


def plain_step(net, x, y, jiggle=None):
    """One exchange step the readable way: flow, the difference exchange's passes, partners, the rule,
    weights += change."""
    rows = 3 if np.any(net.inverse_noise) else 1                # the jiggle's two rows after the sample's
    inputs = np.stack([x, y], axis=1)[:, :, None, :]              # (K, 2 pipes, 1 sample, width)
    sample = hc.flow(net.weights, inputs)
    acts = np.concatenate([sample, np.ones(sample.shape[:-2] + (rows - 1, sample.shape[-1]))], axis=-2)
    if rows == 3:
        hc.jiggle_pass(net.weights, acts, net.inverse_noise, jiggle)
    if np.any(net.difference):
        hc.difference_pass(net.weights, acts[..., :1, :], net.difference)
    partner = hc.partner_acts(acts, net.alignment, net.width)
    net.weights += hc.RULES[net.rule](net.weights, acts, partner, net)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), rule=st.sampled_from(RULES), k=st.integers(1, 4), depth=st.integers(1, 4),
       width=st.integers(2, 5), bias=st.booleans())
def test_engine_step_is_the_plain_step(seed, rule, k, depth, width, bias):
    bias = bias and rule != "blog"       # the blog's rule has no bias
    settings_ = dict(rule=rule, bias=bias, step=np.linspace(0.01, 0.3, k), pull_previous=np.linspace(0, 1, k),
                     hidden_pull=np.linspace(0.5, 0, k))
    fast = hc.HeatExchanger.build(depth, width, seeds=range(seed, seed + k), **settings_)
    readable = hc.HeatExchanger.build(depth, width, seeds=range(seed, seed + k), **settings_)
    data = hc.circle_data(n_train=30, n_test=1, width=width, seed=seed)
    draws = np.random.default_rng(seed).standard_normal((30, k, depth, width))
    with np.errstate(all="ignore"):
        for t in range(30):
            x = data.x_train[(np.arange(k) + t) % 30]
            y = data.y_train[(np.arange(k) + t) % 30]
            fast.learn(x, y, jiggle=draws[t] if np.any(fast.inverse_noise) else None)
            plain_step(readable, x, y, draws[t])
    np.testing.assert_array_equal(fast.weights, readable.weights)


def readable_metrics(net, data):
    """The four metrics from hc.flow and their formulas, with no engine."""
    width = net.width
    with np.errstate(over="ignore"):
        train_acts = hc.flow(net.weights, np.stack([data.x_train, data.y_train]))
        test_out = hc.flow(net.weights[:, 0], data.x_test)[..., -1, :, :width]
    labels = data.y_train[:, 0] > 0.5
    partner = hc.partner_acts(train_acts, net.alignment, width)
    return {
        "train_accuracy": np.mean(hc.predict_labels(train_acts[:, 0, -1, :, :width]) == labels, axis=-1),
        "test_accuracy": np.mean(hc.predict_labels(test_out) == (data.y_test[:, 0] > 0.5), axis=-1),
        "reconstruction_error": np.mean((train_acts[:, 1, -1, :, :width] - data.x_train) ** 2, axis=(-2, -1)),
        "mismatch": np.mean((train_acts[..., 1:, :, :width] - partner) ** 2, axis=(-2, -1)),
    }


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), k=st.sampled_from([1, 3, engine.MEASURE_CHUNK + 3]), depth=st.integers(1, 4),
       width=st.integers(2, 5), bias=st.booleans(), rule=st.sampled_from(["schmidhuber", "backprop"]))
def test_engine_measure_is_the_readable_metrics(seed, k, depth, width, bias, rule):
    net = hc.HeatExchanger.build(depth, width, seeds=range(seed, seed + k), rule=rule, bias=bias, init_scale=3.0)
    data = hc.circle_data(n_train=40, n_test=25, width=width, seed=seed)
    fast, readable = hc.measure(net, data), readable_metrics(net, data)
    assert set(fast) == set(readable) == set(hc.METRICS)
    for name in hc.METRICS:
        np.testing.assert_array_equal(fast[name], readable[name], err_msg=name)


def test_copies_and_pickles_get_their_own_engine():
    net = hc.HeatExchanger.build(3, 2, seeds=[0, 1])
    net.learn([0.1, 0.2], [1.0, 1.0])                        # the engine now holds buffers
    for other in (copy.copy(net), copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert other._engine is not net._engine and other._engine.step_buffers is None
        other.weights = other.weights.copy()
        other.learn([0.3, -0.2], [0.0, 0.0])
    # the original's buffers still serve the original
    before = net.weights.copy()
    net.learn([0.3, -0.2], [0.0, 0.0])
    plain = hc.HeatExchanger(before, rule=net.rule, seeds=[0, 1])
    plain_step(plain, np.array([[0.3, -0.2]] * 2), np.zeros((2, 2)))
    np.testing.assert_array_equal(net.weights, plain.weights)


def test_new_weights_or_alignment_get_new_buffers():
    net = hc.HeatExchanger.build(3, 2, seeds=[4], rule="schmidhuber")
    net.learn([0.1, 0.2], [1.0, 1.0])
    first = net._engine.step_buffers
    net.alignment = "blog"
    reference = hc.HeatExchanger(net.weights.copy(), rule="schmidhuber", alignment="blog", seeds=[4])
    net.learn([0.5, 0.2], [0.0, 0.0])
    plain_step(reference, np.array([[0.5, 0.2]]), np.zeros((1, 2)))
    assert net._engine.step_buffers is not first
    np.testing.assert_array_equal(net.weights, reference.weights)


def test_layered_copy_is_an_equal_array_laid_out_layer_by_layer():
    weights = np.random.default_rng(0).uniform(-1, 1, (4, 2, 3, 3, 2))
    layered = engine.layered_copy(weights)
    np.testing.assert_array_equal(layered, weights)
    assert layered.transpose(2, 1, 0, 3, 4).flags.c_contiguous
    assert all(layered[k, p, i].flags.c_contiguous for k in range(4) for p in range(2) for i in range(3))
