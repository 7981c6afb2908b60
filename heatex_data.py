"""The data sets, by name: the blog's circle, XOR, two moons, two spirals and the handwritten digits.

Each maker returns a ``Dataset`` of ``n_train + n_test`` samples drawn at once from
``numpy.random.default_rng(seed)`` and split in that order. The points of the plane sit in the
first two units of x (zeros after, for wider pipes), their label (0 or 1) repeated across the width
of y; the digits' targets are one-hot. ``heatex_core`` imports everything here, so ``hc.circle_data``
and ``hc.data_set("moons")`` are what a notebook calls. This module needs numpy only.
"""

from dataclasses import dataclass

import numpy as np

import heatex_checks as checks
import heatex_digits



@dataclass
class Dataset:
    """Training and held-out samples. Targets repeat the label (0 or 1) across the width (two
    classes), or are one-hot: a column per class, 1 in the sample's (``one_hot``)."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "data"
    seed: int = 0

    def __post_init__(self):
        checks.check_dataset(self)

    @property
    def width(self):
        return self.x_train.shape[1]

    @property
    def one_hot(self):
        """Whether the targets are one-hot rather than one label repeated across the width."""
        checks.check_dataset(self)
        return bool(np.any(self.y_train != self.y_train[:, :1]) or np.any(self.y_test != self.y_test[:, :1]))

    def labels(self, split="train"):
        """Each sample's class in ``split`` ("train" or "test"): its label, True for 1, or its one-hot column."""
        checks.check_dataset(self)      # the arrays may have been changed since the Dataset was made
        y = getattr(self, f"y_{checks.check_split(split)}")
        return y.argmax(axis=-1) if self.one_hot else y[:, 0] > 0.5


def circle_data(n_train=500, n_test=500, width=2, seed=0, radius=0.8):
    """The blog's data: points uniform in [-1, 1]^2, label 1 inside ``radius`` (between 0 and √2)."""
    n_train, n_test, width = (checks.positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed = checks.seed(seed, "seed")
    radius = checks.check_radius(radius)
    checks.check_data_size(n_train, n_test, width)
    points = np.random.default_rng(seed).uniform(-1, 1, (n_train + n_test, 2))
    labels = np.sqrt(np.power(points, 2).sum(axis=1)) <= radius
    checks.check_two_labels(labels[:n_train], radius)
    return _labelled(points, labels, width, n_train, "circle", seed)


def xor_data(n_train=500, n_test=500, width=2, seed=0):
    """The contrast set: points uniform in [-1, 1]^2, label 1 where x0 * x1 > 0."""
    n_train, n_test, width = (checks.positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed = checks.seed(seed, "seed")
    checks.check_data_size(n_train, n_test, width)
    points = np.random.default_rng(seed).uniform(-1, 1, (n_train + n_test, 2))
    return _labelled(points, points[:, 0] * points[:, 1] > 0, width, n_train, "xor", seed)


def moons_data(n_train=500, n_test=500, width=2, seed=0, noise=0.1):
    """Two moons: scikit-learn's ``make_moons`` (noise 0.1) redrawn with numpy's ``Generator`` and
    scaled by one map, (x - 0.5, y - 0.25) / 1.5, into about [-1, 1] x [-0.5, 0.5]."""
    n_train, n_test, width = (checks.positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed, noise = checks.seed(seed, "seed"), checks.check_noise(noise)
    checks.check_data_size(n_train, n_test, width)
    rng, n = np.random.default_rng(seed), n_train + n_test
    outer, inner = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    points = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                             np.stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5], axis=1)])
    labels = np.arange(n) >= n // 2          # the inner moon is class 1
    order = rng.permutation(n)
    points = points[order] + rng.normal(scale=noise, size=(n, 2))
    return _labelled((points - np.array([0.5, 0.25])) / 1.5, labels[order], width, n_train, "moons", seed)


