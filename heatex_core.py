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
   non-local baseline), ``end_exchange_rule`` (the local rule notebook 05 finds
   that learns: a perceptron), ``difference_exchange_rule`` (notebook 06: the
   exchange with difference target propagation's correction, whose hidden
   sections learn), and ``is_local``, which checks a rule, yours included.
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
import math
import os
import pathlib
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import heatex_engine as engine

__all__ = [
    "sigmoid", "Section", "Pipe", "pipes",
    "PIPES", "HeatExchanger", "Network",
    "flow", "layer_of", "layer_spread",
    "ALIGNMENTS", "partner_acts", "Touch", "touches",
    "per_network", "delta_rule", "blog_rule", "schmidhuber_rule", "backprop_rule", "end_exchange_rule",
    "difference_exchange_rule", "difference_pass", "jiggle_pass", "beside_input",
    "RULES", "RULE_DEFAULTS", "register_rule", "is_local",
    "Dataset", "circle_data", "xor_data", "data_set", "majority_accuracy",
    "DivergenceError", "WeightGrowthWarning", "RunTooLargeError", "train", "METRICS", "measure", "predict_labels",
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
        _check_section(other, ">")
        other.takes_input(self)
        return Pipe.through(other, arrow=">")

    def __lt__(self, other):
        _check_section(other, "<")
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
        sections = _check_sections(sections)
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

    def __init__(self, weights, rule="blog", alignment=None, seeds=0, bias=None, init_scale=None, step=None,
                 pull_previous=None, pull_partner=None, hidden_pull=None, difference=None, inverse_step=None,
                 inverse_noise=None):
        # A setting left out (None) takes its rule's default, RULE_DEFAULTS[rule].
        weights, alignment, bias = _check_exchanger(weights, rule, alignment, bias)
        defaults = RULE_DEFAULTS[rule]
        k = len(weights)
        self.weights = engine.layered_copy(weights)
        self.rule = rule
        self.alignment = alignment
        self.bias = bias
        self.seeds = _per_network_array(_seed_array(seeds), "seeds", k, dtype=np.int64)
        given = dict(init_scale=init_scale, step=step, pull_previous=pull_previous, pull_partner=pull_partner,
                     hidden_pull=hidden_pull, difference=difference, inverse_step=inverse_step,
                     inverse_noise=inverse_noise)
        for name, value in given.items():
            setattr(self, name, _per_network_array(defaults[name] if value is None else value, name, k))
        _check_difference(self)
        self.rngs = [np.random.default_rng(int(s)) for s in self.seeds]
        self.jiggle = None           # the jiggle of this step, for inverse_noise (see jiggle_pass)
        self._engine = engine.Engine()

    @classmethod
    def build(cls, depth=10, width=2, seeds=0, rule="blog", bias=None, init_scale=None, **settings):
        """K networks of ``depth`` sections of ``width``, one per seed.

        Initial weights are uniform in [-init_scale, init_scale] (one scale, or
        one per network), drawn from each network's own generator, forward pipe
        first, sections in flow order. ``bias``, ``init_scale`` and every
        setting left out take the rule's defaults (``RULE_DEFAULTS``): for the
        blog's rule, no bias and the blog's [-1, 1].
        """
        depth = _positive_int(depth, "depth")
        width = _positive_int(width, "width")
        seeds = _seed_list(seeds)
        _check_rule(rule)
        bias = RULE_DEFAULTS[rule]["bias"] if bias is None else bias
        init_scale = RULE_DEFAULTS[rule]["init_scale"] if init_scale is None else init_scale
        _check_bias(bias)
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
        forward, backward = _weight_list(forward, "forward"), _weight_list(backward, "backward")
        if len(forward) != len(backward):
            raise ValueError(f"both pipes need the same depth: forward has {len(forward)}, backward {len(backward)}")
        shapes = {np.shape(w) for w in list(forward) + list(backward)}
        if len(shapes) != 1:
            raise ValueError(f"every section needs the same shape (inputs, width), got {sorted(shapes)}")
        return cls(np.stack([np.stack(forward), np.stack(backward)])[None], **settings)

    @classmethod
    def from_pipes(cls, forward, backward, seed=0, **settings):
        """One network from linked sections; missing weights are drawn from ``seed``."""
        _check_pipe(forward, "forward")
        _check_pipe(backward, "backward")
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
        config = {"rule": self.rule, "alignment": self.alignment, "depth": self.depth, "width": self.width,
                  "bias": self.bias, "init_scale": scales[0] if len(set(scales)) == 1 else scales,
                  "seeds": self.seeds.tolist()}
        return config | {name: getattr(self, name).tolist() for name in SETTINGS if name != "init_scale"}

    def flow(self, x, y):
        """What both pipes carry for samples x and y of shape (m, width) or (K, m, width).

        Each pipe's plain flow; with a ``difference`` (the difference
        exchange) the backward pipe then carries targets down instead
        (``difference_pass``). Shape (K, 2, depth + 1, m, inputs).
        """
        acts = flow(self.weights, np.stack(np.broadcast_arrays(x, y), axis=-3))
        if np.any(self.difference):
            difference_pass(self.weights, acts, self.difference)
        return acts

    def learn(self, x, y, jiggle=None):
        """One exchange step on one (x, y) pair per network.

        ``x`` and ``y`` have shape (width,) (the same pair for every network)
        or (K, width). Every change is computed first, then applied. Returns
        the activations the rule saw, (K, 2, depth + 1, rows, inputs): one row,
        or three with the difference exchange's jiggle. ``jiggle`` (K, depth,
        width) are the standard normal draws for ``inverse_noise``; left out,
        each network draws them from its own generator.

        If the step would leave a weight NaN or inf, the weights stay as they
        were and ``DivergenceError`` names the section and the cause; weights
        past ``GROWTH_LIMIT`` give a ``WeightGrowthWarning``.
        """
        x, y = (_check_sample(value, name, self) for name, value in (("x", x), ("y", y)))
        pairs = np.stack(np.broadcast_arrays(np.atleast_2d(x), np.atleast_2d(y)))    # (2, K or 1, width)
        if np.any(self.inverse_noise):
            self.jiggle = self._draw_jiggles(1)[0] if jiggle is None else _check_jiggle(jiggle, self)
        before = self.weights.copy()
        with np.errstate(all="ignore"):
            acts = self._step(pairs).copy()
        _check_step(self, before, pairs)
        return acts

    def _step(self, pairs, plan=None):
        """``learn`` without its checks, for ``train``: pairs (2, K, width) holds x then y.

        ``plan`` is ``_plan()``, worked out once for many steps. Returns the step's
        activations, which the next step overwrites.
        """
        exchange, rows = plan or self._plan()
        return self._engine.step(self.weights, pairs, RULES[self.rule], self, self.alignment, self._partners,
                                 exchange, rows)

    def _plan(self):
        """What a step does besides the plain flow: the difference exchange's passes, if any, and
        the rows of activations they need (three with the jiggle)."""
        jiggling = bool(np.any(self.inverse_noise))
        return (self._exchange if jiggling or np.any(self.difference) else None), (3 if jiggling else 1)

    def _partners(self, acts):
        return partner_acts(acts, self.alignment, self.width)

    def _exchange(self, weights, acts):
        """The difference exchange's passes after the plain flow of a step: the jiggle, then the targets."""
        if np.any(self.inverse_noise):
            jiggle_pass(weights, acts, self.inverse_noise, self.jiggle)
        if np.any(self.difference):
            difference_pass(weights, acts[..., :1, :], self.difference)       # the sample's row

    def _draw_jiggles(self, n):
        """This epoch's jiggles, (n, K, depth, width), each network's from its own generator: zeros
        for a network without ``inverse_noise`` (which draws nothing, so its stream is unchanged)."""
        jiggles = np.zeros((n, self.n_networks, self.depth, self.width))
        for k in np.flatnonzero(self.inverse_noise):
            jiggles[:, k] = self.rngs[k].standard_normal((n, self.depth, self.width))
        return jiggles

    def predict(self, x):
        """The forward pipe's output for x (m, width), or one set per network (K, m, width): shape (K, m, width)."""
        x = _check_points(x, "x", self.width, self.n_networks)
        with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
            return flow(self.weights[:, 0], x)[..., -1, :, :self.width]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width), or one set per network (K, m, width): shape (K, m, width)."""
        y = _check_points(y, "y", self.width, self.n_networks)
        with np.errstate(over="ignore"):
            return flow(self.weights[:, 1], y)[..., -1, :, :self.width]

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
    difference = property(lambda self: float(self.exchanger.difference[self.k]))
    inverse_step = property(lambda self: float(self.exchanger.inverse_step[self.k]))
    inverse_noise = property(lambda self: float(self.exchanger.inverse_noise[self.k]))
    jiggle = None                # a Network's change is the change without a jiggle
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
        x, y = _check_pair(x, y, self.width)
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
        (2, depth, inputs, width). (With ``inverse_noise``, the change without a jiggle.)"""
        acts = self._acts(_check_one_sample(x, "x", self.width), _check_one_sample(y, "y", self.width))
        return RULES[self.rule](self.weights, acts, partner_acts(acts, self.alignment, self.width), self)

    def predict(self, x):
        """The forward pipe's output for x (m, width): (m, width)."""
        return self.exchanger.predict(_check_points(x, "x", self.width))[self.k]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width): (m, width)."""
        return self.exchanger.reconstruct(_check_points(y, "y", self.width))[self.k]

    def pipes(self):
        """Fresh ``Pipe`` objects whose sections view this network's weights."""
        return self.exchanger.pipes(self.k)

    def _acts(self, x, y):
        samples = np.stack(np.broadcast_arrays(np.atleast_2d(x), np.atleast_2d(y)))   # (2, m, width)
        acts = flow(self.weights, samples)                                            # (2, depth + 1, m, inputs)
        if self.difference:
            difference_pass(self.weights, acts, self.difference)
        return acts

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


