"""heatex_lab: the lab bench of notebooks 05-07. Read heatex_core first.

- ``Grid``: every combination of per-network settings, times every seed, laid
  out once on the exchanger's networks axis, and the results put back into the
  grid's shape. A search over settings is one training run.
- ``register_rule``: a rule of your own, usable by name like the built-in ones,
  with targets of its own carried down the backward pipe if you like.
- ``is_local``: does each section's change depend only on what that section
  touches? A test by experiment, for any rule, yours included.
- ``train_or_load``: a heavy table trained here, or loaded from the run a
  script saved after checking it is the same training (a notebook's switch).
- Your turn: ``check`` runs an exercise's check and says how an answer stands,
  never what the right answer is; ``predict`` and ``reveal`` keep a prediction
  made before a measurement (``Number``, ``Choice`` say its form) and set it
  beside what was measured, in a file a teacher can collect; ``final_test``
  keeps the first result of a challenge's one final test.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import pathlib

import numpy as np

import heatex_checks as checks
import heatex_core as hc

__all__ = ["Grid", "register_rule", "is_local", "train_or_load", "check", "Number", "Choice", "predict", "reveal",
           "prediction_log", "class_predictions", "carry_targets", "final_test", "saved_file"]


# ---------------------------------------------------------------------------
# Settings x seeds on one networks axis (notebooks 05 and 06).
# ---------------------------------------------------------------------------

class Grid:
    """Every combination of per-network settings, times every seed, on one networks axis.

    ``Grid(seeds=[0, 1, 2], step=[0.1, 1.0])`` stands for 6 networks: both
    steps, each with the three seeds (settings vary slowest, seeds fastest).
    ``build`` makes the exchanger; ``split`` and ``metric`` put the networks
    axis of what comes back into the grid's shape, (len(step), len(seeds)).
    ``Grid(seeds, combos=[{...}, {...}])`` takes chosen combinations instead of
    every one (ablations: one setting changed at a time); its shape is
    (len(combos), len(seeds)).
    """

    def __init__(self, seeds, combos=None, **settings):
        self.seeds = checks.seed_list(seeds)
        if combos is not None:      # chosen combinations (ablations, say), not every one
            combos, settings = _check_combos(combos, settings)
            self.settings = {name: [c[name] for c in combos] for name in combos[0]}
            self.combos = combos
            self.shape = (len(combos), len(self.seeds))
            _check_grid_settings(self.settings)
            return
        if not settings:
            raise checks.HeatexValueError("give at least one setting to vary, e.g. Grid(seeds, step=[0.1, 1.0])")
        self.settings = {}
        for name, values in settings.items():
            array = checks.as_array(values)
            if array is None or array.ndim > 1:
                raise checks.HeatexValueError(f"{name} must be a list of values to vary (one number each), got "
                                              f"{checks.shown(values)}")
            self.settings[name] = np.atleast_1d(array).tolist()
        for name, values in self.settings.items():
            if not values:
                raise checks.HeatexValueError(f"{name} has no values; give a list of at least one")
        _check_grid_settings(self.settings)
        self.combos = [dict(zip(self.settings, c)) for c in itertools.product(*self.settings.values())]
        self.shape = tuple(len(v) for v in self.settings.values()) + (len(self.seeds),)

    @property
    def n_networks(self):
        return len(self.combos) * len(self.seeds)

    def per_network(self):
        """``seeds`` and every setting as one value per network, in the grid's order."""
        arrays = {"seeds": np.tile(self.seeds, len(self.combos))}
        for name in self.settings:
            arrays[name] = np.repeat([c[name] for c in self.combos], len(self.seeds))
        return arrays

    def build(self, depth=None, width=None, **fixed):
        """``hc.HeatExchanger.build`` with one network per (combination, seed), ``fixed`` for all:
        ``grid.build(3, 8, rule=...)``, or for layers of different widths ``grid.build(widths=(64, 16, 10), ...)``."""
        clash = set(fixed) & (set(self.settings) | {"seeds"})
        if clash:
            raise checks.HeatexValueError(f"{sorted(clash)} vary in this grid; do not fix them too")
        return hc.HeatExchanger.build(depth, width, **fixed, **self.per_network())

    def split(self, values, axis=0):
        """``values`` with its networks axis ``axis`` reshaped into the grid: (*settings, seeds)."""
        values = checks.as_array(values)
        if values is None or values.ndim == 0:
            raise checks.HeatexValueError(f"values must be an array with a networks axis of {self.n_networks}, got "
                                          f"{checks.shown(values)}")
        axis = checks.whole(axis, "axis", -values.ndim, values.ndim - 1, f" (values has {values.ndim} axes)") % values.ndim
        if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
            raise checks.HeatexValueError("values hold NaN or inf; a run's metrics are finite")
        if values.shape[axis] != self.n_networks:
            raise checks.HeatexValueError(f"axis {axis} of values has {values.shape[axis]} entries; this grid has "
                             f"{self.n_networks} networks")
        return values.reshape(values.shape[:axis] + self.shape + values.shape[axis + 1:])

    def rows(self, values, axis=0):
        """Pairs (combination of settings, its seeds' values) from ``values`` with a networks axis.

        ``for combo, accuracy in grid.rows(run.metrics["test_accuracy"][-1]):`` walks the
        combinations in order, each with one value per seed.
        """
        values = checks.as_array(values)
        if values is None or values.ndim == 0:
            raise checks.HeatexValueError(f"values must be an array with a networks axis of {self.n_networks}, got "
                                          f"{checks.shown(values)}")
        axis = checks.whole(axis, "axis", -values.ndim, values.ndim - 1, f" (values has {values.ndim} axes)")
        if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
            raise checks.HeatexValueError("values hold NaN or inf; a run's metrics are finite")
        values = np.moveaxis(values, axis, 0)
        if len(values) != self.n_networks:
            raise checks.HeatexValueError(f"axis {axis} of values has {len(values)} entries; this grid has {self.n_networks} networks")
        return list(zip(self.combos, values.reshape((len(self.combos), len(self.seeds)) + values.shape[1:])))

    def metric(self, run, name):
        """A run's metric in the grid's shape: (epochs + 1, *settings, seeds, ...)."""
        checks.check_run_object(run, hc.Run)
        if not isinstance(name, str) or name not in run.metrics:
            raise checks.HeatexValueError(f"unknown metric name {checks.shown(name)}; the run has {sorted(run.metrics)}")
        return self.split(run.metrics[name], axis=1)

    def settings_of(self, k):
        """The seed and settings of network ``k``."""
        combo, seed = divmod(checks.network_index(k, self.n_networks), len(self.seeds))
        return {"seed": self.seeds[seed], **self.combos[combo]}


