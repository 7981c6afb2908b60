"""heatex_core: the Neural Heat Exchanger in a few hundred lines of numpy.

Two feed-forward pipes lie side by side with opposite flow. The *forward pipe*
carries an input x towards its target y; the *backward pipe* carries y towards
x. No error is propagated backwards: each section (layer) changes its weights
using only what it can touch -- its own input, its own output and the
activation of its partner section in the other pipe. The input slowly "heats
up" into the target (Schmidhuber, ICONIP'96; talks since 1990).

The pieces, in the order the notebooks use them:

- ``Section`` and ``Pipe``: one layer, and sections linked into a pipe, either
  by chaining ``Section(2) > Section(2) > Section(2)`` as the 2020 blog's
  docstring promised, or all at once with ``pipes(depth, width)``.
- ``HeatExchanger``: both pipes of K networks stored as one array with a
  leading networks axis, so one network and 256 run through the same code.
- Three rules, each a function ``(weights, acts, partner, net) -> change``:
  ``blog_rule`` (the blog's credit-assignment update, exactly),
  ``schmidhuber_rule`` (the paper's local delta rule) and ``backprop_rule``
  (the non-local baseline every local rule is measured against); a fourth,
  ``end_exchange_rule``, is the local rule notebook 04 found that learns.
- ``train``: online learning, one sample at a time, with snapshots of every
  weight after every epoch and the metrics that say whether anything is learnt.
- ``Run``: what a training run leaves behind; it saves to and loads from
  one ``.npz`` file.
- ``circle_data`` and ``xor_data``: the blog's data and a contrast set.

This module needs numpy only (tqdm is imported when a progress bar is asked
for). Plots and widgets live beside it in ``heatex_viz``.
"""

from __future__ import annotations

import copy
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Section", "Pipe", "pipes", "HeatExchanger", "Dataset", "Run",
    "DivergenceError", "RunFileError",
    "sigmoid", "flow", "blog_rule", "schmidhuber_rule", "backprop_rule", "end_exchange_rule",
    "RULES", "ALIGNMENTS", "train", "circle_data", "xor_data",
    "majority_accuracy", "predict_labels", "layer_spread",
]

RUN_FORMAT = "heatex-run"
RUN_VERSION = 1


class DivergenceError(FloatingPointError):
    """A weight stopped being finite during training."""


class RunFileError(ValueError):
    """A file is not a heatex run, or is damaged."""


def sigmoid(z, out=None):
    """The logistic function 1 / (1 + exp(-z)), written as the blog wrote it.

    With ``out`` the same four operations run in place, so the numbers are
    identical to the blog's expression to the last bit.
    """
    if out is None:
        return 1 / (1 + np.exp(-z))
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1, out=out)
    return np.divide(1, out, out=out)


# ---------------------------------------------------------------------------
# Sections and pipes: the structure a student builds by hand.
# ---------------------------------------------------------------------------

def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


class Section:
    """One section of a pipe: a layer with a weight matrix and its last activation.

    ``weight`` has shape (inputs, width) and stays ``None`` until the section
    is part of a ``HeatExchanger``; from then on it is a view into the
    exchanger's weights, so ``section.weight[...] = new`` changes the network.

    Sections are linked as the blog's docstring drew them; ``>`` and ``<``
    point the way information flows::

        forward = Section(2) > Section(2) > Section(2)    # x enters on the left
        backward = Section(2) < Section(2) < Section(2)   # y enters on the right

    Each chain returns the whole ``Pipe``.
    """

    def __init__(self, width):
        self.width = _positive_int(width, "width")
        self.source = None   # the section that feeds this one
        self.sink = None     # the section this one feeds
        self.weight = None
        self.act = None

    def takes_input(self, source):
        """Let ``source`` feed this section (the blog's name for the link)."""
        if not isinstance(source, Section):
            raise TypeError(f"a section takes input from another Section, not {type(source).__name__}")
        if source is self:
            raise ValueError("a section cannot feed itself")
        if self.source is not None or source.sink is not None:
            raise ValueError("this section is already linked into a pipe; build a new Section for a new pipe")
        self.source = source
        source.sink = self

    def __gt__(self, other):
        other.takes_input(self)
        return Pipe.through(other, arrow=">")

    def __lt__(self, other):
        self.takes_input(other)
        return Pipe.through(self, arrow="<")

    def __call__(self, inputs):
        """Flow ``inputs`` of shape (..., inputs) through this section alone."""
        if self.weight is None:
            raise ValueError("this section has no weights yet: build a HeatExchanger from its pipe first")
        inputs = np.asarray(inputs, dtype=float)
        if inputs.shape[-1] != self.weight.shape[-2]:
            raise ValueError(
                f"this section takes {self.weight.shape[-2]} inputs but got an array of shape {inputs.shape}")
        self.act = sigmoid(inputs @ self.weight)
        return self.act

    def __repr__(self):
        return f"Section({self.width})"


