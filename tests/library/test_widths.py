"""Sections of different widths (issue 21, item 3): padded to the widest, they compute what the narrow network does.

Every check here compares the library with a reference written per section, in plain numpy, on the
sections' own (inputs, width) matrices and no padding: the flow, each rule's change for one network,
and training K networks at once against each alone. Then what surrounds them: one-hot targets, runs
on disk, the views, the chain of sections, and the refusals that say what cannot work.
"""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import heatex_core as hc
import heatex_engine as engine

WIDTHS = (6, 5, 3)              # a small 6-5-3: every layer a different width
DEEP = (4, 7, 3, 2)             # wider in the middle, three sections


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sections(net, k=0):
    """Network k's sections as their own matrices, [forward..., backward...] in flow order, via the views."""
    forward, backward = net.pipes(k)
    return [s.weight for s in forward], [s.weight for s in backward]


def plain_flow(matrices, x, bias):
    """Each layer of one pipe, per section, no padding: a list of vectors."""
    layers = [np.asarray(x, dtype=float)]
    for W in matrices:
        a = np.append(layers[-1], 1.0) if bias else layers[-1]
        layers.append(sigmoid(a @ W))
    return layers


def with_bias(v, bias):
    return np.append(v, 1.0) if bias else v


def one_hot_data(x_width, classes, n_train=24, n_test=12, seed=0):
    """Random inputs and random classes: one-hot targets, or one label in a column when ``classes`` is 1."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n_train + n_test, x_width))
    labels = rng.integers(0, max(classes, 2), n_train + n_test)
    y = np.eye(classes)[labels] if classes > 1 else labels[:, None].astype(float)
    return hc.Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], name="random", seed=seed)


# --- Shapes and the padding ----------------------------------------------------

def test_build_pads_every_section_to_the_widest_and_each_is_a_view_of_its_block():
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[0, 1], rule="difference_exchange")
    assert net.weights.shape == (2, 2, 2, 7, 6) and net.widths == WIDTHS and net.width == 6 and net.depth == 2
    assert net.mask.shape == (2, 3, 6)
    np.testing.assert_array_equal(net.mask.sum(axis=-1), [[6, 5, 3], [3, 5, 6]])      # forward, backward in flow order
    forward, backward = sections(net, 1)
    assert [w.shape for w in forward] == [(7, 5), (6, 3)] and [w.shape for w in backward] == [(4, 5), (6, 6)]
    for w in forward + backward:
        assert np.shares_memory(w, net.weights) and np.all(w != 0)
    # everything outside the blocks is 0
    blocks = sum(w.size for w in forward + backward)
    assert np.count_nonzero(net.weights[1]) == blocks
    forward[0][...] = 0.25                                   # a write through a section reaches the network
    assert np.sum(net.weights[1] == 0.25) == 35
    assert net.network(1).section("forward", 0) is not None and np.all(net.network(1).section(0, 0) == 0.25)


def test_each_network_draws_its_sections_in_order_from_its_own_seed():
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[5], rule="backprop", bias=True, init_scale=2.0)
    rng = np.random.default_rng(5)
    expected = [rng.uniform(-2, 2, shape) for shape in [(7, 5), (6, 3), (4, 5), (6, 6)]]
    forward, backward = sections(net)
    for mine, theirs in zip(forward + backward, expected):
        np.testing.assert_array_equal(mine, theirs)


def test_one_width_draws_exactly_what_one_array_draw_gives():
    # per-section draws in flow order are the same numbers as one draw of the whole array
    net = hc.HeatExchanger.build(3, 4, seeds=[7, 8], rule="schmidhuber", bias=True, init_scale=[1.0, 3.0])
    for k, (seed, scale) in enumerate([(7, 1.0), (8, 3.0)]):
        np.testing.assert_array_equal(net.weights[k], np.random.default_rng(seed).uniform(-scale, scale, (2, 3, 5, 4)))
    assert net.mask is None and net.widths == (4, 4, 4, 4)


@pytest.mark.parametrize("widths", [WIDTHS, DEEP, (2, 8, 2)])
@pytest.mark.parametrize("bias", [False, True])
def test_the_flow_is_a_plain_forward_pass_per_section(widths, bias):
    net = hc.HeatExchanger.build(widths=widths, seeds=[3, 4], rule="backprop", bias=bias, init_scale=2.0)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, (5, widths[0])), rng.uniform(0, 1, (5, widths[-1]))
    acts = net.flow(x, y)
    widest = max(widths)
    for k in range(2):
        forward, backward = sections(net, k)
        for m in range(5):
            for p, (matrices, start) in enumerate(((forward, x[m]), (backward, y[m]))):
                for layer, expected in enumerate(plain_flow(matrices, start, bias)):
                    got = acts[k, p, layer, m]
                    np.testing.assert_allclose(got[widest - len(expected):widest], expected, rtol=1e-13, atol=1e-15)
                    assert np.all(got[:widest - len(expected)] == 0)         # the padding carries 0
                    if bias:
                        assert got[-1] == 1.0
    np.testing.assert_allclose(net.predict(x)[1], acts[1, 0, -1, :, widest - widths[-1]:widest])
    assert net.predict(x).shape == (2, 5, widths[-1]) and net.reconstruct(y).shape == (2, 5, widths[0])


# --- Each rule's change, one network, against a per-section reference ----------

def reference_backprop(matrices, start, target, bias, step):
    layers = plain_flow(matrices, start, bias)
    deltas = [None] * len(matrices)
    deltas[-1] = (target - layers[-1]) * layers[-1] * (1 - layers[-1])
    for i in range(len(matrices) - 2, -1, -1):
        W = matrices[i + 1][:len(layers[i + 1])]                 # the bias row carries no error back
        deltas[i] = (W @ deltas[i + 1]) * layers[i + 1] * (1 - layers[i + 1])
    return [step * np.outer(with_bias(layers[i], bias), deltas[i]) for i in range(len(matrices))]


def reference_delta_rule(forward, backward, x, y, bias, settings_, targets=None):
    """Every section's delta rule towards its partner (pull_previous 0), hidden sections scaled."""
    f, b = plain_flow(forward, x, bias), plain_flow(backward, y, bias)
    depth = len(forward)
    partners = [b[::-1][1:], f[::-1][1:]] if targets is None else [targets, f[::-1][1:]]
    changes = []
    for layers, matrices, partner in ((f, forward, partners[0]), (b, backward, partners[1])):
        for i in range(depth):
            o = layers[i + 1]
            e = settings_["pull_partner"] * (partner[i] - o)
            scale = settings_["hidden_pull"] if i < depth - 1 else 1.0
            changes.append(scale * settings_["step"] * np.outer(with_bias(layers[i], bias), e * o * (1 - o)))
    return changes


