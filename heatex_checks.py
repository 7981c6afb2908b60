"""heatex_checks: every message a caller of heatex can get. Read heatex_core first.

The core tells the story; what it is given is checked here, before any work
starts, so that a mistake gets an error that names the argument, says what was
wrong with it and what to do -- never a silent NaN or a crash deep in numpy.
The checks run once per call (once per epoch in ``train``), never inside the
loop over samples.

- the errors and the warning: ``DivergenceError`` (a weight stopped being
  finite), ``WeightGrowthWarning`` (weights past ``GROWTH_LIMIT``),
  ``RunTooLargeError`` (a run that does not fit in memory);
- numbers, seeds and indices; sections, pipes and the exchanger's settings,
  with their bounds declared in ``SETTING_LIMITS``; layers of different widths
  (``layer_widths``) and what cannot work with them (``check_padded_rules``);
  samples and data sets, their targets one label or one-hot (``check_targets``);
- the memory a run needs, measured against what the machine has free;
- weights that grow or break: what the warning and the error say, and why.

This module imports no other heatex module but ``heatex_engine`` (for the
sizes of its buffers): where a check needs the core's tables or classes
(``RULE_DEFAULTS``, ``HeatExchanger``), the core hands them in.
"""

from __future__ import annotations

import math
import os
import pathlib
import warnings

import numpy as np

import heatex_engine as engine

# The pipes' names, as heatex_core.PIPES: pipe 0 and pipe 1 of the weights.
PIPE_NAMES = ("forward", "backward")


# ---------------------------------------------------------------------------
# The errors heatex raises. Every one is a HeatexError *and* the built-in
# error it always was, so ``except ValueError`` and ``except TypeError`` keep
# working, and ``except HeatexError`` catches heatex's refusals and nothing of
# numpy's or matplotlib's (a test calls every public function with junk and
# requires a HeatexError that names the argument, or a right answer).
# ---------------------------------------------------------------------------

class HeatexError(Exception):
    """Base of every error heatex raises on purpose: its message says what was wrong and what to do."""


class HeatexValueError(HeatexError, ValueError):
    """A value heatex refuses: out of bounds, the wrong shape, NaN, a name it does not know."""


class HeatexTypeError(HeatexError, TypeError):
    """A value of a type heatex cannot use: text for a number, None for an array."""


class HeatexOSError(HeatexError, OSError):
    """A file heatex could not write or read, with the real cause (permission, read-only, full disk).

    Made as ``HeatexOSError(errno, message)``: ``errno`` is kept, and the message is all it says.
    """

    def __str__(self):
        return self.strerror if self.strerror else super().__str__()


class HeatexPermissionError(HeatexOSError, PermissionError):
    """Permission denied, or a read-only file heatex will not replace."""


class HeatexFileNotFoundError(HeatexOSError, FileNotFoundError):
    """A file or a folder that is not there."""


def os_error(errno, message):
    """The HeatexOSError for ``errno`` (PermissionError's and FileNotFoundError's as those)."""
    import errno as codes
    kind = {codes.EACCES: HeatexPermissionError, codes.EPERM: HeatexPermissionError,
            codes.ENOENT: HeatexFileNotFoundError}.get(errno, HeatexOSError)
    return kind(errno, message)


# ---------------------------------------------------------------------------
# What goes wrong while learning: the errors and the warning callers can catch.
# ---------------------------------------------------------------------------

class DivergenceError(HeatexError, FloatingPointError):
    """A weight stopped being finite during training or a step.

    ``run`` is the ``Run`` up to the last epoch at which every weight of every
    network was finite (``None`` for ``learn``); the exchanger is left at
    those weights. ``epoch``, ``network``, ``pipe``, ``section`` and
    ``sample`` say where the first weight broke, ``cause`` why.
    """

    def __init__(self, message, run=None, epoch=None, network=None, pipe=None, section=None, sample=None,
                 cause=None):
        super().__init__(message)
        self.run, self.epoch, self.network, self.pipe = run, epoch, network, pipe
        self.section, self.sample, self.cause = section, sample, cause


class WeightGrowthWarning(RuntimeWarning):
    """Weights grew past ``GROWTH_LIMIT``: every sigmoid they feed is saturated and learning has stopped."""


class RunTooLargeError(HeatexError, MemoryError, ValueError):
    """A run, or a run file, needs more memory than this machine has free."""


# Past this size a weight saturates every sigmoid it feeds unless its inputs
# differ by less than 1e-3 (sigmoid(1e4 * 1e-3) is 1 - 5e-5): the threshold of
# WeightGrowthWarning. Notebook 02's blog run reaches about 700 in 60 epochs.
GROWTH_LIMIT = 1e4


# ---------------------------------------------------------------------------
# Numbers, seeds and indices.
# ---------------------------------------------------------------------------

def shown(value, limit=60):
    """``repr(value)``, cut short: a message quotes what it was given, not a whole array."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def size_text(n):
    """A size for people: 41.9 MB, 15.7 TB (powers of 1000, as disks and free(1) -h round them)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000


# Past this many sections a sigmoid pipe's signal is long gone (notebook 04 finds it flat after about
# ten), and building one takes minutes: refused at once.
MAX_DEPTH = 10**4


def check_depth(value):
    depth = positive_int(value, "depth")
    if depth > MAX_DEPTH:
        raise HeatexValueError(f"depth must be at most {MAX_DEPTH} sections (past that a pipe's signal is long gone, "
                               f"and building one takes minutes), got {depth}")
    return depth


def check_weights_size(k, depth, width, bias, failed=False):
    """An exchanger's weights against the memory free, before they are drawn (``failed``: numpy could not
    allocate them after all, under a limit the machine's free memory does not show)."""
    need = k * 2 * depth * (width + bias) * width * 8 * 3       # the draws, the weights and the engine's copies
    available = available_memory()
    if failed or (available is not None and need > 0.5 * available):
        raise RunTooLargeError(f"{k} network{'s' * (k > 1)} of depth {depth} and width {width} need about "
                               f"{size_text(need)} of weights, but this "
                               f"{'process may not allocate them' if failed else f'machine has {size_text(available)} free'}; "
                               "build fewer networks (seeds), or narrower or shallower pipes")


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise HeatexValueError(f"{name} must be a whole number of at least 1, got {shown(value)}")
    return int(value)


def given(value, name, what):
    """``value``, which must be given: None is refused, naming ``name`` and ``what`` it should be."""
    if value is None:
        raise HeatexTypeError(f"{name} must be given: {what}")
    return value


