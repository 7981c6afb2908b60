"""The difference heat exchange: the search behind its settings, the held-out test, and why it learns.

Run from the repository root (about 20 minutes on two shared cores):

    .venv/bin/python studies/difference_exchange.py | tee studies/difference_exchange.txt
    .venv/bin/python studies/difference_exchange.py --quick    # a smoke run of a few seconds

``rule="difference_exchange"`` is the heat exchanger with the correction of
difference target propagation (Lee, Zhang, Fischer and Bengio 2015): what
flows down the backward pipe is a target for every forward layer, corrected
by the difference between the forward layer and the backward section's answer
to it (``hc.difference_pass``); the backward sections learn to undo the
forward section beside them, on a jiggle (``hc.jiggle_pass``).

Every choice was made on *validation* data: the held-out split of
``circle_data(seed=1)`` / ``xor_data(seed=1)`` with network seeds 100-119.
Section a runs that search again, on a compact grid around the choice, and
says whether it chooses the same settings. Sections b-e train the chosen
settings once on ``circle_data(seed=0)`` / ``xor_data(seed=0)`` with network
seeds 0-19 -- data no choice looked at -- and report held-out accuracy, the
ablations, how far the hidden weights moved and what a straight line can read
from the hidden layer. Section f compares the rule's update with backprop's on
the same weights and samples (validation data); section g shows where it fails.

Only ``heatex_core`` is used. Many networks train at once on the networks
axis: ``hl.Grid`` lays settings x seeds on it, and each network gets exactly
the result it gets alone (except, by a few 1e-16 a step, a network with
``inverse_noise`` 0 next to one with noise: see section a's note).
"""

import argparse
import time

import numpy as np

import heatex_core as hc
import heatex_lab as hl

VALIDATION_DATA_SEED = 1
VALIDATION_SEEDS = list(range(100, 120))
TEST_DATA_SEED = 0
TEST_SEEDS = list(range(20))
EPOCHS = 200
N_TRAIN = N_TEST = 500
STAGES = (0, 1, 10, 50, 200)     # epochs at which the validation search keeps every weight (section f)
COSINE_SAMPLES = 200             # the first training samples the updates are compared on (section f)
RIDGES = (1e-4, 1e-8)            # the read-out's ridge, per sample: small, and next to none (section e)

# What every shape shares: a bias, the correction (difference 1), hidden sections that learn
# (hidden_pull 1), no pull towards a section's own input, and the backward sections learning
# their inverse on a jiggle of spread 0.1.
SHARED = dict(rule="difference_exchange", bias=True, difference=1.0, hidden_pull=1.0, pull_previous=0.0)

# Per shape: the settings chosen on validation (by the prototype's search; they are the core's
# RULE_DEFAULTS at 2x4 circle), the grid around them searched again here, and the baselines'
# settings, tuned on the same validation data (init_scale x step, 200 epochs).
SHAPES = {
    "2x4 circle": dict(
        depth=2, width=4, data="circle",
        chosen=dict(init_scale=1.0, step=2.0, inverse_step=0.01, inverse_noise=0.1),
        around=dict(init_scale=[0.5, 1.0, 1.5], step=[1.0, 2.0, 3.0], inverse_step=[0.003, 0.01, 0.03]),
        end_exchange=dict(init_scale=3.0, step=3.0), backprop=dict(init_scale=0.5, step=0.1)),
    "3x8 circle": dict(
        depth=3, width=8, data="circle",
        chosen=dict(init_scale=2.0, step=0.3, inverse_step=0.01, inverse_noise=0.1),
        around=dict(init_scale=[1.5, 2.0, 3.0], step=[0.2, 0.3, 0.5], inverse_step=[0.003, 0.01, 0.03]),
        end_exchange=dict(init_scale=3.0, step=3.0), backprop=dict(init_scale=2.0, step=0.03)),
    "4x8 circle": dict(
        depth=4, width=8, data="circle",
        chosen=dict(init_scale=1.5, step=0.2, inverse_step=0.01, inverse_noise=0.1),
        around=dict(init_scale=[1.0, 1.5, 2.0], step=[0.1, 0.2, 0.3], inverse_step=[0.003, 0.01, 0.03]),
        end_exchange=dict(init_scale=3.0, step=3.0), backprop=dict(init_scale=2.0, step=0.03)),
    "2x4 xor": dict(
        depth=2, width=4, data="xor",
        chosen=dict(init_scale=1.5, step=2.0, inverse_step=0.003, inverse_noise=0.1),
        around=dict(init_scale=[1.0, 1.5, 2.0], step=[1.0, 2.0, 3.0], inverse_step=[0.001, 0.003, 0.01]),
        end_exchange=dict(init_scale=3.0, step=1.0), backprop=dict(init_scale=0.5, step=0.3)),
}
NOISES = [0.0, 0.1]
BASELINE_SHARED = dict(bias=True, pull_previous=0.0)     # end_exchange keeps its hidden_pull 0

