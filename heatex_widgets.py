"""heatex_widgets: what moves -- the scrubber, the films, the live signal demo. Read heatex_viz first.

``heatex_viz`` draws still pictures; this module makes them move, and notebooks
reach it through ``heatex_viz`` as well (``hv.Scrubber``, ``hv.export_gif``):

1. ``SnapshotView``: one figure of a network at any snapshot of a run
   (decision map, weights or hidden units, pipes coloured by mismatch),
   updated in place; ``Scrubber``: a slider and a Play button over it.
2. Films and files for readers with no kernel: ``animation`` (``to_jshtml``),
   ``export_gif``, ``export_mp4``.
3. ``SignalDemo``: sliders for the shape of a fresh pipe, with the signal that
   reaches its output redrawn live.
4. Drawing fast: ``_Blitter`` redraws only what changed and ``GifWriter``
   films the view's own pixels. Read it last, if at all.
"""

from __future__ import annotations

import io
import pathlib

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.animation import AbstractMovieWriter, FuncAnimation, writers
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import heatex_checks as checks
import heatex_core as hc
import heatex_runfile as runfile
import heatex_viz as hv

__all__ = ["SnapshotView", "Scrubber", "snapshot_frames", "animation", "write_movie", "export_gif", "export_mp4",
           "can_export_mp4", "repo_relative", "SignalDemo", "GifWriter", "EXPORTS"]

# Where a notebook writes its films: a folder beside it ("exports", which git ignores), since a
# kernel starts in its notebook's folder -- in JupyterLab and Binder (notebooks/exports), in
# JupyterLite, on Colab and on Kaggle alike, where heatex itself is installed far from the notebook.
ROOT = pathlib.Path(__file__).resolve().parent
EXPORTS = pathlib.Path.cwd() / "exports"
# Past this a side of a figure, at its dpi, makes a picture of gigabytes: refused with what to change.
MAX_PIXELS = 8000


# ---------------------------------------------------------------------------
# Checks of what a film or a view is given, before anything is drawn.
# ---------------------------------------------------------------------------


def _check_figure(dpi, figsize):
    """dpi and figsize of a figure, checked before it is made: (dpi, figsize)."""
    dpi = checks.positive(dpi, "dpi", " dots per inch", most=1000)
    if dpi < 1:
        raise checks.HeatexValueError(f"dpi must be at least 1 dot per inch, got {checks.shown(dpi)}")
    try:
        size = tuple(figsize)
    except TypeError:
        size = ()
    if len(size) != 2 or not all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                                 and np.isfinite(v) and v > 0 for v in size):
        raise checks.HeatexValueError(f"figsize must be (width, height) in inches, two numbers above 0, got {checks.shown(figsize)}")
    if min(size) * dpi < 16:
        raise checks.HeatexValueError(f"figsize {size} at dpi {dpi:g} makes a picture less than 16 pixels on a side; "
                                      "a larger figsize or dpi")
    if max(size) * dpi > MAX_PIXELS:
        raise checks.HeatexValueError(f"figsize {size} at dpi {dpi:g} makes a picture {size[0] * dpi:.0f} x {size[1] * dpi:.0f} "
                         f"pixels; keep each side under {MAX_PIXELS}: a smaller figsize or dpi")
    return dpi, size


def _check_fps(fps):
    """Frames a second of a film: a GIF's frame lasts whole hundredths of a second, from 1 to 65535."""
    fps = checks.positive(fps, "fps", " frames a second", most=100)
    if fps < 0.002:
        raise checks.HeatexValueError(f"fps must be at least 0.002 frames a second (a GIF's frame lasts at most about "
                                      f"11 minutes), got {checks.shown(fps)}")
    return fps


def _check_frames(run, frames):
    """``frames`` as snapshot indices of ``run`` (None: all), checked before anything is drawn."""
    last = len(run.snapshots) - 1
    if frames is None:
        return list(range(last + 1))
    try:
        if isinstance(frames, (str, bytes)):
            raise TypeError
        frames = list(frames)
    except TypeError:
        raise checks.HeatexTypeError(f"frames must be a list of snapshot indices (e.g. hv.snapshot_frames({last}, 13)), "
                        f"got {checks.shown(frames)}") from None
    if not frames:
        raise checks.HeatexValueError("frames is empty: give at least one snapshot index")
    for s in frames:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not -last - 1 <= s <= last:
            raise checks.HeatexValueError(f"frames: snapshot must be a whole number from 0 to {last} (or -1 for the last), "
                             f"got {checks.shown(s)}")
    return [int(s) % (last + 1) for s in frames]


# ---------------------------------------------------------------------------
# 1. One figure for any snapshot, and the scrubber over all of them.
# ---------------------------------------------------------------------------

