"""Every public function and method of heatex, with a valid call each: what tests/library/test_public_surface.py
calls with junk, one argument at a time.

The callables are enumerated from the modules' ``__all__`` (and each public class's own methods), so a
new one cannot be forgotten: ``missing_examples()`` lists every callable without a valid call here, and
the test fails on it.

``EXAMPLES[name]()`` gives (callable, kwargs): the callable (a fresh instance's bound method for a
method) and a valid keyword for every argument the test may replace.
"""
from __future__ import annotations

import functools
import inspect
import os
import stat
import pathlib
import tempfile

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import heatex_core as hc  # noqa: E402
import heatex_lab as hl  # noqa: E402
import heatex_viz as hv  # noqa: E402
import heatex_widgets as hw  # noqa: E402

MODULES = {"hc": hc, "hl": hl, "hv": hv, "hw": hw}
SCRATCH = pathlib.Path(tempfile.mkdtemp(prefix="heatex-surface-"))
_CACHE = {}


def cached(key, make):
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def data(width=2):
    return cached(("data", width), lambda: hc.circle_data(20, 10, width=width, seed=1))


def run():
    return cached("run", lambda: hc.train(hc.HeatExchanger.build(3, 2, seeds=[1, 2], step=0.01), data(), 3,
                                          progress=False))


def net():
    return hc.HeatExchanger.build(3, 2, seeds=[1, 2], step=0.01)


def step_inputs(rows=1):
    return hl.random_step_inputs(np.random.default_rng(0), 2, 3, 2, True, rows)


def rule_call(rule, rows=1):
    weights, acts, partner = step_inputs(rows)
    return rule, dict(weights=weights, acts=acts, partner=partner, settings=hl.LocalitySettings())


def ax():
    from matplotlib import pyplot as plt
    return plt.figure().add_subplot()


def gif_path():
    return SCRATCH / f"film{np.random.default_rng().integers(10**9)}.gif"


def view():
    return cached("view", lambda: hw.SnapshotView(run(), data(), blit=False))


def curves():
    return np.random.default_rng(0).uniform(0, 1, (5, 4))


def digits():
    return cached("digits", lambda: hc.digits_data(n_train=60, n_test=20, seed=0))


# The predictions file of every example: in SCRATCH, never beside the notebooks or in the repository.
PREDICTIONS = SCRATCH / "predictions" / "my_predictions.json"
PREDICTIONS.parent.mkdir()


def with_predictions(function):
    """``function`` with HEATEX_PREDICTIONS naming PREDICTIONS while it runs (the prediction functions
    read that variable at each call), and put back after."""
    @functools.wraps(function)
    def keeping(*args, **kwargs):
        before = os.environ.get("HEATEX_PREDICTIONS")
        os.environ["HEATEX_PREDICTIONS"] = str(PREDICTIONS)
        try:
            return function(*args, **kwargs)
        finally:
            if before is None:
                os.environ.pop("HEATEX_PREDICTIONS", None)
            else:
                os.environ["HEATEX_PREDICTIONS"] = before
    return keeping


def predicted(name, value=0.5):
    """A prediction of ``value`` kept for question ``name`` (before a reveal or a final test of it)."""
    with_predictions(hl.predict)(name, lambda: value, hl.Number(0, 1))
    return name


def predictions_file():
    """PREDICTIONS, with a prediction kept in it (a students' file for class_predictions)."""
    predicted("surface.class")
    return PREDICTIONS


def plain_targets(W, t, h_in, h_out):
    """The plain flow as targets: what a backward section passes down without a rule of its own."""
    return hc.sigmoid(t @ W)


def targets_inputs(bias=True, depth=2, width=3):
    """Weights and activations of two networks of the shapes ``carry_targets`` is given in training."""
    rng = np.random.default_rng(0)
    inputs = width + bias
    weights = rng.uniform(-1, 1, (2, 2, depth, inputs, width))
    acts = rng.uniform(0, 1, (2, 2, depth + 1, 1, inputs))
    if bias:
        acts[..., width:] = 1.0
    return dict(weights=weights, acts=acts)


