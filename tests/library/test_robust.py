"""Issue 12, class by class: bad input, faults and big requests get a clear answer, never a silent one.

tests/battery.py runs over 600 fixed cases; these tests let hypothesis vary the inputs of each class.
"""
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

matplotlib.use("Agg")

import heatex_checks as checks  # noqa: E402
import heatex_core as hc  # noqa: E402
import heatex_engine as engine  # noqa: E402
import heatex_lab as hl  # noqa: E402
import heatex_viz as hv  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10),
                    st.complex_numbers(max_magnitude=10), st.text(max_size=3), st.none(), st.booleans())


@pytest.fixture(scope="module")
def data():
    return hc.circle_data(n_train=20, n_test=10, seed=1)


# --- per-network settings and seeds -----------------------------------------------------

@pytest.mark.filterwarnings("ignore::heatex_checks.SettingRangeWarning")
@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(sorted(checks.SETTING_LIMITS)), value=numbers)
def test_a_setting_is_accepted_within_its_bounds_or_refused_by_name(name, value):
    low, inclusive, _ = checks.SETTING_LIMITS[name]
    most = checks.SETTING_RANGES[name][1]       # past this nothing can be learnt: refused too
    fine = (isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
            and (value >= low if inclusive else value > low) and value <= most)
    # difference, inverse_step and inverse_noise are the difference exchange's settings
    rule = "difference_exchange" if name in ("difference", "inverse_step", "inverse_noise") else "blog"
    if value is None:           # left out: the rule's default
        net = hc.HeatExchanger.build(2, 2, rule=rule, **{name: value})
        assert getattr(net, name)[0] == hc.RULE_DEFAULTS[rule][name]
    elif fine:
        net = hc.HeatExchanger.build(2, 2, rule=rule, **{name: value})
        assert getattr(net, name).dtype == float and getattr(net, name)[0] == value
    else:
        with pytest.raises(ValueError, match=name):
            hc.HeatExchanger.build(2, 2, rule=rule, **{name: value})


@settings(max_examples=60, deadline=None)
@given(seed=st.one_of(st.integers(-5, 2**64), st.floats(), st.text(max_size=2), st.none(), st.booleans()))
def test_seeds_follow_one_rule_everywhere(seed):
    fine = isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63
    makers = {"build": lambda: hc.HeatExchanger.build(2, 2, seeds=seed),
              "constructor": lambda: hc.HeatExchanger(np.ones((1, 2, 2, 2, 2)), seeds=seed),
              "grid": lambda: hl.Grid(seed, step=[0.1]),
              "circle_data": lambda: hc.circle_data(5, 5, seed=seed)}
    for where, make in makers.items():
        if fine:
            make()
        else:
            with pytest.raises(ValueError, match="seed"):
                make()


@pytest.mark.parametrize("seed", [np.int64(3), np.int32(3), np.uint16(3), np.array(3)])
def test_a_numpy_seed_trains_saves_and_loads_as_plain_values(seed, tmp_path):
    data = hc.circle_data(20, 10, seed=seed)
    run = hc.train(hc.HeatExchanger.build(2, 2, seeds=seed), data, epochs=1, progress=False)
    assert type(run.config["data_seed"]) is int and all(type(s) is int for s in run.config["seeds"])
    assert hc.Run.load(run.save(tmp_path / "run.npz")).config == run.config


def test_a_setting_changed_by_hand_is_checked_again_by_train(data):
    net = hc.HeatExchanger.build(2, 2)
    net.step = -1.0
    with pytest.raises(ValueError, match="step must be at least 0"):
        hc.train(net, data, epochs=1, progress=False)
    net.step = 0.01                        # a plain number is fine: train makes it one per network
    hc.train(net, data, epochs=1, progress=False)
    assert net.step.shape == (1,)


