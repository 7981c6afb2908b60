"""Issue 21 item 2: networks of the difference exchange that never learn, and what removes them.

Run from the repository root (each part under 20 minutes on two shared cores):

    nice -n 10 .venv/bin/python studies/stuck_networks.py --part validation | tee studies/stuck_networks_validation.txt
    nice -n 10 .venv/bin/python studies/stuck_networks.py --part shapes     | tee studies/stuck_networks_shapes.txt
    nice -n 10 .venv/bin/python studies/stuck_networks.py --part test       | tee studies/stuck_networks_test.txt
    .venv/bin/python studies/stuck_networks.py --quick      # a smoke run of a few seconds (numbers mean nothing)

At 2 sections of 4 units and today's defaults (``RULE_DEFAULTS["difference_exchange"]``: bias,
init_scale 1, step 2, inverse_step 0.01, inverse_noise 0.1, which the shape rule of
``studies/shape_defaults_formulas.py`` keeps at 2x4) about 3% of networks never learn the circle,
and each of them shows it on its *training* accuracy. This study measures remedies that look only at
training data:

(a) restarts kept on training accuracy, as k-means' ``n_init``: train ``n`` attempts of every network
    and keep the one with the highest final training accuracy (the first of equals); cost n x.
(b) initialisations that cost nothing at train time: "spread", the first forward section's bias
    chosen so that each unit's boundary w.x + b = 0 passes through a random point of the data's square
    [-1, 1]^2; "bias x2", that bias drawn from twice the range.
(c) restarts on demand: an attempt whose training accuracy is below a bar at epoch E is replaced by a
    fresh attempt, at most 3 times. "in place": the fresh attempt gets the epochs that are left
    (200 - E), so training costs nothing extra; "anew": it gets all 200 epochs, cost E (+ 200 if E is
    the end) epochs per restart. E = 200 with "anew" is "train again if it ended stuck".

Attempt r of the network of seed s draws its weights, then its shuffles and jiggles, from its own
generator: ``numpy.random.default_rng(s)`` for r = 0 (exactly ``HeatExchanger.build``: checked
below) and ``numpy.random.default_rng([s, r])`` for r >= 1. An attempt trains exactly as it would
alone, so every policy above is read off the same runs: the attempts r = 0..3 of every network,
trained 200 epochs with training and held-out accuracy kept every 10 epochs, and an attempt restarted
in place at epoch E is attempt r's run read at epoch 200 - E.

--part validation: data seeds 1-4 (held-out split as validation), network seeds 100-199: 400
networks per policy. Every choice is made here: the fewest networks below 0.90, then the lowest cost,
then the highest mean. --part shapes (written after --part validation had run, validation data only): the remedies that lost
no network at 2x4, at the other shapes (3x8, 4x8, 3x4, 4x4, 2x16, 2x8), with the two shape rules for
the difference exchange that ``studies/shape_defaults_formulas.py`` left (round 2) and their blend:
the held-out split of ``circle_data(seed=2)``, network seeds 100-139; attempts after the first are
trained only for the networks some remedy restarts. A remedy that restarts at
epoch 30 can hurt a shape that learns more slowly than 2x4; this part says whether it does. Its
last table is what the choice of shape rule and remedy together is made on: the fewest networks below
0.90 summed over the shapes, then the lowest compute, then the highest mean.

The choice (``CHOSEN``): train every network; train again, from attempt r + 1, each network whose best
attempt so far ends below 0.9 training accuracy, at most 3 times; keep each network's attempt with the
highest final training accuracy (the first of equals). With it the shape rule is max_rule.

--part test: the choice and today's plain training, once, on data seeds
11-14 with network seeds 0-99 (400 networks no choice looked at); the other policies are printed
below it for reference only.
"""

import argparse
import time

import numpy as np

import heatex_core as hc

SETTINGS = dict(rule="difference_exchange", bias=True, init_scale=1.0, step=2.0, inverse_step=0.01,
                inverse_noise=0.1, difference=1.0, hidden_pull=1.0, pull_previous=0.0)
