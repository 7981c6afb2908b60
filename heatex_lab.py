"""heatex_lab: the lab bench of notebooks 05-07. Read heatex_core first.

- ``Grid``: every combination of per-network settings, times every seed, laid
  out once on the exchanger's networks axis, and the results put back into the
  grid's shape. A search over settings is one training run.
- ``register_rule``: a rule of your own, usable by name like the built-in ones.
- ``is_local``: does each section's change depend only on what that section
  touches? A test by experiment, for any rule, yours included.
"""

from __future__ import annotations

import itertools

import numpy as np

import heatex_checks as checks
import heatex_core as hc

__all__ = ["Grid", "register_rule", "is_local"]


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

    def build(self, depth, width, **fixed):
        """``hc.HeatExchanger.build`` with one network per (combination, seed), ``fixed`` for all."""
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

def register_rule(rule, name=None, alignment="paper"):
    """Make a rule of your own usable by name, as ``hc.HeatExchanger.build(..., rule=name)``.

    ``rule`` is a function ``(weights, acts, partner, settings) -> change``,
    like the rules above, a ``functools.partial`` of one or a callable object;
    ``name`` defaults to its ``__name__`` (a partial's function's, an object's
    class's); ``alignment`` is the alignment it gets unless the exchanger is
    given another. Check it with ``is_local`` first: registering does not.
    Returns the name. A run of the rule remembers the name only: in a new
    kernel register the rule again before ``Run.load``.
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
    hc.RULES[name] = rule
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
