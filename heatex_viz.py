"""heatex_viz: the pictures of the heatex notebooks (matplotlib). Read heatex_core first.

Everything here draws what ``heatex_core`` computes; nothing here trains. In
the order the notebooks use it:

1. The two pipes, drawn (notebook 01): ``exchange_pairs``, ``draw_pipes``
   (a ``PipeDiagram``): both pipes side by side, as in the blog's ASCII
   picture, with flow arrows and lines between sections that exchange heat.
2. Data and learning curves (notebook 02): ``plot_circle_data``,
   ``plot_learning_curves`` (one helper per panel).
3. Weights with their signs (notebook 02): ``weight_grid``, ``plot_weights``,
   ``compare_weights``: the blog's weight view of both pipes, with a diverging
   colour map centred on zero so the sign shows (sections of different widths:
   give ``widths``; what a section does not have is grey).
4. What a network answers over the square: ``decision_map``,
   ``hidden_unit_maps``, ``plot_hidden_units``.
5. Does it learn? (notebooks 04-06): ``plot_accuracy_bands`` (many networks:
   mean, worst and best), ``plot_layer_spread``, ``plot_decision_maps``,
   ``plot_width_sweep``, ``print_accuracy_table``.
6. Images (notebook 08, the handwritten digits): ``plot_weight_images`` (a
   section's weights from the pixels, one small image per unit) and
   ``plot_digits`` (digits with their true and predicted labels).

What moves -- ``SnapshotView``, ``Scrubber``, the films (``animation``,
``export_gif``, ``export_mp4``) and ``SignalDemo`` -- lives in
``heatex_widgets``; the notebooks reach it through this module too
(``hv.Scrubber``), so they import one module for everything they see.

Sections are drawn by *position*, left to right, as the blog's lists ``F`` and
``B`` held them: forward section i is ``F[i]``, and the backward section drawn at
position i is ``B[i]``. ``heatex_core`` stores the backward pipe in flow order
(its section 0 receives y, on the right), so position i of the backward pipe is
its flow index ``depth - 1 - i``.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colors as mcolors
from matplotlib import patches as mpatches

import heatex_checks as checks
import heatex_core as hc
import heatex_engine as engine

__all__ = [
    "PIPE_NAMES", "WEIGHT_CMAP", "HEAT_CMAP", "OUTPUT_CMAP",
    "position_order", "sections_by_position", "largest_section", "section_series",
    "exchange_pairs", "PipeDiagram", "draw_pipes", "draw_difference_exchange", "draw_difference_passes",
    "plot_circle_data", "plot_learning_curves",
    "weight_grid", "weight_labels", "weight_norm", "plot_weights", "compare_weights",
    "decision_grid", "decision_map", "hidden_unit_maps", "plot_hidden_units",
    "plot_accuracy_bands", "plot_accuracy_panels", "plot_layer_spread", "plot_decision_map", "plot_decision_maps",
    "plot_lines", "plot_width_sweep", "print_accuracy_table", "plot_weight_images", "plot_digits",
    # from heatex_widgets, on first use (see __getattr__ at the end)
    "SnapshotView", "Scrubber", "snapshot_frames", "animation", "write_movie", "export_gif", "export_mp4",
    "can_export_mp4", "repo_relative", "SignalDemo", "GifWriter", "EXPORTS",
]


# ---------------------------------------------------------------------------
# Colours, checks and the order sections are drawn in.
# ---------------------------------------------------------------------------

PIPE_NAMES = hc.PIPES


PIPE_LETTERS = ("F", "B")


WEIGHT_CMAP = "RdBu_r"     # diverging: red positive, blue negative, white zero


OUTPUT_CMAP = "PiYG"       # the forward pipe's output: green for class 1, pink for 0, white at 0.5


HEAT_CMAP = "Purples"      # mismatch is heat still to flow: pale = little, dark = much (red is a weight's sign)


CLASS_COLOURS = ("#c51b7d", "#4d9221")   # label 0 and label 1: the ends of OUTPUT_CMAP


HIDDEN_CMAP = "viridis"    # a hidden unit's activation, 0 to 1: no class, no sign


# One colour per rule in every figure, found by a word in the label.
RULE_COLOURS = (("literal", "tab:red"), ("difference", "tab:purple"), ("backprop", "tab:blue"),
                ("end_exchange", "tab:green"), ("perceptron", "tab:green"), ("schmidhuber", "tab:orange"),
                ("blog", "tab:brown"))


def rule_colour(label):
    """The colour a rule has in every figure of the course (None: the next of matplotlib's cycle)."""
    text = str(label).lower()
    return next((colour for word, colour in RULE_COLOURS if word in text), None)


def _pyplot():
    # pyplot only where a figure is meant to show inline in a notebook; the
    # scrubber and the exports use bare Figures that never reach the display.
    from matplotlib import pyplot as plt
    return plt


def _colormap(name):
    from matplotlib import colormaps
    return colormaps[name]


def _one_network(weights, what="weights"):
    weights = checks.real_numbers(weights, what)
    if weights.ndim == 5 and weights.shape[0] == 1:
        weights = weights[0]
    if weights.ndim != 4 or weights.shape[0] != 2 or min(weights.shape) < 1:
        raise checks.HeatexValueError(
            f"{what} must be one network's weights of shape (2 pipes, depth, inputs, width), "
            f"got {weights.shape}; pick a network with net.network(k).weights "
            "or run.network(k).snapshots[epoch]")
    if not np.all(np.isfinite(weights)):
        raise checks.HeatexValueError(f"{what} contain NaN or inf, which have no colour; draw finite weights")
    return weights


def _network_index(run, network):
    _check_run(run)
    k = run.snapshots.shape[1]
    if isinstance(network, bool) or not isinstance(network, (int, np.integer)) or not 0 <= network < k:
        raise checks.HeatexValueError(f"network must be a whole number from 0 to {k - 1} (this run has {k}), got {network!r}")
    return int(network)


# Past these the work takes minutes or the picture gigabytes: refused with what to change.
MAX_DRAWN_SECTIONS = 100


MAX_RESOLUTION = 1000


def _check_ax(ax, none=True):
    """A matplotlib Axes to draw on (or None, for a new figure, where ``none``)."""
    from matplotlib.axes import Axes
    if (ax is None and none) or isinstance(ax, Axes):
        return ax
    raise checks.HeatexTypeError(f"ax must be a matplotlib Axes (fig, ax = plt.subplots()){' or None' * none}, got "
                                 f"{checks.shown(ax)}")


def _forward_weights(value, name="forward_weights"):
    """One forward pipe, (depth, inputs, width) with width at least 2, finite."""
    weights = checks.real_numbers(value, name)
    if weights.ndim != 3 or weights.shape[-1] < 2 or min(weights.shape) < 1 \
            or weights.shape[-2] - weights.shape[-1] not in (0, 1):
        raise checks.HeatexValueError(f"{name} must be one forward pipe, (depth, inputs, width) with width at least 2 "
                                      f"and inputs = width or width + 1, got shape {weights.shape}; e.g. "
                                      "run.snapshots[epoch, network, 0]")
    if not np.all(np.isfinite(weights)):
        raise checks.HeatexValueError(f"{name} contain NaN or inf; draw finite weights")
    return weights


def _curves(curves, name="curves"):
    """A label -> (epochs + 1, networks) mapping of accuracies, finite."""
    curves = checks.mapping(curves, name, "a label")
    checked = {}
    for label, value in curves.items():
        accuracy = checks.real_numbers(value, f"{name}[{label!r}]")
        if accuracy.ndim != 2 or 0 in accuracy.shape:
            raise checks.HeatexValueError(f"{name}[{label!r}] must be (epochs + 1, networks), got shape {accuracy.shape}")
        checked[label] = checks.series(accuracy, f"{name}[{label!r}]", 2)
    return checked


def _sized(value):
    """len(value), or None for what has none (a number, a 0-d array, text)."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _check_run(run):
    if not isinstance(run, hc.Run):
        raise checks.HeatexTypeError(f"run must be a heatex_core.Run (what hc.train returns or hc.Run.load reads), "
                        f"not {type(run).__name__}")


def _check_data(data, run=None):
    """``data`` for a view: None, or a Dataset as wide as the run's pipes."""
    if data is None:
        return
    if not isinstance(data, hc.Dataset):
        raise checks.HeatexTypeError(f"data must be a heatex_core.Dataset (the one the run was trained on) or None, "
                        f"not {type(data).__name__}")
    inputs = None if run is None else run_widths(run)[0]
    if run is not None and data.width != inputs:
        raise checks.HeatexValueError(f"data is {data.width} wide but the run's pipes take {inputs} inputs; "
                         "give the data the run was trained on")


def run_widths(run):
    """A run's layer widths, input first (a run of one width, or from a file before widths were kept:
    its width, depth + 1 times)."""
    depth, width = run.snapshots.shape[3], run.snapshots.shape[-1]
    return tuple(run.config.get("widths") or (width,) * (depth + 1))


def _snapshot_epochs(run):
    return np.asarray(run.snapshot_epochs)


def position_order(weights):
    """Both pipes' sections in drawn order, left to right: (..., 2, depth, inputs, width).

    The forward pipe is already in that order; the backward pipe is reversed.
    """
    weights = checks.real_numbers(weights, "weights")
    if weights.ndim < 4 or weights.shape[-4] != 2:
        raise checks.HeatexValueError(f"weights must be both pipes' weights, (..., 2, depth, inputs, width), got shape "
                                      f"{weights.shape}")
    return np.stack([weights[..., 0, :, :, :], weights[..., 1, ::-1, :, :]], axis=-4)


def sections_by_position(values):
    """Per-section values (..., 2, depth) in flow order, reordered to drawn position."""
    values = checks.real_numbers(values, "values")
    if values.ndim < 2 or values.shape[-2] != 2 or values.shape[-1] < 1:
        raise checks.HeatexValueError(f"values must be one per section, (..., 2, depth) in flow order, got shape "
                                      f"{values.shape}")
    return np.stack([values[..., 0, :], values[..., 1, ::-1]], axis=-2)


def largest_section(per_section):
    """The section with the largest value, by its drawn name: ``("F[3]", value)``.

    ``per_section`` is (2, depth), one number per section in flow order (a
    metric such as ``mismatch``, or the largest weight of each section).
    """
    values = checks.real_numbers(per_section, "per_section")
    if values.ndim != 2 or values.shape[0] != 2 or values.shape[1] < 1:
        raise checks.HeatexValueError(f"per_section must be one number per section, shape (2, depth), got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise checks.HeatexValueError("per_section holds NaN or inf; give finite numbers")
    drawn = sections_by_position(values)
    pipe, position = np.unravel_index(np.argmax(drawn), drawn.shape)
    return f"{PIPE_LETTERS[pipe]}[{position}]", float(drawn[pipe, position])


def section_series(per_section, name):
    """The values of one section, named as drawn ("F[0]", "B[3]"), from (..., 2, depth) in flow order.

    ``section_series(run.network(0).metrics["mismatch"], "F[0]")`` is F[0]'s mismatch at every snapshot.
    """
    values = checks.real_numbers(per_section, "per_section")
    if values.ndim < 2 or values.shape[-2] != 2 or values.shape[-1] < 1:
        raise checks.HeatexValueError(f"per_section must be one number per section, (..., 2, depth), got shape "
                                      f"{values.shape}")
    drawn = sections_by_position(values)
    letter, _, rest = str(name).partition("[")
    position = rest.rstrip("]")
    depth = drawn.shape[-1]
    if letter not in PIPE_LETTERS or not position.isdigit() or not int(position) < depth:
        raise checks.HeatexValueError(f"name a section as drawn, F[i] or B[i] with i from 0 to {depth - 1} (per_section "
                                      f"has {depth} per pipe), got {name!r}")
    return drawn[..., PIPE_LETTERS.index(letter), int(position)]


# ---------------------------------------------------------------------------
# 1. The two pipes, drawn (notebook 01).
# ---------------------------------------------------------------------------

def exchange_pairs(depth, alignment):
    """Which sections exchange heat, by drawn position.

    Returns a list of ``(pipe, position, partner)`` for every section, where
    ``partner`` is the drawn position of the other pipe's section whose output
    this section is pulled towards, or ``None`` when that is the other pipe's
    input itself (y for the forward pipe, x for the backward pipe). Derived from
    ``heatex_core.ALIGNMENTS``, the same table the rules use.
    """
    depth = checks.check_depth(depth)
    _check_alignment(alignment)
    shift = hc.ALIGNMENTS[alignment]
    pairs = []
    for pipe in (0, 1):
        for flow_i in range(depth):
            layer = depth - flow_i - shift          # the other pipe's layer this section faces
            position = flow_i if pipe == 0 else depth - 1 - flow_i
            if layer == 0:
                partner = None
            else:
                other_flow = layer - 1                # that layer is the output of this section
                partner = other_flow if pipe == 1 else depth - 1 - other_flow
            pairs.append((pipe, position, partner))
    return sorted(pairs)


class PipeDiagram:
    """Both pipes drawn side by side on one axes, as in the blog's picture.

    The forward pipe runs along the top, left to right (x in, ŷ out); the
    backward pipe along the bottom, right to left (y in, x̂ out). Dashed lines
    join sections that exchange heat. ``boxes[p][i]`` is the patch of pipe p's
    section at position i; ``set_mismatch`` colours them. Arrows and lines lie
    below the boxes (they only touch their edges), so a redraw of the boxes
    needs nothing else redrawn but their labels; ``labels=False`` leaves the
    labels to the axis ticks.
    """

    BOX_WIDTH, BOX_HEIGHT = 0.7, 0.5
    ROWS = (1.0, 0.0)           # the forward pipe on top, the backward pipe below

    def __init__(self, ax, depth, alignment="blog", norm=None, title=None, labels=True):
        self.ax = _check_ax(ax, none=False)
        checks.text(title, "title")
        labels = checks.flag(labels, "labels")
        if norm is not None and not isinstance(norm, mcolors.Normalize):
            raise checks.HeatexTypeError(f"norm must be a matplotlib.colors.Normalize or None, got {checks.shown(norm)}")
        self.depth = checks.whole(depth, "depth", 1, MAX_DRAWN_SECTIONS, " (more would take minutes to draw and too "
                            "small to read; draw the weights with plot_weights instead)")
        _check_alignment(alignment)
        self.alignment = alignment
        self.cmap = _colormap(HEAT_CMAP)
        self.norm = norm
        self.boxes = self._draw_sections(labels)
        self._terminal = self._draw_ends()
        self._draw_exchange_lines()
        self._style(title)

    def _draw_sections(self, labels):
        """A box per section, and the flow arrows between them; returns boxes[pipe][position]."""
        ax, w, h = self.ax, self.BOX_WIDTH, self.BOX_HEIGHT
        boxes = [[], []]
        for p, y in enumerate(self.ROWS):
            for i in range(self.depth):
                box = mpatches.FancyBboxPatch((i - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                              facecolor="white", edgecolor="black", linewidth=1, zorder=2)
                ax.add_patch(box)
                boxes[p].append(box)
                if labels:
                    ax.text(i, y, f"{PIPE_LETTERS[p]}[{i}]", ha="center", va="center", fontsize="small", zorder=3)
            step = 1 if p == 0 else -1
            for i in range(self.depth - 1):
                a, b = (i, i + 1) if p == 0 else (i + 1, i)
                ax.annotate("", xy=(b - step * w / 2, y), xytext=(a + step * w / 2, y),
                            arrowprops=dict(arrowstyle="->", color="black", lw=1), zorder=1)
        return boxes

    def _draw_ends(self):
        """x and ŷ at the forward pipe's ends, y and x̂ at the backward pipe's; returns where they sit."""
        ax, w, last = self.ax, self.BOX_WIDTH, self.depth - 1
        left, right = -0.95, self.depth - 0.05
        terminal = {(0, "in"): (left, 1.0), (0, "out"): (right, 1.0),
                    (1, "in"): (right, 0.0), (1, "out"): (left, 0.0)}
        for (p, end), (x, y) in terminal.items():
            label = {(0, "in"): "x", (0, "out"): "ŷ", (1, "in"): "y", (1, "out"): "x̂"}[(p, end)]
            ax.text(x, y, label, ha="center", va="center", fontsize="large", fontweight="bold", zorder=1)
        for tip, tail in (((-w / 2, 1.0), (left + 0.2, 1.0)), ((right - 0.2, 1.0), (last + w / 2, 1.0)),
                          ((last + w / 2, 0.0), (right - 0.2, 0.0)), ((left + 0.2, 0.0), (-w / 2, 0.0))):
            ax.annotate("", xy=tip, xytext=tail, arrowprops=dict(arrowstyle="->"), zorder=1)
        return terminal

    def _draw_exchange_lines(self):
        """A dashed line from each section to its partner (ALIGNMENTS decides who that is).

        Partners that pull each other share one line: two dashed lines on one
        path would look solid.
        """
        h = self.BOX_HEIGHT
        pairs = exchange_pairs(self.depth, self.alignment)
        mutual = {(p, i, partner) for p, i, partner in pairs
                  if partner is not None and (1 - p, partner, i) in pairs}
        for p, i, partner in pairs:
            if p == 1 and (p, i, partner) in mutual:
                continue
            start = (i, 1.0 - h / 2) if p == 0 else (i, h / 2)
            if partner is None:      # pulled towards the other pipe's input itself
                end = self._terminal[(1 - p, "in")]
                end = (end[0], end[1] + (0.12 if p == 1 else -0.12))
            else:
                end = (partner, h / 2) if p == 0 else (partner, 1.0 - h / 2)
            self.ax.plot(*zip(start, end), linestyle="--", color="tab:orange", linewidth=1.2, zorder=0)

    def _style(self, title):
        ax = self.ax
        ax.set_xlim(-1.3, self.depth + 0.3)
        ax.set_ylim(-0.55, 1.55)
        ax.set_yticks(self.ROWS, ["forward →", "← backward"])
        ax.set_xticks(range(self.depth))
        ax.set_xlabel("section position (the blog's F[i], B[i])")
        ax.set_ylabel("pipe")
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(title or f"two pipes, opposite flow; dashes: heat exchange ({self.alignment} alignment)")

    def set_mismatch(self, mismatch):
        """Colour each section by its mismatch; ``mismatch`` is (2, depth) in flow order."""
        mismatch = _check_mismatch(mismatch, self.depth)
        if self.norm is None:
            self.norm = mcolors.Normalize(0, max(float(mismatch.max()), 1e-12))
        drawn = sections_by_position(mismatch)
        colours = self.cmap(self.norm(drawn))
        for p in (0, 1):
            for i, box in enumerate(self.boxes[p]):
                box.set_facecolor(colours[p, i])
        return colours

    def facecolors(self):
        """The boxes' colours now, (2, depth, 4) by drawn position."""
        return np.array([[box.get_facecolor() for box in row] for row in self.boxes])

    def colorbar(self, label="mismatch with partner"):
        from matplotlib.cm import ScalarMappable
        mappable = ScalarMappable(norm=self.norm, cmap=self.cmap)
        return self.ax.figure.colorbar(mappable, ax=self.ax, label=label, fraction=0.04, pad=0.01)


def _check_alignment(alignment):
    if not isinstance(alignment, str) or alignment not in hc.ALIGNMENTS:
        raise checks.HeatexValueError(f"unknown alignment {checks.shown(alignment)}; choose one of {sorted(hc.ALIGNMENTS)}")


def _check_mismatch(mismatch, depth):
    mismatch = checks.real_numbers(mismatch, "mismatch")
    if mismatch.shape != (2, depth):
        raise checks.HeatexValueError(f"mismatch must have shape (2, {depth}) (pipes, sections of depth {depth}), got "
                                      f"{mismatch.shape}: give the mismatch of pipes of that depth, or the depth of "
                                      "the mismatch")
    if not np.all(np.isfinite(mismatch)) or np.any(mismatch < 0):
        raise checks.HeatexValueError("mismatch must hold finite numbers of at least 0 (mean squared differences), "
                         "got NaN, inf or a negative number")
    return mismatch


def draw_pipes(depth, alignment="blog", ax=None, mismatch=None, title=None):
    """Draw the two pipes side by side; with ``mismatch`` (2, depth), colour the sections.

    Returns the ``PipeDiagram``.
    """
    depth = checks.whole(depth, "depth", 1, MAX_DRAWN_SECTIONS, " (more would take minutes to draw and too small to "
                   "read; draw the weights with plot_weights instead)")
    _check_alignment(alignment)
    if mismatch is not None:
        mismatch = _check_mismatch(mismatch, depth)
    checks.text(title, "title")
    if _check_ax(ax) is None:
        _, ax = _pyplot().subplots(figsize=(min(max(6, 0.9 * depth + 2), 40), 2.8), layout="constrained")
    diagram = PipeDiagram(ax, depth, alignment, title=title)
    if mismatch is not None:
        diagram.set_mismatch(mismatch)
        diagram.colorbar()
    return diagram


def draw_difference_exchange(depth=2, ax=None):
    """The two pipes of the difference exchange (notebook 06): what each backward section touches.

    The paper's alignment, as ``draw_pipes(depth, "paper")``, with the wall
    drawn in: each backward section reads the forward layer beside its input
    (h_L) and beside its output (h_{L-1}), and passes on
    t_{L-1} = g(t_L) + h_{L-1} - g(h_L) instead of g(t_L). Returns the
    ``PipeDiagram``.
    """
    depth = checks.whole(depth, "depth", 1, 8)
    if _check_ax(ax) is None:
        _, ax = _pyplot().subplots(figsize=(max(9, 2.6 * depth + 4), 4.6), layout="constrained")
    diagram = PipeDiagram(ax, depth, "paper", title="the difference exchange: the backward pipe carries targets")
    for layer in range(depth + 1):            # forward layer L lies between drawn positions L - 1 and L
        x = layer - 0.5
        ax.annotate("", xy=(x, 0.27), xytext=(x, 0.73),
                    arrowprops=dict(arrowstyle="->", color="tab:blue", lw=1.6, linestyle=":"), zorder=3)
        ax.text(x - 0.06, 0.5, f"h{_subscript(layer)}", color="tab:blue", fontsize="large", va="center", ha="right",
                zorder=4, bbox=dict(facecolor="white", edgecolor="none", pad=1))
    for position in range(depth):
        upper = position + 1                  # the backward section drawn here lies beside forward layers L - 1, L
        ax.text(position, -0.36, f"t{_subscript(upper - 1)} = g(t{_subscript(upper)}) + h{_subscript(upper - 1)}"
                f" − g(h{_subscript(upper)})", ha="center", va="top", fontsize="medium", color="tab:purple")
    ax.text(depth - 0.05, -0.2, f"t{_subscript(depth)} = y", ha="center", va="top", fontsize="medium",
            color="tab:purple")
    ax.plot([], [], linestyle="--", color="tab:orange", label="pulled towards its partner (for F[i]: the target t)")
    ax.plot([], [], linestyle=":", color="tab:blue", label="a forward layer a backward section reads across the wall")
    ax.plot([], [], linestyle="none", marker="$t$", color="tab:purple", label="what the backward section passes on")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, fontsize="medium", frameon=False)
    ax.set_ylim(-0.75, 1.55)
    return diagram


def draw_difference_passes(depth=2):
    """The difference exchange in two panels that project: the forward pass, then the target pass.

    Top: x flows up the forward pipe, layer by layer, h₀ = x to h_depth = ŷ. Bottom: y enters
    the backward pipe as t_depth and flows down; each backward section g reads the two forward
    layers beside it across the wall (dotted) and passes on t_{L-1} = g(t_L) + h_{L-1} - g(h_L);
    each forward layer is then pulled towards its target (dashed). Returns the figure.
    """
    depth = checks.whole(depth, "depth", 1, 4, " (a wider picture would be too small to read on a projector)")
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(2.9 * depth + 5.5, 7.6), layout="constrained",
                                      height_ratios=(1, 1.9))
    layer_x = [2 * L for L in range(depth + 1)]                  # layers at even x, sections between them
    box = dict(boxstyle="round,pad=0.45", facecolor="white", edgecolor="black", linewidth=1.4)
    arrow = dict(arrowstyle="-|>", color="black", lw=1.6, mutation_scale=18)

    def row(ax, y, names, letter, leftwards):
        for L, name in enumerate(names):
            ax.text(layer_x[L], y, name, ha="center", va="center", fontsize=17, color="black", zorder=3)
        for i in range(depth):
            ax.text(2 * i + 1, y, f"{letter}[{i}]", ha="center", va="center", fontsize=14, bbox=box, zorder=3)
            ends = (2 * i + 0.35, 2 * i + 0.62), (2 * i + 1.38, 2 * i + 1.65)
            for start, end in ends:
                a, b = (end, start) if leftwards else (start, end)
                ax.annotate("", xy=(b, y), xytext=(a, y), arrowprops=arrow, zorder=2)

    forward_names = ["x = h₀"] + [f"h{_subscript(L)}" for L in range(1, depth)] + [f"ŷ = h{_subscript(depth)}"]
    row(top, 0.0, forward_names, "F", leftwards=False)
    top.set_title("1 · the forward pass: x flows up the forward pipe, layer by layer", fontsize=16, loc="left")
    top.set_ylim(-0.6, 0.6)

    wall = 1.25                                                   # the forward layers, seen across the wall
    for L in range(depth + 1):
        bottom.text(layer_x[L], wall, f"h{_subscript(L)}", ha="center", va="center", fontsize=17, color="tab:blue",
                    zorder=3)
    bottom.axhline(0.8, color="grey", lw=1, linestyle="-", zorder=0)
    bottom.text(-0.9, 0.84, "the wall", fontsize=12, color="grey", va="bottom")
    target_names = [f"t{_subscript(L)}" for L in range(depth)] + [f"y = t{_subscript(depth)}"]
    row(bottom, 0.0, target_names, "B", leftwards=True)
    read = dict(arrowstyle="-|>", color="tab:blue", lw=1.5, linestyle=":", mutation_scale=15)
    pull = dict(arrowstyle="-|>", color="tab:orange", lw=2.0, linestyle="--", mutation_scale=18)
    for i in range(depth):                                        # backward section drawn at i reads h_i, h_{i+1}
        for L, side in ((i, -0.22), (i + 1, 0.22)):
            bottom.annotate("", xy=(2 * i + 1 + side, 0.3), xytext=(layer_x[L] - 0.35 * np.sign(side), wall - 0.15),
                            arrowprops=read, zorder=1)
        upper = i + 1
        bottom.text(2 * i + 1, -0.55, f"t{_subscript(upper - 1)} = g(t{_subscript(upper)}) + h{_subscript(upper - 1)}"
                    f" − g(h{_subscript(upper)})", ha="center", va="top", fontsize=14, color="tab:purple")
    for L in range(1, depth + 1):                                 # forward layer L is pulled towards t_L
        bottom.annotate("", xy=(layer_x[L] + 0.28, wall - 0.2), xytext=(layer_x[L] + 0.28, 0.25), arrowprops=pull,
                        zorder=1)
    bottom.plot([], [], linestyle=":", color="tab:blue", lw=1.5, label="g reads the forward layers beside it")
    bottom.plot([], [], linestyle="--", color="tab:orange", lw=2.0, label="each forward layer is pulled towards its target")
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=13, frameon=False)
    bottom.set_title("2 · the target pass: y flows down the backward pipe as targets, corrected at every section",
                     fontsize=16, loc="left")
    bottom.set_ylim(-1.05, 1.55)
    for ax in (top, bottom):
        ax.set_xlim(-1.0, 2 * depth + 1.0)
        ax.axis("off")
    return fig