def spirals_data(n_train=500, n_test=500, width=2, seed=0, turns=1.0, noise=0.05):
    """Two spirals: two arms of ``turns`` turns from radius 0.1 to 1, half a turn apart, noise 0.05."""
    n_train, n_test, width = (checks.positive_int(v, n) for v, n in ((n_train, "n_train"), (n_test, "n_test"), (width, "width")))
    seed, noise, turns = checks.seed(seed, "seed"), checks.check_noise(noise), checks.check_turns(turns)
    checks.check_data_size(n_train, n_test, width)
    rng, n = np.random.default_rng(seed), n_train + n_test
    labels = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0, 1, n)                           # how far along its arm each point lies
    theta = 2 * np.pi * turns * t + np.pi * labels
    points = (0.1 + 0.9 * t)[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    points = points + noise * rng.standard_normal((n, 2))
    return _labelled(points, labels == 1, width, n_train, "spirals", seed)


def digits_data(n_train=1297, n_test=500, seed=0, width=64):
    """Handwritten digits: 8x8 images, 64 pixels scaled to [0, 1], one-hot targets for the 10 digits.

    The 1,797 images of scikit-learn's ``load_digits``, shipped in ``heatex_digits``: the test
    set of the UCI "Optical Recognition of Handwritten Digits" (Alpaydin and Kaynak, 1998; CC BY
    4.0; https://archive.ics.uci.edu/dataset/80). A seeded, stratified split: each digit's images
    in a random order spread evenly through the whole, so the first ``n_train`` hold every digit
    in proportion, and so do the next ``n_test``. ``width`` is the pixels', 64, and cannot change.
    """
    n_train, n_test = checks.split_sizes(n_train, n_test, heatex_digits.N_IMAGES, width, 64, "digits")
    seed = checks.seed(seed, "seed")
    pixels, digits = heatex_digits.load()
    order = np.random.default_rng(seed).permutation(len(digits))
    place = np.empty(len(order))        # where in the whole each image falls, by its rank within its digit
    for digit in range(10):
        mine = digits[order] == digit
        place[mine] = (np.arange(mine.sum()) + 0.5) / mine.sum()
    order = order[np.argsort(place, kind="stable")]
    x, y = pixels[order] / 16, np.eye(10)[digits[order]]
    return Dataset(x[:n_train], y[:n_train], x[n_train:n_train + n_test], y[n_train:n_train + n_test], "digits", seed)


# Data by name. Each maker takes n_train, n_test, seed and width (for the points of the plane, 2 by
# default: the point alone; the digits' is 64, their pixels); more sets of the plane join here.
DATA_SETS = {"circle": circle_data, "xor": xor_data, "moons": moons_data, "spirals": spirals_data,
             "digits": digits_data}


def data_set(name, width=None, seed=0, n_train=None, n_test=None):
    """A data set by name: ``data_set("xor", width=16, seed=1)``, ``data_set("digits", seed=2)``.
    What is left out takes the set's own default (``DATA_SETS`` holds the makers)."""
    if not isinstance(name, str) or name not in DATA_SETS:
        raise checks.HeatexValueError(f"unknown data set name {checks.shown(name)}; choose one of {sorted(DATA_SETS)}")
    given = dict(width=width, n_train=n_train, n_test=n_test)
    return DATA_SETS[name](seed=seed, **{key: value for key, value in given.items() if value is not None})


def _labelled(points, labels, width, n_train, name, seed):
    if width < 2:
        raise checks.HeatexValueError(f"width must be at least 2 to hold a point of the plane, got {width}")
    x = np.zeros((len(points), width))
    x[:, :2] = points    # wider pipes see the point in the first two units, zeros after
    y = np.repeat(labels.astype(float)[:, None], width, axis=1)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], name=name, seed=seed)


def majority_accuracy(data):
    """Test accuracy of always answering the training set's most common class (a tie: the larger)."""
    checks.check_data(data, Dataset)
    checks.check_dataset(data)          # the arrays may have been changed since the Dataset was made
    counts = np.bincount(data.labels("train").astype(int))
    majority = np.flatnonzero(counts == counts.max())[-1]
    return float(np.mean(data.labels("test") == majority))