def _check_combos(combos, settings):
    if settings:
        raise checks.HeatexValueError(f"give either combos or settings to vary ({sorted(settings)}), not both")
    if isinstance(combos, dict):
        combos = list(combos.values())
    combos = list(combos)
    if not combos or not all(isinstance(c, dict) and c for c in combos):
        raise checks.HeatexValueError("combos must be a non-empty list of non-empty dicts of settings, e.g. "
                         "[dict(difference=1.0), dict(difference=0.0)]")
    names = set(combos[0])
    if any(set(c) != names for c in combos):
        raise checks.HeatexValueError(f"every combination must name the same settings, {sorted(names)}: give each its value")
    return [dict(c) for c in combos], settings


def _check_grid_settings(settings):
    known = [name for name in checks.setting_names(hc.SETTINGS) if name != "seeds"]
    for name, values in settings.items():
        if name not in known:
            raise checks.HeatexValueError(f"{name} is not a per-network setting of HeatExchanger; vary one of {known}")
        checks.per_network_array(values, name, len(values))


# ---------------------------------------------------------------------------
# A rule of your own (notebook 07).
# ---------------------------------------------------------------------------

def register_rule(rule, name=None, alignment="paper", targets=None):
    """Make a rule of your own usable by name, as ``hc.HeatExchanger.build(..., rule=name)``.

    ``rule`` is a function ``(weights, acts, partner, settings) -> change``,
    like the rules above, a ``functools.partial`` of one or a callable object;
    ``name`` defaults to its ``__name__`` (a partial's function's, an object's
    class's); ``alignment`` is the alignment it gets unless the exchanger is
    given another. Check it with ``is_local`` first: registering does not.
    Returns the name. A run of the rule remembers the name only: in a new
    kernel register the rule again before ``Run.load``.

    ``targets``, if given, is what each backward section passes down before
    the rule runs, instead of its plain answer: a function
    ``(W, t, h_in, h_out) -> t_below`` (see "Targets of your own" at the end
    of this module). With it the difference exchange is a rule of your own.
    """
    if not callable(rule):
        raise checks.HeatexTypeError(f"rule must be a function (weights, acts, partner, settings) -> change, "
                        f"not {type(rule).__name__}")
    name = checks.rule_name(rule) if name is None else name
    if not isinstance(name, str) or not name.isidentifier():
        raise checks.HeatexValueError(f"name must be a word like 'my_rule', got {checks.shown(name)}"
                                      + ("; a lambda has no name of its own: give one, register_rule(rule, name='my_rule')"
                                         if isinstance(name, str) and name == "<lambda>" else ""))
    if hc.RULES.get(name, rule) is not rule and name in BUILT_IN_RULES:
        raise checks.HeatexValueError(f"{name!r} is a built-in rule; give yours another name")
    if not isinstance(alignment, str) or alignment not in hc.ALIGNMENTS:
        raise checks.HeatexValueError(f"unknown alignment {checks.shown(alignment)}; choose one of {sorted(hc.ALIGNMENTS)}")
    hc.RULES[name] = _with_targets(name, rule, targets, alignment)     # targets: see the end of this module
    hc.RULE_DEFAULTS[name] = dict(hc.SETTING_DEFAULTS, alignment=alignment)
    return name