DEPTH, WIDTH = 2, 4
EPOCHS = 200
EVERY = 10                   # accuracy kept every EVERY epochs
ATTEMPTS = 4                 # attempts 0..3: the first and at most 3 restarts
VALIDATION = dict(data_seeds=[1, 2, 3, 4], seeds=list(range(100, 200)))
TEST = dict(data_seeds=[11, 12, 13, 14], seeds=list(range(0, 100)))
CHECK_EPOCHS = [10, 20, 30, 50, 100, 200]
BARS = [0.6, 0.7, 0.8, 0.9]
INITS = ["uniform", "spread", "bias x2"]
FAIL = 0.90

# Written after --part validation had run (its choice, printed at its end): what --part test tests.
# --part validation chose "restart in place at epoch 30 below 0.9" at 2x4; --part shapes then showed that
# restarting at epoch 30 or 50 loses networks at shapes that learn more slowly (4x8, 3x4, 4x4), while training
# again those that end below 0.9 and keeping the best attempt loses none at any shape with max_rule (and none
# of the 400 at 2x4 in its "anew at epoch 200" form, which picks the same networks). That is the choice.
CHOSEN = "again if stuck below 0.9, keep the best"

QUICK = dict(epochs=20, every=10, validation=dict(data_seeds=[1], seeds=[100, 101, 102]),
             shapes_data=dict(data_seeds=[2], seeds=[100, 101]), other_shapes={"3x4": (3, 4), "2x8": (2, 8)},
             test=dict(data_seeds=[11], seeds=[0, 1, 2]), check_epochs=[10, 20], n=60)


# ---------------------------------------------------------------------------
# Building attempt r of every network
# ---------------------------------------------------------------------------

def attempt_rngs(seeds, attempt):
    return [np.random.default_rng(int(s)) if attempt == 0 else np.random.default_rng([int(s), attempt])
            for s in seeds]


def build(seeds, attempt=0, init="uniform", depth=DEPTH, width=WIDTH, settings=SETTINGS):
    """Attempt ``attempt`` of the networks of ``seeds``, drawn as ``HeatExchanger.build`` draws, then
    (init "spread" or "bias x2") the first forward section's bias row drawn again from the same generator."""
    rngs = attempt_rngs(seeds, attempt)
    scale = settings["init_scale"]
    shape = (2, depth, width + 1, width)
    draws = [rng.uniform(-scale, scale, shape) for rng in rngs]
    for rng, w in zip(rngs, draws):
        first = w[0, 0]                       # forward pipe, section 0: rows x0, x1, (zeros' rows), bias
        if init == "spread":                  # each unit's boundary through a random point c of [-1, 1]^2
            c = rng.uniform(-1, 1, (2, width))
            first[-1] = -(first[0] * c[0] + first[1] * c[1])
        elif init == "bias x2":
            first[-1] = rng.uniform(-2 * scale, 2 * scale, width)
    net = hc.HeatExchanger(np.stack(draws), seeds=seeds, **settings)
    net.rngs = rngs
    return net


def check_build_matches_library(seeds, data, epochs):
    ours = build(seeds)
    theirs = hc.HeatExchanger.build(DEPTH, WIDTH, seeds=seeds, **SETTINGS)
    same_start = np.array_equal(ours.weights, theirs.weights)
    a = hc.train(ours, data, epochs=epochs, progress=False, snapshot_every=epochs)
    b = hc.train(theirs, data, epochs=epochs, progress=False, snapshot_every=epochs)
    same_end = np.array_equal(a.snapshots[-1], b.snapshots[-1])
    print(f"  attempt 0 is HeatExchanger.build exactly: same initial weights {same_start}, "
          f"same weights after {epochs} epochs {same_end}")