class SnapshotView:
    """A figure of one network at any snapshot of a run, updated in place.

    Panels: the forward pipe's decision map over the square, both pipes'
    weights (diverging colours centred on zero, one scale for the whole run)
    and the pipe diagram with sections coloured by mismatch (one scale for the
    whole run). With ``hidden=True`` the weights give way to the hidden
    layer: each unit of the forward pipe's first layer as a map over the
    square, to watch features form. ``update(snapshot)`` changes only the
    artists' data; ``render()`` draws the figure and returns its pixels.

    A run of layers of different widths (the digits, 64-32-10) has no
    decision map: its input is not a point of the plane, so that panel says
    so instead, and ``hidden=True`` is refused; its weights are drawn section
    by section (``hv.plot_weights`` with ``widths``).

    With ``blit=True`` the static parts are drawn once and each ``render``
    redraws only what changed (see ``_Blitter``), which keeps a step cheap for
    the scrubber and the films. A blitting view's changing artists are left out
    of an ordinary draw, so use ``blit=False`` to ``savefig`` the figure or
    show it inline.
    """

    def __init__(self, run, data=None, network=0, dpi=100, figsize=(12, 5.6), resolution=41, blit=True,
                 scale="symlog", title=True, hidden=False):
        self.network = hv._network_index(run, network)
        hv._check_data(data, run)
        dpi, figsize = _check_figure(dpi, figsize)
        resolution = checks.whole(resolution, "resolution", 2, hv.MAX_RESOLUTION)
        hv._check_scale(scale)
        blit, title, hidden = (checks.flag(v, name) for name, v in (("blit", blit), ("title", title), ("hidden", hidden)))
        self.run = run
        self.epochs = hv._snapshot_epochs(run)                      # the epoch of each snapshot
        self.snapshots = run.snapshots[:, self.network]        # (snapshots, 2, depth, inputs, width)
        self.depth, self.inputs, self.width = self.snapshots.shape[2:]
        self.widths = hv.run_widths(run)
        self.plane = min(self.widths) == max(self.widths)          # one width: the input is a point of the plane
        if hidden and not self.plane:
            raise checks.HeatexValueError(f"hidden=True draws each first-layer unit as a map over the plane, but this run's layers "
                             f"are {'-'.join(map(str, self.widths))}: its input is not a point of the plane; leave "
                             "hidden out to see its weights")
        self.grid = hv.decision_grid(resolution)
        self.resolution = resolution
        self.epoch = None
        self.blit = blit

        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        self.figure = fig
        spec = fig.add_gridspec(2, 2, width_ratios=(1, 2.6), height_ratios=(1, 1))
        ax_map = fig.add_subplot(spec[:, 0])
        ax_w = fig.add_subplot(spec[0, 1])
        ax_pipe = fig.add_subplot(spec[1, 1])
        self.axes = {"decision": ax_map, "weights": ax_w, "pipes": ax_pipe}
        self.vmax = hv._symmetric_limit(self.snapshots)
        self.hidden = bool(hidden)
        if self.hidden:
            ax_w.set_axis_off()
            self.weight_image = None
            self.hidden_images = _hidden_panel(fig, spec[0, 1], self.width, resolution)
        else:
            self.weight_image = _weights_panel(ax_w, self.snapshots[0], self.vmax, scale, self.widths)
            self.hidden_images = []
        self.decision_image = _decision_panel(ax_map, data, resolution) if self.plane else _no_plane(ax_map,
                                                                                                     self.widths)
        self.mismatch = run.metrics["mismatch"][:, self.network] if "mismatch" in run.metrics else None
        self.diagram = _pipes_panel(ax_pipe, self.depth, run.config.get("alignment", "blog"), self.mismatch)
        # The scrubber's readout says which snapshot is shown; files and pages with
        # no kernel have no readout, so their frames carry it as a title.
        self.title = fig.suptitle("") if title else None
        self.changing = ([self.weight_image] if self.weight_image is not None else self.hidden_images) + [
            self.decision_image, *self.diagram.boxes[0], *self.diagram.boxes[1]] + ([self.title] if title else [])
        self.changing = [artist for artist in self.changing if artist is not None]
        self.update(0)
        self._draw = _Blitter(fig, self.changing) if blit else _FullDraw(fig)

    def caption(self, snapshot):
        """One line about a snapshot: its epoch and what the run measured then."""
        snapshot = self.index(snapshot)
        m = self.run.metrics
        epoch = int(self.epochs[snapshot])
        when = "before training" if epoch == 0 else f"after epoch {epoch}"
        parts = [f"snapshot {snapshot} of {len(self.snapshots) - 1} ({when})"]
        if "test_accuracy" in m:
            parts.append(f"test accuracy {m['test_accuracy'][snapshot, self.network]:.3f}")
        if "reconstruction_error" in m:
            parts.append(f"reconstruction error {m['reconstruction_error'][snapshot, self.network]:.3f}")
        return " · ".join(parts)

    def index(self, snapshot):
        """``snapshot`` as an index of the run's snapshots, 0 to the last (negative counts from the end).

        A run that kept every epoch has snapshot e after epoch e; ``run.snapshot_epochs`` says which
        epoch each snapshot is of a run kept with ``snapshot_every``.
        """
        last = len(self.snapshots) - 1
        if (isinstance(snapshot, bool) or not isinstance(snapshot, (int, np.integer))
                or not -last - 1 <= snapshot <= last):
            raise checks.HeatexValueError(f"snapshot must be a whole number from 0 to {last} (or -1 for the last), got {snapshot!r}")
        return int(snapshot) % (last + 1)

    def update(self, snapshot):
        """Show a snapshot (0 = initial weights, -1 = the last)."""
        snapshot = self.index(snapshot)
        weights = self.snapshots[snapshot]
        if self.weight_image is not None:
            self.weight_image.set_data(hv.weight_grid(weights, self.widths))
        for image, unit_map in zip(self.hidden_images, hv.hidden_unit_maps(weights[0], self.grid)):
            image.set_data(unit_map.reshape(self.resolution, self.resolution))
        if self.decision_image is not None:
            self.decision_image.set_data(
                hv.decision_map(weights[0], self.grid, self.width).reshape(self.resolution, self.resolution))
        if self.mismatch is not None:
            self.diagram.set_mismatch(self.mismatch[snapshot])
        # a short title: few glyphs to draw per step; the widget's readout says more
        accuracy = self.run.metrics.get("test_accuracy")
        if self.title is not None:
            self.title.set_text(f"epoch {self.epochs[snapshot]}" + ("" if accuracy is None else
                                                       f": test accuracy {accuracy[snapshot, self.network]:.3f}"))
        self.epoch = snapshot
        return self.changing

    def render(self):
        """Draw the figure as it is now; returns the canvas's RGBA buffer (H, W, 4)."""
        return self._draw.render()

    def png(self, snapshot=None, compress_level=1):
        """A snapshot (or the one shown) as PNG bytes: exact pixels, for files and pages."""
        compress_level = checks.whole(compress_level, "compress_level", 0, 9, " (zlib's levels)")
        return self._encode(snapshot, "png", compress_level=compress_level)

    def jpeg(self, snapshot=None, quality=90):
        """A snapshot (or the one shown) as JPEG bytes: what the scrubber sends on every step.

        JPEG encodes a large figure several times faster than PNG, which keeps a
        slider step near 30 ms; at quality 90 the text and flat colours stay clean.
        """
        quality = checks.whole(quality, "quality", 1, 100, " (JPEG's scale)")
        return self._encode(snapshot, "jpeg", quality=quality)

    def _encode(self, snapshot, format, **options):
        from PIL import Image
        if snapshot is not None:
            self.update(snapshot)
        rgba = self.render()
        buffer = io.BytesIO()
        # The figure is opaque, so RGB is enough.
        Image.fromarray(rgba[..., :3]).save(buffer, format=format, **options)
        return buffer.getvalue()