# The prototype's validation figures for its choices (mean, std, worst), which the core reproduces.
PROTOTYPE_VALIDATION = {"2x4 circle": (0.983, 0.015, 0.942), "3x8 circle": (0.984, 0.009, 0.966),
                        "4x8 circle": (0.982, 0.011, 0.960), "2x4 xor": (0.944, 0.043, 0.794)}

# The held-out test: the chosen settings, then each changed in one way (sections b and c).
VARIANTS = {
    "difference_exchange": {},
    "literal exchange (difference 0)": dict(difference=0.0),
    "backward pipe frozen (inverse_step 0)": dict(inverse_step=0.0),
    "hidden sections frozen (hidden_pull 0)": dict(hidden_pull=0.0),
    "inverse without the jiggle (inverse_noise 0)": dict(inverse_noise=0.0),
}

# Where it fails: deep narrow pipes (section g), each rule on a small grid.
DEEP = {"shapes": [(4, 4), (6, 4)],
        "difference_exchange": dict(init_scale=[1.5, 2.0], step=[0.3, 1.0]),
        "backprop": dict(init_scale=[1.0, 2.0], step=[0.1, 0.3])}

# --quick: the same code on tiny sizes, for the test that it runs (its numbers mean nothing).
QUICK = dict(epochs=2, stages=(0, 1, 2), validation_seeds=VALIDATION_SEEDS[:2], test_seeds=TEST_SEEDS[:2],
             n_train=40, n_test=40, cosine_samples=5, deep_shapes=[(4, 4)])


class Settings:
    """How much to run: the full study or its smoke run."""

    def __init__(self, quick):
        self.quick = quick
        q = QUICK if quick else {}
        self.epochs = q.get("epochs", EPOCHS)
        self.stages = q.get("stages", STAGES)
        self.validation_seeds = q.get("validation_seeds", VALIDATION_SEEDS)
        self.test_seeds = q.get("test_seeds", TEST_SEEDS)
        self.n_train, self.n_test = q.get("n_train", N_TRAIN), q.get("n_test", N_TEST)
        self.cosine_samples = q.get("cosine_samples", COSINE_SAMPLES)
        self.deep_shapes = q.get("deep_shapes", DEEP["shapes"])

    def data(self, kind, width, seed):
        return hc.data_set(kind, width=width, seed=seed, n_train=self.n_train, n_test=self.n_test)

    def around(self, shape):
        """The grid searched around a shape's choice (--quick: the choice alone)."""
        grid = SHAPES[shape]["around"]
        chosen = SHAPES[shape]["chosen"]
        return {name: [chosen[name]] for name in grid} if self.quick else grid


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------

def summary(accuracy):
    a = np.asarray(accuracy)
    return f"{a.mean():.3f} ± {a.std():.3f}  worst {a.min():.3f}"


def full_summary(accuracy):
    a = np.asarray(accuracy)
    return (f"{a.mean():.3f} ± {a.std():.3f}  worst {a.min():.3f}  best {a.max():.3f}  "
            f"below 0.90: {int((a < 0.9).sum()):2d}")