def _subscript(n):
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# ---------------------------------------------------------------------------
# 2. Data and learning curves (notebook 02).
# ---------------------------------------------------------------------------

def plot_circle_data(data, ax=None, split="train", title=None):
    """The blog's scatter of the circle data: label 1 ("One") and 0 ("Zero")."""
    if not isinstance(split, str) or split not in ("train", "test"):
        raise checks.HeatexValueError(f'split must be "train" or "test", got {checks.shown(split)}')
    checks.text(title, "title")
    _check_ax(ax)
    if not isinstance(data, hc.Dataset):
        raise checks.HeatexTypeError(f"data must be a heatex_core.Dataset (e.g. hc.circle_data()), not {type(data).__name__}")
    x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(7.2, 7.0), layout="constrained")
    inside = y[:, 0] > 0.5
    ax.plot(x[inside, 0], x[inside, 1], ".", color=CLASS_COLOURS[1], label=f"One ({inside.sum()})")
    ax.plot(x[~inside, 0], x[~inside, 1], ".", color=CLASS_COLOURS[0], label=f"Zero ({(~inside).sum()})")
    radius = _circle_radius(data)
    if radius is not None:
        ax.add_patch(mpatches.Circle((0, 0), radius, fill=False, linestyle="--", color="dimgrey",
                                     label=f"the boundary, radius {radius:.2g}"))
    ax.set_aspect("equal")
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.set_title(title or f"{data.name} data: {len(x)} {split}ing samples")
    # below the axes, where it covers no point
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize="small", frameon=False)
    return ax