def _weights_panel(ax, weights, vmax, scale, widths=None):
    """Both pipes' weights, on one colour scale for the whole run."""
    image = hv.plot_weights(weights, ax=ax, vmax=vmax, colorbar=False, scale=scale, widths=widths,
                         title="weights of both pipes (one scale for the whole run)")
    ax.figure.colorbar(image, ax=ax, label="weight" + (" (log beyond ±1)" * (scale == "symlog")),
                       fraction=0.04, pad=0.01)
    ax.set_xlabel("section position i: F[i] above, B[i] below", fontsize="small")
    return image


def _hidden_panel(fig, cell, width, resolution):
    """One small map per hidden unit: what each unit of the first layer answers over the square."""
    axes = cell.subgridspec(1, width, wspace=0.05).subplots()
    axes = np.atleast_1d(axes)
    images = []
    for u, ax in enumerate(axes):
        images.append(ax.imshow(np.full((resolution, resolution), 0.5), cmap=hv.HIDDEN_CMAP, vmin=0, vmax=1,
                                origin="lower", extent=(-1, 1, -1, 1), interpolation="nearest"))
        ax.set_title(f"hidden unit {u}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(images[0], ax=list(axes), label="activation", fraction=0.04, pad=0.01)
    return images


def _no_plane(ax, widths):
    """In place of the decision map, for layers of different widths: why there is none."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"layers {'-'.join(map(str, widths))}:\nthe input is not a point\nof the plane, so there is\n"
                      "no decision map to draw", ha="center", va="center", fontsize="medium", color="dimgrey",
            transform=ax.transAxes)
    return None


def _decision_panel(ax, data, resolution):
    """The forward pipe's output over the square, with a sample of test points on top."""
    image = ax.imshow(np.full((resolution, resolution), 0.5), cmap=hv.OUTPUT_CMAP, vmin=0, vmax=1, origin="lower",
                      extent=(-1, 1, -1, 1), interpolation="nearest")
    if data is not None:
        # a sample of test points (redrawn each step, so keep it small)
        x, inside = data.x_test[:200], data.y_test[:200, 0] > 0.5
        ax.scatter(x[inside, 0], x[inside, 1], s=4, color="black")
        ax.scatter(x[~inside, 0], x[~inside, 1], s=6, color="dimgrey", marker="x", linewidths=0.6)
    # no legend on the map (it would be redrawn every step): the title names the markers
    ax.set_title("forward pipe's output ŷ" + ("\n(200 test points: • label 1, × label 0)" if data is not None else ""),
                 fontsize="medium")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, location="bottom", label="mean of ŷ (class 1 above 0.5)",
                       fraction=0.05, pad=0.02)
    return image


