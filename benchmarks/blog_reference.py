"""The 2020 blog's code, object by object, as the yardstick for heatex_core.

Kept as close to the blog as runs today: the same ``Section`` class with its
recursive ``__call__``, the same ``update`` with its ``try``/``reshape``, the
same ``learn`` loop. Three changes, all needed to compare it fairly:

- random draws come from a ``numpy.random.Generator`` (the blog used the global
  state of ``%pylab``), and ``set_weights`` lets a test give both codes the same
  initial weights;
- the blog's bare ``except: pass`` catches only the ``ValueError`` that reshape
  raises (same behaviour for every shape the blog meets);
- ``train_epoch`` takes the sample order, so both codes see the same order.

Do not import this from notebooks: it is the reference, not the teaching code.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Section:
    def __init__(self, dim, rng):
        self.dim = dim
        self.network_input = None
        self.right = None
        self.rng = rng

    def takes_input(self, input):
        self.network_input = input
        self.weight = self.rng.uniform(-1, 1, (input.dim, self.dim))

    def __call__(self, input=None):
        act = None
        if self.network_input is not None:
            act = self.network_input(input) @ self.weight
        elif input is not None:
            if not hasattr(self, "weight"):  # In case we haven't created the weights yet
                self.weight = self.rng.uniform(-1, 1, (input.shape[0], self.dim))
            act = input @ self.weight

        act = sigmoid(act)

        self.act = act
        return act


def build(depth=10, width=2, seed=0):
    rng = np.random.default_rng(seed)
    F = [Section(width, rng) for _ in range(depth)]
    B = [Section(width, rng) for _ in range(depth)]
    for i in range(len(F)):
        if i > 0:
            F[i].takes_input(F[i - 1])
        if i < (len(F) - 1):
            B[i].takes_input(B[i + 1])
    F[0].weight = rng.uniform(-1, 1, (width, width))
    B[-1].weight = rng.uniform(-1, 1, (width, width))
    return F, B


def set_weights(F, B, forward, backward):
    """Give the blog's lists the weights of heatex's flow-ordered arrays.

    ``F`` is already in flow order; ``B`` is in position order, so backward
    section j in flow order is ``B[len(B) - 1 - j]``.
    """
    for i, w in enumerate(forward):
        F[i].weight = np.array(w, dtype=float)
    for j, w in enumerate(backward):
        B[len(B) - 1 - j].weight = np.array(w, dtype=float)


def get_weights(F, B):
    """The weights as heatex stores them: (2, depth, inputs, width), flow order."""
    return np.stack([np.stack([f.weight for f in F]), np.stack([b.weight for b in B[::-1]])])


def update(net, prev_act, side_act, step):
    update_prev = prev_act - net.act
    update_side = side_act - net.act
    total_update = update_prev + update_side

    credit_assignment = net.weight / net.weight.sum(axis=0)
    try:
        total_update = total_update.reshape(credit_assignment.shape)
    except ValueError:
        pass

    net.wt_update = credit_assignment * total_update * step
    return net


def learn(F, B, a, b, step=0.001):
    F[-1](a)
    B[0](b)
    for i in range(len(F)):
        if i == 0:
            lastf = a  # Input was the last activation
        else:
            lastf = F[i - 1].act
        if i == (len(F) - 1):
            lastb = b  # output was the last activation
        else:
            lastb = B[i + 1].act
        update(F[i], lastf, B[i].act, step)
        update(B[i], lastb, F[i].act, step)
    for f in F:
        f.weight += f.wt_update
        f.wt_update = None
    for b in B:
        b.weight += b.wt_update
        b.wt_update = None


def train_epoch(F, B, x, y, order, step=0.001):
    for i in order:
        a, b = x[i], y[i]
        learn(F, B, a, b, step)
