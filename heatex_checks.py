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
  with their bounds declared in ``SETTING_LIMITS``; samples and data sets;
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
    """A file heatex could not write or read, with the real cause (permission, read-only, full disk)."""


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


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise HeatexValueError(f"{name} must be a whole number of at least 1, got {shown(value)}")
    return int(value)


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
    """A finite number above 0 (and at most ``most``), as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0 or (most is not None and value > most):
        limit = f" and at most {most:g}" if most is not None else ""
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
    if isinstance(sections, (str, bytes)) or not hasattr(sections, "__iter__"):
        raise HeatexTypeError(f"sections must be a list of Section objects in flow order, got {shown(sections)}")
    sections = list(sections)
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


# The bounds of the per-network settings: (lowest, whether the lowest itself is
# allowed, why). A setting not named here must only be finite and real.
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
    return array.astype(dtype)


def setting_names(settings):
    """The per-network settings: ``seeds`` and every setting of the rules (heatex_core.SETTINGS)."""
    return ["seeds", *settings]


def check_settings(net, settings):
    """Check every per-network setting again (a student may have set ``net.step = 10``), as arrays of K."""
    k = net.n_networks
    for name in setting_names(settings):
        if hasattr(net, name):
            value = getattr(net, name)
            if name == "seeds":
                setattr(net, name, per_network_array(seed_array(value), name, k, dtype=np.int64))
            else:
                setattr(net, name, per_network_array(value, name, k))


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
            f"({'with' if bias else 'without'} a bias), got {n_in}; every section of both pipes "
            "has the same width because each is pulled towards its own input")
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


def check_difference(net):
    """difference, inverse_step and inverse_noise are the difference exchange's, in the paper's alignment."""
    used = [name for name in ("difference", "inverse_step", "inverse_noise") if np.any(getattr(net, name))]
    if used and net.rule != "difference_exchange":
        raise HeatexValueError(f"{', '.join(used)} belong{'s' * (len(used) == 1)} to rule='difference_exchange'; "
                         f"the {net.rule!r} rule does not use {'it' if len(used) == 1 else 'them'}: leave "
                         f"{'it' if len(used) == 1 else 'them'} out")
    if net.rule == "difference_exchange" and net.alignment != "paper":
        raise HeatexValueError("the difference exchange lays the pipes as the paper does (the last forward section "
                         "faces y): use alignment='paper'")


def check_net(net, exchanger_class):
    if not isinstance(net, exchanger_class):
        # a Network is one network of an exchanger: it knows which
        hint = ("; train the exchanger it belongs to, net.exchanger"
                if isinstance(getattr(net, "exchanger", None), exchanger_class)
                else "; make one with HeatExchanger.build")
        raise HeatexTypeError(f"net must be a heatex_core.HeatExchanger, not {type(net).__name__}{hint}")


# ---------------------------------------------------------------------------
# Samples and data.
# ---------------------------------------------------------------------------

def rows_not_finite(value):
    return np.flatnonzero(~np.isfinite(value.reshape(-1, value.shape[-1])).all(axis=1))[:5].tolist()


def check_sample(value, name, net):
    """A sample x or y for ``learn``: (width,) or (K, width) as finite floats."""
    value = real_array(value, name)
    if value.ndim not in (1, 2) or value.shape[-1] != net.width or len(np.atleast_2d(value)) not in (1, net.n_networks):
        raise HeatexValueError(f"{name} must have shape ({net.width},) or ({net.n_networks}, {net.width}) "
                         f"for {net.n_networks} networks of width {net.width}, got {value.shape}")
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


def check_pair(x, y, width):
    """x and y for ``Network.flow``: one sample (width,) or m samples (m, width) each, finite."""
    x, y = real_array(x, "x"), real_array(y, "y")
    for name, value in (("x", x), ("y", y)):
        if value.ndim not in (1, 2) or value.shape[-1] != width:
            raise HeatexValueError(f"{name} must be one sample ({width},) or m samples (m, {width}), got shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise HeatexValueError(f"{name} has NaN or inf; give finite numbers")
    if x.shape != y.shape:
        raise HeatexValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
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
        disagree = (y != y[:, :1]).any(axis=1)
        if disagree.any():
            raise HeatexValueError(f"y_{split} must repeat each sample's label across its {y.shape[1]} columns; rows "
                             f"{np.flatnonzero(disagree)[:5].tolist()} disagree: give each sample one label, "
                             "e.g. np.repeat(labels[:, None], width, axis=1)")
    widths = {a.shape[1] for a in (data.x_train, data.y_train, data.x_test, data.y_test)}
    if len(widths) != 1:
        raise HeatexValueError(f"inputs and targets must have the same width as the pipes, got widths {sorted(widths)}")
    if not isinstance(data.name, str):
        raise HeatexTypeError(f"name must be text that names the data, got {shown(data.name)}")
    data.seed = None if data.seed is None else seed(data.seed, "seed")


def check_widths(net, data):
    if data.width != net.width:
        raise HeatexValueError(f"the data is {data.width} wide but the pipes are {net.width} wide; "
                         f"make the data with width={net.width} or build pipes of width {data.width}")


def check_training(net, data, progress, exchanger_class, dataset_class, settings):
    """What ``train`` is given: an exchanger whose settings and weights still hold, and data as wide as it."""
    check_net(net, exchanger_class)
    check_data(data, dataset_class)
    if not isinstance(progress, (bool, np.bool_)):
        raise HeatexTypeError(f"progress must be True or False, got {shown(progress)}")
    check_dataset(data)         # the arrays may have been changed since the Dataset was made
    check_widths(net, data)
    check_settings(net, settings)
    if not np.all(np.isfinite(net.weights)):
        raise HeatexValueError("net's weights contain NaN or inf (a DivergenceError caught and ignored, or weights set "
                         "by hand?); build the exchanger again")


# ---------------------------------------------------------------------------
# How big a run is, and what the machine has.
# ---------------------------------------------------------------------------

def kept_epochs(epochs, every):
    """The epochs whose snapshots a run keeps: 0, every, 2 every, ... and the last."""
    kept = np.arange(0, epochs + 1, every)
    return kept if kept[-1] == epochs else np.append(kept, epochs)


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


def allocate_run(net, data, first, kept, epochs, every):
    """The snapshots and metrics arrays of a run, after checking that they fit in the memory free."""
    k, n = net.n_networks, len(kept)
    row = net.weights.nbytes + sum(value.nbytes for value in first.values())    # one snapshot and its metrics
    measuring = 2 * (net.depth + 1) * (len(data.x_train) + len(data.x_test)) * net.weights.shape[-2] * 8
    fixed = (len(data.x_train) * k * (2 * net.width + 1) * 8       # an epoch's shuffled samples
             + (net.weights.nbytes if every > 1 else 0)             # the last epoch's weights, when not kept
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
    return snapshots, metrics


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
    return (what + f"; keep fewer snapshots with snapshot_every={every} (it keeps {len(kept_epochs(epochs, every))}), "
            "train fewer epochs, or train fewer networks at once")


# ---------------------------------------------------------------------------
# Weights that grow or break.
# ---------------------------------------------------------------------------

class GrowthWatch:
    """Once an epoch: are the weights finite, and did any grow past GROWTH_LIMIT (said once)?"""

    def __init__(self):
        self.warned = False

    def check(self, net, epoch):
        w = net.weights
        largest = np.maximum(w.max(axis=(1, 2, 3, 4)), -w.min(axis=(1, 2, 3, 4)))    # NaN stays NaN
        if not np.all(np.isfinite(largest)):
            return False
        if not self.warned and largest.max() > GROWTH_LIMIT:
            self.warned = True
            warnings.warn(growth_message(net, largest, f"in epoch {epoch}"), WeightGrowthWarning, stacklevel=3)
        return True


def growth_message(net, largest, when):
    grown = np.flatnonzero(largest > GROWTH_LIMIT)
    k = int(grown[0])
    others = f" (and {len(grown) - 1} more network{'s' * (len(grown) > 2)})" if len(grown) > 1 else ""
    why = ("the blog's rule stretches each column by its weights' shares of the column sum, and a column that "
           "nearly cancelled at birth has huge shares; another seed or a smaller step may keep it in range"
           if net.rule == "blog" else "a smaller step keeps them in range")
    return (f"weights of network {k}{others} reached {largest[k]:.3g} {when} with step {net.step[k]:g}: past "
            f"{GROWTH_LIMIT:g} every sigmoid they feed is saturated and the rule has stopped learning; {why}")


def divergence_cause(net, before, k, p, i):
    """Why section (k, p, i) broke in a step from weights ``before``: (cause, hint)."""
    W = before[k, p, i]
    step = float(net.step[k])
    size = float(np.abs(before[k]).max())
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
    if step >= 1e3 or size * max(step, 1.0) > GROWTH_LIMIT:
        return "overflow", (f"the change overflowed: with step {step:g} the weights had reached {size:.3g}; "
                            "try a smaller step (the blog's is 0.001)")
    if net.rule == "blog":
        return "column sum", ("the blog's rule divides by the column sums of W, and one came close to zero; "
                              "try a smaller step, another seed or rule='schmidhuber'")
    return "unknown", "try a smaller step"


def check_step(net, before, pairs):
    """After ``learn``'s step: NaN or inf puts the weights back and raises; growth warns once."""
    w = net.weights
    largest = np.maximum(w.max(axis=(1, 2, 3, 4)), -w.min(axis=(1, 2, 3, 4)))
    if np.all(np.isfinite(largest)):
        if largest.max() > GROWTH_LIMIT and not getattr(net, "_growth_warned", False):
            net._growth_warned = True
            warnings.warn(growth_message(net, largest, "after this step"), WeightGrowthWarning, stacklevel=3)
        return
    broken = ~np.isfinite(w).all(axis=(-2, -1))
    k, p, i = map(int, np.argwhere(broken)[0])
    cause, hint = divergence_cause(net, before, k, p, i)
    net.weights[...] = before
    raise DivergenceError(
        f"this step would have made weights NaN or inf: network {k} (seed {int(net.seeds[k])}, step "
        f"{net.step[k]:g}), {PIPE_NAMES[p]} pipe, section {i}; {hint}. The weights are left as they were before it.",
        network=k, pipe=p, section=i, cause=cause)