def saved_run():
    """run() saved: what train_or_load finds for net() trained on data() for 3 epochs."""
    return cached("saved run", lambda: run().save(SCRATCH / "saved_for_train_or_load.npz"))


EXAMPLES = {
    "hc.sigmoid": lambda: (hc.sigmoid, dict(z=np.linspace(-3, 3, 5))),
    "hc.Section": lambda: (hc.Section, dict(width=2)),
    "hc.Pipe": lambda: (hc.Pipe, dict(sections=[hc.Section(2)], arrow=">")),
    "hc.pipes": lambda: (hc.pipes, dict(depth=3, width=2)),
    "hc.flow": lambda: (hc.flow, dict(weights=net().weights, inputs=data().x_train)),
    "hc.layer_of": lambda: (hc.layer_of, dict(pipe_weights=net().weights[:, 0], points=data().x_train, layer=1)),
    "hc.layer_spread": lambda: (hc.layer_spread, dict(pipe_weights=net().weights[:, 0], points=data().x_train)),
    "hc.partner_acts": lambda: (hc.partner_acts, dict(acts=step_inputs()[1], alignment="paper", width=2)),
    "hc.beside_input": lambda: (hc.beside_input, dict(acts=step_inputs()[1], row=0)),
    "hc.Touch": lambda: (hc.Touch, dict(W=np.zeros((3, 2)), a=np.zeros(3), o=np.zeros(2), p=np.zeros(2))),
    "hc.touches": lambda: (hc.touches, dict(zip(("weights", "acts", "partner"), step_inputs()))),
    "hc.per_network": lambda: (hc.per_network, dict(value=[0.1, 0.2], like=step_inputs()[0])),
    "hc.delta_rule": lambda: (hc.delta_rule, dict(a=np.ones(3), o=np.full(2, 0.5), error=np.ones(2), step=0.1)),
    "hc.blog_rule": lambda: rule_call(hc.blog_rule),
    "hc.schmidhuber_rule": lambda: rule_call(hc.schmidhuber_rule),
    "hc.backprop_rule": lambda: rule_call(hc.backprop_rule),
    "hc.end_exchange_rule": lambda: rule_call(hc.end_exchange_rule),
    "hc.difference_exchange_rule": lambda: rule_call(hc.difference_exchange_rule, rows=3),
    "hc.difference_pass": lambda: (hc.difference_pass, dict(weights=step_inputs()[0], acts=step_inputs()[1],
                                                           difference=[1.0, 0.5])),
    "hc.jiggle_pass": lambda: (hc.jiggle_pass, dict(weights=step_inputs(3)[0], acts=step_inputs(3)[1], noise=[0.1, 0.2],
                                                   jiggle=np.zeros((2, 3, 2)))),
    "hl.saved_file": lambda: (hl.saved_file, dict(saved="runs/08_table.json")),
    "hc.rule_defaults": lambda: (hc.rule_defaults, dict(rule="difference_exchange", widths=(2, 4, 4))),
    "hc.HeatExchanger": lambda: (hc.HeatExchanger, dict(weights=net().weights, rule="schmidhuber", alignment="paper",
                                                        seeds=[1, 2], bias=False, init_scale=1.0, step=0.1,
                                                        pull_previous=1.0, pull_partner=1.0, hidden_pull=0.0)),
    "hc.Network": lambda: (hc.Network, dict(exchanger=net(), k=1)),
    "hc.Dataset": lambda: (hc.Dataset, dict(x_train=data().x_train, y_train=data().y_train, x_test=data().x_test,
                                            y_test=data().y_test, name="d", seed=0)),
    "hc.circle_data": lambda: (hc.circle_data, dict(n_train=20, n_test=10, width=2, seed=0, radius=0.8)),
    "hc.xor_data": lambda: (hc.xor_data, dict(n_train=20, n_test=10, width=2, seed=0)),
    "hc.moons_data": lambda: (hc.moons_data, dict(n_train=20, n_test=10, width=2, seed=0, noise=0.1)),
    "hc.spirals_data": lambda: (hc.spirals_data, dict(n_train=20, n_test=10, width=2, seed=0, turns=1.0, noise=0.05)),
    "hc.rule_defaults": lambda: (hc.rule_defaults, dict(rule="difference_exchange", widths=(4, 4, 4))),
    "hc.digits_data": lambda: (hc.digits_data, dict(n_train=50, n_test=20, seed=0, width=64)),
    "hc.data_set": lambda: (hc.data_set, dict(name="xor", width=2, seed=0, n_train=20, n_test=10)),
    "hc.majority_accuracy": lambda: (hc.majority_accuracy, dict(data=data())),
    "hc.train": lambda: (hc.train, dict(net=net(), data=data(), epochs=2, progress=False, snapshot_every=1,
                                            retrain_below=0.9, attempts=2)),
    "hc.measure": lambda: (hc.measure, dict(net=net(), data=data())),
    "hc.predict_labels": lambda: (hc.predict_labels, dict(outputs=np.full((4, 2), 0.7))),
    "hc.Run": lambda: (hc.Run, dict(config=run().config, snapshots=run().snapshots, metrics=run().metrics,
                                    snapshot_epochs=run().snapshot_epochs)),
    "hc.NetworkRun": lambda: (hc.NetworkRun, dict(run=run(), k=1)),
    "hl.Grid": lambda: (hl.Grid, dict(seeds=[0, 1], step=[0.1, 0.2])),
    "hl.register_rule": lambda: (hl.register_rule, dict(rule=hc.schmidhuber_rule, name="surface_rule",
                                                        alignment="paper")),
    "hl.is_local": lambda: (hl.is_local, dict(rule="blog", depth=2, width=2, trials=1, seed=0, rows=1)),
    "hl.check": lambda: (hl.check, dict(name="1.1", attempt=lambda: [])),
    "hl.Number": lambda: (hl.Number, dict(low=0, high=1)),
    # Choice(*options): one option given as junk beside a good one
    "hl.Choice": lambda: (lambda option: hl.Choice("higher", option), dict(option="lower")),
    "hl.predict": lambda: (with_predictions(hl.predict), dict(name="2.3", prediction=lambda: 0.5,
                                                              form=hl.Number(0, 1))),
    "hl.reveal": lambda: (with_predictions(hl.reveal), dict(name=predicted("surface.reveal"), measured=0.6)),
    "hl.final_test": lambda: (with_predictions(hl.final_test), dict(name=predicted("surface.final"), measured=0.6)),
    "hl.prediction_log": lambda: (with_predictions(hl.prediction_log), dict()),
    "hl.class_predictions": lambda: (hl.class_predictions, dict(paths=[predictions_file()])),
    "hl.carry_targets": lambda: (hl.carry_targets, dict(targets=plain_targets, **targets_inputs())),
    "hl.train_or_load": lambda: (hl.train_or_load, dict(net=net(), data=data(), epochs=3, saved=saved_run(), live=False,
                                                        snapshot_every=1, progress=False)),
    "hv.position_order": lambda: (hv.position_order, dict(weights=net().weights[0])),
    "hv.sections_by_position": lambda: (hv.sections_by_position, dict(values=np.zeros((2, 3)))),
    "hv.largest_section": lambda: (hv.largest_section, dict(per_section=np.ones((2, 3)))),
    "hv.section_series": lambda: (hv.section_series, dict(per_section=np.ones((4, 2, 3)), name="F[1]")),
    "hv.exchange_pairs": lambda: (hv.exchange_pairs, dict(depth=3, alignment="blog")),
    "hv.PipeDiagram": lambda: (hv.PipeDiagram, dict(ax=ax(), depth=3, alignment="blog", title="t", labels=True)),
    "hv.draw_pipes": lambda: (hv.draw_pipes, dict(depth=3, alignment="paper", mismatch=np.ones((2, 3)), title="t")),
    "hv.draw_difference_exchange": lambda: (hv.draw_difference_exchange, dict(depth=2)),
    "hv.draw_difference_passes": lambda: (hv.draw_difference_passes, dict(depth=2)),
    "hv.plot_circle_data": lambda: (hv.plot_circle_data, dict(data=data(), split="test", title="t")),
    "hv.plot_learning_curves": lambda: (hv.plot_learning_curves, dict(run=run(), data=data(), network=1)),
    "hv.weight_grid": lambda: (hv.weight_grid, dict(weights=run().snapshots[0, 0])),
    "hv.weight_labels": lambda: (hv.weight_labels, dict(depth=3, inputs=2, width=2)),
    "hv.weight_norm": lambda: (hv.weight_norm, dict(vmax=1.0, scale="symlog")),
    "hv.plot_weights": lambda: (hv.plot_weights, dict(weights=run().snapshots[0, 0], title="t", vmax=2.0,
                                                      colorbar=True, scale="linear")),
    "hv.compare_weights": lambda: (hv.compare_weights, dict(before=run().snapshots[0, 0], after=run().snapshots[-1, 0],
                                                            titles=("a", "b"), suptitle="s", scale="linear")),
    "hv.decision_grid": lambda: (hv.decision_grid, dict(resolution=5)),
    "hv.decision_map": lambda: (hv.decision_map, dict(forward_weights=run().forward[-1, 0], grid=hv.decision_grid(5),
                                                      width=2)),
    "hv.hidden_unit_maps": lambda: (hv.hidden_unit_maps, dict(forward_weights=run().forward[-1, 0],
                                                              grid=hv.decision_grid(5), layer=1)),
    "hv.plot_hidden_units": lambda: (hv.plot_hidden_units, dict(rows=[("a", run().forward[-1, 0])], resolution=5,
                                                                suptitle="s")),
    "hv.plot_accuracy_bands": lambda: (hv.plot_accuracy_bands, dict(ax=ax(), curves={"blog": curves()}, baseline=0.5, title="t",
                                                                    target=0.9, ylabel="y", legend=True)),
    "hv.plot_accuracy_panels": lambda: (hv.plot_accuracy_panels, dict(panels={"circle": {"blog": curves()}},
                                                                      baselines={"circle": 0.5}, suptitle="s")),
    "hv.plot_layer_spread": lambda: (hv.plot_layer_spread, dict(spread=np.full((3, 4), 0.2), title="t", label="n")),
    "hv.plot_decision_map": lambda: (hv.plot_decision_map, dict(ax=ax(), forward_weights=run().forward[-1, 0],
                                                                data_name="circle", title="t", resolution=5)),
    "hv.plot_decision_maps": lambda: (hv.plot_decision_maps, dict(panels=[(run().forward[-1, 0], "circle", "a")],
                                                                  ncols=2, suptitle="s", panel_size=2.0)),
    "hv.plot_lines": lambda: (hv.plot_lines, dict(series={"a": np.arange(4.0)}, title="t", xlabel="x", ylabel="y",
                                                  log=False)),
    "hv.plot_width_sweep": lambda: (hv.plot_width_sweep, dict(widths=[2, 4], accuracies={"a": [np.full(3, 0.6), np.full(3, 0.7)]},
                                                              title="t", target=0.9, ylabel="y")),
    "hv.print_accuracy_table": lambda: (hv.print_accuracy_table, dict(results={("a", "circle"): np.array([0.5, 0.6])},
                                                                      baselines={"circle": 0.5})),
    "hv.plot_weight_images": lambda: (hv.plot_weight_images, dict(
        weights=np.random.default_rng(0).uniform(-1, 1, (65, 4)), image_shape=(8, 8), ncols=2, vmax=1.0, title="t")),
    "hv.plot_digits": lambda: (hv.plot_digits, dict(images=digits().x_test[:6], labels=digits().labels("test")[:6],
                                                    predicted=np.arange(6), ncols=3, image_shape=(8, 8), limit=4,
                                                    title="t")),
    "hw.SnapshotView": lambda: (hw.SnapshotView, dict(run=run(), data=data(), network=1, dpi=40, figsize=(6, 3),
                                                      resolution=5, blit=False, scale="linear", title=True,
                                                      hidden=False)),
    "hw.Scrubber": lambda: (hw.Scrubber, dict(run=run(), data=data(), network=1, interval=100, dpi=40, figsize=(6, 3),
                                              hidden=False)),
    "hw.snapshot_frames": lambda: (hw.snapshot_frames, dict(epochs=10, count=3)),
    "hw.animation": lambda: (hw.animation, dict(run=run(), data=data(), network=0, frames=[0, 1], interval=100, dpi=30,
                                                figsize=(6, 3))),
    "hw.write_movie": lambda: (hw.write_movie, dict(view=view(), path=gif_path(), writer=hw.GifWriter(fps=5),
                                                    frames=[0, 1])),
    "hw.export_gif": lambda: (hw.export_gif, dict(run=run(), path=gif_path(), data=data(), network=0, frames=[0, 1],
                                                  fps=5, dpi=30)),
    "hw.export_mp4": lambda: (hw.export_mp4, dict(run=run(), path=SCRATCH / "film.mp4", data=data(), network=0,
                                                  frames=[0, 1], fps=5, dpi=30)),
    "hw.can_export_mp4": lambda: (hw.can_export_mp4, dict()),
    "hw.repo_relative": lambda: (hw.repo_relative, dict(path=SCRATCH / "a.gif")),
    "hw.SignalDemo": lambda: (hw.SignalDemo, dict(seeds=[0, 1], depth=2, width=2, init_scale=1.0, bias=False, dpi=30)),
    "hw.GifWriter": lambda: (hw.GifWriter, dict(fps=5)),
    # methods, on a fresh instance each time
    "Section.takes_input": lambda: (hc.Section(2).takes_input, dict(source=hc.Section(2))),
    "Section.__call__": lambda: (hc.HeatExchanger.build(2, 2).pipes()[0][0], dict(inputs=np.zeros((3, 2)))),
    "Pipe.through": lambda: (hc.Pipe.through, dict(section=hc.Section(2), arrow=">")),
    "Pipe.in_position_order": lambda: (hc.pipes(2, 2)[1].in_position_order, dict()),
    "Pipe.__call__": lambda: (hc.HeatExchanger.build(2, 2).pipes()[0], dict(inputs=np.zeros((3, 2)))),
    "Pipe.__getitem__": lambda: (hc.pipes(2, 2)[0].__getitem__, dict(i=1)),
    "HeatExchanger.build": lambda: (hc.HeatExchanger.build, dict(depth=2, width=3, seeds=[0, 1], rule="schmidhuber",
                                                                 bias=True, init_scale=1.0, step=0.1)),
    "HeatExchanger.from_weights": lambda: (hc.HeatExchanger.from_weights, dict(forward=[np.eye(2)] * 2,
                                                                               backward=[np.eye(2)] * 2)),
    "HeatExchanger.from_pipes": lambda: (hc.HeatExchanger.from_pipes, dict(forward=hc.pipes(2, 2)[0],
                                                                           backward=hc.pipes(2, 2)[1], seed=0)),
    "HeatExchanger.network": lambda: (net().network, dict(k=1)),
    "HeatExchanger.networks": lambda: (net().networks, dict()),
    "HeatExchanger.bind": lambda: (net().bind, dict(forward=hc.pipes(3, 2)[0], backward=hc.pipes(3, 2)[1], network=1)),
    "HeatExchanger.pipes": lambda: (net().pipes, dict(network=1)),
    "HeatExchanger.config": lambda: (net().config, dict()),
    "HeatExchanger.flow": lambda: (net().flow, dict(x=data().x_train, y=data().y_train)),
    "HeatExchanger.learn": lambda: (net().learn, dict(x=[0.1, 0.2], y=[1.0, 1.0])),
    "HeatExchanger.predict": lambda: (net().predict, dict(x=data().x_test)),
    "HeatExchanger.reconstruct": lambda: (net().reconstruct, dict(y=data().y_test)),
    "Network.flow": lambda: (net().network(1).flow, dict(x=data().x_train, y=data().y_train)),
    "Network.touches": lambda: (net().network(1).touches, dict(pipe="backward", i=1, x=[0.1, 0.2], y=[1.0, 1.0])),
    "Network.change": lambda: (net().network(1).change, dict(x=[0.1, 0.2], y=[1.0, 1.0])),
    "Network.predict": lambda: (net().network(1).predict, dict(x=data().x_test)),
    "Network.reconstruct": lambda: (net().network(1).reconstruct, dict(y=data().y_test)),
    "Network.pipes": lambda: (net().network(1).pipes, dict()),
    "Network.section": lambda: (net().network(1).section, dict(pipe="backward", i=2)),
    "Dataset.labels": lambda: (data().labels, dict(split="test")),
    "Run.network": lambda: (run().network, dict(k=1)),
    "Run.networks": lambda: (run().networks, dict()),
    "Run.network_at": lambda: (run().network_at, dict(epoch=2, network=1)),
    "Run.save": lambda: (run().save, dict(path=SCRATCH / "run.npz")),
    "Run.load": lambda: (hc.Run.load, dict(path=run().save(SCRATCH / "saved.npz"))),
    "Run.__getitem__": lambda: (run().__getitem__, dict(index=slice(0, 2))),
    "NetworkRun.at": lambda: (run().network(1).at, dict(epoch=1)),
    "Grid.per_network": lambda: (hl.Grid([0, 1], step=[0.1, 0.2]).per_network, dict()),
    "Grid.build": lambda: (hl.Grid([0, 1], step=[0.1, 0.2]).build, dict(depth=2, width=2)),
    "Grid.split": lambda: (hl.Grid([0, 1], step=[0.1, 0.2]).split, dict(values=np.zeros((3, 4)), axis=1)),
    "Grid.rows": lambda: (hl.Grid([0, 1], step=[0.1, 0.2]).rows, dict(values=np.zeros((3, 4)), axis=1)),
    "Grid.metric": lambda: (hl.Grid([1, 2], step=[0.01]).metric, dict(run=run(), name="test_accuracy")),
    "Grid.settings_of": lambda: (hl.Grid([0, 1], step=[0.1, 0.2]).settings_of, dict(k=3)),
    "PipeDiagram.set_mismatch": lambda: (hv.PipeDiagram(ax(), 3).set_mismatch, dict(mismatch=np.ones((2, 3)))),
    "PipeDiagram.facecolors": lambda: (hv.PipeDiagram(ax(), 3).facecolors, dict()),
    "PipeDiagram.colorbar": lambda: (hv.PipeDiagram(ax(), 3).colorbar, dict(label="l")),
    "SnapshotView.caption": lambda: (view().caption, dict(snapshot=1)),
    "SnapshotView.index": lambda: (view().index, dict(snapshot=-1)),
    "SnapshotView.update": lambda: (view().update, dict(snapshot=2)),
    "SnapshotView.render": lambda: (view().render, dict()),
    "SnapshotView.png": lambda: (view().png, dict(snapshot=1, compress_level=1)),
    "SnapshotView.jpeg": lambda: (view().jpeg, dict(snapshot=1, quality=80)),
    "Scrubber.show": lambda: (hw.Scrubber(run(), dpi=30, figsize=(6, 3)).show, dict(snapshot=1)),
    "SignalDemo.measure": lambda: (hw.SignalDemo(seeds=[0], depth=2, dpi=30).measure, dict()),
    "SignalDemo.show": lambda: (hw.SignalDemo(seeds=[0], depth=2, dpi=30).show, dict(depth=3)),
    "GifWriter.setup": lambda: (hw.GifWriter(fps=5).setup, dict(fig=view().figure, outfile=gif_path(), dpi=30)),
    "GifWriter.grab_frame": lambda: (_writer().grab_frame, dict()),
    "GifWriter.add_frame": lambda: (_writer().add_frame, dict(rgba=np.zeros((10, 12, 4), np.uint8))),
    "GifWriter.palette": lambda: (_framed_writer().palette, dict()),
    "GifWriter.finish": lambda: (_framed_writer().finish, dict()),
}