def label(combo):
    return "  ".join(f"{name} {value:<5g}" for name, value in combo.items())


def final_accuracy(run):
    return run.metrics["test_accuracy"][-1]


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def train_in_stages(net, data, stages):
    """Train ``net`` up to each epoch of ``stages`` in turn: its weights at every stage, and the last run.

    Training on where the last call stopped is training once: every network's
    generator continues, so it draws the same shuffles and jiggles.
    """
    weights = {stages[0]: net.weights.copy()}
    for start, end in zip(stages, stages[1:]):
        run = hc.train(net, data, epochs=end - start, progress=False, snapshot_every=end - start)
        weights[end] = net.weights.copy()
    return weights, run


def train(net, data, epochs):
    """A run that keeps the weights and metrics at the start and the end only."""
    return hc.train(net, data, epochs=epochs, progress=False, snapshot_every=epochs)


def build_variants(depth, width, seeds, chosen, variants):
    """One exchanger with every variant (a dict of changes to ``chosen`` and SHARED) for every seed, in order."""
    varied = sorted({name for changes in variants.values() for name in changes})
    base = dict(SHARED, **chosen)
    per_variant = [dict(base, **changes) for changes in variants.values()]
    per_network = {name: np.repeat([v[name] for v in per_variant], len(seeds)) for name in varied}
    fixed = {name: value for name, value in base.items() if name not in varied}
    return hc.HeatExchanger.build(depth, width, seeds=np.tile(seeds, len(variants)), **fixed, **per_network)


def baseline_run(rule, shape, data, seeds, epochs):
    c = SHAPES[shape]
    net = hc.HeatExchanger.build(c["depth"], c["width"], seeds=seeds, rule=rule, **BASELINE_SHARED, **c[rule])
    return train(net, data, epochs)


# ---------------------------------------------------------------------------
# a. The validation search
# ---------------------------------------------------------------------------

def validation_search(shape, s):
    """Grid A: init_scale x step at the chosen inverse_step and noise, trained in stages (kept for f).
    Grid B: inverse_step x inverse_noise at the chosen init_scale and step."""
    c = SHAPES[shape]
    chosen, around = c["chosen"], s.around(shape)
    data = s.data(c["data"], c["width"], VALIDATION_DATA_SEED)
    grid_a = hl.Grid(s.validation_seeds, init_scale=around["init_scale"], step=around["step"])
    net_a = grid_a.build(c["depth"], c["width"], **SHARED, inverse_step=chosen["inverse_step"],
                         inverse_noise=chosen["inverse_noise"])
    weights, run_a = train_in_stages(net_a, data, s.stages)
    grid_b = hl.Grid(s.validation_seeds, inverse_step=around["inverse_step"], inverse_noise=NOISES)
    net_b = grid_b.build(c["depth"], c["width"], **SHARED, init_scale=chosen["init_scale"], step=chosen["step"])
    run_b = train(net_b, data, s.epochs)

    lines = {}     # every combination of the four settings searched: its validation accuracy per seed
    for combo, accuracy in grid_a.rows(final_accuracy(run_a)):
        lines[(combo["init_scale"], combo["step"], chosen["inverse_step"], chosen["inverse_noise"])] = accuracy
    same_in_both = None
    for combo, accuracy in grid_b.rows(final_accuracy(run_b)):
        key = (chosen["init_scale"], chosen["step"], combo["inverse_step"], combo["inverse_noise"])
        if key in lines:       # the chosen settings are in both grids: trained in stages and at once
            same_in_both = bool(np.array_equal(lines[key], accuracy))
        lines[key] = accuracy

    print(f"\n== {shape}: {c['data']}_data(seed={VALIDATION_DATA_SEED}) held-out split, network seeds "
          f"{s.validation_seeds[0]}-{s.validation_seeds[-1]}, {s.epochs} epochs "
          f"(validation majority baseline {hc.majority_accuracy(data):.3f}) ==")
    print(f"  grid A, init_scale x step (inverse_step {chosen['inverse_step']:g}, "
          f"inverse_noise {chosen['inverse_noise']:g}):")
    for combo, accuracy in grid_a.rows(final_accuracy(run_a)):
        print(f"    {label(combo):34s} {summary(accuracy)}")
    print(f"  grid B, inverse_step x inverse_noise (init_scale {chosen['init_scale']:g}, step {chosen['step']:g}):")
    for combo, accuracy in grid_b.rows(final_accuracy(run_b)):
        print(f"    {label(combo):34s} {summary(accuracy)}")
    choose(shape, lines, same_in_both)
    quiet_beside_noisy(shape, s, data, grid_b, run_b)
    index = (around["init_scale"].index(chosen["init_scale"]), around["step"].index(chosen["step"]))
    kept = {epoch: grid_a.split(w)[index] for epoch, w in weights.items()}    # the chosen settings' networks
    return data, kept


