"""Measure each notebook's Restart & Run All and write the one source of run times, docs/run_times.json.

    python scripts/time_notebooks.py            # every notebook under notebooks/ (not the student copy)
    python scripts/time_notebooks.py --runs 1   # quicker, one run each
    python scripts/time_notebooks.py --print notebooks/05_searching_for_a_local_rule.ipynb   # time, write nothing

Each run starts a fresh kernel on this Python and runs every cell top to bottom, as Restart & Run
All does; the time includes the kernel's start. The figure kept is the median of the runs. The
notebooks' own files are not touched (each run works on a copy in memory).

The README's notebooks table is rewritten from the json here, and the notebooks' first cells read
it (scripts/launch_cell.py); tests/course/test_course.py checks that they all agree with it. Run this, then
`make launch-cell`, after a change that makes a notebook faster or slower.
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import statistics
import sys
import time

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import this_python  # noqa: E402  (a kernel on this Python)

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "run_times.json"


def run_once(path):
    """Seconds for a fresh kernel to run the notebook at path top to bottom."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with this_python.kernel() as km:
        start = time.perf_counter()
        NotebookClient(nb, km=km, timeout=900, resources={"metadata": {"path": str(path.parent)}}
                       ).execute(env=this_python.environment())
        return time.perf_counter() - start


ROW = re.compile(r"^\| \[[^\]]+\]\((notebooks/[^)]+\.ipynb)\) \|(.*)\| ([^|]*) \|$")
OPEN_IT = ROOT / "docs" / "open_it.md"
START, END = "<!-- browser-times -->", "<!-- /browser-times -->"     # docs/open_it.md's generated table


def load():
    """{notebook path: (seconds here, seconds in a browser or None)} from docs/run_times.json; empty if it
    was never measured."""
    if not OUT.exists():
        return {}
    times = json.loads(OUT.read_text())
    browser = times.get("browser", {}).get("notebooks", {})
    return {name: (entry["seconds"], browser.get(name, {}).get("seconds"))
            for name, entry in times["notebooks"].items()}


def shown(here, browser):
    """A notebook's run times as the README's table shows them: here, then in a browser."""
    return f"{here:.0f} s" + (f" · {browser:.0f} s" if browser is not None else "")


def readme_with_times(text, times):
    """README.md's notebooks table with its run-time column from ``times`` ({path: (here, browser)})."""
    lines = []
    for line in text.splitlines():
        match = ROW.match(line)
        if match and match[1] in times:
            line = line[:match.start(3)] + shown(*times[match[1]]) + line[match.end(3):]
        lines.append(line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def browser_table():
    """docs/open_it.md's table of the browser's times, each beside the native run measured just before it."""
    part = json.loads(OUT.read_text()).get("browser")
    if not part:
        return "(not measured yet: benchmarks/browser_times.py)"
    rows = ["| notebook | Run All in the browser | Restart & Run All here, just before | browser / here | "
            "the browser's Python starts in |", "|---|---:|---:|---:|---:|"]
    for name, entry in sorted(part["notebooks"].items()):
        rows.append(f"| {pathlib.PurePosixPath(name).stem} | {entry['seconds']:.0f} s | {entry['here_beside']:.0f} s | "
                    f"{entry['seconds'] / entry['here_beside']:.1f}x | {entry['kernel_start']:.0f} s |")
    return "\n".join(rows + ["", f"Measured {part['measured']} by `benchmarks/browser_times.py`: {part['how']}."])


def open_it_with_table(text):
    head, rest = text.split(START)
    return head + START + "\n" + browser_table() + "\n" + END + rest.split(END, 1)[1]


def update_readme():
    """The run times of docs/run_times.json into README.md's table and docs/open_it.md's."""
    readme = ROOT / "README.md"
    readme.write_text(readme_with_times(readme.read_text(), load()))
    OPEN_IT.write_text(open_it_with_table(OPEN_IT.read_text()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per notebook; the median is kept (default 3)")
    parser.add_argument("--readme-only", action="store_true",
                        help="measure nothing: write the run times of docs/run_times.json into README.md and docs/open_it.md")
    parser.add_argument("--print", nargs="+", metavar="NOTEBOOK", dest="only",
                        help="time these notebooks and print the times; write nothing")
    args = parser.parse_args(argv)
    if args.only:
        for path in args.only:
            runs = [run_once(pathlib.Path(path).resolve()) for _ in range(args.runs)]
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"{pathlib.Path(path).name:40s} median {statistics.median(runs):5.1f} s   runs "
                  f"{[round(r, 1) for r in runs]}   load average {load:.1f}", flush=True)
        return 0
    if args.readme_only:
        update_readme()
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    times = {}
    for path in paths:
        runs = [run_once(path) for _ in range(args.runs)]
        times[path.relative_to(ROOT).as_posix()] = {"seconds": round(statistics.median(runs), 1),
                                                    "runs": [round(r, 1) for r in runs]}
        print(f"{path.name:40s} median {statistics.median(runs):5.1f} s   runs {[round(r, 1) for r in runs]}",
              flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    # the browser's times (benchmarks/browser_times.py) are measured apart and kept
    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    kept = {"browser": previous["browser"]} if "browser" in previous else {}
    OUT.write_text(json.dumps({
        "measured": datetime.date.today().isoformat(),
        "how": (f"Restart & Run All with a fresh kernel, kernel start included, median of {args.runs}; "
                f"{os.cpu_count()} cores, load average {load:.1f} at the end" if load is not None else
                f"Restart & Run All with a fresh kernel, kernel start included, median of {args.runs}"),
        "notebooks": times, **kept}, indent=2) + "\n")
    update_readme()
    print(f"wrote {OUT.relative_to(ROOT)} and the run times of README.md's notebooks table; "
          "now run: make launch-cell (the notebooks' headers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
