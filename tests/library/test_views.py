"""One network at a time, by name: Network, NetworkRun, touches and Grid are views of the same numbers."""
import numpy as np
import pytest

import heatex_core as hc
import heatex_lab as hl


@pytest.fixture(scope="module")
def data():
    return hc.circle_data(n_train=30, n_test=20, width=3, seed=5)


def test_a_network_is_a_view_of_the_exchanger():
    net = hc.HeatExchanger.build(3, 2, seeds=[7, 8, 9], step=[0.1, 0.2, 0.3])
    one = net.network(1)
    assert one.weights.shape == (2, 3, 2, 2) and np.shares_memory(one.weights, net.weights)
    np.testing.assert_array_equal(one.forward, net.weights[1, 0])
    np.testing.assert_array_equal(one.backward, net.weights[1, 1])
    assert (one.seed, one.step, one.rule, one.depth, one.width) == (8, 0.2, "blog", 3, 2)
    net.learn([0.3, 0.1], [1.0, 1.0])
    np.testing.assert_array_equal(one.weights, net.weights[1])        # learning shows in the view
    with pytest.raises(ValueError, match="from 0 to 2"):
        net.network(3)


@pytest.mark.parametrize("rule", sorted(hc.RULES))
def test_touches_and_change_are_what_learn_uses(rule, data):
    bias = rule != "blog"
    net = hc.HeatExchanger.build(3, 3, seeds=[1, 2], rule=rule, bias=bias, step=[0.05, 0.2], hidden_pull=0.5)
    x, y = data.x_train[0], data.y_train[0]
    acts = net.flow(x[None], y[None])
    partner = hc.partner_acts(acts, net.alignment, net.width)
    every = hc.touches(net.weights, acts, partner)
    for k in range(2):
        one = net.network(k)
        W, a, o, p = one.touches("backward", 1, x, y)
        np.testing.assert_array_equal(W, net.weights[k, 1, 1])
        np.testing.assert_array_equal(a, acts[k, 1, 1, 0])
        np.testing.assert_array_equal(o, acts[k, 1, 2, 0, :3])
        np.testing.assert_array_equal(p, partner[k, 1, 1, 0])
        for mine, theirs in zip(one.touches(0, 2, x, y), every):
            np.testing.assert_array_equal(mine, theirs[k, 0, 2])
    changes = [net.network(k).change(x, y) for k in range(2)]
    before = net.weights.copy()
    net.learn(x, y, jiggle=np.zeros((2, 3, 3)))      # a change is the change without a jiggle
    for k in range(2):
        np.testing.assert_array_equal(before[k] + changes[k], net.weights[k])


def test_a_networks_flow_predict_and_pipes(data):
    net = hc.HeatExchanger.build(2, 3, seeds=[0, 1], rule="schmidhuber", bias=True)
    one = net.network(1)
    forward, backward = one.flow(data.x_train[0], data.y_train[0])
    assert forward.shape == backward.shape == (3, 4)
    np.testing.assert_array_equal(forward, net.flow(data.x_train[:1], data.y_train[:1])[1, 0, :, 0])
    forward, backward = one.flow(data.x_train, data.y_train)
    assert forward.shape == (3, 30, 4)
    np.testing.assert_array_equal(one.predict(data.x_test), net.predict(data.x_test)[1])
    np.testing.assert_array_equal(one.reconstruct(data.y_test), net.reconstruct(data.y_test)[1])
    F, B = one.pipes()
    assert F[0].weight is not None and np.shares_memory(F[0].weight, net.weights[1])
    with pytest.raises(ValueError, match='"forward" or "backward"'):
        one.touches("sideways", 0, data.x_train[0], data.y_train[0])
    with pytest.raises(ValueError, match="section index from 0 to 1"):
        one.touches("forward", 2, data.x_train[0], data.y_train[0])
    with pytest.raises(ValueError, match=r"one sample of shape \(3,\)"):
        one.change(data.x_train[:2], data.y_train[:2])


