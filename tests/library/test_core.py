"""Behaviour of heatex_core: the blog reproduced exactly, the rules, training, runs, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import blog_reference as blog
import heatex_core as hc


# --- The blog, exactly -------------------------------------------------------

def blog_epoch_pair(seed=3, epochs=1):
    """The core and the blog's code, trained from the same weights in the same order."""
    data = hc.circle_data(seed=0)
    net = hc.HeatExchanger.build(depth=10, width=2, seeds=seed)
    F, B = blog.build()
    blog.set_weights(F, B, net.weights[0, 0], net.weights[0, 1])
    # The core's shuffles come from the network's own generator after its
    # initial draw; replay that stream for the blog's code.
    rng = np.random.default_rng(seed)
    rng.uniform(-1, 1, net.weights.shape[1:])
    hc.train(net, data, epochs=epochs, progress=False)
    for _ in range(epochs):
        blog.train_epoch(F, B, data.x_train, data.y_train, rng.permutation(len(data.x_train)))
    return net, blog.get_weights(F, B)


def test_a_full_epoch_matches_the_blogs_code_to_the_last_bit():
    net, reference = blog_epoch_pair()
    np.testing.assert_array_equal(net.weights[0], reference)


def test_the_blog_rule_moves_the_weights():
    # Guard against the equivalence passing because neither side changed.
    data = hc.circle_data(seed=0)
    net = hc.HeatExchanger.build(depth=10, width=2, seeds=3)
    before = net.weights.copy()
    hc.train(net, data, epochs=1, progress=False)
    assert np.max(np.abs(net.weights - before)) > 1e-4


def test_one_step_from_given_arrays_is_the_blogs_update():
    rng = np.random.default_rng(5)
    forward = [rng.uniform(-1, 1, (2, 2)) for _ in range(3)]
    backward = [rng.uniform(-1, 1, (2, 2)) for _ in range(3)]
    net = hc.HeatExchanger.from_weights(forward, backward, rule="blog", step=0.01)
    F, B = blog.build(depth=3)
    blog.set_weights(F, B, forward, backward)
    x, y = np.array([0.3, -0.5]), np.array([1.0, 1.0])
    net.learn(x, y)
    blog.learn(F, B, x, y, step=0.01)
    np.testing.assert_allclose(net.weights[0], blog.get_weights(F, B), rtol=0, atol=1e-15)
    forward_back, backward_back = net.weights[0]   # every weight reads back as arrays
    assert forward_back.shape == (3, 2, 2) and backward_back.shape == (3, 2, 2)


# --- Sections and pipes ------------------------------------------------------

def test_chaining_builds_a_forward_pipe_in_flow_order():
    a, b, c = hc.Section(3), hc.Section(3), hc.Section(3)
    pipe = a > b > c
    assert isinstance(pipe, hc.Pipe)
    assert pipe.sections == [a, b, c]
    assert repr(pipe) == "Section(3) > Section(3) > Section(3)"


def test_chaining_builds_a_backward_pipe_that_flows_right_to_left():
    a, b, c = hc.Section(3), hc.Section(3), hc.Section(3)
    pipe = a < b < c
    assert pipe.sections == [c, b, a]           # y enters at the right
    assert pipe.in_position_order() == [a, b, c]
    assert repr(pipe) == "Section(3) < Section(3) < Section(3)"


def test_a_linked_section_cannot_be_linked_again():
    a, b, c = hc.Section(2), hc.Section(2), hc.Section(2)
    a > b
    with pytest.raises(ValueError, match="already linked"):
        c > b


def test_chained_pipes_become_a_network_whose_sections_view_its_weights():
    forward = hc.Section(2) > hc.Section(2) > hc.Section(2)
    backward = hc.Section(2) < hc.Section(2) < hc.Section(2)
    given = np.array([[0.5, -0.25], [0.75, 1.0]])
    forward[1].weight = given
    net = hc.HeatExchanger.from_pipes(forward, backward, seed=4)
    np.testing.assert_array_equal(net.weights[0, 0, 1], given)
    forward[0].weight[...] = 0.125                 # a write through the section reaches the net
    assert np.all(net.weights[0, 0, 0] == 0.125)
    x = np.array([0.2, -0.4])
    np.testing.assert_allclose(forward(x), net.predict(x[None])[0, 0])


def test_the_one_call_constructor_and_the_chain_agree():
    forward, backward = hc.pipes(depth=4, width=3)
    assert forward.widths == [3, 3, 3, 3] and backward.arrow == "<"
    net = hc.HeatExchanger.build(depth=4, width=3, seeds=9)
    f2, b2 = net.pipes()
    np.testing.assert_array_equal(f2[2].weight, net.weights[0, 0, 2])
    np.testing.assert_array_equal(b2[0].weight, net.weights[0, 1, 0])