def _pipes_panel(ax, depth, alignment, mismatch):
    """The pipe diagram, sections coloured by mismatch on one scale for the whole run."""
    top = float(mismatch.max()) if mismatch is not None and mismatch.max() > 0 else 1.0
    diagram = hv.PipeDiagram(ax, depth, alignment, norm=mcolors.Normalize(0, top),
                          title="sections coloured by mismatch with their partner", labels=False)
    diagram.colorbar("mismatch")
    ax.set_xlabel("section position i: F[i] above, B[i] below", fontsize="small")
    return diagram


class _WidgetView:
    """Shown in a notebook as its ``widget``, with its ``repr`` as the text for pages that cannot show widgets.

    ipywidgets 8 gives a widget's view as a bundle, to which the text is added; ipywidgets 7 (Colab and
    other hosted runtimes ship it) has no bundle, and its widgets display themselves.
    """

    def _ipython_display_(self):
        from IPython.display import display
        if not hasattr(self.widget, "_repr_mimebundle_"):      # ipywidgets 7
            display(self.widget)
            return
        bundle = self.widget._repr_mimebundle_()
        bundle["text/plain"] = repr(self)
        display(bundle, raw=True)


class Scrubber(_WidgetView):
    """Scrub through every snapshot of a run with a slider and a Play button.

    ``widget`` is what the notebook displays: a Play button and an IntSlider
    (linked in the browser with ``jslink``), a readout line and one JPEG
    ``ipywidgets.Image`` that is redrawn in place from one reused figure.
    Setting ``slider.value = snapshot`` (or calling ``show(snapshot)``) shows that snapshot.
    """

    def __init__(self, run, data=None, network=0, interval=200, dpi=100, figsize=(12, 5.6), hidden=False):
        import ipywidgets as widgets
        interval = checks.whole(interval, "interval", 1, why=" (milliseconds between frames when playing)")
        if interval > 10**7:
            raise checks.HeatexValueError(f"interval must be at most 10**7 milliseconds (about 3 hours a frame), got {interval}")
        checks.flag(hidden, "hidden")
        self.view = SnapshotView(run, data, network, dpi=dpi, figsize=figsize, blit=True, title=False, hidden=hidden)
        last = len(self.view.snapshots) - 1
        self.slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="snapshot",
                                        continuous_update=True,
                                        layout=widgets.Layout(width="60%"))
        self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=interval, description="Play")
        self.link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="jpeg")
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.readout, self.image])
        self.slider.observe(self._on_slider, names="value")
        self._draw(0)

    @property
    def run(self):
        return self.view.run

    def _on_slider(self, change):
        self._draw(change["new"])

    def show(self, snapshot):
        """Show a snapshot: the slider moves to it, and the image and readout follow."""
        snapshot = self.view.index(snapshot)
        if self.slider.value != snapshot:
            self.slider.value = snapshot        # the slider's observer draws
        else:
            self._draw(snapshot)
        return self

    def _draw(self, snapshot):
        self.image.value = self.view.jpeg(snapshot)
        self.readout.value = self.view.caption(snapshot)

    def __repr__(self):
        return (f"Scrubber over {len(self.view.snapshots)} snapshots of network {self.view.network} "
                "(in Jupyter with a kernel: a slider, a Play button and the figure)")


# ---------------------------------------------------------------------------
# 2. Films and files, for readers with no kernel.
# ---------------------------------------------------------------------------

