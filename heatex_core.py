"""heatex_core: the Neural Heat Exchanger in numpy, read top to bottom as the notebooks tell it.

Two feed-forward pipes lie side by side with opposite flow. The *forward pipe*
carries an input x towards its target y; the *backward pipe* carries y towards
x. No error is propagated backwards: each section (layer) changes its weights
using only what it touches -- its own input, its own output and the activation
of its partner section in the other pipe. The input slowly "heats up" into the
target (Schmidhuber, ICONIP'96; talks since 1990).

The story, in the order of this file:

1. ``Section`` and ``Pipe``: one layer, and sections linked into a pipe, by
   chaining ``Section(2) > Section(2) > Section(2)`` as the 2020 blog's
   docstring promised, or all at once with ``pipes(depth, width)``.
2. ``HeatExchanger``: both pipes of K networks in one array with a leading
   networks axis, so one network and 256 run through the same code;
   ``net.network(k)`` is network k alone, with no networks axis.
3. ``flow``: every layer of both pipes, ``sigmoid(a @ W)`` section by section.
4. ``ALIGNMENTS``, ``partner_acts``, ``touches``: who faces whom, and what a
   section touches in a step: its weights W, its input a, its output o and its
   partner's output p.
5. The rules, each a function ``(weights, acts, partner, settings) -> change``:
   ``blog_rule`` (the blog's credit-assignment update, exactly),
   ``schmidhuber_rule`` (the paper's local delta rule), ``backprop_rule`` (the
   non-local baseline), ``end_exchange_rule`` (the local rule notebook 04 finds
   that learns), and ``is_local``, which checks a rule, yours included.
6. Data: ``circle_data`` (the blog's), ``xor_data`` (a contrast set).
7. ``train``: online learning, one sample at a time, with a snapshot of every
   weight after every epoch and the metrics that say whether anything is learnt.
8. ``Run``: what training leaves behind; ``run.network(k)`` is one network's
   history; ``Grid`` lays settings x seeds out on the networks axis once.
9. The checks of what callers pass, whose messages students see.

Notation (the notebooks' symbols):
    K      networks trained side by side: the first axis of every array (absent in a Network)
    W      one section's weights, (inputs, width); inputs = width + 1 with a bias
    a      a section's input: the previous layer of its own pipe (a bias's 1 last); q is a without it
    o      its own output, sigmoid(a @ W);  p  its partner's output in the other pipe
    step, pull_previous, pull_partner, hidden_pull    per-network settings of the rules
Shapes:
    weights  (K, 2, depth, inputs, width)     pipe 0 forward, pipe 1 backward, sections in flow order
    acts     (K, 2, depth + 1, m, inputs)     layer 0 is the pipe's input; m samples (1 online)

This module needs numpy only (tqdm is imported when a progress bar is asked
for). How it runs fast -- buffers kept between steps, arrays laid out for the
rules -- is in ``heatex_engine``, which changes no number. Plots and widgets
live in ``heatex_viz``.
"""

from __future__ import annotations

import copy
import itertools
import json
import zipfile
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import heatex_engine as engine

__all__ = [
    "sigmoid", "Section", "Pipe", "pipes",
    "PIPES", "HeatExchanger", "Network",
    "flow", "layer_spread",
    "ALIGNMENTS", "partner_acts", "Touch", "touches",
    "per_network", "blog_rule", "schmidhuber_rule", "backprop_rule", "end_exchange_rule",
    "RULES", "DEFAULT_ALIGNMENT", "register_rule", "is_local",
    "Dataset", "circle_data", "xor_data", "data_set", "majority_accuracy",
    "DivergenceError", "train", "METRICS", "measure", "predict_labels",
    "RunFileError", "Run", "NetworkRun", "Grid",
]


# ---------------------------------------------------------------------------
# 1. A section and a pipe (notebook 01, sections 1-2).
# ---------------------------------------------------------------------------