def section_index(i, depth, name="i"):
    """A section's index in flow order, 0 to depth - 1."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) or not 0 <= i < depth:
        raise HeatexValueError(f"{name} must be a section index from 0 to {depth - 1} (flow order), got {shown(i)}")
    return int(i)


def check_finite(array, what):
    if not np.all(np.isfinite(array)):
        raise HeatexValueError(f"{what} contain NaN or inf; give finite numbers")


def network_index(k, n_networks):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n_networks:
        raise HeatexValueError(f"network must be a whole number from 0 to {n_networks - 1} "
                         f"(there are {n_networks}), got {shown(k)}")
    return int(k)


def pipe_index(pipe):
    if isinstance(pipe, str) and pipe in PIPE_NAMES:
        return PIPE_NAMES.index(pipe)
    if isinstance(pipe, (int, np.integer)) and not isinstance(pipe, bool) and pipe in (0, 1):
        return int(pipe)
    raise HeatexValueError(f'pipe must be "forward" or "backward" (or 0, 1), got {shown(pipe)}')


def as_array(value):
    """``numpy.asarray(value)``, or None where numpy cannot make one array of it (ragged lists, say).

    The one place that tries: every check of "an array of numbers" starts here and says in its
    own words what was wrong.
    """
    try:
        return np.asarray(value)
    except (ValueError, TypeError):
        return None


def real_array(value, name):
    """``value`` as a float array, or an error naming ``name`` if it is not real numbers."""
    array = as_array(value)
    if array is None:
        raise HeatexValueError(f"{name} must be an array of numbers with one shape, got {shown(value)}")
    if array.dtype.kind not in "biuf":
        kind = "complex numbers" if array.dtype.kind == "c" else f"{array.dtype} values"
        raise HeatexTypeError(f"{name} must hold real numbers, got {kind} ({shown(value)})")
    return array.astype(float)


def real_numbers(value, name):
    """``value`` as a float array of real numbers (a picture's input), or an error naming ``name``."""
    array = as_array(value)
    if array is None or array.dtype.kind not in "biuf":
        raise HeatexTypeError(f"{name} must be an array of real numbers, got {shown(value)}")
    return array.astype(float)


def positive(value, name, unit="", most=None):
    """A finite number above 0 (and at most ``most``, else 1e300), as a float."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    try:
        size = float(value) if real else math.nan
    except OverflowError:               # a Python int past float's range
        size = math.inf
    if not 0 < size <= (1e300 if most is None else most):
        limit = f" and at most {most:g}" if most is not None else (" and at most 1e300" if 1e300 < size < math.inf else "")
        raise HeatexValueError(f"{name} must be a number above 0{limit}{unit}, got {shown(value)}")
    return float(value)


def whole(value, name, least, most=None, why=""):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least \
            or (most is not None and value > most):
        span = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise HeatexValueError(f"{name} must be a whole number {span}{why}, got {shown(value)}")
    return int(value)


def seed_array(seeds, name="seeds"):
    """Seeds as int64: one whole number from 0 to 2**63 - 1, or a list of them (shape kept)."""
    array = as_array(seeds)
    if array is None or array.dtype.kind not in "iu" or array.ndim > 1 or array.size == 0 or np.any(array < 0) \
            or np.any(array > np.iinfo(np.int64).max):
        raise HeatexValueError(f"{name} must be a whole number from 0 to 2**63 - 1 or a non-empty list of them "
                         f"(numpy integers do), got {shown(seeds)}; e.g. {name}=3 or {name}=[0, 1, 2]")
    return array.astype(np.int64)


def seed_list(seeds):
    return [int(s) for s in np.atleast_1d(seed_array(seeds))]


def seed(value, name):
    """One seed, as a plain int."""
    array = seed_array(value, name)
    if array.ndim != 0:
        raise HeatexValueError(f"{name} must be one whole number from 0 to 2**63 - 1, got {shown(value)}")
    return int(array)


def epoch_index(run, epoch):
    epochs = run.snapshot_epochs
    listed = ", ".join(map(str, epochs[:4])) + (f", ..., {epochs[-1]}" if len(epochs) > 4 else "")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)):
        raise HeatexValueError(f"epoch must be a whole number, one of the run's snapshot epochs ({listed}) or -1 for the "
                         f"last, got {shown(epoch)}")
    if epoch == -1:
        return len(epochs) - 1
    found = np.flatnonzero(epochs == epoch)
    if not found.size:
        raise HeatexValueError(f"epoch {epoch} has no snapshot in this run; its snapshots are after epochs {listed} "
                         "(-1 is the last)")
    return int(found[0])


# ---------------------------------------------------------------------------
# Sections, pipes and the exchanger.
# ---------------------------------------------------------------------------

def check_section(other, arrow, section_class):
    if not isinstance(other, section_class):
        raise HeatexTypeError(f"a Section links only to another Section: write Section(2) {arrow} Section(2), "
                        f"not a Section {arrow} {type(other).__name__} ({shown(other)})")


def check_sections(sections, section_class):
    try:
        if isinstance(sections, (str, bytes)):
            raise TypeError
        sections = list(sections)
    except TypeError:
        raise HeatexTypeError(f"sections must be a list of Section objects in flow order, got {shown(sections)}") from None
    for section in sections:
        if not isinstance(section, section_class):
            raise HeatexTypeError(f"sections must hold Section objects only, got {type(section).__name__} "
                            f"{shown(section)}; make each with Section(width)")
    return sections


def check_pipe(value, name, pipe_class):
    if not isinstance(value, pipe_class):
        raise HeatexTypeError(f"{name} must be a Pipe of linked sections (e.g. Section(2) > Section(2)), "
                        f"got {type(value).__name__}")


def weight_list(value, name):
    """``from_weights``' pipe: a list of (inputs, width) matrices in flow order."""
    if isinstance(value, np.ndarray) and value.ndim == 3:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise HeatexTypeError(f"{name} must be a list of (inputs, width) weight matrices, one per section in flow "
                        f"order, got {type(value).__name__}")
    if not value:
        raise HeatexValueError(f"{name} has no sections; give at least one (inputs, width) weight matrix")
    return list(value)


def check_bias(bias):
    if not isinstance(bias, (bool, np.bool_)):
        raise HeatexTypeError(f"bias must be True or False, got {shown(bias)}")


# The bounds of the per-network settings, as data (as scikit-learn declares its
# parameter constraints): (lowest, whether the lowest itself is allowed, why).
# heatex_core checks at import that every setting of its SETTINGS is named here
# and in SETTING_RANGES, so a new setting cannot forget its check.
SETTING_LIMITS = {
    "difference": (0, True, "a negative difference turns the correction around"),
    "inverse_step": (0, True, "a negative step teaches the backward pipe the opposite of an inverse"),
    "inverse_noise": (0, True, "the noise is a spread: 0 or more"),
    "step": (0, True, "a negative step moves every weight away from what the rule asks"),
    "pull_previous": (0, True, "a negative pull pushes a section away from its input"),
    "pull_partner": (0, True, "a negative pull pushes a section away from its partner"),
    "hidden_pull": (0, True, "a negative pull turns the hidden sections' learning around"),
    "init_scale": (0, False, "initial weights are drawn from [-init_scale, init_scale]; at 0 every weight is 0"),
}


# What a rule can use, as data: (warned above, refused above, why). Past the
# first a SettingRangeWarning says so when the exchanger is built (and when it
# is trained); past the second the value is refused, since nothing can be
# learnt there. Every layer a sigmoid gives lies in (0, 1), and the data in
# [-1, 1]: the bounds are counted against that.
SETTING_RANGES = {
    "init_scale": (10.0, GROWTH_LIMIT,
                   "past 10 nearly every unit of a fresh pipe is saturated (notebook 04); past GROWTH_LIMIT the "
                   "weights start where learning has stopped"),
    "step": (1e3, math.inf, "past 1000 one step changes a weight by more than any weight a rule keeps in range"),
    "pull_previous": (100.0, math.inf, "a pull weighs one target against the other: 0 to 1 is the usual range"),
    "pull_partner": (100.0, math.inf, "a pull weighs one target against the other: 0 to 1 is the usual range"),
    "hidden_pull": (100.0, math.inf, "1 gives the hidden sections schmidhuber_rule's whole change, 0 freezes them"),
    "difference": (10.0, math.inf, "1 is difference target propagation's correction; far past it the targets the "
                   "backward pipe carries leave the sigmoid's range (0, 1)"),
    "inverse_step": (1e3, math.inf, "past 1000 one step changes a weight by more than any weight a rule keeps in range"),
    "inverse_noise": (1.0, 1e3, "the jiggle is added to layers that lie in (0, 1): past 1 it drowns the layer, "
                      "and far past it every jiggled sigmoid is saturated, the inverse learns nothing and the "
                      "accuracy falls below the majority baseline"),
}


class SettingRangeWarning(UserWarning):
    """A setting outside what its rule can use (``SETTING_RANGES``): allowed, but learning will likely fail."""


# The settings that can make the weights grow or break, for each rule, in the
# order they most often do (a setting far from its rule's default is named
# before these; see likely_causes). A rule of one's own gets GROWTH_CAUSES[None].
GROWTH_CAUSES = {
    "blog": ("step", "init_scale"),
    "schmidhuber": ("step", "pull_partner", "pull_previous", "init_scale"),
    "backprop": ("step", "init_scale"),
    "end_exchange": ("step", "hidden_pull", "pull_partner", "pull_previous", "init_scale"),
    "difference_exchange": ("difference", "hidden_pull", "inverse_step", "inverse_noise", "init_scale", "step"),
    None: ("step", "init_scale", "pull_partner", "pull_previous", "hidden_pull"),
}


def check_declared(settings):
    """Every setting has its bounds declared (at import of heatex_core): a new one cannot forget its check."""
    for table in (SETTING_LIMITS, SETTING_RANGES):
        missing = [name for name in settings if name not in table]
        if missing:
            raise HeatexValueError(f"settings {missing} have no bounds declared in heatex_checks; add them")


def per_network_array(value, name, k, dtype=float):
    array = as_array(value)
    if array is None or array.dtype.kind not in "iuf":
        complex_numbers = array is not None and array.dtype.kind == "c"
        raise HeatexValueError(f"{name} must hold finite numbers, one or one per network ({k}), got {shown(value)}"
                         + ("; complex numbers have no place here" if complex_numbers else ""))
    if array.ndim == 0:
        array = np.full(k, array)
    if array.shape != (k,):
        raise HeatexValueError(f"{name} must be one number or one per network ({k}), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise HeatexValueError(f"{name} must hold finite numbers, got {shown(value)}")
    if name in SETTING_LIMITS:
        low, inclusive, why = SETTING_LIMITS[name]
        bad = array < low if inclusive else array <= low
        if np.any(bad):
            raise HeatexValueError(f"{name} must be {'at least' if inclusive else 'more than'} {low}, got "
                             f"{shown(array[bad][0].item())}: {why}")
    if name in SETTING_RANGES:
        _, most, why = SETTING_RANGES[name]
        if np.any(array > most):
            raise HeatexValueError(f"{name} must be at most {most:g}, got {shown(array[array > most][0].item())}: {why}")
    return array.astype(dtype)


def outside():
    """The stacklevel of the first caller outside heatex's modules: where a warning should point."""
    import sys
    frame, level = sys._getframe(1), 1
    while frame is not None and pathlib.Path(frame.f_code.co_filename).stem.startswith("heatex_"):
        frame, level = frame.f_back, level + 1
    return level


def warn_ranges(net, settings, defaults):
    """A SettingRangeWarning for every setting past what its rule can use (SETTING_RANGES); ``defaults``
    is heatex_core's RULE_DEFAULTS."""
    for name in settings:
        useful, _, why = SETTING_RANGES[name]
        values = getattr(net, name)
        if np.any(values > useful):
            k = int(np.argmax(values > useful))
            warnings.warn(f"{name} {values[k]:g} (network {k}) is past {useful:g}, more than the {net.rule!r} rule "
                          f"can use: {why}; the rule's default is {defaults[net.rule][name]:g}",
                          SettingRangeWarning, stacklevel=outside())


def setting_names(settings):
    """The per-network settings: ``seeds`` and every setting of the rules (heatex_core.SETTINGS)."""
    return ["seeds", *settings]


def check_exchanger_state(net, rules, alignments, settings):
    """An exchanger as it is *now*, checked where it is used (``learn``, ``train``, ``measure``, ``config``).

    A student may set ``net.step = 10``, ``net.rule = "nope"`` or ``net.seeds = [5]`` after building:
    each is refused by name, or (a number for a per-network setting) made an array of K again, so that
    nothing trains silently with it and ``config()`` never says what the exchanger does not do.
    ``rules``, ``alignments`` and ``settings`` are heatex_core's RULES, ALIGNMENTS and SETTINGS.
    """
    weights = getattr(net, "weights", None)
    if not isinstance(weights, np.ndarray) or weights.dtype != np.float64 or weights.ndim != 5 \
            or weights.shape[1] != 2 or 0 in weights.shape:
        raise HeatexValueError(f"net.weights must be a float array of shape (networks, 2 pipes, depth, inputs, width), "
                               f"got {shown(weights if not isinstance(weights, np.ndarray) else weights.shape)}; "
                               "change the weights in place (net.weights[...] = new) or build a new exchanger")
    if not isinstance(net.rule, str) or net.rule not in rules:
        raise HeatexValueError(f"net.rule is {shown(net.rule)}, which is no rule this code knows; choose one of "
                               f"{sorted(rules)} by name (hl.register_rule makes your own one of them)")
    if not isinstance(net.alignment, str) or net.alignment not in alignments:
        raise HeatexValueError(f"net.alignment is {shown(net.alignment)}; choose one of {sorted(alignments)}")
    check_bias(net.bias)
    if weights.shape[-2] != weights.shape[-1] + bool(net.bias):
        raise HeatexValueError(f"net.bias is {net.bias}, but the weights have {weights.shape[-2]} input rows for "
                               f"width {weights.shape[-1]}; a bias is fixed when the exchanger is built: build a new one")
    if net.rule == "blog" and net.bias:
        raise HeatexValueError("the blog's rule has no bias; use bias=False or rule='schmidhuber'")
    k = len(weights)
    for name in setting_names(settings):
        value = getattr(net, name, None)
        if name == "seeds":
            net.seeds = per_network_array(seed_array(value, "net.seeds"), "seeds", k, dtype=np.int64)
        else:
            setattr(net, name, per_network_array(value, name, k))
    built = getattr(net, "_built_seeds", None)
    if built is not None and not np.array_equal(built, net.seeds):
        raise HeatexValueError(f"net.seeds was changed to {shown(net.seeds.tolist())} after building, but the initial "
                               f"weights and every shuffle come from the seeds it was built with, "
                               f"{shown(built.tolist())}; build a new exchanger with seeds={shown(net.seeds.tolist())}")
    rngs = getattr(net, "rngs", None)
    if not isinstance(rngs, (list, tuple)) or len(rngs) != k \
            or not all(isinstance(rng, np.random.Generator) for rng in rngs):
        raise HeatexTypeError(f"net.rngs must be a list of {k} numpy.random.Generator, one per network (each "
                              f"network's shuffles come from its own), got {shown(rngs)}; leave it as built")
    net.rngs = list(rngs)
    check_difference(net)
    check_padded_rules(net)
    if not np.all(np.isfinite(weights)):
        raise HeatexValueError("net's weights contain NaN or inf (a DivergenceError caught and ignored, or weights "
                               "set by hand?); build the exchanger again")


def check_rule(rule, rules):
    if not isinstance(rule, str) or rule not in rules:
        raise HeatexValueError(f"unknown rule {shown(rule)}; choose one of {sorted(rules)} by name")


def check_exchanger(weights, rule, alignment, bias, defaults, alignments):
    """The weights as a float array (K, 2, depth, inputs, width), the alignment and the bias, checked.

    ``alignment`` None is the rule's; ``bias`` None is what the weights' rows say. ``defaults`` and
    ``alignments`` are heatex_core's RULE_DEFAULTS and ALIGNMENTS.
    """
    check_rule(rule, defaults)
    alignment = defaults[rule]["alignment"] if alignment is None else alignment
    if not isinstance(alignment, str) or alignment not in alignments:
        raise HeatexValueError(f"unknown alignment {shown(alignment)}; choose one of {sorted(alignments)}")
    weights = real_array(weights, "weights")
    if bias is None:
        bias = weights.ndim == 5 and weights.shape[-2] == weights.shape[-1] + 1
    check_bias(bias)
    if weights.ndim != 5 or weights.shape[1] != 2:
        raise HeatexValueError(
            "weights must have shape (networks, 2 pipes, depth, inputs, width), "
            f"got {weights.shape}")
    if min(weights.shape[0], weights.shape[2], weights.shape[-1]) < 1:
        raise HeatexValueError(f"weights must hold at least one network, one section and one unit, got shape "
                         f"{weights.shape}")
    width, n_in = weights.shape[-1], weights.shape[-2]
    if n_in != width + bool(bias):
        raise HeatexValueError(
            f"each section of width {width} needs {width + bool(bias)} input rows "
            f"({'with' if bias else 'without'} a bias), got {n_in}; sections of different widths are padded "
            "to the widest layer (give widths=...)")
    if rule == "blog" and bias:
        raise HeatexValueError("the blog's rule has no bias; use bias=False or rule='schmidhuber'")
    check_finite(weights, "the initial weights")
    return weights, alignment, bool(bias)


def check_jiggle(jiggle, net):
    jiggle = real_array(jiggle, "jiggle")
    shape = (net.n_networks, net.depth, net.width)
    if jiggle.shape != shape or not np.all(np.isfinite(jiggle)):
        raise HeatexValueError(f"jiggle must be finite draws of shape {shape} (networks, sections, width), "
                         f"got shape {jiggle.shape}; or leave it out")
    return jiggle


# The built-in rules that use none of the difference exchange's settings (a rule of one's own may use them).
WITHOUT_DIFFERENCE = ("blog", "schmidhuber", "backprop", "end_exchange")


def check_difference(net, targets=()):
    """difference, inverse_step and inverse_noise are the difference exchange's, in the paper's alignment;
    so are the targets of a rule of one's own (``targets``: heatex_core's TARGETS)."""
    used = [name for name in ("difference", "inverse_step", "inverse_noise") if np.any(getattr(net, name))]
    if used and net.rule in WITHOUT_DIFFERENCE:
        raise HeatexValueError(f"{', '.join(used)} belong{'s' * (len(used) == 1)} to rule='difference_exchange'; "
                         f"the {net.rule!r} rule does not use {'it' if len(used) == 1 else 'them'}: leave "
                         f"{'it' if len(used) == 1 else 'them'} out")
    if (net.rule == "difference_exchange" or net.rule in targets) and net.alignment != "paper":
        raise HeatexValueError("the difference exchange lays the pipes as the paper does (the last forward section "
                         "faces y): use alignment='paper'")


def check_net(net, exchanger_class, name="net"):
    if not isinstance(net, exchanger_class):
        # a Network is one network of an exchanger: it knows which
        hint = ("; train the exchanger it belongs to, net.exchanger"
                if isinstance(getattr(net, "exchanger", None), exchanger_class)
                else "; make one with HeatExchanger.build")
        raise HeatexTypeError(f"{name} must be a heatex_core.HeatExchanger, not {type(net).__name__}{hint}")


# ---------------------------------------------------------------------------
# Sections of different widths (heatex_core's module docstring: padded to the widest).
# ---------------------------------------------------------------------------

def layer_widths(depth, width, widths, defaults=(None, None)):
    """The layer widths, input first, from ``depth`` and ``width`` or from ``widths``: a tuple of ints.

    With ``widths``, depth and width must be left out (None, or the ``defaults`` of the signature).
    """
    if widths is None:
        depth, width = positive_int(depth, "depth"), positive_int(width, "width")
        return (width,) * (depth + 1)
    if depth not in (None, defaults[0]) or width not in (None, defaults[1]):
        raise HeatexValueError(f"give depth and width, or widths, not both: widths={shown(widths)} already says "
                         "how many layers there are and how wide each is")
    array = as_array(widths)
    if array is not None and array.ndim == 1 and any(isinstance(w, (bool, np.bool_)) for w in widths):
        array = None            # True is not a width of 1
    if array is None or array.dtype.kind not in "iu" or array.ndim != 1 or len(array) < 2 or np.any(array < 1):
        raise HeatexValueError(f"widths must be the layer widths, input first, as 64-16-10 is written: two or more whole "
                         f"numbers of at least 1, e.g. widths=(64, 16, 10); got {shown(widths)}")
    return tuple(int(w) for w in array)


def linked_width(given, source_width, section):
    """The input width of ``section`` once ``source`` feeds it: as wide as the source's output."""
    if given is not None and given != source_width:
        raise HeatexValueError(f"{section!r} takes {given} inputs but the section before it gives {source_width}; "
                         f"leave input_width out (it follows the section that feeds it) or make them agree")
    return source_width


def mirrored(forward, backward):
    """The layer widths of linked pipes: the backward pipe's must be the forward pipe's in reverse."""
    if list(backward) != list(forward)[::-1]:
        raise HeatexValueError(f"both pipes need layers of the same widths, the backward pipe's in reverse: the forward "
                         f"pipe is {'-'.join(map(str, forward))}, so the backward pipe must be "
                         f"{'-'.join(map(str, forward[::-1]))} in flow order (y first), got "
                         f"{'-'.join(map(str, backward))}; e.g. Section(16, input_width=64) > Section(10) and "
                         "Section(64) < Section(16, input_width=10), or use pipes(widths=...)")
    return tuple(forward)


def widths_of_sections(forward, backward):
    """The layer widths and the bias of sections given as matrices (``from_weights``), read off their shapes."""
    shapes = [np.shape(w) for w in forward + backward]
    for name, pipe in (("forward", forward), ("backward", backward)):
        if any(np.ndim(w) != 2 for w in pipe):
            raise HeatexValueError(f"every section's weights in {name} must be an (inputs, width) matrix, got shapes "
                                   f"{[np.shape(w) for w in pipe]}")
    depth = len(forward)
    bias = shapes[0][0] - shapes[-1][1]        # forward section 0 takes x (and a bias); the backward pipe gives x back
    widths = (shapes[0][0] - bias,) + tuple(shape[1] for shape in shapes[:depth])
    if bias not in (0, 1) or [tuple(s) for s in shapes] != engine.section_shapes(widths, bias):
        raise HeatexValueError(f"the sections' shapes {shapes} do not chain: each section's input rows must be the width "
                         "of the layer before it (plus 1 with a bias), and the backward pipe's sections must run "
                         "the forward pipe's layers in reverse")
    return widths, bool(bias)


def exchanger_widths(weights, widths, net):
    """An exchanger's layer widths, checked against its weights and rule: a tuple, input first."""
    depth, width = weights.shape[2], weights.shape[-1]
    widths = (width,) * (depth + 1) if widths is None else layer_widths(None, None, widths)
    if len(widths) != depth + 1 or max(widths) != width:
        raise HeatexValueError(f"widths {'-'.join(map(str, widths))} need weights of {len(widths) - 1} sections padded to "
                         f"the widest, {max(widths)}, but the weights hold {depth} sections of width {width}")
    check_padding(weights, widths, net.bias)
    net.widths = widths
    check_padded_rules(net)
    return widths


def check_padding(weights, widths, bias, what="widths", holder="the weights"):
    """Weights (..., 2, depth, inputs, width) of layers of ``widths``: nothing outside each section's block."""
    outside = engine.pad_sections([np.ones(shape) for shape in engine.section_shapes(widths, bias)], widths, bias) == 0
    if np.any(weights[..., outside]):
        raise HeatexValueError(f"{holder} hold numbers outside the sections of {what} {'-'.join(map(str, widths))}: "
                               "the padding around each section's block must be 0 (heatex_engine.block says where each "
                               "section lies); give the widths the weights were made with")


def check_padded_rules(net):
    """What cannot work with layers of different widths: the pull of a section towards its own input
    (the blog's rule, a nonzero pull_previous) and the blog's alignment, which pair layers of two widths."""
    widths = tuple(getattr(net, "widths", ()))
    if not widths or min(widths) == max(widths):
        return
    shape = "-".join(map(str, widths))
    if net.rule == "blog":
        raise HeatexValueError(f"the blog's rule pulls every section towards its own input, which needs every layer as "
                         f"wide as the next; layers {shape} differ: use rule='difference_exchange', 'end_exchange' "
                         "or 'backprop', or layers of one width")
    if net.alignment != "paper":
        raise HeatexValueError(f"alignment={net.alignment!r} pairs each section with a layer of another width when the "
                         f"layers are {shape}; use alignment='paper', which pairs layers of the same width")
    if net.rule in ("schmidhuber", "end_exchange", "difference_exchange") and np.any(net.pull_previous):
        raise HeatexValueError(f"pull_previous={shown(net.pull_previous.tolist())} pulls each section towards its own "
                         f"input, which is not as wide as its output when the layers are {shape}; "
                         "set pull_previous=0 (the difference exchange's default)")


# ---------------------------------------------------------------------------
# Samples and data.
# ---------------------------------------------------------------------------

def rows_not_finite(value):
    return np.flatnonzero(~np.isfinite(value.reshape(-1, value.shape[-1])).all(axis=1))[:5].tolist()


def check_sample(value, name, net, width=None):
    """A sample x or y for ``learn``: (width,) or (K, width) as finite floats; ``width`` is its end's
    (the pipes' width if left out)."""
    value = real_array(value, name)
    width = net.width if width is None else width
    if value.ndim not in (1, 2) or value.shape[-1] != width or len(np.atleast_2d(value)) not in (1, net.n_networks):
        raise HeatexValueError(f"{name} must have shape ({width},) or ({net.n_networks}, {width}) "
                         f"for {net.n_networks} networks of width {width}, got {value.shape}")
    if not np.all(np.isfinite(value)):
        raise HeatexValueError(f"{name} has NaN or inf (rows {rows_not_finite(value)}); give finite numbers")
    return value


def check_one_sample(value, name, width):
    value = real_array(value, name)
    if value.shape != (width,):
        raise HeatexValueError(f"{name} must be one sample of shape ({width},), got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise HeatexValueError(f"{name} has NaN or inf; give finite numbers")
    return value


def check_pair(x, y, width, y_width=None):
    """x and y for ``Network.flow``: one sample (width,) or m samples (m, width) each, finite; y
    ``y_width`` wide when the pipes' ends differ."""
    x, y = real_array(x, "x"), real_array(y, "y")
    for name, value, wide in (("x", x, width), ("y", y, width if y_width is None else y_width)):
        if value.ndim not in (1, 2) or value.shape[-1] != wide:
            raise HeatexValueError(f"{name} must be one sample ({wide},) or m samples (m, {wide}), got shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise HeatexValueError(f"{name} has NaN or inf; give finite numbers")
    if x.shape[:-1] != y.shape[:-1]:
        raise HeatexValueError(f"x and y must hold the same number of samples, got shapes {x.shape} and {y.shape}")
    return x, y


def check_points(value, name, width, k=None):
    """Points for ``predict`` and ``reconstruct``: (m, width), or (K, m, width) when ``k`` is given."""
    value = real_array(value, name)
    ok = (value.ndim == 2 and value.shape[1] == width) or \
         (k is not None and value.ndim == 3 and value.shape[0] in (1, k) and value.shape[2] == width)
    if not ok:
        shapes = f"(m, {width})" + (f" or ({k}, m, {width}), one set per network" if k is not None else "")
        hint = f"; for one sample write [{name}] or {name}[None]" if value.shape == (width,) else ""
        raise HeatexValueError(f"{name} must be samples of shape {shapes}, got shape {value.shape}{hint}")
    if not np.all(np.isfinite(value)):
        raise HeatexValueError(f"{name} has NaN or inf in rows {rows_not_finite(value)}; give finite numbers")
    return value


def check_radius(radius):
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)) \
            or not 0 < radius < math.sqrt(2):
        raise HeatexValueError(f"radius must be a number between 0 and √2 ≈ 1.414 (beyond either, every point of "
                         f"the square [-1, 1]² gets the same label), got {shown(radius)}")
    return float(radius)


# The shapes of the data sets of the plane, as data: (lowest, highest, why beyond is refused).
DATA_LIMITS = {
    "noise": (0.0, 0.3, "more noise sends points well outside [-1, 1] and washes the classes into each other"),
    "turns": (0.25, 3.0, "fewer turns is no spiral; more packs the arms closer than the noise"),
}


def _data_limit(value, name):
    low, high, why = DATA_LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not low <= value <= high:
        raise HeatexValueError(f"{name} must be a number from {low} to {high} ({why}), got {shown(value)}")
    return float(value)


def check_noise(noise):
    return _data_limit(noise, "noise")


def check_turns(turns):
    return _data_limit(turns, "turns")


def check_data(data, dataset_class):
    if not isinstance(data, dataset_class):
        raise HeatexTypeError(f"data must be a heatex_core.Dataset (circle_data, xor_data or Dataset(x_train, y_train, "
                        f"x_test, y_test) make one), not {type(data).__name__}")


def check_dataset(data):
    for key in ("x_train", "y_train", "x_test", "y_test"):
        value = as_array(getattr(data, key))
        if value is None:
            raise HeatexValueError(f"{key} must be an array of numbers (samples, width) with one shape")
        if value.dtype == object or not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
            raise HeatexTypeError(f"{key} must hold numbers, got dtype {value.dtype}")
        if np.iscomplexobj(value):
            raise HeatexTypeError(f"{key} must hold real numbers, got dtype {value.dtype}")
        value = value.astype(float)
        if value.ndim != 2:
            raise HeatexValueError(f"{key} must have shape (samples, width), got {value.shape}")
        if not np.all(np.isfinite(value)):
            rows = np.flatnonzero(~np.isfinite(value).all(axis=1))
            raise HeatexValueError(f"{key} has NaN or inf in rows {rows[:5].tolist()}; drop or fix those samples")
        setattr(data, key, value)
    for split in ("train", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        if len(x) != len(y):
            raise HeatexValueError(f"x_{split} has {len(x)} samples but y_{split} has {len(y)}")
        if len(x) == 0:
            raise HeatexValueError(f"the {split} split is empty")
        not_label = ~((y == 0) | (y == 1)).all(axis=1)
        if not_label.any():
            rows = np.flatnonzero(not_label)[:5].tolist()
            raise HeatexValueError(f"y_{split} must hold labels 0 or 1, got {np.unique(y[not_label])[:4].tolist()} in rows "
                             f"{rows}; use 1.0 for class 1 and 0.0 for class 0")
    for kind in ("x", "y"):
        train, test = getattr(data, f"{kind}_train"), getattr(data, f"{kind}_test")
        if train.shape[1] != test.shape[1]:
            raise HeatexValueError(f"{kind}_train and {kind}_test must have the same width, got {train.shape[1]} and "
                             f"{test.shape[1]}")
    check_targets(data)
    if not isinstance(data.name, str):
        raise HeatexTypeError(f"name must be text that names the data, got {shown(data.name)}")
    data.seed = None if data.seed is None else seed(data.seed, "seed")


def check_targets(data):
    """Targets in one form: every row one label repeated across the width (two classes), or every row
    one-hot (one 1, the sample's class), in both splits."""
    forms = {}
    for split in ("train", "test"):
        y = getattr(data, f"y_{split}")
        repeated = (y == y[:, :1]).all(axis=1)
        one_hot = (y.sum(axis=1) == 1) & ~repeated
        neither = ~(repeated | one_hot)
        if neither.any():
            raise HeatexValueError(f"y_{split} must repeat each sample's label across its {y.shape[1]} columns, or be "
                             f"one-hot (a single 1, in the sample's class's column); rows "
                             f"{np.flatnonzero(neither)[:5].tolist()} are neither: give each sample one label, "
                             "e.g. np.repeat(labels[:, None], width, axis=1), or np.eye(classes)[labels]")
        forms[split] = repeated
    mixed = np.concatenate(list(forms.values()))
    if mixed.any() and not mixed.all():
        kinds = {split: ("one-hot" if not rows.any() else "repeated labels" if rows.all() else "both")
                 for split, rows in forms.items()}
        raise HeatexValueError(f"the targets mix repeated labels with one-hot rows (y_train: {kinds['train']}, y_test: "
                         f"{kinds['test']}); give every sample of both splits the same form")


def check_split(split):
    if not isinstance(split, str) or split not in ("train", "test"):
        raise HeatexValueError(f'split must be "train" or "test", got {shown(split)}')
    return split


def split_sizes(n_train, n_test, available, width, own_width, name):
    """n_train and n_test of a data set of ``available`` samples, and a width that must be its own."""
    n_train, n_test = positive_int(n_train, "n_train"), positive_int(n_test, "n_test")
    if n_train + n_test > available:
        raise HeatexValueError(f"the {name} have {available} samples, so n_train + n_test can be at most {available}, got "
                         f"{n_train} + {n_test}")
    if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)) or width != own_width:
        raise HeatexValueError(f"the {name} are {own_width} wide (their own inputs), so width must be {own_width} or left "
                         f"out, got {shown(width)}")
    return n_train, n_test


def check_widths(net, data):
    widths, ends = tuple(getattr(net, "widths", (net.width,))), (data.x_train.shape[1], data.y_train.shape[1])
    if ends[0] == ends[1] and min(widths) == max(widths):     # one width throughout
        if data.width != net.width:
            raise HeatexValueError(f"the data is {data.width} wide but the pipes are {net.width} wide; "
                             f"make the data with width={net.width} or build pipes of width {data.width}")
    elif ends != (widths[0], widths[-1]):
        raise HeatexValueError(f"the data's x is {ends[0]} wide and its y {ends[1]}, but the pipes' layers are "
                         f"{'-'.join(map(str, widths))}: the first layer must be as wide as x and the last as y; "
                         f"build them with widths=({ends[0]}, ..., {ends[1]})")


def check_training(net, data, progress, exchanger_class, dataset_class, known):
    """What ``train`` is given: an exchanger whose settings and weights still hold, and data as wide as it."""
    check_net(net, exchanger_class)
    check_data(data, dataset_class)
    if not isinstance(progress, (bool, np.bool_)):
        raise HeatexTypeError(f"progress must be True or False, got {shown(progress)}")
    check_dataset(data)         # the arrays may have been changed since the Dataset was made
    check_exchanger_state(net, *known)
    check_widths(net, data)
    check_padded_rules(net)


# ---------------------------------------------------------------------------
# How big a run is, and what the machine has.
# ---------------------------------------------------------------------------

def kept_epochs(epochs, every):
    """The epochs whose snapshots a run keeps: 0, every, 2 every, ... and the last."""
    kept = np.arange(0, epochs + 1, every)
    return kept if kept[-1] == epochs else np.append(kept, epochs)


def kept_count(epochs, every):
    """len(kept_epochs(epochs, every)), counted without making the array."""
    return epochs // every + 1 + (epochs % every != 0)


# More steps than this (epochs times training samples) take more than a day even at 10 µs a step,
# the fastest step there is: refused at once, as a request no one means.
MAX_STEPS = 10**10


def check_epochs(epochs, snapshot_every, n_train):
    """``train``'s epochs and snapshot_every: whole numbers of at least 1, not more steps than MAX_STEPS;
    a snapshot_every past epochs keeps the first and the last snapshot, as one of epochs does."""
    epochs = positive_int(epochs, "epochs")
    snapshot_every = positive_int(snapshot_every, "snapshot_every")
    if epochs * n_train > MAX_STEPS:
        hours = epochs * n_train * 1e-5 / 3600
        raise HeatexValueError(f"epochs={epochs} of {n_train} training samples is {epochs * n_train:.3g} steps, which "
                               f"would take more than {hours:,.0f} hours even at 10 µs a step; train at most "
                               f"{MAX_STEPS // n_train} epochs at once")
    return epochs, min(snapshot_every, epochs)


def check_data_size(n_train, n_test, width):
    """circle_data's and xor_data's request, against the memory free, before anything is drawn."""
    need = (n_train + n_test) * (2 * width + 4) * 8 * 2       # points, x, y and the temporaries making them
    available = available_memory()
    if available is not None and need > 0.9 * available:
        raise RunTooLargeError(f"n_train={n_train} and n_test={n_test} samples of width {width} need about "
                               f"{size_text(need)}, but this machine has {size_text(available)} free; ask for fewer "
                               "samples")


def available_memory():
    """Bytes this process may still fill, or None where that cannot be told.

    The least of the machine's free memory (MemAvailable) and what a cgroup
    (a container's limit) still allows, page cache counted as free.
    """
    found = []
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = pathlib.Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(pathlib.Path("/sys/fs/cgroup/memory.current").read_text())
            stat = dict(line.split() for line in pathlib.Path("/sys/fs/cgroup/memory.stat").read_text().splitlines())
            found.append(int(limit) - used + int(stat.get("inactive_file", 0)))
    except (OSError, ValueError):
        pass
    if not found and hasattr(os, "sysconf"):
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    return max(min(found), 0) if found else None


def allocate_run(net, data, first, epochs, every):
    """The snapshots and metrics arrays of a run and the epochs they keep, after checking that they fit
    in the memory free: (snapshots, metrics, kept)."""
    k, n = net.n_networks, kept_count(epochs, every)
    row = net.weights.nbytes + sum(value.nbytes for value in first.values()) + 8   # a snapshot, its metrics, its epoch
    measuring = 2 * (net.depth + 1) * (len(data.x_train) + len(data.x_test)) * net.weights.shape[-2] * 8
    fixed = (len(data.x_train) * k * (2 * net.width + 1) * 8       # an epoch's shuffled samples
             + (2 * net.weights.nbytes if every > 1 else 0)         # the last epochs' weights, when not kept
             + min(engine.KEEP_BYTES, measuring * min(k, engine.MEASURE_CHUNK)))
    need = n * row + fixed
    available = available_memory()
    if available is not None and need > 0.9 * available:
        raise RunTooLargeError(too_large(net, n, row, fixed, need, available, epochs))
    try:
        snapshots = np.empty((n,) + net.weights.shape)
        metrics = {name: np.empty((n,) + value.shape) for name, value in first.items()}
    except MemoryError:
        raise RunTooLargeError(too_large(net, n, row, fixed, need, available, epochs)) from None
    return snapshots, metrics, kept_epochs(epochs, every)


def too_large(net, n, row, fixed, need, available, epochs):
    k = net.n_networks
    what = (f"this run needs about {size_text(need)}: {n} snapshots of {k} network{'s' * (k > 1)} "
            f"({net.depth} sections of {net.weights.shape[-2]}x{net.width} weights), {size_text(row)} each with "
            f"its metrics, but this machine has {size_text(available) if available is not None else 'less'} free")
    room = None if available is None else int((0.9 * available - fixed) // row)
    if room is not None and room < 2:
        return (what + "; even the first and last snapshot do not fit: train fewer networks at once "
                f"(about {max(int(0.9 * available // (2 * max(row // k, 1) + fixed // k)), 1)} would), or free memory")
    every = max(1, math.ceil(epochs / max((room or n // 10) - 2, 1)))
    return (what + f"; keep fewer snapshots with snapshot_every={every} (it keeps {kept_count(epochs, every)}), "
            "train fewer epochs, or train fewer networks at once")


# ---------------------------------------------------------------------------
# Weights that grow or break.
# ---------------------------------------------------------------------------

class GrowthWatch:
    """Once an epoch: are the weights finite, and did any grow past GROWTH_LIMIT (said once)?"""

    def __init__(self, defaults):
        self.warned = False
        self.defaults = defaults        # heatex_core's RULE_DEFAULTS, for the hint
        self.largest = None

    def finite(self, net):
        w = net.weights
        self.largest = np.maximum(w.max(axis=(1, 2, 3, 4)), -w.min(axis=(1, 2, 3, 4)))    # NaN stays NaN
        return bool(np.all(np.isfinite(self.largest)))

    def warn(self, net, epoch):
        """After ``finite``, once the epoch is kept: under an "error" warnings filter this raises."""
        if not self.warned and self.largest.max() > GROWTH_LIMIT:
            self.warned = True
            warnings.warn(growth_message(net, self.largest, f"in epoch {epoch}", self.defaults), WeightGrowthWarning,
                          stacklevel=outside())


def likely_causes(net, k, defaults):
    """The settings of network ``k`` that can make its weights grow or break under its rule, most likely
    first: those set far above the rule's default (the farthest first), then the rule's usual suspects
    in the order of GROWTH_CAUSES."""
    usual = GROWTH_CAUSES.get(net.rule, GROWTH_CAUSES[None])
    base = defaults.get(net.rule, {})

    def excess(name):          # how many times its default (a default of 0: a tenth of its useful range)
        value, default = float(getattr(net, name)[k]), float(base.get(name, 0.0))
        return value / default if default > 0 else value / (SETTING_RANGES[name][0] / 10)

    raised = sorted((name for name in usual if excess(name) > 1.5), key=excess, reverse=True)
    return raised + [name for name in usual if name not in raised]


def causes_text(net, k, defaults):
    """"what can cause it ..., most likely first: difference 50 (default 1), ...": the settings, with values."""
    base = defaults.get(net.rule, {})
    parts = []
    for name in likely_causes(net, k, defaults):
        value, default = float(getattr(net, name)[k]), base.get(name)
        parts.append(f"{name} {value:g}" + (f" (default {default:g})" if default is not None and value != default else ""))
    return f"the settings that can cause it under the {net.rule!r} rule, most likely first: {', '.join(parts)}"


def growth_message(net, largest, when, defaults):
    grown = np.flatnonzero(largest > GROWTH_LIMIT)
    k = int(grown[0])
    others = f" (and {len(grown) - 1} more network{'s' * (len(grown) > 2)})" if len(grown) > 1 else ""
    first = likely_causes(net, k, defaults)[0]
    why = ("the blog's rule stretches each column by its weights' shares of the column sum, and a column that "
           f"nearly cancelled at birth has huge shares; another seed or a smaller {first} may keep it in range"
           if net.rule == "blog" else f"a smaller {first} keeps them in range")
    return (f"weights of network {k}{others} reached {largest[k]:.3g} {when} with step {net.step[k]:g}: past "
            f"{GROWTH_LIMIT:g} every sigmoid they feed is saturated and the rule has stopped learning; {why} "
            f"({causes_text(net, k, defaults)})")


def divergence_cause(net, before, k, p, i, defaults, change=None, builtin=()):
    """Why section (k, p, i) broke in a step from weights ``before``: (cause, hint). ``change`` is what
    the rule returned for that step, when known; ``defaults`` is heatex_core's RULE_DEFAULTS."""
    W = before[k, p, i]
    step = float(net.step[k])
    size = float(np.abs(before[k]).max())
    first = likely_causes(net, k, defaults)[0]
    causes = causes_text(net, k, defaults)
    if size == 0:
        start = ("start from weights that are not all 0 (HeatExchanger.build draws them from [-init_scale, "
                 "init_scale]; the blog's init_scale is 1)")
        return "zero weights", (f"every weight of network {k} was 0, so every column sum of W is 0 and the blog's "
                                f"rule divides by it; {start}" if net.rule == "blog" else
                                f"every weight of network {k} was 0; {start}")
    if net.rule == "blog":
        sums, spread = np.abs(W.sum(axis=-2)), np.abs(W).sum(axis=-2)
        if np.any(sums <= 1e-12 * np.maximum(spread, np.finfo(float).tiny)):
            return "column sum", ("a column sum of W passed through zero, and the blog's rule divides by the column "
                                  "sums (W / column sums); try another seed, a smaller step or rule='schmidhuber'")
    overflow = step >= 1e3 or size * max(step, 1.0) > GROWTH_LIMIT
    if change is not None and net.rule not in builtin and not overflow \
            and not np.all(np.isfinite(change[k, p, i])):
        return "rule", (f"the rule {net.rule!r} itself returned NaN or inf for that section while the weights "
                        f"were at most {size:.3g}: look at what it divides by or takes the log of")
    if overflow:
        return "overflow", (f"the change overflowed: with step {step:g} the weights had reached {size:.3g}; "
                            f"try a smaller {first} (the blog's step is 0.001; {causes})")
    if net.rule == "blog":
        return "column sum", ("the blog's rule divides by the column sums of W, and one came close to zero; "
                              "try a smaller step, another seed or rule='schmidhuber'")
    return "unknown", f"try a smaller {first} ({causes})"


SAMPLE_FAR = 1e3      # data lie in [-1, 1] (pixels in [0, 1]); past this a sample, not a setting, is the likely cause


def far_sample(samples):
    """What to say when x or y of ``samples`` (x, y) lies far outside where data lie, else None."""
    far = [(name, float(np.abs(value).max())) for name, value in zip("xy", samples or ())
           if np.abs(value).max() > SAMPLE_FAR]
    if far:
        return (f"the sample's {far[0][0]} reaches {far[0][1]:.3g}, far outside [-1, 1] where the data lie, and a "
                f"rule's change grows with what it is given; give samples of the data's size")
    return None


def check_step(net, before, defaults, change=None, builtin=(), samples=None):
    """After ``learn``'s step: NaN or inf puts the weights back and raises; growth warns once.
    ``samples`` (x, y), when given, are blamed first if they lie far outside where data lie."""
    w = net.weights
    largest = np.maximum(w.max(axis=(1, 2, 3, 4)), -w.min(axis=(1, 2, 3, 4)))
    if np.all(np.isfinite(largest)):
        if largest.max() > GROWTH_LIMIT and not getattr(net, "_growth_warned", False):
            net._growth_warned = True
            warnings.warn(growth_message(net, largest, "after this step", defaults), WeightGrowthWarning,
                          stacklevel=outside())
        return
    broken = ~np.isfinite(w).all(axis=(-2, -1))
    k, p, i = map(int, np.argwhere(broken)[0])
    cause, hint = divergence_cause(net, before, k, p, i, defaults, change, builtin)
    far = far_sample(samples)
    if far:
        cause, hint = "sample", far
    net.weights[...] = before
    raise DivergenceError(
        f"this step would have made weights NaN or inf: network {k} (seed {int(net.seeds[k])}, step "
        f"{net.step[k]:g}), {PIPE_NAMES[p]} pipe, section {i}; {hint}. The weights are left as they were before it.",
        network=k, pipe=p, section=i, cause=cause)


# ---------------------------------------------------------------------------
# What a rule returns, and a training stopped part-way.
# ---------------------------------------------------------------------------

def rule_name(rule):
    """A name for a rule function: its __name__, a functools.partial's function's, a callable object's class's."""
    import functools
    if isinstance(rule, functools.partial):
        return rule_name(rule.func)
    name = getattr(rule, "__name__", None)
    if isinstance(name, str):
        return name
    return type(rule).__name__


def rule_change(change, shape, rule, finite=False, samples=None):
    """What rule ``rule`` (its name) returned, as the float array of ``shape`` it must be, or an error
    naming the rule. Called only when the change is not already a float array of that shape (and by
    ``Network.change``, with ``finite``: a change with NaN or inf is refused)."""
    expected = f"a numpy array of shape {shape} (the change of every weight, as the weights are laid out)"
    if change is None:
        raise HeatexTypeError(f"the rule {rule!r} returned None; a rule returns {expected}: did it forget `return`?")
    if not isinstance(change, (np.ndarray, np.generic, int, float)):
        raise HeatexTypeError(f"the rule {rule!r} returned a {type(change).__name__}; a rule returns {expected}")
    array = as_array(change)
    if array is None or array.dtype.kind not in "biuf":
        kind = "complex numbers" if array is not None and array.dtype.kind == "c" else type(change).__name__
        raise HeatexTypeError(f"the rule {rule!r} returned {kind} ({shown(change)}); a rule returns real numbers, "
                              f"{expected}")
    if array.shape != tuple(shape):
        what = "one number" if array.ndim == 0 else f"an array of shape {array.shape}"
        raise HeatexValueError(f"the rule {rule!r} returned {what}; a rule returns {expected}, one change per weight, "
                               "never one to be broadcast")
    if finite and not np.all(np.isfinite(array)):
        far = far_sample(samples)
        if far:
            raise HeatexValueError(f"the rule {rule!r} returned NaN or inf: {far}")
        raise HeatexValueError(f"the rule {rule!r} returned NaN or inf for these weights and samples: look at what it "
                               "divides by or takes the log of")
    return array.astype(float)


def stopped_note(error, epoch, epochs, last, where="this exception's .run"):
    """The note on an exception that stopped ``train`` part-way: where the finished epochs are."""
    what = type(error).__name__
    return (f"train stopped in epoch {epoch} of {epochs} ({what}); the {last} finished epoch{'s' * (last != 1)} "
            f"{'are' if last != 1 else 'is'} kept, every network's: the run is {where} (in Jupyter, in the next cell: "
            f"import sys; run = sys.last_value.run), and the exchanger is left at the weights after epoch {last}, "
            f"so hc.train(net, data, {epochs - last}) goes on from there.")


def check_retrain(retrain_below, attempts):
    """``train``'s retrain_below (None, or a training accuracy from 0 to 1) and attempts (at least 2)."""
    if retrain_below is not None:
        if isinstance(retrain_below, bool) or not isinstance(retrain_below, (int, float, np.integer, np.floating)) \
                or not 0 < retrain_below <= 1:
            raise HeatexValueError(f"retrain_below must be None (train each network once) or a training accuracy "
                                   f"above 0 and at most 1, such as 0.9, got {shown(retrain_below)}")
        retrain_below = float(retrain_below)
    attempts = positive_int(attempts, "attempts")
    if attempts < 2:
        raise HeatexValueError(f"attempts counts the first training too, so it must be at least 2 to train any network "
                               f"again, got {attempts}; leave retrain_below at None to train each network once")
    return retrain_below, attempts


def retrain_note(error, attempt, networks):
    """The note on an exception that stopped ``train`` while it trained stuck networks again."""
    return (f"train stopped ({type(error).__name__}) while it trained network{'s' * (len(networks) > 1)} "
            f"{', '.join(map(str, networks))} again (attempt {attempt + 1}); every network trained so far is kept: "
            f"the run is this exception's .run (in Jupyter, in the next cell: import sys; run = sys.last_value.run), "
            "and the exchanger holds each network's best attempt so far.")


def attach_run(error, run, note):
    """Put the run of finished epochs on ``error`` (``error.run``) with a note that says so."""
    try:
        error.run = run
    except AttributeError:          # an exception type that takes no attributes: the note still says what happened
        pass
    if hasattr(error, "add_note"):
        error.add_note(note)
    return error


# ---------------------------------------------------------------------------
# The story's helpers, called by hand: what they are given.
# ---------------------------------------------------------------------------

def flow_arguments(weights, inputs, names=("weights", "inputs")):
    """``flow``'s weights (..., depth, inputs, width) and samples (..., m, width): real, finite, matching."""
    w_name, x_name = names
    weights = real_array(weights, w_name)
    if weights.ndim < 3 or 0 in weights.shape[-3:] or weights.shape[-2] - weights.shape[-1] not in (0, 1):
        raise HeatexValueError(f"{w_name} must be a pipe's weights, shape (..., depth, inputs, width) with inputs = "
                               f"width or width + 1 (a bias), got shape {weights.shape}")
    width = weights.shape[-1]
    inputs = real_array(inputs, x_name)
    if inputs.ndim < 2 or inputs.shape[-1] != width or inputs.shape[-2] < 1:
        hint = f"; for one sample write [{x_name}]" if inputs.shape == (width,) else ""
        raise HeatexValueError(f"{x_name} must be samples of shape (..., m, {width}), m at least 1, for {w_name} of "
                               f"width {width}, got shape {inputs.shape}{hint}")
    try:
        lead = np.broadcast_shapes(weights.shape[:-3], inputs.shape[:-2])
    except ValueError:
        raise HeatexValueError(f"the leading axes of {w_name} {weights.shape[:-3]} and of {x_name} "
                               f"{inputs.shape[:-2]} do not broadcast: give one set of samples, or one per "
                               "network") from None
    size = math.prod(lead) * (weights.shape[-3] + 1) * inputs.shape[-2] * weights.shape[-2] * 8
    available = available_memory()
    if available is not None and size > 0.5 * available:
        raise RunTooLargeError(f"the flow of {x_name} through {w_name} needs {size_text(size)}, more than half the "
                               f"{size_text(available)} free; give fewer samples or networks at once")
    for name, array in ((w_name, weights), (x_name, inputs)):
        if not np.all(np.isfinite(array)):
            raise HeatexValueError(f"{name} contain NaN or inf; give finite numbers")
    return weights, inputs


def flow_mask(mask, weights):
    """``flow``'s mask: None, or 0s and 1s of shape (..., depth + 1, width) that broadcast with the weights'
    leading axes (``net.mask`` makes one)."""
    if mask is None:
        return None
    mask = real_array(mask, "mask")
    depth, width = weights.shape[-3], weights.shape[-1]
    if mask.ndim < 2 or mask.shape[-2:] != (depth + 1, width) or not np.all((mask == 0) | (mask == 1)):
        raise HeatexValueError(f"mask must be 0s and 1s of shape (..., {depth + 1}, {width}) (layers, units: 1 where a "
                               f"layer has the unit), as net.mask is, got {shown(mask)}")
    try:
        np.broadcast_shapes(weights.shape[:-3], mask.shape[:-2])
    except ValueError:
        raise HeatexValueError(f"the leading axes of mask {mask.shape[:-2]} and of weights {weights.shape[:-3]} do not "
                               "broadcast: give one mask, or one per network") from None
    return mask


def acts_array(acts, name="acts"):
    """Activations of both pipes, (..., 2, depth + 1, m, inputs), as a float array."""
    array = real_array(acts, name)
    if array.ndim < 4 or array.shape[-4] != 2 or array.shape[-3] < 2 or 0 in array.shape[-2:]:
        raise HeatexValueError(f"{name} must be the activations of both pipes, shape (..., 2, depth + 1, m, inputs) "
                               f"with depth and m at least 1, got shape {array.shape}")
    return array


def check_alignment(alignment, alignments):
    if not isinstance(alignment, str) or alignment not in alignments:
        raise HeatexValueError(f"unknown alignment {shown(alignment)}; choose one of {sorted(alignments)}")
    return alignment


def check_bound_pipes(forward, backward, net, pipe_class):
    """``bind``'s pipes: two Pipes as deep and as wide as the exchanger's networks."""
    layers = list(getattr(net, "widths", [net.width] * (net.depth + 1)))
    expected = {"forward": layers[1:], "backward": layers[-2::-1]}      # each section's width, in flow order
    for name, pipe in (("forward", forward), ("backward", backward)):
        check_pipe(pipe, name, pipe_class)
        if len(pipe) != net.depth or list(pipe.widths) != expected[name]:
            raise HeatexValueError(f"{name} has {len(pipe)} sections of widths {pipe.widths}, but this exchanger's "
                                   f"networks have {net.depth} of widths {expected[name]}; bind pipes of that shape "
                                   f"(net.pipes() makes them)")


EXPLAINED = (HeatexError, ValueError, TypeError, IndexError, AttributeError, KeyError, ZeroDivisionError,
             OverflowError)


def explained(diagnose):
    """A decorator for a helper that runs on every step (a rule, ``touches``): nothing is checked while
    it works, so the step costs what it did; when it fails inside numpy, ``diagnose`` is called with the
    same arguments to find the one at fault and raise a HeatexError that names it.

    The wrapper takes the function's own parameters by name (no ``*args, **kwargs`` to pack on every
    call: three of them run in every step of the blog's rule)."""
    import functools

    def wrap(function):
        code = function.__code__
        names = code.co_varnames[:code.co_argcount]
        if function.__defaults__ or function.__kwdefaults__ or code.co_flags & 0x0C or code.co_kwonlyargcount:
            def explained_function(*args, **kwargs):
                try:
                    return function(*args, **kwargs)
                except EXPLAINED as error:
                    _explain(function, diagnose, error, args, kwargs)
        else:                           # the same, with the function's own parameters
            params = ", ".join(names)       # (a parameter may be called "error": the failure is "_failure")
            source = (f"def explained_function({params}):\n    try:\n        return function({params})\n"
                      f"    except EXPLAINED as _failure:\n        _explain(function, diagnose, _failure, ({params},), {{}})\n")
            space = dict(function=function, diagnose=diagnose, EXPLAINED=EXPLAINED, _explain=_explain)
            exec(source, space)         # noqa: S102 (source built from a function's own parameter names)
            explained_function = space["explained_function"]
        return functools.wraps(function)(explained_function)
    return wrap


def _explain(function, diagnose, error, args, kwargs):
    """What ``explained`` does when ``function`` failed with ``error``: find the argument at fault."""
    diagnose(*args, **kwargs)
    if isinstance(error, HeatexError):  # a helper inside refused: this function's own arguments may be at fault
        raise error
    names = ", ".join(function.__code__.co_varnames[:function.__code__.co_argcount])
    raise HeatexValueError(f"{function.__name__}({names}) could not work with what it was given: {error}") from error


SETTING_NAMES = ("step", "pull_previous", "pull_partner", "hidden_pull", "difference", "inverse_step", "inverse_noise")


def step_arguments(weights=None, acts=None, partner=None, settings=None, *rest):
    """What a rule (or ``touches``) was given, found at fault: weights (..., 2, depth, inputs, width),
    acts (..., 2, depth + 1, m, inputs), partner (..., 2, depth, m, width), settings with every setting."""
    weights = real_array(weights, "weights")
    if weights.ndim < 4 or weights.shape[-4] != 2 or 0 in weights.shape[-3:] \
            or weights.shape[-2] - weights.shape[-1] not in (0, 1):
        raise HeatexValueError(f"weights must be both pipes' weights, shape (..., 2, depth, inputs, width) with inputs "
                               f"= width or width + 1, got shape {weights.shape}")
    lead, depth, n_in, width = weights.shape[:-4], *weights.shape[-3:]
    acts = real_array(acts, "acts")
    if acts.shape[:-2] != lead + (2, depth + 1) or acts.shape[-1] != n_in or acts.shape[-2] < 1:
        raise HeatexValueError(f"acts must be the activations, shape {lead + (2, depth + 1)} + (m, {n_in}) for these "
                               f"weights, got shape {acts.shape}")
    if partner is not None:
        partner = real_array(partner, "partner")
        if partner.shape != lead + (2, depth, acts.shape[-2], width):
            raise HeatexValueError(f"partner must be the partners' activations, shape "
                                   f"{lead + (2, depth, acts.shape[-2], width)} for these weights and acts, got shape "
                                   f"{partner.shape}")
    if settings is not None:
        for name in SETTING_NAMES:
            if not hasattr(settings, name):
                raise HeatexTypeError(f"settings must hold every setting of the rules (a HeatExchanger, a Network or "
                                      f"hl.LocalitySettings()), but it has no {name}")
            value = real_array(getattr(settings, name), f"settings.{name}")
            if value.ndim > 1 or (value.ndim == 1 and value.shape != lead[:1]):
                raise HeatexValueError(f"settings.{name} must be one number or one per network {lead[:1]}, got shape "
                                       f"{value.shape}")


def real_arguments(*names):
    """A ``diagnose`` for ``explained``: each argument (by these names) real numbers, broadcasting together."""
    def diagnose(*args, **kwargs):
        values = dict(zip(names, args)) | kwargs
        arrays = {name: real_array(values[name], name) for name in names if name in values}
        try:
            np.broadcast_shapes(*(a.shape for a in arrays.values()))
        except ValueError:
            raise HeatexValueError(f"{', '.join(arrays)} must have shapes that broadcast together, got "
                                   + ", ".join(f"{name} {a.shape}" for name, a in arrays.items())) from None
    return diagnose


def exchange_arguments(*names):
    """A ``diagnose`` for difference_pass(weights, acts, difference) and jiggle_pass(weights, acts, noise, jiggle)."""
    def diagnose(weights=None, acts=None, *rest, **kwargs):
        step_arguments(weights, acts)
        values = dict(zip(names, rest)) | kwargs
        depth, width = np.shape(weights)[-3], np.shape(weights)[-1]
        for name in names:
            if name == "jiggle" and values.get(name) is None:
                continue
            value = real_array(values.get(name), name)
            if name == "jiggle" and (value.ndim < 2 or value.shape[-2:] != (depth, width)):
                raise HeatexValueError(f"jiggle must be draws of shape (..., {depth}, {width}) (sections, width) for these "
                                       f"weights, got shape {value.shape}")
            if value.ndim > 1 and name != "jiggle":
                raise HeatexValueError(f"{name} must be one number or one per network, got shape {value.shape}")
    return diagnose


def beside_arguments(acts=None, row=0):
    acts = acts_array(acts)
    whole(row, "row", -acts.shape[-2], acts.shape[-2] - 1, " (a sample row of acts)")


def path_name(path, name="path"):
    """A file name given as text or a pathlib.Path: a pathlib.Path (bytes, empty text and NUL refused)."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise HeatexTypeError(f"{name} must be a file name (text or a pathlib.Path), got {type(path).__name__}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text or "\0" in text:
        raise HeatexValueError(f"{name} must be a file name (text or a pathlib.Path), got {shown(path)}")
    return pathlib.Path(text)


def path_list(paths, name="paths"):
    """File names given as a list (or any iterable) of text or pathlib.Paths, never one name alone (a
    text is not read letter by letter): a list of pathlib.Paths."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise HeatexTypeError(f"{name} must be a list of file names, e.g. [{shown(os.fsdecode(paths))}], not one "
                              f"name alone")
    try:
        items = list(paths)
    except TypeError:
        raise HeatexTypeError(f"{name} must be a list of file names (text or pathlib.Paths), got "
                              f"{type(paths).__name__}") from None
    named = []
    for i, item in enumerate(items):
        try:
            named.append(path_name(item, f"{name}[{i}]"))
        except HeatexError as error:
            raise type(error)(f"{error} (in {name})") from None
    return named


def question_name(name, what="name"):
    """The name of a question or an exercise (predict, reveal, final_test, check): text, not empty."""
    if not isinstance(name, str) or not name.strip():
        raise HeatexTypeError(f"{what} must be text that names the question, e.g. '2.3', got {shown(name)}")
    return name


def a_function(value, name, what):
    """``value``, which must be callable: ``what`` says what it should be."""
    if not callable(value):
        raise HeatexTypeError(f"{name} must be {what}, got {shown(value)}")
    return value


def prediction_form(form, forms):
    """A prediction's form: one of ``forms`` (Number, Choice), or a dict of them keyed by text, not empty."""
    if isinstance(form, dict) and form and all(isinstance(key, str) for key in form) \
            and all(isinstance(part, forms) for part in form.values()):
        return form
    if isinstance(form, forms):
        return form
    raise HeatexTypeError(f"form must be hl.Number(...), hl.Choice(...) or a dict of them keyed by text, e.g. "
                          f"{{'train': hl.Number(0, 1)}}, got {shown(form)}")


def measurement(value, name="measured"):
    """A measurement to keep beside a prediction: a finite number, True or False, text, or a dict of them
    keyed by text; made plain (numbers as float), so that the predictions file stays JSON."""
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise HeatexTypeError(f"{name} must be keyed by text, got the keys {shown(list(value))}")
        return {key: measurement(part, f"{name}[{key!r}]") for key, part in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return number(value, name)
    raise HeatexTypeError(f"{name} must be a number, True or False, text, or a dict of them (the form of the "
                          f"prediction), got {shown(value)}")


def targets_arguments(targets, weights, acts):
    """``carry_targets``' arguments: a function, weights (..., 2, depth, inputs, width) and acts
    (..., 2, depth + 1, m, inputs) of the same networks, real and finite."""
    a_function(targets, "targets", "a function (W, t, h_in, h_out) -> what the section passes down")
    weights = real_array(weights, "weights")
    if not isinstance(acts, np.ndarray) or acts.dtype.kind != "f":
        raise HeatexTypeError(f"acts must be a numpy array of floats (its backward layers are rewritten in place), got "
                              f"{shown(acts)}")
    if weights.ndim < 4 or weights.shape[-4] != 2 or weights.shape[-2] not in (weights.shape[-1], weights.shape[-1] + 1):
        raise HeatexValueError(f"weights must be (..., 2, depth, inputs, width), inputs = width or width + 1, got shape "
                               f"{weights.shape}")
    depth, inputs = weights.shape[-3], weights.shape[-2]
    if acts.ndim < 4 or acts.shape[-4:-2] != (2, depth + 1) or acts.shape[-1] != inputs \
            or acts.shape[:-4] != weights.shape[:-4]:
        raise HeatexValueError(f"acts must be (..., 2, depth + 1, m, inputs) = ({', '.join(map(str, weights.shape[:-4]))}"
                               f"{', ' if weights.ndim > 4 else ''}2, {depth + 1}, m, {inputs}) for these weights, got "
                               f"shape {acts.shape}")
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(acts))):
        raise HeatexValueError("weights or acts contain NaN or inf; carry finite numbers")
    return targets, weights, acts


def not_regular(path):
    """What is at ``path`` if it is there and is not a regular file (a FIFO, a device, a folder...), or
    None: a file heatex reads or replaces must be a regular file, since reading a FIFO waits forever."""
    import stat
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return ("a folder" if stat.S_ISDIR(mode) else "a FIFO (a named pipe)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")


def check_run_object(run, run_class):
    if not isinstance(run, run_class):
        raise HeatexTypeError(f"run must be a heatex_core.Run (what hc.train returns or hc.Run.load reads), "
                              f"not {type(run).__name__}")


def check_two_labels(labels, radius):
    """circle_data's training labels: both classes, or the radius is refused, as √2 is.

    A disk of radius r holds a fraction f(r) of the square [-1, 1]² (πr²/4 up to r = 1), so of n
    points about n·f(r) fall inside and n·(1 - f(r)) outside: with a radius for which either is
    below one, every point is likely to get one label. Refused when it happens for that reason (with
    more expected, one label is the luck of a small draw, and is left alone).
    """
    n = len(labels)
    if n < 2 or not (labels.all() or not labels.any()):
        return
    inside = math.pi * radius ** 2 / 4 if radius <= 1 else \
        math.sqrt(radius ** 2 - 1) + radius ** 2 * (math.pi / 4 - math.acos(1 / radius))
    where, expected = ("inside", inside) if not labels[0] else ("outside", 1 - inside)
    if n * expected < 1:
        raise HeatexValueError(f"radius {radius:g} gives every one of the {n} training points the label "
                               f"{int(labels[0])}: about {n * expected:.2g} of them are expected {where} a disk of that "
                               f"radius; use a radius from about 2/√(π·n_train) ≈ {2 / math.sqrt(math.pi * n):.2g} "
                               "to well below √2 ≈ 1.414, or more training points")


# ---------------------------------------------------------------------------
# What the pictures are given: text, flags, choices, mappings, numbers.
# ---------------------------------------------------------------------------

def text(value, name, none=True):
    """Text for a title or a label (None allowed where ``none``)."""
    if (value is None and none) or isinstance(value, str):
        return value
    raise HeatexTypeError(f"{name} must be text{' or None' if none else ''}, got {shown(value)}")


def flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise HeatexTypeError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def choice(value, name, options):
    if not isinstance(value, str) or value not in options:
        raise HeatexValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {shown(value)}")
    return value


def mapping(value, name, what="a label"):
    """A dict (or pairs) of ``what`` to its values, not empty."""
    try:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError
        value = dict(value)
    except (TypeError, ValueError):
        raise HeatexTypeError(f"{name} must be a dict that maps {what} to its values, got {shown(value)}") from None
    if not value:
        raise HeatexValueError(f"{name} is empty: give at least one {what} and its values")
    return value


def number(value, name, none=False, least=None, most=None):
    """A finite real number (within [least, most]), or None where ``none``."""
    if value is None and none:
        return None
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    try:
        finite = real and math.isfinite(float(value)) and abs(float(value)) < 1e300
    except OverflowError:               # a Python int past float's range
        finite = False
    if not finite:
        raise HeatexValueError(f"{name} must be a finite number{' or None' if none else ''}, got {shown(value)}")
    if (least is not None and value < least) or (most is not None and value > most):
        raise HeatexValueError(f"{name} must be a number from {least:g} to {most:g}, got {shown(value)}")
    return float(value)


def series(value, name, ndim, finite=True):
    """A real array of ``ndim`` axes with at least one entry each (finite where ``finite``)."""
    array = real_numbers(value, name) if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" \
        else value.astype(float)
    if array.ndim != ndim or 0 in array.shape:
        raise HeatexValueError(f"{name} must be numbers with {ndim} ax{'is' if ndim == 1 else 'es'}, none of them "
                               f"empty, got shape {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        raise HeatexValueError(f"{name} holds NaN or inf; give finite numbers")
    return array


def partner_arguments(acts, alignment, width, alignments):
    """``partner_acts``'s arguments: activations of both pipes, a known alignment, a width within the
    layers; ``acts`` as an array (the very one given, when it is one: the partners are a view of it)."""
    acts_array(acts)
    check_alignment(alignment, alignments)
    acts = np.asarray(acts)
    whole(width, "width", 1, acts.shape[-1], " (the units of a layer, at most the inputs of a layer of acts)")
    return acts


def put_back(error, net, weights, states):
    """An exchanger put back where a step or an epoch started, when ``error`` stopped it part-way:
    the weights (unless None) and every network's generator. Returns ``error`` (learn's with a note)."""
    if states is not None:
        for rng, state in zip(net.rngs, states):
            rng.bit_generator.state = state
    if weights is not None:
        net.weights[...] = weights
        attach_run(error, None, "learn's step did not finish: the weights are left as they were before it")
    return error


def outputs_array(outputs):
    outputs = real_array(outputs, "outputs")
    if outputs.ndim < 1 or outputs.shape[-1] < 1:
        raise HeatexValueError(f"outputs must be the output units' values, (..., width), got shape {outputs.shape}")
    check_finite(outputs, "outputs")
    return outputs


def check_arrow(arrow):
    if not isinstance(arrow, str) or arrow not in (">", "<"):
        raise HeatexValueError(f'arrow must be ">" or "<", got {shown(arrow)}')
    return arrow


def point_pair(x, y, width, k, y_width=None):
    """``HeatExchanger.flow``'s x and y: points (m, width) or (K, m, width) each (y ``y_width`` wide, if
    the pipes' ends differ), that broadcast together."""
    x, y = check_points(x, "x", width, k), check_points(y, "y", width if y_width is None else y_width, k)
    real_arguments("x", "y")(x[..., :1], y[..., :1])      # samples and networks broadcast (widths may differ)
    return x, y
