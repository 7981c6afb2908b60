"""A second battery, for issue 20: the seven classes of failure around what tests/battery.py holds.

Written as a new user and a hostile one would, aimed at the classes, not at single cases:

1. ``stop``: every way out of ``train`` and ``learn`` (Ctrl-C, a warning raised as an error, a rule's
   own exception, divergence) keeps the finished epochs and leaves the exchanger at the end of one;
2. ``state``: objects changed after they were made (an exchanger's settings, a Dataset, a Run) are
   checked where they are used, and ``Run(...)``, ``save`` and ``load`` agree;
3. ``rules``: what a rule returns is checked; ``register_rule`` and ``is_local`` take what they should
   and refuse what they cannot test;
4. ``files``: the save's own failure classes (modes, links, special files, temporaries, causes) and
   the GIF export written whole;
5. ``hints``: the growth warning and the divergence error name the setting that caused them, and a
   setting far outside what its rule can use is refused or warned about when the exchanger is built;
6. ``edges``: huge requests, public helpers on NaN and wrong shapes, bad axes, radii, fps;
7. ``surface``: junk through public functions, one argument at a time.

Each case is classified as tests/battery.py classifies (clear error, right answer, unclear error,
silent or wrong answer, NaN, lost or half-written file), plus *hangs*: a case that takes more than
``LIMIT`` seconds. ``python tests/battery_second.py -v`` prints the table;
``HEATEX_BATTERY_CODE=/path/to/checkout`` runs it against another checkout's code (as battery.py).
"""
from __future__ import annotations

import errno
import functools
import json
import math
import os
import pathlib
import signal
import stat
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import battery  # noqa: E402  (tests/battery.py: the classifier, the fixtures, and CODE on sys.path)
from battery import (ANSWER, CLEAR, LOST, NAN, SILENT, UNCLEAR, Case, Result, Warned, call, mentions,  # noqa: E402
                     small_data, small_run, tmpdir, told)

import heatex_core as hc  # noqa: E402
import heatex_lab as hl  # noqa: E402
import heatex_viz as hv  # noqa: E402

HANG = "hangs"
OUTCOMES = (CLEAR, ANSWER, UNCLEAR, SILENT, NAN, LOST, HANG)
BAD = (UNCLEAR, SILENT, NAN, LOST, HANG)
LIMIT = 60


class Hang(Exception):
    pass


def classify(case):
    """battery.classify, with a time limit: a case still running after LIMIT seconds hangs."""
    def alarm(signum, frame):
        raise Hang()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(LIMIT)
    start = time.perf_counter()
    try:
        return battery.classify(case)
    except Hang:
        return Result(case, HANG, f"still running after {LIMIT} s", time.perf_counter() - start)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- 1. stop: every way out of training keeps what finished ---------------------------------

class Stopped:
    """What a call that was stopped returns to the battery: the exception, the exchanger, the epochs."""

    def __init__(self, error, net, epochs):
        self.error, self.net, self.epochs = error, net, epochs


def stopped(error, net, epochs):
    return Stopped(error, net, epochs)


def kept_run(result):
    """The check of a stopped train: the exception carries a Run of the finished epochs, the exchanger
    is at its last snapshot, finite, and training on from there matches a run never stopped."""
    if not isinstance(result, Stopped):
        return SILENT, "train was not stopped"
    run = getattr(result.error, "run", None)
    if not isinstance(run, hc.Run):
        return LOST, f"{type(result.error).__name__} carries no run: every finished epoch is lost"
    if not np.all(np.isfinite(result.net.weights)):
        return NAN, "the exchanger is left with NaN"
    if not np.array_equal(run.snapshots[-1], result.net.weights):
        return LOST, "the exchanger is not at the run's last snapshot (left part-way through an epoch)"
    if run.epochs != int(run.snapshot_epochs[-1]) or run.config.get("epochs") != run.epochs:
        return SILENT, f"the run says {run.config.get('epochs')} epochs but ends at {run.snapshot_epochs[-1]}"
    text = str(result.error) + " ".join(getattr(result.error, "__notes__", []))
    if not isinstance(result.error, hc.DivergenceError) and ".run" not in text:
        return UNCLEAR, "nothing says where the finished epochs are"
    return None


def counting_rule(base, fail_at, exception):
    """A rule that behaves as ``base`` and raises ``exception`` on its ``fail_at``-th call."""
    calls = {"n": 0}

    def rule(weights, acts, partner, settings):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise exception
        return base(weights, acts, partner, settings)
    rule.calls = calls
    return rule


def interrupted_train(fail_at, every, k, exception, rule_name):
    def go():
        data = small_data()
        rule = counting_rule(hc.schmidhuber_rule, fail_at, exception)
        hl.register_rule(rule, name=rule_name)
        net = hc.HeatExchanger.build(3, 2, seeds=list(range(k)), rule=rule_name, step=0.1)
        try:
            hc.train(net, data, 6, progress=False, snapshot_every=every)
        except BaseException as error:       # KeyboardInterrupt too: what the student presses
            return stopped(error, net, 6)
        return None
    return go