class Pipe:
    """Sections in the order information flows through them.

    ``arrow`` is ``">"`` for a pipe that flows left to right (the forward pipe)
    and ``"<"`` for one that flows right to left (the backward pipe). ``sections``
    is always in flow order: ``sections[0]`` receives the pipe's input.
    ``in_position_order()`` lists them left to right, as the blog's lists ``F``
    and ``B`` did.
    """

    def __init__(self, sections, arrow=">"):
        sections = list(sections)
        if not sections:
            raise ValueError("a pipe needs at least one section")
        if arrow not in (">", "<"):
            raise ValueError(f'arrow must be ">" or "<", got {arrow!r}')
        for upstream, downstream in zip(sections, sections[1:]):
            if downstream.source is not upstream:
                raise ValueError("the sections are not linked in this order; link them with > or <, or use pipes()")
        self.sections = sections
        self.arrow = arrow

    @classmethod
    def through(cls, section, arrow=">"):
        """The whole pipe that ``section`` belongs to."""
        first = section
        while first.source is not None:
            first = first.source
        sections = [first]
        while sections[-1].sink is not None:
            sections.append(sections[-1].sink)
        return cls(sections, arrow)

    @property
    def widths(self):
        return [s.width for s in self.sections]

    def in_position_order(self):
        return self.sections if self.arrow == ">" else self.sections[::-1]

    def __call__(self, inputs):
        """Flow ``inputs`` through every section; each keeps its activation."""
        act = inputs
        for section in self.sections:
            act = section(act)
        return act

    def __len__(self):
        return len(self.sections)

    def __iter__(self):
        return iter(self.sections)

    def __getitem__(self, i):
        return self.sections[i]

    def __repr__(self):
        return f" {self.arrow} ".join(map(repr, self.in_position_order()))


def pipes(depth, width):
    """A forward and a backward pipe of ``depth`` sections of ``width``, linked."""
    depth = _positive_int(depth, "depth")
    forward = [Section(width) for _ in range(depth)]
    backward = [Section(width) for _ in range(depth)]
    for upstream, downstream in zip(forward, forward[1:]):
        downstream.takes_input(upstream)
    for upstream, downstream in zip(backward, backward[1:]):
        downstream.takes_input(upstream)
    return Pipe(forward, ">"), Pipe(backward, "<")


# ---------------------------------------------------------------------------
# The flow and the rules. Arrays keep both pipes on one axis:
#   weights (..., 2, depth, inputs, width)  pipe 0 forward, pipe 1 backward,
#                                           sections in flow order
#   acts    (..., 2, depth + 1, m, inputs)  acts[..., p, 0] is the pipe's input
# The leading "..." is the networks axis (or nothing for one network), m is a
# batch of samples (1 while training online). With a bias, every activation
# carries a trailing constant 1, so inputs = width + 1.
# ---------------------------------------------------------------------------

def flow(weights, inputs, bias=False):
    """Activations of every layer when ``inputs`` (..., m, width) enter the pipes.

    Returns (..., depth + 1, m, inputs): layer 0 is the input itself. Each
    layer is ``sigmoid(previous layer @ W)``, worked out in ``_Flow``.
    """
    inputs = np.asarray(inputs, dtype=float)
    lead = np.broadcast_shapes(weights.shape[:-3], inputs.shape[:-2])
    return _Flow(weights.shape, lead, inputs.shape[-2], bias)(weights, inputs)


class _Flow:
    """The arithmetic of ``flow``, with every array it writes made once.

    ``flow`` makes one for each call. A ``HeatExchanger`` keeps one between
    its online steps, and that is why this class exists: a step pushes one
    sample through 2 x depth sections of a few units, so numpy's fixed cost
    per call (about a microsecond) is nearly all the cost. Building arrays and
    cutting slices once, here, instead of once a step, makes training several
    times faster. (``measure`` keeps its own, as fresh large arrays cost the
    system time to map.) The numbers are the same to the last bit.
    """

    def __init__(self, weights_shape, lead, m, bias):
        depth, n_in, width = weights_shape[-3:]
        # Layer by layer in memory, the leading axes reversed (pipe before
        # network), as HeatExchanger lays out its weights: each layer is one
        # block that numpy sweeps in one run, not K x 2 scattered pieces.
        # With a bias, every trailing 1 is written here once.
        self.by_layer = np.ones((depth + 1,) + lead[::-1] + (m, n_in))
        negated_by_layer = np.empty((depth,) + lead[::-1] + (n_in, width))
        to_lead_first = tuple(range(len(lead), 0, -1)) + (0, len(lead) + 1, len(lead) + 2)
        self.acts = self.by_layer.transpose(to_lead_first)                # (..., depth + 1, m, inputs)
        self.negated = negated_by_layer.transpose(to_lead_first)          # (..., depth, inputs, width)
        self.inputs = self.acts[..., 0, :, :width]
        self.one = np.ones(())    # an array, so numpy need not convert a Python 1 every call
        self.layers = [(self.by_layer[layer], negated_by_layer[layer], self.by_layer[layer + 1, ..., :width])
                       for layer in range(depth)]

    def __call__(self, weights, inputs):
        """Fill every layer from ``inputs`` and return the activations (a view of the buffer)."""
        self.inputs[...] = inputs
        # sigmoid(a @ W) = 1 / (1 + exp(-(a @ W))), and a @ (-W) equals
        # -(a @ W) to the last bit: negating the weights once saves a
        # negation in every layer.
        np.negative(weights, out=self.negated)
        # Each call below writes into out (the last argument). With one
        # network a call costs more than its arithmetic, so the loop looks
        # its functions up once and passes out by position (7% of a step).
        matmul, exp, add, reciprocal, one = np.matmul, np.exp, np.add, np.reciprocal, self.one
        for previous, negated, out in self.layers:
            matmul(previous, negated, out)
            exp(out, out)
            add(out, one, out)
            reciprocal(out, out)             # 1 / out, the same bits
        return self.acts


