"""A third battery: what tests/battery.py and tests/battery_second.py do not touch.

Written as a hostile user would, against the parts added since: sections of different widths and their
padding, one-hot Datasets and the digits, data sets by name, run files of different widths, the lab's
``train_or_load``, ``final_test``, ``carry_targets`` and ``register_rule(targets=...)``, the predictions
(``predict``, ``reveal``, ``check``, ``Number``, ``Choice``), the digits' pictures, interrupts from a
rule or a targets function, read-only folders, special files and weird paths.

Groups: ``widths``, ``onehot`` (Datasets, digits, data sets by name), ``runfiles``, ``lab``,
``predictions``, ``viz``, ``stop`` and ``folders``. Each case says what a good outcome is -- a clear error
whose message names the problem (``names``), or a right answer its ``check`` confirms -- and is classified
as tests/battery_second.py classifies (clear error, right answer, unclear error, silent or wrong answer,
NaN, lost or half-written file, hangs). ``python tests/battery_third.py -v`` prints the table.
"""
from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import battery  # noqa: E402  (the classifier, the fixtures, and CODE on sys.path)
import battery_second  # noqa: E402  (the classifier with a time limit, and the check of a stopped train)
from battery import (ANSWER, CLEAR, LOST, SILENT, Case, Result, call, tmpdir)  # noqa: E402
from battery_second import BAD, OUTCOMES, Stopped, kept_run  # noqa: E402

import heatex_core as hc  # noqa: E402
import heatex_lab as hl  # noqa: E402
import heatex_viz as hv  # noqa: E402

WIDTHS = (64, 16, 10)


def digits():
    if "digits" not in battery._RUN:
        battery._RUN["digits"] = hc.digits_data(40, 20, seed=0)
    return battery._RUN["digits"]


def wide_net(seeds=(0, 1), rule="backprop", **settings):
    return hc.HeatExchanger.build(widths=WIDTHS, rule=rule, seeds=list(seeds), **settings)


def wide_run():
    """A 64-16-10 exchanger of two networks trained 3 epochs on the digits (kept for the battery's run)."""
    if "wide run" not in battery._RUN:
        net = wide_net()
        battery._RUN["wide run"] = (hc.train(net, digits(), 3, progress=False), net)
    return battery._RUN["wide run"]


def ok(condition, detail):
    """A check's verdict: None when ``condition`` holds, else a silent or wrong answer with ``detail``."""
    return None if condition else (SILENT, detail)


# --- widths: sections of different widths, padding masks ---------------------------------------------