def _circle_radius(data):
    """The circle data's radius, read off its points (midway between the farthest One and the
    nearest Zero, rounded to 2 digits); None for other data."""
    if data.name != "circle":
        return None
    x = np.concatenate([data.x_train, data.x_test])[:, :2]
    inside = np.concatenate([data.y_train, data.y_test])[:, 0] > 0.5
    distance = np.hypot(x[:, 0], x[:, 1])
    if inside.all() or not inside.any():
        return None
    return float(np.round((distance[inside].max() + distance[~inside].min()) / 2, 2))


def plot_learning_curves(run, data=None, network=0):
    """Accuracy, the backward pipe's reconstruction error and per-section mismatch.

    Returns the figure. The accuracy has two panels, the training points above
    and the test points below; with ``data``, each shows what that set's two
    constant answers score, as labelled lines: a network that ignores x sits on
    one of them. (Drawn in one panel, the two sets' constants, 0.48/0.52 and
    0.476/0.524 on the circle, merge into one band on a projector.)
    """
    network = _network_index(run, network)
    _check_data(data, run)
    plt = _pyplot()
    with plt.rc_context({"font.size": 11}):           # a projector's back row
        fig = plt.figure(figsize=(13.5, 5), layout="constrained")
        grid = fig.add_gridspec(2, 3)
        train = fig.add_subplot(grid[0, 0])
        test = fig.add_subplot(grid[1, 0], sharex=train)
        _accuracy_panel(train, run, data, network, "train")
        _accuracy_panel(test, run, data, network, "test")
        limits = np.array([train.get_ylim(), test.get_ylim()])
        for ax in (train, test):            # one scale for both sets, so that they compare by eye
            ax.set_ylim(limits[:, 0].min(), limits[:, 1].max())
        _reconstruction_panel(fig.add_subplot(grid[:, 1]), run, network)
        _mismatch_panel(fig.add_subplot(grid[:, 2]), run, network)
    return fig


