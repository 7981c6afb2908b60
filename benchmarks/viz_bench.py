"""How fast the scrubber steps and the GIF is written, against the obvious ways.

Two measurements, both sides timed in the same run:

1. One scrubber step, kernel side: setting ``slider.value = k`` on a
   ``heatex_viz.Scrubber`` (update the artists in place, blit what changed,
   encode one PNG into the Image widget). Goal: median <= 30 ms on this
   machine. The comparison is the same figure redrawn in full every step.
2. Writing the run as a video: ``heatex_viz.export_gif`` (one reused figure,
   ``GifWriter``, in-process), from scratch and with a view already laid out
   (notebook 03 reuses its view), against the 2020 blog's way, a new
   ``matshow`` figure saved as one PNG file per snapshot (the blog then ran
   ffmpeg in a shell, not timed here); and ``GifWriter`` against matplotlib's
   own ``PillowWriter`` on the same frames. Every repeat times each way once,
   in turn, so all see the same load; medians are quoted. Goal: the blog's
   way / ours >= 5.

The run is notebook 03's: the blog's rule, 10 sections of width 2, seed 0, on
the circle data, 60 epochs. ``main()`` prints the numbers and returns them as
a dict; benchmarks/run.py calls it. Timings are noisy when other work shares
the machine: the script prints the load average with them.

    .venv/bin/python benchmarks/viz_bench.py [--epochs 60] [--steps 121] [--repeats 5]
"""

import argparse
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import heatex_core as hc  # noqa: E402
import heatex_viz as hv  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.animation import PillowWriter  # noqa: E402

STEP_GOAL_MS = 30.0
GIF_GOAL_RATIO = 5.0


def make_run(epochs):
    data = hc.circle_data(n_train=500, n_test=500, seed=0)
    net = hc.HeatExchanger.build(depth=10, width=2, seeds=[0], rule="blog", step=0.001)
    return hc.train(net, data, epochs=epochs, progress=False), data


def sweep(epochs, steps):
    """Snapshot indices a student might visit: up the range and back down, ``steps`` in all."""
    path = list(range(1, epochs + 1)) + list(range(epochs - 1, -1, -1))
    return [path[i % len(path)] for i in range(steps)]


def median_ms(times):
    return 1000 * statistics.median(times)


def time_steps(step, ks):
    times = []
    for k in ks:
        start = time.perf_counter()
        step(k)
        times.append(time.perf_counter() - start)
    return times


def blog_png_frames(run, network, folder):
    """The blog's loop: ``compare(0, i)`` then ``plt.savefig('plots/{i}.png')`` and close, per snapshot."""
    for i in range(run.epochs + 1):
        F = list(run.snapshots[i, network, 0])          # the blog's lists, left to right
        B = list(run.snapshots[i, network, 1, ::-1])
        rep = np.concatenate([np.concatenate(F), np.concatenate(B)], axis=1)   # as the blog's compare
        after = rep.T.copy()
        plt.matshow(after, cmap="Greens")
        plt.grid(False)
        plt.title(str(i))
        plt.savefig(folder / f"{i}.png")
        plt.close()