def runs(data_seeds, seeds, init, attempts, epochs, every, n, depth=DEPTH, width=WIDTH, settings=SETTINGS):
    """Training and held-out accuracy every ``every`` epochs: arrays (attempts, data seeds, networks, checks)."""
    train_acc, test_acc = [], []
    for attempt in range(attempts):
        tr, te = [], []
        for d in data_seeds:
            data = hc.circle_data(n, n, width=width, seed=d)
            run = hc.train(build(seeds, attempt, init, depth, width, settings), data, epochs=epochs, progress=False,
                           snapshot_every=every)
            tr.append(run.metrics["train_accuracy"].T)
            te.append(run.metrics["test_accuracy"].T)
        train_acc.append(tr)
        test_acc.append(te)
    return np.array(train_acc), np.array(test_acc)


# ---------------------------------------------------------------------------
# Policies, read off the attempts' runs
# ---------------------------------------------------------------------------

def at(epoch, every):
    return epoch // every


def plain(train_acc, test_acc, every, epochs):
    return test_acc[0, ..., -1], np.full(test_acc.shape[1:3], float(epochs))


def n_init(n):
    def policy(train_acc, test_acc, every, epochs):
        best = np.argmax(train_acc[:n, ..., -1], axis=0)       # the first of equals
        chosen = np.take_along_axis(test_acc[:n, ..., -1], best[None], axis=0)[0]
        return chosen, np.full(best.shape, float(n * epochs))
    policy.__name__ = f"n_init {n}"
    return policy


def on_demand(check, bar, mode):
    """Attempt r is checked at its own epoch ``check``; below ``bar`` it is replaced by attempt r + 1."""
    def policy(train_acc, test_acc, every, epochs):
        attempts = train_acc.shape[0]
        final = np.empty(train_acc.shape[1:3])
        cost = np.empty(train_acc.shape[1:3])
        for index in np.ndindex(final.shape):
            spent, left = 0.0, epochs
            for r in range(attempts):
                own = left if mode == "in place" else epochs          # the epochs attempt r gets
                last = r == attempts - 1
                if last or check > own or train_acc[(r,) + index + (at(check, every),)] >= bar:
                    final[index] = test_acc[(r,) + index + (at(own, every),)]
                    spent += own
                    break
                spent += check                                         # attempt r stopped at its epoch `check`
                left -= check
            cost[index] = spent
        return final, cost
    policy.__name__ = f"restart {mode} at epoch {check} below {bar:g}"
    policy.key = (check, bar, mode)
    return policy


def again_if_stuck(bar):
    """Train anew while the best attempt so far ends below ``bar`` in training accuracy (at most 3 times);
    keep the attempt with the highest final training accuracy (the first of equals)."""
    def policy(train_acc, test_acc, every, epochs):
        attempts = train_acc.shape[0]
        final_train = train_acc[..., -1]
        final = np.empty(final_train.shape[1:])
        cost = np.empty(final_train.shape[1:])
        for index in np.ndindex(final.shape):
            used = 1
            while used < attempts and final_train[(slice(0, used),) + index].max() < bar:
                used += 1
            best = int(np.argmax(final_train[(slice(0, used),) + index]))
            final[index] = test_acc[(best,) + index + (-1,)]
            cost[index] = used * epochs
        return final, cost
    policy.__name__ = f"again if stuck below {bar:g}, keep the best"
    return policy


def policies(check_epochs, epochs):
    found = [plain, n_init(2), n_init(3)]
    for mode in ("in place", "anew"):
        for check in check_epochs:
            if mode == "in place" and check * (ATTEMPTS - 1) >= epochs:
                continue                                               # the last attempt would get no epochs
            for bar in BARS:
                found.append(on_demand(check, bar, mode))
    return found


def line(name, accuracy, cost, epochs):
    a = accuracy.ravel()
    below = int((a < FAIL).sum())
    return (f"  {name:42s} below {FAIL:.2f}: {below:3d} of {a.size}   mean {a.mean():.4f}  worst {a.min():.3f}"
            f"   compute {cost.mean() / epochs:5.3f} x   most epochs of one network {cost.max():.0f}"), below


def score(policies_, train_acc, test_acc, every, epochs, title, only=None):
    print(title)
    rows = []
    for p in policies_:
        if only is not None and p.__name__ not in only:
            continue
        accuracy, cost = p(train_acc, test_acc, every, epochs)
        text, below = line(p.__name__, accuracy, cost, epochs)
        print(text)
        rows.append((below, round(cost.mean() / epochs, 3), -accuracy.mean(), p.__name__))
    return rows