def layer_of(pipe_weights, points, layer):
    """What layer ``layer`` of a pipe answers for ``points`` (..., m, width): (..., m, width).

    ``pipe_weights`` is one pipe, (..., depth, inputs, width); layer 0 is the
    points themselves. The bias's constant 1 is left out.
    """
    pipe_weights = np.asarray(pipe_weights, dtype=float)
    depth, width = pipe_weights.shape[-3], pipe_weights.shape[-1]
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer <= depth:
        raise ValueError(f"layer must be a whole number from 0 (the input) to {depth} (the output), got {layer!r}")
    with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
        answer = flow(pipe_weights[..., :layer, :, :], points)[..., layer, :, :width]
    lead = np.broadcast_shapes(pipe_weights.shape[:-3], np.shape(points)[:-2])
    return np.broadcast_to(answer, lead + answer.shape[-2:])      # layer 0 is the same points for every pipe


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
# 5. The rules (notebook 02, section 3; notebooks 04-06). A rule maps
#    (weights, acts, partner, settings) to the change of every weight; settings
#    holds step, pull_previous, pull_partner, hidden_pull and the difference
#    exchange's three, one per network (an exchanger) or plain numbers (a Network).
# ---------------------------------------------------------------------------

def per_network(value, like):
    """A per-network setting shaped to broadcast against the array ``like`` (..., 2, depth, ...)."""
    value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * (like.ndim - value.ndim))


def delta_rule(a, o, error, step):
    """The delta rule: the change of a sigmoid section's weights that moves its output o by ``error``.

    With input a (..., inputs), output o and error (..., width)::

        change = step * outer(a, error * o * (1 - o))

    the gradient step on |error|^2 / 2 with the error's target held fixed
    (notebook 02, section 3). ``step`` broadcasts against the change.
    """
    delta = error * o * (1 - o)
    return step * a[..., :, None] * delta[..., None, :]


def blog_rule(weights, acts, partner, settings):
    """The 2020 blog's exchange rule, exactly.

    For every section, with its input a (here the previous layer q itself: the
    blog has no bias), its own output o and its partner's output p::

        change = step * (W / column sums of W) * ((q - o) + (p - o))

    The second factor is broadcast over the rows of W. Sections pair by
    position (forward section i with backward section i), one position off the
    paper's alignment; ``HeatExchanger`` defaults to ``alignment="blog"`` for
    this rule. The pull towards the input needs inputs as wide as outputs, so
    every section has the same width and there is no bias. Each step multiplies
    a column by one number, so a column's shares of its sum (the credit) never
    change; a column that nearly cancelled at birth has huge shares and is
    stretched fastest. ``train`` warns when a weight grows past
    ``GROWTH_LIMIT``, and stops with ``DivergenceError`` if one stops being
    finite.

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
    return delta_rule(a, o, e, per_network(settings.step, W))


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
    its output, and the features the last section needs collapse (notebook 05
    shows it). With ``hidden_pull=0`` the backward pipe no longer affects the
    forward pipe's answer: what is left of the exchange is at the ends.
    """
    change = schmidhuber_rule(weights, acts, partner, settings)
    scale = np.ones_like(weights[..., :1, :1])    # one factor per section, laid out as the weights
    scale[..., :-1, :, :] = per_network(settings.hidden_pull, weights)
    change *= scale
    return change


def difference_exchange_rule(weights, acts, partner, settings):
    """The difference heat exchange: hidden sections that learn, locally, without collapsing.

    The heat exchanger with the correction of difference target propagation
    (Lee, Zhang, Fischer and Bengio, *Difference Target Propagation*, 2015;
    also Meulemans et al., 2020). It is not Schmidhuber's rule fixed: two
    things change, and each section still uses only what lies beside it.

    1. What flows down the backward pipe (``difference_pass``, before this
       rule runs) is a *target* for every forward layer, corrected at every
       section by the difference between the forward layer beside its output
       and its own answer to the forward layer beside its input::

           t_{L-1} = g(t_L) + difference * (h_{L-1} - g(h_L)),   t_depth = y

       so a forward section's partner moves with how the other pipe's answer
       would change, not towards one vector per class.
    2. Forward sections: the delta rule towards their partner, the target t
       (``end_exchange_rule``: ``pull_partner``, ``pull_previous``, and
       ``hidden_pull`` for the hidden ones). Backward sections: the delta rule
       that teaches each to undo the forward section beside it, turning the
       forward layer beside its input back into the one beside its output,
       with step ``inverse_step``. With ``inverse_noise`` > 0 it practises on a
       jiggle, as Lee et al. train their inverses: the forward layer beside
       its output plus noise, and the forward section's answer to that
       (``jiggle_pass``).

    Settings (per network): ``difference`` 1 is the correction, 0 the
    literal exchange towards the backward pipe's plain activations;
    ``hidden_pull`` 0 freezes the hidden forward sections; ``inverse_step`` 0
    freezes the backward pipe. The defaults (``RULE_DEFAULTS``) were chosen on
    validation data for 2 sections of width 4, before any test: bias,
    init_scale 1, step 2, inverse_step 0.01, inverse_noise 0.1, pull_previous
    0 (studies/difference_exchange.py searches again and ranks them second of
    14, 0.002 behind, within the noise of 20 seeds). For 3 sections of width 8 the same search chose
    init_scale 2 and step 0.3, for 4 sections of width 8 init_scale 1.5 and
    step 0.2: wider and deeper pipes want smaller steps. The paper's
    alignment only: the last forward section faces y itself.
    """
    change = end_exchange_rule(weights, acts, partner, settings)     # the forward sections' change, towards t
    change[..., 1, :, :, :] = _inverse_change(weights, acts, partner, settings)
    return change


def _inverse_change(weights, acts, partner, settings):
    """Every backward section's delta rule towards undoing the forward section beside it."""
    W = weights[..., 1, :, :, :]                               # (..., depth, inputs, width)
    v = beside_input(acts, 0)[..., 1, :, :]                    # the forward layer beside each one's input
    target = partner[..., 1, :, 0, :]                          # ... and beside its output
    if acts.shape[-2] >= 3:                                    # rows 1 and 2 hold the jiggle (jiggle_pass)
        # a network without inverse_noise learns from row 0, as it does alone
        jiggling = per_network(settings.inverse_noise, v) > 0
        v = np.where(jiggling, beside_input(acts, 2)[..., 1, :, :], v)
        target = np.where(jiggling, partner[..., 1, :, 1, :], target)
    r = sigmoid(_matmul(v[..., None, :], W))[..., 0, :]        # its answer
    return delta_rule(v, r, target - r, per_network(settings.inverse_step, W))


def _matmul(a, b):
    """a @ b on C-ordered copies: BLAS's rounding can depend on how arrays lie in memory, and the
    engine lays them out otherwise than the readable flow; this way it never depends on the caller."""
    return np.ascontiguousarray(a) @ np.ascontiguousarray(b)


def difference_pass(weights, acts, difference):
    """The backward pipe again, carrying targets down: the difference exchange's second pass.

    Backward section j lies beside forward layer L = depth - j at its input
    and L - 1 at its output (the paper's alignment). What it passes on is its
    answer to what it carries, corrected by the difference between the forward
    layer beside its output and its answer to the forward layer beside its
    input::

        t_{L-1} = g(t_L) + difference * (h_{L-1} - g(h_L)),    g(v) = sigmoid(v @ W_j)

    t_depth is y as it enters. Rewrites the backward layers of ``acts``
    (..., 2, depth + 1, m, inputs) in place, every sample; ``difference`` is
    one number per network (0: the plain flow of y).
    """
    width, depth = weights.shape[-1], weights.shape[-3]
    d = per_network(difference, acts[..., 0, 0, :, :width])
    for j in range(depth):
        W = weights[..., 1, j, :, :]
        carried, beside = acts[..., 1, j, :, :], acts[..., 0, depth - j, :, :]
        acts[..., 1, j + 1, :, :width] = (sigmoid(_matmul(carried, W))
                                          + d * (acts[..., 0, depth - j - 1, :, :width] - sigmoid(_matmul(beside, W))))


