"""The difference exchange (rule='difference_exchange'): the core against a plain reference, K networks
against each alone, what each setting switches off, and that its study and benchmark still run."""
import copy
import importlib.util
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dtp_reference
import heatex_core as hc
import run as benchmarks

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULE = "difference_exchange"


# --- the core against the plain one-network reference (benchmarks/dtp_reference.py) --------------------------

def train_reference(net, data, epochs):
    """Each network of ``net`` (before training) trained by the reference, from copies of its generator."""
    references = [dtp_reference.Reference.of(net, k) for k in range(net.n_networks)]
    generators = [copy.deepcopy(rng) for rng in net.rngs]
    for _ in range(epochs):
        for reference, generator in zip(references, generators):
            reference.train_epoch(data.x_train, data.y_train, generator)
    return np.stack([reference.weights() for reference in references])


@pytest.mark.parametrize("noise", [[0.1, 0.3], [0.0, 0.0], [0.1, 0.0]], ids=["noise on", "noise off", "mixed"])
@pytest.mark.parametrize("depth, width, bias", [(2, 4, True), (3, 3, False)])
def test_the_reference_and_the_core_agree_after_a_few_epochs(noise, depth, width, bias):
    data = hc.circle_data(n_train=60, n_test=10, width=width, seed=2)
    net = hc.HeatExchanger.build(depth, width, seeds=[3, 4], rule=RULE, bias=bias, init_scale=[1.0, 1.5],
                                 step=[2.0, 0.5], pull_previous=[0.0, 0.3], pull_partner=[1.0, 0.7],
                                 hidden_pull=[1.0, 0.5], difference=[1.0, 0.5], inverse_step=[0.01, 0.1],
                                 inverse_noise=noise)
    start = net.weights.copy()
    expected = train_reference(net, data, epochs=3)
    hc.train(net, data, epochs=3, progress=False)
    assert np.max(np.abs(net.weights - expected)) <= 1e-9
    assert np.all(np.abs(net.weights - start).max(axis=(1, 2, 3, 4)) > 1e-3)      # and both networks learnt


def test_the_benchmark_compares_the_same_computation():
    # benchmarks/run.py's difference exchange figures: the reference ends within 1e-9 of the core,
    # and networks trained 3 at once end as they do alone.
    ours, reference, difference = benchmarks.ours_and_reference(RULE, 1)
    assert ours > 0 and reference > 0
    assert difference <= benchmarks.DIFFERENCE_EXCHANGE_TOLERANCE
    assert benchmarks.same_as_alone(RULE, 3, 1, [0, 2]) == 0.0


# --- K networks at once are K networks alone ----------------------------------------------------------------

SETTING_VALUES = dict(init_scale=[0.5, 1.0, 2.0], step=[0.3, 2.0], pull_previous=[0.0, 0.5], pull_partner=[0.5, 1.0],
                      hidden_pull=[0.0, 1.0], difference=[0.0, 0.5, 1.0], inverse_step=[0.0, 0.01, 0.1])


@st.composite
def exchangers(draw, noises):
    """(depth, width, bias, seeds, per-network settings) for a few networks; ``noises`` draws inverse_noise."""
    k = draw(st.integers(1, 4))
    per_network = {name: draw(st.lists(st.sampled_from(values), min_size=k, max_size=k))
                   for name, values in SETTING_VALUES.items()}
    per_network["inverse_noise"] = draw(noises(k))
    seeds = draw(st.lists(st.integers(0, 10**6), min_size=k, max_size=k))
    return draw(st.integers(1, 3)), draw(st.integers(2, 4)), draw(st.booleans()), seeds, per_network


def same_noise_for_all(k):
    """All networks with the jiggle (of various spreads), or none."""
    return st.one_of(st.just([0.0] * k), st.lists(st.sampled_from([0.1, 0.3]), min_size=k, max_size=k))


def mixed_noise(k):
    """inverse_noise 0 and 0.1 in one exchanger (at least one of each when k > 1)."""
    return st.permutations([0.0, 0.1] + [0.0] * (k - 2) if k > 1 else [0.0])


def train_together_and_alone(depth, width, bias, seeds, per_network):
    data = hc.circle_data(n_train=12, n_test=6, width=width, seed=seeds[0] % 97)
    together = hc.train(hc.HeatExchanger.build(depth, width, seeds=seeds, rule=RULE, bias=bias, **per_network),
                        data, epochs=2, progress=False)
    alone = [hc.train(hc.HeatExchanger.build(depth, width, seeds=seed, rule=RULE, bias=bias,
                                             **{name: values[k] for name, values in per_network.items()}),
                      data, epochs=2, progress=False)
             for k, seed in enumerate(seeds)]
    return together, alone


