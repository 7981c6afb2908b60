"""Difference exchange, issue 21 item 1, step 1: how the good settings move with the shape (validation only).

Run from the repository root, one shape group at a time (each run under 20 minutes on two shared cores):

    nice -n 10 .venv/bin/python studies/shape_defaults_scan.py --shapes 2x4 3x8 | tee studies/shape_defaults_scan_2x4_3x8.txt
    nice -n 10 .venv/bin/python studies/shape_defaults_scan.py --shapes 4x8     | tee studies/shape_defaults_scan_4x8.txt
    nice -n 10 .venv/bin/python studies/shape_defaults_scan.py --shapes 2x16    | tee studies/shape_defaults_scan_2x16.txt
    .venv/bin/python studies/shape_defaults_scan.py --quick      # a smoke run of a few seconds (numbers mean nothing)

For each shape the issue names (2x4, 3x8, 4x8, 2x16), the difference exchange is trained on a log grid
of init_scale x step, with today's inverse_step 0.01 and inverse_noise 0.1, bias, difference 1,
hidden_pull 1, pull_previous 0 (``RULE_DEFAULTS["difference_exchange"]`` apart from init_scale and step),
20 networks per cell (network seeds 100-119), 200 epochs, on the *validation* data: the held-out split
of ``circle_data(seed=1)``. No test data is read here. The table says, for every cell, the mean, the
spread, the worst network and how many networks end below 0.90, and also the mean training accuracy
and the mean accuracy at epoch 50 (how fast it gets there). Its purpose is to see how the good region
moves with width and depth, so that a formula can be proposed (``studies/shape_defaults_formulas.py``
compares formulas, still on validation).

Only ``heatex_core`` is used; all cells of one shape are one exchanger (``hc.Grid``), each network
exactly as it would be alone.
"""

import argparse
import time

import numpy as np

import heatex_core as hc

SHAPES = {"2x4": (2, 4), "3x8": (3, 8), "4x8": (4, 8), "2x16": (2, 16), "3x4": (3, 4), "2x8": (2, 8)}
INIT_SCALES = [0.5, 1.0, 2.0, 3.0]
STEPS = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0]
FIXED = dict(rule="difference_exchange", bias=True, difference=1.0, hidden_pull=1.0, pull_previous=0.0,
             inverse_step=0.01, inverse_noise=0.1)
VALIDATION_DATA_SEED = 1
SEEDS = list(range(100, 120))
EPOCHS = 200
EARLY = 50          # the epoch at which the speed column is read


def summary(a):
    a = np.asarray(a)
    return f"{a.mean():.3f} ± {a.std():.3f}  worst {a.min():.3f}  <0.90: {int((a < 0.9).sum()):2d}"


def scan(name, seeds, epochs, early, n, init_scales, steps):
    depth, width = SHAPES[name]
    data = hc.circle_data(n, n, width=width, seed=VALIDATION_DATA_SEED)
    grid = hc.Grid(seeds, init_scale=init_scales, step=steps)
    start = time.perf_counter()
    run = hc.train(grid.build(depth, width, **FIXED), data, epochs=epochs, progress=False, snapshot_every=early)
    at = list(run.snapshot_epochs)
    test, train = run.metrics["test_accuracy"], run.metrics["train_accuracy"]
    print(f"\n== {name}: circle_data(seed={VALIDATION_DATA_SEED}) held-out split, network seeds {seeds[0]}-{seeds[-1]}, "
          f"{epochs} epochs, validation majority baseline {hc.majority_accuracy(data):.3f} "
          f"({time.perf_counter() - start:.0f} s) ==")
    print(f"  {'init_scale':>10s} {'step':>5s}   validation accuracy at epoch {epochs}              "
          f"train (mean)  epoch {early} (mean)")
    best = None
    for k, (combo, final) in enumerate(grid.rows(test[-1])):
        tr = grid.rows(train[-1])[k][1]
        mid = grid.rows(test[at.index(early)])[k][1]
        print(f"  {combo['init_scale']:10g} {combo['step']:5g}   {summary(final)}   {tr.mean():.3f}        "
              f"{mid.mean():.3f}")
        key = (int((final < 0.9).sum()), -final.mean())
        if best is None or key < best[0]:
            best = (key, combo)
    print(f"  fewest below 0.90, then highest mean: init_scale {best[1]['init_scale']:g}, step {best[1]['step']:g}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["2x4"], choices=list(SHAPES))
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds (numbers mean nothing)")
    args = parser.parse_args(argv)
    wall, cpu = time.perf_counter(), time.process_time()
    quick = args.quick
    print("Difference exchange: init_scale x step by shape, validation only"
          + (" -- --quick: a smoke run, the numbers mean nothing" if quick else ""))
    print(f"fixed settings: {FIXED}")
    for name in args.shapes:
        if quick:
            scan(name, SEEDS[:2], 4, 2, 40, INIT_SCALES[:2], STEPS[:2])
        else:
            scan(name, SEEDS, EPOCHS, EARLY, 500, INIT_SCALES, STEPS)
    print(f"\nwall time {time.perf_counter() - wall:.0f} s, CPU time {time.process_time() - cpu:.0f} s")


if __name__ == "__main__":
    main()
