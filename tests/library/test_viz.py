"""heatex_viz: the pictures show the numbers they claim to show, and the scrubber scrubs."""
import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import heatex_core as hc  # noqa: E402
import heatex_viz as hv  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

EPOCHS = 4


@pytest.fixture(scope="module")
def data():
    return hc.circle_data(n_train=60, n_test=40, seed=3)


@pytest.fixture(scope="module")
def run(data):
    """Two networks of the blog's kind, a few epochs: every snapshot differs."""
    net = hc.HeatExchanger.build(depth=4, width=2, seeds=[5, 6], rule="blog", step=0.01)
    return hc.train(net, data, epochs=EPOCHS, progress=False)


@pytest.fixture(scope="module")
def bias_run():
    """The paper's rule with a bias: inputs = width + 1, paper alignment."""
    data = hc.circle_data(n_train=30, n_test=20, width=3, seed=1)
    net = hc.HeatExchanger.build(depth=3, width=3, seeds=[2], rule="schmidhuber", bias=True, step=0.5)
    return hc.train(net, data, epochs=3, progress=False), data


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def expected_grid(weights):
    """The weight view written out cell by cell, independently of weight_grid."""
    two, depth, inputs, width = weights.shape
    grid = np.empty((2 * width, depth * inputs))
    for p in range(2):
        for position in range(depth):
            flow_index = position if p == 0 else depth - 1 - position   # backward pipe flows right to left
            for j in range(inputs):
                for u in range(width):
                    grid[p * width + u, position * inputs + j] = weights[p, flow_index, j, u]
    return grid


def test_weight_grid_puts_every_weight_in_its_labelled_cell(run, bias_run):
    for weights in (run.snapshots[-1, 1], bias_run[0].snapshots[-1, 0]):
        np.testing.assert_array_equal(hv.weight_grid(weights), expected_grid(weights))
    rows, sections, units = hv.weight_labels(3, 4, 3)
    assert rows == ["forward out 0", "forward out 1", "forward out 2",
                    "backward out 0", "backward out 1", "backward out 2"]
    assert units[-1] == "bias" and sections == ["0", "1", "2"]


def test_weight_grid_rejects_more_than_one_network(run):
    with pytest.raises(ValueError, match="one network"):
        hv.weight_grid(run.snapshots[0])


def test_weight_colours_are_centred_on_zero(run):
    for scale in ("linear", "symlog"):
        norm = hv.weight_norm(3.0, scale)
        assert norm(0.0) == pytest.approx(0.5)
        assert norm(3.0) == pytest.approx(1.0) and norm(-3.0) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="linear"):
        hv.weight_norm(1.0, "log")
    image = hv.plot_weights(run.snapshots[-1, 0])
    assert image.get_cmap().name == hv.WEIGHT_CMAP
    assert image.norm.vmin == -image.norm.vmax


@pytest.mark.parametrize("alignment", sorted(hc.ALIGNMENTS))
def test_exchange_pairs_agree_with_the_rules_partners(alignment):
    """The diagram's dashed lines join exactly the sections partner_acts pairs."""
    depth, width = 5, 2
    # acts[p, layer] holds a code naming (pipe, layer), so partner_acts's choice can be read back.
    acts = np.zeros((2, depth + 1, 1, width))
    for p in range(2):
        for layer in range(depth + 1):
            acts[p, layer] = 100 * p + layer
    partner = hc.partner_acts(acts, alignment, width)[:, :, 0, 0]      # (2, depth) codes
    for p, position, drawn_partner in hv.exchange_pairs(depth, alignment):
        flow_index = position if p == 0 else depth - 1 - position
        code = partner[p, flow_index]
        other, layer = divmod(int(code), 100)
        assert other == 1 - p
        if drawn_partner is None:
            assert layer == 0, "a line to the other pipe's input must mean layer 0"
        else:
            other_flow = layer - 1
            other_position = other_flow if other == 0 else depth - 1 - other_flow
            assert other_position == drawn_partner