# --- shapes, data and objects -------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=4))
def test_predict_answers_only_samples_of_the_pipes_width(shape):
    net = hc.HeatExchanger.build(2, 3, seeds=[0, 1])
    x = np.zeros(shape)
    fine = (len(shape) == 2 and shape[1] == 3) or (len(shape) == 3 and shape[0] in (1, 2) and shape[2] == 3)
    if fine:
        assert net.predict(x).shape == (2, shape[-2], 3)
    else:
        with pytest.raises(ValueError, match="x must be samples of shape"):
            net.predict(x)


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(st.sampled_from([0.0, 1.0, 0.5, 2.0, -1.0]), min_size=2, max_size=2), rows=st.integers(1, 4))
def test_a_dataset_takes_labels_0_or_1_repeated_across_the_width(labels, rows):
    x = np.zeros((rows, 2))
    y = np.tile(labels, (rows, 1))
    fine = set(labels) <= {0.0, 1.0} and labels[0] == labels[1]
    if fine:
        hc.Dataset(x, y, x, y)
    else:
        with pytest.raises(ValueError, match="y_train"):
            hc.Dataset(x, y, x, np.zeros((rows, 2)))


@pytest.mark.parametrize("radius", [np.nan, np.inf, 0, -0.5, 1.5, "0.8", None])
def test_circle_data_refuses_a_radius_that_makes_one_class(radius):
    with pytest.raises(ValueError, match="radius"):
        hc.circle_data(10, 10, radius=radius)


@pytest.mark.parametrize("call, name", [
    (lambda d: hc.train(None, d, 1), "net"),
    (lambda d: hc.train(hc.HeatExchanger.build(2, 2).network(0), d, 1), "net"),
    (lambda d: hc.train(hc.HeatExchanger.build(2, 2), (d.x_train, d.y_train), 1), "data"),
    (lambda d: hc.Section(2) > 5, "Section"),
    (lambda d: hc.Pipe([1]), "Section"),
    (lambda d: hv.Scrubber(None), "run"),
    (lambda d: hv.SnapshotView(d), "run"),
])
def test_wrong_objects_are_named(call, name, data):
    with pytest.raises(TypeError, match=name):
        call(data)


# --- divergence and growth -------------------------------------------------------------------

def zero_column_exchanger(k=2, broken=1):
    weights = np.random.default_rng(3).uniform(-1, 1, (k, 2, 3, 2, 2))
    weights[broken, 1, 2, :, 0] = [0.5, -0.5]
    return hc.HeatExchanger(weights, rule="blog", seeds=list(range(k)))


def test_learn_keeps_the_weights_when_a_step_would_break_them():
    net = zero_column_exchanger()
    before = net.weights.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # no RuntimeWarning either
        with pytest.raises(hc.DivergenceError, match="column sum") as caught:
            net.learn([0.1, 0.2], [1.0, 1.0])
    np.testing.assert_array_equal(net.weights, before)
    assert (caught.value.network, caught.value.pipe, caught.value.section) == (1, 1, 2)


@pytest.mark.parametrize("every", [1, 2, 4])
def test_a_diverging_run_keeps_every_finished_epoch(every, data, monkeypatch):
    # A rule that is Schmidhuber's until its 101st call, when network 1's change becomes NaN:
    # with 20 samples an epoch, that is the first step of epoch 6.
    # It breaks again whenever it meets those weights, so replaying the epoch finds the step.
    calls, met = [], []

    def breaks_later(weights, acts, partner, settings):
        change = hc.schmidhuber_rule(weights, acts, partner, settings)
        calls.append(1)
        if len(calls) == 101:
            met.append(weights.copy())
        if met and np.array_equal(weights, met[0]):
            change = change.copy()
            change[1, 0, 1] = np.nan
        return change
    monkeypatch.setitem(hc.RULES, "breaks_later", breaks_later)
    monkeypatch.setitem(hc.RULE_DEFAULTS, "breaks_later", hc.RULE_DEFAULTS["schmidhuber"])
    net = hc.HeatExchanger.build(3, 2, seeds=[0, 1], rule="breaks_later", step=0.1)
    with pytest.raises(hc.DivergenceError, match="epoch 6: network 1 .*forward pipe, section 1, at sample 1") as caught:
        hc.train(net, data, epochs=9, progress=False, snapshot_every=every)
    error = caught.value
    run = error.run
    assert error.epoch == 6 and run.epochs == 5 and run.snapshot_epochs[-1] == 5
    assert run.snapshot_epochs.tolist() == sorted(set(range(0, 6, every)) | {5})
    np.testing.assert_array_equal(net.weights, run.snapshots[-1])     # left at the last finite weights
    assert np.all(np.isfinite(net.weights)) and np.all(np.isfinite(run.snapshots))
    monkeypatch.setitem(hc.RULES, "breaks_later", hc.schmidhuber_rule)
    alone = hc.train(hc.HeatExchanger.build(3, 2, seeds=[0, 1], rule="breaks_later", step=0.1), data, 5,
                     progress=False)
    np.testing.assert_array_equal(alone.snapshots[run.snapshot_epochs], run.snapshots)   # every network's work
    for name in alone.metrics:
        np.testing.assert_array_equal(alone.metrics[name][run.snapshot_epochs], run.metrics[name])