# --- Schmidhuber's rule and backprop ----------------------------------------

def test_schmidhuber_rule_is_the_delta_rule_towards_both_targets():
    rng = np.random.default_rng(1)
    forward = [rng.uniform(-1, 1, (2, 2)) for _ in range(3)]
    backward = [rng.uniform(-1, 1, (2, 2)) for _ in range(3)]
    net = hc.HeatExchanger.from_weights(forward, backward, rule="schmidhuber", step=0.1,
                                        pull_previous=0.3, pull_partner=0.7)
    x, y = np.array([0.4, -0.9]), np.array([1.0, 1.0])
    fa, ba = [x], [y]
    for w in forward:
        fa.append(hc.sigmoid(fa[-1] @ w))
    for w in backward:
        ba.append(hc.sigmoid(ba[-1] @ w))
    before = net.weights.copy()
    net.learn(x, y)
    # The paper's alignment: forward layer i + 1 faces backward layer depth - i - 1,
    # so the last forward section is pulled towards y itself.
    for i in range(3):
        o, a, p = fa[i + 1], fa[i], ba[3 - i - 1]
        e = 0.3 * (a - o) + 0.7 * (p - o)
        expected = 0.1 * np.outer(a, e * o * (1 - o))
        np.testing.assert_allclose(net.weights[0, 0, i] - before[0, 0, i], expected, atol=1e-15)
    assert np.array_equal(ba[0], y)


def test_a_section_under_a_local_rule_changes_only_with_what_it_touches():
    # Change the last forward section's weights: under Schmidhuber's rule the first
    # forward section's update must not move (it sees only its input, output, partner).
    rng = np.random.default_rng(2)
    weights = rng.uniform(-1, 1, (1, 2, 4, 2, 2))
    x, y = np.array([0.1, 0.5]), np.array([0.0, 0.0])
    changes = []
    for last in (0.3, -0.8):
        w = weights.copy()
        w[0, 0, -1] = last
        net = hc.HeatExchanger(w, rule="schmidhuber", step=0.1)
        net.learn(x, y)
        changes.append(net.weights[0, 0, 0] - w[0, 0, 0])
    np.testing.assert_array_equal(changes[0], changes[1])


def test_backprop_rule_follows_the_gradient():
    rng = np.random.default_rng(3)
    weights = rng.uniform(-1, 1, (1, 2, 3, 3, 2))      # with a bias row
    x, y = np.array([0.2, -0.6]), np.array([1.0, 1.0])
    net = hc.HeatExchanger(weights.copy(), rule="backprop", step=1e-3, bias=True)
    net.learn(x, y)

    def loss(w):
        out = hc.flow(w[0, 0], x[None])[-1, 0, :2]
        return 0.5 * np.sum((y - out) ** 2)

    grad = np.zeros_like(weights[0, 0, 1])
    for idx in np.ndindex(grad.shape):
        for sign in (1, -1):
            w = weights.copy()
            w[0, 0, 1][idx] += sign * 1e-6
            grad[idx] += sign * loss(w) / 2e-6
    np.testing.assert_allclose(net.weights[0, 0, 1] - weights[0, 0, 1], -1e-3 * grad, rtol=1e-5, atol=1e-12)


# --- Many networks at once (property tests) ---------------------------------

rules = st.sampled_from(["blog", "schmidhuber", "backprop"])


@settings(max_examples=12, deadline=None)
@given(rule=rules, seeds=st.lists(st.integers(0, 2**31), min_size=2, max_size=4, unique=True),
       depth=st.integers(1, 4), width=st.integers(2, 4), data_seed=st.integers(0, 1000))
def test_k_networks_at_once_equal_k_single_runs(rule, seeds, depth, width, data_seed):
    data = hc.circle_data(n_train=20, n_test=10, width=width, seed=data_seed)
    steps = np.linspace(0.001, 0.01, len(seeds))
    together = hc.train(hc.HeatExchanger.build(depth, width, seeds=seeds, rule=rule, step=steps),
                        data, epochs=2, progress=False)
    for k, seed in enumerate(seeds):
        alone = hc.train(hc.HeatExchanger.build(depth, width, seeds=[seed], rule=rule, step=steps[k]),
                         data, epochs=2, progress=False)
        np.testing.assert_array_equal(together.snapshots[:, k], alone.snapshots[:, 0])
        for name in hc.METRICS:
            np.testing.assert_array_equal(together.metrics[name][:, k], alone.metrics[name][:, 0])


@settings(max_examples=15, deadline=None)
@given(rule=rules, depth=st.integers(1, 6), width=st.integers(2, 5), k=st.integers(1, 3),
       bias=st.booleans(), epochs=st.integers(1, 3))