def _writer():
    writer = hw.GifWriter(fps=5)
    writer.setup(view().figure, gif_path(), dpi=view().figure.dpi)
    return writer


def _framed_writer():
    writer = _writer()
    writer.add_frame(np.asarray(view().render()))
    return writer


def public_callables():
    """Every public callable: "prefix.name" for the modules' __all__, "Class.method" for each public
    class's own methods (errors and warnings, which only carry a message, left out)."""
    names, seen = [], set()
    for prefix, module in MODULES.items():
        for name in module.__all__:
            value = getattr(module, name)
            if not callable(value) or (isinstance(value, type) and issubclass(value, (BaseException,))):
                continue
            if id(value) in seen:           # hv re-exports heatex_widgets: one entry, under hw
                continue
            seen.add(id(value))
            names.append(f"{'hw' if getattr(value, '__module__', '') == 'heatex_widgets' else prefix}.{name}")
            if isinstance(value, type) and not issubclass(value, tuple):
                for method, member in vars(value).items():
                    if (method.startswith("_") and method not in ("__call__", "__getitem__")) \
                            or not callable(getattr(member, "__func__", member)) or isinstance(member, property):
                        continue
                    names.append(f"{value.__name__}.{method}")
    return sorted(set(names))


def missing_examples():
    return [name for name in public_callables() if name not in EXAMPLES]