# Which layer of the other pipe each section is pulled towards. Layers are
# numbered 0..depth along each pipe's own flow; forward section i produces
# layer i + 1, which faces the backward pipe's layer depth - i - shift.
ALIGNMENTS = {
    # The blog pairs forward section i with backward section i by position:
    # each section faces the section drawn beside it.
    "blog": 0,
    # The paper lays each net's input layer beside the other net's output
    # layer, one position on from the blog: the forward output meets y.
    "paper": 1,
}


def partner_acts(acts, alignment, width):
    """For every section, its partner's activation: (..., 2, depth, m, width).

    A view of ``acts`` where the faced layers run down one by one, as they do
    for every alignment above, so it costs no copy and follows ``acts``.
    """
    depth = acts.shape[-3] - 1
    facing = np.arange(depth, 0, -1) - ALIGNMENTS[alignment]   # layer faced by section 0, 1, ...
    if facing[-1] >= 0:
        facing = slice(facing[0], facing[-1] - 1 if facing[-1] > 0 else None, -1)
    return acts[..., ::-1, :, :, :width][..., facing, :, :]


def _per_network(value, acts_ndim):
    """Broadcast a per-network number against (..., 2, depth, ...) arrays."""
    value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * (acts_ndim - value.ndim))


def blog_rule(weights, acts, partner, net):
    """The 2020 blog's exchange rule, exactly.

    For every section, with its previous activation a (its input), its own
    activation o and its partner's activation p::

        change = step * (W / column sums of W) * ((a - o) + (p - o))

    The second factor is broadcast over the rows of W. Sections pair by
    position (forward section i with backward section i), one position off the
    paper's alignment; ``HeatExchanger`` defaults to ``alignment="blog"`` for
    this rule. The pull towards the input needs inputs as wide as outputs, so
    every section has the same width and there is no bias. The column sums can
    pass through zero, so this rule can diverge; ``train`` checks.

    Every change is computed from the same activations and applied after, as
    the blog did.
    """
    width = weights.shape[-1]
    previous = acts[..., :-1, 0, :width]
    own = acts[..., 1:, 0, :width]
    total = (previous - own) + (partner[..., 0, :] - own)
    credit = weights / weights.sum(axis=-2, keepdims=True)
    return credit * total[..., None, :] * _per_network(net.step, weights.ndim)


def schmidhuber_rule(weights, acts, partner, net):
    """Schmidhuber's rule: the local delta rule towards two targets.

    Each section tries to be similar to the preceding layer of its own pipe
    *and* to the corresponding layer of the other pipe. With input a (with a
    trailing 1 when there is a bias), output o = sigmoid(a W), previous layer
    q and partner p, the delta rule on the error
    ``e = pull_previous * (q - o) + pull_partner * (p - o)`` is::

        change = step * outer(a, e * o * (1 - o))

    Choices where the paper is silent, and why:

    - The two targets combine as a weighted sum of errors, which is gradient
      descent on ``pull_previous/2 |q - o|^2 + pull_partner/2 |p - o|^2`` with
      q and p held fixed: the plainest reading of "tries to be similar to both".
    - Alignment ``"paper"``: the forward output is pulled towards y and the
      backward output towards x, so the last forward section alone gets the
      true target. Hidden sections see only the other pipe's activations.
    - Biases are off by default, as in the blog; ``bias=True`` adds one per
      unit, as a constant input that takes part in the rule like any other.
    - Inputs are not rescaled: x stays in [-1, 1] as the blog drew it, although
      a sigmoid output can only reach (0, 1). Notebook 04 measures the effect.
    """
    width = weights.shape[-1]
    inputs = acts[..., :-1, 0, :]
    previous = inputs[..., :width]
    own = acts[..., 1:, 0, :width]
    ndim = own.ndim
    error = (_per_network(net.pull_previous, ndim) * (previous - own)
             + _per_network(net.pull_partner, ndim) * (partner[..., 0, :] - own))
    delta = error * own * (1 - own)
    return _per_network(net.step, weights.ndim) * inputs[..., :, None] * delta[..., None, :]


def backprop_rule(weights, acts, partner, net):
    """Backpropagation of the squared error, the non-local baseline.

    Each pipe is trained on its own task -- forward x -> y, backward y -> x --
    by online gradient descent on ``|target - output|^2 / 2`` through all its
    sections. Same shape, same sigmoid, same data order as the local rules; it
    ignores the partner activations.
    """
    width = weights.shape[-1]
    depth = weights.shape[-3]
    # Indexed layer first: own[i] is section i's output, a row for every pipe
    # of every network, so each turn of the loop below reads whole blocks.
    # The copies are C-ordered because @ goes to BLAS, whose rounding can
    # depend on how arrays lie in memory; this way it never depends on the caller.
    own = np.ascontiguousarray(np.moveaxis(acts[..., 1:, :, :width], -3, 0))              # (depth, ..., 2, 1, width)
    # W transposed, without the bias row: the error flows back through the units only.
    transposed = np.swapaxes(np.ascontiguousarray(np.moveaxis(weights[..., :width, :], -3, 0)), -1, -2)
    target = acts[..., ::-1, 0, :, :width]             # y for forward, x for backward
    slope = 1 - own
    delta = np.empty(own.shape)
    delta[-1] = (target - own[-1]) * own[-1] * slope[-1]
    for layer in range(depth - 2, -1, -1):
        delta[layer] = (delta[layer + 1] @ transposed[layer + 1]) * own[layer] * slope[layer]
    inputs = acts[..., :-1, 0, :]
    return _per_network(net.step, weights.ndim) * inputs[..., :, None] * np.moveaxis(delta, 0, -3)


