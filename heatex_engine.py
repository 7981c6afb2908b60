"""heatex_engine: how heatex_core runs fast. Read heatex_core first.

Nothing here decides a number. ``heatex_core`` says what is computed: the
flow ``sigmoid(a @ W)``, the rules, the metrics. This module only decides
where those arrays lie in memory and keeps them between steps, because a step
of the blog's network pushes one sample through 2 x 10 sections of two units,
and then numpy's fixed cost per call is nearly all of the cost.

- ``layered_copy``: an exchanger's weights stored layer by layer.
- ``FlowBuffers``: the flow of ``heatex_core.flow``, written in place into
  buffers made once.
- ``StepBuffers``: the flow of one sample per network plus copies of what the
  rules read, laid out with the networks axis innermost.
- ``Engine``: the buffers one exchanger keeps; ``HeatExchanger.learn`` and
  ``heatex_core.measure`` go through it.
- ``layer_first``, ``chunks``, ``measure_chunk``: small layouts for backprop
  and for measuring.
- ``layer_widths``, ``padding_mask``, ``block``, ``section_shapes``,
  ``pad_sections``, ``pad``: where sections of different widths lie in the
  one weights array (heatex_core's module docstring says why they are
  padded): every layer padded in front to the widest, so that its units end
  next to the bias's 1, and every section's weights the bottom-right block
  of its (inputs, width) matrix.
- ``progress_bar``: what ``heatex_core.train`` shows while it runs.

``tests/library/test_engine.py`` checks every result here against heatex_core's readable
code with exact equality; ``benchmarks/run.py`` measures the speed (README,
"Benchmarks"). The engine imports nothing from heatex_core: the core passes in
the rule and the function that finds partners.
"""

import sys

import numpy as np

__all__ = ["layered_copy", "layer_first", "chunks", "measure_chunk", "FlowBuffers", "StepBuffers", "Engine",
           "MEASURE_CHUNK", "KEEP_BYTES", "progress_bar", "layer_widths", "padding_mask", "block", "section_shapes",
           "pad_sections", "pad"]

# Networks measured at once: every layer of 256 networks on 500 samples would
# take 45 MB, and numpy is faster on arrays that stay in cache.
MEASURE_CHUNK = 16

# The flow buffers an Engine keeps between calls take at most this many bytes
# in all; a flow that would need more gets buffers for that call alone. So the
# measuring buffers do not grow with the training set, nor stay after training.
KEEP_BYTES = 64 * 10**6

# The weights' axes (network, pipe, section, inputs, width) in the order the
# rules' copies lie in memory: inputs, width, section, pipe, network.
RULE_MEMORY_ORDER = (3, 4, 2, 1, 0)

# From this many weights a section (inputs x width) is wide enough for numpy as it
# is: the rules read the weights themselves, not copies (the digits' 65 x 64
# sections; no shape of notebooks 01-07, whose widest is 17 x 16).
WIDE_SECTION = 1024


def layered_copy(weights):
    """A copy of (K, 2, depth, inputs, width) weights stored layer by layer.

    In memory the order is (depth, pipe, network), seen in the usual order, so
    an online step sweeps each layer of all networks in one run. Each section's
    matrix is still one C-ordered block, so everything computed from it is the
    same to the last bit.
    """
    k, pipes, depth, n_in, width = weights.shape
    copy = np.empty((depth, pipes, k, n_in, width)).transpose(2, 1, 0, 3, 4)
    copy[...] = weights
    return copy


def layer_first(array, axis):
    """``array`` with ``axis`` moved first, copied C-ordered.

    Backprop's matrix products go to BLAS, whose rounding can depend on how
    arrays lie in memory; C-ordered copies make it never depend on the caller.
    """
    return np.ascontiguousarray(np.moveaxis(array, axis, 0))


def chunks(weights, size=MEASURE_CHUNK):
    """The networks of ``weights`` (K, ...) a few at a time."""
    return [weights[k:k + size] for k in range(0, len(weights), size)]