def widths_cases():
    B = hc.HeatExchanger.build
    cases = [
        Case("build(widths=(64, 16, 10), rule='blog'): the blog's pull needs one width", call(B, widths=WIDTHS, rule="blog"),
             names=("rule",)),
        Case("build(widths=(64,)): one layer is no pipe", call(B, widths=(64,)), names=("widths",)),
        Case("build(widths=(64, 0, 10))", call(B, widths=(64, 0, 10), rule="backprop"), names=("widths",)),
        Case("build(widths=(64, 16.5, 10))", call(B, widths=(64, 16.5, 10), rule="backprop"), names=("widths",)),
        Case("build(widths='64-16-10')", call(B, widths="64-16-10", rule="backprop"), names=("widths",)),
        Case("build(widths=(True, 16, 10)): True is no width", call(B, widths=(True, 16, 10), rule="backprop"),
             names=("widths",)),
        Case("build(depth=2, widths=(64, 16, 10)): both given", call(B, depth=2, widths=WIDTHS, rule="backprop"),
             names=("depth", "widths")),
        Case("build(widths=(10**6, 10**6, 10)): weights of terabytes", call(B, widths=(10**6, 10**6, 10), rule="backprop"),
             names=("width",)),
        Case("build(widths=(64, 16, 10), rule='schmidhuber'): its pull_previous needs one width",
             call(B, widths=WIDTHS, rule="schmidhuber"), names=("pull_previous",)),
        Case("Section(16, input_width=0)", call(hc.Section, 16, input_width=0), names=("input_width",)),
        Case("Section(16, input_width='64')", call(hc.Section, 16, input_width="64"), names=("input_width",)),
        Case("Section(16, input_width=64) > Section(10, input_width=32): the link disagrees",
             lambda: hc.Section(16, input_width=64) > hc.Section(10, input_width=32), names=("input_width",)),
        Case("from_pipes: a backward pipe 12-16-64 for a forward 64-16-10",
             lambda: hc.HeatExchanger.from_pipes(hc.Section(16, input_width=64) > hc.Section(10),
                                                 hc.Section(64) < hc.Section(16, input_width=12), rule="backprop"),
             names=("backward",)),
        Case("from_pipes of 64-16-10 built by hand has widths (64, 16, 10)",
             lambda: hc.HeatExchanger.from_pipes(hc.Section(16, input_width=64) > hc.Section(10),
                                                 hc.Section(64) < hc.Section(16, input_width=10), rule="backprop"),
             expect="answer", check=lambda net: ok(tuple(net.widths) == WIDTHS, f"widths {net.widths}")),
        Case("64-16-10 predict on points 2 wide", lambda: wide_net().predict(np.zeros((3, 2))), names=("x",)),
        Case("64-16-10 learn with y 2 wide", lambda: wide_net().learn(np.zeros(64), np.zeros(2)), names=("y",)),
        Case("64-16-10 trained on the circle (x 2 wide)",
             lambda: hc.train(wide_net(), hc.circle_data(20, 10), 1, progress=False), names=("widths",)),
        Case("64-16-10 predict answers 10 per sample", lambda: wide_net().predict(digits().x_test),
             expect="answer", check=lambda y: ok(y.shape == (2, 20, 10) and np.all((y > 0) & (y < 1)), f"{y.shape}")),
        Case("flow(64-16-10 weights, x, mask of the wrong shape)",
             lambda: hc.flow(wide_net().weights, digits().x_test, mask=np.ones((2, 5))), names=("mask",)),
        Case("flow(64-16-10 weights, x, mask of NaN)",
             lambda: hc.flow(wide_net().weights, digits().x_test, mask=np.full((2, 3, 64), np.nan)), names=("mask",)),
        Case("flow(64-16-10 weights, x, mask of 0.5s)",
             lambda: hc.flow(wide_net().weights, digits().x_test, mask=np.full((3, 64), 0.5)), names=("mask",)),
    ]

    def masked_flow():
        net = wide_net(rule="end_exchange", bias=False)
        return net, hc.flow(net.weights[:, 0], digits().x_test, mask=net.mask[0])    # the forward pipe's mask

    def padding_is_zero(result):
        net, layers = result            # (networks, layers, samples, width)
        pad = np.broadcast_to((net.mask[0] == 0)[None, :, None, :], layers.shape)
        return ok(layers.shape == (2, 3, 20, 64) and not np.any(layers[pad]),
                  "a padded unit carries a nonzero activation")
    cases.append(Case("flow with the exchanger's own mask: every padded unit is 0", masked_flow, expect="answer",
                      check=padding_is_zero))
    cases += [
        Case("Network.section('forward', 2) of a 2-section pipe", lambda: wide_net().network(0).section("forward", 2),
             names=("i",)),
        Case("Network.section('forward', None)", lambda: wide_net().network(0).section("forward", None), names=("i",)),
        Case("Network.section('forward', 1.0)", lambda: wide_net().network(0).section("forward", 1.0), names=("i",)),
        Case("Network.section('forward', 1) of 64-16-10 with a bias is (17, 10)",
             lambda: wide_net().network(0).section("forward", 1), expect="answer",
             check=lambda w: ok(w.shape == (17, 10), f"shape {w.shape}")),
        Case("Network.touches('backward', 0) of 64-16-10: W is 10+1 by 16",
             lambda: wide_net().network(1).touches("backward", 0, digits().x_train[0], digits().y_train[0]),
             expect="answer", check=lambda t: ok(t.W.shape == (11, 16) and t.o.shape == (16,), f"W {t.W.shape}")),
        Case("rule_defaults('nope', (2, 4, 4))", call(hc.rule_defaults, "nope", (2, 4, 4)), names=("rule",)),
        Case("rule_defaults('backprop', None)", call(hc.rule_defaults, "backprop", None), names=("widths",)),
        Case("rule_defaults('difference_exchange', (4, 4, 4)): 1 and 2 at 2x4",
             call(hc.rule_defaults, "difference_exchange", (4, 4, 4)), expect="answer",
             check=lambda d: ok((d["init_scale"], d["step"]) == (1.0, 2.0), f"{d['init_scale']}, {d['step']}")),
    ]
    for case in cases:
        case.group = "widths"
    return cases


# --- onehot: Datasets of one-hot targets, the digits, data sets by name -------------------------------

def _mutated(change):
    def go():
        data = hc.digits_data(40, 20)
        change(data)
        return data.labels("train")
    return go


def _majority_right(accuracy):
    counts = np.bincount(digits().labels("train"), minlength=10)
    common = np.flatnonzero(counts == counts.max())[-1]         # a tie: the larger digit
    return ok(accuracy == np.mean(digits().labels("test") == common), f"{accuracy}")