def end_exchange_rule(weights, acts, partner, net):
    """Schmidhuber's delta rule with the exchange kept at the two ends: a local rule that learns.

    Every section gets the change ``schmidhuber_rule`` gives it, and the
    hidden sections' change is then scaled by the per-network setting
    ``hidden_pull`` (0 by default; 1 gives ``schmidhuber_rule`` exactly). At 0
    only the last section of each pipe learns -- the forward one towards y,
    the backward one towards x -- from its own input, its own output and its
    partner, which at the ends of the pipes is the data itself. It is local.

    What makes it work: the hidden sections keep their random initial weights.
    With a bias, a wide pipe (16 units or more) and sharp initial weights
    (``init_scale`` 3 to 5) the first section maps x to many soft half-planes
    at random angles and offsets, and a weighted vote of half-planes can draw
    a disk; the last section's delta rule learns that vote. This is
    Rosenblatt's perceptron of 1958: random association units, a trained
    output layer. Use ``pull_previous=0`` (the last section then follows y
    alone), the paper's alignment (so that it faces y) and depth 2: every
    further random section blurs the features.

    How it differs from the paper: the hidden sections do not exchange.
    Pulled towards a partner that depends on the label alone, a section is
    charged for every variation of its output within a class; one sigmoid
    section cannot separate a disk, so its cheapest way down is to flatten
    its output, and the features the last section needs collapse (notebook 04
    shows it). With ``hidden_pull=0`` the backward pipe no longer affects the
    forward pipe's answer: what is left of the exchange is at the ends.
    """
    change = schmidhuber_rule(weights, acts, partner, net)
    scale = np.ones_like(weights[..., :1, :1])    # one factor per section, laid out as the weights
    scale[..., :-1, :, :] = _per_network(net.hidden_pull, weights.ndim)
    change *= scale
    return change


RULES = {"blog": blog_rule, "schmidhuber": schmidhuber_rule, "backprop": backprop_rule,
         "end_exchange": end_exchange_rule}
DEFAULT_ALIGNMENT = {"blog": "blog", "schmidhuber": "paper", "backprop": "paper", "end_exchange": "paper"}


# ---------------------------------------------------------------------------
# K networks at once.
# ---------------------------------------------------------------------------