BUILT_IN_RULES = hc.BUILT_IN


# ---------------------------------------------------------------------------
# Is a rule local? (notebook 05)
# ---------------------------------------------------------------------------

def is_local(rule, depth=3, width=3, trials=5, seed=0, rows=1):
    """Whether every section's change depends only on what that section touches.

    ``rule`` is a rule function ``(weights, acts, partner, settings) -> change``
    (yours too) or its name in ``hc.RULES``. A section touches its own weights,
    its input and its output (two layers of its own pipe), and the wall beside
    it: its partner, and the other pipe's layer beside its input
    (``beside_input``). For random weights, activations and partners of two
    networks with different settings, with and without a bias, each
    section's change is computed again after everything it does not touch --
    other sections' weights, other layers, other partners -- is drawn afresh.
    Then everything of one network is drawn afresh, its settings too, and the
    other network's change must not move: a rule must not mix networks.
    True if no change moved in any trial. False is a counter-example;
    True is evidence from ``trials`` draws, not a proof. Notebook 05 uses it.

    ``settings`` holds every setting of ``hc.SETTINGS`` but ``init_scale``, one
    number per network; ``rows`` is the number of sample rows in ``acts``
    (3 for the difference exchange's jiggle).
    """
    if isinstance(rule, str):
        if rule not in hc.RULES:
            raise checks.HeatexValueError(f"unknown rule {rule!r}; choose one of {sorted(hc.RULES)}, or pass a rule function")
        rule = hc.RULES[rule]
    if not callable(rule):
        raise checks.HeatexTypeError(f"rule must be a rule function (weights, acts, partner, settings) -> change "
                        f"or a name in RULES, not {type(rule).__name__}")
    depth = checks.positive_int(depth, "depth")
    width = checks.positive_int(width, "width")
    trials = checks.positive_int(trials, "trials")      # 0 trials would answer True for any rule
    rows = checks.positive_int(rows, "rows")
    seed = checks.seed(seed, "seed")
    if 2 * depth * (depth + 2) * (width + 1) ** 2 * rows * trials > 10**8:
        raise checks.HeatexValueError(f"depth={depth}, width={width}, rows={rows} and trials={trials} would draw more than "
                                      "10**8 numbers; a few trials of a few sections of a few units test locality")
    name = checks.rule_name(rule)
    rng = np.random.default_rng(seed)
    settings = LocalitySettings()
    for bias in (False, True):
        for _ in range(trials):
            arrays = random_step_inputs(rng, 2, depth, width, bias, rows)
            change = _change(rule, name, arrays, settings)
            for pipe, section in itertools.product((0, 1), range(depth)):
                again = _change(rule, name, _scramble_untouched(rng, arrays, pipe, section), settings)
                if not np.array_equal(change[:, pipe, section], again[:, pipe, section], equal_nan=True):
                    return False
            for k in (0, 1):            # everything of the other network drawn afresh, its settings too
                fresh = random_step_inputs(rng, 2, depth, width, bias, rows)
                mixed = [a.copy() for a in arrays]
                for array, new in zip(mixed, fresh):
                    array[1 - k] = new[1 - k]
                again = _change(rule, name, mixed, LocalitySettings(other=1 - k))
                if not np.array_equal(change[k], again[k], equal_nan=True):
                    return False
    return True