def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), written as the blog wrote it."""
    return 1 / (1 + np.exp(-z))


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
# 2. The heat exchanger: K networks of both pipes (notebook 01, sections 3 and 5).
# ---------------------------------------------------------------------------

PIPES = ("forward", "backward")


class HeatExchanger:
    """Both pipes of one or many networks, with the rule that trains them.

    ``weights`` has shape (K, 2, depth, inputs, width): K networks, pipe 0 the
    forward pipe and pipe 1 the backward pipe, sections in flow order,
    ``inputs = width + bias``. Every per-network setting (``seeds``, ``step``,
    ``pull_previous``, ``pull_partner``, ``hidden_pull``) is an array of length
    K; network k draws its initial weights and its shuffles from its own
    ``numpy.random.default_rng(seeds[k])``, so training K networks together
    gives each the result it gets alone.

    Build one with ``HeatExchanger.build`` (depth, width, seeds),
    ``HeatExchanger.from_weights`` (given arrays) or
    ``HeatExchanger.from_pipes`` (chained sections). ``network(k)`` is network
    k alone.
    """

    def __init__(self, weights, rule="blog", alignment=None, seeds=0, step=0.001,
                 pull_previous=1.0, pull_partner=1.0, bias=False, init_scale=1.0, hidden_pull=0.0):
        weights, alignment = _check_exchanger(weights, rule, alignment, bias)
        k = len(weights)
        self.weights = engine.layered_copy(weights)
        self.rule = rule
        self.alignment = alignment
        self.bias = bool(bias)
        self.seeds = _per_network_array(seeds, "seeds", k, dtype=np.int64)
        self.init_scale = _per_network_array(init_scale, "init_scale", k)
        self.step = _per_network_array(step, "step", k)
        self.pull_previous = _per_network_array(pull_previous, "pull_previous", k)
        self.pull_partner = _per_network_array(pull_partner, "pull_partner", k)
        self.hidden_pull = _per_network_array(hidden_pull, "hidden_pull", k)   # end_exchange only
        self.rngs = [np.random.default_rng(int(s)) for s in self.seeds]
        self._engine = engine.Engine()

    @classmethod
    def build(cls, depth=10, width=2, seeds=0, rule="blog", bias=False, init_scale=1.0, **settings):
        """K networks of ``depth`` sections of ``width``, one per seed.

        Initial weights are uniform in [-init_scale, init_scale] (the blog's
        [-1, 1] by default; one scale, or one per network), drawn from each
        network's own generator, forward pipe first, sections in flow order.
        """
        depth = _positive_int(depth, "depth")
        width = _positive_int(width, "width")
        seeds = _seed_list(seeds)
        scales = _per_network_array(init_scale, "init_scale", len(seeds))
        shape = (2, depth, width + bool(bias), width)
        rngs = [np.random.default_rng(s) for s in seeds]
        draws = [rng.uniform(-scale, scale, shape) for rng, scale in zip(rngs, scales)]
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

    def network(self, k=0):
        """Network ``k`` alone: a ``Network``, a view with no networks axis."""
        return Network(self, _network_index(k, self.n_networks))

    def networks(self):
        """Every network in turn, as ``Network`` views."""
        return [self.network(k) for k in range(self.n_networks)]

    def bind(self, forward, backward, network=0):
        """Make each section's ``weight`` a view of network ``network``'s weights."""
        for p, pipe in enumerate((forward, backward)):
            for i, section in enumerate(pipe):
                section.weight = self.weights[network, p, i]
        return forward, backward

    def pipes(self, network=0):
        """Fresh ``Pipe`` objects whose sections view network ``network``."""
        forward, backward = pipes(self.depth, self.width)
        return self.bind(forward, backward, _network_index(network, self.n_networks))

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
        scales = self.init_scale.tolist()
        return {
            "rule": self.rule, "alignment": self.alignment, "depth": self.depth, "width": self.width,
            "bias": self.bias, "init_scale": scales[0] if len(set(scales)) == 1 else scales,
            "seeds": self.seeds.tolist(), "step": self.step.tolist(), "pull_previous": self.pull_previous.tolist(),
            "pull_partner": self.pull_partner.tolist(), "hidden_pull": self.hidden_pull.tolist(),
        }

    def flow(self, x, y):
        """Both pipes' activations for samples x and y of shape (m, width) or (K, m, width)."""
        return flow(self.weights, np.stack(np.broadcast_arrays(x, y), axis=-3))

    def learn(self, x, y):
        """One exchange step on one (x, y) pair per network.

        ``x`` and ``y`` have shape (width,) (the same pair for every network)
        or (K, width). Every change is computed first, then applied. Returns
        the activations the rule saw, (K, 2, depth + 1, 1, inputs).
        """
        x, y = (_check_sample(value, name, self) for name, value in (("x", x), ("y", y)))
        pairs = np.stack(np.broadcast_arrays(np.atleast_2d(x), np.atleast_2d(y)))    # (2, K or 1, width)
        return self._step(pairs).copy()

    def _step(self, pairs):
        """``learn`` without its checks, for ``train``: pairs (2, K, width) holds x then y.

        Returns the step's activations, which the next step overwrites.
        """
        return self._engine.step(self.weights, pairs, RULES[self.rule], self, self.alignment, self._partners)

    def _partners(self, acts):
        return partner_acts(acts, self.alignment, self.width)

    def predict(self, x):
        """The forward pipe's output for x (m, width): shape (K, m, width)."""
        return flow(self.weights[:, 0], np.asarray(x, dtype=float))[..., -1, :, :self.width]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width): shape (K, m, width)."""
        return flow(self.weights[:, 1], np.asarray(y, dtype=float))[..., -1, :, :self.width]

    def __getstate__(self):
        # The engine's buffers are not part of the model: copies and pickles
        # get a fresh engine (heatex_engine.Engine makes its own).
        return dict(self.__dict__, _engine=engine.Engine())


class Network:
    """Network ``k`` of a ``HeatExchanger``, with no networks axis.

    A view, not a copy: what the exchanger learns shows here at once. Its
    settings are plain numbers (``step``, ``pull_previous``, ...), so a
    ``Network`` can be handed to a rule as its ``settings``.
    """

    def __init__(self, exchanger, k):
        self.exchanger = exchanger
        self.k = k

    weights = property(lambda self: self.exchanger.weights[self.k], doc="(2, depth, inputs, width)")
    forward = property(lambda self: self.weights[0], doc="(depth, inputs, width), sections in flow order")
    backward = property(lambda self: self.weights[1], doc="(depth, inputs, width), sections in flow order")
    seed = property(lambda self: int(self.exchanger.seeds[self.k]))
    step = property(lambda self: float(self.exchanger.step[self.k]))
    pull_previous = property(lambda self: float(self.exchanger.pull_previous[self.k]))
    pull_partner = property(lambda self: float(self.exchanger.pull_partner[self.k]))
    hidden_pull = property(lambda self: float(self.exchanger.hidden_pull[self.k]))
    init_scale = property(lambda self: float(self.exchanger.init_scale[self.k]))
    rule = property(lambda self: self.exchanger.rule)
    alignment = property(lambda self: self.exchanger.alignment)
    bias = property(lambda self: self.exchanger.bias)
    depth = property(lambda self: self.exchanger.depth)
    width = property(lambda self: self.exchanger.width)

    def flow(self, x, y):
        """Each pipe's layers for one sample (width,) or m samples (m, width).

        Returns (forward layers, backward layers), each (depth + 1, inputs) for
        one sample or (depth + 1, m, inputs) for m: layer 0 is x, and y.
        """
        acts = self._acts(x, y)
        return (acts[0], acts[1]) if np.ndim(x) == 2 else (acts[0, :, 0], acts[1, :, 0])

    def touches(self, pipe, i, x, y):
        """What section ``i`` (flow order) of ``pipe`` touches for the sample (x, y): a ``Touch``.

        ``pipe`` is "forward" or "backward". W, a, o and p are copies: later
        learning does not change them.
        """
        pipe = _pipe_index(pipe)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.depth:
            raise ValueError(f"i must be a section index from 0 to {self.depth - 1} (flow order), got {i!r}")
        acts = self._acts(_check_one_sample(x, "x", self.width), _check_one_sample(y, "y", self.width))
        every = touches(self.weights, acts, partner_acts(acts, self.alignment, self.width))
        return Touch(*(part[pipe, i].copy() for part in every))

    def change(self, x, y):
        """What ``learn(x, y)`` would add to this network's weights, without adding it:
        (2, depth, inputs, width)."""
        acts = self._acts(_check_one_sample(x, "x", self.width), _check_one_sample(y, "y", self.width))
        return RULES[self.rule](self.weights, acts, partner_acts(acts, self.alignment, self.width), self)

    def predict(self, x):
        """The forward pipe's output for x (m, width): (m, width)."""
        return self.exchanger.predict(x)[self.k]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width): (m, width)."""
        return self.exchanger.reconstruct(y)[self.k]

    def pipes(self):
        """Fresh ``Pipe`` objects whose sections view this network's weights."""
        return self.exchanger.pipes(self.k)

    def _acts(self, x, y):
        samples = np.stack(np.broadcast_arrays(np.atleast_2d(x), np.atleast_2d(y)))   # (2, m, width)
        return flow(self.weights, samples)                                            # (2, depth + 1, m, inputs)

    def __repr__(self):
        return (f"Network {self.k} of {self.exchanger.n_networks}: seed {self.seed}, rule {self.rule!r}, "
                f"{self.depth} sections of width {self.width}")