def _accuracy_panel(ax, run, data, network, split):
    """One set's accuracy over the epochs, and (with data) its two constant answers' scores as labelled lines."""
    epochs = _snapshot_epochs(run)        # every epoch, or the epochs a run kept with snapshot_every
    accuracy = run.metrics[f"{split}_accuracy"][:, network]
    colour, name = {"train": ("tab:blue", "training"), "test": ("tab:orange", "test")}[split]
    ax.plot(epochs, accuracy, color=colour, linewidth=2.5, label=split, zorder=2)
    levels = [float(accuracy.min()), float(accuracy.max())]
    if data is not None and data.one_hot:
        # many classes: a network that ignores x scores at best the most common class's share
        labels = data.labels(split)
        constants = [(float(np.bincount(labels).max() / len(labels)), "the most common class")]
    elif data is not None:
        ones = float(np.mean(getattr(data, f"y_{split}")[:, 0] > 0.5))
        constants = sorted([(ones, "always 1"), (1 - ones, "always 0")])
    if data is not None:
        # each label on the far side of its line, so that two close lines never cover each other's label
        for (level, answer), va, offset in zip(constants, ("top", "bottom"), (-2, 2)):
            ax.axhline(level, color="0.3", linestyle="--", linewidth=1.2, zorder=1)
            ax.annotate(f"{answer}: {level:.3f}", xy=(1, level), xycoords=ax.get_yaxis_transform(),
                        xytext=(-4, offset), textcoords="offset points", ha="right", va=va, color="0.2",
                        fontsize="medium")
            levels.append(level)
    ax.set_ylim(max(0.0, min(levels) - 0.15), min(1.05, max(levels) + 0.15))
    ax.set_title(f"accuracy on the {name} points")
    ax.set_xlabel("epoch")
    ax.set_ylabel("fraction right")