def measure_chunk(weights, samples):
    """Networks measured at once: 16, or fewer where one network's flow of ``samples`` training samples
    is large, so that the buffers an exchanger keeps stay within KEEP_BYTES."""
    depth, n_in = weights.shape[-3], weights.shape[-2]
    one = 2 * (depth + 1) * samples * n_in * 8
    return int(min(MEASURE_CHUNK, max(1, KEEP_BYTES // 2 // one)))


def layer_widths(widths):
    """Each pipe's layer widths in flow order, (2, depth + 1): the forward pipe's are ``widths``
    (input first), the backward pipe runs through them in reverse."""
    return np.array([tuple(widths), tuple(widths)[::-1]])


def padding_mask(widths):
    """(2, depth + 1, widest): 1.0 for the units each layer of each pipe has, 0.0 for its padding;
    None when every layer is as wide as the widest (nothing is padded, nothing is masked).

    A layer of w units padded to the widest holds them at its end, the padding's zeros in front.
    """
    widest = max(widths)
    if min(widths) == widest:
        return None
    return (np.arange(widest) >= widest - layer_widths(widths)[..., None]).astype(float)


def block(widths, pipe, i):
    """Where section ``i`` (flow order) of ``pipe`` lies in its padded (inputs, width) matrix:
    (rows, columns) slices, the bottom-right block. The rows are its input units and the bias's row
    (the last, when there is one), the columns its output units; so the block is a view."""
    widths, widest = layer_widths(widths)[pipe], max(widths)
    return slice(widest - widths[i], None), slice(widest - widths[i + 1], widest)


def section_shapes(widths, bias):
    """The (inputs, width) shape of every section, the forward pipe's first, each in flow order."""
    return [(int(w_in) + bool(bias), int(w_out))
            for pipe in layer_widths(widths) for w_in, w_out in zip(pipe, pipe[1:])]


def initial_weights(rngs, scales, widths, bias):
    """Every network's initial weights, (K, 2, depth, inputs, width): uniform in [-scale, scale], each
    network from its own generator, forward pipe first, sections in flow order, each its (inputs, width)."""
    shapes = section_shapes(widths, bias)
    return np.stack([pad_sections([rng.uniform(-scale, scale, shape) for shape in shapes], widths, bias)
                     for rng, scale in zip(rngs, scales)])


def pad_sections(sections, widths, bias):
    """One network's weights (2, depth, inputs, width) from its sections' matrices, listed as
    ``section_shapes`` lists them, each put in its ``block`` of zeros. With one width, the
    matrices stacked as they are."""
    depth, widest = len(widths) - 1, max(widths)
    weights = np.zeros((2, depth, widest + bool(bias), widest))
    for n, section in enumerate(sections):
        pipe, i = divmod(n, depth)
        weights[(pipe, i) + block(widths, pipe, i)] = section
    return weights


def pad(values, width):
    """``values`` (..., w) padded in front with zeros to (..., width); the array itself when w is width."""
    values = np.asarray(values, dtype=float)
    if values.shape[-1] == width:
        return values
    padded = np.zeros(values.shape[:-1] + (width,))
    padded[..., width - values.shape[-1]:] = values
    return padded


class FlowBuffers:
    """The flow of ``heatex_core.flow``, computed in place into arrays made once.

    ``lead`` is the shape of the leading axes (networks, pipes), ``m`` the
    samples per call. Activations are stored layer by layer, the leading axes
    reversed, so each layer of every network is one block numpy sweeps in one
    run; with a bias (inputs = width + 1) the trailing 1 of every layer is
    written here, once. ``mask`` (..., depth + 1, width), for padded sections,
    sets each layer's padding to 0 after the sigmoid, as ``heatex_core.flow``
    does; None (one width) costs nothing.
    """

    def __init__(self, weights_shape, lead, m, mask=None):
        depth, n_in, width = weights_shape[-3:]
        self.layers_first = np.ones((depth + 1,) + lead[::-1] + (m, n_in))
        negated_layers_first = np.empty((depth,) + lead[::-1] + (n_in, width))
        to_lead_first = tuple(range(len(lead), 0, -1)) + (0, len(lead) + 1, len(lead) + 2)
        self.acts = self.layers_first.transpose(to_lead_first)            # (..., depth + 1, m, inputs)
        self.negated = negated_layers_first.transpose(to_lead_first)      # (..., depth, inputs, width)
        self.inputs = self.acts[..., 0, :, :width]
        self.nbytes = self.layers_first.nbytes + negated_layers_first.nbytes
        self.one = np.ones(())    # an array: numpy need not convert a Python 1 on every call
        self.layers = [(self.layers_first[layer], negated_layers_first[layer], self.layers_first[layer + 1, ..., :width])
                       for layer in range(depth)]
        # with padding: each layer seen in the usual order, and its mask with a samples axis
        self.masks = None if mask is None else [(self.acts[..., layer + 1, :, :width], mask[..., layer + 1, None, :])
                                                for layer in range(depth)]

    def __call__(self, weights, inputs):
        """Fill every layer from ``inputs`` and return the activations (a view of the buffer)."""
        self.inputs[...] = inputs
        # sigmoid(a @ W) = 1 / (1 + exp(-(a @ W))), and a @ (-W) is -(a @ W) to
        # the last bit: negating the weights once saves a negation per layer.
        np.negative(weights, out=self.negated)
        # Functions looked up once, out passed by position: with one network
        # a call costs more than its arithmetic (see README, "Benchmarks").
        if self.masks is not None:
            return self._masked_flow()
        matmul, exp, add, reciprocal, one = np.matmul, np.exp, np.add, np.reciprocal, self.one
        for previous, negated, out in self.layers:
            matmul(previous, negated, out)
            exp(out, out)
            add(out, one, out)
            reciprocal(out, out)             # 1 / out, the same bits
        return self.acts

    def _masked_flow(self):
        """The same flow with each layer's padding set to 0 before the next layer: the padded
        sections' ``heatex_core.flow``."""
        matmul, exp, add, reciprocal, multiply, one = np.matmul, np.exp, np.add, np.reciprocal, np.multiply, self.one
        for (previous, negated, out), (layer, mask) in zip(self.layers, self.masks):
            matmul(previous, negated, out)
            exp(out, out)
            add(out, one, out)
            reciprocal(out, out)
            multiply(layer, mask, layer)
        return self.acts


class StepBuffers(FlowBuffers):
    """The flow of one sample per network, and copies of what the rules read.

    A rule meets every section of every network at once, but a section is only
    a few numbers: laid out as the weights are, numpy would work through
    K x 2 x depth tiny blocks one by one. So the rules get copies laid out with
    the networks axis innermost in memory, (inputs, width, depth, pipe,
    network), seen in the usual order. The shapes, the numbers and the rules'
    code are the same either way. Sections of ``WIDE_SECTION`` weights or more
    need no such help, and copying them would cost more than it saves: the
    rules read the weights themselves (a read-only view) and activations laid
    out in the usual order.
    """

    def __init__(self, weights, partners, alignment, rows=1, mask=None):
        super().__init__(weights.shape, weights.shape[:-3], 1, mask)
        k, pipes, depth, n_in, width = weights.shape
        self.weights = weights
        self.alignment = alignment
        self.rows = rows
        self.mask = mask
        self.inputs = self.layers_first[0, ..., 0, :width]              # (2, K, width): x then y
        self.wide = n_in * width >= WIDE_SECTION
        if self.wide:
            self.rule_weights = weights.view()
            self.rule_weights.flags.writeable = False     # a rule returns a change; it never writes the weights
            self.rule_acts = np.ones((k, pipes, depth + 1, rows, n_in))
        else:
            self.rule_weights = np.empty((n_in, width, depth, pipes, k)).transpose(4, 3, 2, 0, 1)
            # The sample's flow is row 0 of what the rules read; more rows (the difference exchange's
            # jiggle) are filled by the exchange, so row 0 is computed alike whatever the rows.
            self.rule_acts = np.ones((n_in, rows, depth + 1, pipes, k)).transpose(4, 3, 2, 1, 0)
        self.partner = partners(self.rule_acts)     # a view: it follows every step
        self.weights_in_rule_order = self.weights.transpose(RULE_MEMORY_ORDER)

    def fits(self, weights, alignment, rows, mask=None):
        """Whether these buffers still belong to ``weights``, ``alignment``, ``rows`` and ``mask``.

        An exchanger may be given a new weights array or another alignment.
        """
        return weights is self.weights and alignment == self.alignment and rows == self.rows and mask is self.mask

    def rule_inputs(self, exchange=None):
        """The weights, the activations and the partners, in the rules' layout.

        ``exchange(weights, acts)``, when given, then rewrites what the pipes carry.
        """
        if not self.wide:
            self.rule_weights[...] = self.weights
        self.rule_acts[..., :1, :] = self.acts
        if exchange is not None:
            exchange(self.weights, self.rule_acts)
        return self.rule_weights, self.rule_acts, self.partner

    def add_to_weights(self, change):
        """weights += change, swept in the rules' memory order.

        The change comes out of a rule laid out as its copies are; seen in that
        order and told to keep it, numpy adds in long stretches.
        """
        if self.wide:
            np.add(self.weights, change, out=self.weights)
            return
        np.add(self.weights_in_rule_order, change.transpose(RULE_MEMORY_ORDER),
               out=self.weights_in_rule_order, order="C")


class Engine:
    """The buffers one exchanger keeps between calls. Holds no state of the model.

    Copies of an exchanger get a fresh engine: the buffers are views of one
    another and of the weights, and a copy would cut those ties.
    """

    def __init__(self):
        self.step_buffers = None
        self.flows = {}
        self.last_change = None     # what the rule returned in the last step (for the divergence hint)

    def step(self, weights, pairs, rule, settings, alignment, partners, exchange=None, rows=1, mask=None,
             checked=None):
        """One online step: flow pairs (2, K, width), x then y, add the rule's change in place.

        ``partners(acts)`` gives each section's partner activations as a view of
        ``acts``. ``exchange(weights, acts)``, when given, rewrites what the
        pipes carry after the plain flow (heatex_core's difference exchange), in
        ``rows`` rows per network: row 0 is the sample. Returns the activations
        the rule saw, (K, 2, depth + 1, rows, inputs): a buffer the next step
        overwrites. ``mask`` is the padding's (``padding_mask``), for sections of different widths.
        ``checked(change)`` is called when the rule's change is not a float array of the weights'
        shape (a check of two attributes per step): it makes it one, or refuses it.
        """
        buffers = self.step_buffers
        if buffers is None or not buffers.fits(weights, alignment, rows, mask):
            buffers = self.step_buffers = StepBuffers(weights, partners, alignment, rows, mask)
        buffers(weights, pairs)
        inputs = buffers.rule_inputs(exchange)
        change = rule(*inputs, settings)
        if change.__class__ is not np.ndarray or change.shape != weights.shape or change.dtype.kind != "f":
            change = checked(change)
        self.last_change = change
        buffers.add_to_weights(change)
        return inputs[1]

    def flow(self, weights, inputs, mask=None):
        """``heatex_core.flow(weights, inputs, mask)`` into buffers kept for these shapes (within KEEP_BYTES)."""
        lead = np.broadcast_shapes(weights.shape[:-3], inputs.shape[:-2])
        key = (weights.shape, lead, inputs.shape[-2], None if mask is None else mask.tobytes())
        buffers = self.flows.get(key)
        if buffers is None:
            buffers = FlowBuffers(*key[:3], mask)
            kept = sum(b.nbytes for b in self.flows.values())
            if buffers.nbytes <= KEEP_BYTES:
                if kept + buffers.nbytes > KEEP_BYTES:
                    self.flows.clear()          # the newest shapes are the ones in use
                self.flows[key] = buffers
        return buffers(weights, inputs)

    def __copy__(self):
        return Engine()

    def __deepcopy__(self, memo):
        return Engine()

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()


def progress_bar(epochs, description):
    """A tqdm bar over the epochs: a widget in Jupyter, text in a terminal.

    A saved notebook keeps a widget's text only as it was when first shown
    ("0%"), and a static page (GitHub, the reading site) shows that text. So in
    Jupyter the bar is shown with a text that says what ran instead.
    """
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm
    if sys.platform == "emscripten":
        # JupyterLite's kernel is not the IPKernelApp that tqdm.auto looks for, so it would print a
        # text bar to stderr (pink); its widgets work, so it gets the widget bar.
        tqdm = notebook_tqdm
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