def test_shapes_and_the_first_snapshot_for_any_depth_and_width(rule, depth, width, k, bias, epochs):
    bias = bias and rule != "blog"
    data = hc.circle_data(n_train=8, n_test=4, width=width, seed=1)
    net = hc.HeatExchanger.build(depth, width, seeds=list(range(k)), rule=rule, bias=bias)
    initial = net.weights.copy()
    run = hc.train(net, data, epochs=epochs, progress=False)
    n_in = width + bias
    assert run.snapshots.shape == (epochs + 1, k, 2, depth, n_in, width)
    np.testing.assert_array_equal(run.snapshots[0], initial)
    np.testing.assert_array_equal(run.snapshots[-1], net.weights)
    assert run.metrics["mismatch"].shape == (epochs + 1, k, 2, depth)
    assert run.metrics["test_accuracy"].shape == (epochs + 1, k)
    assert net.predict(data.x_test).shape == (k, 4, width)
    assert hc.flow(net.weights, np.zeros((2, 5, width))).shape == (k, 2, depth + 1, 5, n_in)


@settings(max_examples=10, deadline=None)
@given(rule=rules, seed=st.integers(0, 10**6))
def test_a_step_of_zero_changes_nothing(rule, seed):
    data = hc.circle_data(n_train=10, n_test=5, seed=seed)
    net = hc.HeatExchanger.build(3, 2, seeds=seed, rule=rule, step=0.0)
    initial = net.weights.copy()
    run = hc.train(net, data, epochs=2, progress=False)
    assert np.array_equal(run.snapshots[-1], initial)


def test_training_is_reproducible_from_the_seeds():
    data = hc.circle_data(n_train=50, n_test=20, seed=2)
    a = hc.train(hc.HeatExchanger.build(3, 2, seeds=[1, 2]), data, epochs=3, progress=False)
    b = hc.train(hc.HeatExchanger.build(3, 2, seeds=[1, 2]), data, epochs=3, progress=False)
    c = hc.train(hc.HeatExchanger.build(3, 2, seeds=[1, 3]), data, epochs=3, progress=False)
    np.testing.assert_array_equal(a.snapshots, b.snapshots)
    assert not np.array_equal(a.snapshots[:, 1], c.snapshots[:, 1])


def test_metrics_measure_the_networks_on_the_data():
    data = hc.circle_data(n_train=60, n_test=40, seed=4)
    net = hc.HeatExchanger.build(2, 2, seeds=[0], rule="schmidhuber", step=0.1)
    run = hc.train(net, data, epochs=2, progress=False)
    labels = data.y_test[:, 0] > 0.5
    assert run.metrics["test_accuracy"][-1, 0] == np.mean(hc.predict_labels(net.predict(data.x_test)[0]) == labels)
    x_hat = net.reconstruct(data.y_train)[0]
    assert np.isclose(run.metrics["reconstruction_error"][-1, 0], np.mean((x_hat - data.x_train) ** 2))


# --- Runs on disk -------------------------------------------------------------

def test_a_run_saves_and_loads(tmp_path):
    data = hc.circle_data(n_train=30, n_test=10, seed=0)
    run = hc.train(hc.HeatExchanger.build(3, 2, seeds=[0, 1], rule="schmidhuber", step=0.05), data,
                   epochs=2, progress=False)
    run.save(tmp_path / "run.npz")
    back = hc.Run.load(tmp_path / "run.npz")
    assert back.config == run.config
    np.testing.assert_array_equal(back.snapshots, run.snapshots)
    for name in run.metrics:
        np.testing.assert_array_equal(back.metrics[name], run.metrics[name])
    net = back.network_at(1, network=1)
    np.testing.assert_array_equal(net.weights[0], run.snapshots[1, 1])
    assert net.rule == "schmidhuber" and net.step[0] == 0.05


