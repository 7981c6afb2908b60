"""A class's predictions beside the measurement: one picture per question, from the students' files.

    python scripts/class_predictions.py students/*.json                 # every question -> class_predictions.png
    python scripts/class_predictions.py students/*.json --question 4.2 --out q42.png

Each notebook keeps a student's predictions in ``my_predictions.json`` beside it (heatex_lab.predict):
the prediction that stood when the measurement ran, the measurement, and any change made after it.
Collect the students' files (File -> Download in JupyterLab and JupyterLite), put them in one folder
and run this script: each question gets a panel -- a histogram of the class's numbers, or a bar
for each choice -- with the measured value marked. Show it before you discuss the result.
"""

import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import heatex_lab as hl  # noqa: E402


def panels(found, question=None):
    """(title, the class's values, the measured value) for every question and every key of a dict question."""
    out = []
    for name in sorted(found):
        if question is not None and name != question:
            continue
        firsts = [v for v in found[name]["first"] if v is not None]
        measured = found[name]["measured"][0] if found[name]["measured"] else None
        if firsts and isinstance(firsts[0], dict):
            for key in firsts[0]:
                out.append((f"{name} · {key}", [f.get(key) for f in firsts if isinstance(f, dict)],
                            measured.get(key) if isinstance(measured, dict) else None))
        else:
            out.append((name, firsts, measured))
    return out


def draw(ax, title, values, measured):
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numbers:
        ax.hist(values, bins=min(max(len(values) // 2, 5), 20), color="tab:blue", alpha=0.8)
        if measured is not None:
            ax.axvline(measured, color="black", linestyle="--", linewidth=2, label=f"measured {measured:.3g}")
            ax.legend(fontsize="small")
        ax.set_xlabel("predicted value")
    else:
        options = sorted({repr(v) for v in values} | ({repr(measured)} if measured is not None else set()))
        counts = [sum(repr(v) == o for v in values) for o in options]
        bars = ax.bar(options, counts, color="tab:blue", alpha=0.8)
        for bar, option in zip(bars, options):
            if option == repr(measured):
                bar.set_edgecolor("black")
                bar.set_linewidth(2.5)
        ax.set_xlabel("predicted (outlined: measured)")
    ax.set_ylabel("students")
    ax.set_title(f"{title}: {len(values)} predictions", fontsize="medium")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="the students' my_predictions.json files")
    parser.add_argument("--question", help="one question, e.g. 4.2 (default: every question)")
    parser.add_argument("--out", default="class_predictions.png", help="the picture to write")
    args = parser.parse_args(argv)
    found = hl.class_predictions(args.files)
    shown = panels(found, args.question)
    if not shown:
        print("no predictions found in those files" + (f" for question {args.question}" if args.question else ""))
        return 1
    columns = min(3, len(shown))
    rows = -(-len(shown) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.8 * rows), layout="constrained",
                             squeeze=False)
    for ax, (title, values, measured) in zip(axes.flat, shown):
        draw(ax, title, values, measured)
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    fig.suptitle(f"the class's predictions ({len(args.files)} files), before the measurement")
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}: {len(shown)} panels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
