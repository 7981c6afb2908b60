"""A battery of bad inputs and faults against heatex's public API, classified automatically (issue 12).

Run it as a script for the table (``python tests/battery.py``, ``-v`` lists every case), or through
``tests/library/test_battery.py``, which asserts that the last four outcomes never happen.

Every case is a call a class could make -- a typo, a numpy integer, a step of 10 "to see what
happens", a file killed while it was written -- and what a good answer to it is:

- ``error``: the call must refuse. It scores *clear error* when it raises a documented type
  (ValueError and its RunFileError, TypeError, OSError and its FileNotFoundError, DivergenceError,
  MemoryError) whose message names the argument (every word of ``names``, case-insensitive) and
  leaks none of numpy's advice (``allow_pickle``), before the work starts (views: no frame drawn).
  Any other exception, or a message that does not name the argument, is an *unclear error*. A call
  that returns is a *silent or wrong answer*.
- ``answer``: the call must work (a numpy integer as a seed, a thinned run in the viewer). It
  scores *right answer* when it returns and its ``check`` finds nothing wrong; raising or a wrong
  result is a *silent or wrong answer*.

Whatever was expected, a NaN or inf in what the call returns, or in the state it leaves behind (the
exchanger's weights), scores *NaN*; a good file that no longer loads, a half-written file at a
path, or work thrown away (a divergence that keeps no run) scores *lost or half-written file*.
"""
from __future__ import annotations