def _change(rule, name, arrays, settings):
    """What ``rule`` returns for ``arrays``, checked as training checks it."""
    try:
        with np.errstate(all="ignore"):
            change = rule(*arrays, settings)
    except checks.HeatexError:
        raise
    except Exception as error:           # the rule's own failure, said with its name
        raise checks.HeatexValueError(f"the rule {name!r} failed on random weights, activations and partners of the "
                                      f"shapes training gives it: {type(error).__name__}: {error}") from error
    return checks.rule_change(change, arrays[0].shape, name)


class LocalitySettings:
    """Settings for ``is_local``: two networks that differ in every setting (``other``: network
    ``other``'s changed again, to see that the other network's change does not move)."""
    step = np.array([0.5, 2.0])
    pull_previous = np.array([0.0, 0.7])
    pull_partner = np.array([1.0, 0.4])
    hidden_pull = np.array([0.3, 1.0])
    difference = np.array([1.0, 0.5])
    inverse_step = np.array([0.1, 0.02])
    inverse_noise = np.array([0.1, 0.3])
    init_scale = np.array([1.0, 1.5])
    jiggle = None

    def __init__(self, other=None):
        if other is not None:
            for name in hc.SETTINGS:
                values = getattr(self, name).copy()
                values[other] *= 1.7
                setattr(self, name, values)


def random_step_inputs(rng, k, depth, width, bias, rows=1):
    """Weights, activations and partners of the shapes a rule receives, filled at random."""
    n_in = width + bias
    weights = rng.uniform(-3, 3, (k, 2, depth, n_in, width))
    acts = rng.uniform(0, 1, (k, 2, depth + 1, rows, n_in))
    if bias:
        acts[..., -1] = 1.0
    partner = rng.uniform(0, 1, (k, 2, depth, rows, width))
    return weights, acts, partner


def _scramble_untouched(rng, arrays, pipe, section):
    """Copies in which everything one section does not touch is drawn afresh.

    A section touches its weights, its input (layer ``section`` of its pipe),
    its output (layer ``section + 1``), its partner's activation and the other
    pipe's layer beside its input (layer ``depth - section``).
    """
    weights, acts, partner = (a.copy() for a in arrays)
    depth = weights.shape[2]
    kept = (weights[:, pipe, section].copy(), acts[:, pipe, section].copy(), acts[:, pipe, section + 1].copy(),
            acts[:, 1 - pipe, depth - section].copy(), partner[:, pipe, section].copy())
    fresh = random_step_inputs(rng, weights.shape[0], depth, weights.shape[-1],
                                weights.shape[-2] > weights.shape[-1], acts.shape[-2])
    for array, new in zip((weights, acts, partner), fresh):
        array[...] = new
    (weights[:, pipe, section], acts[:, pipe, section], acts[:, pipe, section + 1], acts[:, 1 - pipe, depth - section],
     partner[:, pipe, section]) = kept
    return weights, acts, partner


# ---------------------------------------------------------------------------
# Your turn: the checks and the predictions every notebook's exercises use.
# ---------------------------------------------------------------------------

# Where predictions are kept: this file in the folder the notebook runs in (beside the notebook in
# JupyterLab, JupyterLite, Colab and Kaggle), or the path HEATEX_PREDICTIONS names.
PREDICTIONS_FILE = "my_predictions.json"
PREDICTIONS_FORMAT = "heatex-predictions"