def test_a_truncated_run_file_says_so(tmp_path):
    data = hc.circle_data(n_train=30, n_test=10, seed=0)
    hc.train(hc.HeatExchanger.build(2, 2), data, epochs=1, progress=False).save(tmp_path / "run.npz")
    raw = (tmp_path / "run.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(hc.RunFileError, match="truncated"):
        hc.Run.load(tmp_path / "cut.npz")


def test_a_foreign_file_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.arange(3))
    with pytest.raises(hc.RunFileError, match="not a heatex run"):
        hc.Run.load(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(hc.RunFileError):
        hc.Run.load(tmp_path / "text.npz")


# --- Data and baselines -------------------------------------------------------

def test_circle_data_is_the_blogs():
    data = hc.circle_data(n_train=400, n_test=100, width=3, seed=8)
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    assert x.shape == (500, 3) and np.all(x[:, 2] == 0) and np.all(np.abs(x[:, :2]) <= 1)
    inside = np.sqrt((x[:, :2] ** 2).sum(axis=1)) <= 0.8
    np.testing.assert_array_equal(y, np.repeat(inside[:, None], 3, axis=1).astype(float))
    again = hc.circle_data(n_train=400, n_test=100, width=3, seed=8)
    np.testing.assert_array_equal(again.x_train, data.x_train)


def test_xor_data_and_the_majority_baseline():
    data = hc.xor_data(n_train=1000, n_test=1000, seed=1)
    labels = data.y_test[:, 0] > 0.5
    np.testing.assert_array_equal(labels, data.x_test[:, 0] * data.x_test[:, 1] > 0)
    majority = (data.y_train[:, 0] > 0.5).mean() >= 0.5
    assert hc.majority_accuracy(data) == np.mean(labels == majority)
    assert 0.4 < hc.majority_accuracy(data) < 0.6


# --- Errors that say what was wrong -------------------------------------------

def test_the_blog_rule_stops_with_a_clear_error_when_a_column_sum_hits_zero():
    weights = np.random.default_rng(0).uniform(-1, 1, (1, 2, 3, 2, 2))
    weights[0, 1, 2, :, 0] = [0.5, -0.5]              # a column that sums to zero
    net = hc.HeatExchanger(weights, rule="blog")
    with pytest.raises(hc.DivergenceError, match=r"epoch 1: network 0 .*backward pipe, section 2, at sample 1 of the epoch.*column sums"):
        hc.train(net, hc.circle_data(n_train=10, n_test=5), epochs=3, progress=False)


def test_data_of_the_wrong_width_is_refused():
    net = hc.HeatExchanger.build(3, 3)
    with pytest.raises(ValueError, match="2 wide but the pipes are 3 wide"):
        hc.train(net, hc.circle_data(n_train=10, n_test=5, width=2), epochs=1, progress=False)


def test_nan_in_the_data_is_refused():
    x = np.zeros((4, 2))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"x_train has NaN or inf in rows \[2\]"):
        hc.Dataset(x, np.zeros((4, 2)), np.zeros((2, 2)), np.zeros((2, 2)))


def test_bad_shapes_and_types_are_refused():
    with pytest.raises(ValueError, match="same width"):      # x and y may differ (64 pixels, 10 digits); splits not
        hc.Dataset(np.zeros((4, 2)), np.zeros((4, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="4 samples but y_train has 3"):
        hc.Dataset(np.zeros((4, 2)), np.zeros((3, 2)), np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="must hold numbers"):
        hc.Dataset(np.array([["a", "b"]]), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="shape \\(networks, 2 pipes"):
        hc.HeatExchanger(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="unknown rule"):
        hc.HeatExchanger.build(2, 2, rule="magic")
    with pytest.raises(ValueError, match="same width"):
        hc.HeatExchanger.from_pipes(hc.Section(2) > hc.Section(3), hc.Section(2) < hc.Section(2))
    with pytest.raises(ValueError, match="no bias"):
        hc.HeatExchanger.build(2, 2, rule="blog", bias=True)
    with pytest.raises(ValueError, match="step must hold finite numbers"):
        hc.HeatExchanger.build(2, 2, step=np.nan)
    with pytest.raises(ValueError, match="one per network"):
        hc.HeatExchanger.build(2, 2, seeds=[1, 2], step=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="at least 1"):
        hc.Section(0)
    with pytest.raises(ValueError, match="takes 2 inputs"):
        net = hc.HeatExchanger.build(2, 2)
        net.pipes()[0](np.zeros(3))


def test_layer_spread_measures_how_much_each_layer_varies_over_the_points():
    data = hc.circle_data(n_train=200, n_test=10, seed=3)
    net = hc.HeatExchanger.build(10, 2, seeds=[0, 1])
    spread = hc.layer_spread(net.weights[:, 0], data.x_train)
    acts = hc.flow(net.weights[:, 0], data.x_train)
    assert spread.shape == (2, 11)
    np.testing.assert_allclose(spread[1, 4], acts[1, 4].std(axis=0).mean())
    assert np.all(spread[:, -1] < 1e-3 * spread[:, 0])    # the blog's shape: the output hardly varies
    wide = hc.HeatExchanger.build(2, 3, seeds=0, rule="schmidhuber", bias=True)
    with_bias = hc.layer_spread(wide.weights[:, 0], hc.circle_data(50, 5, width=3).x_train)
    assert with_bias.shape == (1, 3) and np.all(np.isfinite(with_bias))   # the bias's constant 1 is left out