def test_a_rule_that_breaks_only_once_is_still_reported(data, monkeypatch):
    calls = []

    def once(weights, acts, partner, settings):
        calls.append(1)
        change = hc.schmidhuber_rule(weights, acts, partner, settings)
        return change * np.nan if len(calls) == 30 else change
    monkeypatch.setitem(hc.RULES, "once", once)
    monkeypatch.setitem(hc.RULE_DEFAULTS, "once", hc.RULE_DEFAULTS["schmidhuber"])
    net = hc.HeatExchanger.build(2, 2, rule="once")
    with pytest.raises(hc.DivergenceError, match="epoch 2: .*replay") as caught:
        hc.train(net, data, epochs=3, progress=False)
    assert caught.value.run.epochs == 1 and np.all(np.isfinite(net.weights))


def test_a_huge_step_warns_that_the_weights_grew(data):
    net = hc.HeatExchanger.build(2, 2, rule="schmidhuber", step=1e6, bias=True)
    with pytest.warns(hc.WeightGrowthWarning, match="step"):
        hc.train(net, data, epochs=2, progress=False)


def test_the_blog_run_of_notebook_02_does_not_warn(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hc.train(hc.HeatExchanger.build(10, 2, seeds=[0, 1, 2]), hc.circle_data(seed=0), epochs=5, progress=False)


# --- snapshot_every and memory ----------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(epochs=st.integers(1, 9), every=st.integers(1, 11))
def test_snapshot_every_keeps_the_same_numbers_at_fewer_epochs(epochs, every, tmp_path_factory):
    data = hc.circle_data(n_train=12, n_test=6, seed=2)
    full = hc.train(hc.HeatExchanger.build(2, 2, seeds=[4, 5], step=0.05), data, epochs, progress=False)
    thin = hc.train(hc.HeatExchanger.build(2, 2, seeds=[4, 5], step=0.05), data, epochs, progress=False,
                    snapshot_every=every)
    expected = sorted(set(range(0, epochs + 1, every)) | {epochs})
    assert thin.snapshot_epochs.tolist() == expected and thin.epochs == epochs
    np.testing.assert_array_equal(thin.snapshots, full.snapshots[expected])
    for name in full.metrics:
        np.testing.assert_array_equal(thin.metrics[name], full.metrics[name][expected])
    back = hc.Run.load(thin.save(tmp_path_factory.mktemp("thin") / "thin.npz"))
    assert back.snapshot_epochs.tolist() == expected
    assert back.network_at(epochs).weights.shape == (2, 2, 2, 2, 2)
    with pytest.raises(ValueError, match="has no snapshot"):
        thin.network_at(epochs + 1)


@pytest.mark.filterwarnings("ignore::heatex_core.WeightGrowthWarning")    # the blog's rule at width 8 grows fast
def test_a_run_that_does_not_fit_is_refused_with_a_snapshot_every_that_fits(monkeypatch):
    data = hc.circle_data(20, 10, width=8)
    monkeypatch.setattr(checks, "available_memory", lambda: 20e6)
    net = hc.HeatExchanger.build(4, 8, seeds=list(range(32)))
    with pytest.raises(hc.RunTooLargeError, match=r"snapshot_every=(\d+)") as caught:
        hc.train(net, data, 300, progress=False)
    every = int(caught.value.args[0].split("snapshot_every=")[1].split(" ")[0])
    run = hc.train(net, data, 300, progress=False, snapshot_every=every)
    assert run.epochs == 300 and isinstance(caught.value, MemoryError)


def test_the_issues_request_is_refused_at_once():
    net = hc.HeatExchanger.build(10, 32, seeds=list(range(1024)))
    start = time.perf_counter()
    with pytest.raises(hc.RunTooLargeError, match="TB"):
        hc.train(net, hc.circle_data(20, 10, width=32), 100_000, progress=False)
    assert time.perf_counter() - start < 10


def test_the_measuring_buffers_stay_bounded():
    net = hc.HeatExchanger.build(3, 16, seeds=list(range(16)))
    hc.measure(net, hc.circle_data(30000, 10, width=16))
    assert sum(b.nbytes for b in net._engine.flows.values()) <= engine.KEEP_BYTES


# --- files ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(data):
    return hc.train(hc.HeatExchanger.build(2, 2, seeds=[0, 1], step=0.01), data, 2, progress=False)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=20))