def time_gif_exports(run, data, repeats):
    """Seconds per repeat for each way of writing the run's frames, and what each wrote.

    Each repeat runs every way once, in turn, so slow spells of a shared
    machine fall on all of them. Every way writes one frame per snapshot: the
    counts are checked, so the timings compare the same work.
    """
    from PIL import Image
    frames = run.epochs + 1
    times = {"ours": [], "ours_view": [], "pillow": [], "blog": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        view = hv.SnapshotView(run, data, dpi=60)
        view.render()       # laid out and drawn once, as notebook 03's view is before its GIF
        ways = {
            "ours": lambda: hv.export_gif(run, tmp / "ours.gif", data),   # a new view: all a fresh call pays
            "ours_view": lambda: hv.export_gif(run, tmp / "view.gif", view=view),
            "pillow": lambda: hv.export_gif(run, tmp / "pillow.gif", view=view, writer=PillowWriter(fps=10)),
            "blog": lambda: blog_png_frames(run, 0, tmp / "plots"),
        }
        for _ in range(repeats):
            shutil.rmtree(tmp / "plots", ignore_errors=True)
            (tmp / "plots").mkdir()
            for name, write in ways.items():
                start = time.perf_counter()
                write()
                times[name].append(time.perf_counter() - start)
        for name in ("ours", "view", "pillow"):
            with Image.open(tmp / f"{name}.gif") as gif:
                assert gif.n_frames == frames, f"{name}.gif has {gif.n_frames} frames, not {frames}"
                size = gif.size
        pngs = sorted((tmp / "plots").glob("*.png"))
        assert len(pngs) == frames, f"the blog's way wrote {len(pngs)} files, not {frames}"
        with Image.open(pngs[0]) as png:
            blog_size = png.size
        kb = {name: (tmp / f"{name}.gif").stat().st_size / 1024 for name in ("ours", "pillow")}
    return {"times": times, "size": size, "kb": kb, "blog_files": len(pngs), "blog_size": blog_size}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60, help="epochs of the run (notebook 03 uses 60)")
    parser.add_argument("--steps", type=int, default=121, help="slider steps to time")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each GIF export (median quoted)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"viz_bench: {os.cpu_count()} cores, load average {load:.2f} (timings are noisy under load)")

    start = time.perf_counter()
    run, data = make_run(args.epochs)
    print(f"training the run ({args.epochs} epochs, 1 network): {time.perf_counter() - start:.1f} s")

    # 1. One scrubber step.
    start = time.perf_counter()
    scrubber = hv.Scrubber(run, data)
    setup_s = time.perf_counter() - start
    ks = sweep(run.epochs, args.steps)

    def step(k):
        scrubber.slider.value = k

    ours = time_steps(step, ks)
    full_view = hv.SnapshotView(run, data, blit=False)
    full = time_steps(full_view.jpeg, ks[: max(10, len(ks) // 4)])
    view = scrubber.view
    width, height = view.figure.canvas.get_width_height()
    parts = {
        "update artists": time_steps(view.update, ks),
        "blit": time_steps(lambda k: view.render(), ks),
        "JPEG": time_steps(lambda k: view.jpeg(), ks),   # render + encode, as a step sends
    }
    step_ms = median_ms(ours)
    print(f"scrubber set-up (figure, first draw): {1000 * setup_s:.0f} ms")
    print(f"scrubber step, kernel side, a {width}x{height} picture: median {step_ms:.1f} ms over {len(ours)} steps "
          f"(goal <= {STEP_GOAL_MS:.0f} ms: {'met' if step_ms <= STEP_GOAL_MS else 'NOT met'})")
    print("  of which: " + ", ".join(f"{name} {median_ms(t):.1f} ms" for name, t in parts.items())
          + " (JPEG includes the blit)")
    full_ms = median_ms(full)
    print(f"same figure redrawn in full each step: median {full_ms:.1f} ms; "
          f"ratio full / ours = {full_ms / step_ms:.1f}x")

    # 2. GIF export against the blog's PNG-per-frame loop, and against matplotlib's PillowWriter.
    gif = time_gif_exports(run, data, args.repeats)
    frames = run.epochs + 1
    t = {name: statistics.median(times) for name, times in gif["times"].items()}
    width, height = gif["size"]
    print(f"GIF export, {frames} frames of {width}x{height} pixels, 3 panels; median of {args.repeats} repeats, "
          "each repeat timing every way once, in turn:")
    print(f"  heatex_viz.export_gif(run, path, data), a new view laid out each time: {t['ours']:.2f} s "
          f"({gif['kb']['ours']:.0f} KB)")
    print(f"  the same with a view already laid out (notebook 03 reuses its view): {t['ours_view']:.2f} s")
    print(f"  the blog's way, one new matshow figure saved as PNG per frame ({gif['blog_files']} files of "
          f"{gif['blog_size'][0]}x{gif['blog_size'][1]} pixels, no video yet): {t['blog']:.2f} s")
    ratio, ratio_view = t["blog"] / t["ours"], t["blog"] / t["ours_view"]
    met = ("met" if ratio >= GIF_GOAL_RATIO else
           "met only with a view laid out" if ratio_view >= GIF_GOAL_RATIO else "NOT met")
    print(f"  ratio blog / ours = {ratio:.2f}x with a new view, {ratio_view:.2f}x with a view laid out "
          f"(goal >= {GIF_GOAL_RATIO:.0f}x: {met})")
    print(f"  matplotlib's PillowWriter on the view laid out: {t['pillow']:.2f} s ({gif['kb']['pillow']:.0f} KB); "
          f"ratio PillowWriter / GifWriter = {t['pillow'] / t['ours_view']:.2f}x")
    return {
        "step_median_ms": step_ms, "step_full_redraw_median_ms": full_ms, "scrubber_setup_ms": 1000 * setup_s,
        "gif_s": t["ours"], "gif_reused_view_s": t["ours_view"], "gif_pillowwriter_s": t["pillow"],
        "blog_png_frames_s": t["blog"], "gif_ratio": ratio, "gif_ratio_reused_view": ratio_view,
        "frames": frames, "load_average": load,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
