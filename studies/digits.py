"""Handwritten digits through sections of different widths: the difference exchange against backprop.

Run from the repository root (about 25 minutes on two shared cores):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python studies/digits.py | tee studies/digits.txt
    .venv/bin/python studies/digits.py --quick    # a smoke run of a few seconds

This shows that the machinery of issue 21, item 3 is right -- pipes of layers
64-32-10 and 64-16-10, one-hot targets, the answer read as the largest output,
many networks at once -- on the digits shipped with heatex (``hc.digits_data``,
item 4). It is not the search notebook 08 will need.

The data: ``hc.digits_data(n_train=1297, n_test=500, seed=0)``, a stratified
split of the 1,797 images. Every choice is made on *validation* data: the
training images split again, ``hc.digits_data(n_train=1000, n_test=297,
seed=0)`` (the same order, so its 297 validation images are the last 297 of the
1,297 training images, and none of the 500 test images), network seeds 100-104.
For each shape and rule a small grid of init_scale x step is trained there; the
highest mean validation accuracy after ``EPOCHS`` epochs chooses. The choice is
then trained once on all 1,297 training images with network seeds 0-9 and
scored once on the 500 test images.

Rules: the difference exchange (its defaults for everything but init_scale and
step: difference 1, hidden_pull 1, inverse_step 0.01, inverse_noise 0.1),
backprop (bias, the same sigmoid and online steps), and the difference exchange
with its hidden section frozen at its random start (hidden_pull 0: only the
last section learns, a perceptron on random features). Baselines: the majority
class, and two linear read-outs of the raw pixels: least squares to the one-hot
targets (ridge) and softmax regression (L2), their strength chosen on the same
validation split.

Set OPENBLAS_NUM_THREADS=1 on a shared machine: with its default of one thread
per core, OpenBLAS under load ran the measuring flows ten times slower here.
"""

import argparse
import os
import time

import numpy as np

import heatex_core as hc
import heatex_lab as hl

DATA_SEED = 0
N_TRAIN, N_TEST = 1297, 500
N_FIT = 1000                                   # the validation split: 1,000 to train, 297 to validate
VALIDATION_SEEDS = list(range(100, 105))
TEST_SEEDS = list(range(10))
EPOCHS = 30
SHAPES = ((64, 32, 10), (64, 16, 10))
RULES = {
    "difference exchange": dict(
        fixed=dict(rule="difference_exchange"),
        grid=dict(init_scale=[0.3, 0.5, 1.0], step=[1.0, 2.0, 3.0, 5.0])),
    "backprop": dict(
        fixed=dict(rule="backprop", bias=True),
        grid=dict(init_scale=[0.3, 0.5, 1.0], step=[1.0, 2.0, 4.0])),
    "frozen random hidden": dict(
        fixed=dict(rule="difference_exchange", hidden_pull=0.0),
        grid=dict(init_scale=[0.5, 1.0, 2.0], step=[0.3, 1.0, 3.0])),
}
RIDGES = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]          # least squares' ridge, per sample
L2S = [0.0, 1e-4, 1e-3, 1e-2]                         # softmax regression's L2, per sample
TIMING_NETWORKS = 20

# --quick: the same code on tiny sizes, for the test that it runs (its numbers mean nothing).
QUICK = dict(N_TRAIN=120, N_TEST=60, N_FIT=90, VALIDATION_SEEDS=[100, 101], TEST_SEEDS=[0, 1], EPOCHS=2,
             TIMING_NETWORKS=2,
             RULES={name: dict(fixed=r["fixed"], grid={k: v[:1] for k, v in r["grid"].items()})
                    for name, r in RULES.items()},
             RIDGES=RIDGES[:2], L2S=L2S[:2])


def shape_name(widths):
    return "-".join(map(str, widths))


def summary(accuracy):
    accuracy = np.asarray(accuracy)
    return f"{accuracy.mean():.3f} ± {accuracy.std():.3f}  worst {accuracy.min():.3f}"