def reference_difference_exchange(forward, backward, x, y, bias, s, jiggle=None):
    """The difference exchange per section: targets down the backward pipe, forward sections towards
    them, backward sections learning to undo the forward section beside them (on a jiggle, if given)."""
    depth = len(forward)
    h = plain_flow(forward, x, bias)
    g = lambda v, W: sigmoid(with_bias(v, bias) @ W)             # noqa: E731
    t = {depth: np.asarray(y, dtype=float)}
    for j in range(depth):
        L = depth - j
        t[L - 1] = g(t[L], backward[j]) + s["difference"] * (h[L - 1] - g(h[L], backward[j]))
    changes = []
    for i in range(depth):
        o = h[i + 1]
        scale = s["hidden_pull"] if i < depth - 1 else 1.0
        e = s["pull_partner"] * (t[i + 1] - o)
        changes.append(scale * s["step"] * np.outer(with_bias(h[i], bias), e * o * (1 - o)))
    for j in range(depth):
        i = depth - 1 - j                                            # the forward section beside it
        if jiggle is None:
            v, target = h[i + 1], h[i]
        else:
            target = h[i] + s["inverse_noise"] * jiggle[j][len(jiggle[j]) - len(h[i]):]
            v = g(target, forward[i])
        r = g(v, backward[j])
        changes.append(s["inverse_step"] * np.outer(with_bias(v, bias), (target - r) * r * (1 - r)))
    return changes