def _reconstruction_panel(ax, run, network):
    """The backward pipe's mean squared error on x, over the epochs."""
    ax.plot(_snapshot_epochs(run), run.metrics["reconstruction_error"][:, network], color="tab:purple")
    ax.set_ylim(0, None)
    ax.set_title("backward pipe: reconstruction of x")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean squared error of x̂")


def _mismatch_panel(ax, run, network):
    """Each section's mismatch with its partner over the epochs: one row per section, as drawn."""
    epochs = _snapshot_epochs(run)
    mismatch = sections_by_position(run.metrics["mismatch"][:, network])          # (E+1, 2, depth)
    depth = mismatch.shape[-1]
    table = mismatch.reshape(len(epochs), 2 * depth).T
    if len(epochs) == run.epochs + 1:     # a column per epoch
        image = ax.imshow(table, aspect="auto", cmap=HEAT_CMAP, interpolation="nearest",
                          extent=(-0.5, run.epochs + 0.5, 2 * depth - 0.5, -0.5))
    else:                                 # columns as wide as the epochs between the snapshots kept
        edges = np.concatenate([[epochs[0] - 0.5], (epochs[1:] + epochs[:-1]) / 2, [epochs[-1] + 0.5]])
        image = ax.pcolormesh(edges, np.arange(2 * depth + 1) - 0.5, table, cmap=HEAT_CMAP)
        ax.set_ylim(2 * depth - 0.5, -0.5)
    ax.set_yticks(range(2 * depth), [f"{l}[{i}]" for l in PIPE_LETTERS for i in range(depth)],
                  fontsize="small" if depth <= 10 else "x-small")
    ax.axhline(depth - 0.5, color="black", linewidth=1)
    ax.set_title("mismatch with partner (heat still to flow)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("section")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="mean squared difference")


# ---------------------------------------------------------------------------
# 3. Weights with their signs (notebook 02).
# ---------------------------------------------------------------------------

def weight_grid(weights, widths=None):
    """The blog's weight matrix of one network: rows are (pipe, output unit),
    columns are (section position, input unit).

    ``grid[p * width + u, i * inputs + j]`` is the weight from input unit j to
    output unit u of pipe p's section at position i. With ``widths`` (the layer
    widths of sections of different widths), each section's own weights, its
    units counted from 0 and its bias in the last column; NaN where it has none.
    """
    weights = _one_network(weights)
    if widths is not None and min(widths) != max(widths):
        weights = _unpadded(weights, _check_widths(widths, weights))
    drawn = position_order(weights)                       # (2, depth, inputs, width)
    two, depth, inputs, width = drawn.shape
    return drawn.transpose(0, 3, 1, 2).reshape(two * width, depth * inputs)


def _check_widths(widths, weights):
    widths = checks.layer_widths(None, None, widths)
    depth, width = weights.shape[1], weights.shape[-1]
    if len(widths) != depth + 1 or max(widths) != width:
        raise checks.HeatexValueError(f"widths {'-'.join(map(str, widths))} do not fit weights of {depth} sections padded to "
                         f"{width}; give the network's own, e.g. net.widths or run.config['widths']")
    return widths


def _unpadded(weights, widths):
    """Each section's own weights from the top-left, its bias row last, NaN for what it does not have."""
    bias = weights.shape[-2] == weights.shape[-1] + 1
    shown = np.full(weights.shape, np.nan)
    for pipe in range(2):
        for i in range(weights.shape[1]):
            block = weights[(pipe, i) + engine.block(widths, pipe, i)]
            n_in = block.shape[0] - bias
            shown[pipe, i, :n_in, :block.shape[1]] = block[:n_in]
            if bias:
                shown[pipe, i, -1, :block.shape[1]] = block[-1]
    return shown


def weight_labels(depth, inputs, width):
    """Row labels and column group labels for ``weight_grid``."""
    depth = checks.check_depth(depth)
    width = checks.whole(width, "width", 1, 10**4)
    inputs = checks.whole(inputs, "inputs", width, width + 1, " (width, or width + 1 with a bias)")
    rows = [f"{name} out {u}" for name in PIPE_NAMES for u in range(width)]
    sections = [str(i) for i in range(depth)]
    units = [("bias" if j == width else f"in {j}") for j in range(inputs)]
    return rows, sections, units


# Past this many units a layer's units are not named one by one on the weight view's axes.
NAMED_UNITS = 16


def _label_weight_axes(ax, depth, inputs, width):
    rows, sections, units = weight_labels(depth, inputs, width)
    if width > NAMED_UNITS:          # too many to name: the pipes, and the first unit of each
        rows = [row if u == 0 else "" for row in rows for u in [int(row.rsplit(" ", 1)[1])]]
        units = [units[0], "...", *units[width - 1:]]
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(np.arange(depth) * inputs + (inputs - 1) / 2, sections, fontsize="small")
    ax.set_xticks(np.arange(depth * inputs), minor=True)
    ax.tick_params(axis="x", which="minor", length=2)
    ax.tick_params(axis="both", which="major", length=0)
    for i in range(1, depth):       # white gaps between sections, as the pipes have joints
        ax.axvline(i * inputs - 0.5, color="white", linewidth=2)
    ax.axhline(width - 0.5, color="black", linewidth=1.5)   # forward above, backward below
    ax.set_xlabel(f"section position i, F[i] above the line, B[i] below; one column per input unit "
                  f"({', '.join(units)})")
    ax.set_ylabel("pipe and output unit")
    ax.grid(False)


def weight_norm(vmax, scale="linear"):
    """Colour limits symmetric about zero, so white is always a zero weight.

    ``scale="symlog"`` is linear within +-1 and logarithmic beyond: weights near
    one and a few that grew to twenty both stay readable, signs included.
    """
    vmax = checks.positive(vmax, "vmax", " (the colour limits are -vmax and vmax)")
    _check_scale(scale)
    if scale == "linear":
        return mcolors.Normalize(-vmax, vmax)
    if scale == "symlog":
        return mcolors.SymLogNorm(linthresh=min(1.0, vmax), vmin=-vmax, vmax=vmax, base=10)
    raise checks.HeatexValueError(f'scale must be "linear" or "symlog", got {scale!r}')


def _check_scale(scale):
    if not isinstance(scale, str) or scale not in ("linear", "symlog"):
        raise checks.HeatexValueError(f'scale must be "linear" or "symlog", got {checks.shown(scale)}')


def _symmetric_limit(*arrays):
    limit = max(float(np.nanmax(np.abs(a))) for a in arrays)     # NaN: what a narrower section does not have
    return limit if limit > 0 else 1.0


def plot_weights(weights, ax=None, title="weights of both pipes", vmax=None, colorbar=True, scale="linear",
                 widths=None):
    """Draw one network's weights as the blog did, with the sign visible.

    Returns the ``AxesImage``. ``vmax`` fixes the symmetric colour limits
    (default: the largest absolute weight), so two views can share a scale;
    ``scale`` is "linear" or "symlog" (see ``weight_norm``). Sections of
    different widths: give ``widths`` (``net.widths``, ``run.config["widths"]``),
    and what a section does not have is drawn grey.
    """
    weights = _one_network(weights)
    grid = weight_grid(weights, widths)
    vmax = _symmetric_limit(grid) if vmax is None else checks.positive(vmax, "vmax", " (the colour limits are -vmax "
                                                                           "and vmax)")
    checks.text(title, "title")
    colorbar = checks.flag(colorbar, "colorbar")
    _check_ax(ax)
    norm = weight_norm(vmax, scale)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(max(6, 0.5 * grid.shape[1]), 2.6), layout="constrained")
    image = ax.imshow(grid, cmap=_colormap(WEIGHT_CMAP).with_extremes(bad="0.85"), norm=norm, aspect="auto",
                      interpolation="nearest")
    _label_weight_axes(ax, weights.shape[1], weights.shape[2], weights.shape[3])
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="weight", fraction=0.05, pad=0.02)
    return image