def stop_cases():
    cases = []
    n = 0
    for fail_at in (1, 7, 25, 41, 60, 99):           # 20 samples an epoch: inside epochs 1, 1, 2, 3, 3, 5
        for every in (1, 2, 4):
            for k in (1, 3):
                for label, exception in (("Ctrl-C", KeyboardInterrupt()), ("the rule's RuntimeError",
                                                                             RuntimeError("my rule broke"))):
                    n += 1
                    cases.append(Case(f"{label} at step {fail_at} of train (snapshot_every={every}, {k} networks)",
                                      interrupted_train(fail_at, every, k, exception, f"stopping_{n}"),
                                      expect="answer", check=kept_run, group="stop"))

    def growth_as_error(rule, **settings):
        def go():
            net = hc.HeatExchanger.build(3, 2, rule=rule, **settings)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                warnings.simplefilter("error", hc.WeightGrowthWarning)
                try:
                    hc.train(net, small_data(), 6, progress=False)
                except (hc.WeightGrowthWarning, hc.DivergenceError) as error:
                    return stopped(error, net, 6)
            return None
        return go
    for rule, settings in (("schmidhuber", dict(step=1e5, bias=True)), ("schmidhuber", dict(step=1e6, bias=True)),
                           ("end_exchange", dict(step=1e5, hidden_pull=1.0)), ("end_exchange", dict(step=1e6, bias=True)),
                           ("schmidhuber", dict(step=3e4, bias=True, seeds=[0, 1, 2]))):
        cases.append(Case(f"a WeightGrowthWarning as an error ({rule}, {settings})", growth_as_error(rule, **settings),
                          expect="answer", check=kept_run, group="stop"))

    def diverging(rule, **settings):
        def go():
            net = hc.HeatExchanger.build(3, 2, rule=rule, **settings)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    hc.train(net, small_data(), 5, progress=False, snapshot_every=2)
                except hc.DivergenceError as error:
                    return stopped(error, net, 5)
            return None
        return go
    for rule, settings in (("schmidhuber", dict(step=1e300)), ("backprop", dict(step=1e300, seeds=[0, 1])),
                           ("blog", dict(step=1e6, seeds=2))):
        cases.append(Case(f"divergence with snapshot_every=2 ({rule}, {settings})", diverging(rule, **settings),
                          expect="answer", check=lambda r: kept_run(r) if isinstance(r, Stopped) else None,
                          group="stop"))

    def learn_stopped(exception, n):
        def go():
            rule = counting_rule(hc.schmidhuber_rule, 1, exception)
            hl.register_rule(rule, name=f"learn_stop_{n}")
            net = hc.HeatExchanger.build(3, 2, rule=f"learn_stop_{n}", step=0.1)
            before = net.weights.copy()
            try:
                net.learn([0.1, 0.2], [1.0, 1.0])
            except BaseException as error:
                return error, before, net.weights.copy()
            return None
        return go

    def learn_kept(result):
        if result is None:
            return SILENT, "learn was not stopped"
        error, before, after = result
        return None if np.array_equal(before, after) else (LOST, "learn left the weights part-way through its step")
    for n, exception in enumerate((KeyboardInterrupt(), RuntimeError("x"), ZeroDivisionError("y"))):
        cases.append(Case(f"learn stopped by {type(exception).__name__} inside the rule", learn_stopped(exception, n),
                          expect="answer", check=learn_kept, group="stop"))
    return cases


# --- 2. state: objects changed after they were made ---------------------------------------------

class Unreadable:
    """What save wrote and load then refused: a file that cannot be read back."""

    def __init__(self, error):
        self.error = error


def unreadable(result):
    if isinstance(result, Unreadable):
        return LOST, f"save wrote a file that load refuses: {str(result.error)[:150]}"
    return None


SETTINGS = ("step", "pull_previous", "pull_partner", "hidden_pull", "init_scale")
DIFFERENCE = ("difference", "inverse_step", "inverse_noise")


def changed_net(name, value, rule="schmidhuber"):
    net = hc.HeatExchanger.build(2, 2, seeds=[0, 1], rule=rule)
    setattr(net, name, value)
    return net