def jiggle_pass(weights, acts, noise, jiggle):
    """Rows 1 and 2 of the forward pipe: each layer jiggled, and each section's answer to the jiggle.

    For every forward section i, row 1 of its input layer i becomes
    h_i + noise * e, and row 2 of its output layer i + 1 its answer to that,
    sigmoid((h_i + noise * e) @ W_i): what the forward section shows the
    backward section beside it, to learn from. ``jiggle`` is (..., depth,
    width) standard normal draws, one per backward section j (None: no
    jiggle); backward section j lies beside forward section depth - 1 - j.
    ``acts`` has 3 rows per network, row 0 the sample, which is left alone.
    """
    width = weights.shape[-1]
    jiggled = acts[..., 0, :-1, 1, :]                         # (..., depth, inputs): every forward section's input
    jiggled[...] = acts[..., 0, :-1, 0, :]
    if jiggle is not None:
        jiggled[..., :width] += per_network(noise, jiggle) * jiggle[..., ::-1, :]     # in forward order
    acts[..., 0, 1:, 2, :width] = sigmoid(_matmul(jiggled[..., None, :], weights[..., 0, :, :, :]))[..., 0, :]


def beside_input(acts, row=0):
    """For every section, the other pipe's layer beside its input: (..., 2, depth, inputs).

    In the paper's alignment section i of either pipe takes layer i of its own
    pipe, and the other pipe's layer depth - i lies beside it. (Its partner,
    ``partner_acts``, lies beside its output.) ``row`` picks the sample row.
    """
    return acts[..., ::-1, :0:-1, row, :]


RULES = {"blog": blog_rule, "schmidhuber": schmidhuber_rule, "backprop": backprop_rule,
         "end_exchange": end_exchange_rule, "difference_exchange": difference_exchange_rule}

# Every setting of a rule that the caller leaves out. The blog's rule takes the
# blog's choices; the difference exchange those chosen on validation data.
SETTINGS = ("init_scale", "step", "pull_previous", "pull_partner", "hidden_pull", "difference", "inverse_step",
            "inverse_noise")
_PLAIN = dict(alignment="paper", bias=False, init_scale=1.0, step=0.001, pull_previous=1.0, pull_partner=1.0,
              hidden_pull=0.0, difference=0.0, inverse_step=0.0, inverse_noise=0.0)
RULE_DEFAULTS = {
    "blog": dict(_PLAIN, alignment="blog"),
    "schmidhuber": dict(_PLAIN),
    "backprop": dict(_PLAIN),
    "end_exchange": dict(_PLAIN),
    "difference_exchange": dict(_PLAIN, bias=True, init_scale=1.0, step=2.0, pull_previous=0.0, hidden_pull=1.0,
                                difference=1.0, inverse_step=0.01, inverse_noise=0.1),
}


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
    RULE_DEFAULTS[name] = dict(_PLAIN, alignment=alignment)
    return name


_BUILT_IN_RULES = frozenset(RULES)


class _LocalitySettings:
    """Settings for ``is_local``: two networks that differ in every setting."""
    step = np.array([0.5, 2.0])
    pull_previous = np.array([0.0, 0.7])
    pull_partner = np.array([1.0, 0.4])
    hidden_pull = np.array([0.3, 1.0])
    difference = np.array([1.0, 0.5])
    inverse_step = np.array([0.1, 0.02])
    inverse_noise = np.array([0.1, 0.3])