# ---------------------------------------------------------------------------
# 3. The flow (notebook 01, section 4).
# ---------------------------------------------------------------------------

def flow(weights, inputs):
    """Activations of every layer when ``inputs`` (..., m, width) enter the pipes.

    ``weights`` is (..., depth, inputs, width). Returns (..., depth + 1, m,
    inputs): layer 0 is the input itself, and each next layer is
    ``sigmoid(previous layer @ W)``. With a bias (inputs = width + 1 rows of
    W) every layer ends in a constant 1.
    """
    bias = weights.shape[-2] == weights.shape[-1] + 1
    layer = _with_bias(np.asarray(inputs, dtype=float), bias)
    layers = [layer]
    for i in range(weights.shape[-3]):
        layer = _with_bias(sigmoid(layer @ weights[..., i, :, :]), bias)
        layers.append(layer)
    return np.stack(np.broadcast_arrays(*layers), axis=-3)    # the input, repeated for every network


def _with_bias(layer, bias):
    """The layer with a constant 1 appended to every row when there is a bias."""
    if not bias:
        return layer
    return np.concatenate([layer, np.ones(layer.shape[:-1] + (1,))], axis=-1)


def layer_spread(pipe_weights, points):
    """How much each layer of a pipe still varies over ``points``: (..., depth + 1).

    For every layer, the standard deviation over the points of each unit's
    activation, averaged over the units (the bias's constant 1 left out).
    Near zero at the output means the pipe gives every point the same answer.
    """
    width = pipe_weights.shape[-1]
    with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
        acts = flow(pipe_weights, points)
    return acts[..., :width].std(axis=-2).mean(axis=-1)