def quiet_beside_noisy(shape, s, data, grid_b, run_b):
    """Grid B's networks with inverse_noise 0 at the chosen inverse_step, trained again without noisy
    neighbours: how far apart they end (see the note at the top of section a)."""
    c = SHAPES[shape]
    chosen = c["chosen"]
    net = hc.HeatExchanger.build(c["depth"], c["width"], seeds=s.validation_seeds, **SHARED,
                                 **dict(chosen, inverse_noise=0.0))
    alone = train(net, data, s.epochs)
    index = (s.around(shape)["inverse_step"].index(chosen["inverse_step"]), NOISES.index(0.0))
    beside_weights = grid_b.split(run_b.snapshots[-1])[index]
    beside_accuracy = grid_b.split(final_accuracy(run_b))[index]
    difference = np.abs(beside_weights - alone.snapshots[-1]).max()
    same = np.array_equal(beside_accuracy, final_accuracy(alone))
    print(f"  inverse_noise 0 at the chosen settings, trained without noisy neighbours: max |weight difference| "
          f"{difference:.1e}, {'the same accuracies' if same else 'DIFFERENT accuracies: ' + summary(final_accuracy(alone))}")


def choose(shape, lines, same_in_both):
    """The search's choice: the highest mean validation accuracy. Say whether it is the prototype's."""
    names = ("init_scale", "step", "inverse_step", "inverse_noise")
    chosen = SHAPES[shape]["chosen"]
    key = tuple(chosen[name] for name in names)
    ranked = sorted(lines, key=lambda k: -lines[k].mean())
    best = ranked[0]
    show = lambda k: ", ".join(f"{n} {v:g}" for n, v in zip(names, k))
    mine = lines[key]
    error = mine.std() / np.sqrt(len(mine))
    print(f"  the search's choice (highest mean): {show(best)}: {summary(lines[best])}")
    print(f"  the choice used below:              {show(key)}: {summary(mine)} "
          f"(rank {ranked.index(key) + 1} of {len(ranked)})")
    if best == key:
        print("  -> the search chooses the settings used below.")
    else:
        gap = lines[best].mean() - mine.mean()
        print(f"  -> the search would choose differently: {show(best)} beats the choice used below by {gap:.3f} "
              f"in mean ({'less' if gap < error else 'more'} than the standard error of the choice's mean, "
              f"{error:.3f}). The test below keeps the prototype's choice, made before this run.")
    m, sd, worst = PROTOTYPE_VALIDATION[shape]
    reproduced = (round(mine.mean(), 3), round(mine.std(), 3), round(mine.min(), 3)) == (m, sd, worst)
    print(f"  the prototype's validation figure for it: {m:.3f} ± {sd:.3f}  worst {worst:.3f}: "
          f"{'reproduced' if reproduced else 'NOT reproduced'}")
    if same_in_both is not None:
        print(f"  the chosen settings trained in stages (grid A) and at once beside inverse_noise 0 (grid B): "
              f"{'the same accuracies' if same_in_both else 'DIFFERENT accuracies'}")