class HeatExchanger:
    """Both pipes of one or many networks, with the rule that trains them.

    ``weights`` has shape (K, 2, depth, inputs, width): K networks, pipe 0 the
    forward pipe and pipe 1 the backward pipe, sections in flow order,
    ``inputs = width + bias``. Every per-network setting (``seeds``, ``step``,
    ``pull_previous``, ``pull_partner``, ``hidden_pull``) is an array of length K; network k
    draws its initial weights and its shuffles from its own
    ``numpy.random.default_rng(seeds[k])``, so training K networks together
    gives each the result it gets alone.

    Build one with ``HeatExchanger.build`` (depth, width, seeds),
    ``HeatExchanger.from_weights`` (given arrays) or
    ``HeatExchanger.from_pipes`` (chained sections).
    """

    def __init__(self, weights, rule="blog", alignment=None, seeds=0, step=0.001,
                 pull_previous=1.0, pull_partner=1.0, bias=False, init_scale=1.0, hidden_pull=0.0):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {sorted(RULES)}")
        alignment = DEFAULT_ALIGNMENT[rule] if alignment is None else alignment
        if alignment not in ALIGNMENTS:
            raise ValueError(f"unknown alignment {alignment!r}; choose one of {sorted(ALIGNMENTS)}")
        weights = np.array(weights, dtype=float)
        if weights.ndim != 5 or weights.shape[1] != 2:
            raise ValueError(
                "weights must have shape (networks, 2 pipes, depth, inputs, width), "
                f"got {weights.shape}")
        k, _, depth, n_in, width = weights.shape
        if n_in != width + bool(bias):
            raise ValueError(
                f"each section of width {width} needs {width + bool(bias)} input rows "
                f"({'with' if bias else 'without'} a bias), got {n_in}; every section of both pipes "
                "has the same width because each is pulled towards its own input")
        if rule == "blog" and bias:
            raise ValueError("the blog's rule has no bias; use bias=False or rule='schmidhuber'")
        _check_finite(weights, "the initial weights")
        # Stored layer by layer (memory ordered depth, pipe, network), seen in
        # the usual order: online steps then sweep each layer of all networks
        # in one run. Each section's matrix is still one C-ordered block, so
        # a section's weight and everything computed from it are unchanged.
        self.weights = np.empty((depth, 2, k, n_in, width)).transpose(2, 1, 0, 3, 4)
        self.weights[...] = weights
        self.rule = rule
        self.alignment = alignment
        self.bias = bool(bias)
        self.init_scale = float(init_scale)
        self.seeds = self._per_network_array(seeds, "seeds", k, dtype=np.int64)
        self.step = self._per_network_array(step, "step", k)
        self.pull_previous = self._per_network_array(pull_previous, "pull_previous", k)
        self.pull_partner = self._per_network_array(pull_partner, "pull_partner", k)
        self.hidden_pull = self._per_network_array(hidden_pull, "hidden_pull", k)   # end_exchange only
        self.rngs = [np.random.default_rng(int(s)) for s in self.seeds]
        self._online = None    # the buffers of online steps, made by the first one
        self._measuring = {}   # the buffers of measure, by shape

    @staticmethod
    def _per_network_array(value, name, k, dtype=float):
        array = np.asarray(value)
        if array.ndim == 0:
            array = np.full(k, array)
        if array.shape != (k,):
            raise ValueError(f"{name} must be one number or one per network ({k}), got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must hold finite numbers, got {value!r}")
        return array.astype(dtype)

    @classmethod
    def build(cls, depth=10, width=2, seeds=0, rule="blog", bias=False, init_scale=1.0, **settings):
        """K networks of ``depth`` sections of ``width``, one per seed.

        Initial weights are uniform in [-init_scale, init_scale] (the blog's
        [-1, 1] by default), drawn from each network's own generator, forward
        pipe first, sections in flow order.
        """
        depth = _positive_int(depth, "depth")
        width = _positive_int(width, "width")
        seeds = np.atleast_1d(np.asarray(seeds))
        if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer):
            raise ValueError(f"seeds must be a whole number or a list of them, got {seeds!r}")
        shape = (2, depth, width + bool(bias), width)
        rngs = [np.random.default_rng(int(s)) for s in seeds]
        draws = [rng.uniform(-init_scale, init_scale, shape) for rng in rngs]
        net = cls(np.stack(draws), rule=rule, seeds=seeds, bias=bias, init_scale=init_scale, **settings)
        net.rngs = rngs    # the shuffles continue each network's own stream
        return net

    @classmethod
    def from_weights(cls, forward, backward, **settings):
        """One network from given arrays: ``forward`` and ``backward`` are lists
        of (inputs, width) matrices, sections in flow order."""
        if len(forward) != len(backward):
            raise ValueError(f"both pipes need the same depth: forward has {len(forward)}, backward {len(backward)}")
        shapes = {np.shape(w) for w in list(forward) + list(backward)}
        if len(shapes) != 1:
            raise ValueError(f"every section needs the same shape (inputs, width), got {sorted(shapes)}")
        return cls(np.stack([np.stack(forward), np.stack(backward)])[None], **settings)

    @classmethod
    def from_pipes(cls, forward, backward, seed=0, **settings):
        """One network from linked sections; missing weights are drawn from ``seed``."""
        if len(forward) != len(backward):
            raise ValueError(f"both pipes need the same depth: forward has {len(forward)}, backward {len(backward)}")
        widths = set(forward.widths) | set(backward.widths)
        if len(widths) != 1:
            raise ValueError(f"every section of both pipes needs the same width, got widths {sorted(widths)}")
        net = cls.build(len(forward), widths.pop(), seeds=seed, **settings)
        for p, pipe in enumerate((forward, backward)):
            for i, section in enumerate(pipe):
                if section.weight is not None:
                    net.weights[0, p, i] = section.weight
        _check_finite(net.weights, "the sections' weights")
        net.bind(forward, backward)
        return net

    def bind(self, forward, backward, network=0):
        """Make each section's ``weight`` a view of network ``network``'s weights."""
        for p, pipe in enumerate((forward, backward)):
            for i, section in enumerate(pipe):
                section.weight = self.weights[network, p, i]
        return forward, backward

    def pipes(self, network=0):
        """Fresh ``Pipe`` objects whose sections view network ``network``."""
        forward, backward = pipes(self.depth, self.width)
        return self.bind(forward, backward, network)

    @property
    def n_networks(self):
        return self.weights.shape[0]

    @property
    def depth(self):
        return self.weights.shape[2]

    @property
    def width(self):
        return self.weights.shape[-1]

    def config(self):
        """Everything needed to build this exchanger again, as plain values."""
        return {
            "rule": self.rule, "alignment": self.alignment, "depth": self.depth, "width": self.width,
            "bias": self.bias, "init_scale": self.init_scale, "seeds": self.seeds.tolist(),
            "step": self.step.tolist(), "pull_previous": self.pull_previous.tolist(),
            "pull_partner": self.pull_partner.tolist(), "hidden_pull": self.hidden_pull.tolist(),
        }

    def flow(self, x, y):
        """Both pipes' activations for samples x and y of shape (m, width) or (K, m, width)."""
        return flow(self.weights, np.stack(np.broadcast_arrays(x, y), axis=-3), self.bias)

    def learn(self, x, y):
        """One exchange step on one (x, y) pair per network.

        ``x`` and ``y`` have shape (width,) (the same pair for every network)
        or (K, width). Every change is computed first, then applied. Returns
        the activations the rule saw, (K, 2, depth + 1, 1, inputs).
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        for name, value in (("x", x), ("y", y)):
            if value.ndim not in (1, 2) or value.shape[-1] != self.width or len(np.atleast_2d(value)) not in (1, self.n_networks):
                raise ValueError(f"{name} must have shape ({self.width},) or ({self.n_networks}, {self.width}) "
                                 f"for {self.n_networks} networks of width {self.width}, got {value.shape}")
        pairs = np.stack(np.broadcast_arrays(np.atleast_2d(x), np.atleast_2d(y)))    # (2, K or 1, width)
        return self._step(pairs).copy()

    def _step(self, pairs):
        """``learn`` without its checks, for ``train``: pairs (2, K, width) holds x then y.

        Returns the step's activation buffer, which the next step overwrites.
        """
        online = self._online
        if online is None or not online.serves(self):
            online = self._online = _OnlineFlow(self)
        acts = online(self.weights, pairs)
        online.add_to_weights(RULES[self.rule](*online.for_rules(), self))
        return acts

    def __getstate__(self):
        # The online buffers are views of one another; a copy would cut those
        # ties, so copies and pickles leave them out and make their own.
        state = self.__dict__.copy()
        state["_online"] = None
        state["_measuring"] = {}
        return state

    def _measuring_flow(self, weights_shape, lead, m):
        """A ``_Flow`` that ``measure`` reuses every epoch."""
        key = (weights_shape, lead, m, self.bias)
        if key not in self._measuring:
            self._measuring[key] = _Flow(*key)
        return self._measuring[key]

    def predict(self, x):
        """The forward pipe's output for x (m, width): shape (K, m, width)."""
        return flow(self.weights[:, 0], np.asarray(x, dtype=float), self.bias)[..., -1, :, :self.width]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width): shape (K, m, width)."""
        return flow(self.weights[:, 1], np.asarray(y, dtype=float), self.bias)[..., -1, :, :self.width]


class _OnlineFlow(_Flow):
    """The flow of one sample per network, kept by an exchanger between steps.

    It also holds the copies the rules read. A rule meets every section of
    every network at once, but a section is only a few numbers; laid out as
    the weights are, numpy would work through K x 2 x depth tiny blocks one by
    one. So the rules get copies laid out with the networks axis innermost in
    memory -- (inputs, width, depth, pipe, network) -- where the same
    expressions run in long stretches, ten times faster for 256 networks. The
    shapes, the numbers and the rules' code are the same either way.
    """

    SWEEP = (3, 4, 2, 1, 0)      # the weights' axes in the rules' memory order

    def __init__(self, net):
        super().__init__(net.weights.shape, net.weights.shape[:-3], 1, net.bias)
        self.weights = net.weights
        self.settings = (net.bias, net.alignment)
        self.inputs = self.by_layer[0, ..., 0, :net.width]              # (2, K, width): x then y
        k, pipes, depth, n_in, width = net.weights.shape
        # In memory (inputs, width, depth, pipe, network) and (inputs, sample, layer, pipe, network),
        # seen in the usual order (K, 2, depth, inputs, width) and (K, 2, depth + 1, 1, inputs).
        self.rule_weights = np.empty((n_in, width, depth, pipes, k)).transpose(4, 3, 2, 0, 1)
        self.rule_acts = np.empty((n_in, 1, depth + 1, pipes, k)).transpose(4, 3, 2, 1, 0)
        self.partner = partner_acts(self.rule_acts, net.alignment, net.width)   # a view: it follows every step
        self.swept = self.weights.transpose(self.SWEEP)

    def serves(self, net):
        """Whether these buffers still fit ``net`` (its weights may have been replaced)."""
        return net.weights is self.weights and (net.bias, net.alignment) == self.settings

    def for_rules(self):
        """The weights, the activations and the partners, in the rules' layout."""
        self.rule_weights[...] = self.weights
        self.rule_acts[...] = self.acts
        return self.rule_weights, self.rule_acts, self.partner

    def add_to_weights(self, change):
        """weights += change, swept in the rules' memory order.

        The change comes out of a rule laid out as its copies are. numpy
        would add it in the weights' order, a few numbers at a time; seen
        with the axes in the rules' memory order and told to keep that order,
        it runs through in long stretches, three times faster for 256 networks.
        """
        if np.shape(change) != self.weights.shape:      # a rule may return a change that broadcasts
            change = np.broadcast_to(change, self.weights.shape)
        np.add(self.swept, change.transpose(self.SWEEP), out=self.swept, order="C")