def describe_failures(train_acc, test_acc, every, check_epochs, title):
    """Where the networks that end below 0.90 stand at each check epoch, beside the others."""
    print(title)
    final = test_acc[0, ..., -1]
    fail = final < FAIL
    print(f"  {int(fail.sum())} of {fail.size} end below {FAIL:.2f}; their final training accuracy "
          f"{np.round(np.sort(train_acc[0, ..., -1][fail]), 3).tolist()}")
    for check in check_epochs:
        tr = train_acc[0, ..., at(check, every)]
        good = tr[~fail] if (~fail).any() else np.array([np.nan])
        print(f"  epoch {check:3d}: training accuracy of the stuck ones {np.round(np.sort(tr[fail]), 2).tolist()}"
              f"\n             of the others: 1st percentile {np.percentile(good, 1):.3f}, 5th {np.percentile(good, 5):.3f}, "
              f"share below " + ", ".join(f"{b:g}: {np.mean(good < b):.3f}" for b in BARS))


# ---------------------------------------------------------------------------

def validation(s):
    v = s["validation"]
    print(f"\n#### Validation: circle_data(seed={v['data_seeds']}) held-out split, network seeds {v['seeds'][0]}-"
          f"{v['seeds'][-1]}: {len(v['data_seeds']) * len(v['seeds'])} networks, {s['epochs']} epochs ####")
    check_build_matches_library(v["seeds"][:4], hc.circle_data(s["n"], s["n"], width=WIDTH, seed=v["data_seeds"][0]), 3)
    start = time.perf_counter()
    tr, te = runs(v["data_seeds"], v["seeds"], "uniform", ATTEMPTS, s["epochs"], s["every"], s["n"])
    print(f"  (attempts 0-{ATTEMPTS - 1} trained in {time.perf_counter() - start:.0f} s)")
    describe_failures(tr, te, s["every"], s["check_epochs"], "\n== The stuck networks on training data (attempt 0) ==")
    rows = score(policies(s["check_epochs"], s["epochs"]), tr, te, s["every"], s["epochs"],
                 "\n== (a) and (c): restarts, uniform initialisation ==")
    print("\n== (b) initialisations, no restart ==")
    for init in INITS[1:]:
        tr_i, te_i = runs(v["data_seeds"], v["seeds"], init, 1, s["epochs"], s["every"], s["n"])
        accuracy, cost = plain(tr_i, te_i, s["every"], s["epochs"])
        text, below = line(f"init {init}", accuracy, cost, s["epochs"])
        print(text)
        rows.append((below, 1.0, -accuracy.mean(), f"init {init}"))
    rows.sort()
    print("\n== Ranked: fewest below 0.90, then lowest compute, then highest mean (the first ten) ==")
    for below, cost, mean, name in rows[:10]:
        print(f"  {name:42s} below: {below:3d}   compute {cost:5.3f} x   mean {-mean:.4f}")
    print(f"  -> the choice: {rows[0][3]}")


def test(s):
    t = s["test"]
    chosen = CHOSEN or "n_init 2"
    print(f"\n#### Test, once: circle_data(seed={t['data_seeds']}) held-out split, network seeds {t['seeds'][0]}-"
          f"{t['seeds'][-1]}: {len(t['data_seeds']) * len(t['seeds'])} networks, {s['epochs']} epochs ####")
    print(f"  the choice made on validation: {chosen}" + ("" if CHOSEN else " (CHOSEN not set: a stand-in)"))
    start = time.perf_counter()
    tr, te = runs(t["data_seeds"], t["seeds"], "uniform", ATTEMPTS, s["epochs"], s["every"], s["n"])
    print(f"  (attempts 0-{ATTEMPTS - 1} trained in {time.perf_counter() - start:.0f} s)")
    every_policy = policies(s["check_epochs"], s["epochs"]) + [again_if_stuck(0.9)]
    score(every_policy, tr, te, s["every"], s["epochs"], "\n== Before (plain) and after (the choice) ==",
          only={"plain", chosen})
    for d, data_seed in enumerate(t["data_seeds"]):
        score(every_policy, tr[:, d:d + 1], te[:, d:d + 1], s["every"], s["epochs"],
              f"  data seed {data_seed}:", only={"plain", chosen})
    describe_failures(tr, te, s["every"], s["check_epochs"], "\n== The stuck networks on training data (attempt 0) ==")
    score(every_policy, tr, te, s["every"], s["epochs"],
          "\n== For reference only (not a choice): every policy on the test networks ==")