def snapshot_frames(epochs, count):
    """``count`` snapshot indices spread evenly from 0 to ``epochs``, both ends included.

    ``epochs`` is the last snapshot's index: ``run.epochs`` for a run that kept
    every epoch, ``len(run.snapshots) - 1`` for any run.
    """
    epochs = checks.whole(epochs, "epochs", 0, why=" (the last snapshot's index)")
    if epochs > 10**12:
        raise checks.HeatexValueError(f"epochs must be at most 10**12 (the last snapshot's index), got {epochs}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise checks.HeatexValueError(f"count must be a whole number of at least 1, got {count!r}")
    if count > 10**5:
        raise checks.HeatexValueError(f"count must be at most 100000 frames (a film of more is hours long), got {count!r}")
    count = min(int(count), epochs + 1)
    return np.unique(np.round(np.linspace(0, epochs, count)).astype(int)).tolist()


def _check_view(run, view):
    """The run a film shows, checked with the view given (None: a new one will be made)."""
    if view is None:
        hv._check_run(run)
        return run
    if not isinstance(view, SnapshotView):
        raise checks.HeatexTypeError(f"view must be a heatex_viz.SnapshotView, not {type(view).__name__}")
    if run is not None and view.run is not run:
        raise checks.HeatexValueError("view shows another run than the one given; pass run=None or that view's run")
    return view.run


def _snapshot_view(run, data, network, dpi, figsize, view):
    """The view to film: the one given (it must show ``run``), or a new one."""
    if view is None:
        return SnapshotView(run, data, network, dpi=dpi, figsize=figsize, blit=True)
    _check_view(run, view)
    return view


def _frame_list(view, frames):
    return _check_frames(view.run, frames)


def animation(run, data=None, network=0, frames=None, interval=200, dpi=50, figsize=(10, 4.6), view=None):
    """A matplotlib animation of the snapshots ``frames`` (default: all).

    ``anim.to_jshtml()`` gives a scrubber that runs in the page alone; keep
    ``frames`` short and ``dpi`` low, since every frame is embedded as a PNG.
    Give ``view`` (a ``SnapshotView`` of ``run``) to reuse one already laid out.
    ``anim.view`` is the view.
    """
    frames = _check_frames(_check_view(run, view), frames)
    interval = checks.positive(interval, "interval", " milliseconds between frames")
    if view is None:
        hv._network_index(run, network)
        hv._check_data(data, run)
        _check_figure(dpi, figsize)
    view = _snapshot_view(run, data, network, dpi, figsize, view)
    film, show = _film(view, frames[0])
    anim = FuncAnimation(film, show, frames=frames, interval=interval, blit=False,
                         repeat=False, cache_frame_data=False)
    anim.view = view
    return anim


def write_movie(view, path, writer, frames=None):
    """Write snapshots ``frames`` of ``view`` to ``path`` with a matplotlib movie ``writer``.

    The writer's documented loop (``writer.saving``, then one frame per
    snapshot). A ``GifWriter`` takes the view's own pixels (``add_frame``); any
    other writer redraws a film figure holding them (``grab_frame``), a cheap
    draw, but a draw and a copy more per frame. The film is written whole or
    not at all, as a run is (``heatex_runfile.write_whole``): a full disk or a
    stop part-way leaves the film that was at ``path`` as it was.
    """
    if not isinstance(view, SnapshotView):
        raise checks.HeatexTypeError(f"view must be a heatex_viz.SnapshotView (the one to film), not {type(view).__name__}")
    _check_writer(writer)
    frames = _frame_list(view, frames)
    path = runfile.run_path(path)

    def write(temporary):
        if isinstance(writer, GifWriter):
            with writer.saving(view.figure, str(temporary), dpi=view.figure.dpi):
                for snapshot in frames:
                    view.update(snapshot)
                    writer.add_frame(view.render())
            return
        film, show = _film(view, frames[0])
        with writer.saving(film, str(temporary), dpi=film.dpi):
            for snapshot in frames:
                show(snapshot)
                writer.grab_frame()
    runfile.write_whole(path, write, f"the film ({pathlib.Path(str(path)).suffix or 'no suffix'})")
    return path


def repo_relative(path):
    """``path`` as text relative to the repo root when inside it (stable across machines)."""
    try:
        path = runfile.run_path(path).resolve()
    except (RuntimeError, OSError) as error:        # a loop of symbolic links
        raise checks.HeatexValueError(f"path {path} cannot be resolved: {error}") from None
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _export_path(path, suffix):
    if not isinstance(path, (str, pathlib.PurePath)):
        raise checks.HeatexTypeError(f"path must be a file name ending in {suffix} (text or a pathlib.Path), got {type(path).__name__}")
    path = runfile.run_path(path)
    if path.suffix.lower() != suffix:
        raise checks.HeatexValueError(f"the file name (path) must end in {suffix}, got {path.name!r}")
    if path.is_dir():
        raise checks.HeatexValueError(f"path {path} is a folder; give a file name ending in {suffix}")
    return path


def _check_writer(writer):
    if not isinstance(writer, AbstractMovieWriter):
        raise checks.HeatexTypeError(f"writer must be a matplotlib movie writer such as hv.GifWriter(fps=10), "
                        f"not {type(writer).__name__}")


def _check_film(run, view, data, network, frames, fps, dpi):
    """Everything a film needs, checked before the first frame is drawn; returns the frames."""
    frames = _check_frames(_check_view(run, view), frames)
    # GIF frame times are whole hundredths of a second: more than 100 frames a second cannot be shown
    _check_fps(fps)
    if view is None:
        hv._network_index(run, network)
        hv._check_data(data, run)
        _check_figure(dpi, (10, 4.6))
    return frames


def export_gif(run, path, data=None, network=0, frames=None, fps=10, dpi=60, writer=None, view=None):
    """Write the snapshots as an animated GIF, in-process (no ffmpeg, no shell). Returns the path.

    ``writer`` defaults to ``GifWriter(fps)``; ``matplotlib.animation.PillowWriter(fps)`` works too.
    Give ``view`` (a ``SnapshotView`` of ``run``) to reuse one already laid out.
    """
    path = _export_path(path, ".gif")
    frames = _check_film(run, view, data, network, frames, fps, dpi)
    writer = GifWriter(fps=fps) if writer is None else writer
    _check_writer(writer)
    path.parent.mkdir(parents=True, exist_ok=True)
    view = _snapshot_view(run, data, network, dpi, (10, 4.6), view)
    return write_movie(view, path, writer, frames)


def can_export_mp4():
    """True where matplotlib finds ffmpeg (this machine: yes; CI: no)."""
    return writers.is_available("ffmpeg")


def export_mp4(run, path, data=None, network=0, frames=None, fps=10, dpi=60, view=None):
    """Write the snapshots as an MP4 where ffmpeg exists; returns the path, or None without ffmpeg."""
    path = _export_path(path, ".mp4")
    frames = _check_film(run, view, data, network, frames, fps, dpi)
    if not can_export_mp4():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    view = _snapshot_view(run, data, network, dpi, (10, 4.6), view)
    # yuv420p: the pixel format every browser and player decodes
    writer = writers["ffmpeg"](fps=fps, extra_args=["-pix_fmt", "yuv420p"])
    return write_movie(view, path, writer, frames)


# ---------------------------------------------------------------------------
# 3. The signal through an untrained pipe, live (notebook 04).
# ---------------------------------------------------------------------------

class SignalDemo(_WidgetView):
    """Sliders for the shape of a fresh pipe; the layer spread and a decision map redrawn live.

    Depth, width, initial scale and bias set ``networks`` untrained exchangers
    (the seeds given). The left panel is ``hc.layer_spread`` of their forward
    pipes over the circle data, the right panel the decision map of the first.
    Nothing is trained: the demo asks what reaches the output before any rule
    has a chance. ``show(depth=..., ...)`` sets the sliders from code.
    """

    def __init__(self, seeds=range(20), depth=10, width=2, init_scale=1.0, bias=False, dpi=100):
        import ipywidgets as widgets
        self.seeds = checks.seed_list(list(seeds) if isinstance(seeds, range) else seeds)
        if len(self.seeds) > 256:
            raise checks.HeatexValueError(f"seeds must be at most 256 networks for a live demo, got {len(self.seeds)}")
        _check_demo_values(depth=depth, width=width, init_scale=init_scale, bias=bias)
        dpi, _ = _check_figure(dpi, (11, 4.2))
        self.depth = widgets.IntSlider(value=depth, min=1, max=10, description="depth")
        self.width = widgets.IntSlider(value=width, min=2, max=16, description="width")
        self.init_scale = widgets.FloatLogSlider(value=init_scale, base=2, min=-3, max=4, step=0.25,
                                                 description="init_scale")
        self.bias = widgets.Checkbox(value=bias, description="bias")
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="jpeg")
        controls = widgets.VBox([self.depth, self.width, self.init_scale, self.bias])
        self.widget = widgets.VBox([widgets.HBox([controls, self.readout]), self.image])
        self.figure = Figure(figsize=(11, 4.2), dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.subplots(1, 2, width_ratios=(1.6, 1))
        for control in (self.depth, self.width, self.init_scale, self.bias):
            control.observe(lambda change: self._draw(), names="value")
        self._draw()

    def measure(self):
        """The layer spread of every network, (networks, depth + 1), and the first forward pipe."""
        net = hc.HeatExchanger.build(self.depth.value, self.width.value, seeds=self.seeds, rule="schmidhuber",
                                     bias=self.bias.value, init_scale=self.init_scale.value)
        points = hc.circle_data(500, 1, width=self.width.value, seed=0).x_train
        return hc.layer_spread(net.weights[:, 0], points), net.network(0).forward

    def show(self, **values):
        """Set sliders from code, e.g. ``show(depth=2, width=16)``; the picture follows."""
        controls = {"depth": self.depth, "width": self.width, "init_scale": self.init_scale, "bias": self.bias}
        unknown = set(values) - set(controls)
        if unknown:
            raise checks.HeatexValueError(f"unknown control {sorted(unknown)}; choose from {sorted(controls)}")
        _check_demo_values(**values)
        with self.depth.hold_trait_notifications():
            for name, value in values.items():
                controls[name].value = value
        self._draw()
        return self

    def _draw(self):
        spread, forward = self.measure()
        left, right = self.axes
        left.clear()
        right.clear()
        hv.plot_layer_spread(spread, ax=left, title="untrained forward pipes: spread of each layer over the data")
        left.set_ylim(1e-12, 2)
        left.set_xlim(-0.3, 10.3)        # the same axes for every depth, so pictures compare
        hv.plot_decision_map(right, forward, "circle", title=f"network 0's answer over the square (seed {self.seeds[0]})",
                          resolution=41)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="jpeg", pil_kwargs={"quality": 90})
        self.image.value = buffer.getvalue()
        output_spread = float(np.median(spread[:, -1]))
        self.readout.value = (f"<p style='margin-left:1em'>median spread at the output: <b>{output_spread:.1e}</b>"
                              f"<br>of the input's: <b>{float(np.median(spread[:, 0])):.2f}</b></p>")
        self.output_spread = output_spread

    def __repr__(self):
        return ("SignalDemo: sliders for depth, width, init_scale and bias, with the layer spread and a "
                "decision map (in Jupyter with a kernel)")