def state_cases():
    cases = []
    bad = {"-1": -1.0, "nan": math.nan, "'fast'": "fast", "three for two networks": [0.1, 0.2, 0.3], "None": None,
           "inf": math.inf}
    uses = {"train": lambda net: hc.train(net, small_data(), 2, progress=False),
            "learn": lambda net: net.learn([0.1, 0.2], [1.0, 1.0]),
            "measure": lambda net: hc.measure(net, small_data()),
            "config": lambda net: net.config()}
    for name in SETTINGS + DIFFERENCE:
        rule = "difference_exchange" if name in DIFFERENCE else "schmidhuber"
        for label, value in bad.items():
            for use in (("train", "learn") if label in ("-1", "nan", "'fast'") else ("train",)):
                cases.append(Case(f"net.{name} = {label} after building, then {use}",
                                  lambda name=name, value=value, rule=rule, use=use: uses[use](changed_net(name, value, rule)),
                                  names=(name,), group="state"))
    for name in ("difference", "inverse_step", "inverse_noise"):
        cases.append(Case(f"net.{name} = 0.5 on a schmidhuber exchanger, then train",
                          lambda name=name: uses["train"](changed_net(name, 0.5)), names=(name,), group="state"))
    for use in uses:
        cases.append(Case(f"net.rule = 'nope', then {use}", lambda use=use: uses[use](changed_net("rule", "nope")),
                          names=("rule",), group="state"))
        cases.append(Case(f"net.alignment = 'sideways', then {use}",
                          lambda use=use: uses[use](changed_net("alignment", "sideways")), names=("alignment",),
                          group="state"))
    for label, value in {"[5, 6]": [5, 6], "[-1, 2]": [-1, 2], "'a'": "a", "[0]": [0]}.items():
        cases.append(Case(f"net.seeds = {label} after building, then train (the config would lie)",
                          lambda value=value: uses["train"](changed_net("seeds", value)), names=("seeds",),
                          group="state"))
    for label, value in {"None": None, "[]": [], "one generator for two networks": [np.random.default_rng(0)],
                         "numbers": [1, 2]}.items():
        cases.append(Case(f"net.rngs = {label}, then train", lambda value=value: uses["train"](changed_net("rngs", value)),
                          names=("rngs",), group="state"))
    cases.append(Case("net.alignment = 'blog' on the difference exchange, then learn",
                      lambda: uses["learn"](changed_net("alignment", "blog", "difference_exchange")),
                      names=("alignment",), group="state"))
    cases.append(Case("net.bias = True after building without one, then train",
                      lambda: uses["train"](changed_net("bias", True)), names=("bias",), group="state"))

    def changed_data(key, value):
        data = hc.circle_data(20, 10, seed=3)
        setattr(data, key, value)
        return data
    for key, label, value in (("x_train", "NaN", np.full((20, 2), np.nan)), ("y_test", "labels of 2", np.full((10, 2), 2.0)),
                              ("x_test", "3 wide", np.zeros((10, 3))), ("y_train", "one row short", np.zeros((19, 2))),
                              ("x_train", "text", np.full((20, 2), "a"))):
        for use in ("measure", "train"):
            cases.append(Case(f"data.{key} = {label} after making it, then {use}",
                              lambda key=key, value=value, use=use: (hc.measure if use == "measure" else
                                                                     lambda n, d: hc.train(n, d, 1, progress=False))(
                                  hc.HeatExchanger.build(2, 2), changed_data(key, value)),
                              names=(key,), group="state"))
        cases.append(Case(f"data.{key} = {label}, then majority_accuracy",
                          lambda key=key, value=value: hc.majority_accuracy(changed_data(key, value)),
                          names=(key,), group="state"))

    # Run(...), save and load agree: what Run accepts saves and loads, what load refuses Run refuses.
    def run_variant(**changes):
        run = small_run()
        parts = dict(config=dict(run.config), snapshots=run.snapshots, metrics=dict(run.metrics),
                     snapshot_epochs=run.snapshot_epochs)
        parts.update(changes)
        return parts

    def made_saved_loaded(parts):
        def go():
            made = hc.Run(**parts)              # a refusal here is what is asked for
            path = tmpdir() / "variant.npz"
            made.save(path)
            try:
                hc.Run.load(path)
            except Exception as error:
                return Unreadable(error)
            return made
        return go

    def same_back(result):
        made, back = result
        if not np.array_equal(made.snapshot_epochs, back.snapshot_epochs):
            return SILENT, "the epochs changed on the way to the file and back"
        return None
    run = small_run
    variants = {
        "sliced to its first 2 snapshots": lambda: run_variant(snapshots=run().snapshots[:2],
                                                               metrics={k: v[:2] for k, v in run().metrics.items()},
                                                               snapshot_epochs=None),
        "an empty config": lambda: run_variant(config={}),
        "a config of 3 seeds for 2 networks": lambda: run_variant(config=dict(run().config, seeds=[1, 2, 3])),
        "NaN in the snapshots": lambda: run_variant(snapshots=np.where(True, np.nan, run().snapshots)),
        "inf in a metric": lambda: run_variant(metrics=dict(run().metrics, test_accuracy=np.full((4, 2), np.inf))),
        "epochs 0, 2, 1, 3": lambda: run_variant(snapshot_epochs=np.array([0, 2, 1, 3])),
        "a config that says 10 epochs": lambda: run_variant(config=dict(run().config, epochs=10)),
        "a rule no one registered": lambda: run_variant(config=dict(run().config, rule="rule_of_nobody")),
        "a config without the rule": lambda: run_variant(config={k: v for k, v in run().config.items() if k != "rule"}),
    }
    for label, make in variants.items():
        cases.append(Case(f"Run(...) of {label}: refused at once, not at load",
                          lambda make=make: made_saved_loaded(make())(), check=unreadable, group="state", names=()))

    def mutated_then_saved(mutate):
        def go():
            r = hc.Run(**run_variant())
            r.snapshots = r.snapshots.copy()
            mutate(r)
            path = tmpdir() / "mutated.npz"
            r.save(path)
            try:
                return hc.Run.load(path)
            except Exception as error:
                return Unreadable(error)
        return go
    for label, mutate in {"a NaN written into its snapshots": lambda r: r.snapshots.__setitem__((1, 0, 0, 0, 0, 0), np.nan),
                          "its snapshots cut to 2": lambda r: setattr(r, "snapshots", r.snapshots[:2]),
                          "its config's rule set to 'nope'": lambda r: r.config.__setitem__("rule", "nope"),
                          "its config emptied": lambda r: r.config.clear()}.items():
        cases.append(Case(f"a run changed after it was made ({label}), then saved", mutated_then_saved(mutate),
                          check=unreadable, group="state"))

    def sliced(index, expected):
        def go():
            return small_run()[index]

        def check(result):
            return None if list(result.snapshot_epochs) == expected else (SILENT, f"epochs {list(result.snapshot_epochs)}")
        return go, check
    for index, expected in ((slice(0, 2), [0, 1]), (slice(None, None, 2), [0, 2]), ([0, 3], [0, 3])):
        go, check = sliced(index, expected)
        cases.append(Case(f"run[{index}] keeps its epochs", go, expect="answer", check=check, group="state"))

    def thinned_then_sliced():
        thin = hc.train(hc.HeatExchanger.build(2, 2), small_data(), 9, progress=False, snapshot_every=3)
        part = thin[:3]
        path = tmpdir() / "thin_part.npz"
        part.save(path)
        return hc.Run.load(path)
    cases.append(Case("a run kept every 3 epochs, sliced to 3 snapshots, saved and loaded: epochs 0, 3, 6",
                      thinned_then_sliced, expect="answer",
                      check=lambda r: None if list(r.snapshot_epochs) == [0, 3, 6] else (SILENT, str(r.snapshot_epochs)),
                      group="state"))
    return cases


# --- 3. rules: what a rule returns, register_rule, is_local -------------------------------------

def rule_returning(value_of, n):
    def rule(weights, acts, partner, settings):
        return value_of(weights)
    name = f"returns_{n}"
    hl.register_rule(rule, name=name)
    return name