def compare_weights(before, after, titles=("before training", "after training"), suptitle=None, scale="linear",
                    widths=None):
    """Two weight views on one colour scale, with one colour bar. Returns the figure. ``widths`` as for
    ``plot_weights``."""
    before, after = _one_network(before, "before"), _one_network(after, "after")
    _check_scale(scale)
    checks.text(suptitle, "suptitle")
    if _sized(titles) != 2 or not all(isinstance(title, str) for title in titles):
        raise checks.HeatexTypeError(f"titles must be two texts, (before, after), got {checks.shown(titles)}")
    if before.shape != after.shape:
        raise checks.HeatexValueError(f"before and after must have the same shape, got {before.shape} and {after.shape}")
    vmax = _symmetric_limit(before, after)
    columns = before.shape[1] * before.shape[2]
    fig, axes = _pyplot().subplots(2, 1, figsize=(max(7, 0.5 * columns), 5.2), layout="constrained")
    for ax, weights, title in zip(axes, (before, after), titles):
        image = plot_weights(weights, ax=ax, title=title, vmax=vmax, colorbar=False, scale=scale, widths=widths)
    label = "weight (same scale in both" + (", log beyond ±1)" if scale == "symlog" else ")")
    fig.colorbar(image, ax=axes, label=label, fraction=0.04, pad=0.02)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


# ---------------------------------------------------------------------------
# 4. What a network answers over the square (notebooks 02-06).
# ---------------------------------------------------------------------------

def decision_grid(resolution=41):
    """Points on a square grid over [-1, 1]^2: (resolution^2, 2), row by row."""
    resolution = checks.whole(resolution, "resolution", 2, MAX_RESOLUTION, f" ({MAX_RESOLUTION}² points already show "
                        "more than a screen can)")
    axis = np.linspace(-1, 1, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def decision_map(forward_weights, grid, width=None):
    """The forward pipe's output (mean over units) at every grid point: (len(grid),).

    ``forward_weights`` is (depth, inputs, width); points sit in the first two
    input units and the rest are zero, as ``circle_data`` makes them.
    """
    forward_weights = _forward_weights(forward_weights)
    grid = checks.real_numbers(grid, "grid")
    if grid.ndim != 2 or grid.shape[1] != 2:
        raise checks.HeatexValueError(f"grid must be points of the plane, shape (points, 2), got {grid.shape}; see decision_grid")
    if width is not None and (isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer))
                              or width != forward_weights.shape[-1]):
        raise checks.HeatexValueError(f"width must be the pipe's width (that of forward_weights), {forward_weights.shape[-1]}, "
                                      f"or None, got {checks.shown(width)}")
    width = forward_weights.shape[-1]
    points = np.zeros((len(grid), width))
    points[:, :2] = grid
    with np.errstate(over="ignore"):
        acts = hc.flow(forward_weights, points)
    return acts[-1, :, :width].mean(axis=-1)


def hidden_unit_maps(forward_weights, grid, layer=1):
    """Each unit of forward ``layer`` (1 = the first hidden layer) at every grid point: (width, len(grid))."""
    forward_weights = _forward_weights(forward_weights)
    grid = checks.real_numbers(grid, "grid")
    if grid.ndim != 2 or grid.shape[1] != 2 or not np.all(np.isfinite(grid)):
        raise checks.HeatexValueError(f"grid must be finite points of the plane, shape (points, 2), got {grid.shape}; "
                                      "see decision_grid")
    width = forward_weights.shape[-1]
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)) \
            or not 1 <= layer <= forward_weights.shape[-3]:
        raise checks.HeatexValueError(f"layer must be from 1 to {forward_weights.shape[-3]} (the forward pipe's layers after x), "
                         f"got {layer!r}")
    points = np.zeros((len(grid), width))
    points[:, :2] = grid
    with np.errstate(over="ignore"):
        acts = hc.flow(forward_weights[..., :layer, :, :], points)
    return np.swapaxes(acts[..., layer, :, :width], -1, -2)