# ---------------------------------------------------------------------------
# 4. Who faces whom, and what a section touches (notebook 01, section 6;
#    notebook 02, section 2).
# ---------------------------------------------------------------------------

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

    A view of ``acts`` (the faced layers run down one by one under every
    alignment above), so it costs no copy and follows ``acts``.
    """
    depth = acts.shape[-3] - 1
    faced = np.arange(depth, 0, -1) - ALIGNMENTS[alignment]   # the layer faced by section 0, 1, ...
    if faced[-1] >= 0:
        faced = slice(faced[0], faced[-1] - 1 if faced[-1] > 0 else None, -1)
    return acts[..., ::-1, :, :, :width][..., faced, :, :]


class Touch(NamedTuple):
    """What a section touches in one step: everything a local rule may use."""
    W: np.ndarray   # its weights, (inputs, width)
    a: np.ndarray   # its input, the previous layer of its own pipe (a bias's 1 last), (inputs,)
    o: np.ndarray   # its own output, sigmoid(a @ W), (width,)
    p: np.ndarray   # its partner's output in the other pipe, (width,)


def touches(weights, acts, partner):
    """``Touch(W, a, o, p)`` of every section at once, for the first sample of ``acts``.

    With weights (..., 2, depth, inputs, width): W is the weights, a is
    (..., 2, depth, inputs), o and p are (..., 2, depth, width).
    """
    width = weights.shape[-1]
    return Touch(weights, acts[..., :-1, 0, :], acts[..., 1:, 0, :width], partner[..., 0, :])


# ---------------------------------------------------------------------------
# 5. The rules (notebook 02, section 2; notebook 04). A rule maps
#    (weights, acts, partner, settings) to the change of every weight; settings
#    holds step, pull_previous, pull_partner and hidden_pull, one per network
#    (an exchanger) or plain numbers (a Network).
# ---------------------------------------------------------------------------

def per_network(value, like):
    """A per-network setting shaped to broadcast against the array ``like`` (..., 2, depth, ...)."""
    value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * (like.ndim - value.ndim))


def blog_rule(weights, acts, partner, settings):
    """The 2020 blog's exchange rule, exactly.

    For every section, with its input a (here the previous layer q itself: the
    blog has no bias), its own output o and its partner's output p::

        change = step * (W / column sums of W) * ((q - o) + (p - o))

    The second factor is broadcast over the rows of W. Sections pair by
    position (forward section i with backward section i), one position off the
    paper's alignment; ``HeatExchanger`` defaults to ``alignment="blog"`` for
    this rule. The pull towards the input needs inputs as wide as outputs, so
    every section has the same width and there is no bias. The column sums can
    pass through zero, so this rule can diverge; ``train`` checks.

    Every change is computed from the same activations and applied after, as
    the blog did.
    """
    W, a, o, p = touches(weights, acts, partner)
    q = a[..., :o.shape[-1]]                      # the previous layer
    credit = W / W.sum(axis=-2, keepdims=True)    # each weight's share of its column
    pull = (q - o) + (p - o)                      # one number per output unit
    return credit * pull[..., None, :] * per_network(settings.step, W)


def schmidhuber_rule(weights, acts, partner, settings):
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
    W, a, o, p = touches(weights, acts, partner)
    q = a[..., :o.shape[-1]]
    e = per_network(settings.pull_previous, o) * (q - o) + per_network(settings.pull_partner, o) * (p - o)
    delta = e * o * (1 - o)
    return per_network(settings.step, W) * a[..., :, None] * delta[..., None, :]


def backprop_rule(weights, acts, partner, settings):
    """Backpropagation of the squared error, the non-local baseline.

    Each pipe is trained on its own task -- forward x -> y, backward y -> x --
    by online gradient descent on ``|target - output|^2 / 2`` through all its
    sections. Same shape, same sigmoid, same data order as the local rules; it
    ignores the partner activations. Section i's delta needs the deltas and
    the weights of every section after it: that is what makes it non-local.
    """
    W, a, _, _ = touches(weights, acts, partner)
    width, depth = W.shape[-1], W.shape[-3]
    o = engine.layer_first(acts[..., 1:, :, :width], -3)                     # (depth, ..., 2, 1, width)
    W_T = np.swapaxes(engine.layer_first(W[..., :width, :], -3), -1, -2)     # the bias row carries no error back
    target = acts[..., ::-1, 0, :, :width]                                   # y for forward, x for backward
    slope = 1 - o
    delta = np.empty(o.shape)
    delta[-1] = (target - o[-1]) * o[-1] * slope[-1]
    for layer in range(depth - 2, -1, -1):
        delta[layer] = (delta[layer + 1] @ W_T[layer + 1]) * o[layer] * slope[layer]
    return per_network(settings.step, W) * a[..., :, None] * np.moveaxis(delta, 0, -3)


def end_exchange_rule(weights, acts, partner, settings):
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
    change = schmidhuber_rule(weights, acts, partner, settings)
    scale = np.ones_like(weights[..., :1, :1])    # one factor per section, laid out as the weights
    scale[..., :-1, :, :] = per_network(settings.hidden_pull, weights)
    change *= scale
    return change


RULES = {"blog": blog_rule, "schmidhuber": schmidhuber_rule, "backprop": backprop_rule,
         "end_exchange": end_exchange_rule}
DEFAULT_ALIGNMENT = {"blog": "blog", "schmidhuber": "paper", "backprop": "paper", "end_exchange": "paper"}


def register_rule(rule, name=None, alignment="paper"):
    """Make a rule of your own usable by name, as ``HeatExchanger.build(..., rule=name)``.

    ``rule`` is a function ``(weights, acts, partner, settings) -> change``,
    like the rules above; ``name`` defaults to its ``__name__``; ``alignment``
    is the alignment it gets unless the exchanger is given another. Check it
    with ``is_local`` first: registering does not. Returns the name.
    """
    if not callable(rule):
        raise TypeError(f"rule must be a function (weights, acts, partner, settings) -> change, "
                        f"not {type(rule).__name__}")
    name = rule.__name__ if name is None else name
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a word like 'my_rule', got {name!r}")
    if RULES.get(name, rule) is not rule and name in _BUILT_IN_RULES:
        raise ValueError(f"{name!r} is a built-in rule; give yours another name")
    if alignment not in ALIGNMENTS:
        raise ValueError(f"unknown alignment {alignment!r}; choose one of {sorted(ALIGNMENTS)}")
    RULES[name] = rule
    DEFAULT_ALIGNMENT[name] = alignment
    return name


_BUILT_IN_RULES = frozenset(RULES)


class _LocalitySettings:
    """Settings for ``is_local``: two networks that differ in every setting."""
    step = np.array([0.5, 2.0])
    pull_previous = np.array([0.0, 0.7])
    pull_partner = np.array([1.0, 0.4])
    hidden_pull = np.array([0.3, 1.0])


def is_local(rule, depth=3, width=3, trials=5, seed=0):
    """Whether every section's change depends only on what that section touches.

    ``rule`` is a rule function ``(weights, acts, partner, settings) -> change``
    (yours too) or its name in ``RULES``. For random weights, activations and
    partners of two networks with different settings, with and without a bias,
    each section's change is computed again after everything it does not touch
    -- other sections' weights, other layers, other partners -- is drawn afresh.
    True if no section's change moved in any trial. False is a counter-example;
    True is evidence from ``trials`` draws, not a proof. Notebook 04 uses it.

    ``settings`` holds ``step``, ``pull_previous``, ``pull_partner`` and
    ``hidden_pull``, one number per network.
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {sorted(RULES)}, or pass a rule function")
        rule = RULES[rule]
    if not callable(rule):
        raise TypeError(f"rule must be a rule function (weights, acts, partner, settings) -> change "
                        f"or a name in RULES, not {type(rule).__name__}")
    rng = np.random.default_rng(seed)
    settings = _LocalitySettings()
    for bias in (False, True):
        for _ in range(trials):
            arrays = _random_step_inputs(rng, 2, depth, width, bias)
            with np.errstate(all="ignore"):
                change = np.asarray(rule(*arrays, settings))
            for pipe, section in itertools.product((0, 1), range(depth)):
                scrambled = _scramble_untouched(rng, arrays, pipe, section)
                with np.errstate(all="ignore"):
                    again = np.asarray(rule(*scrambled, settings))
                if not np.array_equal(change[:, pipe, section], again[:, pipe, section], equal_nan=True):
                    return False
    return True