def final_accuracy(net, data, epochs):
    """Test accuracy of each network after ``epochs`` (measured at the start and the end only)."""
    run = hc.train(net, data, epochs=epochs, progress=False, snapshot_every=epochs)
    return run.metrics["test_accuracy"][-1]


def search(widths, name, spec, validation, c):
    """Every combination of the grid on validation data; returns the chosen settings and the lines to print."""
    grid = hl.Grid(seeds=c["VALIDATION_SEEDS"], **spec["grid"])
    accuracy = final_accuracy(grid.build(widths=widths, **spec["fixed"]), validation, c["EPOCHS"])
    rows = grid.rows(accuracy)
    best = max(rows, key=lambda row: row[1].mean())
    lines = [f"    {'  '.join(f'{k} {v:<4g}' for k, v in combo.items())}   {summary(values)}"
             + ("   <- chosen" if combo is best[0] else "") for combo, values in rows]
    edges = [k for k, values in spec["grid"].items() if len(values) > 1 and best[0][k] in (values[0], values[-1])]
    if edges:
        lines.append(f"    (the choice is at the edge of the grid in {' and '.join(edges)}: a value beyond may do better)")
    return best[0], best[1], lines


def with_bias(x):
    return np.column_stack([x, np.ones(len(x))])


def least_squares(x, y, ridge):
    a = with_bias(x)
    penalty = ridge * len(x) * np.eye(a.shape[1])
    penalty[-1, -1] = 0                                 # the bias is not shrunk
    return np.linalg.solve(a.T @ a + penalty, a.T @ y)


def softmax_regression(x, y, l2, iterations=3000, rate=0.2):
    """Multinomial logistic regression by full-batch gradient descent with momentum (a convex problem)."""
    a = with_bias(x)
    w, velocity = np.zeros((a.shape[1], y.shape[1])), np.zeros((a.shape[1], y.shape[1]))
    for _ in range(iterations):
        z = a @ w
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        gradient = a.T @ (p - y) / len(x) + l2 * np.vstack([w[:-1], np.zeros((1, w.shape[1]))])
        velocity = 0.9 * velocity - rate * gradient
        w += velocity
    return w


def read_out_accuracy(w, data):
    return float(np.mean((with_bias(data.x_test) @ w).argmax(axis=1) == data.labels("test")))


def linear_read_outs(validation, test, c):
    """The two linear read-outs of the raw pixels: strength chosen on validation, test scored once."""
    lines = []
    for name, fit, strengths, label in (("least squares to the one-hot targets", least_squares, c["RIDGES"], "ridge"),
                                        ("softmax regression", softmax_regression, c["L2S"], "L2")):
        scores = {s: read_out_accuracy(fit(validation.x_train, validation.y_train, s), validation) for s in strengths}
        chosen = max(scores, key=scores.get)
        tested = read_out_accuracy(fit(test.x_train, test.y_train, chosen), test)
        lines.append(f"  linear read-out, {name}: validation {', '.join(f'{label} {s:g}: {v:.3f}' for s, v in scores.items())}"
                     f"\n    -> {label} {chosen:g}; test accuracy {tested:.3f} (deterministic: one number)")
    return lines