import io
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
import warnings
import zipfile
from dataclasses import dataclass

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
# HEATEX_BATTERY_CODE points the battery at another checkout's modules (to measure the code before a fix).
CODE = pathlib.Path(os.environ.get("HEATEX_BATTERY_CODE", ROOT)).resolve()
sys.path.insert(0, str(CODE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import heatex_checks as checks  # noqa: E402
import heatex_core as hc  # noqa: E402
import heatex_lab as hl  # noqa: E402
import heatex_viz as hv  # noqa: E402

CLEAR, ANSWER, UNCLEAR, SILENT, NAN, LOST = (
    "clear error", "right answer", "unclear error", "silent or wrong answer", "NaN", "lost or half-written file")
OUTCOMES = (CLEAR, ANSWER, UNCLEAR, SILENT, NAN, LOST)
BAD = (UNCLEAR, SILENT, NAN, LOST)
DOCUMENTED = (ValueError, TypeError, OSError, ArithmeticError, MemoryError)
LEAKS = ("allow_pickle", "Traceback")      # numpy's advice to load with pickle enabled must never reach a user


@dataclass
class Case:
    name: str
    call: object                      # () -> result
    expect: str = "error"             # "error" or "answer"
    names: tuple = ()                 # words an error's message must contain
    check: object = None              # (result) -> a problem (an outcome, text) or None
    state: object = None              # () -> arrays to scan for NaN after the call
    files: object = None              # () -> None or a text saying a file was lost
    late: int = 0                     # frames a view may draw before refusing
    group: str = ""


@dataclass
class Result:
    case: Case
    outcome: str
    detail: str = ""
    seconds: float = 0.0


# --- what the battery looks at ------------------------------------------------

def _arrays(value, depth=0):
    """Every float array reachable from a result: arrays, runs, exchangers, containers."""
    if depth > 4 or value is None:
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            yield value
    elif isinstance(value, (float, np.floating)):
        yield np.asarray(value)
    elif isinstance(value, hc.Run):
        yield from _arrays(value.snapshots, depth + 1)
        yield from _arrays(value.metrics, depth + 1)
    elif isinstance(value, (hc.HeatExchanger, hc.Network)):
        yield from _arrays(value.weights, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value[:50]:
            yield from _arrays(v, depth + 1)


def _not_finite(value):
    return any(not np.all(np.isfinite(a)) for a in _arrays(value))


class _WorkCounter:
    """Counts frames a view draws, so a refusal after the work has started counts as late."""
    count = 0

    def __enter__(self):
        self.saved = hv.SnapshotView.update
        counter = self

        def update(view, snapshot):
            counter.count += 1
            return counter.saved(view, snapshot)

        hv.SnapshotView.update = update
        return self

    def __exit__(self, *exc):
        hv.SnapshotView.update = self.saved


def classify(case):
    from matplotlib import pyplot as plt
    start = time.perf_counter()
    error = result = None
    with warnings.catch_warnings(record=True) as caught, _WorkCounter() as work:
        warnings.simplefilter("always")
        before = work.count
        try:
            result = case.call()
        except Exception as e:       # the battery classifies whatever comes out
            error = e
        drawn = work.count - before
    plt.close("all")
    seconds = time.perf_counter() - start
    warned = [str(w.message)[:80] for w in caught if issubclass(w.category, (RuntimeWarning, np.exceptions.ComplexWarning if hasattr(np, "exceptions") else RuntimeWarning))]

    def done(outcome, detail):
        return Result(case, outcome, detail, seconds)

    # Damage first: a lost file or a NaN left behind is worse than any message.
    if case.files is not None:
        problem = case.files()
        if problem:
            return done(LOST, problem)
    if case.state is not None and _not_finite(case.state()):
        return done(NAN, "NaN or inf left in the exchanger" + (f" ({error!r})" if error else ""))
    if error is None and _not_finite(result):
        return done(NAN, "NaN or inf in the answer" + (f"; warnings: {warned[:2]}" if warned else ""))
    if case.expect == "answer":
        if error is not None:
            return done(SILENT, f"raised {type(error).__name__}: {str(error)[:160]}")
        problem = case.check(result) if case.check else None
        if problem:
            return done(problem[0], problem[1])
        return done(ANSWER, "")
    if error is None:
        if case.check is not None:
            problem = case.check(result)
            if problem:
                return done(*problem)
        return done(SILENT, "returned instead of refusing" + (f"; warnings: {warned[:2]}" if warned else ""))
    message = str(error)
    if not isinstance(error, DOCUMENTED):
        return done(UNCLEAR, f"{type(error).__name__}: {message[:160]}")
    missing = [w for w in case.names if not mentions(message, w)]
    if missing:
        return done(UNCLEAR, f"{type(error).__name__} does not name {missing}: {message[:160]}")
    leaked = [w for w in LEAKS if w in message]
    if leaked:
        return done(UNCLEAR, f"passes on {leaked}: {message[:160]}")
    if drawn > case.late:
        return done(UNCLEAR, f"refused only after drawing {drawn} frames: {message[:100]}")
    if case.check is not None:
        problem = case.check(error)
        if problem:
            return done(*problem)
    return done(CLEAR, f"{type(error).__name__}: {message[:160]}")


# --- fixtures -----------------------------------------------------------------

def small_data(width=2, seed=0):
    return hc.circle_data(n_train=20, n_test=10, width=width, seed=seed)


_RUN = {}


def small_run():
    if "run" not in _RUN:
        net = hc.HeatExchanger.build(3, 2, seeds=[1, 2], step=0.01)
        _RUN["run"] = hc.train(net, small_data(), epochs=3, progress=False)
    return _RUN["run"]


_SCRATCH = []


def tmpdir():
    """A fresh folder inside this battery run's temporary folder (removed when the run ends)."""
    if not _SCRATCH:
        _SCRATCH.append(pathlib.Path(tempfile.mkdtemp(prefix="heatex-battery-")))
    return pathlib.Path(tempfile.mkdtemp(dir=_SCRATCH[0]))


def mentions(text, word):
    """Whether ``text`` has ``word`` as a word of its own (so "SeedSequence" does not name "seed")."""
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", text, re.I) is not None


def call(f, *args, **kwargs):
    return lambda: f(*args, **kwargs)


class Warned:
    """What a call that warned instead of raising returns: the warning, for ``told``."""

    def __init__(self, messages):
        self.messages = messages


def warning_or_error(f, words):
    """Run ``f``; a warning that names every word counts as telling the user (returns Warned)."""
    def go():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f()
        told = [str(w.message) for w in caught
                if all(mentions(str(w.message), word) for word in words)]
        return Warned(told)
    return go


def told(result):
    """A check for ``warning_or_error``: a warning naming the cause is as good as a clear error."""
    if isinstance(result, Warned) and result.messages:
        return CLEAR, "warned: " + result.messages[0][:140]
    return None


# --- the cases ------------------------------------------------------------------

SETTINGS = ("step", "pull_previous", "pull_partner", "hidden_pull", "init_scale")
BAD_NUMBERS = {
    "nan": np.nan, "inf": np.inf, "-inf": -np.inf, "negative": -1.0, "complex": 1j, "complex0": 0.1 + 0j,
    "text": "0.1", "None": None, "two for one network": [0.1, 0.2], "a matrix": [[0.1]], "bool": True,
    "object": object(),
}
BAD_SEEDS = {"float": 2.5, "whole float": 3.0, "negative": -1, "text": "a", "None": None, "list with float": [1, 2.5],
             "matrix": [[1, 2]], "empty": [], "bool": True, "huge": 2**70, "numpy float": np.float64(3)}
GOOD_SEEDS = {"np.int64": np.int64(3), "np.int32": np.int32(4), "np.uint8": np.uint8(5),
              "list of np.int64": [np.int64(1), np.int64(2)], "array": np.array([6, 7])}
BAD_COUNTS = {"zero": 0, "negative": -3, "float": 2.5, "text": "3", "None": None, "bool": True, "nan": np.nan}


def _weights(k=1, depth=3, width=2, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (k, 2, depth, width, width))


def settings_cases():
    cases = []
    for setting in SETTINGS:
        for label, value in BAD_NUMBERS.items():
            if value is None:       # None is "the rule's default" (RULE_DEFAULTS), not a bad number
                continue
            cases.append(Case(f"build({setting}={label})", call(hc.HeatExchanger.build, 3, 2, **{setting: value}),
                              names=(setting,), group="settings"))
            cases.append(Case(f"HeatExchanger(weights, {setting}={label})",
                              call(hc.HeatExchanger, _weights(), **{setting: value}), names=(setting,), group="settings"))
        cases.append(Case(f"build({setting}=None) takes the rule's default",
                          call(hc.HeatExchanger.build, 3, 2, **{setting: None}), expect="answer", group="settings"))
    for setting in ("difference", "inverse_step", "inverse_noise"):
        cases.append(Case(f"build(rule='schmidhuber', {setting}=0.5): the difference exchange's setting",
                          call(hc.HeatExchanger.build, 3, 2, rule="schmidhuber", **{setting: 0.5}),
                          names=(setting,), group="settings"))
        for label, value in BAD_NUMBERS.items():
            if value is not None:
                cases.append(Case(f"build(rule='difference_exchange', {setting}={label})",
                                  call(hc.HeatExchanger.build, 2, 3, rule="difference_exchange", **{setting: value}),
                                  names=(setting,), group="settings"))
    cases.append(Case("build(rule='difference_exchange', alignment='blog')",
                      call(hc.HeatExchanger.build, 2, 3, rule="difference_exchange", alignment="blog"),
                      names=("alignment",), group="settings"))
    for value in (0, 0.0, -2.0):
        cases.append(Case(f"build(init_scale={value})", call(hc.HeatExchanger.build, 3, 2, init_scale=value),
                          names=("init_scale",), group="settings"))
    cases.append(Case("build(step=[0.1, nan]) for two networks",
                      call(hc.HeatExchanger.build, 3, 2, seeds=[0, 1], step=[0.1, np.nan]), names=("step",),
                      group="settings"))
    cases.append(Case("build(step=np.float32(0.1))", call(hc.HeatExchanger.build, 3, 2, step=np.float32(0.1)),
                      expect="answer", group="settings"))
    cases.append(Case("build(step=10): a big step is allowed", call(hc.HeatExchanger.build, 3, 2, step=10),
                      expect="answer", group="settings"))
    return cases


def seed_cases():
    cases = []
    for label, value in BAD_SEEDS.items():
        cases.append(Case(f"build(seeds={label})", call(hc.HeatExchanger.build, 3, 2, seeds=value), names=("seeds",),
                          group="seeds"))
        cases.append(Case(f"HeatExchanger(weights, seeds={label})", call(hc.HeatExchanger, _weights(), seeds=value),
                          names=("seeds",), group="seeds"))
        cases.append(Case(f"circle_data(seed={label})", call(hc.circle_data, 20, 10, seed=value), names=("seed",),
                          group="seeds"))
        cases.append(Case(f"Grid(seeds={label})", call(hl.Grid, value, step=[0.1]), names=("seeds",), group="seeds"))
    for label, value in GOOD_SEEDS.items():
        def trained_and_saved(value=value):
            data = hc.circle_data(20, 10, seed=np.asarray(value).ravel()[0])
            net = hc.HeatExchanger.build(2, 2, seeds=value)
            run = hc.train(net, data, epochs=1, progress=False)
            path = tmpdir() / "seeded.npz"
            run.save(path)
            back = hc.Run.load(path)
            return run, back

        def same(result):
            run, back = result
            if back.config != run.config or not np.array_equal(back.snapshots, run.snapshots):
                return SILENT, "the loaded run differs from the saved one"
            if json.loads(json.dumps(run.config)) != run.config:
                return SILENT, "the config does not survive JSON"
            return None
        cases.append(Case(f"seeds={label}: train, save, load", trained_and_saved, expect="answer", check=same,
                          group="seeds"))
    return cases


def shape_cases():
    cases = []
    for label, value in BAD_COUNTS.items():
        cases.append(Case(f"build(depth={label})", call(hc.HeatExchanger.build, value, 2), names=("depth",), group="shapes"))
        cases.append(Case(f"build(width={label})", call(hc.HeatExchanger.build, 3, value), names=("width",), group="shapes"))
        cases.append(Case(f"pipes(depth={label})", call(hc.pipes, value, 2), names=("depth",), group="shapes"))
        cases.append(Case(f"Section({label})", call(hc.Section, value), names=("width",), group="shapes"))
        cases.append(Case(f"circle_data(n_train={label})", call(hc.circle_data, value, 10), names=("n_train",),
                          group="shapes"))
        cases.append(Case(f"xor_data(n_test={label})", call(hc.xor_data, 10, value), names=("n_test",), group="shapes"))
    bad_weights = {
        "K = 0": np.zeros((0, 2, 3, 2, 2)), "depth 0": np.zeros((1, 2, 0, 2, 2)), "width 0": np.zeros((1, 2, 3, 0, 0)),
        "one pipe": np.zeros((1, 1, 3, 2, 2)), "4-D": np.zeros((2, 3, 2, 2)), "NaN": np.full((1, 2, 3, 2, 2), np.nan),
        "complex": np.ones((1, 2, 3, 2, 2)) * 1j, "text": np.full((1, 2, 3, 2, 2), "a"), "None": None,
        "ragged": [[[[[1.0]]]], [[[[1.0, 2.0]]]]],
    }
    for label, value in bad_weights.items():
        cases.append(Case(f"HeatExchanger(weights={label})", call(hc.HeatExchanger, value), names=("weights",),
                          group="shapes"))
    for label, value in {"unknown": "magic", "None": None, "number": 3, "a function": hc.blog_rule}.items():
        cases.append(Case(f"build(rule={label})", call(hc.HeatExchanger.build, 3, 2, rule=value), names=("rule",),
                          group="shapes"))
    for label, value in {"unknown": "sideways", "number": 1, "list": ["blog"]}.items():
        cases.append(Case(f"build(alignment={label})", call(hc.HeatExchanger.build, 3, 2, alignment=value),
                          names=("alignment",), group="shapes"))
    cases.append(Case("build(bias='yes')", call(hc.HeatExchanger.build, 3, 2, rule="schmidhuber", bias="yes"),
                      names=("bias",), group="shapes"))
    cases.append(Case("from_weights([], [])", call(hc.HeatExchanger.from_weights, [], []), names=("forward",),
                      group="shapes"))
    cases.append(Case("from_weights with a NaN", call(hc.HeatExchanger.from_weights, [np.full((2, 2), np.nan)],
                                                       [np.ones((2, 2))]), names=("weights",), group="shapes"))
    cases.append(Case("from_weights(3, 4)", call(hc.HeatExchanger.from_weights, 3, 4), names=("forward",),
                      group="shapes"))
    return cases


def object_cases():
    cases = [
        Case("Section(2) > 5", lambda: hc.Section(2) > 5, names=("Section",), group="objects"),
        Case("Section(2) < 'a'", lambda: hc.Section(2) < "a", names=("Section",), group="objects"),
        Case("Section(2) > None", lambda: hc.Section(2) > None, names=("Section",), group="objects"),
        Case("Pipe([1])", call(hc.Pipe, [1]), names=("Section",), group="objects"),
        Case("Pipe([Section, 'a'])", lambda: hc.Pipe([hc.Section(2), "a"]), names=("Section",), group="objects"),
        Case("Pipe(None)", call(hc.Pipe, None), names=("sections",), group="objects"),
        Case("Pipe(arrow='>>')", lambda: hc.Pipe([hc.Section(2)], arrow=">>"), names=("arrow",), group="objects"),
        Case("s > s (a section feeding itself)", lambda: (lambda s: s > s)(hc.Section(2)), names=("itself",),
             group="objects"),
        Case("train(None, data)", call(hc.train, None, small_data(), 1, progress=False), names=("net",),
             group="objects"),
        Case("train(net, None)", lambda: hc.train(hc.HeatExchanger.build(2, 2), None, 1, progress=False),
             names=("data",), group="objects"),
        Case("train(net, (x, y))", lambda: hc.train(hc.HeatExchanger.build(2, 2), (np.zeros((3, 2)), np.zeros((3, 2))),
                                                    1, progress=False), names=("data",), group="objects"),
        Case("train(run, data)", lambda: hc.train(small_run(), small_data(), 1, progress=False), names=("net",),
             group="objects"),
        Case("measure(None, data)", call(hc.measure, None, small_data()), names=("net",), group="objects"),
        Case("measure(net, None)", lambda: hc.measure(hc.HeatExchanger.build(2, 2), None), names=("data",),
             group="objects"),
        Case("majority_accuracy(None)", call(hc.majority_accuracy, None), names=("data",), group="objects"),
        Case("HeatExchanger.from_pipes(None, None)", call(hc.HeatExchanger.from_pipes, None, None), names=("forward",),
             group="objects"),
        Case("Run(None, None)", call(hc.Run, None, None), names=("config",), group="objects"),
        Case("is_local(5)", call(hl.is_local, 5), names=("rule",), group="objects"),
        Case("is_local('magic')", call(hl.is_local, "magic"), names=("rule",), group="objects"),
        Case("Grid(seeds=[0], steps=[0.1]) (a typo)", lambda: hl.Grid([0], steps=[0.1]).build(2, 2),
             names=("steps",), group="objects"),
        Case("Grid(seeds=[0], step=[])", call(hl.Grid, [0], step=[]), names=("step",), group="objects"),
        Case("Grid(seeds=[0], step=[nan])", lambda: hl.Grid([0], step=[np.nan]).build(2, 2), names=("step",),
             group="objects"),
        Case("Grid.settings_of(99)", lambda: hl.Grid([0, 1], step=[0.1]).settings_of(99), names=("network",),
             group="objects"),
        Case("Grid.metric(run, 'accuracy')", lambda: hl.Grid([1, 2], step=[0.01]).metric(small_run(), "accuracy"),
             names=("metric",), group="objects"),
        Case("Grid.split(values of 3)", lambda: hl.Grid([1, 2], step=[0.01]).split(np.zeros(3)), names=("values",),
             group="objects"),
    ]
    net_indices = {"-1": -1, "2 of 2": 2, "1.5": 1.5, "True": True, "'0'": "0", "None": None}
    for label, value in net_indices.items():
        cases.append(Case(f"net.network({label})", lambda v=value: hc.HeatExchanger.build(2, 2, seeds=[0, 1]).network(v),
                          names=("network",), group="objects"))
        cases.append(Case(f"run.network({label})", lambda v=value: small_run().network(v), names=("network",),
                          group="objects"))
    for label, value in {"99": 99, "-99": -99, "1.5": 1.5, "'last'": "last", "None": None}.items():
        cases.append(Case(f"run.network_at({label})", lambda v=value: small_run().network_at(v), names=("epoch",),
                          group="objects"))
    return cases


def learn_cases():
    cases = []

    def net_for(rule="blog", **kw):
        return hc.HeatExchanger.build(3, 2, seeds=[0], rule=rule, **kw)

    bad_x = {"NaN": [np.nan, 0.1], "inf": [np.inf, 0.1], "three wide": [0.1, 0.2, 0.3], "one wide": [0.1],
             "3-D": np.zeros((1, 1, 2)), "text": ["a", "b"], "None": None, "scalar": 0.5, "complex": [1j, 0]}
    for label, value in bad_x.items():
        for which in ("x", "y"):
            net = net_for()
            args = (value, [1.0, 1.0]) if which == "x" else ([0.1, 0.2], value)
            cases.append(Case(f"learn({which}={label})", lambda net=net, args=args: net.learn(*args), names=(which,),
                              state=lambda net=net: net.weights, group="learn"))
    for label, value in {"(m, 1)": np.zeros((4, 1)), "(m, 3)": np.zeros((4, 3)), "(2,) one sample": np.zeros(2),
                         "scalar": 0.3, "NaN": np.full((3, 2), np.nan), "text": [["a", "b"]], "None": None,
                         "(3 networks, m, 2)": np.zeros((3, 4, 2))}.items():
        cases.append(Case(f"predict({label})", lambda v=value: hc.HeatExchanger.build(3, 2, seeds=[0, 1]).predict(v),
                          names=("x",), group="learn"))
        cases.append(Case(f"reconstruct({label})",
                          lambda v=value: hc.HeatExchanger.build(3, 2, seeds=[0, 1]).reconstruct(v), names=("y",),
                          group="learn"))
        cases.append(Case(f"network(0).predict({label})",
                          lambda v=value: hc.HeatExchanger.build(3, 2, seeds=[0, 1]).network(0).predict(v),
                          names=("x",), group="learn"))
    cases.append(Case("predict((m, 2)) works", lambda: hc.HeatExchanger.build(3, 2, seeds=[0, 1]).predict(np.zeros((4, 2))),
                      expect="answer", check=lambda r: None if r.shape == (2, 4, 2) else (SILENT, f"shape {r.shape}"),
                      group="learn"))
    for label, (pipe, i) in {"pipe 'sideways'": ("sideways", 0), "pipe 2": (2, 0), "section 3 of 3": ("forward", 3),
                             "section -1": ("forward", -1), "section 1.5": ("forward", 1.5)}.items():
        cases.append(Case(f"touches({label})",
                          lambda p=pipe, i=i: hc.HeatExchanger.build(3, 2).network(0).touches(p, i, [0.1, 0.2], [1, 1]),
                          names=("pipe",) if "pipe" in label else ("i",), group="learn"))
    cases.append(Case("network.change(x=[nan, 0])", lambda: hc.HeatExchanger.build(3, 2).network(0).change(
        [np.nan, 0.0], [1.0, 1.0]), names=("x",), group="learn"))
    cases.append(Case("network.flow(x of 3 wide)", lambda: hc.HeatExchanger.build(3, 2).network(0).flow(
        np.zeros(3), np.zeros(3)), names=("x",), group="learn"))

    # A zero column sum under the blog's rule: learn must refuse and keep the weights.
    def zero_column():
        w = _weights()
        w[0, 0, 1, :, 0] = [0.5, -0.5]
        return hc.HeatExchanger(w, rule="blog")
    z = zero_column()
    cases.append(Case("learn with a zero column sum (blog)", lambda: z.learn([0.1, 0.2], [1.0, 1.0]),
                      names=("column sum",), state=lambda: z.weights, group="learn"))
    zeros = hc.HeatExchanger(np.zeros((1, 2, 3, 2, 2)), rule="blog")
    cases.append(Case("learn with all-zero weights (blog)", lambda: zeros.learn([0.1, 0.2], [1.0, 1.0]),
                      names=("column sum",), state=lambda: zeros.weights, group="learn"))
    for rule in ("blog", "schmidhuber", "backprop"):
        huge = net_for(rule, step=1e300)
        cases.append(Case(f"learn with step 1e300 ({rule}): overflow",
                          warning_or_error(lambda huge=huge: [huge.learn([0.3, -0.5], [1.0, 1.0]) for _ in range(5)],
                                           ("step",)),
                          names=("step",), state=lambda huge=huge: huge.weights, group="learn", check=told))
    return cases


def data_cases():
    cases = []
    x = np.random.default_rng(0).uniform(-1, 1, (6, 2))
    ones = np.ones((6, 2))
    labels = {"2": ones * 2, "-1": -ones, "0.5": ones * 0.5, "columns disagree": np.stack([np.ones(6), np.zeros(6)], 1),
              "NaN": np.full((6, 2), np.nan)}
    for label, y in labels.items():
        cases.append(Case(f"Dataset(y_train={label})", call(hc.Dataset, x, y, x, ones), names=("y_train",),
                          group="data"))
        cases.append(Case(f"Dataset(y_test={label})", call(hc.Dataset, x, ones, x, y), names=("y_test",),
                          group="data"))
    cases += [
        Case("Dataset(x_train 1-D)", call(hc.Dataset, np.zeros(6), ones, x, ones), names=("x_train",), group="data"),
        Case("Dataset(x_train empty)", call(hc.Dataset, np.zeros((0, 2)), np.zeros((0, 2)), x, ones),
             names=("train",), group="data"),
        Case("Dataset(x_train None)", call(hc.Dataset, None, ones, x, ones), names=("x_train",), group="data"),
        Case("Dataset(x_train complex)", call(hc.Dataset, x * 1j, ones, x, ones), names=("x_train",), group="data"),
        Case("Dataset(name=3)", call(hc.Dataset, x, ones, x, ones, name=3), names=("name",), group="data"),
        Case("Dataset(seed='a')", call(hc.Dataset, x, ones, x, ones, seed="a"), names=("seed",), group="data"),
        Case("Dataset(seed=np.int64(2)) keeps a plain seed", lambda: hc.Dataset(x, ones, x, ones, seed=np.int64(2)),
             expect="answer", check=lambda d: None if type(d.seed) is int else (SILENT, f"seed is {type(d.seed)}"),
             group="data"),
        Case("Dataset(bool labels) works", lambda: hc.Dataset(x, ones.astype(bool), x, ones.astype(bool)),
             expect="answer", group="data"),
    ]
    for label, value in {"nan": np.nan, "inf": np.inf, "-1": -1.0, "0": 0.0, "2 (every point inside)": 2.0,
                         "text": "0.8", "None": None, "complex": 0.8j}.items():
        cases.append(Case(f"circle_data(radius={label})", call(hc.circle_data, 20, 10, radius=value),
                          names=("radius",), group="data"))
    for label, value in {"1": 1, "0": 0, "2.0": 2.0}.items():
        cases.append(Case(f"circle_data(width={label})", call(hc.circle_data, 20, 10, width=value), names=("width",),
                          group="data"))
        cases.append(Case(f"xor_data(width={label})", call(hc.xor_data, 20, 10, width=value), names=("width",),
                          group="data"))
    return cases


def train_cases():
    cases = []
    for label, value in BAD_COUNTS.items():
        cases.append(Case(f"train(epochs={label})",
                          lambda v=value: hc.train(hc.HeatExchanger.build(2, 2), small_data(), v, progress=False),
                          names=("epochs",), group="train"))
        cases.append(Case(f"train(snapshot_every={label})",
                          lambda v=value: hc.train(hc.HeatExchanger.build(2, 2), small_data(), 4, progress=False,
                                                   snapshot_every=v), names=("snapshot_every",), group="train"))
    cases.append(Case("train(epochs=np.int64(2))",
                      lambda: hc.train(hc.HeatExchanger.build(2, 2), small_data(), np.int64(2), progress=False),
                      expect="answer", group="train"))

    def thinned():
        return hc.train(hc.HeatExchanger.build(2, 2, seeds=[0, 1]), small_data(), 7, progress=False, snapshot_every=3)

    def thinned_ok(run):
        epochs = getattr(run, "snapshot_epochs", None)
        if epochs is None or list(epochs) != [0, 3, 6, 7] or len(run.snapshots) != 4 or run.epochs != 7:
            return SILENT, f"snapshot epochs {epochs}"
        full = hc.train(hc.HeatExchanger.build(2, 2, seeds=[0, 1]), small_data(), 7, progress=False)
        if not np.array_equal(full.snapshots[[0, 3, 6, 7]], run.snapshots):
            return SILENT, "the kept snapshots differ from an every-epoch run's"
        for name in full.metrics:
            if not np.array_equal(full.metrics[name][[0, 3, 6, 7]], run.metrics[name]):
                return SILENT, f"metric {name} differs"
        path = tmpdir() / "thin.npz"
        run.save(path)
        back = hc.Run.load(path)
        if list(back.snapshot_epochs) != [0, 3, 6, 7]:
            return SILENT, "snapshot_epochs lost on disk"
        return None
    cases.append(Case("train(snapshot_every=3) keeps 0, 3, 6, 7", thinned, expect="answer", check=thinned_ok,
                      group="train"))
    cases.append(Case("train(progress='yes')", lambda: hc.train(hc.HeatExchanger.build(2, 2), small_data(), 1,
                                                                 progress="yes"), names=("progress",), group="train"))

    # Divergence: the work up to the last finite epoch is kept, the exchanger is left finite,
    # and the hint names the cause.
    def diverging(make, words, epochs=4):
        box = {}

        def go():
            box["net"] = net = make()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                hc.train(net, small_data(), epochs, progress=False)
            return Warned([str(w.message) for w in caught
                           if all(mentions(str(w.message), word) for word in words)])

        def kept(error):
            if isinstance(error, Warned):
                return told(error)
            if not isinstance(error, hc.DivergenceError):     # refused before training: nothing to keep
                return None
            run = getattr(error, "run", None)
            if not isinstance(run, hc.Run):
                return LOST, "the DivergenceError carries no run: every finished epoch is lost"
            net = box["net"]
            if not np.array_equal(run.snapshots[-1], net.weights):
                return SILENT, "the exchanger is not left at the run's last snapshot"
            return None
        return go, words, lambda: box["net"].weights if "net" in box else None, kept

    def zero_column_net():
        w = _weights(k=2, seed=3)
        w[1, 1, 2, :, 0] = [0.5, -0.5]
        return hc.HeatExchanger(w, rule="blog", seeds=[0, 1])

    scenarios = {
        "a zero column sum in network 1": (zero_column_net, ("column sum",)),
        "all-zero weights": (lambda: hc.HeatExchanger(np.zeros((1, 2, 3, 2, 2)), rule="blog"), ("column sum",)),
        "schmidhuber, step 1e300": (lambda: hc.HeatExchanger.build(3, 2, rule="schmidhuber", step=1e300), ("step",)),
        "backprop, step 1e300": (lambda: hc.HeatExchanger.build(3, 2, rule="backprop", step=1e300), ("step",)),
        "blog, step 1e6": (lambda: hc.HeatExchanger.build(3, 2, rule="blog", step=1e6, seeds=2), ("step",)),
        "blog, init_scale 0": (lambda: hc.HeatExchanger.build(3, 2, rule="blog", init_scale=0), ("init_scale",)),
    }
    for label, (make, words) in scenarios.items():
        go, words, state, kept = diverging(make, words)
        cases.append(Case(f"train diverging: {label}", go, names=words, state=state, check=kept, group="divergence"))

    def grows():
        net = hc.HeatExchanger.build(2, 2, rule="schmidhuber", step=1e6, bias=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hc.train(net, small_data(), 3, progress=False)
        told = [w for w in caught if "step" in str(w.message)]
        if not told and np.abs(net.weights).max() > 1e5:
            raise AssertionError("weights grew without a word")
        return told[0].message if told else None
    cases.append(Case("train with step 1e6 (schmidhuber): weights grow, a warning says so", grows, expect="answer",
                      check=lambda r: None if r is not None else (SILENT, "no warning"), group="divergence"))
    return cases


def memory_cases():
    cases = []

    def huge():
        net = hc.HeatExchanger.build(10, 32, seeds=list(range(1024)))
        return hc.train(net, small_data(width=32), 100_000, progress=False)
    cases.append(Case("1024 networks of 10 x 32 for 100,000 epochs", huge, names=("snapshot_every", "epochs"),
                      group="memory"))

    def beyond_ram(**kw):
        def go():
            saved = checks.available_memory
            checks.available_memory = lambda: 20e6      # a machine with 20 MB free
            try:
                net = hc.HeatExchanger.build(4, 8, seeds=list(range(32)))
                return hc.train(net, small_data(width=8), 300, progress=False, **kw)
            finally:
                checks.available_memory = saved
        return go
    cases.append(Case("a run that does not fit in the memory free (20 MB free, ~40 MB asked)", beyond_ram(),
                      names=("snapshot_every", "MB"), group="memory"))

    def fits_thinned():
        saved = checks.available_memory
        checks.available_memory = lambda: 20e6
        try:
            net = hc.HeatExchanger.build(4, 8, seeds=list(range(32)))
            return hc.train(net, small_data(width=8), 300, progress=False, snapshot_every=50)
        finally:
            checks.available_memory = saved
    cases.append(Case("the same run every 50 epochs fits", fits_thinned, expect="answer", group="memory"))

    def buffers_bounded():
        net = hc.HeatExchanger.build(3, 16, seeds=list(range(16)))
        data = hc.circle_data(20000, 10, width=16)
        hc.train(net, data, 1, progress=False)
        kept = sum(getattr(b, "layers_first", np.zeros(0)).nbytes for b in net._engine.flows.values())
        return kept
    cases.append(Case("measuring buffers after training on 20,000 samples stay small", buffers_bounded,
                      expect="answer", check=lambda kept: None if kept <= 64e6 else (SILENT, f"{kept / 1e6:.0f} MB kept"),
                      group="memory"))
    return cases


# --- files ------------------------------------------------------------------------

def _npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def _good_arrays(run):
    arrays = {"format": np.array("heatex-run"), "version": np.array(1), "config": np.array(json.dumps(run.config)),
              "snapshots": run.snapshots}
    arrays.update({f"metric_{k}": v for k, v in run.metrics.items()})
    return arrays


def _huge_header_file(path):
    """A small npz whose snapshots' header claims (10**5, 10**5) floats: 80 GB."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**5, 10**5)})
    with zipfile.ZipFile(path, "w") as z:
        for name, value in _good_arrays(small_run()).items():
            if name == "snapshots":
                z.writestr("snapshots.npy", b"\x93NUMPY" + header.getvalue()[6:] + b"\0" * 64)
            else:
                buffer = io.BytesIO()
                np.save(buffer, value)
                z.writestr(f"{name}.npy", buffer.getvalue())
    return path


def load_cases():
    cases = []
    base = tmpdir()
    run = small_run()
    good = _good_arrays(run)

    def variant(name, **changes):
        arrays = dict(good)
        for key, value in changes.items():
            if value is None:
                arrays.pop(key, None)
            else:
                arrays[key] = value
        return _npz(base / name, **arrays)

    files = {
        "a missing file (a typo)": (base / "mispelled.npz", ("mispelled",)),
        "a plain .npy": (lambda p: (np.save(p, np.arange(3)), p)[1])(base / "plain.npy"), 
        "a text file": (lambda p: (p.write_text("hello"), p)[1])(base / "text.npz"),
        "random bytes": (lambda p: (p.write_bytes(np.random.default_rng(0).bytes(4000)), p)[1])(base / "random.npz"),
        "an empty file": (lambda p: (p.write_bytes(b""), p)[1])(base / "empty.npz"),
        "a directory": (lambda p: (p.mkdir(), p)[1])(base / "folder.npz"),
        "a truncated run": (lambda p: (run.save(p), p.write_bytes(p.read_bytes()[:600]), p)[2])(base / "cut.npz"),
        "no version": variant("noversion.npz", version=None),
        "version 'one'": variant("vone.npz", version=np.array("one")),
        "version 1.9": variant("v19.npz", version=np.array(1.9)),
        "version 99": variant("v99.npz", version=np.array(99)),
        "version [1, 1]": variant("vlist.npz", version=np.array([1, 1])),
        "no format marker": variant("noformat.npz", format=None),
        "config not JSON": variant("badjson.npz", config=np.array("{rule: blog")),
        "config a JSON list": variant("jsonlist.npz", config=np.array("[1, 2]")),
        "config of numbers": variant("confignum.npz", config=np.arange(3)),
        "no config": variant("noconfig.npz", config=None),
        "no snapshots": variant("nosnap.npz", snapshots=None),
        "snapshots of strings": variant("strsnap.npz", snapshots=np.full(run.snapshots.shape, "a")),
        "snapshots with NaN": variant("nansnap.npz", snapshots=np.full(run.snapshots.shape, np.nan)),
        "snapshots 3-D": variant("flat.npz", snapshots=np.zeros((4, 2, 3))),
        "snapshots of the wrong depth": variant("depth.npz", snapshots=np.zeros((4, 2, 2, 5, 2, 2))),
        "a metric of the wrong length": variant("metric.npz", metric_test_accuracy=np.zeros((2, 2))),
        "a metric of strings": variant("metricstr.npz", metric_test_accuracy=np.full((4, 2), "x")),
        "a metric with NaN": variant("metricnan.npz", metric_test_accuracy=np.full((4, 2), np.nan)),
        "a header claiming 80 GB": _huge_header_file(base / "huge.npz"),
    }
    for key in ("rule", "alignment", "depth", "width", "bias", "seeds"):
        config = dict(run.config)
        del config[key]
        files[f"config lacking {key}"] = variant(f"lack_{key}.npz", config=np.array(json.dumps(config)))
    for key, value in {"rule": "magic", "depth": "ten", "width": -2, "seeds": "a", "bias": "no", "step": "fast",
                       "alignment": 3, "seeds as floats": [0.5, 1.5], "step per network, wrong length": [0.1, 0.2, 0.3],
                       "epochs": -1}.items():
        config = dict(run.config)
        name = key.split(" ")[0]
        config[name] = value
        files[f"config {key}={value!r}"] = variant(f"wrong_{len(files)}.npz", config=np.array(json.dumps(config)))
    files["an object array (pickle)"] = (lambda p: (np.savez(p, **{**good, "snapshots": np.array([{}, 1], dtype=object)}), p)[1])(base / "pickle.npz")
    for label, path in files.items():
        words = ("mispelled",) if label.startswith("a missing") else ()
        if isinstance(path, tuple):
            path, words = path
        path = pathlib.Path(path)

        def load(path=path):
            back = hc.Run.load(path)
            # A run that loads must also draw: that is where a bad file would crash later.
            hv.SnapshotView(back, blit=False).render()
            return back
        cases.append(Case(f"Run.load({label})", load, names=words or (path.name,), group="load"))
    cases.append(Case("Run.load(None)", call(hc.Run.load, None), names=("path",), group="load"))
    cases.append(Case("Run.load(3)", call(hc.Run.load, 3), names=("path",), group="load"))
    return cases


def save_cases():
    cases = []
    base = tmpdir()
    run = small_run()

    def plain_name():
        here = os.getcwd()
        os.chdir(base)
        try:
            run.save("myrun")
            return hc.Run.load("myrun")
        finally:
            os.chdir(here)
    cases.append(Case("run.save('myrun'); Run.load('myrun')", plain_name, expect="answer",
                      check=lambda back: None if np.array_equal(back.snapshots, run.snapshots) else (SILENT, "differs"),
                      group="save"))

    def old_name():
        path = base / "legacy"
        np.savez_compressed(path, **_good_arrays(run))         # what numpy writes for "legacy": legacy.npz
        return hc.Run.load(path)
    cases.append(Case("Run.load('legacy') where only legacy.npz exists", old_name, names=("legacy.npz",),
                      group="save"))
    cases.append(Case("run.save(into a directory)", lambda: run.save(base), names=(base.name,), group="save"))
    cases.append(Case("run.save(in a missing folder)", lambda: run.save(base / "nope" / "deeper" / "r.npz"),
                      names=("nope",), group="save"))
    cases.append(Case("run.save(None)", lambda: run.save(None), names=("path",), group="save"))
    cases.append(Case("run.save(3.5)", lambda: run.save(3.5), names=("path",), group="save"))

    def numpy_config():
        bad = hc.Run(dict(run.config, seeds=np.array(run.config["seeds"]), depth=np.int64(3)), run.snapshots,
                     run.metrics)
        path = base / "numpyconfig.npz"
        bad.save(path)
        return hc.Run.load(path)
    cases.append(Case("a Run whose config holds numpy values saves", numpy_config, expect="answer", group="save"))

    def unjsonable():
        bad = hc.Run(dict(run.config, note=object()), run.snapshots, run.metrics)
        path = base / "unjson.npz"
        if path.exists():
            path.unlink()
        try:
            return bad.save(path)
        finally:
            if path.exists():
                try:
                    hc.Run.load(path)
                except Exception:
                    _BROKEN.append(path)
    cases.append(Case("a Run whose config holds an object", unjsonable, names=("config",),
                      files=lambda: "half-written file left" if base / "unjson.npz" in _BROKEN else None, group="save"))
    return cases


_BROKEN = []

# --- faults in another process ---------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, signal, sys, json, resource, time
    sys.path.insert(0, {root!r})
    import numpy as np
    import heatex_core as hc
    mode, path = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(int(sys.argv[3]))
    snapshots = rng.normal(size=(40, 4, 2, 10, 16, 16))       # ~13 MB that hardly compresses
    config = dict(rule="blog", alignment="blog", depth=10, width=16, bias=False, seeds=[0, 1, 2, 3],
                  step=[0.001] * 4, pull_previous=[1.0] * 4, pull_partner=[1.0] * 4, hidden_pull=[0.0] * 4,
                  init_scale=1.0, epochs=39, tag=int(sys.argv[3]))
    run = hc.Run(config, snapshots, {{}})
    if mode == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(sys.argv[4])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            run.save(path)
            print(json.dumps({{"raised": None}}))
        except Exception as e:
            print(json.dumps({{"raised": type(e).__name__, "message": str(e)}}))
    elif mode == "loop":
        print("ready", flush=True)
        try:
            while True:
                run.save(path)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
""")


def _child(*args, **kw):
    script = CHILD.format(root=str(CODE))
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _loads(path, tags):
    tags = tags if isinstance(tags, (list, tuple)) else [tags]
    try:
        back = hc.Run.load(path)
    except Exception as e:
        return f"{type(e).__name__}: {str(e)[:120]}"
    return bool(back.config.get("tag") in tags and np.all(np.isfinite(back.snapshots)))


def _stale_files(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def fault_cases():
    cases = []
    base = tmpdir()

    def seed_file(path, tag):
        script = CHILD.format(root=str(CODE)).replace('mode, path = sys.argv[1], sys.argv[2]',
                                                      'mode, path = "once", sys.argv[2]')
        subprocess.run([sys.executable, "-c", script + "\nrun.save(path)\n", "once", str(path), str(tag)],
                       check=True, capture_output=True)

    # 1. A full disk: a file-size limit below the run's size.
    for limit in (0, 4096, 1_000_000, 5_000_000):
        path = base / f"full_disk_{limit}.npz"
        seed_file(path, 1)
        box = {}

        def full(path=path, limit=limit, box=box):
            proc = _child("fsize", path, 2, limit)
            out, err = proc.communicate(timeout=120)
            box["out"] = out
            reply = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"raised": "crash", "message": err[-300:]}
            if reply["raised"] is None:
                return "saved"
            if reply["raised"] in ("OSError", "PermissionError"):
                raise OSError(reply["message"])
            raise RuntimeError(f"{reply['raised']}: {reply['message']}")

        def intact(path=path):
            ok = _loads(path, 1)
            if ok is not True:
                return f"the good file no longer loads after a failed save: {ok}"
            stale = _stale_files(base, {p.name for p in base.iterdir() if p.suffix == ".npz"})
            if stale:
                return f"left behind: {stale}"
            return None
        cases.append(Case(f"save over a good run with {limit} bytes of disk left", full, names=(path.name,),
                          files=intact, group="faults"))

    # 2. A process killed (SIGKILL) or interrupted (SIGINT, a kernel's interrupt) while it saves.
    rng = np.random.default_rng(7)
    for n, sig in enumerate([signal.SIGKILL] * 5 + [signal.SIGINT] * 3):
        path = base / f"killed_{n}.npz"
        seed_file(path, 1)
        wait = float(rng.uniform(0.05, 1.5))

        def killed(path=path, sig=sig, wait=wait):
            proc = _child("loop", path, 2)
            proc.stdout.readline()
            time.sleep(wait)
            proc.send_signal(sig)
            proc.wait(60)
            return None

        def survived(path=path, sig=sig):
            ok = _loads(path, [1, 2])
            if ok is not True:
                return f"after {signal.Signals(sig).name} mid-save the file does not load: {ok}"
            if sig == signal.SIGKILL:
                # the next save tidies what the killed process could not
                hc.Run.load(path).save(path)
            stale = [p for p in _stale_files(base, {p.name for p in base.iterdir() if p.suffix == ".npz"})]
            if stale:
                return f"left behind: {stale}"
            return None
        cases.append(Case(f"{signal.Signals(sig).name} after {wait:.2f} s of saving in a loop", killed,
                          expect="answer", files=survived, group="faults"))

    # 3. A reader and a writer on one path.
    for n in range(3):
        path = base / f"shared_{n}.npz"
        seed_file(path, 1)

        def reader(path=path):
            proc = _child("loop", path, 2)
            proc.stdout.readline()
            failures, reads, end = [], 0, time.time() + 4
            while time.time() < end:
                ok = _loads(path, [1, 2])
                reads += 1
                if ok is not True:
                    failures.append(ok)
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
            return reads, failures

        cases.append(Case(f"a reader loading while another process saves ({n + 1})", reader, expect="answer",
                          check=lambda r: (ANSWER, f"{r[0]} loads, every one whole") if not r[1] else
                          (LOST, f"{len(r[1])} of {r[0]} loads failed: {r[1][0]}"),
                          group="faults"))
    return cases


# --- the views ----------------------------------------------------------------------

def view_cases():
    cases = []
    run = small_run
    data = small_data
    out = tmpdir()
    for label, value in {"0": 0, "-5": -5, "nan": np.nan, "'10'": "10", "None": None, "1e9": 1e9}.items():
        cases.append(Case(f"export_gif(fps={label})", lambda v=value: hv.export_gif(run(), out / "a.gif", fps=v),
                          names=("fps",), group="views"))
    for label, value in {"0": 0, "-5": -5, "nan": np.nan, "'60'": "60", "1e6": 1e6}.items():
        cases.append(Case(f"export_gif(dpi={label})", lambda v=value: hv.export_gif(run(), out / "b.gif", dpi=v),
                          names=("dpi",), group="views"))
        cases.append(Case(f"SnapshotView(dpi={label})", lambda v=value: hv.SnapshotView(run(), dpi=v),
                          names=("dpi",), group="views"))
    for label, value in {"(0, 4)": (0, 4), "(-1, 2)": (-1, 2), "'big'": "big", "None": None, "(1e5, 1e5)": (1e5, 1e5),
                         "(nan, 3)": (np.nan, 3)}.items():
        cases.append(Case(f"SnapshotView(figsize={label})", lambda v=value: hv.SnapshotView(run(), figsize=v),
                          names=("figsize",), group="views"))
        cases.append(Case(f"Scrubber(figsize={label})", lambda v=value: hv.Scrubber(run(), figsize=v),
                          names=("figsize",), group="views"))
    for label, value in {"[]": [], "[99]": [99], "[-99]": [-99], "[1.5]": [1.5], "'all'": "all", "3": 3}.items():
        cases.append(Case(f"export_gif(frames={label})", lambda v=value: hv.export_gif(run(), out / "c.gif", frames=v),
                          names=("frames",) if label in ("[]", "'all'", "3") else ("snapshot",), group="views"))
        cases.append(Case(f"animation(frames={label})", lambda v=value: hv.animation(run(), frames=v),
                          names=("frames",) if label in ("[]", "'all'", "3") else ("snapshot",), group="views"))
    for label, value in {"'film.png'": "film.png", "a folder": out, "None": None}.items():
        cases.append(Case(f"export_gif(path={label})", lambda v=value: hv.export_gif(run(), v),
                          names=("path",) if label == "None" else ("gif",), group="views"))
    cases.append(Case("export_gif(writer='pillow')", lambda: hv.export_gif(run(), out / "d.gif", writer="pillow"),
                      names=("writer",), group="views"))
    cases.append(Case("export_gif(view='view')", lambda: hv.export_gif(run(), out / "d.gif", view="view"),
                      names=("view",), group="views"))
    for label, value in {"0": 0, "-5": -5, "nan": np.nan, "'fast'": "fast", "None": None}.items():
        cases.append(Case(f"Scrubber(interval={label})", lambda v=value: hv.Scrubber(run(), interval=v),
                          names=("interval",), group="views"))
        cases.append(Case(f"animation(interval={label})", lambda v=value: hv.animation(run(), interval=v),
                          names=("interval",), group="views"))
    for label, value in {"None": None, "a HeatExchanger": hc.HeatExchanger.build(2, 2), "a dict": {}}.items():
        for name, f in {"Scrubber": hv.Scrubber, "SnapshotView": hv.SnapshotView, "plot_learning_curves": hv.plot_learning_curves,
                        "animation": hv.animation}.items():
            cases.append(Case(f"{name}({label})", lambda f=f, v=value: f(v), names=("run",), group="views"))
        cases.append(Case(f"export_gif({label})", lambda v=value: hv.export_gif(v, out / "e.gif"), names=("run",),
                          group="views"))
    for label, value in {"5": 5, "-1": -1, "1.5": 1.5, "'0'": "0"}.items():
        cases.append(Case(f"SnapshotView(network={label})", lambda v=value: hv.SnapshotView(run(), network=v),
                          names=("network",), group="views"))
        cases.append(Case(f"plot_learning_curves(network={label})", lambda v=value: hv.plot_learning_curves(run(), network=v),
                          names=("network",), group="views"))
    for label, value in {"-1": -1, "0": 0, "nan": np.nan, "inf": np.inf, "'a'": "a"}.items():
        cases.append(Case(f"plot_weights(vmax={label})",
                          lambda v=value: hv.plot_weights(run().snapshots[0, 0], vmax=v), names=("vmax",),
                          group="views"))
        cases.append(Case(f"weight_norm({label})", lambda v=value: hv.weight_norm(v), names=("vmax",), group="views"))
    cases.append(Case("plot_weights(scale='log')", lambda: hv.plot_weights(run().snapshots[0, 0], scale="log"),
                      names=("scale",), group="views"))
    cases.append(Case("plot_weights(NaN weights)", lambda: hv.plot_weights(np.full((2, 3, 2, 2), np.nan)),
                      names=("weights",), group="views"))
    cases.append(Case("plot_weights(None)", lambda: hv.plot_weights(None), names=("weights",), group="views"))
    cases.append(Case("plot_weights(wrong shape)", lambda: hv.plot_weights(np.zeros((3, 2, 2))), names=("weights",),
                      group="views"))
    cases.append(Case("compare_weights(shapes differ)",
                      lambda: hv.compare_weights(np.zeros((2, 3, 2, 2)), np.zeros((2, 4, 2, 2))), names=("before",),
                      group="views"))
    cases.append(Case("compare_weights(NaN after)",
                      lambda: hv.compare_weights(np.zeros((2, 3, 2, 2)), np.full((2, 3, 2, 2), np.nan)),
                      names=("after",), group="views"))
    for label, value in {"10**4": 10**4, "0": 0, "-1": -1, "2.5": 2.5, "'3'": "3", "None": None}.items():
        cases.append(Case(f"draw_pipes({label})", lambda v=value: hv.draw_pipes(v), names=("depth",), group="views"))
        if label != "10**4":
            cases.append(Case(f"exchange_pairs({label})", lambda v=value: hv.exchange_pairs(v, "blog"),
                              names=("depth",), group="views"))
    cases.append(Case("draw_pipes(alignment='x')", lambda: hv.draw_pipes(3, "x"), names=("alignment",), group="views"))
    cases.append(Case("draw_pipes(mismatch of the wrong shape)", lambda: hv.draw_pipes(3, mismatch=np.zeros((2, 4))),
                      names=("mismatch",), group="views"))
    cases.append(Case("draw_pipes(mismatch with NaN)", lambda: hv.draw_pipes(3, mismatch=np.full((2, 3), np.nan)),
                      names=("mismatch",), group="views"))
    cases.append(Case("draw_pipes(mismatch negative)", lambda: hv.draw_pipes(3, mismatch=-np.ones((2, 3))),
                      names=("mismatch",), group="views"))
    for label, value in {"1": 1, "2.5": 2.5, "10**5": 10**5, "None": None}.items():
        cases.append(Case(f"decision_grid({label})", lambda v=value: hv.decision_grid(v), names=("resolution",),
                          group="views"))
        cases.append(Case(f"SnapshotView(resolution={label})", lambda v=value: hv.SnapshotView(run(), resolution=v),
                          names=("resolution",), group="views"))
    cases.append(Case("decision_map(weights 2-D)", lambda: hv.decision_map(np.zeros((2, 2)), hv.decision_grid(3)),
                      names=("forward_weights",), group="views"))
    cases.append(Case("decision_map(grid of 3 columns)", lambda: hv.decision_map(np.zeros((3, 2, 2)), np.zeros((4, 3))),
                      names=("grid",), group="views"))
    cases.append(Case("decision_map(width=1)", lambda: hv.decision_map(np.zeros((3, 2, 2)), hv.decision_grid(3), width=1),
                      names=("width",), group="views"))
    for label, (epochs, count) in {"count 0": (10, 0), "count -1": (10, -1), "count 2.5": (10, 2.5),
                                   "epochs -1": (-1, 3), "epochs 'a'": ("a", 3), "epochs 2.5": (2.5, 3)}.items():
        cases.append(Case(f"snapshot_frames({label})", lambda e=epochs, c=count: hv.snapshot_frames(e, c),
                          names=(label.split(" ")[0],), group="views"))
    cases.append(Case("plot_circle_data(split='val')", lambda: hv.plot_circle_data(data(), split="val"),
                      names=("split",), group="views"))
    cases.append(Case("plot_circle_data(None)", lambda: hv.plot_circle_data(None), names=("data",), group="views"))
    cases.append(Case("plot_learning_curves(run, data=5)", lambda: hv.plot_learning_curves(run(), data=5),
                      names=("data",), group="views"))
    cases.append(Case("SnapshotView(run, data=of another width)",
                      lambda: hv.SnapshotView(run(), data=hc.circle_data(20, 10, width=3)), names=("data",),
                      group="views"))
    cases.append(Case("SnapshotView(scale='log')", lambda: hv.SnapshotView(run(), scale="log"), names=("scale",),
                      group="views"))
    for label, value in {"99": 99, "-99": -99, "1.5": 1.5, "'1'": "1"}.items():
        # late=2: the view's own first frame, and the refused call itself (the counter sees every call)
        cases.append(Case(f"view.update({label})", lambda v=value: hv.SnapshotView(run(), blit=False).update(v),
                          names=("snapshot",), group="views", late=2))
        cases.append(Case(f"scrubber.show({label})", lambda v=value: hv.Scrubber(run()).show(v),
                          names=("snapshot",), group="views", late=2))
    cases.append(Case("largest_section(wrong shape)", lambda: hv.largest_section(np.zeros((3, 4))),
                      names=("per_section",), group="views"))
    cases.append(Case("largest_section(NaN)", lambda: hv.largest_section(np.full((2, 3), np.nan)),
                      names=("per_section",), group="views"))

    # A thinned run: the views must label snapshots with their epochs.
    def thinned_view():
        try:
            thin = hc.train(hc.HeatExchanger.build(3, 2, seeds=[1, 2], step=0.01), data(), 7, progress=False,
                            snapshot_every=3)
        except TypeError:
            thin = hc.Run(small_run().config, small_run().snapshots[[0, 2, 3]],
                          {k: v[[0, 2, 3]] for k, v in small_run().metrics.items()})
        view = hv.SnapshotView(thin, data(), blit=False, title=True)
        view.update(2)
        scrub = hv.Scrubber(thin, data())
        scrub.show(-1)
        hv.export_gif(thin, out / "thin.gif", data())
        hv.plot_learning_curves(thin, data())
        return thin, view.title.get_text(), view.caption(1), scrub.readout.value
    expected = {"title": "epoch 6", "caption": "after epoch 3"}

    def labelled(result):
        thin, title, caption, readout = result
        if not getattr(thin, "snapshot_epochs", None) is not None:
            return SILENT, "the run does not say which epochs its snapshots are"
        if not title.startswith(expected["title"]) or expected["caption"] not in caption or "after epoch 7" not in readout:
            return SILENT, f"labels: {title!r}, {caption!r}, {readout!r}"
        return None
    cases.append(Case("the views label a run kept every 3 epochs", thinned_view, expect="answer", check=labelled,
                      group="views"))
    return cases


def all_cases(faults=True):
    cases = (settings_cases() + seed_cases() + shape_cases() + object_cases() + learn_cases() + data_cases()
             + train_cases() + memory_cases() + load_cases() + save_cases() + view_cases())
    if faults:
        cases += fault_cases()
    return cases


def run_battery(faults=True, verbose=False, only=None):
    try:
        return _run_battery(faults, verbose, only)
    finally:
        import shutil
        while _SCRATCH:
            shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)
        _RUN.clear()


def _run_battery(faults, verbose, only):
    cases = all_cases(faults)
    if only:
        cases = [c for c in cases if only in c.name or only == c.group]
    results = []
    for case in cases:
        try:
            result = classify(case)
        except Exception as e:       # a fault in the battery itself is reported, not hidden
            result = Result(case, UNCLEAR, f"battery could not classify: {type(e).__name__}: {e}")
            traceback.print_exc()
        results.append(result)
        if verbose:
            print(f"[{result.outcome:>24}] {case.group:>10} | {case.name} -- {result.detail}", flush=True)
    return results


def summary(results):
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES}
    lines = [f"{len(results)} cases"] + [f"  {outcome:<26} {counts[outcome]:>4}" for outcome in OUTCOMES]
    groups = sorted({r.case.group for r in results})
    lines.append("by group (" + ", ".join(OUTCOMES) + "):")
    for g in groups:
        mine = [r for r in results if r.case.group == g]
        lines.append(f"  {g:<11}" + " ".join(f"{sum(r.outcome == o for r in mine):>4}" for o in OUTCOMES))
    return counts, "\n".join(lines)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    parser.add_argument("--bad", action="store_true", help="list only the cases with a bad outcome")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault simulations in other processes")
    parser.add_argument("--only", help="cases whose name contains this, or a group")
    args = parser.parse_args()
    results = run_battery(faults=not args.no_faults, verbose=args.verbose, only=args.only)
    if args.bad:
        for r in results:
            if r.outcome in BAD:
                print(f"[{r.outcome:>24}] {r.case.group:>10} | {r.case.name} -- {r.detail}")
    counts, text = summary(results)
    print(text)
    sys.exit(1 if any(counts[o] for o in BAD) else 0)