# ---------------------------------------------------------------------------
# b-e. The held-out test and what it shows
# ---------------------------------------------------------------------------

def test_runs(shape, s):
    """Every run of the held-out test for one shape: the variants in one exchanger, and the baselines."""
    c = SHAPES[shape]
    data = s.data(c["data"], c["width"], TEST_DATA_SEED)
    net = build_variants(c["depth"], c["width"], s.test_seeds, c["chosen"], VARIANTS)
    variants = train(net, data, s.epochs)
    n = len(s.test_seeds)
    runs = {"data": data, "variants": variants,
            "accuracy": {name: final_accuracy(variants)[i * n:(i + 1) * n] for i, name in enumerate(VARIANTS)},
            "forward": {name: variants.forward[:, i * n:(i + 1) * n] for i, name in enumerate(VARIANTS)}}
    for rule in ("end_exchange", "backprop"):
        run = baseline_run(rule, shape, data, s.test_seeds, s.epochs)
        runs["accuracy"][rule] = final_accuracy(run)
        runs["forward"][rule] = run.forward
    return runs


def print_test(tests, s):
    print(f"\n\n#### b. The held-out test, once: {{circle,xor}}_data(seed={TEST_DATA_SEED}) held-out split, "
          f"network seeds {s.test_seeds[0]}-{s.test_seeds[-1]}, {s.epochs} epochs ####")
    for shape, runs in tests.items():
        c = SHAPES[shape]
        print(f"\n== {shape} ==")
        for rule in ("difference_exchange", "end_exchange", "backprop"):
            print(f"  {rule} at {settings_text(c['chosen' if rule == 'difference_exchange' else rule])}")
        for name in ("difference_exchange", "literal exchange (difference 0)", "end_exchange", "backprop"):
            print(f"    {name:34s} {full_summary(runs['accuracy'][name])}")
        print(f"    {'majority baseline':34s} {hc.majority_accuracy(runs['data']):.3f}")
        weak = [(seed, round(float(a), 3)) for seed, a in zip(s.test_seeds, runs["accuracy"]["difference_exchange"])
                if a < 0.9]
        print(f"  difference_exchange seeds below 0.90 (seed, accuracy): {weak}")


def settings_text(settings):
    return ", ".join(f"{name} {value:g}" for name, value in settings.items())


def print_ablations(tests):
    print("\n\n#### c. Ablations at the chosen settings, on the test data: each ingredient taken out ####")
    for shape, runs in tests.items():
        print(f"\n== {shape} ==")
        for name in VARIANTS:
            print(f"  {name:46s} {full_summary(runs['accuracy'][name])}")


def hidden_movement(forward):
    """||W_hidden_end - W_hidden_start|| / ||W_hidden_start|| over the forward pipe's hidden sections: (K,)."""
    start, end = forward[0, :, :-1], forward[-1, :, :-1]
    return np.sqrt(((end - start) ** 2).sum(axis=(1, 2, 3)) / (start ** 2).sum(axis=(1, 2, 3)))


def print_movement(tests):
    print("\n\n#### d. How far the hidden forward weights moved: ||W_end - W_start|| / ||W_start|| over the "
          "forward pipe's hidden sections (test runs) ####")
    for shape, runs in tests.items():
        moved = {name: hidden_movement(runs["forward"][name])
                 for name in ("difference_exchange", "literal exchange (difference 0)", "backprop")}
        print(f"  {shape:11s} " + "   ".join(f"{name}: median {np.median(m):5.2f} (min {m.min():5.2f})"
                                          for name, m in moved.items()))