def _random_step_inputs(rng, k, depth, width, bias):
    """Weights, activations and partners of the shapes a rule receives, filled at random."""
    n_in = width + bias
    weights = rng.uniform(-3, 3, (k, 2, depth, n_in, width))
    acts = rng.uniform(0, 1, (k, 2, depth + 1, 1, n_in))
    if bias:
        acts[..., -1] = 1.0
    partner = rng.uniform(0, 1, (k, 2, depth, 1, width))
    return weights, acts, partner


def _scramble_untouched(rng, arrays, pipe, section):
    """Copies in which everything one section does not touch is drawn afresh.

    A section touches its weights, its input (layer ``section`` of its pipe),
    its output (layer ``section + 1``) and its partner's activation.
    """
    weights, acts, partner = (a.copy() for a in arrays)
    kept = (weights[:, pipe, section].copy(), acts[:, pipe, section].copy(),
            acts[:, pipe, section + 1].copy(), partner[:, pipe, section].copy())
    fresh = _random_step_inputs(rng, weights.shape[0], weights.shape[2], weights.shape[-1],
                                weights.shape[-2] > weights.shape[-1])
    for array, new in zip((weights, acts, partner), fresh):
        array[...] = new
    weights[:, pipe, section], acts[:, pipe, section], acts[:, pipe, section + 1], partner[:, pipe, section] = kept
    return weights, acts, partner


# ---------------------------------------------------------------------------
# 6. The data (notebook 02, section 1; notebook 04, section 1).
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
        _check_dataset(self)

    @property
    def width(self):
        return self.x_train.shape[1]


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


def data_set(name, width=2, seed=0, n_train=500, n_test=500):
    """The circle or the XOR data by name: ``data_set("xor", width=16, seed=1)``."""
    makers = {"circle": circle_data, "xor": xor_data}
    if name not in makers:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(makers)}")
    return makers[name](n_train, n_test, width=width, seed=seed)


def _labelled(points, labels, width, n_train, name, seed):
    if width < 2:
        raise ValueError(f"width must be at least 2 to hold a point of the plane, got {width}")
    x = np.zeros((len(points), width))
    x[:, :2] = points    # wider pipes see the point in the first two units, zeros after
    y = np.repeat(labels.astype(float)[:, None], width, axis=1)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], name=name, seed=seed)


def majority_accuracy(data):
    """Test accuracy of always answering the training set's most common label."""
    train_labels = data.y_train[:, 0] > 0.5
    majority = train_labels.mean() >= 0.5
    return float(np.mean((data.y_test[:, 0] > 0.5) == majority))


# ---------------------------------------------------------------------------
# 7. Training (notebook 02, section 3).
# ---------------------------------------------------------------------------

class DivergenceError(FloatingPointError):
    """A weight stopped being finite during training."""