def onehot_cases():
    D = hc.Dataset
    x3, x1 = np.zeros((3, 2)), np.zeros((1, 2))
    cases = [
        Case("Dataset one-hot with two 1s in a row", call(D, x3, np.array([[1, 1, 0], [0, 0, 1], [0, 1, 0]]), x1,
                                                           np.eye(3)[:1]), names=("y_train",)),
        Case("Dataset y_train one-hot, y_test repeated labels", call(D, x3, np.eye(3), x1, np.ones((1, 3))),
             names=("y_train", "y_test")),
        Case("Dataset one-hot of 3 classes for training, 4 for testing", call(D, x3, np.eye(3), x1, np.eye(4)[:1]),
             names=("y_train", "y_test")),
        Case("Dataset one-hot labels are the columns of the 1s", lambda: D(x3, np.eye(3)[[2, 0, 1]], x1, np.eye(3)[:1]).labels(),
             expect="answer", check=lambda y: ok(y.tolist() == [2, 0, 1], f"{y}")),
        Case("digits labels('validation')", lambda: digits().labels("validation"), names=("split",)),
        Case("digits labels(np.array(['train']))", lambda: digits().labels(np.array(["train"])), names=("split",)),
        Case("digits labels after y_train cut to 5 columns", _mutated(lambda d: setattr(d, "y_train", d.y_train[:, :5])),
             names=("y_train",)),
        Case("digits labels after y_train set to NaN", _mutated(lambda d: d.y_train.fill(np.nan)), names=("y_train",)),
        Case("digits labels after a row of y_train zeroed", _mutated(lambda d: d.y_train[3].fill(0)), names=("y_train",)),
        Case("majority_accuracy of the digits: the test share of the most common training digit",
             lambda: hc.majority_accuracy(digits()), expect="answer", check=_majority_right),
        Case("digits_data(n_train=1797): with the 500 test images past the 1797", call(hc.digits_data, n_train=1797),
             names=("n_train", "n_test")),
        Case("digits_data(width=32)", call(hc.digits_data, width=32), names=("width",)),
        Case("digits_data(width=np.arange(3))", call(hc.digits_data, width=np.arange(3)), names=("width",)),
        Case("digits_data(n_train=True)", call(hc.digits_data, n_train=True), names=("n_train",)),
        Case("digits_data(seed=-1)", call(hc.digits_data, seed=-1), names=("seed",)),
        Case("digits_data(20, 10): every digit twice among the first 20", call(hc.digits_data, 20, 10), expect="answer",
             check=lambda d: ok(np.bincount(d.labels(), minlength=10).tolist() == [2] * 10, f"{np.bincount(d.labels())}")),
        Case("digits_data: pixels in [0, 1], one-hot targets", call(hc.digits_data, 100, 50), expect="answer",
             check=lambda d: ok(d.one_hot and d.x_train.min() >= 0 and d.x_train.max() <= 1
                                and np.all(d.y_train.sum(axis=1) == 1), "pixels or targets out of form")),
        Case("digits_data: the same seed the same split, train and test apart", lambda: (hc.digits_data(seed=3),
                                                                                        hc.digits_data(seed=3)),
             expect="answer", check=lambda r: ok(np.array_equal(r[0].x_train, r[1].x_train) and not (
                 {row.tobytes() for row in r[0].x_train} & {row.tobytes() for row in r[0].x_test}), "not reproducible")),
        Case("data_set('Circle'): names are lower case", call(hc.data_set, "Circle"), names=("name",)),
        Case("data_set(None)", call(hc.data_set, None), names=("name",)),
        Case("data_set('digits', width=2)", call(hc.data_set, "digits", width=2), names=("width",)),
        Case("data_set('xor', width=1)", call(hc.data_set, "xor", width=1), names=("width",)),
        Case("data_set('spirals', n_train=0)", call(hc.data_set, "spirals", n_train=0), names=("n_train",)),
        Case("data_set('moons', width=16): the point in the first two units", call(hc.data_set, "moons", width=16),
             expect="answer", check=lambda d: ok(d.name == "moons" and d.width == 16 and not np.any(d.x_train[:, 2:]),
                                                 f"{d.name} {d.width}")),
        Case("every name in DATA_SETS gives its Dataset", lambda: {n: hc.data_set(n, n_train=30, n_test=10)
                                                                  for n in hc.DATA_SETS},
             expect="answer", check=lambda sets: ok(all(d.name == n and len(d.x_train) == 30 for n, d in sets.items()),
                                                    str({n: d.name for n, d in sets.items()}))),
    ]
    for case in cases:
        case.group = "onehot"
    return cases


# --- runfiles: runs of different widths, saved, loaded, sliced -----------------------------------------

def runfile_cases():
    def roundtrip():
        run, _ = wide_run()
        return run, hc.Run.load(run.save(tmpdir() / "wide.npz"))

    def same_run(result):
        run, back = result
        return ok(back.config["widths"] == list(WIDTHS) and np.array_equal(back.snapshots, run.snapshots)
                  and back.network_at(-1).widths == WIDTHS, "the widths or the snapshots did not come back")

    def tampered(widths):
        def go():
            run, _ = wide_run()
            return hc.Run(dict(run.config, widths=widths), run.snapshots, run.metrics, run.snapshot_epochs)
        return go

    def tampered_save(widths):
        def go():
            run, _ = wide_run()
            back = hc.Run.load(run.save(tmpdir() / "t.npz"))
            back.config["widths"] = widths
            return back.save(tmpdir() / "t2.npz")
        return go

    cases = [
        Case("a 64-16-10 run saved and loaded keeps its widths and snapshots", roundtrip, expect="answer", check=same_run),
        Case("run[::2] of a 64-16-10 run saved and loaded", lambda: hc.Run.load(wide_run()[0][::2].save(tmpdir() / "s.npz")),
             expect="answer", check=lambda r: ok(r.snapshot_epochs.tolist() == [0, 2] and r.epochs == 2,
                                                 f"{r.snapshot_epochs}")),
        Case("run[1:] drops the initial weights", lambda: wide_run()[0][1:], names=("index",)),
        Case("run[::-1] reverses the epochs", lambda: wide_run()[0][::-1], names=("index",)),
        Case("network_at(-1) of the loaded run predicts as the trained exchanger",
             lambda: (hc.Run.load(wide_run()[0].save(tmpdir() / "p.npz")).network_at(-1), wide_run()[1]),
             expect="answer", check=lambda r: ok(np.allclose(r[0].predict(digits().x_test), r[1].predict(digits().x_test)),
                                                 "another answer")),
        Case("network_at(4) of a 3-epoch run", lambda: wide_run()[0].network_at(4), names=("epoch",)),
        Case("network_at(1) of run[::2], which has no epoch 1", lambda: wide_run()[0][::2].network_at(1), names=("epoch",)),
        Case("network_at(1, network=2) of 2 networks", lambda: wide_run()[0].network_at(1, network=2), names=("network",)),
        Case("run.network(1).at(2).section('forward', 1) is (17, 10)",
             lambda: wide_run()[0].network(1).at(2).section("forward", 1), expect="answer",
             check=lambda w: ok(w.shape == (17, 10), f"{w.shape}")),
        Case("run.network(1).config keeps the one list of widths", lambda: wide_run()[0].network(1).config,
             expect="answer", check=lambda c: ok(c["widths"] == list(WIDTHS) and c["seed"] == 1, str(c.get("widths")))),
        Case("Run(config widths [64, 8, 10]) for 64-16-10 snapshots", tampered([64, 8, 10]), names=("widths",)),
        Case("Run(config widths [64, 10]) for 64-16-10 snapshots", tampered([64, 10]), names=("widths",)),
        Case("a loaded run's config widths set to [64, 4, 10], then saved", tampered_save([64, 4, 10]), names=("widths",)),
        Case("a loaded run's config widths set to '64-16-10', then saved", tampered_save("64-16-10"), names=("widths",)),
    ]
    for case in cases:
        case.group = "runfiles"
    return cases


