"""Schmidhuber's rule and backprop written the 2020 blog's way, as the yardstick for figure 3.

The blog only ever had its own rule. To time heatex_core's other two rules
against something fair, this file writes them as the blog would have: the
blog's ``Section`` objects (from ``blog_reference``), one section at a time,
1-D arrays, every change computed first and applied after. The arithmetic is
the core's, in the same order, so both end with the same weights (run.py
checks), and the difference in time is the difference in how it is run.

The difference exchange has no blog-style counterpart (its backward pipe
carries targets and learns an inverse on a jiggle); its yardstick is the plain
one-network code of ``dtp_reference``. ``reference(rule, net)`` gives either
behind one face: ``log()``, ``train_epoch(x, y, generator)``, ``max_difference(net)``.
"""

import numpy as np

import blog_reference as blog
import dtp_reference


def schmidhuber_update(section, previous, partner, step, pull_previous, pull_partner):
    """The delta rule towards the previous layer and the partner, for one section."""
    error = pull_previous * (previous - section.act) + pull_partner * (partner - section.act)
    delta = error * section.act * (1 - section.act)
    section.wt_update = step * previous[:, None] * delta[None, :]


def learn_schmidhuber(F, B, a, b, step=0.001, pull_previous=1.0, pull_partner=1.0):
    """One step of Schmidhuber's rule with the paper's alignment, on the blog's lists.

    ``F`` and ``B`` are in position order, left to right. Forward section i
    faces backward section i + 1 (y for the last one); backward section i
    faces forward section i - 1 (x for the first one).
    """
    F[-1](a)
    B[0](b)
    depth = len(F)
    for i in range(depth):
        forward_input = a if i == 0 else F[i - 1].act
        backward_input = b if i == depth - 1 else B[i + 1].act
        schmidhuber_update(F[i], forward_input, backward_input, step, pull_previous, pull_partner)
        schmidhuber_update(B[i], backward_input, forward_input, step, pull_previous, pull_partner)
    apply(F, B)


def learn_backprop(F, B, a, b, step=0.001):
    """One step of backprop, each pipe on its own task (forward x -> y, backward y -> x)."""
    F[-1](a)
    B[0](b)
    for pipe, first_input, target in ((F, a, b), (B[::-1], b, a)):    # each pipe in flow order
        inputs = [first_input] + [section.act for section in pipe[:-1]]
        last = pipe[-1]
        delta = (target - last.act) * last.act * (1 - last.act)
        for i in range(len(pipe) - 1, -1, -1):
            section = pipe[i]
            if i < len(pipe) - 1:
                following = pipe[i + 1]
                delta = (delta @ following.weight[:section.dim].T) * section.act * (1 - section.act)
            section.wt_update = step * inputs[i][:, None] * delta[None, :]
    apply(F, B)


def apply(F, B):
    for section in F + B:
        section.weight += section.wt_update
        section.wt_update = None


LEARN = {"blog": blog.learn, "schmidhuber": learn_schmidhuber, "backprop": learn_backprop}


def train_epoch(rule, F, B, x, y, order, step=0.001):
    """One epoch of ``rule`` in the blog's loop, samples taken in ``order``."""
    learn = LEARN[rule]
    for i in order:
        learn(F, B, x[i], y[i], step)


def reference_pair(net, network=0):
    """The blog's lists with the weights of ``net``'s network ``network``."""
    depth, width = net.depth, net.width
    F, B = blog.build(depth=depth, width=width)
    blog.set_weights(F, B, net.weights[network, 0], net.weights[network, 1])
    return F, B


def max_difference(net, F, B, network=0):
    return float(np.max(np.abs(net.weights[network] - blog.get_weights(F, B))))


class BlogStyle:
    """The blog's lists for ``rule`` (blog, schmidhuber, backprop), started at ``net``'s network 0."""

    def __init__(self, rule, net):
        self.rule = rule
        self.F, self.B = reference_pair(net)

    def log(self):
        """A copy of every section's weights, as the blog kept them each epoch."""
        return [[section.weight.copy() for section in pipe] for pipe in (self.F, self.B)]

    def train_epoch(self, x, y, generator):
        train_epoch(self.rule, self.F, self.B, x, y, generator.permutation(len(x)))

    def max_difference(self, net):
        return max_difference(net, self.F, self.B)


class DifferenceExchange:
    """The plain reference of the difference exchange (``dtp_reference``), started at ``net``'s network 0.
    Each epoch it draws its shuffle and its jiggles from ``generator``, as the core does."""

    def __init__(self, net):
        self.reference = dtp_reference.Reference.of(net)

    def log(self):
        return [[w.copy() for w in pipe] for pipe in (self.reference.forward, self.reference.backward)]

    def train_epoch(self, x, y, generator):
        self.reference.train_epoch(x, y, generator)

    def max_difference(self, net):
        return float(np.max(np.abs(net.weights[0] - self.reference.weights())))


def reference(rule, net):
    """The one-network reference for ``rule``, from ``net``'s network 0."""
    return DifferenceExchange(net) if rule == "difference_exchange" else BlogStyle(rule, net)