def learnt_changes(net, x, y, jiggle=None):
    """What one learn step changed in each section of network 0, as the sections' own matrices."""
    before = [w.copy() for w in sum(sections(net), [])]
    net.learn(x, y, jiggle=jiggle)
    return [after - b for after, b in zip(sum(sections(net), []), before)]


@pytest.mark.parametrize("widths", [WIDTHS, DEEP])
def test_backprop_is_backprop_per_section(widths):
    net = hc.HeatExchanger.build(widths=widths, seeds=[2], rule="backprop", bias=True, step=0.3, init_scale=2.0)
    forward, backward = (list(map(np.copy, pipe)) for pipe in sections(net))
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, widths[0]), rng.uniform(0, 1, widths[-1])
    expected = reference_backprop(forward, x, y, True, 0.3) + reference_backprop(backward, y, x, True, 0.3)
    for got, want in zip(learnt_changes(net, x, y), expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("rule", ["end_exchange", "schmidhuber"])
def test_the_delta_rule_towards_the_partner_per_section(rule):
    s = dict(step=0.4, pull_partner=0.8, hidden_pull=0.5 if rule == "end_exchange" else 1.0)
    net = hc.HeatExchanger.build(widths=DEEP, seeds=[4], rule=rule, bias=True, pull_previous=0, init_scale=2.0,
                                 **{k: v for k, v in s.items() if rule == "end_exchange" or k != "hidden_pull"})
    forward, backward = (list(map(np.copy, pipe)) for pipe in sections(net))
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 1, DEEP[0]), rng.uniform(0, 1, DEEP[-1])
    for got, want in zip(learnt_changes(net, x, y), reference_delta_rule(forward, backward, x, y, True, s)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("widths", [WIDTHS, DEEP, (64, 16, 10)])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_the_difference_exchange_per_section(widths, noise):
    s = dict(step=0.7, pull_partner=0.9, hidden_pull=0.6, difference=0.8, inverse_step=0.05, inverse_noise=noise)
    net = hc.HeatExchanger.build(widths=widths, seeds=[6], rule="difference_exchange", init_scale=1.5, **s)
    forward, backward = (list(map(np.copy, pipe)) for pipe in sections(net))
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1, widths[0]), np.eye(widths[-1])[1]
    jiggle = rng.standard_normal((1, len(widths) - 1, max(widths))) if noise else None
    expected = reference_difference_exchange(forward, backward, x, y, True, s, None if jiggle is None else jiggle[0])
    for got, want in zip(learnt_changes(net, x, y, jiggle), expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)
    # a Network's change is the change without a jiggle
    fresh = hc.HeatExchanger.build(widths=widths, seeds=[6], rule="difference_exchange", init_scale=1.5, **s)
    change = fresh.network(0).change(x, y)
    plain = reference_difference_exchange(forward, backward, x, y, True, s)
    for n, want in enumerate(plain):
        pipe, i = divmod(n, len(widths) - 1)
        np.testing.assert_allclose(change[(pipe, i) + engine.block(widths, pipe, i)], want, rtol=1e-10, atol=1e-15)
    assert np.count_nonzero(change) == np.count_nonzero(np.concatenate([w.ravel() for w in plain]))


def test_touches_are_the_sections_own_numbers():
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[1], rule="difference_exchange")
    x, y = np.linspace(0, 1, 6), np.eye(3)[2]
    W, a, o, p = net.network(0).touches("forward", 0, x, y)
    assert (W.shape, a.shape, o.shape, p.shape) == ((7, 5), (7,), (5,), (5,))
    np.testing.assert_array_equal(W, net.network(0).section("forward", 0))
    np.testing.assert_array_equal(a[:6], x)
    np.testing.assert_allclose(o, sigmoid(np.append(x, 1) @ W))
    W, a, o, p = net.network(0).touches("backward", 0, x, y)
    assert (W.shape, a.shape, o.shape, p.shape) == ((4, 5), (4,), (5,), (5,))
    np.testing.assert_array_equal(a[:3], y)