def test_a_run_saves_to_exactly_the_name_given(name, run, tmp_path):
    if name in (".", "..") or len(name.encode()) > 200:
        return
    folder = tmp_path / f"f{abs(hash(name))}"
    folder.mkdir()
    path = run.save(folder / name)
    assert path == folder / name and os.listdir(folder) == [name]      # nothing else, no temporary left
    np.testing.assert_array_equal(hc.Run.load(folder / name).snapshots, run.snapshots)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10_000), flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=3))
def test_a_damaged_run_file_loads_whole_or_says_so(cut, flips, run, tmp_path):
    good = run.save(tmp_path / "good.npz").read_bytes()
    raw = bytearray(good[:cut] if cut < len(good) else good)
    for at, xor in flips:
        if raw:
            raw[at % len(raw)] ^= xor
    (tmp_path / "bad.npz").write_bytes(bytes(raw))
    try:
        back = hc.Run.load(tmp_path / "bad.npz")
    except hc.RunFileError as e:
        assert "bad.npz" in str(e) and "pickle" not in str(e)
    else:                    # a flip that missed everything that matters: the run is whole
        assert np.all(np.isfinite(back.snapshots)) and back.snapshots.shape == run.snapshots.shape


def test_a_typo_and_numpys_npz_name_are_answered(run, tmp_path):
    run.save(tmp_path / "circle_run.npz")
    with pytest.raises(FileNotFoundError, match="did you mean circle_run.npz"):
        hc.Run.load(tmp_path / "circle_rum.npz")
    np.savez_compressed(tmp_path / "old", x=np.zeros(1))             # numpy writes old.npz
    with pytest.raises(FileNotFoundError, match="old.npz is beside it"):
        hc.Run.load(tmp_path / "old")


def test_a_header_claiming_gigabytes_is_refused_before_allocating(run, tmp_path):
    import io
    import zipfile
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as z:
        z.writestr("snapshots.npy", header.getvalue() + b"\0" * 64)
    with pytest.raises(hc.RunFileError, match="claims 8.0 TB of data but holds 64 bytes"):
        hc.Run.load(tmp_path / "huge.npz")


CHILD = textwrap.dedent("""
    import resource, signal, sys
    sys.path.insert(0, {root!r})
    import numpy as np, heatex_core as hc
    run = hc.Run(dict(rule="blog", alignment="blog", depth=4, width=16, bias=False, seeds=[0], epochs=29),
                 np.random.default_rng(1).normal(size=(30, 1, 2, 4, 16, 16)), {{}})
    if sys.argv[1] == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        try:
            run.save(sys.argv[2])
        except OSError as e:
            print("OSError", e)
    else:
        print("ready", flush=True)
        while True:
            run.save(sys.argv[2])
""")


def child(mode, path):
    return subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), mode, str(path)],
                            stdout=subprocess.PIPE, text=True)