def is_local(rule, depth=3, width=3, trials=5, seed=0, rows=1):
    """Whether every section's change depends only on what that section touches.

    ``rule`` is a rule function ``(weights, acts, partner, settings) -> change``
    (yours too) or its name in ``RULES``. A section touches its own weights,
    its input and its output (two layers of its own pipe), and the wall beside
    it: its partner, and the other pipe's layer beside its input
    (``beside_input``). For random weights, activations and partners of two
    networks with different settings, with and without a bias, each
    section's change is computed again after everything it does not touch --
    other sections' weights, other layers, other partners -- is drawn afresh.
    True if no section's change moved in any trial. False is a counter-example;
    True is evidence from ``trials`` draws, not a proof. Notebook 05 uses it.

    ``settings`` holds every setting of ``SETTINGS`` but ``init_scale``, one
    number per network; ``rows`` is the number of sample rows in ``acts``
    (3 for the difference exchange's jiggle).
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
            arrays = _random_step_inputs(rng, 2, depth, width, bias, rows)
            with np.errstate(all="ignore"):
                change = np.asarray(rule(*arrays, settings))
            for pipe, section in itertools.product((0, 1), range(depth)):
                scrambled = _scramble_untouched(rng, arrays, pipe, section)
                with np.errstate(all="ignore"):
                    again = np.asarray(rule(*scrambled, settings))
                if not np.array_equal(change[:, pipe, section], again[:, pipe, section], equal_nan=True):
                    return False
    return True


def _random_step_inputs(rng, k, depth, width, bias, rows=1):
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
    fresh = _random_step_inputs(rng, weights.shape[0], depth, weights.shape[-1],
                                weights.shape[-2] > weights.shape[-1], acts.shape[-2])
    for array, new in zip((weights, acts, partner), fresh):
        array[...] = new
    (weights[:, pipe, section], acts[:, pipe, section], acts[:, pipe, section + 1], acts[:, 1 - pipe, depth - section],
     partner[:, pipe, section]) = kept
    return weights, acts, partner


# ---------------------------------------------------------------------------
# 6. The data (notebook 02, section 1; notebook 04, section 1).
# ---------------------------------------------------------------------------

@dataclass
class Dataset:
    """Training and held-out samples. Targets repeat the label (0 or 1) across the width."""
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
    """The blog's data: points uniform in [-1, 1]^2, label 1 inside ``radius`` (between 0 and √2)."""
    n_train, n_test, width = (_positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed = _seed(seed, "seed")
    radius = _check_radius(radius)
    points = np.random.default_rng(seed).uniform(-1, 1, (n_train + n_test, 2))
    labels = np.sqrt(np.power(points, 2).sum(axis=1)) <= radius
    return _labelled(points, labels, width, n_train, "circle", seed)


def xor_data(n_train=500, n_test=500, width=2, seed=0):
    """The contrast set: points uniform in [-1, 1]^2, label 1 where x0 * x1 > 0."""
    n_train, n_test, width = (_positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed = _seed(seed, "seed")
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
    _check_data(data)
    train_labels = data.y_train[:, 0] > 0.5
    majority = train_labels.mean() >= 0.5
    return float(np.mean((data.y_test[:, 0] > 0.5) == majority))


# ---------------------------------------------------------------------------
# 7. Training (notebook 02, section 3).
# ---------------------------------------------------------------------------

class DivergenceError(FloatingPointError):
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


# Past this size a weight saturates every sigmoid it feeds unless its inputs
# differ by less than 1e-3 (sigmoid(1e4 * 1e-3) is 1 - 5e-5): the threshold of
# WeightGrowthWarning. Notebook 02's blog run reaches about 700 in 60 epochs.
GROWTH_LIMIT = 1e4


def train(net, data, epochs=200, progress=True, snapshot_every=1):
    """Train ``net`` online on ``data`` for ``epochs`` epochs and return a ``Run``.

    Each epoch, every network draws a fresh shuffle of the training set from
    its own generator and takes one exchange step per sample. Snapshots and
    metrics are kept at the start and after every epoch, or with
    ``snapshot_every=n`` after epochs n, 2n, ... and the last (the run's
    ``snapshot_epochs`` says which); what is kept is the same either way.
    ``progress`` shows a ``tqdm.auto`` bar.

    Before anything is allocated the run's size is estimated; a run that does
    not fit in the memory this machine has free raises ``RunTooLargeError``
    with the size and a ``snapshot_every`` that fits. If a weight stops being
    finite, ``DivergenceError`` names the epoch, network, pipe, section and
    cause, carries the run up to the last finite epoch as ``error.run``, and
    the exchanger is left at those weights. Weights past ``GROWTH_LIMIT`` give
    a ``WeightGrowthWarning``, once.
    """
    epochs = _positive_int(epochs, "epochs")
    snapshot_every = _positive_int(snapshot_every, "snapshot_every")
    _check_training(net, data, progress)
    k = net.n_networks
    kept = _kept_epochs(epochs, snapshot_every)
    first = measure(net, data)
    snapshots, metrics = _allocate_run(net, data, first, kept, epochs, snapshot_every)
    snapshots[0] = net.weights
    for name, value in first.items():
        metrics[name][0] = value
    slot = 1                    # the next row of snapshots and metrics to fill
    previous = snapshots[0]     # the weights at the start of the epoch: the last finite ones
    spare = None if snapshot_every == 1 else np.empty_like(net.weights)
    growth = _GrowthWatch()
    bar = _progress_bar(epochs, f"training {k} network{'s' * (k > 1)}") if progress else None
    plan = net._plan()          # the settings were checked above; they hold for every step
    for epoch in range(1, epochs + 1):
        order = np.stack([rng.permutation(len(data.x_train)) for rng in net.rngs]).T    # (n, K)
        # samples[t]: x then y of step t for every network, (2, K, width)
        samples = np.stack([data.x_train[order], data.y_train[order]], axis=1)
        jiggles = net._draw_jiggles(len(samples)) if np.any(net.inverse_noise) else None
        with np.errstate(all="ignore"):
            for t, pair in enumerate(samples):
                if jiggles is not None:
                    net.jiggle = jiggles[t]
                net._step(pair, plan)
        if not growth.check(net, epoch):
            if bar is not None:
                bar.close()
            raise _diverged(net, data, epoch, previous, previous is not spare, samples, snapshots, metrics, kept, slot,
                            jiggles)
        if epoch == kept[slot]:
            snapshots[slot] = net.weights
            for name, value in measure(net, data).items():
                metrics[name][slot] = value
            previous = snapshots[slot]
            slot += 1
        else:
            np.copyto(spare, net.weights)
            previous = spare
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    config = dict(net.config(), epochs=epochs, data=data.name, data_seed=data.seed,
                  n_train=len(data.x_train), n_test=len(data.x_test))
    return Run(config, snapshots, metrics, snapshot_epochs=kept)


METRICS = ("train_accuracy", "test_accuracy", "reconstruction_error", "mismatch")


def measure(net, data):
    """The metrics of ``net`` on ``data`` now: a dict of arrays with leading axis K.

    - ``train_accuracy``, ``test_accuracy``: the forward pipe's accuracy;
    - ``reconstruction_error``: mean squared error of the backward pipe's x̂;
    - ``mismatch`` (K, 2, depth): for each section, the mean squared
      difference from its partner on the training set -- the heat still to flow.
    """
    _check_net(net)
    _check_data(data)
    _check_widths(net, data)
    size = _measure_chunk(net, data)
    parts = [_measure_networks(weights, difference, net, data)
             for weights, difference in zip(engine.chunks(net.weights, size), engine.chunks(net.difference, size))]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _measure_networks(weights, difference, net, data):
    """``measure`` for the networks whose weights (and ``difference``) are given."""
    width = net.width
    with np.errstate(over="ignore"):
        train_acts = net._engine.flow(weights, np.stack([data.x_train, data.y_train]))
        test_out = net._engine.flow(weights[:, 0], data.x_test)[..., -1, :, :width]
    labels = data.y_train[:, 0] > 0.5
    metrics = {
        "train_accuracy": np.mean(predict_labels(train_acts[:, 0, -1, :, :width]) == labels, axis=-1),
        "test_accuracy": np.mean(predict_labels(test_out) == (data.y_test[:, 0] > 0.5), axis=-1),
        "reconstruction_error": np.mean((train_acts[:, 1, -1, :, :width] - data.x_train) ** 2, axis=(-2, -1)),
    }
    if np.any(difference):       # the difference exchange: the backward pipe carries targets (x̂ is measured above)
        with np.errstate(over="ignore"):
            difference_pass(weights, train_acts, difference)
    metrics["mismatch"] = np.mean((train_acts[..., 1:, :, :width] - partner_acts(train_acts, net.alignment, width)) ** 2,
                                  axis=(-2, -1))
    return metrics


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


# ---------------------------------------------------------------------------
# 8. Runs (notebook 02, section 6; notebooks 03-06).
# ---------------------------------------------------------------------------

class RunFileError(ValueError):
    """A file is not a heatex run, or is damaged."""


class RunTooLargeError(MemoryError, ValueError):
    """A run, or a run file, needs more memory than this machine has free."""


RUN_FORMAT = "heatex-run"
RUN_VERSION = 2          # 2 adds snapshot_epochs; version 1 files (a snapshot every epoch) still load
RUN_VERSIONS = (1, 2)


@dataclass
class Run:
    """A training run: its config, its snapshots and the metrics measured with them.

    ``snapshots`` has shape (snapshots, K, 2, depth, inputs, width): entry 0 is
    the initial weights, entry i the weights after epoch ``snapshot_epochs[i]``.
    By default ``train`` keeps every epoch, so entry e is epoch e and there are
    epochs + 1 entries; with ``snapshot_every=n`` it keeps epochs 0, n, 2n, ...
    and the last. Each metric (see ``measure``) has leading shape
    (snapshots, K), measured at the same epochs. ``config`` holds plain Python
    values only, so it always saves. ``run.network(k)`` is network k's history
    alone.
    """
    config: dict
    snapshots: np.ndarray
    metrics: dict = field(default_factory=dict)
    snapshot_epochs: np.ndarray = None

    def __post_init__(self):
        self.config, self.snapshots, self.metrics, self.snapshot_epochs = _check_run(
            self.config, self.snapshots, self.metrics, self.snapshot_epochs)

    @property
    def epochs(self):
        """The epochs trained: the epoch of the last snapshot."""
        return int(self.snapshot_epochs[-1])

    @property
    def n_networks(self):
        return self.snapshots.shape[1]

    @property
    def forward(self):
        """Every forward pipe at every snapshot: (snapshots, K, depth, inputs, width)."""
        return self.snapshots[:, :, 0]

    @property
    def backward(self):
        """Every backward pipe at every snapshot: (snapshots, K, depth, inputs, width)."""
        return self.snapshots[:, :, 1]

    def network(self, k=0):
        """Network ``k``'s history: a ``NetworkRun``, with no networks axis."""
        return NetworkRun(self, _network_index(k, self.n_networks))

    def networks(self):
        """Every network's history in turn."""
        return [self.network(k) for k in range(self.n_networks)]

    def network_at(self, epoch, network=None):
        """A HeatExchanger with the weights after ``epoch`` (all networks, or one); -1 is the last."""
        c = self.config
        index = _epoch_index(self, epoch)
        chosen = slice(None) if network is None else [_network_index(network, self.n_networks)]
        defaults = RULE_DEFAULTS[c["rule"]]
        per_network = {name: np.broadcast_to(np.asarray(c.get(name, defaults[name]), dtype=float),
                                             (self.n_networks,))[chosen]
                       for name in SETTINGS}
        return HeatExchanger(self.snapshots[index, chosen].copy(), rule=c["rule"], alignment=c["alignment"],
                             seeds=np.asarray(c["seeds"])[chosen], bias=c["bias"], **per_network)

    def save(self, path):
        """Write the run to ``path``, exactly that name, and return it as a ``pathlib.Path``.

        The file is written beside ``path`` under a temporary name and renamed
        into place when whole: a full disk, an interrupted kernel or a reader
        in another process never sees half a file, and a run already at
        ``path`` stays as it was until the new one is complete.
        """
        arrays = {f"metric_{k}": v for k, v in self.metrics.items()}
        return _write_run_file(path, dict(format=np.array(RUN_FORMAT), version=np.array(RUN_VERSION),
                                          config=np.array(_config_json(self.config)), snapshots=self.snapshots,
                                          snapshot_epochs=self.snapshot_epochs, **arrays))

    @classmethod
    def load(cls, path):
        """Read a run that ``save`` wrote; ``RunFileError`` says what is wrong with a file that is not one."""
        path, contents = _read_run_file(path)
        config = _run_config(path, contents["config"])
        snapshot_epochs = contents.get("snapshot_epochs")
        metrics = {k[len("metric_"):]: v for k, v in contents.items() if k.startswith("metric_")}
        _check_run_contents(path, config, contents["snapshots"], metrics, snapshot_epochs)
        return cls(config, contents["snapshots"], metrics, snapshot_epochs)


class NetworkRun:
    """One network's history in a run, with no networks axis (views of the run's arrays).

    ``snapshots`` (snapshots, 2, depth, inputs, width), ``forward`` and
    ``backward`` (snapshots, depth, inputs, width), ``metrics`` with leading
    axis snapshots (``mismatch`` is (snapshots, 2, depth)), ``snapshot_epochs``
    and ``config``: this network's seed and settings as plain numbers.
    """

    def __init__(self, run, k):
        self.run = run
        self.k = k

    snapshots = property(lambda self: self.run.snapshots[:, self.k])
    forward = property(lambda self: self.snapshots[:, 0])
    backward = property(lambda self: self.snapshots[:, 1])
    epochs = property(lambda self: self.run.epochs)
    snapshot_epochs = property(lambda self: self.run.snapshot_epochs)

    @property
    def metrics(self):
        return {name: value[:, self.k] for name, value in self.run.metrics.items()}

    @property
    def config(self):
        return {name: (value[self.k] if isinstance(value, list) else value)
                for name, value in self.run.config.items() if name != "seeds"} | {"seed": self.run.config["seeds"][self.k]}

    def at(self, epoch):
        """This network after ``epoch``, as a ``Network`` of its own exchanger."""
        return self.run.network_at(epoch, self.k).network(0)

    def __repr__(self):
        return f"network {self.k} of a run of {self.run.n_networks}: seed {self.config['seed']}, {self.epochs} epochs"


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
        self.seeds = _seed_list(seeds)
        if combos is not None:      # chosen combinations (ablations, say), not every one
            combos, settings = _check_combos(combos, settings)
            self.settings = {name: [c[name] for c in combos] for name in combos[0]}
            self.combos = combos
            self.shape = (len(combos), len(self.seeds))
            _check_grid_settings(self.settings)
            return
        if not settings:
            raise ValueError("give at least one setting to vary, e.g. Grid(seeds, step=[0.1, 1.0])")
        self.settings = {name: list(np.atleast_1d(values).tolist()) for name, values in settings.items()}
        for name, values in self.settings.items():
            if not values:
                raise ValueError(f"{name} has no values; give a list of at least one")
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
#
# Every message names the argument, says what was wrong with it and what to
# do. The checks run once per call (once per epoch in ``train``), never inside
# the loop over samples.
# ---------------------------------------------------------------------------

def _shown(value, limit=60):
    """``repr(value)``, cut short: a message quotes what it was given, not a whole array."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _bytes(n):
    """A size for people: 41.9 MB, 15.7 TB (powers of 1000, as disks and free(1) -h round them)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {_shown(value)}")
    return int(value)


def _check_finite(array, what):
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or inf; give finite numbers")


def _network_index(k, n_networks):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n_networks:
        raise ValueError(f"network must be a whole number from 0 to {n_networks - 1} "
                         f"(there are {n_networks}), got {_shown(k)}")
    return int(k)


def _pipe_index(pipe):
    if isinstance(pipe, str) and pipe in PIPES:
        return PIPES.index(pipe)
    if isinstance(pipe, (int, np.integer)) and not isinstance(pipe, bool) and pipe in (0, 1):
        return int(pipe)
    raise ValueError(f'pipe must be "forward" or "backward" (or 0, 1), got {_shown(pipe)}')


# --- sections, pipes and the exchanger -------------------------------------------

def _check_section(other, arrow):
    if not isinstance(other, Section):
        raise TypeError(f"a Section links only to another Section: write Section(2) {arrow} Section(2), "
                        f"not a Section {arrow} {type(other).__name__} ({_shown(other)})")


def _check_sections(sections):
    if isinstance(sections, (str, bytes)) or not hasattr(sections, "__iter__"):
        raise TypeError(f"sections must be a list of Section objects in flow order, got {_shown(sections)}")
    sections = list(sections)
    for section in sections:
        if not isinstance(section, Section):
            raise TypeError(f"sections must hold Section objects only, got {type(section).__name__} "
                            f"{_shown(section)}; make each with Section(width)")
    return sections


def _check_pipe(value, name):
    if not isinstance(value, Pipe):
        raise TypeError(f"{name} must be a Pipe of linked sections (e.g. Section(2) > Section(2)), "
                        f"got {type(value).__name__}")


def _weight_list(value, name):
    """``from_weights``' pipe: a list of (inputs, width) matrices in flow order."""
    if isinstance(value, np.ndarray) and value.ndim == 3:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of (inputs, width) weight matrices, one per section in flow "
                        f"order, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} has no sections; give at least one (inputs, width) weight matrix")
    return list(value)


def _check_bias(bias):
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False, got {_shown(bias)}")


def _real_array(value, name):
    """``value`` as a float array, or an error naming ``name`` if it is not real numbers."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):     # ragged lists
        raise ValueError(f"{name} must be an array of numbers with one shape, got {_shown(value)}") from None
    if array.dtype.kind not in "biuf":
        kind = "complex numbers" if array.dtype.kind == "c" else f"{array.dtype} values"
        raise TypeError(f"{name} must hold real numbers, got {kind} ({_shown(value)})")
    return array.astype(float)


def _seed_array(seeds, name="seeds"):
    """Seeds as int64: one whole number from 0 to 2**63 - 1, or a list of them (shape kept)."""
    try:
        array = np.asarray(seeds)
    except (ValueError, TypeError):
        array = np.asarray(None)
    if array.dtype.kind not in "iu" or array.ndim > 1 or array.size == 0 or np.any(array < 0) \
            or np.any(array > np.iinfo(np.int64).max):
        raise ValueError(f"{name} must be a whole number from 0 to 2**63 - 1 or a non-empty list of them "
                         f"(numpy integers do), got {_shown(seeds)}; e.g. {name}=3 or {name}=[0, 1, 2]")
    return array.astype(np.int64)


def _seed_list(seeds):
    return [int(s) for s in np.atleast_1d(_seed_array(seeds))]


def _seed(value, name):
    """One seed, as a plain int."""
    array = _seed_array(value, name)
    if array.ndim != 0:
        raise ValueError(f"{name} must be one whole number from 0 to 2**63 - 1, got {_shown(value)}")
    return int(array)


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


def _per_network_array(value, name, k, dtype=float):
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        array = np.asarray(None)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold finite numbers, one or one per network ({k}), got {_shown(value)}"
                         + ("; complex numbers have no place here" if array.dtype.kind == "c" else ""))
    if array.ndim == 0:
        array = np.full(k, array)
    if array.shape != (k,):
        raise ValueError(f"{name} must be one number or one per network ({k}), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got {_shown(value)}")
    if name in SETTING_LIMITS:
        low, inclusive, why = SETTING_LIMITS[name]
        bad = array < low if inclusive else array <= low
        if np.any(bad):
            raise ValueError(f"{name} must be {'at least' if inclusive else 'more than'} {low}, got "
                             f"{_shown(array[bad][0].item())}: {why}")
    return array.astype(dtype)


def _setting_names():
    """The per-network settings: every keyword of HeatExchanger's constructor but the weights and the choices."""
    return ["seeds", *SETTINGS]


def _check_settings(net):
    """Check every per-network setting again (a student may have set ``net.step = 10``), as arrays of K."""
    k = net.n_networks
    for name in _setting_names():
        if hasattr(net, name):
            value = getattr(net, name)
            if name == "seeds":
                setattr(net, name, _per_network_array(_seed_array(value), name, k, dtype=np.int64))
            else:
                setattr(net, name, _per_network_array(value, name, k))


def _check_combos(combos, settings):
    if settings:
        raise ValueError(f"give either combos or settings to vary ({sorted(settings)}), not both")
    if isinstance(combos, dict):
        combos = list(combos.values())
    combos = list(combos)
    if not combos or not all(isinstance(c, dict) and c for c in combos):
        raise ValueError("combos must be a non-empty list of non-empty dicts of settings, e.g. "
                         "[dict(difference=1.0), dict(difference=0.0)]")
    names = set(combos[0])
    if any(set(c) != names for c in combos):
        raise ValueError(f"every combination must name the same settings, {sorted(names)}: give each its value")
    return [dict(c) for c in combos], settings


def _check_grid_settings(settings):
    known = [name for name in _setting_names() if name != "seeds"]
    for name, values in settings.items():
        if name not in known:
            raise ValueError(f"{name} is not a per-network setting of HeatExchanger; vary one of {known}")
        _per_network_array(values, name, len(values))


def _check_rule(rule):
    if not isinstance(rule, str) or rule not in RULES:
        raise ValueError(f"unknown rule {_shown(rule)}; choose one of {sorted(RULES)} by name")


def _check_exchanger(weights, rule, alignment, bias):
    """The weights as a float array (K, 2, depth, inputs, width), the alignment and the bias, checked.

    ``alignment`` None is the rule's; ``bias`` None is what the weights' rows say.
    """
    _check_rule(rule)
    alignment = RULE_DEFAULTS[rule]["alignment"] if alignment is None else alignment
    if not isinstance(alignment, str) or alignment not in ALIGNMENTS:
        raise ValueError(f"unknown alignment {_shown(alignment)}; choose one of {sorted(ALIGNMENTS)}")
    weights = _real_array(weights, "weights")
    if bias is None:
        bias = weights.ndim == 5 and weights.shape[-2] == weights.shape[-1] + 1
    _check_bias(bias)
    if weights.ndim != 5 or weights.shape[1] != 2:
        raise ValueError(
            "weights must have shape (networks, 2 pipes, depth, inputs, width), "
            f"got {weights.shape}")
    if min(weights.shape[0], weights.shape[2], weights.shape[-1]) < 1:
        raise ValueError(f"weights must hold at least one network, one section and one unit, got shape "
                         f"{weights.shape}")
    width, n_in = weights.shape[-1], weights.shape[-2]
    if n_in != width + bool(bias):
        raise ValueError(
            f"each section of width {width} needs {width + bool(bias)} input rows "
            f"({'with' if bias else 'without'} a bias), got {n_in}; every section of both pipes "
            "has the same width because each is pulled towards its own input")
    if rule == "blog" and bias:
        raise ValueError("the blog's rule has no bias; use bias=False or rule='schmidhuber'")
    _check_finite(weights, "the initial weights")
    return weights, alignment, bool(bias)


def _check_jiggle(jiggle, net):
    jiggle = _real_array(jiggle, "jiggle")
    shape = (net.n_networks, net.depth, net.width)
    if jiggle.shape != shape or not np.all(np.isfinite(jiggle)):
        raise ValueError(f"jiggle must be finite draws of shape {shape} (networks, sections, width), "
                         f"got shape {jiggle.shape}; or leave it out")
    return jiggle


def _check_difference(net):
    """difference, inverse_step and inverse_noise are the difference exchange's, in the paper's alignment."""
    used = [name for name in ("difference", "inverse_step", "inverse_noise") if np.any(getattr(net, name))]
    if used and net.rule != "difference_exchange":
        raise ValueError(f"{', '.join(used)} belong{'s' * (len(used) == 1)} to rule='difference_exchange'; "
                         f"the {net.rule!r} rule does not use {'it' if len(used) == 1 else 'them'}: leave "
                         f"{'it' if len(used) == 1 else 'them'} out")
    if net.rule == "difference_exchange" and net.alignment != "paper":
        raise ValueError("the difference exchange lays the pipes as the paper does (the last forward section "
                         "faces y): use alignment='paper'")


def _check_net(net):
    if not isinstance(net, HeatExchanger):
        hint = ("; train the exchanger it belongs to, net.exchanger" if isinstance(net, Network)
                else "; make one with HeatExchanger.build")
        raise TypeError(f"net must be a heatex_core.HeatExchanger, not {type(net).__name__}{hint}")


# --- samples and data ------------------------------------------------------------

def _rows_not_finite(value):
    return np.flatnonzero(~np.isfinite(value.reshape(-1, value.shape[-1])).all(axis=1))[:5].tolist()


def _check_sample(value, name, net):
    """A sample x or y for ``learn``: (width,) or (K, width) as finite floats."""
    value = _real_array(value, name)
    if value.ndim not in (1, 2) or value.shape[-1] != net.width or len(np.atleast_2d(value)) not in (1, net.n_networks):
        raise ValueError(f"{name} must have shape ({net.width},) or ({net.n_networks}, {net.width}) "
                         f"for {net.n_networks} networks of width {net.width}, got {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has NaN or inf (rows {_rows_not_finite(value)}); give finite numbers")
    return value


def _check_one_sample(value, name, width):
    value = _real_array(value, name)
    if value.shape != (width,):
        raise ValueError(f"{name} must be one sample of shape ({width},), got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has NaN or inf; give finite numbers")
    return value


def _check_pair(x, y, width):
    """x and y for ``Network.flow``: one sample (width,) or m samples (m, width) each, finite."""
    x, y = _real_array(x, "x"), _real_array(y, "y")
    for name, value in (("x", x), ("y", y)):
        if value.ndim not in (1, 2) or value.shape[-1] != width:
            raise ValueError(f"{name} must be one sample ({width},) or m samples (m, {width}), got shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} has NaN or inf; give finite numbers")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    return x, y


def _check_points(value, name, width, k=None):
    """Points for ``predict`` and ``reconstruct``: (m, width), or (K, m, width) when ``k`` is given."""
    value = _real_array(value, name)
    ok = (value.ndim == 2 and value.shape[1] == width) or \
         (k is not None and value.ndim == 3 and value.shape[0] in (1, k) and value.shape[2] == width)
    if not ok:
        shapes = f"(m, {width})" + (f" or ({k}, m, {width}), one set per network" if k is not None else "")
        hint = f"; for one sample write [{name}] or {name}[None]" if value.shape == (width,) else ""
        raise ValueError(f"{name} must be samples of shape {shapes}, got shape {value.shape}{hint}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has NaN or inf in rows {_rows_not_finite(value)}; give finite numbers")
    return value


def _check_radius(radius):
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)) \
            or not 0 < radius < math.sqrt(2):
        raise ValueError(f"radius must be a number between 0 and √2 ≈ 1.414 (beyond either, every point of "
                         f"the square [-1, 1]² gets the same label), got {_shown(radius)}")
    return float(radius)