def test_exchange_pairs_blog_and_paper_by_position():
    assert all(partner == position for _, position, partner in hv.exchange_pairs(4, "blog"))
    paper = {(p, i): partner for p, i, partner in hv.exchange_pairs(4, "paper")}
    assert paper[(0, 0)] == 1 and paper[(1, 1)] == 0      # F[i] faces B[i + 1], and back
    assert paper[(0, 3)] is None and paper[(1, 0)] is None  # F[last] meets y, B[0] meets x
    with pytest.raises(ValueError, match="alignment"):
        hv.exchange_pairs(4, "sideways")


def test_pipe_diagram_colours_sections_by_position(run):
    mismatch = run.metrics["mismatch"][-1, 0]
    diagram = hv.draw_pipes(4, "blog", mismatch=mismatch)
    colours = diagram.facecolors()
    np.testing.assert_allclose(colours[0], diagram.cmap(diagram.norm(mismatch[0])))
    np.testing.assert_allclose(colours[1], diagram.cmap(diagram.norm(mismatch[1, ::-1])))
    with pytest.raises(ValueError, match="shape"):
        diagram.set_mismatch(mismatch[0])


def axes_with_data(fig):
    """The figure's axes that are not colour bars."""
    return [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]


def test_every_figure_has_a_title_and_labelled_axes(run, data):
    figures = {
        "data": hv.plot_circle_data(data).figure,
        "weights": hv.plot_weights(run.snapshots[0, 0]).figure,
        "compare": hv.compare_weights(run.snapshots[0, 0], run.snapshots[-1, 0], scale="symlog"),
        "curves": hv.plot_learning_curves(run, data, network=1),
        "pipes": hv.draw_pipes(6, "paper").ax.figure,
        "snapshot": hv.SnapshotView(run, data).figure,
    }
    for name, fig in figures.items():
        for ax in axes_with_data(fig):
            assert ax.get_title(), f"{name}: an axes without a title"
            assert ax.get_xlabel() and ax.get_ylabel(), f"{name}: {ax.get_title()!r} lacks an axis label"


def check_scrubber_shows(scrubber, run, k, network):
    view = scrubber.view
    weights = run.snapshots[k, network]
    np.testing.assert_array_equal(view.weight_image.get_array(), expected_grid(weights))
    forward = run.network_at(k, network)
    grid_points = np.zeros((len(view.grid), forward.width))
    grid_points[:, :2] = view.grid
    expected_map = forward.predict(grid_points)[0].mean(axis=-1).reshape(view.resolution, view.resolution)
    np.testing.assert_allclose(view.decision_image.get_array(), expected_map, rtol=0, atol=1e-12)
    mismatch = run.metrics["mismatch"][k, network]
    drawn = np.stack([mismatch[0], mismatch[1, ::-1]])
    np.testing.assert_allclose(view.diagram.facecolors(), view.diagram.cmap(view.diagram.norm(drawn)))
    assert scrubber.readout.value.startswith(f"snapshot {k} of {run.epochs}")
    accuracy = run.metrics["test_accuracy"][k, network]
    assert f"test accuracy {accuracy:.3f}" in scrubber.readout.value
    picture = Image.open(io.BytesIO(scrubber.image.value))
    assert picture.format == "JPEG"
    assert picture.size == view.figure.canvas.get_width_height()
    # JPEG at quality 90: the picture is the view's render, up to small compression errors
    error = np.abs(np.asarray(picture.convert("RGB"), dtype=int) - view.render()[..., :3].astype(int))
    assert error.mean() < 2.5, error.mean()


@pytest.mark.parametrize("network", [0, 1])
def test_setting_the_slider_shows_that_snapshot(run, data, network):
    scrubber = hv.Scrubber(run, data, network=network)
    assert (scrubber.slider.min, scrubber.slider.max) == (0, run.epochs)
    assert (scrubber.play.min, scrubber.play.max) == (0, run.epochs)
    assert scrubber.slider.description
    check_scrubber_shows(scrubber, run, 0, network)
    pictures = {0: scrubber.image.value}
    for k in (run.epochs, 1, run.epochs - 1, 0):   # both ends of the range, and back
        scrubber.slider.value = k
        assert scrubber.view.epoch == k
        check_scrubber_shows(scrubber, run, k, network)
        pictures.setdefault(k, scrubber.image.value)
        assert scrubber.image.value == pictures[k], "the same snapshot should give the same picture"
    assert len(set(pictures.values())) == len(pictures), "different snapshots should look different"


