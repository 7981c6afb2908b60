"""heatex_core: the Neural Heat Exchanger in numpy, read top to bottom as the notebooks tell it.

Two feed-forward pipes lie side by side with opposite flow. The *forward pipe*
carries an input x towards its target y; the *backward pipe* carries y towards
x. No error is propagated backwards: each section (layer) changes its weights
using only what it touches -- its own input, its own output and the activation
of its partner section in the other pipe. The input slowly "heats up" into the
target (Schmidhuber, ICONIP'96; talks since 1990).

The story, in the order of this file (rules before the machinery that runs them):

1. ``Section`` and ``Pipe``: one layer, and sections linked into a pipe, by
   chaining ``Section(2) > Section(2) > Section(2)`` as the 2020 blog's
   docstring promised, or all at once with ``pipes(depth, width)`` or, for
   layers of different widths, ``pipes(widths=(64, 16, 10))``.
2. ``flow``: every layer of both pipes, ``sigmoid(a @ W)`` section by section.
3. ``ALIGNMENTS``, ``partner_acts``, ``touches``: who faces whom, and what a
   section touches in a step: its weights W, its input a, its output o and its
   partner's output p.
4. The rules, each a function ``(weights, acts, partner, settings) -> change``:
   ``blog_rule`` (the blog's credit-assignment update, exactly),
   ``schmidhuber_rule`` (the paper's local delta rule), ``backprop_rule`` (the
   non-local baseline), ``end_exchange_rule`` (the local rule notebook 05 finds
   that learns: a perceptron), ``difference_exchange_rule`` (notebook 06: the
   exchange with difference target propagation's correction, whose hidden
   sections learn).
5. ``HeatExchanger``: both pipes of K networks in one array with a leading
   networks axis, so one network and 256 run through the same code, and the
   rule that trains them; ``net.network(k)`` is network k alone.
6. Data: ``circle_data`` (the blog's), ``xor_data`` (a contrast set),
   ``digits_data`` (handwritten digits, 10 classes, one-hot targets).
7. ``train``: online learning, one sample at a time, with a snapshot of every
   weight after every epoch and the metrics that say whether anything is learnt.
8. ``Run``: what training leaves behind; ``run.network(k)`` is one network's
   history.

Notation (the notebooks' symbols):
    K      networks trained side by side: the first axis of every array (absent in a Network)
    W      one section's weights, (inputs, width); inputs = width + 1 with a bias
    a      a section's input: the previous layer of its own pipe (a bias's 1 last); q is a without it
    o      its own output, sigmoid(a @ W);  p  its partner's output in the other pipe
    step, pull_previous, pull_partner, hidden_pull    per-network settings of the rules
    widths   the layer widths, input first, as "64-16-10" is written: the forward pipe's layers;
             the backward pipe's are the same in reverse (10-16-64). One width: every layer alike.
Shapes:
    weights  (K, 2, depth, inputs, width)     pipe 0 forward, pipe 1 backward, sections in flow order
    acts     (K, 2, depth + 1, m, inputs)     layer 0 is the pipe's input; m samples (1 online)

Sections of different widths are *padded* to the widest: width is the widest
layer, and a layer of fewer units holds them at its end with zeros in front
(next to the bias's 1, which is always last). Each section's weights are the
bottom-right block of its (inputs, width) matrix, zeros around them; its
output is ``sigmoid(a @ W)`` times ``mask``, which is 1 on the units a layer
has and 0 on its padding. So the padded network holds the narrow one's numbers
and zeros, and every rule written for the whole array serves it unchanged:
the delta rule's change ``outer(a, e * o * (1 - o))`` is 0 wherever a or o is
padding, and so is backprop's; only where a rule computes a sigmoid of its own
(the difference exchange's passes and inverse) is the mask applied again.
The other design, a list of weights per section with the rules written per
section, was weighed and not chosen: it would need a second implementation of
every rule, or a slower one for the equal widths the blog and notebooks 01-07
use, which are exactly what they were (nothing is padded, ``mask`` is None and
costs nothing). Its price is arithmetic on the zeros: 64-32-10 computes 3.4
times the weights it has. The pull towards a section's own input (the blog's
rule, a nonzero ``pull_previous``, the blog's alignment) compares layers of
two widths, and is refused for different widths with a message that says so.
Targets are the label repeated across the width (two classes; the answer is
"the mean of the outputs above 0.5"), or one-hot (many classes; the answer is
the largest output).

What lives beside this file, so that it tells only the story: ``heatex_checks``
(every argument check and its message, the memory a run needs, what the growth
warning and the divergence error say), ``heatex_runfile`` (the run file, written
whole and read back safely), ``heatex_data`` (the data sets by name),
``heatex_engine`` (how it runs fast, which changes no number) and ``heatex_lab`` (the lab bench of notebooks 05-07: ``Grid``,
``is_local``, ``register_rule``). Pictures and widgets are in ``heatex_viz``.
This module needs numpy only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import heatex_checks as checks
import heatex_engine as engine
import heatex_runfile as runfile
from heatex_checks import (GROWTH_LIMIT, DivergenceError, HeatexError, HeatexTypeError, HeatexValueError,
                           RunTooLargeError, SettingRangeWarning, WeightGrowthWarning)
from heatex_data import (DATA_SETS, Dataset, circle_data, data_set, digits_data, majority_accuracy, moons_data,
                         spirals_data, xor_data)
from heatex_runfile import RunFileError

__all__ = [
    "sigmoid", "Section", "Pipe", "pipes",
    "flow", "layer_of", "layer_spread",
    "ALIGNMENTS", "partner_acts", "beside_input", "Touch", "touches",
    "per_network", "delta_rule", "blog_rule", "schmidhuber_rule", "backprop_rule", "end_exchange_rule",
    "difference_exchange_rule", "difference_pass", "jiggle_pass",
    "RULES", "TARGETS", "SETTINGS", "SETTING_DEFAULTS", "RULE_DEFAULTS", "rule_defaults",
    "PIPES", "HeatExchanger", "Network",
    "Dataset", "circle_data", "xor_data", "moons_data", "spirals_data", "digits_data", "DATA_SETS", "data_set",
    "majority_accuracy",
    "train", "METRICS", "measure", "predict_labels",
    "Run", "NetworkRun",
    "DivergenceError", "WeightGrowthWarning", "GROWTH_LIMIT", "RunTooLargeError", "RunFileError",
    "HeatexError", "HeatexValueError", "HeatexTypeError", "SettingRangeWarning",
]


# ---------------------------------------------------------------------------
# 1. A section and a pipe (notebook 01).
# ---------------------------------------------------------------------------

def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), written as the blog wrote it, of real numbers."""
    z = checks.real_array(z, "z")
    return _sigmoid(z) if z.ndim else _sigmoid(z)[()]