def _check_demo_values(**values):
    """SignalDemo's sliders' values, within the sliders' ranges."""
    for name, (least, most) in {"depth": (1, 10), "width": (2, 16)}.items():
        if name in values:
            checks.whole(values[name], name, least, most, " (the slider's range)")
    if "init_scale" in values:
        checks.positive(values["init_scale"], "init_scale", most=16)
        if values["init_scale"] < 1 / 8:
            raise checks.HeatexValueError(f"init_scale must be from 1/8 to 16 (the slider's range), got "
                                          f"{checks.shown(values['init_scale'])}")
    if "bias" in values:
        checks.flag(values["bias"], "bias")


# ---------------------------------------------------------------------------
# 4. Drawing fast. Nothing here changes a pixel of the picture: the tests
#    compare blitting with a full draw and every GIF frame with the view.
# ---------------------------------------------------------------------------

def _freeze_layout(figure):
    """Lay the figure out once, then keep that layout: constrained layout would
    otherwise run again on every draw, and it costs more than the drawing."""
    figure.get_layout_engine().execute(figure)
    figure.set_layout_engine("none")


class _FullDraw:
    """Draw the whole figure every time (a view with ``blit=False``)."""

    def __init__(self, figure):
        self.figure = figure
        _freeze_layout(figure)

    def render(self):
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())


