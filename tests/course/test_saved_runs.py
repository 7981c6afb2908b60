"""The runs notebooks 05 and 06 load are exactly what studies/notebook_runs.py trains.

Each notebook's switch COMPUTE_LIVE trains its 20-seed tables in the notebook (True) or loads them
(False) from notebooks/runs/, through ``hl.train_or_load``, which refuses a saved run whose rule,
settings, seeds, epochs, data or kept snapshots differ from the training the notebook shows;
nbval then compares every number printed from it. Here: each saved file is the script's training
(its config, and a few of its networks trained again, alone, ending bit for bit where the saved
ones did, as a network among many always does), the script's quick path runs, and
``train_or_load`` loads, refuses and trains as it says.
"""
import pathlib
import sys

import numpy as np
import pytest

import heatex_core as hc
import heatex_lab as hl

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "studies"))
import notebook_runs as script  # noqa: E402  (studies/notebook_runs.py)

SPECS = script.specs()


def alone(run, networks):
    """The exchanger of the given networks of a run, built again from their seeds and settings alone."""
    configs = [run.network(k).config for k in networks]
    first = configs[0]
    per_network = {name: [c[name] for c in configs] for name in hc.SETTINGS}
    return hc.HeatExchanger.build(first["depth"], first["width"], seeds=[c["seed"] for c in configs],
                                  rule=first["rule"], alignment=first["alignment"], bias=first["bias"],
                                  **per_network)


# Networks trained again, per saved run: (which networks, for how many epochs). The 40-epoch runs of
# notebook 05 are trained again whole; the 200-epoch runs of notebook 06 are slow to train (about
# 0.1 s an epoch a network), so network 0 is trained again for its first 20 epochs, against the run
# that keeps every epoch, and that run's last weights are compared with network 0 of the table's run.
RETRAINED = {"05_schmidhuber": ([0, 19], None), "05_end_exchange": ([0, 19], None), "05_backprop": ([0, 19], None),
             "06_network_0": ([0], 20)}


def saved(name):
    net, shape, snapshot_every = SPECS[name]
    path = script.FOLDER / f"{name}.npz"
    assert path.exists(), f"{path} is missing: run python studies/notebook_runs.py"
    # the saved run's config is the script's training, setting by setting (train_or_load refuses it otherwise)
    return hl.train_or_load(net, script.test_data(shape), shape["epochs"], path, snapshot_every=snapshot_every)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_saved_run_is_the_scripts_training(name):
    run = saved(name)
    assert run.n_networks == SPECS[name][0].n_networks
    if name not in RETRAINED:
        return
    # a few of its networks, trained again on their own, end exactly where they ended among the others
    networks, epochs = RETRAINED[name]
    _, shape, snapshot_every = SPECS[name]
    epochs = epochs or shape["epochs"]
    again = hc.train(alone(run, networks), script.test_data(shape), epochs=epochs,
                     snapshot_every=min(snapshot_every, epochs), progress=False)
    kept = np.searchsorted(run.snapshot_epochs, again.snapshot_epochs)
    assert np.array_equal(run.snapshot_epochs[kept], again.snapshot_epochs)
    assert np.array_equal(again.snapshots, run.snapshots[kept][:, networks])
    for metric, values in run.metrics.items():
        assert np.array_equal(again.metrics[metric], values[kept][:, networks], equal_nan=True), metric


def test_the_scrubbers_network_is_network_0_of_the_table():
    assert np.array_equal(saved("06_network_0").snapshots[[0, -1], 0], saved("06_variants").snapshots[:, 0])


def test_the_saved_runs_are_small():
    sizes = {path.name: path.stat().st_size for path in script.FOLDER.glob("*.npz")}
    assert set(sizes) == {f"{name}.npz" for name in SPECS}, "a saved run no spec names, or one missing"
    assert sum(sizes.values()) < 1_500_000, sizes


def test_the_scripts_quick_path_writes_every_run(tmp_path, capsys):
    script.main(["--quick", "--out", str(tmp_path)])
    assert sorted(p.stem for p in tmp_path.glob("*.npz")) == sorted(SPECS)
    assert hc.Run.load(tmp_path / "06_network_0.npz").epochs == 2


@pytest.fixture
def small():
    data = hc.circle_data(20, 20, width=3, seed=0)
    return data, lambda **s: hc.HeatExchanger.build(2, 3, seeds=[0, 1], rule="end_exchange", bias=True, **s)


def test_train_or_load_loads_the_same_training_and_refuses_another(small, tmp_path):
    data, build = small
    saved = hc.train(build(step=0.5), data, epochs=3, progress=False, snapshot_every=3).save(tmp_path / "run.npz")
    loaded = hl.train_or_load(build(step=0.5), data, 3, saved, snapshot_every=3)
    assert np.array_equal(loaded.snapshots, hc.Run.load(saved).snapshots)
    with pytest.raises(ValueError, match="differs in step"):
        hl.train_or_load(build(step=0.4), data, 3, saved, snapshot_every=3)
    with pytest.raises(ValueError, match="differs in epochs"):
        hl.train_or_load(build(step=0.5), data, 4, saved, snapshot_every=3)
    with pytest.raises(ValueError, match="differs in snapshot_every"):
        hl.train_or_load(build(step=0.5), data, 3, saved)
    with pytest.raises(ValueError, match="differs in data_seed"):
        hl.train_or_load(build(step=0.5), hc.circle_data(20, 20, width=3, seed=1), 3, saved, snapshot_every=3)


def test_train_or_load_trains_when_asked_or_when_nothing_is_saved(small, tmp_path, capsys):
    data, build = small
    saved = hc.train(build(step=0.5), data, epochs=2, progress=False).save(tmp_path / "run.npz")
    live = hl.train_or_load(build(step=0.5), data, 2, saved, live=True, progress=False)
    assert np.array_equal(live.snapshots, hc.Run.load(saved).snapshots)
    assert capsys.readouterr().out == ""
    missing = hl.train_or_load(build(step=0.5), data, 2, tmp_path / "none.npz", progress=False)
    assert np.array_equal(missing.snapshots, live.snapshots)
    assert "no saved run" in capsys.readouterr().out


def test_a_student_copy_one_folder_down_finds_its_masters_runs(small, tmp_path, monkeypatch, capsys):
    data, build = small
    (tmp_path / "runs").mkdir()
    saved = hc.train(build(step=0.5), data, epochs=2, progress=False).save(tmp_path / "runs" / "run.npz")
    (tmp_path / "student").mkdir()
    monkeypatch.chdir(tmp_path / "student")
    found = hl.train_or_load(build(step=0.5), data, 2, "runs/run.npz")
    assert np.array_equal(found.snapshots, hc.Run.load(saved).snapshots)
    assert capsys.readouterr().out == ""
