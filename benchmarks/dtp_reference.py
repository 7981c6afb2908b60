"""The difference heat exchange written plainly, as the yardstick for heatex_core's vectorised rule.

One network, one sample at a time: lists of (inputs, width) matrices, vectors,
``np.outer``, loops over the sections. Written from the rule's definition (Lee,
Zhang, Fischer and Bengio 2015, as ``heatex_core.difference_exchange_rule``
states it), not from the core's arrays: no networks axis, no activations array,
no alignment tables. For forward layers h_0 = x, h_L = sigmoid([h_{L-1}, 1] F_{L-1}):

    targets down the backward pipe:  t_depth = y,
                                     t_{L-1} = g_j(t_L) + difference * (h_{L-1} - g_j(h_L)),
                                     g_j(v) = sigmoid([v, 1] B_j),  j = depth - L
    forward section i (output h_{i+1}, partner t_{i+1}), hidden ones scaled by hidden_pull:
        e = pull_previous * (h_i - h_{i+1}) + pull_partner * (t_{i+1} - h_{i+1})
        dF_i = step * outer([h_i, 1], e * h_{i+1} * (1 - h_{i+1}))
    backward section j, beside forward section i = depth - 1 - j, learns to undo it on a jiggle:
        u = h_i + inverse_noise * jiggle_j       (h_i without noise)
        v = sigmoid([u, 1] F_i)                  (the forward section's answer to it)
        r = sigmoid([v, 1] B_j)
        dB_j = inverse_step * outer([v, 1], (u - r) * r * (1 - r))

Every change is computed first, then applied. ``train_epoch`` draws what the
core draws, from the same generator, in the same order: a permutation of the
training set, then (with inverse_noise > 0) standard normals of shape
(n_train, depth, width), row t for step t, ``[t, j]`` for backward section j.
The arithmetic is the same as the core's but not in the same order, so the
two end within rounding of each other, not bit for bit (``benchmarks/run.py``
checks how close).
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Reference:
    """One network of the difference exchange: ``forward`` and ``backward`` are lists of
    (inputs, width) matrices in flow order (backward section 0 takes y), ``settings`` plain numbers."""

    def __init__(self, forward, backward, step, pull_previous, pull_partner, hidden_pull, difference,
                 inverse_step, inverse_noise):
        self.forward = [np.array(w, dtype=float) for w in forward]
        self.backward = [np.array(w, dtype=float) for w in backward]
        self.bias = self.forward[0].shape[0] == self.forward[0].shape[1] + 1
        self.step, self.pull_previous, self.pull_partner = step, pull_previous, pull_partner
        self.hidden_pull, self.difference = hidden_pull, difference
        self.inverse_step, self.inverse_noise = inverse_step, inverse_noise

    @classmethod
    def of(cls, net, k=0):
        """Network ``k`` of a heatex_core ``HeatExchanger``: copies of its weights, its settings."""
        n = net.network(k)
        return cls(list(n.forward), list(n.backward), n.step, n.pull_previous, n.pull_partner, n.hidden_pull,
                   n.difference, n.inverse_step, n.inverse_noise)

    def with_one(self, v):
        return np.append(v, 1.0) if self.bias else v

    def section(self, W, v):
        return sigmoid(self.with_one(v) @ W)

    def change(self, x, y, jiggle=None):
        """Every section's change for the sample (x, y): (forward changes, backward changes), lists.

        ``jiggle`` (depth, width): the standard normal draws for the backward sections, row j for
        backward section j; None (or inverse_noise 0) learns the inverse on h itself.
        """
        depth = len(self.forward)
        h = [np.asarray(x, dtype=float)]
        for W in self.forward:
            h.append(self.section(W, h[-1]))
        t = {depth: np.asarray(y, dtype=float)}
        for j, W in enumerate(self.backward):
            L = depth - j
            t[L - 1] = self.section(W, t[L]) + self.difference * (h[L - 1] - self.section(W, h[L]))

        forward_changes = []
        for i in range(depth):
            own = h[i + 1]
            error = self.pull_previous * (h[i] - own) + self.pull_partner * (t[i + 1] - own)
            pull = self.hidden_pull if i < depth - 1 else 1.0
            forward_changes.append(pull * self.step * np.outer(self.with_one(h[i]), error * own * (1 - own)))

        backward_changes = []
        for j, W in enumerate(self.backward):
            i = depth - 1 - j
            if jiggle is not None and self.inverse_noise > 0:
                u = h[i] + self.inverse_noise * jiggle[j]
                v = self.section(self.forward[i], u)
            else:
                u, v = h[i], h[i + 1]
            r = self.section(W, v)
            backward_changes.append(self.inverse_step * np.outer(self.with_one(v), (u - r) * r * (1 - r)))
        return forward_changes, backward_changes

    def learn(self, x, y, jiggle=None):
        """One step: every change computed, then applied."""
        forward_changes, backward_changes = self.change(x, y, jiggle)
        for W, dW in zip(self.forward + self.backward, forward_changes + backward_changes):
            W += dW

    def train_epoch(self, x, y, generator):
        """One epoch in the order, and with the jiggles, that ``generator`` gives (as heatex_core.train draws)."""
        order = generator.permutation(len(x))
        jiggles = None
        if self.inverse_noise > 0:
            jiggles = generator.standard_normal((len(x), len(self.forward), self.forward[0].shape[1]))
        for t, i in enumerate(order):
            self.learn(x[i], y[i], None if jiggles is None else jiggles[t])

    def weights(self):
        """The weights as heatex_core stores one network's: (2, depth, inputs, width), flow order."""
        return np.stack([np.stack(self.forward), np.stack(self.backward)])