# ---------------------------------------------------------------------------
# --part shapes: the remedies at the other shapes, with the two shape rules left (validation)
# ---------------------------------------------------------------------------

OTHER_SHAPES = {"3x8": (3, 8), "4x8": (4, 8), "3x4": (3, 4), "4x4": (4, 4), "2x16": (2, 16), "2x8": (2, 8)}
SHAPES_DATA = dict(data_seeds=[2], seeds=list(range(100, 140)))


def width_sqrt_depth(depth, width):
    """init_scale = sqrt(width) / 2, step = 2 (4 / width)^2 * 2 / depth"""
    return dict(init_scale=np.sqrt(width) / 2, step=2.0 * (4 / width) ** 2 * 2 / depth)


def depth_width_sqrt(depth, width):
    """init_scale = sqrt(width (depth - 1)) / 2, step = 2 (4 / width)^2 * 2 / depth"""
    return dict(init_scale=np.sqrt(width * (depth - 1)) / 2, step=2.0 * (4 / width) ** 2 * 2 / depth)


def max_rule(depth, width):
    """init_scale = max(sqrt(width) / 2, sqrt(depth - 1)), step = 2 (4 / width)^2 * 2 / depth"""
    return dict(init_scale=max(np.sqrt(width) / 2, np.sqrt(depth - 1)), step=2.0 * (4 / width) ** 2 * 2 / depth)


# Round 2 of studies/shape_defaults_formulas.py left two: width_sqrt_depth (no loss at the named shapes,
# 3x8 and 3x16, but 6 of 40 at 3x4, 16 at 4x4) and depth_width_sqrt (better at 3x4 and 4x4, worse at 4x8,
# 7 of 40 at 3x16). max_rule takes the larger init_scale of width_sqrt_depth and sqrt(depth - 1): the same
# as width_sqrt_depth wherever that lost nothing but at 4x8 (1.73), depth_width_sqrt's at 3x4 and 4x4.
SHAPE_RULES = {"width_sqrt_depth": width_sqrt_depth, "max_rule": max_rule}
NEEDED_CHECKS = (30, 50, 200)      # an attempt below 0.9 training accuracy at any of these (or at the end) gets a next attempt


def shape_policies(epochs):
    found = [plain]
    for check in (30, 50):
        found.append(on_demand(check, 0.9, "in place"))
        found.append(on_demand(check, 0.9, "anew"))
    found.append(on_demand(epochs, 0.9, "anew"))
    found.append(again_if_stuck(0.9))
    return found


def sparse_runs(data_seed, seeds, epochs, every, n, depth, width, settings):
    """As ``runs`` for one data seed, but attempt r + 1 only for the networks whose attempt r is below 0.9
    training accuracy at one of NEEDED_CHECKS (every policy above reads no other attempt); NaN elsewhere."""
    data = hc.circle_data(n, n, width=width, seed=data_seed)
    checks = epochs // every + 1
    train_acc = np.full((ATTEMPTS, 1, len(seeds), checks), np.nan)
    test_acc = np.full((ATTEMPTS, 1, len(seeds), checks), np.nan)
    todo = np.arange(len(seeds))
    trained = 0
    for attempt in range(ATTEMPTS):
        if len(todo) == 0:
            break
        run = hc.train(build(np.asarray(seeds)[todo], attempt, "uniform", depth, width, settings), data, epochs=epochs,
                       progress=False, snapshot_every=every)
        train_acc[attempt, 0, todo] = run.metrics["train_accuracy"].T
        test_acc[attempt, 0, todo] = run.metrics["test_accuracy"].T
        trained += len(todo)
        needed = sorted({c for c in NEEDED_CHECKS if c <= epochs} | {epochs})
        low = np.any(train_acc[attempt, 0, todo][:, [at(c, every) for c in needed]] < 0.9, axis=1)
        todo = todo[low]
    return train_acc, test_acc, trained


