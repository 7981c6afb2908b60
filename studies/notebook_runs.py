"""The saved runs that notebooks 05, 06 and 08 load instead of training them.

Run from the repository root (about 5 minutes on two shared cores):

    .venv/bin/python studies/notebook_runs.py            # writes notebooks/runs/*.npz
    .venv/bin/python studies/notebook_runs.py --only 08_spirals_difference 08_spirals_backprop   # a few of them
    .venv/bin/python studies/notebook_runs.py --quick --out /tmp/runs   # a smoke run of a few seconds

Each notebook has a switch, ``COMPUTE_LIVE``: ``True`` trains these networks in the notebook
(``hl.train_or_load``), ``False`` loads the run saved here after checking that it was trained
with exactly the settings the notebook shows (rule, every setting, seeds, epochs, data). The
runs are the notebooks' own, not the studies' searches: the settings were chosen on validation
data (notebook 05's search; ``studies/difference_exchange.py``), the runs train on the test
data's training points and score on its held-out points, once.

To keep the files small, a run keeps only the snapshots its notebook reads (``snapshot_every``):
the start and the end, except for notebook 06's network 0, kept at every epoch for the
scrubber. A network trained among many ends exactly where it ends alone, so
``tests/course/test_saved_runs.py`` checks each file by training a few of its networks again.
"""

import argparse
import pathlib
import tempfile
import time

import heatex_core as hc
import heatex_lab as hl

ROOT = pathlib.Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks" / "runs"     # the notebooks read runs/<name>.npz beside them

SEEDS = list(range(20))

# Notebook 05, §5: the test, once. Three rules in 2 sections of 16, the settings its search chose
# on validation data (end_exchange) or notebook 05's §2 (Schmidhuber's rule), circle test points.
WIDE = dict(depth=2, width=16, data="circle", epochs=40)
FIVE = {
    "05_schmidhuber": dict(rule="schmidhuber", bias=True, init_scale=5.0, step=1.0, pull_previous=0.0),
    "05_end_exchange": dict(rule="end_exchange", bias=True, init_scale=5.0, step=1.0, pull_previous=0.0),
    "05_backprop": dict(rule="backprop", bias=True, step=0.3),
}

# Notebook 06: the difference exchange at 2 sections of 4, with the settings passed explicitly
# (they are the core's defaults at this shape today), its three ablations on one networks axis,
# and the two rules of notebook 05 at the settings chosen on validation data for 200 epochs
# (studies/difference_exchange.py).
NARROW = dict(depth=2, width=4, data="circle", epochs=200)
DIFFERENCE = dict(rule="difference_exchange", bias=True, init_scale=1.0, step=2.0, pull_previous=0.0,
                  pull_partner=1.0, inverse_noise=0.1)
VARIANTS = {
    "difference exchange": dict(difference=1.0, inverse_step=0.01, hidden_pull=1.0),
    "literal exchange (difference 0)": dict(difference=0.0, inverse_step=0.01, hidden_pull=1.0),
    "backward pipe frozen (inverse_step 0)": dict(difference=1.0, inverse_step=0.0, hidden_pull=1.0),
    "hidden sections frozen (hidden_pull 0)": dict(difference=1.0, inverse_step=0.01, hidden_pull=0.0),
}
SIX_OTHERS = {
    "06_end_exchange": dict(rule="end_exchange", bias=True, init_scale=3.0, step=3.0, pull_previous=0.0),
    "06_backprop": dict(rule="backprop", bias=True, init_scale=0.5, step=0.1),
}


# Notebook 08: one network of the digits' 64-16-10 bottleneck under each rule, at the library's defaults
# for these widths (studies/digits.py's validation choices), 30 epochs on data seed 0's 1,297 training
# images, for the weight images and the digits it gets wrong; and three networks of 3 sections of 8 on
# the spirals (data seed 11, as studies/how_far.py's table), at the settings its validation search kept
# (studies/how_far.txt), for the decision maps and the cosine with backprop.
DIGITS = dict(widths=(64, 16, 10), data="digits", seed=0, n_train=1297, epochs=30)
SPIRALS = dict(depth=3, width=8, data="spirals", seed=11, epochs=200)
EIGHT_DIGITS = {"08_digits16_difference": dict(rule="difference_exchange"), "08_digits16_backprop": dict(rule="backprop")}
EIGHT_SPIRALS = {"08_spirals_difference": dict(rule="difference_exchange", init_scale=2.0, step=2.0),
                 "08_spirals_backprop": dict(rule="backprop", init_scale=2.0, step=0.3)}


def specs():
    """Every saved run: name -> (the exchanger to train, its shape and data, snapshot_every)."""
    runs = {}
    for name, settings in FIVE.items():
        runs[name] = (hc.HeatExchanger.build(WIDE["depth"], WIDE["width"], seeds=SEEDS, **settings), WIDE,
                      WIDE["epochs"])
    grid = hl.Grid(SEEDS, combos=VARIANTS)
    runs["06_variants"] = (grid.build(NARROW["depth"], NARROW["width"], **DIFFERENCE), NARROW, NARROW["epochs"])
    runs["06_network_0"] = (hc.HeatExchanger.build(NARROW["depth"], NARROW["width"], seeds=[0], **DIFFERENCE,
                                                   **VARIANTS["difference exchange"]), NARROW, 1)
    for name, settings in SIX_OTHERS.items():
        runs[name] = (hc.HeatExchanger.build(NARROW["depth"], NARROW["width"], seeds=SEEDS, **settings), NARROW,
                      NARROW["epochs"])
    for name, settings in EIGHT_DIGITS.items():
        runs[name] = (hc.HeatExchanger.build(widths=DIGITS["widths"], seeds=[0], **settings), DIGITS, DIGITS["epochs"])
    for name, settings in EIGHT_SPIRALS.items():
        runs[name] = (hc.HeatExchanger.build(SPIRALS["depth"], SPIRALS["width"], seeds=range(3), **settings), SPIRALS,
                      SPIRALS["epochs"])
    return runs


def test_data(shape, quick=False):
    """The notebooks' test data for a shape (seed 0 unless the shape says; 500 points each unless it
    says); --quick: a few points."""
    n = dict(n_train=40, n_test=40) if quick else dict(n_train=shape.get("n_train", 500), n_test=500)
    return hc.data_set(shape["data"], shape.get("width"), seed=shape.get("seed", 0), **n)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 epochs on 40 points (the numbers mean nothing)")
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help=f"the folder to write to (default {FOLDER.relative_to(ROOT)}; with --quick, a new "
                             "temporary folder)")
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME",
                        help="write only these runs (for example 08_spirals_difference)")
    args = parser.parse_args(argv)
    quick = args.quick
    folder = args.out or (pathlib.Path(tempfile.mkdtemp()) if quick else FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (net, shape, snapshot_every) in specs().items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        epochs = 2 if quick else shape["epochs"]
        run = hc.train(net, test_data(shape, quick), epochs=epochs, progress=False,
                       snapshot_every=min(snapshot_every, epochs))
        path = run.save(folder / f"{name}.npz")
        accuracy = run.metrics["test_accuracy"][-1]
        print(f"{name:16s} {run.n_networks:3d} networks, {epochs} epochs, {len(run.snapshot_epochs)} snapshots: "
              f"test accuracy {accuracy.mean():.3f} (worst {accuracy.min():.3f}); {path.stat().st_size / 1e3:.0f} kB "
              f"[{time.perf_counter() - start:.0f} s]", flush=True)
    print(f"written to {folder}")


if __name__ == "__main__":
    main()