def logistic_readout(features_train, labels_train, features_test, labels_test, ridge, iterations=50):
    """Held-out accuracy of logistic regression fitted by Newton's method, K problems at once.

    features (K, n, p) with a column of ones, labels (n,) of 0 and 1. Minimises the mean
    log-loss plus ridge/2 |w|^2. numpy only.
    """
    k, n, p = features_train.shape
    w = np.zeros((k, p))
    for _ in range(iterations):
        prob = hc.sigmoid(np.clip(np.einsum("knp,kp->kn", features_train, w), -30, 30))
        gradient = np.einsum("knp,kn->kp", features_train, prob - labels_train) / n + ridge * w
        hessian = (np.einsum("knp,kn,knq->kpq", features_train, prob * (1 - prob), features_train) / n
                   + ridge * np.eye(p))
        w -= np.linalg.solve(hessian, gradient[..., None])[..., 0]
    predicted = np.einsum("knp,kp->kn", features_test, w) > 0
    return np.mean(predicted == (labels_test > 0.5), axis=1)


def readout(forward, data, ridge):
    """Linear read-out of forward layers 0 (x itself) to depth - 1 of every network: (K, depth)."""
    width = forward.shape[-1]
    with np.errstate(over="ignore"):
        train_layers, test_layers = hc.flow(forward, data.x_train), hc.flow(forward, data.x_test)
    ones = lambda layer: np.concatenate([layer[..., :width], np.ones(layer.shape[:-1] + (1,))], axis=-1)
    return np.stack([logistic_readout(ones(train_layers[:, layer]), data.y_train[:, 0],
                                      ones(test_layers[:, layer]), data.y_test[:, 0], ridge)
                     for layer in range(forward.shape[1])], axis=1)


def print_readout(tests):
    print(f"\n\n#### e. What a straight line reads from the forward pipe's layers: logistic regression fitted on "
          f"the training split,\n     held-out accuracy, mean over the test runs' networks; ridge {RIDGES[0]:g} "
          f"(left of the bar) and {RIDGES[1]:g} (right) ####")
    print("  layer 0 is x itself (a line cannot draw a disk or XOR's quadrants); the last forward layer's"
          "\n  input is the last hidden layer.")
    for shape, runs in tests.items():
        forward = runs["forward"]
        lines = [("before training", forward["difference_exchange"][0]),
                 ("difference_exchange, after", forward["difference_exchange"][-1]),
                 ("literal exchange (difference 0), after", forward["literal exchange (difference 0)"][-1]),
                 ("backprop, before", forward["backprop"][0]),
                 ("backprop, after", forward["backprop"][-1])]
        print(f"\n== {shape} (layers 0..{forward['backprop'].shape[2] - 1}) ==")
        for title, weights in lines:
            print(f"  {title:40s} " + "  |  ".join("  ".join(f"{v:.3f}" for v in readout(weights, runs["data"],
                                                                                         ridge).mean(axis=0))
                                                  for ridge in RIDGES))
    print("\n  Caveat at width 8: eight random sigmoid units of x already hold the disk for a line that may take"
          "\n  large weights (the 'before' lines at 3x8 and 4x8, right of the bar), so there the read-out before"
          "\n  and after training measures the ridge as much as what the hidden sections learnt. Four random"
          "\n  units do not (2x4, right of the bar): at width 4 the rise is the sections' learning.")


# ---------------------------------------------------------------------------
# f. The difference exchange's update against backprop's
# ---------------------------------------------------------------------------

def cosine_with_backprop(weights, chosen, data, samples):
    """Per network, the mean over samples of cos(difference exchange's change, backprop's change) of
    the forward pipe's hidden sections together, and per hidden section: (K,), (K, depth - 1)."""
    ours = hc.HeatExchanger(weights, **SHARED, **chosen)
    theirs = hc.HeatExchanger(weights.copy(), rule="backprop", step=1.0)
    cos = lambda u, v, axes: (u * v).sum(axis=axes) / np.sqrt((u * u).sum(axis=axes) * (v * v).sum(axis=axes))
    together, per_section = [], []
    for a, b in zip(ours.networks(), theirs.networks()):
        u = np.stack([a.change(x, y)[0, :-1] for x, y in zip(data.x_train[:samples], data.y_train[:samples])])
        v = np.stack([b.change(x, y)[0, :-1] for x, y in zip(data.x_train[:samples], data.y_train[:samples])])
        together.append(cos(u, v, (1, 2, 3)).mean())
        per_section.append(cos(u, v, (2, 3)).mean(axis=0))
    return np.array(together), np.array(per_section)