# --- lab: train_or_load, carry_targets, register_rule(targets=...) ------------------------------------

def plain_targets(W, t, h_in, h_out):
    return hc.sigmoid(t @ W)


def targets_inputs():
    rng = np.random.default_rng(0)
    weights = rng.uniform(-1, 1, (2, 2, 2, 4, 3))
    acts = rng.uniform(0, 1, (2, 2, 3, 1, 4))
    acts[..., 3:] = 1.0
    return weights, acts


def lab_cases():
    circle4 = lambda: hc.circle_data(20, 10, width=4)  # noqa: E731

    def saved_small():
        if "small saved" not in battery._RUN:
            net = hc.HeatExchanger.build(2, 2, seeds=[0, 1], step=0.01)
            run = hc.train(net, battery.small_data(), 2, progress=False)
            battery._RUN["small saved"] = (run, run.save(tmpdir() / "small.npz"))
        return battery._RUN["small saved"]

    small_net = lambda: hc.HeatExchanger.build(2, 2, seeds=[0, 1], step=0.01)  # noqa: E731

    def tol(**changes):
        def go():
            kwargs = dict(net=small_net(), data=battery.small_data(), epochs=2, saved=saved_small()[1], progress=False)
            kwargs.update(changes)
            return hl.train_or_load(**kwargs)
        return go

    def carried():
        weights, acts = targets_inputs()
        before = acts.copy()
        hl.carry_targets(plain_targets, weights, acts)
        return weights, before, acts

    def carried_right(result):
        weights, before, acts = result
        first = hc.sigmoid(before[:, 1, 0] @ weights[:, 1, 0])[..., :3]
        return ok(np.allclose(acts[:, 1, 1, :, :3], first) and np.array_equal(acts[:, 0], before[:, 0]),
                  "the backward layer is not the plain flow, or the forward layers moved")

    def trained_with_targets(targets, name, kept=True):
        """Training with ``targets``; ``kept``: the refusal comes after finished epochs, which it must keep."""
        def go():
            hl.register_rule(hc.difference_exchange_rule, name=name, targets=targets)
            net = hc.HeatExchanger.build(2, 4, rule=name, seeds=[0], bias=True, pull_previous=0.0)
            try:
                return hc.train(net, circle4(), 2, progress=False)
            except ValueError as error:
                if kept and not isinstance(getattr(error, "run", None), hc.Run):
                    raise RuntimeError(f"{error} -- and no run was kept") from None
                raise
        return go

    def nan_late():
        calls = {"n": 0}

        def targets(W, t, h_in, h_out):
            calls["n"] += 1
            return h_out * (np.nan if calls["n"] > 50 else 1.0)
        return targets

    cases = [
        Case("train_or_load(saved=None)", tol(saved=None), names=("saved",)),
        Case("train_or_load(saved=''): no file name", tol(saved=""), names=("saved",)),
        Case("train_or_load(saved=123)", tol(saved=123), names=("saved",)),
        Case("train_or_load(net=None)", tol(net=None), names=("net",)),
        Case("train_or_load(data=None)", tol(data=None), names=("data",)),
        Case("train_or_load(live='yes')", tol(live="yes"), names=("live",)),
        Case("train_or_load(epochs=10**30)", tol(epochs=10**30), names=("epochs",)),
        Case("train_or_load of another training (3 epochs, the run has 2)", tol(epochs=3), names=("epochs",)),
        Case("train_or_load on other data (the xor) than the run's", tol(data=hc.xor_data(20, 10)), names=("data",)),
        Case("train_or_load of a 64-16-10 net from a 2x2 run", tol(net=wide_net(), data=digits()), names=("widths",)),
        Case("train_or_load of this very training loads the saved run", tol(), expect="answer",
             check=lambda r: ok(np.array_equal(r.snapshots, saved_small()[0].snapshots), "not the saved run")),
        Case("carry_targets(None, weights, acts)", lambda: hl.carry_targets(None, *targets_inputs()), names=("targets",)),
        Case("carry_targets with a targets of the wrong signature (a Section)",
             lambda: hl.carry_targets(hc.Section(2), *targets_inputs()), names=("targets",)),
        Case("carry_targets with targets that return NaN",
             lambda: hl.carry_targets(lambda W, t, hi, ho: ho * np.nan, *targets_inputs()), names=("targets",)),
        Case("carry_targets with acts as a list (it rewrites acts in place)",
             lambda: hl.carry_targets(plain_targets, targets_inputs()[0], targets_inputs()[1].tolist()), names=("acts",)),
        Case("carry_targets with acts of another depth",
             lambda: hl.carry_targets(plain_targets, targets_inputs()[0], targets_inputs()[1][:, :, :2]), names=("acts",)),
        Case("carry_targets of the plain flow rewrites the backward layers only", carried, expect="answer",
             check=carried_right),
        Case("register_rule(targets=5)", lambda: hl.register_rule(hc.schmidhuber_rule, name="third_t5", targets=5),
             names=("targets",)),
        Case("register_rule(targets=..., alignment='blog')",
             lambda: hl.register_rule(hc.schmidhuber_rule, name="third_t6", alignment="blog", targets=plain_targets),
             names=("alignment",)),
        Case("training whose targets return NaN after 50 calls: refused, the finished epochs kept",
             trained_with_targets(nan_late(), "third_nan_targets"), names=("targets",)),
        Case("training whose targets return one column: refused", trained_with_targets(
            lambda W, t, hi, ho: ho[..., :1], "third_narrow_targets", kept=False), names=("targets",)),
        Case("training whose targets return complex numbers: refused", trained_with_targets(
            lambda W, t, hi, ho: ho + 0j, "third_complex_targets", kept=False), names=("targets",)),
    ]
    for case in cases:
        case.group = "lab"
    return cases