class _Blitter:
    """Redraw only the artists that change, and what lies on them, over a saved background.

    The layout is frozen first, so overlaps and the background stay valid. The
    changing artists are marked animated, so an ordinary draw leaves them out:
    that draw becomes the background, saved once.
    """

    def __init__(self, figure, changing):
        self.figure = figure
        _freeze_layout(figure)
        self.redrawn = self._redraw_order(changing)
        for artist in self.redrawn:
            artist.set_animated(True)
        self.background = None

    def _redraw_order(self, changing):
        """What ``render`` redraws each step, in the order a full draw draws it.

        The changing artists, and every artist of the same axes drawn on top of
        one of them (the points on the decision map, the joints of the weight
        view): blitting must give the picture drawing everything gives. The
        layout is frozen, so overlaps are found once, from window extents.
        """
        renderer = self.figure.canvas.get_renderer()
        changing_ids = {id(a) for a in changing}
        order = []
        for ax in self.figure.axes:
            mine = [a for a in changing if a.axes is ax]
            if not mine:
                continue
            # padded: antialiased edges reach a pixel or two past an extent
            extents = [a.get_window_extent(renderer).padded(2) for a in mine]
            lowest = min(a.get_zorder() for a in mine)

            def on_top(artist):
                if not artist.get_visible() or artist.get_zorder() < lowest:
                    return False
                box = artist.get_window_extent(renderer)
                return any(box.overlaps(extent) for extent in extents)

            skip = {id(a) for a in (ax.xaxis, ax.yaxis, ax.patch)}
            above = [a for a in ax.get_children()
                     if id(a) in changing_ids or (id(a) not in skip and on_top(a))]
            # Axes.draw sorts its children by zorder, keeping their order otherwise; so do we.
            order += sorted(above, key=lambda a: a.get_zorder())
        order += [a for a in changing if a.axes is None]    # figure-level: the title
        return order

    def render(self):
        canvas = self.figure.canvas
        if self.background is None:
            canvas.draw()      # everything static; the changing artists are animated, so skipped
            self.background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self.background)
        for artist in self.redrawn:
            self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())


def _film(view, first):
    """A bare figure of one image, the size of the view's frames: what movie writers save.

    Movie writers redraw the whole figure for every frame, labels and all; this
    figure holds only the frame the view drew by blitting what changed.
    """
    view.update(first)
    rgba = view.render().copy()
    height, width = rgba.shape[:2]
    dpi = view.figure.dpi
    film = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(film)
    film.patch.set_visible(False)    # the frame covers it; one image is all there is to draw
    # RGBA bytes shown pixel for pixel ("none": no resampling) cost a writer's draw a few ms
    screen = film.figimage(rgba, resize=False, origin="upper", interpolation="none")

    def show(snapshot):
        view.update(snapshot)
        screen.set_data(view.render().copy())
        return [screen]

    return film, show