def test_a_full_disk_leaves_the_good_run_in_place(run, tmp_path):
    path = run.save(tmp_path / "run.npz")
    out, _ = child("fsize", path).communicate(timeout=60)
    assert out.startswith("OSError") and "run.npz" in out and "unchanged" in out
    np.testing.assert_array_equal(hc.Run.load(path).snapshots, run.snapshots)
    assert os.listdir(tmp_path) == ["run.npz"]


def test_a_save_killed_midway_leaves_a_whole_file_and_the_next_save_tidies(run, tmp_path):
    path = run.save(tmp_path / "run.npz")
    proc = child("loop", path)
    proc.stdout.readline()
    time.sleep(0.7)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    hc.Run.load(path)                          # whole: the old run or a new one
    run.save(path)
    assert os.listdir(tmp_path) == ["run.npz"]


def test_a_reader_never_sees_half_a_file(run, tmp_path):
    path = run.save(tmp_path / "run.npz")
    proc = child("loop", path)
    proc.stdout.readline()
    try:
        loads, end = 0, time.time() + 2
        while time.time() < end:
            hc.Run.load(path)
            loads += 1
    finally:
        proc.kill()
        proc.wait(30)
    assert loads > 5


# --- the views --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"fps": 0}, "fps"), ({"fps": 1000}, "fps"), ({"dpi": -5}, "dpi"), ({"frames": []}, "frames"),
    ({"frames": [99]}, "frames"), ({"writer": "pillow"}, "writer"),
])
def test_a_gif_export_is_refused_before_any_frame_is_drawn(kwargs, name, run, tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(hv.SnapshotView, "update", lambda self, s: drawn.append(s))
    with pytest.raises((ValueError, TypeError), match=name):
        hv.export_gif(run, tmp_path / "film.gif", **kwargs)
    assert drawn == [] and not (tmp_path / "film.gif").exists()


@pytest.mark.parametrize("vmax", [-1, 0, np.nan, np.inf])
def test_plot_weights_refuses_a_scale_that_is_not_above_zero(vmax, run):
    with pytest.raises(ValueError, match="vmax"):
        hv.plot_weights(run.snapshots[0, 0], vmax=vmax)


def test_the_views_label_a_thinned_run_by_its_epochs(data):
    thin = hc.train(hc.HeatExchanger.build(3, 2, seeds=[1]), data, 7, progress=False, snapshot_every=3)
    view = hv.SnapshotView(thin, data, blit=False)
    view.update(-1)
    assert view.title.get_text().startswith("epoch 7")
    assert view.caption(2) .startswith("snapshot 2 of 3 (after epoch 6)")
    scrubber = hv.Scrubber(thin, data)
    assert scrubber.slider.max == 3
    fig = hv.plot_learning_curves(thin, data)
    train_line = next(line for line in fig.axes[0].lines if line.get_label() == "train")
    assert np.asarray(train_line.get_xdata()).tolist() == [0, 3, 6, 7]


def test_a_run_file_whose_entry_claims_encryption_is_called_damaged(tmp_path):
    # zipfile raises RuntimeError for an encrypted entry; a flipped bit can set that flag.
    run = hc.train(hc.HeatExchanger.build(2, 2, seeds=[0]), hc.circle_data(10, 5), 1, progress=False)
    path = run.save(tmp_path / "run.npz")
    raw = bytearray(path.read_bytes())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):          # local and central headers: general purpose flags
        at = raw.find(header)
        while at != -1:
            flags = at + (6 if header == b"PK\x03\x04" else 8)
            raw[flags] |= 1                                  # bit 0: encrypted
            at = raw.find(header, at + 4)
    path.write_bytes(bytes(raw))
    with pytest.raises(hc.RunFileError, match="encrypted|not a readable"):
        hc.Run.load(path)


def test_a_helper_whose_argument_is_called_error_is_still_explained():
    # explained's wrapper takes the function's own parameters; delta_rule has one named "error"
    with pytest.raises(hc.HeatexError, match=r"a \(0,\), o \(2,\), error \(2,\)"):
        hc.delta_rule(a=[], o=np.full(2, 0.5), error=np.ones(2), step=0.1)