def _sigmoid(z):
    """``sigmoid`` without its check, for the flow and the rules, which give it arrays they made."""
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

    Each chain returns the whole ``Pipe``. ``width`` is the section's output;
    its input is as wide as the section that feeds it, and the first
    section's as wide as itself unless ``input_width`` says otherwise. So
    ``Section(16, input_width=64) > Section(10)`` is the pipe 64-16-10 (and
    ``Section(64) > Section(16) > Section(10)`` is 64-64-16-10); its backward
    pipe is ``Section(64) < Section(16, input_width=10)``.
    """

    def __init__(self, width, input_width=None):
        self.width = checks.positive_int(width, "width")
        self.input_width = None if input_width is None else checks.positive_int(input_width, "input_width")
        self.source = None   # the section that feeds this one
        self.sink = None     # the section this one feeds
        self.weight = None
        self.act = None

    def takes_input(self, source):
        """Let ``source`` feed this section (the blog's name for the link)."""
        if not isinstance(source, Section):
            raise checks.HeatexTypeError(f"a section takes input (source) from another Section, not "
                                         f"{type(source).__name__}")
        if source is self:
            raise checks.HeatexValueError("a section cannot feed itself")
        if self.source is not None or source.sink is not None:
            raise checks.HeatexValueError("this section is already linked into a pipe; build a new Section for a new pipe")
        self.input_width = checks.linked_width(self.input_width, source.width, self)
        self.source = source
        source.sink = self

    def __gt__(self, other):
        checks.check_section(other, ">", Section)
        other.takes_input(self)
        return Pipe.through(other, arrow=">")

    def __lt__(self, other):
        checks.check_section(other, "<", Section)
        self.takes_input(other)
        return Pipe.through(self, arrow="<")

    def __call__(self, inputs):
        """Flow ``inputs`` of shape (..., inputs) through this section alone."""
        if self.weight is None:
            raise checks.HeatexValueError("this section has no weights yet: build a HeatExchanger from its pipe first")
        inputs = checks.real_array(inputs, "inputs")
        checks.check_finite(inputs, "inputs")
        if inputs.ndim < 1 or inputs.shape[-1] != self.weight.shape[-2]:
            raise checks.HeatexValueError(
                f"this section takes {self.weight.shape[-2]} inputs but got an array of shape {inputs.shape}")
        self.act = _sigmoid(inputs @ self.weight)
        return self.act

    def __repr__(self):
        first = self.source is None and self.input_width not in (None, self.width)
        return f"Section({self.width}, input_width={self.input_width})" if first else f"Section({self.width})"


class Pipe:
    """Sections in the order information flows through them.

    ``arrow`` is ``">"`` for a pipe that flows left to right (the forward pipe)
    and ``"<"`` for one that flows right to left (the backward pipe). ``sections``
    is always in flow order: ``sections[0]`` receives the pipe's input.
    ``in_position_order()`` lists them left to right, as the blog's lists ``F``
    and ``B`` did.
    """

    def __init__(self, sections, arrow=">"):
        sections = checks.check_sections(sections, Section)
        if not sections:
            raise checks.HeatexValueError("a pipe needs at least one section")
        checks.check_arrow(arrow)
        for upstream, downstream in zip(sections, sections[1:]):
            if downstream.source is not upstream:
                raise checks.HeatexValueError("the sections are not linked in this order; link them with > or <, or use pipes()")
        self.sections = sections
        self.arrow = arrow

    @classmethod
    def through(cls, section, arrow=">"):
        """The whole pipe that ``section`` belongs to."""
        checks.check_section(section, checks.check_arrow(arrow), Section)
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

    @property
    def layer_widths(self):
        """Every layer's width in flow order, the pipe's input first."""
        return [self.sections[0].input_width or self.sections[0].width] + self.widths

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
        return self.sections[checks.whole(i, "i", -len(self), len(self) - 1, " (a section of the pipe, flow order)")]

    def __repr__(self):
        return f" {self.arrow} ".join(map(repr, self.in_position_order()))


def pipes(depth=None, width=None, widths=None):
    """A forward and a backward pipe of ``depth`` sections of ``width``, linked;
    or with the layer widths, input first: ``pipes(widths=(64, 16, 10))``."""
    widths = checks.layer_widths(None if depth is None else checks.check_depth(depth), width, widths)
    forward = [Section(w, input_width=v) for v, w in zip(widths, widths[1:])]
    backward = [Section(w, input_width=v) for v, w in zip(widths[::-1], widths[-2::-1])]
    for upstream, downstream in zip(forward, forward[1:]):
        downstream.takes_input(upstream)
    for upstream, downstream in zip(backward, backward[1:]):
        downstream.takes_input(upstream)
    return Pipe(forward, ">"), Pipe(backward, "<")


# ---------------------------------------------------------------------------
# 2. The flow: what every layer carries (notebook 01; notebook 04).
# ---------------------------------------------------------------------------

def flow(weights, inputs, mask=None):
    """Activations of every layer when ``inputs`` (..., m, width) enter the pipes.

    ``weights`` is (..., depth, inputs, width). Returns (..., depth + 1, m,
    inputs): layer 0 is the input itself, and each next layer is
    ``sigmoid(previous layer @ W)``. With a bias (inputs = width + 1 rows of
    W) every layer ends in a constant 1. Sections of different widths give
    their ``mask`` (..., depth + 1, width), which sets every layer's padding to 0.
    """
    weights, inputs = checks.flow_arguments(weights, inputs)
    return _flow(weights, inputs, checks.flow_mask(mask, weights))


def _flow(weights, inputs, mask=None):
    """``flow`` of weights and samples already checked."""
    bias = weights.shape[-2] == weights.shape[-1] + 1
    layer = _with_bias(np.asarray(inputs, dtype=float), bias)
    layers = [layer]
    for i in range(weights.shape[-3]):
        layer = _sigmoid(layer @ weights[..., i, :, :])
        layer = _with_bias(layer if mask is None else layer * mask[..., i + 1, None, :], bias)
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
    points themselves. The bias's constant 1 is left out. (Pipes of one width:
    it knows no padding.)
    """
    pipe_weights, points = checks.flow_arguments(pipe_weights, points, ("pipe_weights", "points"))
    depth, width = pipe_weights.shape[-3], pipe_weights.shape[-1]
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer <= depth:
        raise checks.HeatexValueError(f"layer must be a whole number from 0 (the input) to {depth} (the output), got {layer!r}")
    with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
        answer = _flow(pipe_weights[..., :layer, :, :], points)[..., layer, :, :width]
    lead = np.broadcast_shapes(pipe_weights.shape[:-3], np.shape(points)[:-2])
    return np.broadcast_to(answer, lead + answer.shape[-2:])      # layer 0 is the same points for every pipe


def layer_spread(pipe_weights, points):
    """How much each layer of a pipe still varies over ``points``: (..., depth + 1).

    For every layer, the standard deviation over the points of each unit's
    activation, averaged over the units (the bias's constant 1 left out).
    Near zero at the output means the pipe gives every point the same answer.
    (Pipes of one width: it knows no padding.)
    """
    pipe_weights, points = checks.flow_arguments(pipe_weights, points, ("pipe_weights", "points"))
    width = pipe_weights.shape[-1]
    with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
        acts = _flow(pipe_weights, points)
    return acts[..., :width].std(axis=-2).mean(axis=-1)


# ---------------------------------------------------------------------------
# 3. Who faces whom, and what a section touches (notebooks 01 and 02).
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
    acts = checks.partner_arguments(acts, alignment, width, ALIGNMENTS)     # a view: checked, never copied
    depth = acts.shape[-3] - 1
    faced = np.arange(depth, 0, -1) - ALIGNMENTS[alignment]   # the layer faced by section 0, 1, ...
    if faced[-1] >= 0:
        faced = slice(faced[0], faced[-1] - 1 if faced[-1] > 0 else None, -1)
    return acts[..., ::-1, :, :, :width][..., faced, :, :]


@checks.explained(checks.beside_arguments)
def beside_input(acts, row=0):
    """For every section, the other pipe's layer beside its input: (..., 2, depth, inputs).

    In the paper's alignment section i of either pipe takes layer i of its own
    pipe, and the other pipe's layer depth - i lies beside it. (Its partner,
    ``partner_acts``, lies beside its output.) ``row`` picks the sample row.
    """
    return acts[..., ::-1, :0:-1, row, :]


class Touch(NamedTuple):
    """What a section touches in one step: everything a local rule may use."""
    W: np.ndarray   # its weights, (inputs, width)
    a: np.ndarray   # its input, the previous layer of its own pipe (a bias's 1 last), (inputs,)
    o: np.ndarray   # its own output, sigmoid(a @ W), (width,)
    p: np.ndarray   # its partner's output in the other pipe, (width,)


@checks.explained(checks.step_arguments)
def touches(weights, acts, partner):
    """``Touch(W, a, o, p)`` of every section at once, for the first sample of ``acts``.

    With weights (..., 2, depth, inputs, width): W is the weights, a is
    (..., 2, depth, inputs), o and p are (..., 2, depth, width).
    """
    width = weights.shape[-1]
    return Touch(weights, acts[..., :-1, 0, :], acts[..., 1:, 0, :width], partner[..., 0, :])


# ---------------------------------------------------------------------------
# 4. The rules (notebook 02; notebooks 04-06). A rule maps
#    (weights, acts, partner, settings) to the change of every weight; settings
#    holds step, pull_previous, pull_partner, hidden_pull and the difference
#    exchange's three, one per network (an exchanger) or plain numbers (a Network).
# ---------------------------------------------------------------------------

@checks.explained(checks.real_arguments("value", "like"))
def per_network(value, like):
    """A per-network setting shaped to broadcast against the array ``like`` (..., 2, depth, ...)."""
    if value.__class__ is not np.ndarray or value.dtype != float:     # an exchanger's settings already are
        if value is None:               # numpy would make it NaN
            raise checks.HeatexTypeError("value must be a setting's number or one per network, got None")
        value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * (like.ndim - value.ndim))


@checks.explained(checks.real_arguments("a", "o", "error", "step"))
def delta_rule(a, o, error, step):
    """The delta rule: the change of a sigmoid section's weights that moves its output o by ``error``.

    With input a (..., inputs), output o and error (..., width)::

        change = step * outer(a, error * o * (1 - o))

    the gradient step on |error|^2 / 2 with the error's target held fixed
    (notebook 02, section 3). ``step`` broadcasts against the change.
    """
    delta = error * o * (1 - o)
    return step * a[..., :, None] * delta[..., None, :]


@checks.explained(checks.step_arguments)
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


@checks.explained(checks.step_arguments)
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


@checks.explained(checks.step_arguments)
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


@checks.explained(checks.step_arguments)
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
    if np.any(np.asarray(settings.hidden_pull) != 1):    # (a pull of 1 leaves the change as it is)
        scale = np.ones_like(weights[..., :1, :1])    # one factor per section, laid out as the weights
        scale[..., :-1, :, :] = per_network(settings.hidden_pull, weights)
        change *= scale
    return change


@checks.explained(checks.step_arguments)
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
    14, 0.002 behind, within the noise of 20 seeds). Wider and deeper pipes
    want larger initial weights and smaller steps: ``rule_defaults`` derives
    both from the shape. The paper's alignment only: the last forward
    section faces y itself.
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
    r = _sigmoid(_matmul(v[..., None, :], W))[..., 0, :]        # its answer
    mask = getattr(settings, "mask", None)                      # sections of different widths: no answer in the padding
    r = r if mask is None else r * mask[1, 1:]
    return delta_rule(v, r, target - r, per_network(settings.inverse_step, W))


@checks.explained(checks.exchange_arguments("difference"))
def difference_pass(weights, acts, difference, mask=None):
    """The backward pipe again, carrying targets down: the difference exchange's second pass.

    Backward section j lies beside forward layer L = depth - j at its input
    and L - 1 at its output (the paper's alignment). What it passes on is its
    answer to what it carries, corrected by the difference between the forward
    layer beside its output and its answer to the forward layer beside its
    input::

        t_{L-1} = g(t_L) + difference * (h_{L-1} - g(h_L)),    g(v) = sigmoid(v @ W_j)

    t_depth is y as it enters. Rewrites the backward layers of ``acts``
    (..., 2, depth + 1, m, inputs) in place, every sample; ``difference`` is
    one number per network (0: the plain flow of y). ``mask`` (``flow``'s)
    keeps the padding of sections of different widths at 0.
    """
    width, depth = weights.shape[-1], weights.shape[-3]
    d = per_network(difference, acts[..., 0, 0, :, :width])
    for j in range(depth):
        W = weights[..., 1, j, :, :]
        carried, beside = acts[..., 1, j, :, :], acts[..., 0, depth - j, :, :]
        t = _sigmoid(_matmul(carried, W)) + d * (acts[..., 0, depth - j - 1, :, :width] - _sigmoid(_matmul(beside, W)))
        acts[..., 1, j + 1, :, :width] = t if mask is None else t * mask[1, j + 1]


@checks.explained(checks.exchange_arguments("noise", "jiggle"))
def jiggle_pass(weights, acts, noise, jiggle, mask=None):
    """Rows 1 and 2 of the forward pipe: each layer jiggled, and each section's answer to the jiggle.

    For every forward section i, row 1 of its input layer i becomes
    h_i + noise * e, and row 2 of its output layer i + 1 its answer to that,
    sigmoid((h_i + noise * e) @ W_i): what the forward section shows the
    backward section beside it, to learn from. ``jiggle`` is (..., depth,
    width) standard normal draws, one per backward section j (None: no
    jiggle); backward section j lies beside forward section depth - 1 - j.
    ``acts`` has 3 rows per network, row 0 the sample, which is left alone.
    ``mask`` (``flow``'s) keeps the padding of sections of different widths at 0.
    """
    width = weights.shape[-1]
    jiggled = acts[..., 0, :-1, 1, :]                         # (..., depth, inputs): every forward section's input
    jiggled[...] = acts[..., 0, :-1, 0, :]
    if jiggle is not None:
        jiggled[..., :width] += per_network(noise, jiggle) * jiggle[..., ::-1, :]     # in forward order
    answer = _sigmoid(_matmul(jiggled[..., None, :], weights[..., 0, :, :, :]))[..., 0, :]
    acts[..., 0, 1:, 2, :width] = answer if mask is None else answer * mask[0, 1:]


def _matmul(a, b):
    """a @ b on C-ordered copies: BLAS's rounding can depend on how arrays lie in memory, and the
    engine lays them out otherwise than the readable flow; this way it never depends on the caller."""
    return np.ascontiguousarray(a) @ np.ascontiguousarray(b)


RULES = {"blog": blog_rule, "schmidhuber": schmidhuber_rule, "backprop": backprop_rule,
         "end_exchange": end_exchange_rule, "difference_exchange": difference_exchange_rule}
BUILT_IN = frozenset(RULES)      # hl.register_rule adds rules of one's own to RULES

# What a rule's backward pipe carries down, if not its plain flow: a pass (weights, acts) that
# rewrites the backward layers before the rule runs (heatex_lab.register_rule(..., targets=...)).
# The difference exchange's own pass, difference_pass, is chosen by its ``difference`` setting.
TARGETS = {}


def carry_down(rule, weights, acts, difference, mask=None):
    """Rewrite what the backward pipe carries in ``acts`` in place: the rule's targets, or the
    difference exchange's, or leave the plain flow."""
    if rule in TARGETS:
        TARGETS[rule](weights, acts)
    elif np.any(difference):
        difference_pass(weights, acts, difference, mask)


# Every setting of a rule that the caller leaves out. The blog's rule takes the
# blog's choices; the difference exchange those chosen on validation data.
SETTINGS = ("init_scale", "step", "pull_previous", "pull_partner", "hidden_pull", "difference", "inverse_step",
            "inverse_noise")


SETTING_DEFAULTS = dict(alignment="paper", bias=False, init_scale=1.0, step=0.001, pull_previous=1.0, pull_partner=1.0,
                        hidden_pull=0.0, difference=0.0, inverse_step=0.0, inverse_noise=0.0)


checks.check_declared(SETTINGS)      # every setting has its bounds in checks.SETTING_LIMITS and SETTING_RANGES


# Each rule's defaults: the settings that make it do what the notebooks show, chosen on validation
# data (studies/baseline_defaults_*.txt, studies/shape_defaults_*.txt): the perceptron for
# end_exchange, a backprop that loses no network on the circle, the difference exchange at 2x4.
RULE_DEFAULTS = {
    "blog": dict(SETTING_DEFAULTS, alignment="blog"),
    "schmidhuber": dict(SETTING_DEFAULTS),
    "backprop": dict(SETTING_DEFAULTS, bias=True, init_scale=1.0, step=0.1),
    "end_exchange": dict(SETTING_DEFAULTS, bias=True, init_scale=3.0, step=3.0, pull_previous=0.0),
    "difference_exchange": dict(SETTING_DEFAULTS, bias=True, init_scale=1.0, step=2.0, pull_previous=0.0, hidden_pull=1.0,
                                difference=1.0, inverse_step=0.01, inverse_noise=0.1),
}

# Sections of different widths (64-32-10 and 64-16-10 on the digits): chosen on the digits' validation
# split (studies/digits.txt).
DIFFERENT_WIDTHS_DEFAULTS = {
    "backprop": dict(init_scale=1.0, step=2.0),
    "end_exchange": dict(init_scale=0.5, step=1.0),
    "difference_exchange": dict(init_scale=0.5, step=3.0),
}


def rule_defaults(rule, widths):
    """The defaults of ``rule`` for layers of ``widths`` (input first): ``RULE_DEFAULTS[rule]``, with
    the difference exchange's init_scale and step from the shape.

    Deeper and wider pipes of equal widths want larger initial weights and smaller steps: with
    ``init_scale = max(sqrt(width) / 2, sqrt(depth - 1))`` and ``step = 64 / (depth width^2)``
    (1 and 2 at 2x4, as before) no network of 40 fell below 0.90 on validation data at 2x4, 3x8,
    4x8, 2x16 and 2x8 (studies/shape_defaults_formulas_round2.txt, stuck_networks_shapes.txt).
    """
    checks.check_rule(rule, RULE_DEFAULTS)
    widths = checks.layer_widths(None, None, checks.given(widths, "widths", "the layer widths, input first, e.g. (2, 4, 4)"))
    defaults = dict(RULE_DEFAULTS[rule])
    depth, width = len(widths) - 1, max(widths)
    if min(widths) != width:
        defaults.update(DIFFERENT_WIDTHS_DEFAULTS.get(rule, {}))
    elif rule == "difference_exchange":
        defaults.update(init_scale=max(np.sqrt(width) / 2, np.sqrt(depth - 1)), step=64 / (depth * width ** 2))
    return defaults


# ---------------------------------------------------------------------------
# 5. The heat exchanger: K networks of both pipes and the rule that trains them
#    (notebook 01).
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

    Build one with ``HeatExchanger.build`` (depth, width, seeds; or widths,
    seeds), ``HeatExchanger.from_weights`` (given arrays) or
    ``HeatExchanger.from_pipes`` (chained sections). ``network(k)`` is network
    k alone. ``widths`` are the layer widths, input first; sections of
    different widths are padded to the widest (module docstring), with
    ``mask`` the padding's (None when every layer is as wide).
    """

    def __init__(self, weights, rule="blog", alignment=None, seeds=0, bias=None, init_scale=None, step=None,
                 pull_previous=None, pull_partner=None, hidden_pull=None, difference=None, inverse_step=None,
                 inverse_noise=None, widths=None):
        # A setting left out (None) takes its rule's default, RULE_DEFAULTS[rule].
        weights, alignment, bias = checks.check_exchanger(weights, rule, alignment, bias, RULE_DEFAULTS, ALIGNMENTS)
        shape = (weights.shape[-1],) * (weights.shape[2] + 1) if widths is None else checks.layer_widths(None, None, widths)
        defaults = rule_defaults(rule, shape)
        k = len(weights)
        self.weights = engine.layered_copy(weights)
        self.rule = rule
        self.alignment = alignment
        self.bias = bias
        self.seeds = checks.per_network_array(checks.seed_array(seeds), "seeds", k, dtype=np.int64)
        given = dict(init_scale=init_scale, step=step, pull_previous=pull_previous, pull_partner=pull_partner,
                     hidden_pull=hidden_pull, difference=difference, inverse_step=inverse_step,
                     inverse_noise=inverse_noise)
        for name, value in given.items():
            setattr(self, name, checks.per_network_array(defaults[name] if value is None else value, name, k))
        checks.check_difference(self, TARGETS)
        self.widths = checks.exchanger_widths(weights, widths, self)
        self.mask = engine.padding_mask(self.widths)
        checks.warn_ranges(self, SETTINGS, RULE_DEFAULTS)
        self._built_seeds = self.seeds.copy()      # what the weights and shuffles come from; checked at use
        self.rngs = [np.random.default_rng(int(s)) for s in self.seeds]
        self.jiggle = None           # the jiggle of this step, for inverse_noise (see jiggle_pass)
        self._engine = engine.Engine()

    @classmethod
    def build(cls, depth=10, width=2, seeds=0, rule="blog", bias=None, init_scale=None, widths=None, **settings):
        """K networks of ``depth`` sections of ``width``, one per seed; or of layers
        of ``widths``, input first: ``build(widths=(64, 16, 10), seeds=range(10))``.

        Initial weights are uniform in [-init_scale, init_scale] (one scale, or
        one per network), drawn from each network's own generator, forward pipe
        first, sections in flow order, each section its (inputs, width) matrix.
        ``bias``, ``init_scale`` and every
        setting left out take the rule's defaults (``RULE_DEFAULTS``): for the
        blog's rule, no bias and the blog's [-1, 1].
        """
        widths = checks.layer_widths(None if depth is None else checks.check_depth(depth), width, widths,
                                     defaults=(10, 2))
        seeds = checks.seed_list(seeds)
        checks.check_rule(rule, RULES)
        bias = RULE_DEFAULTS[rule]["bias"] if bias is None else bias
        checks.check_bias(bias)
        checks.check_weights_size(len(seeds), len(widths) - 1, max(widths), bias)     # padded to the widest
        init_scale = rule_defaults(rule, widths)["init_scale"] if init_scale is None else init_scale
        scales = checks.per_network_array(init_scale, "init_scale", len(seeds))
        rngs = [np.random.default_rng(s) for s in seeds]
        try:
            net = cls(engine.initial_weights(rngs, scales, widths, bias), rule=rule, seeds=seeds, bias=bias,
                      init_scale=init_scale, widths=widths, **settings)
        except MemoryError:             # a limit on this process that the memory free does not show
            checks.check_weights_size(len(seeds), len(widths) - 1, max(widths), bias, failed=True)
        net.rngs = rngs    # the shuffles continue each network's own stream
        return net

    @classmethod
    def from_weights(cls, forward, backward, **settings):
        """One network from given arrays: ``forward`` and ``backward`` are lists
        of (inputs, width) matrices, sections in flow order. Sections of
        different widths are padded: their layer widths are read off the shapes."""
        forward, backward = checks.weight_list(forward, "forward"), checks.weight_list(backward, "backward")
        if len(forward) != len(backward):
            raise checks.HeatexValueError(f"both pipes need the same depth: forward has {len(forward)}, backward {len(backward)}")
        if len({np.shape(w) for w in forward + backward}) == 1:
            return cls(np.stack([np.stack(forward), np.stack(backward)])[None], **settings)
        widths, bias = checks.widths_of_sections(forward, backward)
        return cls(engine.pad_sections(forward + backward, widths, bias)[None], widths=widths, **settings)

    @classmethod
    def from_pipes(cls, forward, backward, seed=0, **settings):
        """One network from linked sections; missing weights are drawn from ``seed``."""
        seed = checks.seed(seed, "seed")
        checks.check_pipe(forward, "forward", Pipe)
        checks.check_pipe(backward, "backward", Pipe)
        if len(forward) != len(backward):
            raise checks.HeatexValueError(f"both pipes need the same depth: forward has {len(forward)}, backward {len(backward)}")
        widths = checks.mirrored(forward.layer_widths, backward.layer_widths)
        net = cls.build(seeds=seed, widths=widths, **settings)
        for p, pipe in enumerate((forward, backward)):
            for i, section in enumerate(pipe):
                if section.weight is not None:
                    net.weights[(0, p, i) + engine.block(widths, p, i)] = section.weight
        checks.check_finite(net.weights, "the sections' weights")
        net.bind(forward, backward)
        return net

    def network(self, k=0):
        """Network ``k`` alone: a ``Network``, a view with no networks axis."""
        return Network(self, checks.network_index(k, self.n_networks))

    def networks(self):
        """Every network in turn, as ``Network`` views."""
        return [self.network(k) for k in range(self.n_networks)]

    def bind(self, forward, backward, network=0):
        """Make each section's ``weight`` a view of network ``network``'s weights (its block, unpadded)."""
        checks.check_bound_pipes(forward, backward, self, Pipe)
        network = checks.network_index(network, self.n_networks)
        for p, pipe in enumerate((forward, backward)):
            for i, section in enumerate(pipe):
                section.weight = self.weights[(network, p, i) + engine.block(self.widths, p, i)]
        return forward, backward

    def pipes(self, network=0):
        """Fresh ``Pipe`` objects whose sections view network ``network``."""
        forward, backward = pipes(widths=self.widths)
        return self.bind(forward, backward, checks.network_index(network, self.n_networks))

    @property
    def n_networks(self):
        return self.weights.shape[0]

    @property
    def depth(self):
        return self.weights.shape[2]

    @property
    def width(self):
        """The widest layer: every layer's width when they are alike (``widths`` has each)."""
        return self.weights.shape[-1]

    def config(self):
        """Everything needed to build this exchanger again, as plain values."""
        checks.check_exchanger_state(self, RULES, ALIGNMENTS, SETTINGS)
        scales = self.init_scale.tolist()
        config = {"rule": self.rule, "alignment": self.alignment, "depth": self.depth, "width": self.width,
                  "widths": list(self.widths), "bias": self.bias,
                  "init_scale": scales[0] if len(set(scales)) == 1 else scales, "seeds": self.seeds.tolist()}
        return config | {name: getattr(self, name).tolist() for name in SETTINGS if name != "init_scale"}

    def flow(self, x, y):
        """What both pipes carry for samples x and y of shape (m, width) or (K, m, width).

        Each pipe's plain flow; with a ``difference`` (the difference
        exchange) the backward pipe then carries targets down instead
        (``difference_pass``). Shape (K, 2, depth + 1, m, inputs), padded.
        """
        x, y = checks.point_pair(x, y, self.widths[0], self.n_networks, self.widths[-1])
        acts = _flow(self.weights, np.stack(np.broadcast_arrays(*self._padded(x, y)), axis=-3), self.mask)
        carry_down(self.rule, self.weights, acts, self.difference, self.mask)
        return acts

    def learn(self, x, y, jiggle=None):
        """One exchange step on one (x, y) pair per network.

        ``x`` and ``y`` have shape (width,) (the same pair for every network)
        or (K, width), each its end's width. Every change is computed first, then applied. Returns
        the activations the rule saw, (K, 2, depth + 1, rows, inputs): one row,
        or three with the difference exchange's jiggle. ``jiggle`` (K, depth,
        width) are the standard normal draws for ``inverse_noise``; left out,
        each network draws them from its own generator.

        If the step would leave a weight NaN or inf, the weights stay as they
        were and ``DivergenceError`` names the section and the cause; weights
        past ``GROWTH_LIMIT`` give a ``WeightGrowthWarning``.
        """
        checks.check_exchanger_state(self, RULES, ALIGNMENTS, SETTINGS)
        x, y = checks.check_sample(x, "x", self, self.widths[0]), checks.check_sample(y, "y", self, self.widths[-1])
        pairs = np.stack(np.broadcast_arrays(*self._padded(np.atleast_2d(x), np.atleast_2d(y))))    # (2, K or 1, width)
        before, states = self.weights.copy(), [rng.bit_generator.state for rng in self.rngs]
        try:
            if np.any(self.inverse_noise):
                self.jiggle = self._draw_jiggles(1)[0] if jiggle is None else checks.check_jiggle(jiggle, self)
            with np.errstate(all="ignore"):
                acts = self._step(pairs).copy()
        except BaseException as error:      # a stop or a rule's own exception: the step did not happen
            raise checks.put_back(error, self, before, states)
        checks.check_step(self, before, RULE_DEFAULTS, self._engine.last_change, BUILT_IN, (x, y))
        return acts

    def _step(self, pairs, plan=None):
        """``learn`` without its checks, for ``train``: pairs (2, K, width) holds x then y.

        ``plan`` is ``_plan()``, worked out once for many steps. Returns the step's
        activations, which the next step overwrites.
        """
        exchange, rows = plan or self._plan()
        return self._engine.step(self.weights, pairs, RULES[self.rule], self, self.alignment, self._partners,
                                 exchange, rows, self.mask, self._checked_change)

    def _checked_change(self, change):
        """What the rule returned when it is not a float array of the weights' shape: made one, or refused."""
        return checks.rule_change(change, self.weights.shape, self.rule)

    def _plan(self):
        """What a step does besides the plain flow: the difference exchange's passes, if any, and
        the rows of activations they need (three with the jiggle)."""
        jiggling = bool(np.any(self.inverse_noise))
        carrying = jiggling or np.any(self.difference) or self.rule in TARGETS
        return (self._exchange if carrying else None), (3 if jiggling else 1)

    def _partners(self, acts):
        return partner_acts(acts, self.alignment, self.width)

    def _exchange(self, weights, acts):
        """The difference exchange's passes after the plain flow of a step: the jiggle, then the targets."""
        if np.any(self.inverse_noise):
            jiggle_pass(weights, acts, self.inverse_noise, self.jiggle, self.mask)
        carry_down(self.rule, weights, acts[..., :1, :], self.difference, self.mask)       # the sample's row

    def _draw_jiggles(self, n):
        """This epoch's jiggles, (n, K, depth, width), each network's from its own generator: zeros
        for a network without ``inverse_noise`` (which draws nothing, so its stream is unchanged)."""
        jiggles = np.zeros((n, self.n_networks, self.depth, self.width))
        for k in np.flatnonzero(self.inverse_noise):
            jiggles[:, k] = self.rngs[k].standard_normal((n, self.depth, self.width))
        return jiggles

    def predict(self, x):
        """The forward pipe's output for x (m, width), or one set per network (K, m, width): shape (K, m, width)."""
        x = checks.check_points(x, "x", self.widths[0], self.n_networks)
        with np.errstate(over="ignore"):    # exp overflows to inf for huge weights; the sigmoid is then 0, as it should be
            return self._units(_flow(self.weights[:, 0], self._padded(x), self._mask(0))[..., -1, :, :], -1)

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width), or one set per network (K, m, width): shape (K, m, width)."""
        y = checks.check_points(y, "y", self.widths[-1], self.n_networks)
        with np.errstate(over="ignore"):
            return self._units(_flow(self.weights[:, 1], self._padded(y), self._mask(1))[..., -1, :, :], 0)

    def _units(self, layer, end):
        """The units a padded ``layer`` (..., inputs) holds of the pipes' input (``end`` 0) or output (-1)."""
        return layer[..., self.width - self.widths[end]:self.width]

    def _padded(self, *values):
        """Samples padded in front to the widest layer (the arrays themselves when nothing is padded)."""
        padded = [engine.pad(value, self.width) for value in values]
        return padded if len(padded) > 1 else padded[0]

    def _mask(self, pipe):
        return None if self.mask is None else self.mask[pipe]

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
        checks.check_net(exchanger, HeatExchanger, "exchanger")
        self.exchanger = exchanger
        self.k = checks.network_index(k, exchanger.n_networks)

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
    widths = property(lambda self: self.exchanger.widths)
    mask = property(lambda self: self.exchanger.mask)

    def flow(self, x, y):
        """Each pipe's layers for one sample (width,) or m samples (m, width).

        Returns (forward layers, backward layers), each (depth + 1, inputs) for
        one sample or (depth + 1, m, inputs) for m: layer 0 is x, and y
        (padded, for sections of different widths).
        """
        x, y = checks.check_pair(x, y, self.widths[0], self.widths[-1])
        acts = self._acts(x, y)
        return (acts[0], acts[1]) if np.ndim(x) == 2 else (acts[0, :, 0], acts[1, :, 0])

    def touches(self, pipe, i, x, y):
        """What section ``i`` (flow order) of ``pipe`` touches for the sample (x, y): a ``Touch``.

        ``pipe`` is "forward" or "backward". W, a, o and p are copies: later
        learning does not change them. Of padded sections, only what they have
        (W is ``section(pipe, i)``).
        """
        pipe, i = checks.pipe_index(pipe), checks.section_index(i, self.depth)
        acts = self._acts(*self._one_sample(x, y))
        every = touches(self.weights, acts, partner_acts(acts, self.alignment, self.width))
        W, a, o, p = (part[pipe, i] for part in every)
        rows, columns = engine.block(self.widths, pipe, i)
        return Touch(W[rows, columns].copy(), a[rows].copy(), o[columns].copy(), p[columns].copy())

    def change(self, x, y):
        """What ``learn(x, y)`` would add to this network's weights, without adding it:
        (2, depth, inputs, width). (With ``inverse_noise``, the change without a jiggle.)"""
        x, y = self._one_sample(x, y)
        with np.errstate(all="ignore"):         # what overflows is refused below, with its cause
            acts = self._acts(x, y)
            change = RULES[self.rule](self.weights, acts, partner_acts(acts, self.alignment, self.width), self)
        return checks.rule_change(change, self.weights.shape, self.rule, finite=True, samples=(x, y))

    def section(self, pipe, i):
        """Section ``i`` (flow order) of ``pipe`` ("forward" or "backward"): its (inputs, width) weights,
        a view without the padding (the weights ``pipes()`` gives it)."""
        pipe, i = checks.pipe_index(pipe), checks.section_index(i, self.depth)
        return self.weights[(pipe, i) + engine.block(self.widths, pipe, i)]

    def predict(self, x):
        """The forward pipe's output for x (m, width): (m, width)."""
        return self.exchanger.predict(checks.check_points(x, "x", self.widths[0]))[self.k]

    def reconstruct(self, y):
        """The backward pipe's output for y (m, width): (m, width)."""
        return self.exchanger.reconstruct(checks.check_points(y, "y", self.widths[-1]))[self.k]

    def pipes(self):
        """Fresh ``Pipe`` objects whose sections view this network's weights."""
        return self.exchanger.pipes(self.k)

    def _one_sample(self, x, y):
        return checks.check_one_sample(x, "x", self.widths[0]), checks.check_one_sample(y, "y", self.widths[-1])

    def _acts(self, x, y):
        """Both pipes' layers for one sample (x, y) or m of them, padded: (2, depth + 1, m, inputs)."""
        samples = np.stack(np.broadcast_arrays(*self.exchanger._padded(np.atleast_2d(x), np.atleast_2d(y))))
        acts = _flow(self.weights, samples, self.mask)
        carry_down(self.rule, self.weights, acts, self.difference, self.mask)
        return acts

    def __repr__(self):
        shape = (f"{self.depth} sections of width {self.width}" if self.mask is None
                 else f"layers {'-'.join(map(str, self.widths))}")
        return f"Network {self.k} of {self.exchanger.n_networks}: seed {self.seed}, rule {self.rule!r}, {shape}"


# ---------------------------------------------------------------------------
# 6. The data (notebook 02; notebook 04): the blog's circle, and more by name, in heatex_data.
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# 7. Training (notebook 02).
# ---------------------------------------------------------------------------

def train(net, data, epochs=200, progress=True, snapshot_every=1, retrain_below=None, attempts=4):
    """Train ``net`` online on ``data`` for ``epochs`` epochs and return a ``Run``.

    Each epoch, every network draws a fresh shuffle of the training set from
    its own generator and takes one exchange step per sample. Snapshots and
    metrics are kept at the start and after every epoch, or with
    ``snapshot_every=n`` after epochs n, 2n, ... and the last (the run's
    ``snapshot_epochs`` says which); what is kept is the same either way.
    ``progress`` shows a ``tqdm.auto`` bar.

    Before anything is allocated the run's size is estimated; a run that does
    not fit in the memory this machine has free raises ``RunTooLargeError``
    with the size and a ``snapshot_every`` that fits. Weights past
    ``GROWTH_LIMIT`` give a ``WeightGrowthWarning``, once.

    Every way out keeps what finished. If a weight stops being finite,
    ``DivergenceError`` names the epoch, network, pipe, section and cause. If
    anything else stops training part-way -- Jupyter's stop button (a
    ``KeyboardInterrupt``), the growth warning raised as an error under
    ``warnings.simplefilter("error")``, an exception from a rule of your own --
    that exception is raised as it was. Either way the exception carries the
    run of every finished epoch as ``error.run`` and a note saying so, and the
    exchanger (weights and generators) is left at the end of the last finished
    epoch, never part-way through one, so ``train`` called again goes on as if
    it had not stopped. The run rides on the exception rather than being
    returned because a stop must stop: a loop of ``train`` calls in a cell ends
    at the first Ctrl-C instead of going on to the next. In Jupyter the last
    exception is ``sys.last_value``, so ``run = sys.last_value.run`` in the
    next cell gets the run back.

    Stuck networks: a few networks of every rule end where they started, some
    hidden units' boundaries all through the same spot (about 3 in 100 of 2x4
    on the circle), and it shows on training data alone. ``retrain_below=0.9``
    trains again, from fresh initial weights, each network whose training
    accuracy ends below 0.9, at most ``attempts - 1`` times, and keeps each
    network's attempt with the best training accuracy, as k-means' ``n_init``
    keeps its best start. Attempt r of the network of seed s draws from
    ``numpy.random.default_rng([s, r])``; the run's config says which attempt
    each network kept (``attempts_kept``). Measured on held-out circle data at
    2x4: 15 of 400 networks below 0.90 without it, 1 with it, for 3.5% more
    epochs (studies/stuck_networks_test.txt).
    """
    retrain_below, attempts = checks.check_retrain(retrain_below, attempts)
    run = _train_once(net, data, epochs, progress, snapshot_every)
    if retrain_below is None:
        return run
    kept = np.zeros(net.n_networks, dtype=int)
    for attempt in range(1, attempts):
        best = run.metrics["train_accuracy"][-1]
        stuck = np.flatnonzero(best < retrain_below)
        if len(stuck) == 0:
            break
        again = _attempt(net, stuck, attempt)
        try:
            again_run = _train_once(again, data, epochs, progress, snapshot_every)
        except BaseException as error:        # the networks trained so far are kept, as train keeps epochs
            raise checks.attach_run(error, _with_attempts(run, kept, retrain_below),
                                    checks.retrain_note(error, attempt, stuck)) from None
        for j in np.flatnonzero(again_run.metrics["train_accuracy"][-1] > best[stuck]):
            k = stuck[j]
            run.snapshots[:, k] = again_run.snapshots[:, j]
            for name, value in run.metrics.items():
                value[:, k] = again_run.metrics[name][:, j]
            net.weights[k], net.rngs[k], kept[k] = again.weights[j], again.rngs[j], attempt
    return _with_attempts(run, kept, retrain_below)


def _attempt(net, networks, attempt):
    """Fresh networks for ``networks`` of ``net``: its settings, attempt ``attempt``'s initial weights."""
    rngs = [np.random.default_rng([int(net.seeds[k]), attempt]) for k in networks]
    again = HeatExchanger(engine.initial_weights(rngs, net.init_scale[networks], net.widths, net.bias), rule=net.rule, alignment=net.alignment, seeds=net.seeds[networks],
                          bias=net.bias, widths=net.widths, **{name: getattr(net, name)[networks] for name in SETTINGS})
    again.rngs = rngs
    return again


def _with_attempts(run, kept, retrain_below):
    return Run(dict(run.config, retrain_below=retrain_below, attempts_kept=kept.tolist()), run.snapshots,
               run.metrics, run.snapshot_epochs)


def _train_once(net, data, epochs, progress, snapshot_every):
    checks.check_training(net, data, progress, HeatExchanger, Dataset, (RULES, ALIGNMENTS, SETTINGS))
    epochs, snapshot_every = checks.check_epochs(epochs, snapshot_every, len(data.x_train))
    first = _measure(net, data)
    snapshots, metrics, kept = checks.allocate_run(net, data, first, epochs, snapshot_every)
    snapshots[0] = net.weights
    for name, value in first.items():
        metrics[name][0] = value
    k = net.n_networks
    # slot: the next row to fill; previous: the weights after the last finished epoch, `last`
    slot, previous, last, starting = 1, snapshots[0], 0, None
    spares = [] if snapshot_every == 1 else [np.empty_like(net.weights), np.empty_like(net.weights)]
    growth = checks.GrowthWatch(RULE_DEFAULTS)
    bar = engine.progress_bar(epochs, f"training {k} network{'s' * (k > 1)}") if progress else None
    plan = net._plan()          # the settings were checked above; they hold for every step
    x_train, y_train = net._padded(data.x_train, data.y_train)
    epoch = 0
    try:
        for epoch in range(1, epochs + 1):
            starting = [rng.bit_generator.state for rng in net.rngs]    # put back if the epoch does not finish
            order = np.stack([rng.permutation(len(data.x_train)) for rng in net.rngs]).T    # (n, K)
            # samples[t]: x then y of step t for every network, (2, K, width)
            samples = np.stack([x_train[order], y_train[order]], axis=1)
            jiggles = net._draw_jiggles(len(samples)) if np.any(net.inverse_noise) else None
            with np.errstate(all="ignore"):
                for t, pair in enumerate(samples):
                    if jiggles is not None:
                        net.jiggle = jiggles[t]
                    net._step(pair, plan)
            if not growth.finite(net):
                raise _diverged(net, data, epoch, previous, last, samples, snapshots, metrics, kept, slot, jiggles)
            if epoch == kept[slot]:
                snapshots[slot] = net.weights
                for name, value in _measure(net, data).items():
                    metrics[name][slot] = value
                previous, last, starting, slot = snapshots[slot], epoch, None, slot + 1     # one statement: no stop between
            else:
                spare = spares[previous is spares[0]]          # not the one holding the last finished epoch
                np.copyto(spare, net.weights)
                previous, last, starting = spare, epoch, None
            growth.warn(net, epoch)
            if bar is not None:
                bar.update()
    except BaseException as error:      # a stop, a warning raised as an error, a rule's own exception
        checks.put_back(error, net, None, starting)     # an epoch that did not finish: its draws too
        if isinstance(error, DivergenceError) and error.run is not None:
            raise                       # _diverged kept the run and put the weights back
        net.weights[...] = previous
        run = _finished_run(net, data, snapshots, metrics, kept, slot, previous, last, epochs=last)
        raise checks.attach_run(error, run, checks.stopped_note(error, epoch, epochs, last))
    finally:
        if bar is not None:
            bar.close()
    return _finished_run(net, data, snapshots, metrics, kept, slot, previous, last, epochs=epochs)


def _finished_run(net, data, snapshots, metrics, kept, slot, previous, last, **config):
    """The Run of the epochs up to ``last``, the last finished one: the rows filled, and ``previous``,
    its weights, when snapshot_every did not keep it. The exchanger is at ``previous``."""
    n, epochs_kept = slot, kept[:slot]
    if last != kept[slot - 1]:          # snapshot_every skipped the last finished epoch: keep it too
        snapshots[slot] = previous
        for name, value in _measure(net, data).items():
            metrics[name][slot] = value
        n, epochs_kept = slot + 1, np.append(kept[:slot], last)
    config = dict(net.config(), data=data.name, data_seed=data.seed, n_train=len(data.x_train),
                  n_test=len(data.x_test)) | config
    return Run(config, snapshots[:n], {name: value[:n] for name, value in metrics.items()},
               snapshot_epochs=epochs_kept)


METRICS = ("train_accuracy", "test_accuracy", "reconstruction_error", "mismatch")


def measure(net, data):
    """The metrics of ``net`` on ``data`` now: a dict of arrays with leading axis K.

    - ``train_accuracy``, ``test_accuracy``: the forward pipe's accuracy
      (its answer ``predict_labels``, one-hot targets' by the largest output);
    - ``reconstruction_error``: mean squared error of the backward pipe's x̂;
    - ``mismatch`` (K, 2, depth): for each section, the mean squared
      difference from its partner on the training set -- the heat still to flow.
    """
    checks.check_net(net, HeatExchanger)
    checks.check_data(data, Dataset)
    checks.check_dataset(data)          # the arrays may have been changed since the Dataset was made
    checks.check_exchanger_state(net, RULES, ALIGNMENTS, SETTINGS)
    checks.check_widths(net, data)
    return _measure(net, data)


def _measure(net, data):
    """``measure`` without its checks, for ``train``, which checked both once."""
    size = engine.measure_chunk(net.weights, len(data.x_train))
    parts = [_measure_networks(weights, difference, net, data)
             for weights, difference in zip(engine.chunks(net.weights, size), engine.chunks(net.difference, size))]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _measure_networks(weights, difference, net, data):
    """``measure`` for the networks whose weights (and ``difference``) are given."""
    width, one_hot = net.width, data.one_hot
    with np.errstate(over="ignore"):
        train_acts = net._engine.flow(weights, np.stack(net._padded(data.x_train, data.y_train)), net.mask)
        test_out = net._units(net._engine.flow(weights[:, 0], net._padded(data.x_test), net._mask(0))[..., -1, :, :], -1)
    metrics = {
        "train_accuracy": np.mean(predict_labels(net._units(train_acts[:, 0, -1], -1), one_hot) == data.labels("train"),
                                  axis=-1),
        "test_accuracy": np.mean(predict_labels(test_out, one_hot) == data.labels("test"), axis=-1),
        "reconstruction_error": np.mean((net._units(train_acts[:, 1, -1], 0) - data.x_train) ** 2, axis=(-2, -1)),
    }
    with np.errstate(over="ignore"):   # targets, if the rule carries them down (x̂ is measured above)
        carry_down(net.rule, weights, train_acts, difference, net.mask)
    # the mean over each section's own units: padding differs by 0 from its partner's, and is not counted
    squares = (train_acts[..., 1:, :, :width] - partner_acts(train_acts, net.alignment, width)) ** 2
    metrics["mismatch"] = squares.sum(axis=(-2, -1)) / (len(data.x_train) * engine.layer_widths(net.widths)[:, 1:])
    return metrics


def predict_labels(outputs, one_hot=False):
    """The answer: class 1 where the mean of the output units exceeds one half; with one-hot targets,
    the class whose output is largest."""
    outputs = checks.outputs_array(outputs)
    return outputs.argmax(axis=-1) if one_hot else outputs.mean(axis=-1) > 0.5


def _diverged(net, data, epoch, previous, last, samples, snapshots, metrics, kept, slot, jiggles=None):
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
    cause, hint = checks.divergence_cause(net, before, k, p, i, RULE_DEFAULTS, replay._engine.last_change, BUILT_IN)
    net.weights[...] = previous
    run = _finished_run(net, data, snapshots, metrics, kept, slot, previous, last, epochs=last,
                        diverged_in_epoch=epoch)
    return DivergenceError(
        f"weights stopped being finite in epoch {epoch}: network {k} (seed {int(net.seeds[k])}, "
        f"step {net.step[k]:g}), {PIPES[p]} pipe, section {i}, "
        f"{where}; {hint}. error.run keeps epochs 0 to {epoch - 1} of every network, "
        f"and the exchanger is left at the weights after epoch {epoch - 1}.",
        run=run, epoch=epoch, network=k, pipe=p, section=i, sample=t, cause=cause)


# ---------------------------------------------------------------------------
# 8. Runs: what training leaves behind (notebooks 02-06).
# ---------------------------------------------------------------------------

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
    alone. ``run[:11]`` or ``run[::10]`` keeps some snapshots, each with its
    own epoch. ``Run(...)``, ``save`` and ``load`` share one check
    (``heatex_runfile.check_run``): what ``save`` writes, ``load`` reads.
    """
    config: dict
    snapshots: np.ndarray
    metrics: dict = field(default_factory=dict)
    snapshot_epochs: np.ndarray = None

    def __post_init__(self):
        self.config, self.snapshots, self.metrics, self.snapshot_epochs = runfile.check_run(
            self.config, self.snapshots, self.metrics, self.snapshot_epochs, (RULES, ALIGNMENTS, SETTINGS))

    def __getitem__(self, index):
        """The snapshots ``index`` picks (snapshot 0 first), with their own epochs: a Run."""
        rows = runfile.snapshot_rows(index, len(self.snapshots))
        return Run(dict(self.config, epochs=int(self.snapshot_epochs[rows[-1]])), self.snapshots[rows],
                   {name: value[rows] for name, value in self.metrics.items()}, self.snapshot_epochs[rows])

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
        return NetworkRun(self, checks.network_index(k, self.n_networks))

    def networks(self):
        """Every network's history in turn."""
        return [self.network(k) for k in range(self.n_networks)]

    def network_at(self, epoch, network=None):
        """A HeatExchanger with the weights after ``epoch`` (all networks, or one); -1 is the last."""
        c = self.config
        index = checks.epoch_index(self, epoch)
        chosen = slice(None) if network is None else [checks.network_index(network, self.n_networks)]
        defaults = rule_defaults(c["rule"], c.get("widths") or (c["width"],) * (c["depth"] + 1))
        per_network = {name: np.broadcast_to(np.asarray(c.get(name, defaults[name]), dtype=float),
                                             (self.n_networks,))[chosen]
                       for name in SETTINGS}
        return HeatExchanger(self.snapshots[index, chosen].copy(), rule=c["rule"], alignment=c["alignment"],
                             seeds=np.asarray(c["seeds"])[chosen], bias=c["bias"], widths=c.get("widths"),
                             **per_network)

    def save(self, path):
        """Write the run to ``path``, exactly that name, and return it as a ``pathlib.Path``.

        The file is written beside ``path`` under a temporary name and renamed
        into place when whole: a full disk, an interrupted kernel or a reader
        in another process never sees half a file, and a run already at
        ``path`` stays as it was until the new one is complete.
        """
        config, snapshots, metrics, epochs = runfile.check_run(         # changed since it was made?
            self.config, self.snapshots, self.metrics, self.snapshot_epochs, (RULES, ALIGNMENTS, SETTINGS))
        arrays = {f"metric_{k}": v for k, v in metrics.items()}
        return runfile.write_run_file(path, dict(format=np.array(runfile.RUN_FORMAT), version=np.array(runfile.RUN_VERSION),
                                          config=np.array(runfile.config_json(config)), snapshots=snapshots,
                                          snapshot_epochs=epochs, **arrays))

    @classmethod
    def load(cls, path):
        """Read a run that ``save`` wrote; ``RunFileError`` says what is wrong with a file that is not one."""
        return cls(*runfile.read_run(path, (RULES, ALIGNMENTS, SETTINGS)))


class NetworkRun:
    """One network's history in a run, with no networks axis (views of the run's arrays).

    ``snapshots`` (snapshots, 2, depth, inputs, width), ``forward`` and
    ``backward`` (snapshots, depth, inputs, width), ``metrics`` with leading
    axis snapshots (``mismatch`` is (snapshots, 2, depth)), ``snapshot_epochs``
    and ``config``: this network's seed and settings as plain numbers.
    """

    def __init__(self, run, k):
        checks.check_run_object(run, Run)
        self.run = run
        self.k = checks.network_index(k, run.n_networks)

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
        # per-network settings are lists of K; the layer widths are one list for every network
        return {name: (value[self.k] if isinstance(value, list) and name != "widths" else value)
                for name, value in self.run.config.items() if name != "seeds"} | {"seed": self.run.config["seeds"][self.k]}

    def at(self, epoch):
        """This network after ``epoch``, as a ``Network`` of its own exchanger."""
        return self.run.network_at(epoch, self.k).network(0)

    def __repr__(self):
        return f"network {self.k} of a run of {self.run.n_networks}: seed {self.config['seed']}, {self.epochs} epochs"