# --- Many networks at once, and the fast path ---------------------------------

RULES = st.sampled_from(["backprop", "end_exchange", "difference_exchange", "schmidhuber"])


@settings(max_examples=12, deadline=None)
@given(rule=RULES, seeds=st.lists(st.integers(0, 2**31), min_size=2, max_size=4, unique=True),
       widths=st.lists(st.integers(1, 6), min_size=2, max_size=4).filter(lambda w: len(set(w)) > 1),
       data_seed=st.integers(0, 1000))
def test_k_networks_of_different_widths_at_once_equal_k_alone(rule, seeds, widths, data_seed):
    data = one_hot_data(widths[0], widths[-1], seed=data_seed)
    steps = np.linspace(0.05, 0.5, len(seeds))
    fixed = dict(rule=rule, bias=True) | ({} if rule == "backprop" else dict(pull_previous=0.0))
    together = hc.train(hc.HeatExchanger.build(widths=widths, seeds=seeds, step=steps, **fixed), data, epochs=2,
                        progress=False)
    for k, seed in enumerate(seeds):
        alone = hc.train(hc.HeatExchanger.build(widths=widths, seeds=[seed], step=steps[k], **fixed), data, epochs=2,
                         progress=False)
        np.testing.assert_array_equal(together.snapshots[:, k], alone.snapshots[:, 0])
        for name in hc.METRICS:
            np.testing.assert_array_equal(together.metrics[name][:, k], alone.metrics[name][:, 0])


def plain_step(net, x, y, jiggle=None):
    """One step the readable way, padded: flow with the mask, the difference exchange's passes, the rule."""
    rows = 3 if np.any(net.inverse_noise) else 1
    inputs = np.stack([engine.pad(x, net.width), engine.pad(y, net.width)], axis=1)[:, :, None, :]
    sample = hc.flow(net.weights, inputs, net.mask)
    acts = np.concatenate([sample, np.ones(sample.shape[:-2] + (rows - 1, sample.shape[-1]))], axis=-2)
    if rows == 3:
        hc.jiggle_pass(net.weights, acts, net.inverse_noise, jiggle, net.mask)
    if np.any(net.difference):
        hc.difference_pass(net.weights, acts[..., :1, :], net.difference, net.mask)
    net.weights += hc.RULES[net.rule](net.weights, acts, hc.partner_acts(acts, net.alignment, net.width), net)


@pytest.mark.parametrize("rule", ["backprop", "end_exchange", "difference_exchange"])
@pytest.mark.parametrize("widths", [WIDTHS, DEEP, (40, 33, 10)])      # the last: wide sections, no copies
def test_the_engine_is_the_readable_step_for_padded_sections(rule, widths):
    extra = {} if rule == "backprop" else dict(pull_previous=0.0)
    build = lambda: hc.HeatExchanger.build(widths=widths, seeds=[1, 2, 3], rule=rule, bias=True,  # noqa: E731
                                           step=[0.1, 0.5, 1.0], init_scale=2.0, **extra)
    fast, readable = build(), build()
    data = one_hot_data(widths[0], widths[-1], n_train=20, seed=4)
    draws = np.random.default_rng(0).standard_normal((20, 3, len(widths) - 1, max(widths)))
    with np.errstate(all="ignore"):
        for t in range(20):
            x, y = data.x_train[(np.arange(3) + t) % 20], data.y_train[(np.arange(3) + t) % 20]
            fast.learn(x, y, jiggle=draws[t] if np.any(fast.inverse_noise) else None)
            plain_step(readable, x, y, draws[t])
    np.testing.assert_array_equal(fast.weights, readable.weights)
    outside = engine.pad_sections([np.ones(s) for s in engine.section_shapes(widths, True)], widths, True) == 0
    assert np.all(fast.weights[:, outside] == 0), "the padding stays 0"