def train(net, data, epochs=200, progress=True):
    """Train ``net`` online on ``data`` for ``epochs`` epochs and return a ``Run``.

    Each epoch, every network draws a fresh shuffle of the training set from
    its own generator and takes one exchange step per sample. Snapshots and
    metrics are kept at the start and after every epoch. ``progress`` shows a
    ``tqdm.auto`` bar. Raises ``DivergenceError`` naming the epoch, network,
    pipe and section if a weight stops being finite.
    """
    epochs = _positive_int(epochs, "epochs")
    _check_training(net, data)
    k = net.n_networks
    snapshots = np.empty((epochs + 1,) + net.weights.shape)
    snapshots[0] = net.weights
    first = measure(net, data)
    metrics = {name: np.empty((epochs + 1,) + value.shape) for name, value in first.items()}
    for name, value in first.items():
        metrics[name][0] = value
    bar = _progress_bar(epochs, f"training {k} network{'s' * (k > 1)}") if progress else None
    for epoch in range(1, epochs + 1):
        order = np.stack([rng.permutation(len(data.x_train)) for rng in net.rngs]).T    # (n, K)
        # samples[t]: x then y of step t for every network, (2, K, width)
        samples = np.stack([data.x_train[order], data.y_train[order]], axis=1)
        with np.errstate(all="ignore"):
            for pair in samples:
                net._step(pair)
        _raise_if_diverged(net, epoch, snapshots[epoch - 1], samples)
        snapshots[epoch] = net.weights
        for name, value in measure(net, data).items():
            metrics[name][epoch] = value
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    config = dict(net.config(), epochs=epochs, data=data.name, data_seed=data.seed,
                  n_train=len(data.x_train), n_test=len(data.x_test))
    return Run(config, snapshots, metrics)


METRICS = ("train_accuracy", "test_accuracy", "reconstruction_error", "mismatch")


def measure(net, data):
    """The metrics of ``net`` on ``data`` now: a dict of arrays with leading axis K.

    - ``train_accuracy``, ``test_accuracy``: the forward pipe's accuracy;
    - ``reconstruction_error``: mean squared error of the backward pipe's x̂;
    - ``mismatch`` (K, 2, depth): for each section, the mean squared
      difference from its partner on the training set -- the heat still to flow.
    """
    parts = [_measure_networks(weights, net, data) for weights in engine.chunks(net.weights)]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _measure_networks(weights, net, data):
    """``measure`` for the networks whose weights are given."""
    width = net.width
    with np.errstate(over="ignore"):
        train_acts = net._engine.flow(weights, np.stack([data.x_train, data.y_train]))
        test_out = net._engine.flow(weights[:, 0], data.x_test)[..., -1, :, :width]
    labels = data.y_train[:, 0] > 0.5
    own = train_acts[..., 1:, :, :width]
    partner = partner_acts(train_acts, net.alignment, width)
    return {
        "train_accuracy": np.mean(predict_labels(train_acts[:, 0, -1, :, :width]) == labels, axis=-1),
        "test_accuracy": np.mean(predict_labels(test_out) == (data.y_test[:, 0] > 0.5), axis=-1),
        "reconstruction_error": np.mean((train_acts[:, 1, -1, :, :width] - data.x_train) ** 2, axis=(-2, -1)),
        "mismatch": np.mean((own - partner) ** 2, axis=(-2, -1)),
    }


def predict_labels(outputs):
    """Class 1 where the mean of the output units exceeds one half."""
    return outputs.mean(axis=-1) > 0.5


def _progress_bar(epochs, description):
    """A tqdm bar over the epochs: a widget in Jupyter, text in a terminal.

    A saved notebook keeps a widget's text only as it was when first shown
    ("0%"), and a static page (GitHub, the reading site) shows that text. So in
    Jupyter the bar is shown with a text that says what ran instead.
    """
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm
    if not issubclass(tqdm, notebook_tqdm):
        return tqdm(total=epochs, desc=description, unit="epoch")
    from IPython.display import display
    bar = tqdm(total=epochs, desc=description, unit="epoch", display=False)
    if not hasattr(bar.container, "_repr_mimebundle_"):      # ipywidgets 7 (some hosted runtimes)
        display(bar.container)
        return bar
    view = bar.container._repr_mimebundle_()
    view["text/plain"] = f"{description} for {epochs} epoch{'s' * (epochs > 1)}"
    display(view, raw=True)
    return bar


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
        f"step {net.step[k]:g}), {PIPES[p]} pipe, section {i}, "
        f"at sample {t + 1} of the epoch; {hint}")


# ---------------------------------------------------------------------------
# 8. Runs (notebook 02, section 6; notebooks 03-05).
# ---------------------------------------------------------------------------

class RunFileError(ValueError):
    """A file is not a heatex run, or is damaged."""


RUN_FORMAT = "heatex-run"
RUN_VERSION = 1