def check(name, attempt):
    """Run the check of exercise ``name`` and say in plain words how your answer stands.

    ``attempt()`` calls your answer and returns a list of problems: empty means right. A stub
    that still raises NotImplementedError counts as not attempted yet; an answer that crashes is
    said to, with the error. A check names what is wrong, never the right answer. It prints its
    verdict and returns nothing, so a check cell shows only the verdict.
    """
    checks.question_name(name)
    checks.a_function(attempt, "attempt", "a function that calls your answer and returns a list of problems")
    try:
        problems = attempt()
        if not isinstance(problems, (str, bytes)) and hasattr(problems, "__iter__"):
            problems = list(problems)       # a generator of problems runs the answer here
    except NotImplementedError:
        print(f"Your turn {name}: not attempted yet. Fill in the cells marked 'Your answer' (and "
              "'Your prediction', if it has one), run them, then run this check again.")
        return
    except Exception as error:     # the answer crashed: say how, and let the notebook carry on
        problems = [f"your answer raised {type(error).__name__}: {error}"]
    if not isinstance(problems, list):      # the check itself is wrong, not the answer
        raise checks.HeatexTypeError(f"attempt must return a list of problems (text; empty when right), got "
                                     f"{checks.shown(problems)}")
    if problems:
        print(f"Your turn {name}: not right yet.")
        for problem in problems:
            print("  -", problem)
        return
    print(f"Your turn {name}: right!")


class Number:
    """The form of a numeric prediction: a real number, at least ``low`` and at most ``high`` (None: no bound)."""

    def __init__(self, low=None, high=None):
        self.low, self.high = checks.number(low, "low", none=True), checks.number(high, "high", none=True)
        if self.low is not None and self.high is not None and self.low > self.high:
            raise checks.HeatexValueError(f"low must be at most high: no number is from {self.low:g} to {self.high:g}")

    def _problem(self, value):
        try:
            value = checks.number(value, "value")
        except checks.HeatexError:
            return f"a number, not {checks.shown(value)}"
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            span = (f"from {self.low:g} to {self.high:g}" if self.low is not None and self.high is not None
                    else f"of at least {self.low:g}" if self.low is not None else f"of at most {self.high:g}")
            return f"a number {span}, not {value:g}"
        return None

    def _plain(self, value):
        return float(value)


class Choice:
    """The form of a prediction that picks one of ``options`` (text, or True and False)."""

    def __init__(self, *options):
        if not options or not all(isinstance(o, (str, bool)) for o in options):
            raise checks.HeatexTypeError(f"a Choice needs at least one option, and each option must be text (or True or "
                                         f"False), e.g. hl.Choice('higher', 'lower'), got {checks.shown(options)}")
        self.options = options

    def _problem(self, value):
        if not any(value is o or (type(value) is type(o) and value == o) for o in self.options):
            return f"one of {', '.join(map(repr, self.options))}, not {checks.shown(value)}"
        return None

    def _plain(self, value):
        return value


def _form_problems(value, form):
    """What is wrong with ``value`` as a prediction of ``form`` (a Number, a Choice, or a dict of them)."""
    if isinstance(form, dict):
        if not isinstance(value, dict) or set(value) != set(form):
            return [f"a dict with the keys {', '.join(map(repr, form))} (got {checks.shown(value)})"]
        return [f"{key!r} must be {problem}" for key, part in form.items()
                if (problem := part._problem(value[key])) is not None]
    problem = form._problem(value)
    return [] if problem is None else [f"it must be {problem}"]


def _plain(value, form):
    return {key: part._plain(value[key]) for key, part in form.items()} if isinstance(form, dict) else form._plain(value)


def prediction_log():
    """The predictions kept so far (a dict name -> record), read from the predictions file."""
    path = _log_path()
    kind = checks.not_regular(path)
    if kind is not None:
        raise checks.HeatexValueError(f"the predictions file {path} is {kind}, not a regular file: point "
                                      "HEATEX_PREDICTIONS at a file name (or unset it to keep my_predictions.json "
                                      "beside the notebook)")
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("format") != PREDICTIONS_FORMAT:
        return {}
    return kept.get("predictions", {})