def shapes(s):
    v = s["shapes_data"]
    print(f"\n#### The remedies at other shapes, with the shape rules of studies/shape_defaults_formulas.py: "
          f"circle_data(seed={v['data_seeds'][0]}) held-out split, network seeds {v['seeds'][0]}-{v['seeds'][-1]}, "
          f"{s['epochs']} epochs (validation) ####")
    totals = {}
    cache = {}               # the same settings at the same shape train the same networks: trained once
    for rule_name, rule in SHAPE_RULES.items():
        print(f"\n=== {rule_name}: {rule.__doc__} ===")
        for name, (depth, width) in s["other_shapes"].items():
            settings = dict(SETTINGS, **rule(depth, width))
            start = time.perf_counter()
            key = (name, settings["init_scale"], settings["step"])
            if key not in cache:
                cache[key] = sparse_runs(v["data_seeds"][0], v["seeds"], s["epochs"], s["every"], s["n"], depth, width,
                                         settings)
            tr, te, trained = cache[key]
            print(f"\n== {name}: init_scale {settings['init_scale']:.3g}, step {settings['step']:.3g} "
                  f"({trained} attempts trained, {time.perf_counter() - start:.0f} s) ==")
            fail = te[0, ..., -1] < FAIL
            for check in (30, 50, s["epochs"]):
                if check > s["epochs"]:
                    continue
                t = tr[0, ..., at(check, s["every"])]
                print(f"  epoch {check:3d}: training accuracy below 0.9: {int((t < 0.9).sum())} of {t.size} "
                      f"({int((t[fail] < 0.9).sum())} of the {int(fail.sum())} that end below {FAIL:.2f} on validation)")
            for p in shape_policies(s["epochs"]):
                accuracy, cost = p(tr, te, s["every"], s["epochs"])
                text, below = line(p.__name__, accuracy, cost, s["epochs"])
                print(text)
                t = totals.setdefault((rule_name, p.__name__), [0, [], [], {}])
                t[0] += below
                t[1].append(cost.mean() / s["epochs"])
                t[2].append(accuracy.mean())
                t[3][name] = below
    print(f"\n== Over these shapes ({', '.join(s['other_shapes'])}): below 0.90 (per shape), mean compute, mean of the means ==")
    for (rule_name, name), (below, cost, mean, per) in totals.items():
        print(f"  {rule_name:17s} {name:42s} below: {below:3d} {per}   compute {np.mean(cost):5.3f} x   mean {np.mean(mean):.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["validation", "shapes", "test"], default="validation")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds (numbers mean nothing)")
    args = parser.parse_args(argv)
    s = dict(epochs=EPOCHS, every=EVERY, validation=VALIDATION, test=TEST, check_epochs=CHECK_EPOCHS, n=500,
             shapes_data=SHAPES_DATA, other_shapes=OTHER_SHAPES)
    if args.quick:
        s.update(QUICK)
    wall, cpu = time.perf_counter(), time.process_time()
    print(f"Stuck networks of the difference exchange at {DEPTH}x{WIDTH}, part {args.part}"
          + (" -- --quick: a smoke run, the numbers mean nothing" if args.quick else ""))
    print(f"settings: {SETTINGS}")
    if args.quick:
        validation(s)
        shapes(s)
        test(s)
    else:
        {"validation": validation, "shapes": shapes, "test": test}[args.part](s)
    print(f"\nwall time {time.perf_counter() - wall:.0f} s, CPU time {time.process_time() - cpu:.0f} s")


if __name__ == "__main__":
    main()
