"""The pictures and widgets for sections of different widths and for the digits (issue 21, items 3 and 4)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import heatex_core as hc  # noqa: E402
import heatex_engine as engine  # noqa: E402
import heatex_viz as hv  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

WIDTHS = (64, 12, 10)


@pytest.fixture(scope="module")
def digits():
    return hc.digits_data(n_train=150, n_test=80, seed=2)


@pytest.fixture(scope="module")
def run(digits):
    net = hc.HeatExchanger.build(widths=WIDTHS, seeds=[0, 1], rule="difference_exchange")
    return hc.train(net, digits, epochs=3, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_weight_view_draws_each_section_from_the_top_left_and_grey_where_it_has_nothing(run):
    weights = run.network(1).snapshots[-1]
    grid = hv.weight_grid(weights, widths=WIDTHS)
    assert grid.shape == (2 * 64, 2 * 65)
    net = run.network_at(-1, network=1).network(0)
    # forward section 0 (position 0): rows are its 12 outputs, columns its 64 inputs then the bias (last column)
    block = net.section("forward", 0)
    np.testing.assert_array_equal(grid[:12, :64], block[:64].T)
    np.testing.assert_array_equal(grid[:12, 64], block[64])
    assert np.all(np.isnan(grid[12:64, :65]))
    # backward section 0 (y in, 10 -> 12) is drawn at position 1, below the line
    block = net.section("backward", 0)
    np.testing.assert_array_equal(grid[64:76, 65:75], block[:10].T)
    np.testing.assert_array_equal(grid[64:76, 129], block[10])
    assert np.isnan(grid[64:76, 75:129]).all()
    image = hv.plot_weights(weights, widths=WIDTHS)
    assert np.ma.getmaskarray(image.get_array()).sum() == np.isnan(grid).sum()     # NaN: masked, drawn grey
    np.testing.assert_array_equal(hv.weight_grid(weights), hv.weight_grid(weights, widths=(64, 64, 64)))
    with pytest.raises(ValueError, match="do not fit weights of 2 sections padded to 64"):
        hv.weight_grid(weights, widths=(64, 10))
    hv.compare_weights(run.network(0).snapshots[0], weights, widths=WIDTHS)


def test_learning_curves_of_many_classes_show_the_most_common_class(run, digits):
    fig = hv.plot_learning_curves(run, digits, network=1)
    for ax, split in zip(fig.axes[:2], ("train", "test")):      # one accuracy panel per set
        share = np.bincount(digits.labels(split)).max() / len(digits.labels(split))
        said = [text.get_text() for text in ax.texts]
        assert f"the most common class: {share:.3f}" in said, said
        assert any(np.allclose(line.get_ydata(), share) for line in ax.get_lines() if len(line.get_ydata()) == 2)


def test_the_scrubber_of_a_run_of_different_widths_says_why_there_is_no_decision_map(run, digits):
    view = hv.SnapshotView(run, digits, network=1, blit=False)
    assert view.decision_image is None and view.widths == WIDTHS
    texts = [t.get_text() for t in view.axes["decision"].texts]
    assert any("64-12-10" in t and "no decision map" in t for t in texts)
    for snapshot in (0, -1):
        view.update(snapshot)
        np.testing.assert_array_equal(view.weight_image.get_array(),
                                      hv.weight_grid(run.network(1).snapshots[snapshot], WIDTHS))
    assert view.render().shape[-1] == 4 and view.png(1)[:4] == b"\x89PNG"
    scrubber = hv.Scrubber(run, digits)
    scrubber.show(2)
    with pytest.raises(ValueError, match="not a point of the plane"):
        hv.SnapshotView(run, digits, hidden=True)


def test_a_run_of_the_plane_with_different_widths_is_refused_a_map_too():
    data = hc.circle_data(40, 20, seed=1)
    run = hc.train(hc.HeatExchanger.build(widths=(2, 8, 2), seeds=[0], rule="backprop", bias=True), data, epochs=1,
                   progress=False)
    assert hv.SnapshotView(run, data, blit=False).decision_image is None


def test_the_first_sections_weights_as_images_one_per_unit(run):
    section = run.network_at(-1, network=0).network(0).section("forward", 0)
    fig = hv.plot_weight_images(section, ncols=5)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 12
    np.testing.assert_array_equal(images[3].get_array(), section[:64, 3].reshape(8, 8))
    assert [ax.get_title() for ax in fig.axes if ax.images][:2] == ["unit 0", "unit 1"]
    low, high = images[0].get_clim()
    assert low == -high == -np.abs(section[:64]).max()                # centred on zero: white is a zero weight
    assert hv.plot_weight_images(section, vmax=2.0).axes[0].images[0].get_clim() == (-2.0, 2.0)
    with pytest.raises(ValueError, match="64 inputs from the 8x8 pixels"):
        hv.plot_weight_images(section[:10])
    with pytest.raises(ValueError, match="image_shape"):
        hv.plot_weight_images(section, image_shape=8)


def test_digits_with_their_labels_and_the_answers_it_gets_wrong(run, digits):
    net = run.network_at(-1)
    answer = hc.predict_labels(net.predict(digits.x_test), one_hot=True)[0]
    truth = digits.labels("test")
    wrong = answer != truth
    fig = hv.plot_digits(digits.x_test[wrong], truth[wrong], answer[wrong])
    titled = [ax for ax in fig.axes if ax.images]
    assert len(titled) == min(wrong.sum(), 60)
    assert titled[0].get_title() == f"{truth[wrong][0]}, said {answer[wrong][0]}"
    assert titled[0].title.get_color() == "tab:red"
    np.testing.assert_array_equal(titled[0].images[0].get_array(), digits.x_test[wrong][0].reshape(8, 8))
    fig = hv.plot_digits(digits.x_test[:5], truth[:5])
    assert [ax.get_title() for ax in fig.axes if ax.images] == [str(t) for t in truth[:5]]
    with pytest.raises(ValueError, match="labels must be one per image"):
        hv.plot_digits(digits.x_test[:5], truth[:4])
    with pytest.raises(ValueError, match="no images"):
        hv.plot_digits(digits.x_test[:0], truth[:0])


def test_a_film_of_a_run_of_different_widths(run, digits, tmp_path):
    path = hv.export_gif(run, tmp_path / "digits.gif", data=digits, frames=[0, 3], dpi=30)
    assert path.exists() and path.read_bytes()[:3] == b"GIF"