@dataclass
class Run:
    """A training run: its config, every snapshot and the per-epoch metrics.

    ``snapshots`` has shape (epochs + 1, K, 2, depth, inputs, width): entry 0 is
    the initial weights, entry e the weights after epoch e. Each metric (see
    ``measure``) has leading shape (epochs + 1, K), measured at the same
    moments. ``run.network(k)`` is network k's history alone.
    """
    config: dict
    snapshots: np.ndarray
    metrics: dict = field(default_factory=dict)

    @property
    def epochs(self):
        return self.snapshots.shape[0] - 1

    @property
    def n_networks(self):
        return self.snapshots.shape[1]

    @property
    def forward(self):
        """Every forward pipe at every snapshot: (epochs + 1, K, depth, inputs, width)."""
        return self.snapshots[:, :, 0]

    @property
    def backward(self):
        """Every backward pipe at every snapshot: (epochs + 1, K, depth, inputs, width)."""
        return self.snapshots[:, :, 1]

    def network(self, k=0):
        """Network ``k``'s history: a ``NetworkRun``, with no networks axis."""
        return NetworkRun(self, _network_index(k, self.n_networks))

    def networks(self):
        """Every network's history in turn."""
        return [self.network(k) for k in range(self.n_networks)]

    def network_at(self, epoch, network=None):
        """A HeatExchanger with the weights of snapshot ``epoch`` (all networks, or one)."""
        c = self.config
        chosen = slice(None) if network is None else [_network_index(network, self.n_networks)]
        per_network = {name: np.broadcast_to(np.asarray(c[name] if name in c else default, dtype=float),
                                             (self.n_networks,))[chosen]
                       for name, default in (("step", 0.001), ("pull_previous", 1.0), ("pull_partner", 1.0),
                                             ("hidden_pull", 0.0), ("init_scale", 1.0))}
        return HeatExchanger(self.snapshots[epoch, chosen].copy(), rule=c["rule"], alignment=c["alignment"],
                             seeds=np.asarray(c["seeds"])[chosen], bias=c["bias"], **per_network)

    def save(self, path):
        arrays = {f"metric_{k}": v for k, v in self.metrics.items()}
        np.savez_compressed(path, format=np.array(RUN_FORMAT), version=np.array(RUN_VERSION),
                            config=np.array(json.dumps(self.config)), snapshots=self.snapshots, **arrays)

    @classmethod
    def load(cls, path):
        contents = _read_run_file(path)
        config = json.loads(str(contents["config"]))
        snapshots = contents["snapshots"]
        metrics = {k[len("metric_"):]: v for k, v in contents.items() if k.startswith("metric_")}
        _check_run_contents(path, config, snapshots, metrics)
        return cls(config, snapshots, metrics)


class NetworkRun:
    """One network's history in a run, with no networks axis (views of the run's arrays).

    ``snapshots`` (epochs + 1, 2, depth, inputs, width), ``forward`` and
    ``backward`` (epochs + 1, depth, inputs, width), ``metrics`` with leading
    axis epochs + 1 (``mismatch`` is (epochs + 1, 2, depth)), and ``config``:
    this network's seed and settings as plain numbers.
    """

    def __init__(self, run, k):
        self.run = run
        self.k = k

    snapshots = property(lambda self: self.run.snapshots[:, self.k])
    forward = property(lambda self: self.snapshots[:, 0])
    backward = property(lambda self: self.snapshots[:, 1])
    epochs = property(lambda self: self.run.epochs)

    @property
    def metrics(self):
        return {name: value[:, self.k] for name, value in self.run.metrics.items()}

    @property
    def config(self):
        return {name: (value[self.k] if isinstance(value, list) else value)
                for name, value in self.run.config.items() if name != "seeds"} | {"seed": self.run.config["seeds"][self.k]}

    def at(self, epoch):
        """This network at snapshot ``epoch``, as a ``Network`` of its own exchanger."""
        return self.run.network_at(epoch, self.k).network(0)

    def __repr__(self):
        return f"network {self.k} of a run of {self.run.n_networks}: seed {self.config['seed']}, {self.epochs} epochs"


class Grid:
    """Every combination of per-network settings, times every seed, on one networks axis.

    ``Grid(seeds=[0, 1, 2], step=[0.1, 1.0])`` stands for 6 networks: both
    steps, each with the three seeds (settings vary slowest, seeds fastest).
    ``build`` makes the exchanger; ``split`` and ``metric`` put the networks
    axis of what comes back into the grid's shape, (len(step), len(seeds)).
    """

    def __init__(self, seeds, **settings):
        self.seeds = _seed_list(seeds)
        if not settings:
            raise ValueError("give at least one setting to vary, e.g. Grid(seeds, step=[0.1, 1.0])")
        self.settings = {name: list(np.atleast_1d(values).tolist()) for name, values in settings.items()}
        for name, values in self.settings.items():
            if not values:
                raise ValueError(f"{name} has no values; give a list of at least one")
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
        """``HeatExchanger.build`` with one network per (combination, seed), ``fixed`` for all."""
        clash = set(fixed) & (set(self.settings) | {"seeds"})
        if clash:
            raise ValueError(f"{sorted(clash)} vary in this grid; do not fix them too")
        return HeatExchanger.build(depth, width, **fixed, **self.per_network())

    def split(self, values, axis=0):
        """``values`` with its networks axis ``axis`` reshaped into the grid: (*settings, seeds)."""
        values = np.asarray(values)
        axis = axis % values.ndim
        if values.shape[axis] != self.n_networks:
            raise ValueError(f"axis {axis} of values has {values.shape[axis]} entries; this grid has "
                             f"{self.n_networks} networks")
        return values.reshape(values.shape[:axis] + self.shape + values.shape[axis + 1:])

    def rows(self, values, axis=0):
        """Pairs (combination of settings, its seeds' values) from ``values`` with a networks axis.

        ``for combo, accuracy in grid.rows(run.metrics["test_accuracy"][-1]):`` walks the
        combinations in order, each with one value per seed.
        """
        values = np.moveaxis(np.asarray(values), axis, 0)
        if len(values) != self.n_networks:
            raise ValueError(f"axis {axis} of values has {len(values)} entries; this grid has {self.n_networks} networks")
        return list(zip(self.combos, values.reshape((len(self.combos), len(self.seeds)) + values.shape[1:])))

    def metric(self, run, name):
        """A run's metric in the grid's shape: (epochs + 1, *settings, seeds, ...)."""
        if name not in run.metrics:
            raise ValueError(f"unknown metric {name!r}; the run has {sorted(run.metrics)}")
        return self.split(run.metrics[name], axis=1)

    def settings_of(self, k):
        """The seed and settings of network ``k``."""
        combo, seed = divmod(_network_index(k, self.n_networks), len(self.seeds))
        return {"seed": self.seeds[seed], **self.combos[combo]}