def test_show_moves_the_slider_and_counts_from_the_end(run, data):
    scrubber = hv.Scrubber(run, data)
    scrubber.show(-1)
    assert scrubber.slider.value == run.epochs
    check_scrubber_shows(scrubber, run, run.epochs, 0)
    scrubber.show(0)
    assert scrubber.slider.value == 0
    for bad in (run.epochs + 1, -run.epochs - 2, 1.5, True):
        with pytest.raises(ValueError, match="snapshot must be a whole number"):
            scrubber.show(bad)


def test_scrubber_draws_once_per_step(run, data, monkeypatch):
    scrubber = hv.Scrubber(run, data)
    calls = []
    original = scrubber.view.jpeg
    monkeypatch.setattr(scrubber.view, "jpeg", lambda k=None: calls.append(k) or original(k))
    scrubber.show(2)
    scrubber.slider.value = 3
    assert calls == [2, 3]


def test_scrubber_widget_layout_and_link(run, data):
    import ipywidgets as widgets
    scrubber = hv.Scrubber(run, data)
    (controls, readout, image) = scrubber.widget.children
    assert list(controls.children) == [scrubber.play, scrubber.slider]
    assert readout is scrubber.readout and image is scrubber.image
    assert isinstance(scrubber.link, widgets.widget_link.Link)
    assert scrubber.link.source == (scrubber.play, "value")
    assert scrubber.link.target == (scrubber.slider, "value")
    assert repr(scrubber).startswith(f"Scrubber over {run.epochs + 1} snapshots")


def test_scrubber_with_a_bias_and_the_paper_alignment(bias_run):
    run, data = bias_run
    scrubber = hv.Scrubber(run, data)
    for k in (0, run.epochs):
        scrubber.slider.value = k
        check_scrubber_shows(scrubber, run, k, 0)


def test_scrubber_rejects_a_missing_network(run, data):
    with pytest.raises(ValueError, match="network must be"):
        hv.Scrubber(run, data, network=2)


def test_blitting_draws_what_a_full_draw_draws(run, data):
    """The quick path (blit only what changed) gives the picture a full draw gives.

    Only where tick marks touch an image edge may an antialiased pixel differ
    (the ticks sit in the background, below the redrawn image's edge)."""
    quick = hv.SnapshotView(run, data, blit=True)
    full = hv.SnapshotView(run, data, blit=False)
    for k in (0, run.epochs):
        quick.update(k)
        full.update(k)
        a, b = quick.render(), full.render()
        assert a.shape == b.shape
        differ = np.any(a != b, axis=-1)
        assert differ.mean() < 1e-4, f"{differ.sum()} pixels differ between blitting and a full draw"


def test_snapshot_frames_keep_both_ends():
    assert hv.snapshot_frames(60, 13) == list(range(0, 61, 5))
    assert hv.snapshot_frames(3, 10) == [0, 1, 2, 3]
    assert hv.snapshot_frames(10, 1) == [0]
    with pytest.raises(ValueError):
        hv.snapshot_frames(10, 0)


def test_gif_has_one_frame_per_snapshot(run, data, tmp_path):
    path = hv.export_gif(run, tmp_path / "sub" / "run.gif", data, dpi=40)
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == run.epochs + 1
    with pytest.raises(ValueError, match=".gif"):
        hv.export_gif(run, tmp_path / "run.png", data)