@pytest.mark.parametrize("rule", sorted(hc.RULES))
@pytest.mark.parametrize("bias", [False, True])
def test_wide_sections_of_one_width_step_as_the_readable_step(rule, bias):
    # 32 x 32 weights and more: the rules read the weights themselves, not copies laid out for small sections
    bias = bias and rule != "blog"
    settings_ = dict(rule=rule, bias=bias, step=[0.001, 0.01], hidden_pull=[0.5, 1.0]) | (
        {} if rule != "difference_exchange" else dict(inverse_noise=[0.0, 0.2]))
    fast, readable = (hc.HeatExchanger.build(2, 32, seeds=[3, 4], **settings_) for _ in range(2))
    assert fast._engine.step_buffers is None
    data = hc.circle_data(n_train=10, n_test=1, width=32, seed=1)
    draws = np.random.default_rng(0).standard_normal((10, 2, 2, 32))
    with np.errstate(all="ignore"):
        for t in range(10):
            x, y = data.x_train[[t, (t + 3) % 10]], data.y_train[[t, (t + 3) % 10]]
            fast.learn(x, y, jiggle=draws[t] if np.any(fast.inverse_noise) else None)
            plain_step(readable, x, y, draws[t])
    assert fast._engine.step_buffers.wide
    np.testing.assert_array_equal(fast.weights, readable.weights)


def test_measure_is_the_readable_metrics_per_section():
    net = hc.HeatExchanger.build(widths=DEEP, seeds=[0, 1], rule="difference_exchange", init_scale=3.0)
    data = one_hot_data(DEEP[0], DEEP[-1], n_train=30, n_test=20, seed=9)
    got = hc.measure(net, data)
    acts = net.flow(data.x_train, data.y_train)
    out = net.predict(data.x_test)
    labels = data.y_test.argmax(axis=1)
    np.testing.assert_array_equal(got["test_accuracy"], np.mean(out.argmax(axis=-1) == labels, axis=-1))
    widest = max(DEEP)
    for k in range(2):
        forward, backward = sections(net, k)
        x_hat = np.array([plain_flow(backward, y, True)[-1] for y in data.y_train])
        np.testing.assert_allclose(got["reconstruction_error"][k], np.mean((x_hat - data.x_train) ** 2))
        for pipe in range(2):
            for i in range(3):
                w = engine.layer_widths(DEEP)[pipe, i + 1]
                mine = acts[k, pipe, i + 1, :, widest - w:widest]
                partner = acts[k, 1 - pipe, 3 - i - 1, :, widest - w:widest]
                np.testing.assert_allclose(got["mismatch"][k, pipe, i], np.mean((mine - partner) ** 2), rtol=1e-12)


# --- One-hot targets: the largest output is the answer ------------------------

def test_one_hot_targets_are_answered_by_the_largest_output():
    outputs = np.array([[0.9, 0.95, 0.1], [0.2, 0.1, 0.3]])
    np.testing.assert_array_equal(hc.predict_labels(outputs, one_hot=True), [1, 2])
    np.testing.assert_array_equal(hc.predict_labels(outputs), [True, False])          # the mean above one half
    data = one_hot_data(4, 3, n_train=40, n_test=30, seed=1)
    assert data.one_hot and not hc.circle_data(10, 5).one_hot
    np.testing.assert_array_equal(data.labels("test"), data.y_test.argmax(axis=1))
    counts = np.bincount(data.labels("train"), minlength=3)
    assert hc.majority_accuracy(data) == np.mean(data.labels("test") == counts.argmax())


def test_binary_data_keeps_its_form_and_its_majority():
    data = hc.circle_data(200, 100, width=3, seed=2)
    np.testing.assert_array_equal(data.labels("test"), data.y_test[:, 0] > 0.5)
    majority = (data.y_train[:, 0] > 0.5).mean() >= 0.5
    assert hc.majority_accuracy(data) == float(np.mean((data.y_test[:, 0] > 0.5) == majority))
    tie = hc.Dataset(np.zeros((2, 2)), np.array([[0.0, 0.0], [1.0, 1.0]]), np.zeros((1, 2)), np.ones((1, 2)))
    assert hc.majority_accuracy(tie) == 1.0              # a tie answers 1, as before