def assert_each_network_is_itself_alone(together, alone):
    """Every snapshot and metric of network k trained among the others equals it trained alone, exactly."""
    for k, run in enumerate(alone):
        np.testing.assert_array_equal(together.snapshots[:, k], run.snapshots[:, 0])
        for name in hc.METRICS:
            np.testing.assert_array_equal(together.metrics[name][:, k], run.metrics[name][:, 0])


@settings(max_examples=25, deadline=None)
@given(exchangers(same_noise_for_all))
def test_k_networks_at_once_are_each_network_alone(exchanger):
    assert_each_network_is_itself_alone(*train_together_and_alone(*exchanger))


@settings(max_examples=15, deadline=None)
@given(exchangers(mixed_noise))
def test_networks_with_and_without_the_jiggle_in_one_exchanger_are_each_exactly_alone(exchanger):
    assert_each_network_is_itself_alone(*train_together_and_alone(*exchanger))


def test_a_network_without_the_jiggle_beside_one_with_it_is_exactly_itself_alone():
    """The case that once drifted: numpy rounds row 0 of a 3-row product unlike a lone row, so the
    jiggle's rows must never share a product with the sample's row."""
    together, alone = train_together_and_alone(2, 4, True, [5, 6], {"inverse_noise": [0.1, 0.0]})
    np.testing.assert_array_equal(together.snapshots[:, 1], alone[1].snapshots[:, 0])


# --- what each setting switches off -------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), k=st.integers(2, 4), depth=st.integers(1, 4), width=st.integers(2, 5),
       m=st.integers(1, 6), bias=st.booleans(), scale=st.sampled_from([0.5, 2.0, 8.0]))
def test_difference_zero_carries_the_plain_flow_of_y_down_the_backward_pipe(seed, k, depth, width, m, bias, scale):
    difference = np.zeros(k)
    difference[0] = 1.0                 # one network with the correction, so the exchanger runs the target pass
    net = hc.HeatExchanger.build(depth, width, seeds=range(seed, seed + k), rule=RULE, bias=bias, init_scale=scale,
                                 difference=difference)
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, (m, width)), (rng.uniform(size=(m, 1)) > 0.5) * np.ones((m, width))
    carried = net.flow(x, y)[:, 1]
    plain = hc.flow(net.weights[:, 1], y)
    np.testing.assert_array_equal(carried[1:], plain[1:])
    assert not np.array_equal(carried[0, 1:], plain[0, 1:])                  # the corrected one differs
    for j in range(1, k):                                                      # ... and so does each network alone
        np.testing.assert_array_equal(net.network(j).flow(x, y)[1], plain[j])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), depth=st.integers(1, 4), width=st.integers(2, 4), bias=st.booleans(),
       noise=st.sampled_from([[0.0, 0.0, 0.0], [0.1, 0.1, 0.3], [0.1, 0.0, 0.1]]))
def test_inverse_step_zero_freezes_the_backward_pipe_and_hidden_pull_zero_the_hidden_sections(
        seed, depth, width, bias, noise):
    data = hc.circle_data(n_train=15, n_test=5, width=width, seed=seed % 89)
    net = hc.HeatExchanger.build(depth, width, seeds=range(seed, seed + 3), rule=RULE, bias=bias,
                                 inverse_step=[0.0, 0.05, 0.0], hidden_pull=[1.0, 0.0, 0.0], inverse_noise=noise)
    run = hc.train(net, data, epochs=2, progress=False)
    start = run.snapshots[0]
    for epoch_weights in run.snapshots:
        np.testing.assert_array_equal(epoch_weights[[0, 2], 1], start[[0, 2], 1])           # inverse_step 0
        np.testing.assert_array_equal(epoch_weights[[1, 2], 0, :-1], start[[1, 2], 0, :-1])  # hidden_pull 0
    last = run.snapshots[-1]
    assert not np.array_equal(last[1, 1], start[1, 1])            # the others learn
    assert not np.array_equal(last[[1, 2], 0, -1], start[[1, 2], 0, -1])
    if depth > 1:
        assert not np.array_equal(last[0, 0, :-1], start[0, 0, :-1])


# --- the study still runs -------------------------------------------------------------------------------------

def test_the_study_runs_in_quick_mode(capsys):
    spec = importlib.util.spec_from_file_location("difference_exchange_study",
                                                  ROOT / "studies" / "difference_exchange.py")
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    study.main(["--quick"])
    out = capsys.readouterr().out
    for heading in ("#### a. The validation search", "#### b. The held-out test", "#### c. Ablations",
                    "#### d. How far the hidden forward weights moved", "#### e. What a straight line reads",
                    "#### f. cos(", "#### g. Where it fails", "wall time"):
        assert heading in out
    assert "nan" not in out.lower()
