"""Issue 20, item 7b: train interrupted at random steps keeps every finished epoch, exactly.

A rule that raises KeyboardInterrupt (what Jupyter's stop button raises) at a step hypothesis picks,
and SIGINT sent to a training process at a random moment: either way the exception carries the run of
the finished epochs, the exchanger is at the end of the last of them (never part-way through one),
and training on from there ends exactly where a run never stopped ends.
"""
import json
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import heatex_core as hc
import heatex_lab as hl

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = hc.circle_data(12, 6, seed=4)


def stopping(fail_at):
    calls = {"n": 0}

    def rule(weights, acts, partner, settings):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise KeyboardInterrupt
        return hc.end_exchange_rule(weights, acts, partner, settings)
    return rule


@settings(max_examples=40, deadline=None)
@given(fail_at=st.integers(1, 12 * 7), every=st.integers(1, 4), k=st.integers(1, 3),
       rule=st.sampled_from(["end_exchange", "difference_exchange"]))
def test_a_stop_at_any_step_keeps_every_finished_epoch_exactly(fail_at, every, k, rule):
    base = hc.RULES[rule]
    calls = {"n": 0}

    def stopping_rule(weights, acts, partner, settings):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise KeyboardInterrupt
        return base(weights, acts, partner, settings)
    name = hl.register_rule(stopping_rule, name=f"stopping_{rule}")
    # every setting given, so the rule of one's own (whose defaults are SETTING_DEFAULTS) trains alike
    extra = {name: value for name, value in hc.RULE_DEFAULTS[rule].items() if name != "alignment"} | dict(bias=True)
    build = lambda r: hc.HeatExchanger.build(2, 2, seeds=list(range(k)), rule=r, **extra)  # noqa: E731
    whole = hc.train(build(rule), DATA, 7, progress=False)
    net = build(name)
    with pytest.raises(KeyboardInterrupt) as stop:
        hc.train(net, DATA, 7, progress=False, snapshot_every=every)
    run = stop.value.run
    finished = (fail_at - 1) // 12                       # 12 samples an epoch
    assert run.epochs == finished == run.config["epochs"]
    assert run.snapshot_epochs[-1] == finished and run.snapshot_epochs[0] == 0
    np.testing.assert_array_equal(run.snapshots, whole.snapshots[run.snapshot_epochs])
    for metric, values in run.metrics.items():
        np.testing.assert_array_equal(values, whole.metrics[metric][run.snapshot_epochs])
    np.testing.assert_array_equal(net.weights, run.snapshots[-1])
    calls["n"] = -10**9                                  # no more stops: train on from where it stopped
    rest = hc.train(net, DATA, 7 - finished, progress=False)
    np.testing.assert_array_equal(rest.snapshots[-1], whole.snapshots[-1])
    assert any(".run" in note for note in getattr(stop.value, "__notes__", []))


CHILD = textwrap.dedent("""
    import json, sys, signal
    sys.path.insert(0, {root!r})
    import numpy as np
    import heatex_core as hc
    data = hc.circle_data(200, 50, width=8, seed=1)
    net = hc.HeatExchanger.build(3, 8, seeds=[0, 1, 2, 3], rule="schmidhuber", step=0.1, bias=True)
    print("ready", flush=True)
    try:
        hc.train(net, data, 100000, progress=False, snapshot_every=int(sys.argv[2]))
        print(json.dumps({{"stopped": False}}))
    except KeyboardInterrupt as stop:
        stop.run.save(sys.argv[1])
        np.save(sys.argv[1] + ".weights.npy", net.weights)
        print(json.dumps({{"stopped": True, "epochs": stop.run.epochs}}))
""")


@pytest.mark.parametrize("wait, every", [(0.5, 1), (1.3, 3), (2.2, 1), (0.9, 7)])
def test_sigint_mid_training_keeps_the_finished_epochs(wait, every, tmp_path):
    path = tmp_path / "stopped.npz"
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(path), str(every)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(wait)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    reply = json.loads(out.strip().splitlines()[-1])
    assert reply["stopped"], err
    run = hc.Run.load(path)
    weights = np.load(str(path) + ".weights.npy")
    assert run.epochs == reply["epochs"] == run.snapshot_epochs[-1]
    np.testing.assert_array_equal(weights, run.snapshots[-1])
    # the same networks trained for those epochs alone end at those weights: nothing part-way
    net = hc.HeatExchanger.build(3, 8, seeds=[0, 1, 2, 3], rule="schmidhuber", step=0.1, bias=True)
    if run.epochs:
        again = hc.train(net, hc.circle_data(200, 50, width=8, seed=1), run.epochs, progress=False)
        np.testing.assert_array_equal(again.snapshots[-1], weights)