def test_targets_in_no_form_or_two_forms_are_refused():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"y_train must repeat .* or be one-hot.*rows \[0\]"):
        hc.Dataset(x, np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), x, np.eye(3)[:2])
    with pytest.raises(ValueError, match="mix repeated labels with one-hot"):
        hc.Dataset(x, np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]), x, np.eye(3)[:2])


# --- Runs: train, save, load, views ---------------------------------------------

def test_a_run_of_different_widths_records_them_saves_and_loads(tmp_path):
    data = one_hot_data(6, 3, seed=3)
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[0, 1], rule="difference_exchange")
    run = hc.train(net, data, epochs=3, progress=False)
    assert run.config["widths"] == list(WIDTHS) and run.snapshots.shape == (4, 2, 2, 2, 7, 6)
    path = run.save(tmp_path / "run.npz")
    with np.load(path) as contents:
        assert int(contents["version"]) == 3
    back = hc.Run.load(path)
    assert back.config == run.config
    np.testing.assert_array_equal(back.snapshots, run.snapshots)
    again = back.network_at(-1)
    assert again.widths == WIDTHS
    np.testing.assert_array_equal(again.weights, net.weights)
    np.testing.assert_array_equal(hc.measure(again, data)["test_accuracy"], run.metrics["test_accuracy"][-1])
    one = back.network(1).at(2)
    assert one.widths == WIDTHS and one.section("forward", 1).shape == (6, 3)


def test_version_2_files_of_one_width_still_load(tmp_path):
    run = hc.train(hc.HeatExchanger.build(2, 3, seeds=[0]), hc.circle_data(10, 5, width=3), epochs=1, progress=False)
    config = {key: value for key, value in run.config.items() if key != "widths"}
    np.savez(tmp_path / "old.npz", format=np.array("heatex-run"), version=np.array(2),
             config=np.array(json.dumps(config)), snapshots=run.snapshots, snapshot_epochs=run.snapshot_epochs,
             **{f"metric_{k}": v for k, v in run.metrics.items()})
    back = hc.Run.load(tmp_path / "old.npz")
    assert back.network_at(-1).widths == (3, 3, 3) and back.config == run.config     # widths written in
    np.testing.assert_array_equal(back.snapshots, run.snapshots)


def test_a_run_file_whose_widths_disagree_with_its_snapshots_is_refused(tmp_path):
    run = hc.train(hc.HeatExchanger.build(widths=WIDTHS, seeds=[0], rule="backprop"), one_hot_data(6, 3), epochs=1,
                   progress=False)
    for bad in ([6, 5], [6, 5, 4.0], [7, 5, 3]):
        config = dict(run.config, widths=bad)
        np.savez(tmp_path / "bad.npz", format=np.array("heatex-run"), version=np.array(3),
                 config=np.array(json.dumps(config)), snapshots=run.snapshots, snapshot_epochs=run.snapshot_epochs)
        with pytest.raises(hc.RunFileError, match="widths"):
            hc.Run.load(tmp_path / "bad.npz")


def test_data_must_fit_the_ends_of_the_pipes():
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[0], rule="backprop")
    with pytest.raises(ValueError, match=r"x is 6 wide and its y 4.*6-5-3.*widths=\(6, \.\.\., 4\)"):
        hc.train(net, one_hot_data(6, 4), epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"x must have shape \(6,\)"):
        net.learn(np.zeros(5), np.zeros(3))
    with pytest.raises(ValueError, match=r"y must be samples of shape \(m, 3\)"):
        net.reconstruct(np.zeros((2, 6)))


# --- Building: the chain, from_weights, and what cannot work -------------------

