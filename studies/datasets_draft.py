"""Two moons and two spirals, drafted for heatex_core (issue 21, item 4): pure numpy, the circle's form.

Both return the ``hc.Dataset`` that ``hc.circle_data`` returns: ``n_train + n_test`` points drawn at
once from ``numpy.random.default_rng(seed)`` and split in that order, the point in the first two
units of x (zeros after, for wider pipes), the label 0 or 1 repeated across the width of y. They
are written to move into ``heatex_core`` verbatim: there ``heatex_data._labelled`` is ``_labelled``, and
``circle_data``'s checks of the arguments (``_positive_int``, ``_seed``) go first.

Two moons (``moons_data``): scikit-learn's ``make_moons(n, shuffle=True, noise=noise)`` step by step
(sklearn/datasets/_samples_generator.py, 1.x), with numpy's ``Generator`` in place of its
``RandomState`` (so the same distribution, not the same numbers), then scaled:

    n_out = n // 2, n_in = n - n_out                           (n = n_train + n_test)
    outer moon, label 0:  (cos s, sin s),               s = linspace(0, pi, n_out)
    inner moon, label 1:  (1 - cos s, 1 - sin s - 0.5), s = linspace(0, pi, n_in)
    shuffled by rng.permutation(n), then Gaussian noise of standard deviation ``noise``
    (default 0.1) added to both coordinates, rng.normal(scale=noise, size=(n, 2))
    scaled: x' = (x - 0.5) / 1.5, y' = (y - 0.25) / 1.5

The scaling is one fixed map, the same for both axes (the moons keep their shape): without noise the
points span [-1, 1] in x and [-0.5, 0.5] in y; with noise 0.1 (0.067 after scaling) a few points lie
just outside [-1, 1] in x (by at most about 0.25). The classes are balanced to one point; the
noiseless moons never touch, and at noise 0.1 they overlap only in their tails, so the best possible
accuracy is close to 1 (``bayes_accuracy`` below estimates it on a data set: about 0.998).

Two spirals (``spirals_data``): two interleaved arms of ``turns`` turns (default 1), the second the
first turned by half a turn, with Gaussian noise of standard deviation ``noise`` (default 0.05):

    label  = rng.permutation(arange(n) % 2)      (balanced: n // 2 or so of each)
    t      = rng.uniform(0, 1, n)                (how far along its arm each point lies)
    r      = 0.1 + 0.9 t                         (from radius 0.1 at the centre to 1 outside)
    theta  = 2 pi turns t + pi label
    point  = r (cos theta, sin theta) + noise * rng.standard_normal((n, 2))

drawn in that order. Without noise every point lies in the unit disk, inside [-1, 1]^2. Along a
ray the arms alternate, (1/turns) * 0.45 apart in radius (0.45 at one turn), so the noise (0.05)
leaves them apart; the inner start (radius 0.1, the arms 0.2 apart) is where they come closest.

Run ``.venv/bin/python studies/datasets_draft.py`` to print a summary of each set (sizes, balance,
range, the Bayes-optimal accuracy estimated from the known densities), in about a second.
"""

import numpy as np

import heatex_core as hc
import heatex_data

MOONS_NOISE = 0.1
SPIRALS_TURNS = 1.0
SPIRALS_NOISE = 0.05


def moons_data(n_train=500, n_test=500, width=2, seed=0, noise=MOONS_NOISE):
    """Two moons: scikit-learn's ``make_moons`` (noise 0.1), scaled by one map into [-1, 1] x [-0.5, 0.5]."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    n_out, n_in = n // 2, n - n // 2
    outer, inner = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    points = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                             np.stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5], axis=1)])
    labels = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    order = rng.permutation(n)
    points, labels = points[order], labels[order]
    points = points + rng.normal(scale=noise, size=points.shape)
    points = (points - np.array([0.5, 0.25])) / 1.5
    return heatex_data._labelled(points, labels > 0.5, width, n_train, "moons", seed)


def spirals_data(n_train=500, n_test=500, width=2, seed=0, turns=SPIRALS_TURNS, noise=SPIRALS_NOISE):
    """Two spirals: two arms of ``turns`` turns from radius 0.1 to 1, half a turn apart, noise 0.05."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    labels = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0, 1, n)
    r = 0.1 + 0.9 * t
    theta = 2 * np.pi * turns * t + np.pi * labels
    points = r[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1) + noise * rng.standard_normal((n, 2))
    return heatex_data._labelled(points, labels > 0.5, width, n_train, "spirals", seed)


# ---------------------------------------------------------------------------
# A reference, not for the library: the best accuracy any classifier can have
# ---------------------------------------------------------------------------

def _density(points, centres, noise):
    """Mean over ``centres`` (c, 2) of the Gaussian density of spread ``noise`` at ``points`` (m, 2)."""
    d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
    return np.exp(-d2 / (2 * noise ** 2)).mean(axis=1)


def bayes_accuracy(data, kind, grid=4000, **shape):
    """Accuracy on ``data``'s held-out split of the classifier that knows how the data were drawn
    (the label whose arm or moon gives the point the higher density; moons: continuous arcs in place of
    the linspace points, a close approximation). ``kind`` is "moons" or "spirals"."""
    x, labels = data.x_test[:, :2], data.y_test[:, 0] > 0.5
    s = np.linspace(0, 1, grid)
    if kind == "moons":
        noise = shape.get("noise", MOONS_NOISE) / 1.5          # the noise after scaling
        arc = np.pi * s
        arms = [np.stack([np.cos(arc), np.sin(arc)], 1), np.stack([1 - np.cos(arc), 1 - np.sin(arc) - 0.5], 1)]
        arms = [(a - np.array([0.5, 0.25])) / 1.5 for a in arms]
    else:
        noise, turns = shape.get("noise", SPIRALS_NOISE), shape.get("turns", SPIRALS_TURNS)
        r = 0.1 + 0.9 * s
        arms = [r[:, None] * np.stack([np.cos(2 * np.pi * turns * s + np.pi * c),
                                       np.sin(2 * np.pi * turns * s + np.pi * c)], 1) for c in (0, 1)]
    guess = _density(x, arms[1], noise) > _density(x, arms[0], noise)
    return float(np.mean(guess == labels))


def main():
    for name, make in (("moons", moons_data), ("spirals", spirals_data)):
        for seed in (0, 1):
            d = make(width=4, seed=seed)
            pts = np.concatenate([d.x_train[:, :2], d.x_test[:, :2]])
            print(f"{name:8s} seed {seed}: x_train {d.x_train.shape}, y_train {d.y_train.shape}, "
                  f"label 1 share {np.mean(d.y_train[:, 0]):.3f} (train) {np.mean(d.y_test[:, 0]):.3f} (test), "
                  f"x0 in [{pts[:, 0].min():.2f}, {pts[:, 0].max():.2f}], x1 in [{pts[:, 1].min():.2f}, "
                  f"{pts[:, 1].max():.2f}], majority {hc.majority_accuracy(d):.3f}, "
                  f"Bayes-optimal {bayes_accuracy(d, name):.3f}")


if __name__ == "__main__":
    main()