class GifWriter(AbstractMovieWriter):
    """An animated GIF, in-process, with one palette for the whole film.

    ``write_movie`` hands it each frame as the view renders it (``add_frame``,
    RGBA pixels: no figure is redrawn or saved); used as a matplotlib movie
    writer, ``grab_frame`` saves the figure as RGBA, as ``PillowWriter`` does.
    Like ``PillowWriter`` it keeps the frames until ``finish`` (as RGB here).

    A GIF has at most 256 colours per frame. These figures use fixed colour
    maps, so one palette serves every frame: Pillow's fast octree picks it from
    a few frames spread over the film, and every frame is mapped to it without
    dithering (flat colours stay flat). One palette also lets Pillow's GIF
    optimiser store only the pixels that changed since the last frame.
    ``benchmarks/viz_bench.py`` measures it against ``PillowWriter``.
    """

    palette_frames = 8     # frames the palette is picked from
    colours = 255          # one index left free: the optimiser's "unchanged" (transparent) pixel

    def __init__(self, fps=5, **kwargs):
        # checked before any frame is drawn: GIF frame times are whole hundredths of a second
        super().__init__(fps=_check_fps(fps), **kwargs)

    def setup(self, fig, outfile, dpi=None):
        from matplotlib.figure import Figure as AnyFigure
        if not isinstance(fig, AnyFigure):
            raise checks.HeatexTypeError(f"fig must be a matplotlib Figure, got {checks.shown(fig)}")
        outfile = runfile.run_path(outfile, "outfile")
        runfile.write_target(outfile, "the GIF")       # a missing folder or a special file: said now, not at finish
        if dpi is not None:
            checks.positive(dpi, "dpi", " dots per inch", most=1000)
        super().setup(fig, outfile, dpi=dpi)
        self._frames = []

    def grab_frame(self, **savefig_kwargs):
        buffer = io.BytesIO()
        self.fig.savefig(buffer, **{**savefig_kwargs, "format": "rgba", "dpi": self.dpi})
        width, height = self.frame_size
        self.add_frame(np.frombuffer(buffer.getbuffer(), dtype=np.uint8).reshape(height, width, 4))

    def add_frame(self, rgba):
        """Add one frame: RGBA pixels (height, width, 4) of uint8, as ``SnapshotView.render`` gives."""
        from PIL import Image
        rgba = checks.as_array(rgba)
        if rgba is None:
            raise checks.HeatexValueError("rgba must be RGBA pixels of shape (height, width, 4) and dtype uint8, got a "
                                          "ragged list")
        rgba = np.ascontiguousarray(rgba)
        if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
            raise checks.HeatexValueError(f"a frame must be RGBA pixels of shape (height, width, 4) and dtype uint8, "
                             f"got shape {rgba.shape} and dtype {rgba.dtype}")
        height, width = rgba.shape[:2]
        if self._frames and self._frames[0].size != (width, height):
            raise checks.HeatexValueError(f"every frame must have the first frame's size {self._frames[0].size}, "
                             f"got {(width, height)}")
        # .convert copies: the canvas buffer is drawn over by the next render
        self._frames.append(Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB"))

    def palette(self):
        """The film's palette: a "P" image whose palette is picked from frames spread over the film."""
        from PIL import Image
        picked = np.unique(np.linspace(0, len(self._frames) - 1, self.palette_frames).round().astype(int))
        frames = [np.asarray(self._frames[i]) for i in picked]
        # The colour maps' own colours take part, so a flat map (pale green, say) keeps its colour
        # instead of the nearest one the frames happened to offer.
        width = frames[0].shape[1]
        swatches = [(hv._colormap(name)(np.linspace(0, 1, width))[:, :3] * 255).round().astype(np.uint8)
                    for name in (hv.OUTPUT_CMAP, hv.WEIGHT_CMAP, hv.HEAT_CMAP, hv.HIDDEN_CMAP)]
        strip = np.repeat(np.stack(swatches)[:, None], 24, axis=1).reshape(-1, width, 3)
        montage = np.concatenate(frames + [strip])
        return Image.fromarray(montage).quantize(self.colours, method=Image.Quantize.FASTOCTREE)

    def finish(self):
        from PIL import Image
        if not self._frames:
            raise checks.HeatexValueError("no frames to write: add at least one frame before finishing the GIF")
        palette = self.palette()
        first, *rest = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in self._frames]
        first.save(self.outfile, format="GIF", save_all=True, append_images=rest, duration=int(1000 / self.fps),
                   loop=0, optimize=True)
        self._frames = []