def print_cosines(kept, s):
    print(f"\n\n#### f. cos(difference exchange's update, backprop's update) of the forward pipe's hidden sections,"
          f"\n     same weights, same sample (the first {s.cosine_samples} training samples of the validation data),"
          f" the chosen settings' {len(s.validation_seeds)} networks of section a;"
          f"\n     the mean over samples, then over networks (the least network in brackets; per hidden section"
          f" after) ####")
    for shape, (data, weights) in kept.items():
        print(f"\n== {shape} ==")
        for epoch, w in weights.items():
            together, per_section = cosine_with_backprop(w, SHAPES[shape]["chosen"], data, s.cosine_samples)
            sections = ("   per section " + "  ".join(f"{v:6.3f}" for v in per_section.mean(axis=0))
                        if per_section.shape[1] > 1 else "")
            print(f"  epoch {epoch:3d}: {together.mean():6.3f} (least {together.min():6.3f}){sections}")


# ---------------------------------------------------------------------------
# g. Where it fails
# ---------------------------------------------------------------------------

def deep_narrow(s):
    print(f"\n\n#### g. Where it fails: deep narrow pipes, validation (circle_data(seed={VALIDATION_DATA_SEED}), "
          f"network seeds {s.validation_seeds[0]}-{s.validation_seeds[-1]}, {s.epochs} epochs) ####")
    chosen = SHAPES["2x4 circle"]["chosen"]
    for depth, width in s.deep_shapes:
        data = s.data("circle", width, VALIDATION_DATA_SEED)
        print(f"\n== {depth}x{width} circle (validation majority baseline {hc.majority_accuracy(data):.3f}) ==")
        for rule in ("difference_exchange", "backprop"):
            grid = hl.Grid(s.validation_seeds, **DEEP[rule])
            fixed = (dict(SHARED, inverse_step=chosen["inverse_step"], inverse_noise=chosen["inverse_noise"])
                     if rule == "difference_exchange" else dict(rule="backprop", bias=True))
            run = train(grid.build(depth, width, **fixed), data, s.epochs)
            best = max(grid.rows(final_accuracy(run)), key=lambda row: row[1].mean())
            for combo, accuracy in grid.rows(final_accuracy(run)):
                print(f"  {rule:20s} {label(combo):24s} {summary(accuracy)}  below 0.90: "
                      f"{int((accuracy < 0.9).sum()):2d}{'   <- best' if combo == best[0] else ''}")


# ---------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds (numbers mean nothing)")
    s = Settings(parser.parse_args(argv).quick)
    wall, cpu = time.perf_counter(), time.process_time()
    print("The difference heat exchange (rule='difference_exchange')" + (" -- --quick: a smoke run, the numbers "
                                                                          "mean nothing" if s.quick else ""))
    print(f"shared settings: {SHARED}")

    print(f"\n#### a. The validation search: each line the mean ± std over {len(s.validation_seeds)} seeds and the "
          f"worst seed; the choice is the highest mean ####")
    print("  Note: grid B trains networks with inverse_noise 0 beside networks with noise in one exchanger. The"
          "\n  jiggle's extra rows live only in what the rules read, so each network ends exactly where it ends"
          "\n  alone; each shape below checks that by training the quiet ones again on their own.")
    kept = {shape: validation_search(shape, s) for shape in SHAPES}

    tests = {shape: test_runs(shape, s) for shape in SHAPES}
    print_test(tests, s)
    print_ablations(tests)
    print_movement(tests)
    print_readout(tests)
    print_cosines(kept, s)
    deep_narrow(s)
    print(f"\nwall time {time.perf_counter() - wall:.0f} s, CPU time {time.process_time() - cpu:.0f} s")


if __name__ == "__main__":
    main()