# --- predictions: predict, reveal, final_test, check, Number, Choice ---------------------------------

class Predictions:
    """HEATEX_PREDICTIONS pointed at a fresh file of the battery's temporary folder while a call runs."""

    def __init__(self, path=None):
        self.path = path

    def __enter__(self):
        self.before = os.environ.get("HEATEX_PREDICTIONS")
        self.path = self.path or tmpdir() / "my_predictions.json"
        os.environ["HEATEX_PREDICTIONS"] = str(self.path)
        return self.path

    def __exit__(self, *exc):
        if self.before is None:
            os.environ.pop("HEATEX_PREDICTIONS", None)
        else:
            os.environ["HEATEX_PREDICTIONS"] = self.before


def predicting(f):
    def go():
        with Predictions():
            hl.predict("q", lambda: 0.5, hl.Number(0, 1))
            return f()
    return go


def strict_json(path):
    """The predictions file read as strict JSON (NaN is not JSON): None if it is, else what is wrong."""
    try:
        json.loads(pathlib.Path(path).read_text(), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (OSError, ValueError) as error:
        return f"the predictions file is not plain JSON: {error}"
    return None


def prediction_cases():
    def measured_then_file(measured):
        def go():
            with Predictions() as path:
                hl.predict("q", lambda: 0.5, hl.Number(0, 1))
                try:
                    return hl.reveal("q", measured)
                finally:
                    problem = strict_json(path)
                    if problem:
                        raise RuntimeError(problem)      # an unclear error: the battery says why
        return go

    def first_final_counts():
        with Predictions():
            hl.predict("q", lambda: 0.5, hl.Number(0, 1))
            first = hl.final_test("q", 0.8)
            second = hl.final_test("q", 0.9)
            return first, second, hl.prediction_log()["q"]

    def huge_prediction():
        with Predictions() as path:
            value = hl.predict("q", lambda: 10**400, hl.Number())
            return value, hl.prediction_log(), path

    def crashing_prediction():
        import contextlib
        import io
        said = io.StringIO()
        with Predictions(), contextlib.redirect_stdout(said):
            value = hl.predict("q", lambda: 1 / 0, hl.Number(0, 1))
            return value, said.getvalue(), hl.prediction_log()

    cases = [
        Case("predict(name=3)", predicting(lambda: hl.predict(3, lambda: 0.5, hl.Number(0, 1))), names=("name",)),
        Case("predict(prediction=0.5): the value, not a function", predicting(
            lambda: hl.predict("q2", 0.5, hl.Number(0, 1))), names=("prediction",)),
        Case("predict(form=None)", predicting(lambda: hl.predict("q2", lambda: 0.5, None)), names=("form",)),
        Case("predict(form={'a': 5})", predicting(lambda: hl.predict("q2", lambda: {"a": 0.5}, {"a": 5})),
             names=("form",)),
        Case("Number(1, 0): no number fits", call(hl.Number, 1, 0), names=("low", "high")),
        Case("Number(low=nan)", call(hl.Number, math.nan), names=("low",)),
        Case("Number(low='a')", call(hl.Number, "a"), names=("low",)),
        Case("Choice(): nothing to choose", call(hl.Choice), names=("option",)),
        Case("Choice(object())", lambda: hl.Choice(object()), names=("option",)),
        Case("reveal('q', nan): no NaN in the predictions file", measured_then_file(math.nan), names=("measured",)),
        Case("reveal('q', inf)", measured_then_file(math.inf), names=("measured",)),
        Case("reveal('q', object())", measured_then_file(object()), names=("measured",)),
        Case("reveal('q', np.array([0.1, 0.2]))", measured_then_file(np.array([0.1, 0.2])), names=("measured",)),
        Case("final_test('q', nan)", predicting(lambda: hl.final_test("q", math.nan)), names=("measured",)),
        Case("final_test(None, 0.5)", predicting(lambda: hl.final_test(None, 0.5)), names=("name",)),
        Case("final_test twice: the first result counts, the second is kept beside it", first_final_counts,
             expect="answer", check=lambda r: ok(r[0] == 0.8 and r[1] == 0.8 and r[2].get("later_tests") == [0.9],
                                                 str(r))),
        Case("predict(lambda: 10**400, Number()): refused as not in form, nothing kept", huge_prediction,
             expect="answer", check=lambda r: ok(r[0] is None and "q" not in r[1], str(r[:2]))),
        Case("predict(lambda: 1 / 0): the prediction's own error is said, nothing kept", crashing_prediction,
             expect="answer", check=lambda r: ok(r[0] is None and "raised ZeroDivisionError" in r[1] and "q" not in r[2],
                                                 str(r))),
        Case("check('1.1', attempt=None)", lambda: hl.check("1.1", None), names=("attempt",)),
        Case("check('1.1', attempt returning one text, read letter by letter before)",
             lambda: hl.check("1.1", lambda: "wrong"), names=("attempt",)),
        Case("check(3, attempt)", lambda: hl.check(3, lambda: []), names=("name",)),
    ]
    for case in cases:
        case.group = "predictions"
    return cases


# --- viz: the digits' pictures and the difference passes ----------------------------------------------

def viz_cases():
    section = lambda: wide_net().network(0).section("forward", 0)  # noqa: E731
    x = lambda: digits().x_test  # noqa: E731
    labels = lambda: digits().labels("test")  # noqa: E731
    cases = [
        Case("plot_weight_images(NaN weights)", lambda: hv.plot_weight_images(np.full((64, 4), np.nan)), names=("weights",)),
        Case("plot_weight_images(a backward section (11, 16))",
             lambda: hv.plot_weight_images(wide_net().network(0).section("backward", 0)), names=("weights",)),
        Case("plot_weight_images(weights (2, 64, 4))", lambda: hv.plot_weight_images(np.zeros((2, 64, 4))),
             names=("weights",)),
        Case("plot_weight_images(image_shape=(8, 0))", lambda: hv.plot_weight_images(section(), image_shape=(8, 0)),
             names=("image_shape",)),
        Case("plot_weight_images(ncols=0)", lambda: hv.plot_weight_images(section(), ncols=0), names=("ncols",)),
        Case("plot_weight_images(vmax=nan)", lambda: hv.plot_weight_images(section(), vmax=math.nan), names=("vmax",)),
        Case("plot_weight_images(title=np.arange(3))", lambda: hv.plot_weight_images(section(), title=np.arange(3)),
             names=("title",)),
        Case("plot_weight_images of 64-16-10's first section (65, 16): 16 images, the bias row left out",
             lambda: hv.plot_weight_images(section()), expect="answer",
             check=lambda fig: ok(sum(bool(ax.images) for ax in fig.axes) == 16, "not 16 images")),
        Case("plot_digits(NaN images)", lambda: hv.plot_digits(np.full((3, 64), np.nan), [1, 2, 3]), names=("images",)),
        Case("plot_digits(labels one-hot (20, 10))", lambda: hv.plot_digits(x(), digits().y_test), names=("labels",)),
        Case("plot_digits(labels one short)", lambda: hv.plot_digits(x(), labels()[:-1]), names=("labels",)),
        Case("plot_digits(labels ragged)", lambda: hv.plot_digits(x()[:2], [[1.0], [1.0, 2.0]]), names=("labels",)),
        Case("plot_digits(predicted 0.5, 1.0, 2.0)", lambda: hv.plot_digits(x()[:3], [1, 2, 3], predicted=[0.5, 1.0, 2.0]),
             names=("predicted",)),
        Case("plot_digits(limit=0)", lambda: hv.plot_digits(x(), labels(), limit=0), names=("limit",)),
        Case("plot_digits(images of the circle, 2 wide)", lambda: hv.plot_digits(hc.circle_data(20, 10).x_test,
                                                                                 np.zeros(10, int)), names=("images",)),
        Case("plot_digits of 20 digits draws 20 titled images", lambda: hv.plot_digits(x(), labels()), expect="answer",
             check=lambda fig: ok(sum(bool(ax.images) for ax in fig.axes) == 20, "not 20 images")),
    ]
    for depth in (0, 5, 2.5, "2", True, None):
        cases.append(Case(f"draw_difference_passes(depth={depth!r})", lambda d=depth: hv.draw_difference_passes(depth=d),
                          names=("depth",)))
    cases.append(Case("draw_difference_passes(depth=np.int64(3))", lambda: hv.draw_difference_passes(np.int64(3)),
                      expect="answer", check=lambda fig: ok(len(fig.axes) == 2, f"{len(fig.axes)} panels")))
    for case in cases:
        case.group = "viz"
    return cases


# --- stop: interrupts from a registered rule or a targets function -------------------------------------

def stop_cases():
    def counting(base, at, exception):
        calls = {"n": 0}

        def rule(weights, acts, partner, settings):
            calls["n"] += 1
            if calls["n"] == at:
                raise exception
            return base(weights, acts, partner, settings)
        return rule

    def interrupted(at, every, name, exception=KeyboardInterrupt, **train):
        def go():
            hl.register_rule(counting(hc.backprop_rule, at, exception()), name=name)
            net = wide_net(rule=name, bias=True, step=0.1, pull_previous=0.0)
            try:
                hc.train(net, digits(), 4, progress=False, snapshot_every=every, **train)
            except BaseException as error:        # KeyboardInterrupt too: the stop button
                return Stopped(error, net, 4)
            return None
        return go

    def interrupted_targets(at, name, exception):
        def go():
            calls = {"n": 0}

            def targets(W, t, h_in, h_out):
                calls["n"] += 1
                if calls["n"] == at:
                    raise exception
                return hc.sigmoid(t @ W) + (h_out - hc.sigmoid(h_in @ W))
            hl.register_rule(hc.difference_exchange_rule, name=name, targets=targets)
            net = hc.HeatExchanger.build(2, 4, rule=name, seeds=[0, 1], bias=True, pull_previous=0.0)
            try:
                hc.train(net, hc.circle_data(20, 10, width=4), 4, progress=False)
            except BaseException as error:
                return Stopped(error, net, 4)
            return None
        return go

    cases = []
    for at, every in ((95, 1), (95, 2), (130, 1), (41, 3)):     # 40 samples an epoch: inside epochs 3, 3, 4, 2
        cases.append(Case(f"Ctrl-C from a rule in step {at} of a 64-16-10 train (snapshot_every={every})",
                          interrupted(at, every, f"third_stop_{at}_{every}"), expect="answer", check=kept_run))
    cases.append(Case("a rule's RuntimeError in step 95 of a 64-16-10 train",
                      interrupted(95, 1, "third_broken_95", RuntimeError), expect="answer", check=kept_run))
    cases.append(Case("Ctrl-C while a network below the bar is trained again (retrain_below=0.99)",
                      interrupted(200, 1, "third_retrain_200", retrain_below=0.99, attempts=3), expect="answer",
                      check=kept_run))
    cases.append(Case("Ctrl-C from a targets function in epoch 2", interrupted_targets(60, "third_stop_targets",
                                                                                      KeyboardInterrupt()),
                      expect="answer", check=kept_run))
    cases.append(Case("a targets function's ZeroDivisionError in epoch 2", interrupted_targets(
        60, "third_broken_targets", ZeroDivisionError("division by zero")), expect="answer", check=kept_run))
    for case in cases:
        case.group = "stop"
    return cases


# --- folders: read-only folders, special files, weird paths -------------------------------------------

def as_another_user(code, folder):
    """Run ``code`` (Python, with heatex importable) in a child that cannot write ``folder`` (mode 555). Run as
    root, the child is run without the capability to override file modes (setpriv), which modes stop
    otherwise not at all. Returns (return code, output)."""
    import shutil
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            raise RuntimeError("the battery runs as root and has no setpriv to drop the override of file modes")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]
    os.chmod(folder, 0o555)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(battery.CODE), str(pathlib.Path(__file__).parent)]),
               MPLCONFIGDIR=str(folder.parent))
    try:
        done = subprocess.run(prefix + [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                              timeout=120, env=env, cwd=str(folder.parent))
    except OSError as error:        # never mistaken for the refusal the case waits for
        raise RuntimeError(f"the battery could not start the child: {error}") from None
    finally:
        os.chmod(folder, 0o755)
    return done.returncode, (done.stdout + done.stderr).strip()


def _left_behind(result):
    """For the read-only cases: a text returned is what went wrong (a file left, or no refusal)."""
    return (LOST, result) if isinstance(result, str) else None


def readonly_folder():
    folder = tmpdir() / "read-only"
    folder.mkdir()
    return folder


def folder_cases():
    run = battery.small_run

    def save_readonly():
        folder = readonly_folder()
        code, out = as_another_user(f"""
            import heatex_core as hc
            net = hc.HeatExchanger.build(2, 2, seeds=[0])
            run = hc.train(net, hc.circle_data(20, 10), 1, progress=False)
            try:
                run.save({str(folder / 'run.npz')!r})
            except OSError as e:
                print("REFUSED", type(e).__name__, e)
            """, folder)
        left = sorted(p.name for p in folder.iterdir())
        if left:
            return f"files left in the read-only folder: {left}"
        if "REFUSED" not in out:
            return f"saved without a word, or crashed: {out[-300:]}"
        raise PermissionError(out.split("REFUSED", 1)[1].strip())

    def predictions_readonly():
        folder = readonly_folder()
        code, out = as_another_user(f"""
            import os
            os.environ["HEATEX_PREDICTIONS"] = {str(folder / 'my_predictions.json')!r}
            import heatex_lab as hl
            print("KEPT", hl.predict("q", lambda: 0.5, hl.Number(0, 1)))
            """, folder)
        return code, out, sorted(p.name for p in folder.iterdir())

    def load_from_readonly():
        folder = readonly_folder()
        path = run().save(folder / "run.npz")
        code, out = as_another_user(f"""
            import heatex_core as hc
            print("EPOCHS", hc.Run.load({str(path)!r}).epochs)
            """, folder)
        return code, out

    def gif_readonly():
        folder = readonly_folder()
        code, out = as_another_user(f"""
            import matplotlib; matplotlib.use("Agg")
            import heatex_core as hc, heatex_viz as hv
            net = hc.HeatExchanger.build(2, 2, seeds=[0])
            run = hc.train(net, hc.circle_data(20, 10), 1, progress=False)
            try:
                hv.export_gif(run, {str(folder / 'film.gif')!r}, frames=[0, 1], dpi=20)
            except OSError as e:
                print("REFUSED", type(e).__name__, e)
            """, folder)
        left = sorted(p.name for p in folder.iterdir())
        if left:
            return f"files left in the read-only folder: {left}"
        if "REFUSED" not in out:
            return f"written without a word, or crashed: {out[-300:]}"
        raise PermissionError(out.split("REFUSED", 1)[1].strip())

    def roundtrip(name):
        def go():
            folder = tmpdir()
            path = run().save(folder / name)
            back = hc.Run.load(path)
            return path, back, sorted(p.name for p in folder.iterdir())
        return go

    def same_and_alone(name):
        def check(result):
            path, back, left = result
            return ok(path.name == name and np.array_equal(back.snapshots, run().snapshots) and left == [name],
                      f"saved as {path.name!r}, folder holds {left}")
        return check

    def fifo_in(make):
        def go():
            folder = tmpdir()
            fifo = folder / "fifo.json"
            os.mkfifo(fifo)
            return make(fifo)
        return go

    def tilde():
        here = os.getcwd()
        os.chdir(tmpdir())
        try:
            return run().save("~/run.npz")
        finally:
            os.chdir(here)

    def parent_is_a_file():
        folder = tmpdir()
        (folder / "file.npz").write_bytes(b"x")
        return run().save(folder / "file.npz" / "run.npz")

    def dangling_gif():
        folder = tmpdir()
        link = folder / "film.gif"
        link.symlink_to(folder / "nowhere" / "film.gif")
        view = hv.SnapshotView(run(), blit=False, dpi=30)
        try:
            hv.GifWriter(fps=5).setup(view.figure, link, dpi=30)
        except OSError as error:
            if str(link) not in str(error):
                raise RuntimeError(f"the message does not name the link {link}: {error}") from None
            raise
        return "set up"

    long_name = "r" * 251 + ".npz"          # 255 bytes: the longest name a file may have
    cases = [
        Case("run.save into a read-only folder, as a user who cannot write it", save_readonly,
             names=("permission",), check=_left_behind),
        Case("predict with the predictions file in a read-only folder: kept for the session, said once",
             predictions_readonly, expect="answer",
             check=lambda r: ok("KEPT 0.5" in r[1] and "cannot be written" in r[1] and r[2] == [], str(r)[-300:])),
        Case("Run.load of a run in a read-only folder, as a user who cannot write it", load_from_readonly,
             expect="answer", check=lambda r: ok(r[0] == 0 and "EPOCHS 3" in r[1], r[1][-300:])),
        Case("export_gif into a read-only folder, as a user who cannot write it", gif_readonly, names=("permission",),
             check=_left_behind),
        Case("run.save to a name of 255 bytes", roundtrip(long_name), expect="answer", check=same_and_alone(long_name)),
        Case("run.save to a name of 256 bytes", lambda: run().save(tmpdir() / ("r" * 252 + ".npz")), names=("name",)),
        Case("run.save to a name with a newline", roundtrip("two\nlines.npz"), expect="answer",
             check=same_and_alone("two\nlines.npz")),
        Case("run.save to a name of emoji and accents", roundtrip("ünïcødé-😀.npz"), expect="answer",
             check=same_and_alone("ünïcødé-😀.npz")),
        Case("run.save to a name that starts with a dash", roundtrip("-run.npz"), expect="answer",
             check=same_and_alone("-run.npz")),
        Case("run.save('~/run.npz'): no folder named ~ here", tilde, names=("folder",)),
        Case("run.save to an existing folder", lambda: run().save(tmpdir()), names=("folder",)),
        Case("run.save inside a file (file.npz/run.npz)", parent_is_a_file, names=("folder",)),
        Case("a GIF to a symbolic link into a missing folder: refused at setup, naming the link",
             dangling_gif, names=("link", "folder"), late=1),      # the view draws its first frame
        Case("run.save(b'run.npz')", lambda: run().save(b"run.npz"), names=("path",)),
        Case("Run.load of a FIFO: refused at once", fifo_in(lambda f: hc.Run.load(f)), names=("FIFO",)),
        Case("class_predictions([a FIFO]): skipped with a word, no wait", fifo_in(lambda f: hl.class_predictions([f])),
             expect="answer", check=lambda found: ok(found == {}, str(found))),
        Case("class_predictions('one_file.json'): one name, not a list", lambda: hl.class_predictions("one_file.json"),
             names=("paths",)),
        Case("predict with HEATEX_PREDICTIONS naming a FIFO: refused, no wait",
             fifo_in(lambda f: _predict_with(f)), names=("FIFO",)),
        Case("train_or_load(saved=a FIFO): trained here, the FIFO not read", fifo_in(
            lambda f: hl.train_or_load(hc.HeatExchanger.build(2, 2), battery.small_data(), 1, f, progress=False)),
            expect="answer", check=lambda r: ok(r.epochs == 1, f"{r.epochs}")),
    ]
    for case in cases:
        case.group = "folders"
    return cases


def _predict_with(path):
    with Predictions(path):
        return hl.predict("q", lambda: 0.5, hl.Number(0, 1))


def all_cases():
    return (widths_cases() + onehot_cases() + runfile_cases() + lab_cases() + prediction_cases() + viz_cases()
            + stop_cases() + folder_cases())


def run_battery(verbose=False, only=None):
    try:
        cases = all_cases()
        if only:
            cases = [c for c in cases if only in c.name or only == c.group]
        results = []
        for case in cases:
            try:
                result = battery_second.classify(case)
            except Exception as e:        # a fault in the battery itself is reported, not hidden
                result = Result(case, battery.UNCLEAR, f"battery could not classify: {type(e).__name__}: {e}")
            results.append(result)
            if verbose:
                print(f"[{result.outcome:>24}] {case.group:>11} | {case.name} -- {result.detail[:200]}", flush=True)
        return results
    finally:
        import shutil
        while battery._SCRATCH:
            shutil.rmtree(battery._SCRATCH.pop(), ignore_errors=True)
        battery._RUN.clear()


summary = battery_second.summary


if __name__ == "__main__":
    battery_second.command_line(run_battery, __doc__)