def rule_cases():
    cases = []
    returns = {
        "None": lambda w: None, "a number": lambda w: 0.01, "a list": lambda w: w.tolist(),
        "one section's shape": lambda w: np.zeros(w.shape[-2:]), "a row per network": lambda w: np.zeros((len(w), 1)),
        "the transposed change": lambda w: np.zeros(w.shape[::-1]), "complex numbers": lambda w: np.zeros(w.shape) * 1j,
        "text": lambda w: "change", "an object array": lambda w: np.full(w.shape, None, dtype=object),
        "NaN": lambda w: np.full(w.shape, np.nan), "inf": lambda w: np.full(w.shape, np.inf),
    }
    answers = {"whole numbers": lambda w: np.zeros(w.shape, dtype=int), "float32": lambda w: np.zeros(w.shape, np.float32),
               "booleans": lambda w: np.zeros(w.shape, dtype=bool)}
    n = 0
    for label, value_of in returns.items():
        for use in ("train", "learn", "change"):
            n += 1
            name = rule_returning(value_of, n)
            go = {"train": lambda name=name: hc.train(hc.HeatExchanger.build(2, 2, seeds=[0, 1, 2], rule=name), small_data(),
                                                      2, progress=False),
                  "learn": lambda name=name: hc.HeatExchanger.build(2, 2, seeds=[0, 1, 2], rule=name).learn([0.1, 0.2],
                                                                                                          [1.0, 1.0]),
                  "change": lambda name=name: hc.HeatExchanger.build(2, 2, rule=name, bias=True).network(0).change(
                      [0.1, 0.2], [1.0, 1.0])}[use]
            net_state = None
            cases.append(Case(f"a rule that returns {label}, in {use}", go, names=(name,), state=net_state,
                              group="rules"))
    for label, value_of in answers.items():
        n += 1
        name = rule_returning(value_of, n)
        cases.append(Case(f"a rule that returns {label} of the right shape trains",
                          lambda name=name: hc.train(hc.HeatExchanger.build(2, 2, rule=name), small_data(), 1,
                                                     progress=False), expect="answer", group="rules"))

    half = functools.partial(hc.end_exchange_rule)

    class Scaled:
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, weights, acts, partner, settings):
            return self.factor * hc.schmidhuber_rule(weights, acts, partner, settings)

    def registered(rule, **kw):
        def go():
            name = hl.register_rule(rule, **kw)
            run = hc.train(hc.HeatExchanger.build(2, 2, rule=name), small_data(), 1, progress=False)
            return name, run
        return go
    cases.append(Case("register_rule(functools.partial(end_exchange_rule))", registered(half), expect="answer",
                      group="rules"))
    cases.append(Case("register_rule(a callable object)", registered(Scaled(0.5)), expect="answer", group="rules"))
    cases.append(Case("register_rule(functools.partial, name='half')", registered(half, name="half"), expect="answer",
                      group="rules"))
    cases.append(Case("register_rule(a lambda) without a name", call(hl.register_rule, lambda w, a, p, s: w * 0),
                      names=("name",), group="rules"))
    cases.append(Case("register_rule(name='blog')", call(hl.register_rule, hc.schmidhuber_rule, name="blog"),
                      names=("blog",), group="rules"))
    cases.append(Case("register_rule(alignment=['paper'])", call(hl.register_rule, hc.schmidhuber_rule, name="x1",
                                                                 alignment=["paper"]), names=("alignment",),
                      group="rules"))
    for arg in ("trials", "depth", "width", "rows"):
        for value in (0, -1, 2.5, "3", None):
            cases.append(Case(f"is_local('backprop', {arg}={value!r})", call(hl.is_local, "backprop", **{arg: value}),
                              names=(arg,), group="rules"))

    def mixing(weights, acts, partner, settings):
        change = hc.schmidhuber_rule(weights, acts, partner, settings)
        return change + 0.1 * change[::-1]

    def mixing_settings(weights, acts, partner, settings):
        return hc.per_network(np.mean(settings.step), weights) * hc.schmidhuber_rule(weights, acts, partner, settings)

    def mixing_weights(weights, acts, partner, settings):
        return hc.schmidhuber_rule(weights, acts, partner, settings) * weights.mean(axis=0, keepdims=True)
    for label, rule in (("takes another network's change", mixing), ("uses every network's step", mixing_settings),
                        ("uses every network's weights", mixing_weights)):
        cases.append(Case(f"is_local of a rule that {label}", call(hl.is_local, rule), expect="answer",
                          check=lambda r: None if r is False else (SILENT, "called local"), group="rules"))
    cases.append(Case("is_local(a function of the wrong signature)", call(hl.is_local, lambda w: w), names=("rule",),
                      group="rules"))

    # A run of a registered rule, loaded in a fresh kernel: "register the rule first".
    def fresh_kernel_load():
        path = tmpdir() / "my_rule_run.npz"
        name = hl.register_rule(hc.end_exchange_rule, name="my_local_rule")
        hc.train(hc.HeatExchanger.build(2, 2, rule=name), small_data(), 1, progress=False).save(path)
        script = textwrap.dedent(f"""
            import sys, json
            sys.path.insert(0, {str(battery.CODE)!r})
            import heatex_core as hc
            try:
                hc.Run.load({str(path)!r})
                print(json.dumps(["returned", ""]))
            except Exception as e:
                print(json.dumps([type(e).__name__, str(e)]))
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120).stdout
        kind, message = json.loads(out.strip().splitlines()[-1])
        if kind == "returned":
            return "loaded"
        raise (ValueError if kind.endswith("Error") else RuntimeError)(f"{kind}: {message}")
    cases.append(Case("a run of a registered rule, loaded in a fresh kernel", fresh_kernel_load,
                      names=("register", "my_local_rule"), group="rules"))
    return cases


# --- 4. files: the save's own failure classes, and films written whole --------------------------

def file_cases():
    cases = []
    run = small_run

    def with_mode(mode):
        def go():
            path = tmpdir() / "moded.npz"
            run().save(path)
            os.chmod(path, mode)
            try:
                run().save(path)
            finally:
                found = stat.S_IMODE(os.stat(path).st_mode)
                os.chmod(path, 0o644)
            return found
        return go
    for mode in (0o600, 0o640, 0o664, 0o604):
        cases.append(Case(f"save over a file of mode {mode:o}: the mode stays", with_mode(mode), expect="answer",
                          check=lambda found, mode=mode: None if found == mode else (SILENT, f"mode {found:o}"),
                          group="files"))
    for mode in (0o444, 0o400, 0o555):
        cases.append(Case(f"save over a read-only file (mode {mode:o})", with_mode(mode), names=("read-only",),
                          group="files"))

    def through_link(dangling=False):
        def go():
            folder = tmpdir()
            target, link = folder / "target.npz", folder / "link.npz"
            if not dangling:
                run().save(target)
            link.symlink_to(target)
            run().save(link)
            return link.is_symlink(), hc.Run.load(target).epochs
        return go
    cases.append(Case("save to a symbolic link: the link stays and its target is written", through_link(),
                      expect="answer", check=lambda r: None if r[0] else (SILENT, "the link was replaced"),
                      group="files"))
    cases.append(Case("save to a dangling symbolic link", through_link(True), expect="answer",
                      check=lambda r: None if r[0] else (SILENT, "the link was replaced"), group="files"))

    # Devices are made in a scratch folder (a node of /dev/null's or /dev/zero's kind): code that replaces
    # what it should refuse then replaces that node, never the machine's own /dev/null.
    def special_path(kind):
        folder = tmpdir()
        if kind == "fifo":
            path = folder / "pipe.npz"
            os.mkfifo(path)
        elif kind == "loop":
            path = folder / "loop.npz"
            path.symlink_to(path)
        else:
            path = folder / f"{kind}.npz"
            minor = {"null": 3, "zero": 5, "urandom": 9}[kind]
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        return path

    def special(kind):
        return lambda: run().save(special_path(kind))
    for kind in ("fifo", "null", "zero", "loop"):
        cases.append(Case(f"save to {'a device like /dev/' if kind in ('null', 'zero') else 'a '}{kind}", special(kind),
                          names=(f"{kind if kind not in ('fifo',) else 'pipe'}.npz",), group="files"))

    def load_special(kind):
        return lambda: hc.Run.load(special_path(kind))
    for kind in ("fifo", "zero", "null", "urandom"):
        cases.append(Case(f"Run.load({'a device like /dev/' if kind != 'fifo' else 'a '}{kind}) answers at once",
                          load_special(kind), names=(f"{kind if kind != 'fifo' else 'pipe'}.npz",), group="files"))

    def long_name(n):
        def go():
            path = tmpdir() / ("r" * (n - 4) + ".npz")
            run().save(path)
            return hc.Run.load(path)
        return go
    for n in (200, 240, 250, 255):
        cases.append(Case(f"save and load a {n}-byte file name", long_name(n), expect="answer", group="files"))

    def leftovers(folder, keep):
        return sorted(p.name for p in folder.iterdir() if p.name not in keep)

    def interrupted_save(exception):
        def go():
            folder = tmpdir()
            path = folder / "good.npz"
            run().save(path)
            saved = np.savez_compressed

            def failing(*args, **kwargs):
                raise exception
            np.savez_compressed = failing
            try:
                run().save(path)
            except BaseException as error:
                return error, folder
            finally:
                np.savez_compressed = saved
            return None, folder

        def files():
            return None
        return go
    for label, exception in (("Ctrl-C", KeyboardInterrupt()), ("a full disk", OSError(errno.ENOSPC, "No space left")),
                             ("a quota", OSError(errno.EDQUOT, "Disk quota exceeded"))):
        def go(exception=exception):
            error, folder = interrupted_save(exception)()
            rest = leftovers(folder, {"good.npz"})
            if rest:
                return "left", rest
            if hc.Run.load(folder / "good.npz").epochs != run().epochs:
                return "lost", None
            return error
        cases.append(Case(f"{label} during a save over a good run: the temporary goes, the run stays", go,
                          expect="answer",
                          check=lambda r: (LOST, f"left behind {r[1]}") if isinstance(r, tuple) and r[0] == "left" else
                          ((LOST, "the good run is gone") if isinstance(r, tuple) else None), group="files"))

    def os_failure(code, words):
        def go():
            folder = tmpdir()
            path = folder / "good.npz"
            run().save(path)
            saved = os.replace

            def failing(*args, **kwargs):
                raise OSError(code, os.strerror(code), str(args[0]))
            os.replace = failing
            try:
                run().save(path)
            finally:
                os.replace = saved
        return go, words
    for code, words in ((errno.EROFS, ("read-only",)), (errno.EACCES, ("permission",)), (errno.ENOSPC, ("disk",)),
                        (errno.EDQUOT, ("quota",)), (errno.EPERM, ("permission",))):
        go, words = os_failure(code, words)
        cases.append(Case(f"the rename fails with {errno.errorcode[code]}: the real cause is said", go,
                          names=words, check=lambda e: (UNCLEAR, "says to free disk space") if "free some disk" in
                          str(e) and "disk" not in str(e).split("free some disk")[0] else None, group="files"))

    def temporaries_of_others():
        folder = tmpdir()
        path = folder / "shared.npz"
        run().save(path)
        others = [folder / ".shared.npz~otherhost~1~abcd0123.tmp.npz", folder / ".shared.npz.1.abcd.tmp",
                  folder / ".shared.npz~otherhost~999999~00000000.tmp.npz"]
        for other in others:
            other.write_bytes(b"another machine's save in progress")
        run().save(path)
        return [o.name for o in others if not o.exists()]
    cases.append(Case("temporaries of another machine's saves are never deleted", temporaries_of_others,
                      expect="answer", check=lambda gone: None if not [g for g in gone if "otherhost" in g]
                      else (LOST, f"deleted {gone}"), group="files"))

    def gif_whole(exception):
        def go():
            folder = tmpdir()
            path = folder / "film.gif"
            hv.export_gif(run(), path, frames=[0, 1], dpi=30)
            good = path.read_bytes()
            from PIL import Image
            saved = Image.Image.save

            def failing(self, *args, **kwargs):
                raise exception
            Image.Image.save = failing
            try:
                hv.export_gif(run(), path, frames=[0, 1, 2], dpi=30)
            except BaseException as error:
                caught = error
            else:
                caught = None
            finally:
                Image.Image.save = saved
            if path.read_bytes() != good:
                return "destroyed", caught
            rest = leftovers(folder, {"film.gif"})
            return ("left", rest) if rest else caught
        return go
    for label, exception in (("a full disk", OSError(errno.ENOSPC, "No space left on device")),
                             ("Ctrl-C", KeyboardInterrupt())):
        cases.append(Case(f"{label} while a GIF is written over a good one", gif_whole(exception), expect="answer",
                          check=lambda r: (LOST, "the good GIF was destroyed") if isinstance(r, tuple) and r[0] ==
                          "destroyed" else ((LOST, f"left behind {r[1]}") if isinstance(r, tuple) else None),
                          group="files"))
    return cases


# --- 5. hints: the cause named ---------------------------------------------------------------------

def hint_cases():
    cases = []

    def trained_with(rule, words, epochs=4, **settings):
        def go():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                net = hc.HeatExchanger.build(2, 4, seeds=[0, 1], rule=rule, **settings)
                hc.train(net, small_data(4), epochs, progress=False)
            return Warned([str(w.message) for w in caught if all(mentions(str(w.message), word) for word in words)])
        return go
    scenarios = [
        ("difference_exchange", ("difference",), dict(difference=500.0)),
        ("difference_exchange", ("hidden_pull",), dict(hidden_pull=1e6)),
        ("difference_exchange", ("inverse_step",), dict(inverse_step=1e7)),
        ("difference_exchange", ("init_scale",), dict(init_scale=5000.0)),
        ("difference_exchange", ("step",), dict(step=1e7)),
        ("end_exchange", ("hidden_pull",), dict(hidden_pull=1e7, step=1.0)),
        ("end_exchange", ("pull_partner",), dict(pull_partner=1e7, step=1.0)),
        ("schmidhuber", ("pull_previous",), dict(pull_previous=1e7, step=1.0)),
        ("schmidhuber", ("init_scale",), dict(init_scale=5000.0)),
        ("backprop", ("step",), dict(step=1e7)),
    ]
    for rule, words, settings in scenarios:
        cases.append(Case(f"{rule} with {settings}: the warning or error names {words[0]}",
                          trained_with(rule, words, **settings), names=words, check=told, group="hints"))
    far = [("difference_exchange", "inverse_noise", 1e6), ("difference_exchange", "inverse_noise", 1e4),
           ("difference_exchange", "difference", 1e5), ("schmidhuber", "init_scale", 1e6),
           ("end_exchange", "init_scale", 1e5), ("schmidhuber", "step", 1e9), ("difference_exchange", "inverse_step", 1e8),
           ("end_exchange", "hidden_pull", 1e8), ("schmidhuber", "pull_partner", 1e8)]
    for rule, name, value in far:
        cases.append(Case(f"build(rule={rule!r}, {name}={value:g}): refused or warned when built",
                          warning_or_error_at_build(rule, name, value), names=(name,), check=told, group="hints"))
    return cases


def warning_or_error_at_build(rule, name, value):
    def go():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hc.HeatExchanger.build(2, 4, rule=rule, **{name: value})
        return Warned([str(w.message) for w in caught if mentions(str(w.message), name)])
    return go


# --- 6. edges: huge requests, helpers on NaN, bad axes and radii ------------------------------------

def edge_cases():
    cases = []
    net = lambda: hc.HeatExchanger.build(3, 2, seeds=[0, 1])  # noqa: E731
    for epochs in (10**12, 10**15, 2**62):
        cases.append(Case(f"train(epochs={epochs})", lambda e=epochs: hc.train(net(), small_data(), e, progress=False),
                          names=("epochs",), group="edges"))
    for every in (10**30, 2**64, 10**9):
        cases.append(Case(f"train(3 epochs, snapshot_every={every}) keeps the first and the last",
                          lambda s=every: hc.train(net(), small_data(), 3, progress=False, snapshot_every=s),
                          expect="answer", check=lambda r: None if list(r.snapshot_epochs) == [0, 3] else
                          (SILENT, str(r.snapshot_epochs)), group="edges"))
    for maker in ("circle_data", "xor_data"):
        for arg, value in (("n_train", 10**10), ("n_test", 10**11), ("n_train", 10**13), ("width", 10**9)):
            cases.append(Case(f"{maker}({arg}={value})", lambda m=maker, a=arg, v=value: getattr(hc, m)(**{a: v}),
                              names=(arg,) if arg != "width" else ("width",), group="edges"))
    for depth in (10**6, 10**9):
        cases.append(Case(f"pipes({depth}, 2)", call(hc.pipes, depth, 2), names=("depth",), group="edges"))
        cases.append(Case(f"build({depth}, 2)", call(hc.HeatExchanger.build, depth, 2), names=("depth",), group="edges"))
    cases.append(Case("build(3, 10**5) (weights of 80 GB)", call(hc.HeatExchanger.build, 3, 10**5), names=("width",),
                      group="edges"))
    w = lambda: net().weights  # noqa: E731
    points = lambda: small_data().x_train  # noqa: E731
    nan_points = lambda: np.where(np.arange(20)[:, None] == 3, np.nan, small_data().x_train)  # noqa: E731
    helpers = {
        "flow(weights, NaN points)": (lambda: hc.flow(w(), nan_points()), ("inputs",)),
        "flow(NaN weights, points)": (lambda: hc.flow(np.full_like(w(), np.nan), points()), ("weights",)),
        "flow(weights, points 3 wide)": (lambda: hc.flow(w(), np.zeros((4, 3))), ("inputs",)),
        "flow(weights, one point (2,))": (lambda: hc.flow(w(), np.zeros(2)), ("inputs",)),
        "flow(weights 2-D, points)": (lambda: hc.flow(np.zeros((2, 2)), points()), ("weights",)),
        "flow('a', points)": (lambda: hc.flow("a", points()), ("weights",)),
        "layer_of(pipe, NaN points, 2)": (lambda: hc.layer_of(w()[:, 0], nan_points(), 2), ("points",)),
        "layer_of(NaN pipe, points, 1)": (lambda: hc.layer_of(np.full_like(w()[:, 0], np.nan), points(), 1),
                                          ("pipe_weights",)),
        "layer_of(pipe, points 5 wide, 1)": (lambda: hc.layer_of(w()[:, 0], np.zeros((4, 5)), 1), ("points",)),
        "layer_of(pipe, points, 9)": (lambda: hc.layer_of(w()[:, 0], points(), 9), ("layer",)),
        "layer_spread(pipe, NaN points)": (lambda: hc.layer_spread(w()[:, 0], nan_points()), ("points",)),
        "layer_spread(pipe, no points)": (lambda: hc.layer_spread(w()[:, 0], np.zeros((0, 2))), ("points",)),
        "layer_spread(NaN pipe, points)": (lambda: hc.layer_spread(np.full_like(w()[:, 0], np.nan), points()),
                                           ("pipe_weights",)),
        "layer_spread(pipe, one point (2,))": (lambda: hc.layer_spread(w()[:, 0], np.zeros(2)), ("points",)),
        "a Section called on NaN": (lambda: net().pipes()[0][0](np.array([np.nan, 0.0])), ("inputs",)),
        "a Section called on inf": (lambda: net().pipes()[0][0](np.array([[np.inf, 0.0]])), ("inputs",)),
        "a Section called on text": (lambda: net().pipes()[0][0]("ab"), ("inputs",)),
        "a Pipe called on NaN": (lambda: net().pipes()[0](np.array([[np.nan, 0.0]])), ("inputs",)),
        "partner_acts(acts, 'sideways', 2)": (lambda: hc.partner_acts(np.zeros((2, 2, 4, 1, 2)), "sideways", 2),
                                              ("alignment",)),
        "partner_acts(acts 3-D, 'paper', 2)": (lambda: hc.partner_acts(np.zeros((2, 4, 2)), "paper", 2), ("acts",)),
        "partner_acts(acts, 'paper', width 5 of 2)": (lambda: hc.partner_acts(np.zeros((2, 2, 4, 1, 2)), "paper", 5),
                                                      ("width",)),
        "partner_acts(acts, 'paper', width 0)": (lambda: hc.partner_acts(np.zeros((2, 2, 4, 1, 2)), "paper", 0),
                                                 ("width",)),
        "bind(pipes of depth 2 to depth 3)": (lambda: net().bind(*hc.pipes(2, 2)), ("forward",)),
        "bind(pipes of width 4 to width 2)": (lambda: net().bind(*hc.pipes(3, 4)), ("forward",)),
        "bind(pipes, network=5)": (lambda: net().bind(*hc.pipes(3, 2), network=5), ("network",)),
        "bind(None, None)": (lambda: net().bind(None, None), ("forward",)),
        "net.flow(NaN x, y)": (lambda: net().flow(nan_points(), small_data().y_train), ("x",)),
        "net.flow(x 3 wide, y)": (lambda: net().flow(np.zeros((4, 3)), np.zeros((4, 3))), ("x",)),
        "predict_labels('abc')": (lambda: hc.predict_labels("abc"), ("outputs",)),
        "beside_input(acts, row=5)": (lambda: hc.beside_input(np.zeros((2, 2, 4, 1, 2)), 5), ("row",)),
    }
    for label, (go, words) in helpers.items():
        cases.append(Case(label, go, names=words, group="edges"))
    grid = lambda: hl.Grid([0, 1], step=[0.1, 0.2])  # noqa: E731
    for axis in (2, 5, -3, 1.5, "0", None):
        cases.append(Case(f"Grid.split(values (4, 3), axis={axis!r})", lambda a=axis: grid().split(np.zeros((4, 3)), axis=a),
                          names=("axis",), group="edges"))
        cases.append(Case(f"Grid.rows(values (4, 3), axis={axis!r})", lambda a=axis: grid().rows(np.zeros((4, 3)), axis=a),
                          names=("axis",), group="edges"))
    cases.append(Case("Grid.split(a number)", lambda: grid().split(3.0), names=("values",), group="edges"))
    for radius in (1e-9, 1e-3, 0.01, 0.05):
        cases.append(Case(f"circle_data(radius={radius})", call(hc.circle_data, 500, 100, radius=radius),
                          names=("radius",), group="edges"))
    cases.append(Case("circle_data(radius=0.3) keeps both labels", call(hc.circle_data, 500, 100, radius=0.3),
                      expect="answer", check=lambda d: None if 0 < d.y_train[:, 0].mean() < 1 else (SILENT, "one label"),
                      group="edges"))
    from matplotlib.animation import PillowWriter  # noqa: F401
    for fps in (0, -1, math.nan, math.inf, "10", None, 1e6):
        cases.append(Case(f"GifWriter(fps={fps!r})", lambda f=fps: hv.GifWriter(fps=f), names=("fps",), group="edges"))

    def gif_writer_fps_zero_films():
        view = hv.SnapshotView(small_run(), blit=False, dpi=30)
        return hv.write_movie(view, tmpdir() / "z.gif", hv.GifWriter(fps=0), frames=[0, 1])
    cases.append(Case("write_movie with GifWriter(fps=0): refused before a frame is drawn", gif_writer_fps_zero_films,
                      names=("fps",), group="edges", late=1))

    def venv_of_another_checkout():
        script = battery.ROOT / "scripts" / "check_venv.py"
        if not script.exists():
            raise RuntimeError("nothing checks whose code a .venv imports")
        out = subprocess.run([sys.executable, str(script), "/nowhere/else", "numpy"], capture_output=True, text=True,
                             timeout=120).stdout.strip()
        if not out:
            return "trusted"
        raise ValueError(out)
    cases.append(Case("make's check of a .venv that imports another checkout's heatex", venv_of_another_checkout,
                      names=("another checkout",), group="edges"))
    return cases


# --- 7. surface: junk through public functions ------------------------------------------------------

JUNK = {"None": None, "True": True, "-1": -1, "10**30": 10**30, "nan": math.nan, "inf": math.inf, "'a'": "a",
        "1j": 1j, "[]": [], "a ragged list": [[1.0], [1.0, 2.0]], "NaN array": np.full((2, 3), np.nan),
        "an object": object()}


# Junk that is a right value for that argument: expected to work.
VALID = {("hc.train", "progress", "True"), ("hl.Grid.split", "axis", "-1"), ("hv.plot_lines", "title", "None"),
         ("hv.plot_lines", "title", "'a'"), ("hv.repo_relative", "path", "'a'")}


def surface_cases():
    cases = []
    run, data = small_run, small_data
    calls = {
        "hc.flow": (lambda **kw: hc.flow(**kw), dict(weights=lambda: run().snapshots[0], inputs=lambda: data().x_train)),
        "hc.layer_of": (lambda **kw: hc.layer_of(**kw), dict(pipe_weights=lambda: run().forward[0], points=lambda: data().x_train,
                                                           layer=lambda: 1)),
        "hc.circle_data": (lambda **kw: hc.circle_data(**kw), dict(n_train=lambda: 20, n_test=lambda: 10, radius=lambda: 0.8)),
        "hc.majority_accuracy": (lambda **kw: hc.majority_accuracy(**kw), dict(data=lambda: data())),
        "hc.predict_labels": (lambda **kw: hc.predict_labels(**kw), dict(outputs=lambda: np.full((3, 2), 0.7))),
        "hc.train": (lambda **kw: hc.train(**kw), dict(net=lambda: hc.HeatExchanger.build(2, 2), data=lambda: data(),
                                                       epochs=lambda: 1, progress=lambda: False)),
        "hl.is_local": (lambda **kw: hl.is_local(**kw), dict(rule=lambda: "blog", trials=lambda: 1, depth=lambda: 2)),
        "hl.Grid.split": (lambda **kw: hl.Grid([0, 1], step=[0.1]).split(**kw), dict(values=lambda: np.zeros(2),
                                                                                    axis=lambda: 0)),
        "hv.decision_map": (lambda **kw: hv.decision_map(**kw), dict(forward_weights=lambda: run().forward[0, 0],
                                                                     grid=lambda: hv.decision_grid(5))),
        "hv.plot_layer_spread": (lambda **kw: hv.plot_layer_spread(**kw), dict(spread=lambda: np.full((2, 4), 0.1))),
        "hv.plot_lines": (lambda **kw: hv.plot_lines(**kw), dict(series=lambda: {"a": np.arange(3.0)}, title=lambda: "t")),
        "hv.position_order": (lambda **kw: hv.position_order(**kw), dict(weights=lambda: run().snapshots[0, 0])),
        "hv.weight_labels": (lambda **kw: hv.weight_labels(**kw), dict(depth=lambda: 3, inputs=lambda: 2, width=lambda: 2)),
        "hv.snapshot_frames": (lambda **kw: hv.snapshot_frames(**kw), dict(epochs=lambda: 10, count=lambda: 3)),
        "hv.repo_relative": (lambda **kw: hv.repo_relative(**kw), dict(path=lambda: "a.gif")),
        "hv.plot_accuracy_bands": (lambda **kw: hv.plot_accuracy_bands(**kw),
                                   dict(ax=lambda: __import__("matplotlib.pyplot").pyplot.figure().add_subplot(),
                                        curves=lambda: {"blog": np.full((3, 2), 0.5)})),
    }
    for name, (function, valid) in calls.items():
        for argument in valid:
            for label, value in JUNK.items():
                def go(function=function, valid=valid, argument=argument, value=value):
                    kwargs = {k: make() for k, make in valid.items()}
                    kwargs[argument] = value
                    with np.errstate(all="ignore"):
                        return function(**kwargs)
                expect = "answer" if (name, argument, label) in VALID else "error"
                cases.append(Case(f"{name}({argument}={label})", go, names=(argument,), expect=expect, group="surface"))
    return cases


def all_cases():
    return stop_cases() + state_cases() + rule_cases() + file_cases() + hint_cases() + edge_cases() + surface_cases()


def run_battery(verbose=False, only=None):
    try:
        cases = all_cases()
        if only:
            cases = [c for c in cases if only in c.name or only == c.group]
        results = []
        for case in cases:
            try:
                result = classify(case)
            except Exception as e:        # a fault in the battery itself is reported, not hidden
                result = Result(case, UNCLEAR, f"battery could not classify: {type(e).__name__}: {e}")
            results.append(result)
            if verbose:
                print(f"[{result.outcome:>24}] {case.group:>8} | {case.name} -- {result.detail[:200]}", flush=True)
        return results
    finally:
        import shutil
        while battery._SCRATCH:
            shutil.rmtree(battery._SCRATCH.pop(), ignore_errors=True)
        battery._RUN.clear()


def summary(results):
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES}
    lines = [f"{len(results)} cases"] + [f"  {outcome:<26} {counts[outcome]:>4}" for outcome in OUTCOMES]
    lines.append("by group (" + ", ".join(OUTCOMES) + "):")
    for g in sorted({r.case.group for r in results}):
        mine = [r for r in results if r.case.group == g]
        lines.append(f"  {g:<9}" + " ".join(f"{sum(r.outcome == o for r in mine):>4}" for o in OUTCOMES))
    return counts, "\n".join(lines)


def command_line(run, doc):
    """``python tests/battery_*.py [-v] [--bad] [--only NAME]``: run a battery, print its table, exit 1 on a bad case."""
    import argparse
    import matplotlib
    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--bad", action="store_true", help="list only the cases with a bad outcome")
    parser.add_argument("--only", help="cases whose name contains this, or a group")
    args = parser.parse_args()
    results = run(verbose=args.verbose, only=args.only)
    if args.bad:
        for r in results:
            if r.outcome in BAD:
                print(f"[{r.outcome:>24}] {r.case.group:>11} | {r.case.name} -- {r.detail[:300]}")
    counts, text = summary(results)
    print(text)
    sys.exit(1 if any(counts[o] for o in BAD) else 0)


if __name__ == "__main__":
    command_line(run_battery, __doc__)