def predict_labels(outputs):
    """Class 1 where the mean of the output units exceeds one half."""
    return outputs.mean(axis=-1) > 0.5


def layer_spread(pipe_weights, points):
    """How much each layer of a pipe still varies over ``points``: (..., depth + 1).

    For every layer, the standard deviation over the points of each unit's
    activation, averaged over the units (the bias's constant 1 left out).
    Near zero at the output means the pipe gives every point the same answer.
    """
    width = pipe_weights.shape[-1]
    with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
        acts = flow(pipe_weights, points, bias=pipe_weights.shape[-2] > width)
    return acts[..., :width].std(axis=-2).mean(axis=-1)


def _check_finite(array, what):
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or inf; give finite numbers")


# ---------------------------------------------------------------------------
# Data.
# ---------------------------------------------------------------------------

@dataclass
class Dataset:
    """Training and held-out samples. Targets repeat the label across the width."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "data"
    seed: int = 0

    def __post_init__(self):
        for key in ("x_train", "y_train", "x_test", "y_test"):
            value = np.asarray(getattr(self, key))
            if value.dtype == object or not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
                raise TypeError(f"{key} must hold numbers, got dtype {value.dtype}")
            if np.iscomplexobj(value):
                raise TypeError(f"{key} must hold real numbers, got dtype {value.dtype}")
            value = value.astype(float)
            if value.ndim != 2:
                raise ValueError(f"{key} must have shape (samples, width), got {value.shape}")
            if not np.all(np.isfinite(value)):
                rows = np.flatnonzero(~np.isfinite(value).all(axis=1))
                raise ValueError(f"{key} has NaN or inf in rows {rows[:5].tolist()}; drop or fix those samples")
            setattr(self, key, value)
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if len(x) != len(y):
                raise ValueError(f"x_{split} has {len(x)} samples but y_{split} has {len(y)}")
            if len(x) == 0:
                raise ValueError(f"the {split} split is empty")
        widths = {a.shape[1] for a in (self.x_train, self.y_train, self.x_test, self.y_test)}
        if len(widths) != 1:
            raise ValueError(f"inputs and targets must have the same width as the pipes, got widths {sorted(widths)}")

    @property
    def width(self):
        return self.x_train.shape[1]


def _labelled(points, labels, width, n_train, name, seed):
    if width < 2:
        raise ValueError(f"width must be at least 2 to hold a point of the plane, got {width}")
    x = np.zeros((len(points), width))
    x[:, :2] = points    # wider pipes see the point in the first two units, zeros after
    y = np.repeat(labels.astype(float)[:, None], width, axis=1)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], name=name, seed=seed)


def circle_data(n_train=500, n_test=500, width=2, seed=0, radius=0.8):
    """The blog's data: points uniform in [-1, 1]^2, label 1 inside ``radius``."""
    n_train, n_test, width = (_positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    points = np.random.default_rng(seed).uniform(-1, 1, (n_train + n_test, 2))
    labels = np.sqrt(np.power(points, 2).sum(axis=1)) <= radius
    return _labelled(points, labels, width, n_train, "circle", seed)


def xor_data(n_train=500, n_test=500, width=2, seed=0):
    """The contrast set: points uniform in [-1, 1]^2, label 1 where x0 * x1 > 0."""
    n_train, n_test, width = (_positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    points = np.random.default_rng(seed).uniform(-1, 1, (n_train + n_test, 2))
    return _labelled(points, points[:, 0] * points[:, 1] > 0, width, n_train, "xor", seed)


def majority_accuracy(data):
    """Test accuracy of always answering the training set's most common label."""
    train_labels = data.y_train[:, 0] > 0.5
    majority = train_labels.mean() >= 0.5
    return float(np.mean((data.y_test[:, 0] > 0.5) == majority))


# ---------------------------------------------------------------------------
# Training and what it leaves behind.
# ---------------------------------------------------------------------------

METRICS = ("train_accuracy", "test_accuracy", "reconstruction_error", "mismatch")


@dataclass
class Run:
    """A training run: its config, every snapshot and the per-epoch metrics.

    ``snapshots`` has shape (epochs + 1, K, 2, depth, inputs, width): entry 0 is
    the initial weights, entry e the weights after epoch e. Each metric has
    leading shape (epochs + 1, K), measured at the same moments:

    - ``train_accuracy``, ``test_accuracy``: the forward pipe's accuracy;
    - ``reconstruction_error``: mean squared error of the backward pipe's x̂;
    - ``mismatch`` (..., 2, depth): for each section, the mean squared
      difference from its partner on the training set -- the heat still to flow.
    """
    config: dict
    snapshots: np.ndarray
    metrics: dict = field(default_factory=dict)

    @property
    def epochs(self):
        return self.snapshots.shape[0] - 1

    def network_at(self, epoch, network=None):
        """A HeatExchanger with the weights of snapshot ``epoch``."""
        c = self.config
        weights = self.snapshots[epoch] if network is None else self.snapshots[epoch, [network]]
        pick = (lambda v: v) if network is None else (lambda v: [v[network]])
        return HeatExchanger(weights.copy(), rule=c["rule"], alignment=c["alignment"],
                             seeds=pick(c["seeds"]), step=pick(c["step"]),
                             pull_previous=pick(c["pull_previous"]), pull_partner=pick(c["pull_partner"]),
                             hidden_pull=pick(c.get("hidden_pull", [0.0] * len(c["seeds"]))),
                             bias=c["bias"], init_scale=c["init_scale"])

    def save(self, path):
        arrays = {f"metric_{k}": v for k, v in self.metrics.items()}
        np.savez_compressed(path, format=np.array(RUN_FORMAT), version=np.array(RUN_VERSION),
                            config=np.array(json.dumps(self.config)), snapshots=self.snapshots, **arrays)

    @classmethod
    def load(cls, path):
        try:
            with np.load(path, allow_pickle=False) as f:
                contents = {k: f[k] for k in f.files}
        except FileNotFoundError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
            raise RunFileError(f"{path} is not a readable .npz file ({e}); it may be truncated: save the run again") from e
        if str(contents.get("format", "")) != RUN_FORMAT:
            raise RunFileError(f"{path} is not a heatex run (no '{RUN_FORMAT}' marker); load it with numpy.load instead")
        if int(contents["version"]) != RUN_VERSION:
            raise RunFileError(f"{path} is heatex run version {int(contents['version'])}; this code reads version {RUN_VERSION}")
        missing = {"config", "snapshots"} - contents.keys()
        if missing:
            raise RunFileError(f"{path} lacks {sorted(missing)}; save the run again")
        config = json.loads(str(contents["config"]))
        snapshots = contents["snapshots"]
        metrics = {k[len("metric_"):]: v for k, v in contents.items() if k.startswith("metric_")}
        expected = (len(config["seeds"]), 2, config["depth"], config["width"] + config["bias"], config["width"])
        if snapshots.ndim != 6 or snapshots.shape[1:] != expected:
            raise RunFileError(f"{path} has snapshots of shape {snapshots.shape}, which does not match its config {expected}")
        for name, value in metrics.items():
            if value.shape[:2] != snapshots.shape[:2]:
                raise RunFileError(f"{path}: metric {name} covers {value.shape[:2]} but snapshots cover {snapshots.shape[:2]}")
        return cls(config, snapshots, metrics)


def measure(net, data):
    """The metrics of ``net`` on ``data`` now: a dict of arrays with leading axis K."""
    # A few networks at a time: every layer of 256 networks on 500 samples
    # would take 45 MB, and numpy is faster on arrays that stay in cache.
    parts = [_measure(net.weights[k:k + MEASURE_CHUNK], net, data)
             for k in range(0, net.n_networks, MEASURE_CHUNK)]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


MEASURE_CHUNK = 16


def _measure(weights, net, data):
    """``measure`` for the networks whose weights are given."""
    width = net.width
    n_train, n_test = len(data.x_train), len(data.x_test)
    with np.errstate(over="ignore"):
        pairs = np.stack([data.x_train, data.y_train])
        train_acts = net._measuring_flow(weights.shape, weights.shape[:2], n_train)(weights, pairs)
        forward = weights[:, 0]
        test_acts = net._measuring_flow(forward.shape, forward.shape[:1], n_test)(forward, data.x_test)
        test_out = test_acts[..., -1, :, :width]
    labels = data.y_train[:, 0] > 0.5
    own = train_acts[..., 1:, :, :width]
    partner = partner_acts(train_acts, net.alignment, width)
    return {
        "train_accuracy": np.mean(predict_labels(train_acts[:, 0, -1, :, :width]) == labels, axis=-1),
        "test_accuracy": np.mean(predict_labels(test_out) == (data.y_test[:, 0] > 0.5), axis=-1),
        "reconstruction_error": np.mean((train_acts[:, 1, -1, :, :width] - data.x_train) ** 2, axis=(-2, -1)),
        "mismatch": np.mean((own - partner) ** 2, axis=(-2, -1)),
    }


def _raise_if_diverged(net, epoch, weights_before, samples):
    """Raise DivergenceError if a weight is no longer finite after this epoch.

    The check runs once an epoch, so it costs nothing while all is well. When
    it fails, NaN has usually spread through both pipes, so the epoch is
    replayed from its starting weights, checking every step, to name the
    section that broke first and the sample that broke it.
    """
    if np.isfinite(net.weights).all():
        return
    replay = copy.copy(net)
    replay.weights = weights_before.copy()
    with np.errstate(all="ignore"):
        for t, pair in enumerate(samples):
            replay._step(pair)
            broken = ~np.isfinite(replay.weights).all(axis=(-2, -1))     # (K, 2, depth)
            if broken.any():
                break
    k, p, i = map(int, np.argwhere(broken)[0])
    hint = ("the blog's rule divides by the column sums of W, and one passed through zero; "
            "try a smaller step, another seed or rule='schmidhuber'" if net.rule == "blog"
            else "try a smaller step")
    raise DivergenceError(
        f"weights stopped being finite in epoch {epoch}: network {k} (seed {int(net.seeds[k])}, "
        f"step {net.step[k]:g}), {('forward', 'backward')[p]} pipe, section {i}, "
        f"at sample {t + 1} of the epoch; {hint}")


def train(net, data, epochs=200, progress=True):
    """Train ``net`` online on ``data`` for ``epochs`` epochs and return a ``Run``.

    Each epoch, every network draws a fresh shuffle of the training set from
    its own generator and takes one exchange step per sample. Snapshots and
    metrics are kept at the start and after every epoch. ``progress`` shows a
    ``tqdm.auto`` bar. Raises ``DivergenceError`` naming the epoch, network,
    pipe and section if a weight stops being finite.
    """
    epochs = _positive_int(epochs, "epochs")
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a heatex_core.Dataset (see circle_data), not {type(data).__name__}")
    if data.width != net.width:
        raise ValueError(f"the data is {data.width} wide but the pipes are {net.width} wide; "
                         f"make the data with width={net.width} or build pipes of width {data.width}")
    k = net.n_networks
    snapshots = np.empty((epochs + 1,) + net.weights.shape)
    snapshots[0] = net.weights
    first = measure(net, data)
    metrics = {name: np.empty((epochs + 1,) + value.shape) for name, value in first.items()}
    for name, value in first.items():
        metrics[name][0] = value
    epoch_range = range(1, epochs + 1)
    if progress:
        from tqdm.auto import tqdm
        epoch_range = tqdm(epoch_range, desc=f"training {k} network{'s' * (k > 1)}")
    for epoch in epoch_range:
        order = np.stack([rng.permutation(len(data.x_train)) for rng in net.rngs]).T    # (n, K)
        # Step t takes samples[t]: x then y for every network, (2, K, width),
        # laid out as the step's buffer wants them, so copying in is one sweep.
        samples = np.stack([data.x_train[order], data.y_train[order]], axis=1)
        with np.errstate(all="ignore"):
            for pair in samples:
                net._step(pair)
        _raise_if_diverged(net, epoch, snapshots[epoch - 1], samples)
        snapshots[epoch] = net.weights
        for name, value in measure(net, data).items():
            metrics[name][epoch] = value
    config = dict(net.config(), epochs=epochs, data=data.name, data_seed=data.seed,
                  n_train=len(data.x_train), n_test=len(data.x_test))
    return Run(config, snapshots, metrics)