def predict(name, prediction, form):
    """Your prediction for question ``name``: ``prediction()``, checked for ``form`` and kept.

    Returns the prediction that counts, or None (with what to do) while the stub is not filled
    in, the prediction raises, or the answer is not in the form asked. Until the measurement is revealed a new
    prediction replaces the old one; after it, the first one counts, and a changed one is said
    to be a change made after seeing the measurement. Every prediction is kept in the
    predictions file (``my_predictions.json`` beside the notebook), which a teacher can collect
    to draw the class's predictions beside the measurement (scripts/class_predictions.py).
    """
    checks.question_name(name)
    checks.a_function(prediction, "prediction", "a function that returns your prediction, e.g. my_prediction "
                      "(without parentheses)")
    checks.prediction_form(form, (Number, Choice))
    try:
        value = prediction()
    except NotImplementedError:
        print(f"Prediction {name}: write your prediction in the cell marked 'Your prediction' and run it "
              "first: the measurement waits until you have committed to an answer.")
        return None
    except Exception as error:      # the prediction crashed: say how, as check says of an answer, and keep nothing
        print(f"Prediction {name}: your prediction raised {type(error).__name__}: {error}. Fix it and run it again.")
        return None
    problems = _form_problems(value, form)
    if problems:
        print(f"Prediction {name}: not in the form asked: " + "; ".join(problems) + ". Fix it and run it again.")
        return None
    value = _plain(value, form)
    log = prediction_log()
    record = log.get(name)
    if record is not None and record.get("measured") is not None:
        if value != record["first"]:
            print(f"Prediction {name}: you changed your prediction after seeing the measurement; your first "
                  f"one, {_shown_prediction(record['first'])}, is the one that counts.")
            record.setdefault("changed_after_measurement", []).append(value)
            _save_log(log)
        return record["first"]
    log[name] = {"first": value, "measured": None}
    _save_log(log)
    return value


def reveal(name, measured):
    """Say "you predicted ..., measured ..." for question ``name`` and keep the measurement beside it.

    ``measured`` has the prediction's form (a number, a choice, or a dict of them).
    """
    checks.question_name(name)
    measured = checks.measurement(measured)
    log = prediction_log()
    record = log.get(name)
    if record is None:
        print(f"Prediction {name}: measured {_shown_prediction(measured)} (no prediction was kept)")
        return
    record["measured"] = _plain_measurement(measured)
    _save_log(log)
    said = record["first"]
    if isinstance(said, dict):
        print(f"Prediction {name}:")
        for key in said:
            print(f"  {key}: you predicted {_shown_prediction(said[key])}, measured "
                  f"{_shown_prediction(record['measured'].get(key))}")
    else:
        print(f"Prediction {name}: you predicted {_shown_prediction(said)}, measured "
              f"{_shown_prediction(record['measured'])}")


def _plain_measurement(value):
    if isinstance(value, dict):
        return {key: _plain_measurement(v) for key, v in value.items()}
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, np.floating, int, float)):
        return float(value)
    return value


def _shown_prediction(value):
    return f"{value:.3g}" if isinstance(value, float) else repr(value)


def _log_path():
    return pathlib.Path(os.environ.get("HEATEX_PREDICTIONS") or pathlib.Path.cwd() / PREDICTIONS_FILE)


_UNSAVED = []      # said once: the predictions file could not be written


def _save_log(predictions):
    """Write the predictions file whole (a temporary file renamed into place), or say once that it cannot be."""
    path = _log_path()
    text = json.dumps({"format": PREDICTIONS_FORMAT, "version": 1, "predictions": predictions}, indent=1)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if not _UNSAVED:
            _UNSAVED.append(path)
            print(f"(your predictions are kept in this session only: {path} cannot be written, "
                  f"{error.strerror or error})")


def class_predictions(paths):
    """The first predictions of a class, from the students' predictions files.

    Returns a dict: question name -> {"first": [one per student], "measured": [...]}. Files that are
    not predictions files are skipped with a word.
    """
    found = {}
    for path in checks.path_list(paths, "paths"):
        kind = checks.not_regular(path)
        if kind is not None:
            print(f"skipped {path}: it is {kind}, not a predictions file")
            continue
        try:
            kept = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"skipped {path}: not readable as a predictions file ({error})")
            continue
        if not isinstance(kept, dict) or kept.get("format") != PREDICTIONS_FORMAT:
            print(f"skipped {path}: not a heatex predictions file")
            continue
        for name, record in kept.get("predictions", {}).items():
            entry = found.setdefault(name, {"first": [], "measured": []})
            entry["first"].append(record.get("first"))
            if record.get("measured") is not None:
                entry["measured"].append(record["measured"])
    return found


