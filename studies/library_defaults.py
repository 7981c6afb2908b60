"""The library's defaults, held out: what ``build(depth, width, rule=...)`` with nothing else gives.

    nice .venv/bin/python studies/library_defaults.py | tee studies/library_defaults.txt

studies/shape_defaults_test.py tested the proposed defaults with its own copy of the build and the
remedy; this runs the library's own ``hc.rule_defaults`` and ``hc.train(..., retrain_below=0.9)`` on
the same held-out data (the test split of ``circle_data(seed=11)`` and ``seed=12``, network seeds
0-39, 200 epochs) and must print the same numbers. Nothing here chooses anything.
"""
import time

import numpy as np

import heatex_core as hc

SHAPES = [(2, 4), (3, 8), (4, 8), (2, 16)]
DATA_SEEDS = [11, 12]
SEEDS = range(40)


def line(name, accuracy, extra=""):
    print(f"  {name:38s} {accuracy.mean():.3f} ± {accuracy.std():.3f}  worst {accuracy.min():.3f}  "
          f"<0.90: {int(np.sum(accuracy < 0.9)):2d}{extra}")


def main():
    start = time.perf_counter()
    for depth, width in SHAPES:
        for data_seed in DATA_SEEDS:
            data = hc.circle_data(width=width, seed=data_seed)
            print(f"== {depth}x{width}, circle_data(seed={data_seed}), networks 0-39, 200 epochs ==")
            for rule in ("difference_exchange", "backprop", "end_exchange"):
                run = hc.train(hc.HeatExchanger.build(depth, width, seeds=SEEDS, rule=rule), data, progress=False,
                               snapshot_every=200)
                line(f"{rule}, defaults", run.metrics["test_accuracy"][-1])
            run = hc.train(hc.HeatExchanger.build(depth, width, seeds=SEEDS, rule="difference_exchange"), data,
                           progress=False, snapshot_every=200, retrain_below=0.9)
            again = int(np.sum(np.array(run.config["attempts_kept"]) > 0))
            line("difference_exchange, retrain_below=0.9", run.metrics["test_accuracy"][-1],
                 f"   ({again} network{'s' * (again != 1)} kept a later attempt)")
            print(f"  majority baseline                      {hc.majority_accuracy(data):.3f}")
    print(f"wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