def epoch_time(widths, rule_spec, settings, data, k):
    """Seconds, wall and CPU, for the steps of one epoch of ``k`` networks on ``data``, and for one measure."""
    net = hc.HeatExchanger.build(widths=widths, seeds=range(k), **rule_spec["fixed"], **settings)
    wall, cpu = time.perf_counter(), time.process_time()
    hc.measure(net, data)
    measure = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    hc.train(net, data, epochs=1, progress=False)                 # its steps, and a measure at epochs 0 and 1
    return (time.perf_counter() - wall - 2 * measure[0], time.process_time() - cpu - 2 * measure[1]), measure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds (numbers mean nothing)")
    args = parser.parse_args(argv)
    c = {name: globals()[name] for name in QUICK} | (QUICK if args.quick else {})
    started = time.time()
    print("Handwritten digits through sections of different widths" + (" -- --quick: a smoke run, the numbers mean "
                                                                      "nothing" if args.quick else ""))
    test = hc.digits_data(n_train=c["N_TRAIN"], n_test=c["N_TEST"], seed=DATA_SEED)
    validation = hc.digits_data(n_train=c["N_FIT"], n_test=c["N_TRAIN"] - c["N_FIT"], seed=DATA_SEED)
    assert np.array_equal(validation.x_test, test.x_train[c["N_FIT"]:]), "validation must be training images"
    print(f"test: digits_data(n_train={c['N_TRAIN']}, n_test={c['N_TEST']}, seed={DATA_SEED}); validation: the "
          f"training images split {c['N_FIT']} / {c['N_TRAIN'] - c['N_FIT']}; {c['EPOCHS']} epochs; validation seeds "
          f"{c['VALIDATION_SEEDS'][0]}-{c['VALIDATION_SEEDS'][-1]}, test seeds {c['TEST_SEEDS'][0]}-"
          f"{c['TEST_SEEDS'][-1]}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"majority class: validation {hc.majority_accuracy(validation):.3f}, test {hc.majority_accuracy(test):.3f}")
    table, chosen_settings = [], {}
    for widths in SHAPES:
        print(f"\n== {shape_name(widths)}: the validation search (mean ± std over {len(c['VALIDATION_SEEDS'])} seeds, "
              f"worst seed) ==", flush=True)
        for name, spec in c["RULES"].items():
            begun = time.time()
            settings, _, lines = search(widths, name, spec, validation, c)
            chosen_settings[shape_name(widths), name] = settings
            print(f"  {name} ({', '.join(f'{k}={v}' for k, v in spec['fixed'].items())}), "
                  f"{time.time() - begun:.0f} s:")
            print("\n".join(lines), flush=True)
        print(f"\n== {shape_name(widths)}: the choices, trained on all {c['N_TRAIN']} training images with seeds "
              f"{c['TEST_SEEDS'][0]}-{c['TEST_SEEDS'][-1]}, test scored once ==")
        for name, spec in c["RULES"].items():
            settings = chosen_settings[shape_name(widths), name]
            net = hc.HeatExchanger.build(widths=widths, seeds=c["TEST_SEEDS"], **spec["fixed"], **settings)
            accuracy = final_accuracy(net, test, c["EPOCHS"])
            table.append((shape_name(widths), name, settings, accuracy))
            print(f"  {name:22s} {summary(accuracy)}   ({', '.join(f'{k} {v:g}' for k, v in settings.items())})",
                  flush=True)
    print("\n== linear read-outs of the raw pixels (no hidden section) ==")
    print("\n".join(linear_read_outs(validation, test, c)))
    print(f"\n== the table: test accuracy over {len(c['TEST_SEEDS'])} seeds, settings chosen on validation ==")
    print(f"  {'shape':9s} {'rule':22s} {'mean':>6s} {'std':>6s} {'worst':>6s} {'best':>6s}   settings")
    for shape, name, settings, accuracy in table:
        print(f"  {shape:9s} {name:22s} {accuracy.mean():6.3f} {accuracy.std():6.3f} {accuracy.min():6.3f} "
              f"{accuracy.max():6.3f}   {', '.join(f'{k} {v:g}' for k, v in settings.items())}")
    print(f"\n== time: one epoch of {c['TIMING_NETWORKS']} networks of 64-32-10 on {c['N_TRAIN']} training images "
          f"(train measures at the start and after every epoch kept) ==")
    for name in ("difference exchange", "backprop"):
        (wall, cpu), (measure_wall, measure_cpu) = epoch_time((64, 32, 10), c["RULES"][name],
                                                              chosen_settings["64-32-10", name], test,
                                                              c["TIMING_NETWORKS"])
        print(f"  {name:22s} steps {wall:5.2f} s wall, {cpu:5.2f} s CPU; a measure {measure_wall:4.2f} s wall, "
              f"{measure_cpu:4.2f} s CPU (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"\nthe whole study took {(time.time() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