def test_a_network_run_is_one_networks_history(data):
    net = hc.HeatExchanger.build(2, 3, seeds=[3, 4, 5], rule="end_exchange", bias=True, step=[0.1, 0.2, 0.3])
    run = hc.train(net, data, epochs=2, progress=False)
    history = run.network(2)
    np.testing.assert_array_equal(history.snapshots, run.snapshots[:, 2])
    np.testing.assert_array_equal(history.forward, run.snapshots[:, 2, 0])
    np.testing.assert_array_equal(history.backward, run.snapshots[:, 2, 1])
    assert history.metrics["mismatch"].shape == (3, 2, 2)
    np.testing.assert_array_equal(history.metrics["test_accuracy"], run.metrics["test_accuracy"][:, 2])
    assert history.config["seed"] == 5 and history.config["step"] == 0.3 and "seeds" not in history.config
    np.testing.assert_array_equal(history.at(1).weights, run.snapshots[1, 2])
    assert history.at(1).step == 0.3
    assert [h.config["seed"] for h in run.networks()] == [3, 4, 5]
    np.testing.assert_array_equal(run.forward, run.snapshots[:, :, 0])


def test_a_grid_lays_settings_times_seeds_on_the_networks_axis(data):
    grid = hl.Grid(seeds=[10, 11], step=[0.1, 1.0], pull_previous=[0.0, 0.5, 1.0])
    assert grid.n_networks == 12 and grid.shape == (2, 3, 2)
    per = grid.per_network()
    assert per["seeds"].tolist() == [10, 11] * 6
    assert per["step"].tolist() == [0.1] * 6 + [1.0] * 6
    assert per["pull_previous"].tolist() == [0.0, 0.0, 0.5, 0.5, 1.0, 1.0] * 2
    assert grid.settings_of(7) == {"seed": 11, "step": 1.0, "pull_previous": 0.0}
    net = grid.build(2, 3, rule="schmidhuber", bias=True)
    run = hc.train(net, data, epochs=1, progress=False)
    accuracy = grid.metric(run, "test_accuracy")
    assert accuracy.shape == (2, 2, 3, 2)
    assert accuracy[-1, 1, 0, 1] == run.metrics["test_accuracy"][-1, 7]
    alone = hc.train(hc.HeatExchanger.build(2, 3, seeds=[11], rule="schmidhuber", bias=True, step=1.0,
                                            pull_previous=0.0), data, epochs=1, progress=False)
    np.testing.assert_array_equal(alone.snapshots[:, 0], run.snapshots[:, 7])
    with pytest.raises(ValueError, match="vary in this grid"):
        grid.build(2, 3, step=0.5)
    with pytest.raises(ValueError, match="this grid has 12 networks"):
        grid.split(np.zeros(5))


def test_a_per_network_initial_scale_draws_each_network_at_its_own_scale():
    grid = hl.Grid(seeds=[0, 1], init_scale=[1.0, 5.0])
    net = grid.build(2, 4, rule="end_exchange", bias=True)
    for k in range(4):
        scale = grid.settings_of(k)["init_scale"]
        alone = hc.HeatExchanger.build(2, 4, seeds=grid.settings_of(k)["seed"], rule="end_exchange", bias=True,
                                       init_scale=scale)
        np.testing.assert_array_equal(net.weights[k], alone.weights[0])
        assert np.abs(net.weights[k]).max() <= scale
    assert net.config()["init_scale"] == [1.0, 1.0, 5.0, 5.0]


def test_a_grid_of_chosen_combinations_for_ablations(data):
    variants = {"all": dict(difference=1.0, hidden_pull=1.0), "no difference": dict(difference=0.0, hidden_pull=1.0),
                "frozen": dict(difference=1.0, hidden_pull=0.0)}
    grid = hl.Grid(seeds=[3, 4], combos=variants)
    assert grid.shape == (3, 2) and grid.n_networks == 6
    assert grid.per_network()["difference"].tolist() == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert grid.settings_of(5) == {"seed": 4, "difference": 1.0, "hidden_pull": 0.0}
    run = hc.train(grid.build(2, 3, rule="difference_exchange"), data, epochs=1, progress=False)
    assert grid.metric(run, "test_accuracy").shape == (2, 3, 2)
    with pytest.raises(ValueError, match="same settings"):
        hl.Grid([0], combos=[dict(step=0.1), dict(hidden_pull=1.0)])
    with pytest.raises(ValueError, match="not both"):
        hl.Grid([0], combos=[dict(step=0.1)], step=[0.2])


def test_layer_of_is_a_layer_of_the_flow_without_the_bias(data):
    net = hc.HeatExchanger.build(3, 3, seeds=[0, 1], rule="schmidhuber", bias=True)
    acts = hc.flow(net.weights[:, 0], data.x_train)
    for layer in range(4):
        np.testing.assert_array_equal(hc.layer_of(net.weights[:, 0], data.x_train, layer), acts[..., layer, :, :3])
    with pytest.raises(ValueError, match="from 0 .* to 3"):
        hc.layer_of(net.weights[:, 0], data.x_train, 4)