# ---------------------------------------------------------------------------
# Targets of your own: what the backward pipe carries down (notebook 07's challenge).
# ---------------------------------------------------------------------------
#
# A rule meets what the pipes carry. In the difference exchange the backward pipe carries targets
# down (hc.difference_pass); ``register_rule(rule, targets=...)`` lets a rule of your own do that
# with targets of its own. ``targets(W, t, h_in, h_out)`` is what one backward section passes down,
# from what it touches and nothing else -- its weights W (inputs, width), what it carries in t (the
# layer above in the backward pipe, the bias's 1 last), the forward layer beside its input h_in
# (h_L, the bias's 1 last) and the forward layer beside its output h_out (h_{L-1}, width units) --
# for every sample and network at once (leading axes). So targets are local by construction;
# ``is_local`` judges the rule. The plain flow is ``hc.sigmoid(t @ W)``; the difference exchange's
# targets are ``hc.sigmoid(t @ W) + (h_out - hc.sigmoid(h_in @ W))``.
# The pass is kept in heatex_core's table of targets, hc.TARGETS, which the core consults wherever
# the backward pipe carries something (the exchanger's step and flow, Network.flow, the mismatch).

def carry_targets(targets, weights, acts):
    """Rewrite the backward layers of ``acts`` (..., 2, depth + 1, m, inputs) in place with ``targets``.

    Backward section j lies beside forward layer L = depth - j at its input and L - 1 at its
    output (the paper's alignment); it takes in what the section above passed down (y first).
    ``targets`` gets C-ordered copies, so that its matrix products round as hc.difference_pass's do.
    """
    targets, weights, _ = checks.targets_arguments(targets, weights, acts)
    width, depth = weights.shape[-1], weights.shape[-3]
    for j in range(depth):
        try:
            passed = targets(np.ascontiguousarray(weights[..., 1, j, :, :]), np.ascontiguousarray(acts[..., 1, j, :, :]),
                             np.ascontiguousarray(acts[..., 0, depth - j, :, :]), acts[..., 0, depth - j - 1, :, :width].copy())
        except checks.HeatexError:
            raise
        except Exception as error:       # the targets' own failure, said with what failed
            raise checks.HeatexValueError(f"targets failed on backward section {j} (called as targets(W, t, h_in, h_out)): "
                                          f"{type(error).__name__}: {error}") from error
        expected = acts.shape[:-4] + (acts.shape[-2], width)
        if np.shape(passed) != expected:
            raise checks.HeatexValueError(f"targets must return what backward section {j} passes down, shaped like h_out "
                             f"{expected}, got {np.shape(passed)}")
        passed = checks.real_array(passed, f"what targets returned for backward section {j}")
        if not np.all(np.isfinite(passed)):
            raise checks.HeatexValueError(f"targets returned NaN or inf for backward section {j}: what a section passes "
                                          "down must be finite numbers (a division by zero, or a log of 0?)")
        acts[..., 1, j + 1, :, :width] = passed


def _with_targets(name, rule, targets, alignment):
    """The rule to register under ``name``: itself, or with its targets (in the core's table once it has one)."""
    if targets is not None and not callable(targets):
        raise checks.HeatexTypeError(f"targets must be a function (W, t, h_in, h_out) -> what the section passes down, "
                        f"not {type(targets).__name__}")
    if targets is not None and alignment != "paper":
        raise checks.HeatexValueError("targets are carried down as the paper lays the pipes: register the rule with "
                         "alignment='paper'")
    hc.TARGETS.pop(name, None)
    if targets is not None:
        hc.TARGETS[name] = functools.partial(carry_targets, targets)
    return rule


# ---------------------------------------------------------------------------
# One final test (notebook 07's challenge).
# ---------------------------------------------------------------------------