# ---------------------------------------------------------------------------
# 9. Checks on what callers pass: the messages students see.
# ---------------------------------------------------------------------------

def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def _check_finite(array, what):
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or inf; give finite numbers")


def _network_index(k, n_networks):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n_networks:
        raise ValueError(f"network must be a whole number from 0 to {n_networks - 1} "
                         f"(there are {n_networks}), got {k!r}")
    return int(k)


def _pipe_index(pipe):
    if pipe in PIPES:
        return PIPES.index(pipe)
    if pipe in (0, 1) and not isinstance(pipe, bool):
        return int(pipe)
    raise ValueError(f'pipe must be "forward" or "backward" (or 0, 1), got {pipe!r}')


def _seed_list(seeds):
    seeds = np.atleast_1d(np.asarray(seeds))
    if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer):
        raise ValueError(f"seeds must be a whole number or a list of them, got {seeds!r}")
    return [int(s) for s in seeds]


def _per_network_array(value, name, k, dtype=float):
    array = np.asarray(value)
    if array.ndim == 0:
        array = np.full(k, array)
    if array.shape != (k,):
        raise ValueError(f"{name} must be one number or one per network ({k}), got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got {value!r}")
    return array.astype(dtype)


def _check_exchanger(weights, rule, alignment, bias):
    """The weights as a float array (K, 2, depth, inputs, width) and the alignment, checked."""
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
    width, n_in = weights.shape[-1], weights.shape[-2]
    if n_in != width + bool(bias):
        raise ValueError(
            f"each section of width {width} needs {width + bool(bias)} input rows "
            f"({'with' if bias else 'without'} a bias), got {n_in}; every section of both pipes "
            "has the same width because each is pulled towards its own input")
    if rule == "blog" and bias:
        raise ValueError("the blog's rule has no bias; use bias=False or rule='schmidhuber'")
    _check_finite(weights, "the initial weights")
    return weights, alignment


def _check_sample(value, name, net):
    """A sample x or y for ``learn``: (width,) or (K, width) as floats."""
    value = np.asarray(value, dtype=float)
    if value.ndim not in (1, 2) or value.shape[-1] != net.width or len(np.atleast_2d(value)) not in (1, net.n_networks):
        raise ValueError(f"{name} must have shape ({net.width},) or ({net.n_networks}, {net.width}) "
                         f"for {net.n_networks} networks of width {net.width}, got {value.shape}")
    return value


def _check_one_sample(value, name, width):
    value = np.asarray(value, dtype=float)
    if value.shape != (width,):
        raise ValueError(f"{name} must be one sample of shape ({width},), got shape {value.shape}")
    return value


def _check_dataset(data):
    for key in ("x_train", "y_train", "x_test", "y_test"):
        value = np.asarray(getattr(data, key))
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
        setattr(data, key, value)
    for split in ("train", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        if len(x) != len(y):
            raise ValueError(f"x_{split} has {len(x)} samples but y_{split} has {len(y)}")
        if len(x) == 0:
            raise ValueError(f"the {split} split is empty")
    widths = {a.shape[1] for a in (data.x_train, data.y_train, data.x_test, data.y_test)}
    if len(widths) != 1:
        raise ValueError(f"inputs and targets must have the same width as the pipes, got widths {sorted(widths)}")


def _check_training(net, data):
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a heatex_core.Dataset (see circle_data), not {type(data).__name__}")
    if data.width != net.width:
        raise ValueError(f"the data is {data.width} wide but the pipes are {net.width} wide; "
                         f"make the data with width={net.width} or build pipes of width {data.width}")


def _read_run_file(path):
    """The arrays of a run file, or a RunFileError that says what is wrong with it."""
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
    return contents


def _check_run_contents(path, config, snapshots, metrics):
    expected = (len(config["seeds"]), 2, config["depth"], config["width"] + config["bias"], config["width"])
    if snapshots.ndim != 6 or snapshots.shape[1:] != expected:
        raise RunFileError(f"{path} has snapshots of shape {snapshots.shape}, which does not match its config {expected}")
    for name, value in metrics.items():
        if value.shape[:2] != snapshots.shape[:2]:
            raise RunFileError(f"{path}: metric {name} covers {value.shape[:2]} but snapshots cover {snapshots.shape[:2]}")