def parameters(name):
    """The names of the arguments the test may replace with junk."""
    function, kwargs = EXAMPLES[name]()
    return list(kwargs)


def special_files():
    """Paths that are not plain files: a FIFO, a device, a folder, a link loop, a missing folder, ..."""
    folder = SCRATCH / "special"
    if not folder.exists():
        folder.mkdir()
        os.mkfifo(folder / "fifo.npz")
        (folder / "loop.npz").symlink_to(folder / "loop.npz")
        (folder / "dangling.npz").symlink_to(folder / "nowhere" / "x.npz")
        (folder / "dir.npz").mkdir()
        (folder / "empty.npz").write_bytes(b"")
        (folder / "readonly.npz").write_bytes(b"PK")
        os.chmod(folder / "readonly.npz", 0o444)
        (folder / ("x" * 251 + ".gif")).write_bytes(b"")
        # devices of /dev/null's and /dev/zero's kind, here: code that wrongly replaced one would
        # replace this node, never the machine's own
        os.mknod(folder / "null.npz", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.mknod(folder / "zero.gif", stat.S_IFCHR | 0o666, os.makedev(1, 5))
    return [folder / "fifo.npz", folder / "null.npz", folder / "zero.gif", folder / "loop.npz",
            folder / "dangling.npz", folder / "dir.npz", folder / "empty.npz", folder / "readonly.npz",
            folder / "missing" / "x.npz", folder / ("x" * 251 + ".gif"), str(folder / "fifo.npz"), b"null.npz"]


def signature_of(name):
    function, _ = EXAMPLES[name]()
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None