def final_test(name, measured):
    """Reveal the result of the one final test of question ``name``: the first result counts.

    Like ``reveal`` (it prints "you predicted ..., measured ..." beside the prediction ``predict``
    kept for ``name``), but a later result that differs -- the test run again after a change chosen
    with its result in view -- does not replace the first: it is said to be a second look and kept
    beside it in the predictions file. Returns the result that counts.
    """
    checks.question_name(name)
    value = checks.measurement(measured)
    log = prediction_log()
    record = log.get(name)
    first = None if record is None else record.get("measured")
    if first is None or first == value:
        reveal(name, measured)
        return value
    record.setdefault("later_tests", []).append(value)
    _save_log(log)
    print(f"Final test {name}: this run measured {_shown_prediction(value)}, but your first final test measured "
          f"{_shown_prediction(first)} (you predicted {_shown_prediction(record['first'])}), and that one counts: a "
          "second look at the test points lets them take part in your choices. Choose on validation points.")
    return first


# ---------------------------------------------------------------------------
# A heavy table, trained here or loaded from a saved run (notebooks 05 and 06).
# ---------------------------------------------------------------------------

def train_or_load(net, data, epochs, saved, live=False, snapshot_every=1, progress=True):
    """The run of training ``net`` on ``data`` for ``epochs``: trained here, or loaded from ``saved``.

    With ``live=True``, or when no saved run is found (Colab, Kaggle), this is
    ``hc.train(net, data, epochs, snapshot_every=...)``. Otherwise it loads the run a script
    saved (``studies/notebook_runs.py`` writes the notebooks' runs) and checks first that it is
    this very training: the same rule, every setting, seeds, epochs, data and kept snapshots. A
    run saved from anything else is refused, with what differs. ``net`` itself is trained only
    when the run is trained here.

    A relative ``saved`` is looked for from the notebook's folder, then from the folder above it
    (a student copy in notebooks/student/ finds its master's runs), then in the repository's
    notebooks/ folder when heatex runs from a checkout.
    """
    checks.check_net(net, hc.HeatExchanger)
    checks.check_data(data, hc.Dataset)
    live, progress = checks.flag(live, "live"), checks.flag(progress, "progress")
    epochs, _ = checks.check_epochs(epochs, snapshot_every, len(data.x_train))
    path = _saved_run(checks.path_name(saved, "saved"))
    if not live and path is None:
        print(f"(no saved run at {saved}: training it here instead)")
    if live or path is None:
        return hc.train(net, data, epochs=epochs, progress=progress, snapshot_every=snapshot_every)
    run = hc.Run.load(path)
    expected = dict(net.config(), epochs=checks.positive_int(epochs, "epochs"), data=data.name, data_seed=data.seed,
                    n_train=len(data.x_train), n_test=len(data.x_test))
    differ = sorted(name for name in expected.keys() | run.config.keys()
                    if expected.get(name) != run.config.get(name))
    kept = checks.kept_epochs(expected["epochs"], checks.positive_int(snapshot_every, "snapshot_every"))
    if not differ and not np.array_equal(run.snapshot_epochs, kept):
        differ = ["snapshot_every"]
    if differ:
        raise checks.HeatexValueError(f"the run saved at {saved} is not this training of net on data: it differs in {', '.join(differ)}. "
                         "Train it here (live=True), or write the saved runs again "
                         "(python studies/notebook_runs.py)")
    return run


def saved_file(saved):
    """The path of a file a ``studies/`` script saved for a notebook (``"runs/08_table.json"``), found
    as ``train_or_load`` finds a saved run; a clear error if it is nowhere."""
    path = _saved_run(checks.path_name(saved, "saved"))
    if path is None:
        raise checks.HeatexValueError(
            f"{saved} is not beside this notebook, its master or a checkout's notebooks/ folder: it is "
            "written by a study too long to run here; open the notebook from the repository (Binder, "
            "JupyterLite or a clone), where it is saved, or read its output on the reading site")
    return path


def _saved_run(saved):
    """Where the saved run ``saved`` is (see ``train_or_load``), or None."""
    path = pathlib.Path(saved)
    places = [path] if path.is_absolute() else [path, ".." / path, pathlib.Path(__file__).parent / "notebooks" / path]
    return next((place for place in places if place.is_file()), None)