def test_gif_frames_are_the_views_pictures(run, data, tmp_path):
    """GifWriter films the view's own pixels: each frame is what the view renders, up to the palette."""
    view = hv.SnapshotView(run, data, network=1, dpi=40)
    frames = [EPOCHS, 0, 2]
    path = hv.export_gif(run, tmp_path / "run.gif", view=view, frames=frames)
    with Image.open(path) as gif:
        assert gif.n_frames == len(frames)
        assert gif.size == view.figure.canvas.get_width_height()
        for i, k in enumerate(frames):
            gif.seek(i)
            decoded = np.asarray(gif.convert("RGB"), dtype=int)
            view.update(k)
            drawn = view.render()[..., :3].astype(int)
            error = np.abs(decoded - drawn).max(axis=-1)       # per pixel, worst channel, of 255
            assert error.mean() < 4 and np.percentile(error, 99) < 24, (k, error.mean(), error.max())
            # the frame shows snapshot k, not a neighbour: the title and the weights differ between snapshots
            other = (k + 1) % (EPOCHS + 1)
            view.update(other)
            assert np.abs(decoded - view.render()[..., :3]).max(axis=-1).mean() > error.mean()


def test_gif_writer_rejects_what_is_not_a_frame(tmp_path):
    writer = hv.GifWriter(fps=5)
    fig = plt.figure(figsize=(1, 1), dpi=10)
    with pytest.raises(ValueError, match="no frames"):
        with writer.saving(fig, str(tmp_path / "empty.gif"), dpi=10):
            pass
    writer.setup(fig, str(tmp_path / "bad.gif"), dpi=10)
    with pytest.raises(ValueError, match="RGBA"):
        writer.add_frame(np.zeros((10, 10, 3), dtype=np.uint8))
    writer.add_frame(np.zeros((10, 10, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="first frame's size"):
        writer.add_frame(np.zeros((10, 12, 4), dtype=np.uint8))


def test_one_view_serves_every_export(run, data, tmp_path):
    from matplotlib.animation import PillowWriter
    view = hv.SnapshotView(run, data, dpi=40)
    path = hv.export_gif(run, tmp_path / "pillow.gif", view=view, writer=PillowWriter(fps=5), frames=[0, -1])
    with Image.open(path) as gif:
        assert gif.n_frames == 2
        assert gif.size == view.figure.canvas.get_width_height()
    anim = hv.animation(run, frames=[1], view=view)
    assert anim.view is view and anim.to_jshtml().count("data:image/png;base64") == 1
    other = hc.Run(run.config, run.snapshots.copy(), run.metrics)
    with pytest.raises(ValueError, match="another run"):
        hv.export_gif(other, tmp_path / "x.gif", view=view)
    with pytest.raises(ValueError, match="snapshot must be"):
        hv.export_gif(run, tmp_path / "x.gif", view=view, frames=[run.epochs + 1])


def test_mp4_only_where_ffmpeg_exists(run, data, tmp_path, monkeypatch):
    if hv.can_export_mp4():
        path = hv.export_mp4(run, tmp_path / "run.mp4", data, dpi=40)
        assert path.stat().st_size > 0
    monkeypatch.setattr(hv, "can_export_mp4", lambda: False)
    assert hv.export_mp4(run, tmp_path / "none.mp4", data) is None
    assert not (tmp_path / "none.mp4").exists()


def test_jshtml_animation_holds_the_chosen_frames(run, data):
    frames = hv.snapshot_frames(run.epochs, 3)
    anim = hv.animation(run, data, frames=frames, dpi=30)
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == len(frames)
    assert anim.view.epoch == frames[-1]


def test_repo_relative_paths():
    import heatex_widgets
    assert hv.repo_relative(heatex_widgets.ROOT / "notebooks" / "exports" / "x.gif") == "notebooks/exports/x.gif"


def test_films_land_beside_the_notebook_whatever_the_install(tmp_path):
    # A kernel starts in its notebook's folder: the films go to exports/ there, not next to heatex.
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import heatex_viz as hv; print(hv.EXPORTS)"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(tmp_path / "exports")


def test_largest_section_names_it_by_drawn_position():
    per_section = np.zeros((2, 4))
    per_section[1, 0] = 3.0            # backward section 0 in flow order is drawn rightmost: B[3]
    assert hv.largest_section(per_section) == ("B[3]", 3.0)
    per_section[0, 2] = 5.0
    assert hv.largest_section(per_section) == ("F[2]", 5.0)
    with pytest.raises(ValueError, match=r"shape \(2, depth\)"):
        hv.largest_section(np.zeros((3, 4, 2)))


def test_section_series_follows_one_section_by_its_drawn_name():
    per_section = np.arange(2 * 3 * 4).reshape(3, 2, 4)      # (snapshots, pipes, sections in flow order)
    np.testing.assert_array_equal(hv.section_series(per_section, "F[1]"), per_section[:, 0, 1])
    np.testing.assert_array_equal(hv.section_series(per_section, "B[3]"), per_section[:, 1, 0])
    for bad in ("F[4]", "X[0]", "F0", 3):
        with pytest.raises(ValueError, match="name a section as drawn"):
            hv.section_series(per_section, bad)


def test_the_scrubber_is_large_enough_for_a_projector(run, data):
    # at least twice the pixels of the 720 x 331 picture it used to send, text of 10 points at 100 dpi
    width, height = hv.Scrubber(run, data).view.figure.canvas.get_width_height()
    assert width * height >= 2 * 720 * 331 and width >= 1200


def test_the_signal_demo_measures_fresh_pipes_and_redraws():
    demo = hv.SignalDemo(seeds=range(5))
    first = demo.image.value
    blog_shape = demo.output_spread
    net = hc.HeatExchanger.build(10, 2, seeds=range(5), rule="schmidhuber")
    expected = hc.layer_spread(net.weights[:, 0], hc.circle_data(500, 1, seed=0).x_train)
    assert np.isclose(blog_shape, np.median(expected[:, -1]))
    demo.show(depth=2, width=16, init_scale=4.0, bias=True)
    assert demo.image.value != first and demo.output_spread > 1e3 * blog_shape
    assert Image.open(io.BytesIO(demo.image.value)).format == "JPEG"
    demo.width.value = 3                           # a slider moved by hand redraws too
    assert "median spread at the output" in demo.readout.value
    with pytest.raises(ValueError, match="unknown control"):
        demo.show(depth=2, colour="red")
    assert repr(demo).startswith("SignalDemo")


def test_the_plots_for_many_networks_draw_what_they_are_given():
    fig, ax = plt.subplots()
    curves = {"a": np.array([[0.5, 0.6], [0.7, 0.9]]), "b": np.full((2, 3), 0.5)}
    hv.plot_accuracy_bands(ax, curves, baseline=0.48, title="t")
    means = [line.get_ydata() for line in ax.get_lines() if line.get_label() == "a: mean"]
    np.testing.assert_allclose(means[0], [0.55, 0.8])
    with pytest.raises(ValueError, match="epochs \\+ 1, networks"):
        hv.plot_accuracy_bands(ax, {"c": np.zeros(3)})
    ax = hv.plot_layer_spread(np.array([[1.0, 0.1, 0.01], [1.0, 0.2, 0.02]]))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.0, 0.15, 0.015])
    weights = hc.HeatExchanger.build(2, 3, seeds=[0], rule="schmidhuber", bias=True).network(0).forward
    fig = hv.plot_decision_maps([(weights, "circle", "one"), (weights, "xor", "two")], ncols=3)
    assert sum(ax.get_visible() for ax in fig.axes) == 3      # two maps and the colour bar
    ax = hv.plot_width_sweep([4, 8], {"x": [np.array([0.7, 0.8]), np.array([0.9, 0.9])]})
    with pytest.raises(ValueError, match="for 2 widths"):
        hv.plot_width_sweep([4, 8], {"x": [np.array([0.7])]})
    plt.close("all")


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_the_difference_exchange_is_drawn_in_two_panels_with_every_target(depth):
    fig = hv.draw_difference_passes(depth)
    forward, targets = fig.axes
    assert forward.get_title(loc="left").startswith("1 · the forward pass")
    assert targets.get_title(loc="left").startswith("2 · the target pass")
    said = [t.get_text() for t in targets.texts]
    sub = lambda n: str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    for L in range(1, depth + 1):      # every backward section's correction, written under it
        assert f"t{sub(L - 1)} = g(t{sub(L)}) + h{sub(L - 1)} − g(h{sub(L)})" in said
    assert f"y = t{sub(depth)}" in said and f"ŷ = h{sub(depth)}" in [t.get_text() for t in forward.texts]
    with pytest.raises(ValueError):
        hv.draw_difference_passes(5)