def _check_data(data):
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a heatex_core.Dataset (circle_data, xor_data or Dataset(x_train, y_train, "
                        f"x_test, y_test) make one), not {type(data).__name__}")


def _check_dataset(data):
    for key in ("x_train", "y_train", "x_test", "y_test"):
        try:
            value = np.asarray(getattr(data, key))
        except (ValueError, TypeError):
            raise ValueError(f"{key} must be an array of numbers (samples, width) with one shape") from None
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
        not_label = ~((y == 0) | (y == 1)).all(axis=1)
        if not_label.any():
            rows = np.flatnonzero(not_label)[:5].tolist()
            raise ValueError(f"y_{split} must hold labels 0 or 1, got {np.unique(y[not_label])[:4].tolist()} in rows "
                             f"{rows}; use 1.0 for class 1 and 0.0 for class 0")
        disagree = (y != y[:, :1]).any(axis=1)
        if disagree.any():
            raise ValueError(f"y_{split} must repeat each sample's label across its {y.shape[1]} columns; rows "
                             f"{np.flatnonzero(disagree)[:5].tolist()} disagree: give each sample one label, "
                             "e.g. np.repeat(labels[:, None], width, axis=1)")
    widths = {a.shape[1] for a in (data.x_train, data.y_train, data.x_test, data.y_test)}
    if len(widths) != 1:
        raise ValueError(f"inputs and targets must have the same width as the pipes, got widths {sorted(widths)}")
    if not isinstance(data.name, str):
        raise TypeError(f"name must be text that names the data, got {_shown(data.name)}")
    data.seed = None if data.seed is None else _seed(data.seed, "seed")


def _check_widths(net, data):
    if data.width != net.width:
        raise ValueError(f"the data is {data.width} wide but the pipes are {net.width} wide; "
                         f"make the data with width={net.width} or build pipes of width {data.width}")


def _check_training(net, data, progress):
    _check_net(net)
    _check_data(data)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {_shown(progress)}")
    _check_dataset(data)         # the arrays may have been changed since the Dataset was made
    _check_widths(net, data)
    _check_settings(net)
    if not np.all(np.isfinite(net.weights)):
        raise ValueError("net's weights contain NaN or inf (a DivergenceError caught and ignored, or weights set "
                         "by hand?); build the exchanger again")


# --- how big a run is, and what the machine has --------------------------------------

def _kept_epochs(epochs, every):
    """The epochs whose snapshots a run keeps: 0, every, 2 every, ... and the last."""
    kept = np.arange(0, epochs + 1, every)
    return kept if kept[-1] == epochs else np.append(kept, epochs)


def _available_memory():
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


def _allocate_run(net, data, first, kept, epochs, every):
    """The snapshots and metrics arrays of a run, after checking that they fit in the memory free."""
    k, n = net.n_networks, len(kept)
    row = net.weights.nbytes + sum(value.nbytes for value in first.values())    # one snapshot and its metrics
    measuring = 2 * (net.depth + 1) * (len(data.x_train) + len(data.x_test)) * net.weights.shape[-2] * 8
    fixed = (len(data.x_train) * k * (2 * net.width + 1) * 8       # an epoch's shuffled samples
             + (net.weights.nbytes if every > 1 else 0)             # the last epoch's weights, when not kept
             + min(engine.KEEP_BYTES, measuring * min(k, engine.MEASURE_CHUNK)))
    need = n * row + fixed
    available = _available_memory()
    if available is not None and need > 0.9 * available:
        raise RunTooLargeError(_too_large(net, n, row, fixed, need, available, epochs))
    try:
        snapshots = np.empty((n,) + net.weights.shape)
        metrics = {name: np.empty((n,) + value.shape) for name, value in first.items()}
    except MemoryError:
        raise RunTooLargeError(_too_large(net, n, row, fixed, need, available, epochs)) from None
    return snapshots, metrics


def _too_large(net, n, row, fixed, need, available, epochs):
    k = net.n_networks
    what = (f"this run needs about {_bytes(need)}: {n} snapshots of {k} network{'s' * (k > 1)} "
            f"({net.depth} sections of {net.weights.shape[-2]}x{net.width} weights), {_bytes(row)} each with "
            f"its metrics, but this machine has {_bytes(available) if available is not None else 'less'} free")
    room = None if available is None else int((0.9 * available - fixed) // row)
    if room is not None and room < 2:
        return (what + "; even the first and last snapshot do not fit: train fewer networks at once "
                f"(about {max(int(0.9 * available // (2 * max(row // k, 1) + fixed // k)), 1)} would), or free memory")
    every = max(1, math.ceil(epochs / max((room or n // 10) - 2, 1)))
    return (what + f"; keep fewer snapshots with snapshot_every={every} (it keeps {len(_kept_epochs(epochs, every))}), "
            "train fewer epochs, or train fewer networks at once")


def _measure_chunk(net, data):
    """Networks measured at once: 16, or fewer where one network's flow of the training set is large,
    so that the buffers an exchanger keeps stay within heatex_engine.KEEP_BYTES."""
    one = 2 * (net.depth + 1) * len(data.x_train) * net.weights.shape[-2] * 8
    return int(min(engine.MEASURE_CHUNK, max(1, engine.KEEP_BYTES // 2 // one)))


# --- divergence and growth --------------------------------------------------------------

class _GrowthWatch:
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
            warnings.warn(_growth_message(net, largest, f"in epoch {epoch}"), WeightGrowthWarning, stacklevel=3)
        return True


def _growth_message(net, largest, when):
    grown = np.flatnonzero(largest > GROWTH_LIMIT)
    k = int(grown[0])
    others = f" (and {len(grown) - 1} more network{'s' * (len(grown) > 2)})" if len(grown) > 1 else ""
    why = ("the blog's rule stretches each column by its weights' shares of the column sum, and a column that "
           "nearly cancelled at birth has huge shares; another seed or a smaller step may keep it in range"
           if net.rule == "blog" else "a smaller step keeps them in range")
    return (f"weights of network {k}{others} reached {largest[k]:.3g} {when} with step {net.step[k]:g}: past "
            f"{GROWTH_LIMIT:g} every sigmoid they feed is saturated and the rule has stopped learning; {why}")


def _divergence_cause(net, before, k, p, i):
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


def _check_step(net, before, pairs):
    """After ``learn``'s step: NaN or inf puts the weights back and raises; growth warns once."""
    w = net.weights
    largest = np.maximum(w.max(axis=(1, 2, 3, 4)), -w.min(axis=(1, 2, 3, 4)))
    if np.all(np.isfinite(largest)):
        if largest.max() > GROWTH_LIMIT and not getattr(net, "_growth_warned", False):
            net._growth_warned = True
            warnings.warn(_growth_message(net, largest, "after this step"), WeightGrowthWarning, stacklevel=3)
        return
    broken = ~np.isfinite(w).all(axis=(-2, -1))
    k, p, i = map(int, np.argwhere(broken)[0])
    cause, hint = _divergence_cause(net, before, k, p, i)
    net.weights[...] = before
    raise DivergenceError(
        f"this step would have made weights NaN or inf: network {k} (seed {int(net.seeds[k])}, step "
        f"{net.step[k]:g}), {PIPES[p]} pipe, section {i}; {hint}. The weights are left as they were before it.",
        network=k, pipe=p, section=i, cause=cause)


def _diverged(net, data, epoch, previous, previous_kept, samples, snapshots, metrics, kept, slot, jiggles=None):
    """The DivergenceError for an epoch that left a weight NaN or inf.

    NaN has usually spread through both pipes by the end of the epoch, so the
    epoch is replayed from its starting weights, checking every step, to name
    the section that broke first, the sample that broke it and why. The
    exchanger is put back to the epoch's starting weights, and the error
    carries the run up to there.
    """
    replay = copy.copy(net)
    replay.weights = previous.copy()
    with np.errstate(all="ignore"):
        for t, pair in enumerate(samples):
            before = replay.weights.copy()
            if jiggles is not None:
                replay.jiggle = jiggles[t]
            replay._step(pair)
            broken = ~np.isfinite(replay.weights).all(axis=(-2, -1))     # (K, 2, depth)
            if broken.any():
                where = f"at sample {t + 1} of the epoch"
                break
        else:       # a rule that gave another change the second time: name where the epoch ended broken
            t, before = None, previous
            broken = ~np.isfinite(net.weights).all(axis=(-2, -1))
            where = "at a sample a replay of the epoch could not find (the rule answered differently)"
    k, p, i = map(int, np.argwhere(broken)[0])
    cause, hint = _divergence_cause(net, before, k, p, i)
    net.weights[...] = previous
    n, last = slot, kept[:slot]
    if not previous_kept:           # snapshot_every skipped the last finite epoch: keep it too
        snapshots[slot] = previous
        for name, value in measure(net, data).items():
            metrics[name][slot] = value
        n, last = slot + 1, np.append(kept[:slot], epoch - 1)
    config = dict(net.config(), epochs=epoch - 1, diverged_in_epoch=epoch, data=data.name, data_seed=data.seed,
                  n_train=len(data.x_train), n_test=len(data.x_test))
    run = Run(config, snapshots[:n], {name: value[:n] for name, value in metrics.items()}, snapshot_epochs=last)
    return DivergenceError(
        f"weights stopped being finite in epoch {epoch}: network {k} (seed {int(net.seeds[k])}, "
        f"step {net.step[k]:g}), {PIPES[p]} pipe, section {i}, "
        f"{where}; {hint}. error.run keeps epochs 0 to {epoch - 1} of every network, "
        f"and the exchanger is left at the weights after epoch {epoch - 1}.",
        run=run, epoch=epoch, network=k, pipe=p, section=i, sample=t, cause=cause)


# --- runs and run files -------------------------------------------------------------------

def _plain(value):
    """``value`` with every numpy scalar and array turned into plain Python values (lists, ints, floats)."""
    if isinstance(value, dict):
        return {(key.item() if isinstance(key, np.generic) else key): _plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def _config_json(config):
    try:
        return json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"config must hold plain values a run file can keep (numbers, text, lists, dicts; "
                        f"no NaN), but {e}; keep only those in config") from None


def _check_run(config, snapshots, metrics, snapshot_epochs):
    """A Run's parts, checked and made plain: (config, snapshots, metrics, snapshot_epochs)."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of the run's settings (as train makes it), not {type(config).__name__}")
    config = _plain(config)
    _config_json(config)
    if not isinstance(snapshots, np.ndarray) or snapshots.dtype.kind != "f" or snapshots.ndim != 6 \
            or min(snapshots.shape) < 1:
        raise ValueError("snapshots must be a float array of shape (snapshots, networks, 2 pipes, depth, inputs, "
                         f"width), got {_shown(snapshots if not isinstance(snapshots, np.ndarray) else snapshots.shape)}")
    if not isinstance(metrics, dict):
        raise TypeError(f"metrics must be a dict of arrays (as train makes it), not {type(metrics).__name__}")
    n, k = snapshots.shape[:2]
    metrics = {name: np.asarray(value) for name, value in metrics.items()}
    for name, value in metrics.items():
        if value.dtype.kind not in "biuf" or value.shape[:2] != (n, k):
            raise ValueError(f"metric {name} must be numbers with leading shape ({n}, {k}) (snapshots, networks), "
                             f"got {value.dtype} of shape {value.shape}")
    if snapshot_epochs is None:
        snapshot_epochs = np.arange(n)
    snapshot_epochs = np.asarray(snapshot_epochs)
    if snapshot_epochs.dtype.kind not in "iu" or snapshot_epochs.shape != (n,) or snapshot_epochs[0] != 0 \
            or np.any(np.diff(snapshot_epochs) <= 0):
        raise ValueError(f"snapshot_epochs must be {n} whole numbers rising from 0 (the epoch of each snapshot), "
                         f"got {_shown(snapshot_epochs)}")
    return config, snapshots, metrics, snapshot_epochs.astype(np.int64)


def _epoch_index(run, epoch):
    epochs = run.snapshot_epochs
    shown = ", ".join(map(str, epochs[:4])) + (f", ..., {epochs[-1]}" if len(epochs) > 4 else "")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)):
        raise ValueError(f"epoch must be a whole number, one of the run's snapshot epochs ({shown}) or -1 for the "
                         f"last, got {_shown(epoch)}")
    if epoch == -1:
        return len(epochs) - 1
    found = np.flatnonzero(epochs == epoch)
    if not found.size:
        raise ValueError(f"epoch {epoch} has no snapshot in this run; its snapshots are after epochs {shown} "
                         "(-1 is the last)")
    return int(found[0])


def _run_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (text or a pathlib.Path), got {type(path).__name__}")
    return pathlib.Path(path)


_TEMPORARY = ".{name}.{pid}.{token}.tmp"


def _write_run_file(path, arrays):
    """Write ``arrays`` as a .npz at exactly ``path``, through a temporary file renamed into place."""
    path = _run_path(path)
    if path.is_dir():
        raise ValueError(f"path {path} is a folder; give a file name inside it, e.g. {path / 'run.npz'}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save the run to {path}: the folder {path.parent} does not exist; "
                                "make it first (pathlib.Path(folder).mkdir(parents=True)) or save elsewhere")
    _remove_stale_temporaries(path)
    temporary = path.parent / _TEMPORARY.format(name=path.name, pid=os.getpid(), token=os.urandom(4).hex())
    written = False
    try:
        # O_EXCL: never another's file; mode 0o666 less the umask, as open() would make it
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
        written = True
    except OSError as e:
        raise OSError(e.errno, f"could not save the run to {path} ({e.strerror or e}); the file there, if any, is "
                               "unchanged: free some disk space or save elsewhere") from e
    finally:
        if not written:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
    if hasattr(os, "O_DIRECTORY"):      # the rename itself survives a crash of the machine
        try:
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:                 # some file systems cannot sync a folder; the file is in place
            pass
    return path


def _remove_stale_temporaries(path):
    """Temporary files of saves to ``path`` whose process was killed mid-save (POSIX only)."""
    if os.name != "posix":
        return
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        try:
            pid = int(stale.name[len(path.name) + 2:].split(".")[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)             # signal 0: only asks whether the process exists
        except ProcessLookupError:
            try:
                stale.unlink()
            except FileNotFoundError:
                pass
        except PermissionError:         # another user's live process
            pass


def glob_escape(name):
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _missing_file(path):
    if path.with_name(path.name + ".npz").exists():
        return (f"there is no file {path}, but {path.name}.npz is beside it (numpy adds .npz to a name "
                f"without it): load {path.with_name(path.name + '.npz')}")
    folder = path.parent
    if not folder.is_dir():
        return f"there is no file {path}: the folder {folder} does not exist; check the path"
    names = [p.name for p in itertools.islice(folder.iterdir(), 2000) if p.suffix == ".npz"]
    import difflib
    stems = {pathlib.Path(name).stem: name for name in names}
    close = [stems[stem] for stem in difflib.get_close_matches(path.stem, list(stems), n=3)]
    if close:
        return f"there is no file {path}; did you mean {' or '.join(close)}?"
    return f"there is no file {path}" + (f"; the run files in {folder} are {sorted(names)[:5]}" if names else "")


def _npy_header(member):
    """The shape and dtype an array in a .npz says it has, and where its data starts."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise ValueError("unknown .npy version")
    return shape, dtype, member.tell()


_DAMAGE = {zipfile.BadZipFile: "the archive is not whole", zlib.error: "a compressed part does not decompress",
           EOFError: "it ends early", NotImplementedError: "it uses a compression numpy does not write",
           RuntimeError: "a part of it claims to be encrypted"}


def _read_run_file(path):
    """The path and the arrays of a run file, or a RunFileError that says what is wrong with it.

    Nothing is allocated before every array's header has been checked against
    the data the file holds, and the whole against the memory free.
    """
    path = _run_path(path)
    if not path.exists():
        raise FileNotFoundError(_missing_file(path))
    if path.is_dir():
        raise RunFileError(f"{path} is a folder, not a run file; give the path of the .npz file inside it")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as e:
        raise RunFileError(f"{path} cannot be read ({e.strerror or e}); check its permissions") from None
    if magic == b"\x93NUMPY":
        raise RunFileError(f"{path} holds one numpy array (a .npy file), not a heatex run; load it with numpy.load")
    if not zipfile.is_zipfile(path):
        empty = " (it is empty)" if path.stat().st_size == 0 else ""
        raise RunFileError(f"{path} is not a heatex run: it is not a .npz archive{empty}; give the file "
                           "Run.save wrote")
    try:
        with zipfile.ZipFile(path) as archive:
            headers = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                key = info.filename[:-len(".npy")]
                with archive.open(info) as member:
                    shape, dtype, start = _npy_header(member)
                if dtype.hasobject:
                    raise RunFileError(f"{path}: {key} holds Python objects, which no heatex run does; this file "
                                       "was made by other code")
                size = math.prod(shape) * dtype.itemsize
                if info.file_size - start != size:
                    raise RunFileError(f"{path} is damaged: {key} claims {_bytes(size)} of data but holds "
                                       f"{_bytes(info.file_size - start)}; save the run again")
                headers[key] = (info, size)
            total, available = sum(size for _, size in headers.values()), _available_memory()
            if available is not None and total > 0.9 * available:
                raise RunTooLargeError(f"{path} holds {_bytes(total)} of arrays, more than the {_bytes(available)} "
                                       "of memory free; load it on a machine with more memory")
            contents = {}
            for key, (info, _) in headers.items():
                with archive.open(info) as member:
                    contents[key] = np.lib.format.read_array(member, allow_pickle=False)
    except (RunFileError, RunTooLargeError):
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as e:
        reason = next((text for kind, text in _DAMAGE.items() if isinstance(e, kind)),
                      "an array in it is damaged" if isinstance(e, ValueError) else "it cannot be read")
        raise RunFileError(f"{path} is not a readable heatex run ({reason}); it may be truncated or half-written: "
                           "save the run again") from None
    marker = contents.get("format")
    if marker is None or marker.dtype.kind != "U" or marker.ndim != 0 or str(marker) != RUN_FORMAT:
        raise RunFileError(f"{path} is not a heatex run (no '{RUN_FORMAT}' marker); load it with numpy.load instead")
    version = contents.get("version")
    if version is None or version.ndim != 0 or version.dtype.kind not in "iu":
        raise RunFileError(f"{path} has no whole-number version (got {_shown(version)}), so it was not written by "
                           "heatex; save the run again")
    if int(version) not in RUN_VERSIONS:
        raise RunFileError(f"{path} is heatex run version {int(version)}; this code reads versions "
                           f"{', '.join(map(str, RUN_VERSIONS))}: update heatex to read it")
    missing = {"config", "snapshots"} - contents.keys()
    if missing:
        raise RunFileError(f"{path} lacks {sorted(missing)}; save the run again")
    return path, contents


def _run_config(path, array):
    if array.dtype.kind != "U" or array.ndim != 0:
        raise RunFileError(f"{path} is damaged: its config is not text; save the run again")
    try:
        config = json.loads(str(array))
    except json.JSONDecodeError:
        raise RunFileError(f"{path} is damaged: its config is not JSON; save the run again") from None
    if not isinstance(config, dict):
        raise RunFileError(f"{path} is damaged: its config is not a JSON object; save the run again")
    return config


def _check_run_contents(path, config, snapshots, metrics, snapshot_epochs):
    def damaged(what):
        return RunFileError(f"{path} is damaged or not a heatex run: {what}; save the run again")

    for key in ("rule", "alignment", "depth", "width", "bias", "seeds"):
        if key not in config:
            raise damaged(f"its config lacks {key!r}")
    if not isinstance(config["rule"], str) or config["rule"] not in RULES:
        raise damaged(f"its config names the rule {_shown(config['rule'])}, which this code does not know "
                      f"({sorted(RULES)})")
    if not isinstance(config["alignment"], str) or config["alignment"] not in ALIGNMENTS:
        raise damaged(f"its config names the alignment {_shown(config['alignment'])} ({sorted(ALIGNMENTS)} are known)")
    for key in ("depth", "width"):
        if isinstance(config[key], bool) or not isinstance(config[key], int) or config[key] < 1:
            raise damaged(f"its config's {key} is {_shown(config[key])}, not a whole number of at least 1")
    if not isinstance(config["bias"], bool):
        raise damaged(f"its config's bias is {_shown(config['bias'])}, not true or false")
    try:
        k = len(_seed_list(config["seeds"]))
        for name in _setting_names():
            if name in config and name != "seeds":
                _per_network_array(config[name], name, k)
    except (ValueError, TypeError) as e:
        raise damaged(f"its config's {e}") from None
    if "epochs" in config and (isinstance(config["epochs"], bool) or not isinstance(config["epochs"], int)
                               or config["epochs"] < 0):
        raise damaged(f"its config's epochs is {_shown(config['epochs'])}, not a whole number of at least 0")
    expected = (k, 2, config["depth"], config["width"] + config["bias"], config["width"])
    if snapshots.dtype.kind != "f" or snapshots.ndim != 6 or snapshots.shape[1:] != expected or len(snapshots) < 1:
        raise damaged(f"its snapshots are {snapshots.dtype} of shape {snapshots.shape}, which does not match its "
                      f"config (snapshots, {', '.join(map(str, expected))})")
    if not np.all(np.isfinite(snapshots)):
        raise damaged("its snapshots hold NaN or inf")
    n = len(snapshots)
    if snapshot_epochs is not None and (snapshot_epochs.dtype.kind not in "iu" or snapshot_epochs.shape != (n,)
                                        or snapshot_epochs[0] != 0 or np.any(np.diff(snapshot_epochs) <= 0)):
        raise damaged(f"its snapshot_epochs {_shown(snapshot_epochs)} are not {n} whole numbers rising from 0")
    last = n - 1 if snapshot_epochs is None else int(snapshot_epochs[-1])
    if "epochs" in config and config["epochs"] != last:
        raise damaged(f"its config says {config['epochs']} epochs but its last snapshot is of epoch {last}")
    for name, value in metrics.items():
        if value.dtype.kind not in "biuf" or value.shape[:2] != (n, k):
            raise damaged(f"metric {name} is {value.dtype} of shape {value.shape}, but the snapshots cover ({n}, {k})")
        if not np.all(np.isfinite(value)):
            raise damaged(f"metric {name} holds NaN or inf")