def plot_hidden_units(rows, resolution=61, suptitle=None):
    """Hidden units' maps over the square, and the forward pipe's answer beside them.

    ``rows`` maps a label (an epoch, say) to forward weights (depth, inputs,
    width): one row per label, one column per unit of the first hidden layer,
    then the output's decision map (green for class 1, the truth dashed).
    """
    rows = {label: _forward_weights(weights, f"rows[{label!r}]")
            for label, weights in checks.mapping(rows, "rows", "a label").items()}
    width = np.shape(next(iter(rows.values())))[-1]
    checks.text(suptitle, "suptitle")
    if width > 64:
        raise checks.HeatexValueError(f"rows hold pipes of width {width}: one map per unit would be {width} columns; "
                                      "draw at most 64")
    fig, axes = _pyplot().subplots(len(rows), width + 1, figsize=(2.2 * (width + 1) + 2.0, 2.2 * len(rows) + 0.8),
                                   layout="constrained", squeeze=False)
    grid = decision_grid(resolution)
    for r, (row, (label, weights)) in enumerate(zip(axes, rows.items())):
        for u, (ax, unit_map) in enumerate(zip(row, hidden_unit_maps(weights, grid))):
            unit_image = ax.imshow(unit_map.reshape(resolution, resolution), cmap=HIDDEN_CMAP, vmin=0, vmax=1,
                                   origin="lower", extent=(-1, 1, -1, 1))
            ax.add_patch(mpatches.Circle((0, 0), 0.8, fill=False, linestyle="--", color="white", linewidth=0.8))
            ax.set_xticks([])
            ax.set_yticks([])
            if u == 0:
                ax.set_ylabel(str(label), fontsize="large")
            if r == 0:
                ax.set_title(f"hidden unit {u}", fontsize="medium")
        output_image = plot_decision_map(row[-1], weights, "circle", resolution=resolution)
        row[-1].set_xticks([])
        row[-1].set_yticks([])
        row[-1].set_xlabel("")
        row[-1].set_ylabel("")
        if r == 0:
            row[-1].set_title("the output ŷ", fontsize="medium")
    fig.colorbar(unit_image, ax=axes[:, :-1], label="activation of a hidden unit", shrink=0.8, location="left")
    fig.colorbar(output_image, ax=axes[:, -1], label="output ŷ (class 1 above 0.5)", shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


# ---------------------------------------------------------------------------
# 5. Does it learn? Many networks, held-out data, decision maps (notebooks 04-06).
# ---------------------------------------------------------------------------

def plot_accuracy_bands(ax, curves, baseline=None, title=None, target=0.9, ylabel="fraction of test points right",
                        bands=None, legend=True):
    """Accuracy over epochs of many networks per label: the mean, and a pale band from the worst to the best.

    ``curves`` maps a label to an array (epochs + 1, networks). ``bands`` names
    the labels that get a band (default: the first two; more overlap into one
    blur). ``baseline`` (the majority answer's accuracy) is drawn dashed,
    ``target`` dotted. ``legend=True`` puts the legend below the axes, where it
    never covers a curve; ``plot_accuracy_panels`` shares one for several axes.
    """
    _check_ax(ax, none=False)
    curves = _curves(curves)
    labels = list(curves)
    if bands is not None and (isinstance(bands, (str, bytes)) or not hasattr(bands, "__iter__")):
        raise checks.HeatexTypeError(f"bands must be a list of curves' labels or None, got {checks.shown(bands)}")
    bands = labels[:2] if bands is None else list(bands)
    baseline = checks.number(baseline, "baseline", none=True)
    target = checks.number(target, "target", none=True)
    for name, value in (("title", title), ("ylabel", ylabel)):
        checks.text(value, name)
    legend = checks.flag(legend, "legend")
    for label, accuracy in curves.items():
        epochs = np.arange(len(accuracy))
        line, = ax.plot(epochs, accuracy.mean(axis=1), linewidth=2, color=rule_colour(label), label=f"{label}: mean")
        if label in bands:
            ax.fill_between(epochs, accuracy.min(axis=1), accuracy.max(axis=1), color=line.get_color(), alpha=0.15,
                            linewidth=0, label=f"{label}: worst to best")
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle="--", label=f"majority baseline {baseline:.3f}")
    if target is not None:
        ax.axhline(target, color="black", linestyle=":", linewidth=1,
                   label=f"{target:.0%}: the bar for a rule that learns")
    ax.set_ylim(0.3, 1.0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return ax


def plot_accuracy_panels(panels, baselines, suptitle=None, bands=None, panel_size=(6.2, 3.9)):
    """Side-by-side ``plot_accuracy_bands``, one per data set, with one legend below them all.

    ``panels`` maps a data name to its curves (label -> (epochs + 1, networks));
    ``baselines`` maps a data name to its majority baseline. Returns the figure.
    """
    panels = {name: _curves(curves, f"panels[{name!r}]")
              for name, curves in checks.mapping(panels, "panels", "a data name").items()}
    baselines = {} if baselines is None else checks.mapping(baselines, "baselines", "a data name")
    for name, value in baselines.items():
        checks.number(value, f"baselines[{name!r}]")
    checks.text(suptitle, "suptitle")
    if _sized(panel_size) != 2:
        raise checks.HeatexValueError(f"panel_size must be (width, height) in inches, got {checks.shown(panel_size)}")
    panel_size = [checks.positive(v, "panel_size", " inches", most=100) for v in panel_size]
    if len(panels) > 20:
        raise checks.HeatexValueError(f"panels has {len(panels)} data sets; draw at most 20 side by side")
    fig, axes = _pyplot().subplots(1, len(panels), figsize=(panel_size[0] * len(panels), panel_size[1] + 1.2),
                                   layout="constrained", sharey=True, squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items()):
        baseline = baselines.get(name)
        # one legend serves every panel, so each panel's own baseline goes into its title
        title = f"{name}: test accuracy" + ("" if baseline is None else f" (majority baseline {baseline:.3f})")
        plot_accuracy_bands(ax, curves, baseline, title=title, bands=bands, legend=False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    labels = [label if not label.startswith("majority baseline") else "majority baseline (its value in each title)"
              for label in labels]
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize="small", frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_layer_spread(spread, ax=None, title="how much each layer still varies over the data", label="networks"):
    """The spread of each layer over the data points, (networks, depth + 1), on a log scale.

    The median over the networks as a line, the band from the smallest to the largest.
    """
    spread = checks.real_numbers(spread, "spread")
    if spread.ndim != 2 or 0 in spread.shape:
        raise checks.HeatexValueError(f"spread must be (networks, depth + 1) as hc.layer_spread gives, got shape {spread.shape}")
    if not np.all(np.isfinite(spread)) or np.any(spread < 0):
        raise checks.HeatexValueError("spread holds NaN, inf or a negative number; a spread is a standard deviation, 0 "
                                      "or more")
    checks.text(title, "title")
    checks.text(label, "label", none=False)
    if _check_ax(ax) is None:
        _, ax = _pyplot().subplots(figsize=(7, 4), layout="constrained")
    layers = np.arange(spread.shape[1])
    ax.semilogy(layers, np.median(spread, axis=0), "o-", label=f"median of {len(spread)} {label}")
    ax.fill_between(layers, spread.min(axis=0), spread.max(axis=0), alpha=0.2, label="smallest to largest")
    ax.set_xticks(layers)
    ax.set_title(title)
    ax.set_xlabel("layer of the forward pipe (0 = x)")
    ax.set_ylabel("std of activation over the data")
    ax.legend(fontsize="small")
    return ax


def plot_decision_map(ax, forward_weights, data_name="circle", title=None, resolution=61):
    """The forward pipe's output over the square, its 0.5 boundary in black, the truth dashed.

    ``data_name`` ("circle" or "xor") says which truth to draw. Returns the image,
    for a shared colour bar.
    """
    _check_ax(ax, none=False)
    if data_name is not None and (not isinstance(data_name, str) or data_name not in ("circle", "xor")):
        raise checks.HeatexValueError(f'data_name must be "circle", "xor" or None (no truth drawn), got '
                                      f"{checks.shown(data_name)}")
    checks.text(title, "title")
    grid = decision_grid(resolution)
    axis = np.linspace(-1, 1, resolution)
    out = decision_map(forward_weights, grid).reshape(resolution, resolution)
    image = ax.imshow(out, origin="lower", extent=(-1, 1, -1, 1), cmap=OUTPUT_CMAP, vmin=0, vmax=1,
                      interpolation="nearest")
    if out.min() < 0.5 < out.max():
        ax.contour(axis, axis, out, levels=[0.5], colors="black", linewidths=1.2)
    if data_name == "circle":
        ax.add_patch(mpatches.Circle((0, 0), 0.8, fill=False, linestyle="--", color="dimgrey"))
    elif data_name == "xor":
        ax.axhline(0, linestyle="--", color="dimgrey")
        ax.axvline(0, linestyle="--", color="dimgrey")
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize="medium")
    return image


def plot_decision_maps(panels, ncols=4, suptitle=None, panel_size=3.3):
    """A grid of decision maps with one colour bar: ``panels`` is a list of
    (forward weights, data name, title). Returns the figure."""
    try:
        panels = [tuple(panel) for panel in panels] if not isinstance(panels, (str, bytes, dict)) else None
    except TypeError:
        panels = None
    if not panels or any(len(panel) != 3 for panel in panels):
        raise checks.HeatexValueError(f"panels must be a non-empty list of (forward weights, data name, title), got "
                                      f"{checks.shown(panels)}")
    ncols = checks.whole(ncols, "ncols", 1, 20)
    panel_size = checks.positive(panel_size, "panel_size", " inches", most=100)
    checks.text(suptitle, "suptitle")
    if len(panels) > 400:
        raise checks.HeatexValueError(f"panels has {len(panels)} maps; draw at most 400 in one figure")
    for weights, data_name, title in panels:
        _forward_weights(weights, "panels' forward weights")
    nrows = -(-len(panels) // ncols)
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(panel_size * ncols + 1.2, panel_size * nrows + 0.6),
                                   layout="constrained", squeeze=False)
    for ax, (weights, data_name, title) in zip(axes.flat, panels):
        image = plot_decision_map(ax, weights, data_name, title)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes, label="forward output ŷ (class 1 above 0.5)", shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_lines(series, ax=None, title=None, xlabel="epoch", ylabel=None, log=False):
    """One line per label: ``series`` maps a label to a 1-d array. The legend sits outside, right."""
    series = {label: checks.series(values, f"series[{label!r}]", 1, finite=False)
              for label, values in checks.mapping(series, "series", "a label").items()}
    for name, value in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        checks.text(value, name)
    log = checks.flag(log, "log")
    if _check_ax(ax) is None:
        _, ax = _pyplot().subplots(figsize=(7, 4), layout="constrained")
    for label, values in series.items():
        ax.plot(np.asarray(values, dtype=float), label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def plot_width_sweep(widths, accuracies, ax=None, title=None, target=0.9, ylabel="accuracy"):
    """Mean and spread of accuracy against the width of the pipes, one line per label.

    ``accuracies`` maps a label to a list with one array of per-network
    accuracies per width. Error bars are one standard deviation; the x axis is
    logarithmic, base 2.
    """
    if not _sized(widths) or not all(isinstance(w, (int, np.integer)) and not isinstance(w, (bool, np.bool_)) and 0 < w <= 10**6
                       for w in widths):
        raise checks.HeatexValueError(f"widths must be a list of whole numbers of at least 1, got {checks.shown(widths)}")
    accuracies = {label: [checks.series(a, f"accuracies[{label!r}]", 1) for a in per_width]
                  if not isinstance(per_width, (str, bytes)) and hasattr(per_width, "__iter__") else
                  checks.series(per_width, f"accuracies[{label!r}]", 2)
                  for label, per_width in checks.mapping(accuracies, "accuracies", "a label").items()}
    target = checks.number(target, "target", none=True)
    for name, value in (("title", title), ("ylabel", ylabel)):
        checks.text(value, name)
    if _check_ax(ax) is None:
        _, ax = _pyplot().subplots(figsize=(7, 4), layout="constrained")
    for label, per_width in accuracies.items():
        per_width = [np.asarray(a, dtype=float) for a in per_width]
        if len(per_width) != len(widths):
            raise checks.HeatexValueError(f"accuracies[{label!r}] has {len(per_width)} entries for {len(widths)} widths")
        ax.errorbar(widths, [a.mean() for a in per_width], yerr=[a.std() for a in per_width], marker="o",
                    capsize=3, label=label, color=rule_colour(label))
    if target is not None:
        ax.axhline(target, color="black", linestyle=":", linewidth=1,
                   label=f"{target:.0%}: the bar for a rule that learns")
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_xlabel("units per section (width)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small", loc="lower right")
    return ax


def print_accuracy_table(results, baselines):
    """Print mean, spread, worst and best accuracy of many networks, with the baseline of each data set.

    ``results`` maps (label, data name) to per-network accuracies; ``baselines``
    maps a data name to the majority answer's accuracy, printed first.
    """
    results = checks.mapping(results, "results", "a (label, data name) pair")
    for key, accuracy in results.items():
        if not isinstance(key, tuple) or len(key) != 2 or not all(isinstance(part, str) for part in key):
            raise checks.HeatexValueError(f"results must map (label, data name) pairs of text to accuracies, got the key "
                                          f"{checks.shown(key)}")
        results[key] = checks.series(accuracy, f"results[{key!r}]", 1)
    baselines = checks.mapping(baselines, "baselines", "a data name")
    for name, value in baselines.items():
        if not isinstance(name, str):
            raise checks.HeatexValueError(f"baselines must map data names (text) to numbers, got the key {checks.shown(name)}")
        checks.number(value, f"baselines[{name!r}]")
    wide = max([len("rule (sections x width)"), len("majority baseline")] + [len(label) for label, _ in results]) + 2
    named = max([len("data")] + [len(name) for name in baselines]) + 1
    print(f"{'rule (sections x width)':{wide}s}{'data':>{named}s}{'mean':>7s}{'std':>8s}{'worst':>7s}"
          f"{'best':>7s}{'nets':>6s}")
    for name, baseline in baselines.items():
        print(f"{'majority baseline':{wide}s}{name:>{named}s}{baseline:7.3f}")
        for (label, data_name), accuracy in results.items():
            if data_name == name:
                accuracy = np.asarray(accuracy, dtype=float)
                print(f"{label:{wide}s}{name:>{named}s}{accuracy.mean():7.3f}{accuracy.std():8.3f}"
                      f"{accuracy.min():7.3f}{accuracy.max():7.3f}{len(accuracy):6d}")



# ---------------------------------------------------------------------------
# 6. Images: what a section sees in the pixels, and the digits (notebook 08).
# ---------------------------------------------------------------------------

def _image_size(image_shape):
    if (not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in image_shape)):
        raise checks.HeatexValueError(f"image_shape must be (rows, columns) of the images, two whole numbers, e.g. (8, 8) for "
                         f"the digits; got {checks.shown(image_shape)}")
    return int(image_shape[0]) * int(image_shape[1])


def _grid_of_axes(n, ncols, size, title):
    ncols = checks.whole(ncols, "ncols", 1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(size[0] * ncols + 1.2, size[1] * nrows + 0.7),
                                   layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.suptitle(title)
    return fig, axes.flat[:n]


def plot_weight_images(weights, image_shape=(8, 8), ncols=8, vmax=None, title=None):
    """A section's weights from the pixels of an image, as images: one per unit, labelled, on one
    colour scale centred on zero. Returns the figure.

    ``weights`` is one section's (inputs, units) matrix whose first rows come from the pixels, row by
    row (a bias row after them is left out): for the digits, the first forward section,
    ``net.network(k).section("forward", 0)`` or ``run.network(k).at(epoch).section("forward", 0)``.
    Red: ink on that pixel drives the unit up; blue: down; white: the unit ignores it. ``vmax`` fixes
    the colour limits (the largest weight by default), so that pictures of two networks can share them.
    """
    weights = checks.real_numbers(weights, "weights")
    title = checks.text(title, "title")
    pixels = _image_size(image_shape)
    if weights.ndim != 2 or weights.shape[0] not in (pixels, pixels + 1) or weights.shape[1] < 1:
        raise checks.HeatexValueError(f"weights must be one section's (inputs, units) matrix with {pixels} inputs from the "
                         f"{image_shape[0]}x{image_shape[1]} pixels (and perhaps a bias row), got shape "
                         f"{weights.shape}; e.g. net.network(0).section('forward', 0)")
    if not np.all(np.isfinite(weights)):
        raise checks.HeatexValueError("weights contain NaN or inf, which have no colour; draw finite weights")
    images = weights[:pixels].T.reshape(-1, *image_shape)
    vmax = _symmetric_limit(images) if vmax is None else checks.positive(vmax, "vmax", " (the colour limits are "
                                                                                      "-vmax and vmax)")
    fig, axes = _grid_of_axes(len(images), ncols, (1.05, 1.15), title or f"{len(images)} units: each one's weights "
                              f"from the {image_shape[0]}x{image_shape[1]} pixels")
    for unit, (ax, image) in enumerate(zip(axes, images)):
        shown = ax.imshow(image, cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
        ax.set_title(f"unit {unit}", fontsize="small")
    fig.colorbar(shown, ax=list(axes), label="weight from the pixel", fraction=0.03, pad=0.02)
    return fig


def plot_digits(images, labels, predicted=None, ncols=10, image_shape=(8, 8), limit=60, title=None):
    """Digits as images, each with its label and, given ``predicted``, the network's answer (red
    where it is wrong). Shows the first ``limit``. Returns the figure. The digits a network gets wrong::

        answer = hc.predict_labels(net.predict(data.x_test), one_hot=True)[k]
        wrong = answer != data.labels("test")
        hv.plot_digits(data.x_test[wrong], data.labels("test")[wrong], answer[wrong])
    """
    images = checks.real_numbers(images, "images")
    pixels = _image_size(image_shape)
    if images.ndim != 2 or images.shape[1] != pixels:
        raise checks.HeatexValueError(f"images must be (images, {pixels}) pixels row by row, e.g. data.x_test, got shape "
                         f"{images.shape}")
    if not np.all(np.isfinite(images)):
        raise checks.HeatexValueError("images contain NaN or inf, which have no shade of grey; draw finite pixels")
    title = checks.text(title, "title")
    labels = checks.as_array(labels)
    if labels is None or labels.shape != (len(images),) or labels.dtype.kind not in "biuUS":
        raise checks.HeatexValueError(f"labels must be one per image (a whole number or text), shape ({len(images)},), "
                                      f"got {checks.shown(labels)}; e.g. data.labels('test')")
    if predicted is not None and (checks.as_array(predicted) is None or np.shape(predicted) != (len(images),)
                                  or checks.as_array(predicted).dtype.kind not in "biuUS"):
        raise checks.HeatexValueError(f"predicted must be one answer (a whole number or text) per image, shape "
                                      f"({len(images)},), got {checks.shown(predicted)}")
    limit = checks.whole(limit, "limit", 1)
    if len(images) == 0:
        raise checks.HeatexValueError("there are no images to draw (none wrong?)")
    n = min(len(images), limit)
    more = f" (the first {n} of {len(images)})" if n < len(images) else ""
    fig, axes = _grid_of_axes(n, ncols, (0.95, 1.1), (title or ("digits: true label, and the answer" if predicted
                                                              is not None else "digits and their labels")) + more)
    top = max(float(images.max()), 1e-12)
    for i, ax in enumerate(axes):
        ax.imshow(images[i].reshape(image_shape), cmap="gray_r", vmin=0, vmax=top, interpolation="nearest")
        if predicted is None:
            ax.set_title(f"{labels[i]}", fontsize="small")
        else:
            wrong = predicted[i] != labels[i]
            ax.set_title(f"{labels[i]}, said {predicted[i]}", fontsize="small", color="tab:red" if wrong else "black")
    return fig

# ---------------------------------------------------------------------------
# What moves lives in heatex_widgets, reached from here on first use.
# ---------------------------------------------------------------------------

_WIDGETS = frozenset(("SnapshotView", "Scrubber", "snapshot_frames", "animation", "write_movie", "export_gif",
                      "export_mp4", "can_export_mp4", "repo_relative", "SignalDemo", "GifWriter", "EXPORTS"))


def __getattr__(name):
    # heatex_widgets imports this module for its pictures, so it is imported here only when a
    # name of its is first asked for (PEP 562), never while this module loads.
    if name in _WIDGETS:
        import heatex_widgets
        return getattr(heatex_widgets, name)
    raise AttributeError(f"module 'heatex_viz' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _WIDGETS)