def test_sections_chain_into_pipes_of_different_widths():
    forward = hc.Section(16, input_width=64) > hc.Section(10)
    backward = hc.Section(64) < hc.Section(16, input_width=10)
    assert forward.layer_widths == [64, 16, 10] and backward.layer_widths == [10, 16, 64]
    assert repr(forward) == "Section(16, input_width=64) > Section(10)"
    assert repr(backward) == "Section(64) < Section(16, input_width=10)"
    assert (hc.Section(64) > hc.Section(16) > hc.Section(10)).layer_widths == [64, 64, 16, 10]
    net = hc.HeatExchanger.from_pipes(forward, backward, seed=3, rule="difference_exchange")
    assert net.widths == (64, 16, 10) and forward[0].weight.shape == (65, 16) and backward[1].weight.shape == (17, 64)
    x = np.linspace(0, 1, 64)
    np.testing.assert_allclose(sigmoid(np.append(sigmoid(np.append(x, 1) @ forward[0].weight), 1) @ forward[1].weight),
                               net.predict(x[None])[0, 0])
    f, b = hc.pipes(widths=(64, 16, 10))
    assert repr(f) == repr(forward) and repr(b) == repr(backward)


def test_from_weights_reads_the_widths_off_the_shapes():
    rng = np.random.default_rng(0)
    forward = [rng.uniform(-1, 1, (7, 5)), rng.uniform(-1, 1, (6, 3))]
    backward = [rng.uniform(-1, 1, (4, 5)), rng.uniform(-1, 1, (6, 6))]
    net = hc.HeatExchanger.from_weights(forward, backward, rule="backprop")
    assert net.widths == WIDTHS and net.bias
    for mine, given in zip(sum(sections(net), []), forward + backward):
        np.testing.assert_array_equal(mine, given)
    with pytest.raises(ValueError, match="do not chain"):
        hc.HeatExchanger.from_weights(forward, [backward[0], rng.uniform(-1, 1, (6, 5))], rule="backprop")


@pytest.mark.parametrize("call, message", [
    (lambda: hc.HeatExchanger.build(widths=WIDTHS), "blog's rule pulls every section towards its own input"),
    (lambda: hc.HeatExchanger.build(widths=WIDTHS, rule="end_exchange", pull_previous=1.0), r"pull_previous=\[1.0\].*set pull_previous=0"),
    (lambda: hc.HeatExchanger.build(widths=WIDTHS, rule="schmidhuber", pull_previous=0.5), "pull_previous"),
    (lambda: hc.HeatExchanger.build(widths=WIDTHS, rule="backprop", alignment="blog"), "alignment='blog'"),
    (lambda: hc.HeatExchanger.build(3, 4, widths=WIDTHS), "not both"),
    (lambda: hc.HeatExchanger.build(widths=(6,)), "two or more whole numbers"),
    (lambda: hc.HeatExchanger.build(widths=(6, 0, 3)), "at least 1"),
    (lambda: hc.HeatExchanger.build(widths="6-5-3"), "widths must be the layer widths"),
    (lambda: hc.pipes(widths=[6.5, 3]), "widths must be"),
    (lambda: hc.HeatExchanger(np.ones((1, 2, 2, 7, 6)), rule="backprop", widths=WIDTHS), "outside the sections"),
    (lambda: hc.HeatExchanger(np.zeros((1, 2, 2, 7, 6)), rule="backprop", widths=(6, 5, 4, 3)), "need weights of 3"),
    (lambda: hc.Section(10, input_width=12).takes_input(hc.Section(16)), "takes 12 inputs but the section before"),
    (lambda: hc.HeatExchanger.from_pipes(hc.Section(16, input_width=64) > hc.Section(10),
                                         hc.Section(64) < hc.Section(16)),
     "same widths, the backward pipe's in reverse"),
])
def test_what_cannot_work_is_refused_with_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_setting_changed_later_is_refused_when_training():
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[0], rule="difference_exchange")
    net.pull_previous = np.array([0.5])
    with pytest.raises(ValueError, match="pull_previous"):
        hc.train(net, one_hot_data(6, 3), epochs=1, progress=False)


def test_digits_train_end_to_end_and_learn():
    data = hc.digits_data(n_train=300, n_test=200, seed=1)
    net = hc.HeatExchanger.build(widths=(64, 16, 10), seeds=[0, 1], rule="backprop", bias=True, step=0.5)
    run = hc.train(net, data, epochs=5, progress=False)
    assert run.metrics["test_accuracy"][-1].min() > 0.7 > hc.majority_accuracy(data)
