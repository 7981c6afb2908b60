"""Run All in a student's browser against Run All here, side by side under the same load.

    .venv/bin/python benchmarks/browser_times.py SITE                 # every notebook; print, write nothing
    .venv/bin/python benchmarks/browser_times.py SITE --write         # and keep them in docs/run_times.json
    .venv/bin/python benchmarks/browser_times.py SITE 05_searching_for_a_local_rule.ipynb

SITE is a JupyterLite site that serves numpy and matplotlib itself: `benchmarks/browser_site.sh`
builds one from `make lite`'s (the project's own site fetches them from Pyodide's package host,
which a machine without the internet cannot reach). For each notebook in turn: Restart & Run All
here, as scripts/time_notebooks.py measures it (a fresh kernel, its start included); then, in a
fresh headless Chromium where every request off the machine fails, the notebook opened in SITE,
the wait for Python to start (the kernel start, timed apart: it is paid once per notebook) and
Run > Run All Cells, timed until no cell is left to run, the launch cell's install of heatex
included. A run with an error output is reported and not kept. The machine is shared: the ratio,
measured under the same load, is the figure that holds.

--write keeps the browser's times beside the native ones in docs/run_times.json (its "browser"
part) and puts them in the README's and docs/open_it.md's tables; then `make launch-cell` puts them
in the notebooks' time lines.
"""
import argparse
import datetime
import json
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
import browser_support as browser  # noqa: E402  (Chromium, the static server, Run All)
import time_notebooks  # noqa: E402  (the native run)

KERNEL_TIMEOUT_S = 300
RUN_TIMEOUT_S = 900


def browser_run(page, base, name):
    """(seconds until the kernel is idle, seconds of Run All, error texts) for notebook ``name``."""
    start = time.perf_counter()
    page.goto(f"{base}/lab/index.html?path={name}")
    page.wait_for_selector(f"{browser.NOTEBOOK_PANEL} .jp-Cell", timeout=120_000)
    browser.wait_for_kernel(page, timeout_ms=KERNEL_TIMEOUT_S * 1000)
    kernel = time.perf_counter() - start
    start = time.perf_counter()
    browser.run_all(page, timeout_s=RUN_TIMEOUT_S)
    return kernel, time.perf_counter() - start, browser.error_outputs(page)


def measure(site, names):
    results = {}
    with browser.static_server(site) as base:
        for name in names:
            native = time_notebooks.run_once(ROOT / "notebooks" / name)
            with browser.chromium(offline=True) as page:
                kernel, run_all, errors = browser_run(page, base, name)
            load = os.getloadavg()[0]
            print(f"{name:40s} here {native:5.1f} s   browser {run_all:5.1f} s ({run_all / native:4.1f}x), "
                  f"its Python started in {kernel:4.1f} s   load average {load:.1f}", flush=True)
            if errors:
                print(f"  NOT KEPT: {len(errors)} error output(s); the first: {errors[0][:500]}", flush=True)
                continue
            results[f"notebooks/{name}"] = {"seconds": round(run_all, 1), "kernel_start": round(kernel, 1),
                                            "here_beside": round(native, 1), "load": round(load, 1)}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=pathlib.Path, help="a site built by benchmarks/browser_site.sh")
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: every notebook)")
    parser.add_argument("--write", action="store_true", help="keep the times in docs/run_times.json")
    args = parser.parse_args(argv)
    if not (args.site / "lab" / "index.html").exists():
        parser.error(f"{args.site} is not a JupyterLite site (no lab/index.html): build one with "
                     "benchmarks/browser_site.sh")
    names = args.notebooks or [p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    results = measure(args.site, names)
    if args.write and results:
        times = json.loads(time_notebooks.OUT.read_text())
        part = times.setdefault("browser", {"notebooks": {}})
        part["notebooks"].update(results)
        part["measured"] = datetime.date.today().isoformat()
        part["how"] = ("Run > Run All Cells in headless Chromium, the launch cell's install included, after the "
                       "kernel is idle (kernel_start: from opening the notebook), each notebook in a fresh browser "
                       "right after its Restart & Run All here (here_beside), under the same load; a JupyterLite "
                       "site that serves Pyodide 0.27.7's numpy and matplotlib itself (benchmarks/browser_site.sh; the "
                       "published site's Pyodide is newer and fetches them from its package host, which this machine "
                       "cannot reach); "
                       f"{os.cpu_count()} cores")
        time_notebooks.OUT.write_text(json.dumps(times, indent=2) + "\n")
        time_notebooks.update_readme()
        print(f"wrote the browser's times of {len(results)} notebooks into {time_notebooks.OUT.relative_to(ROOT)}, "
              "README.md and docs/open_it.md; now run: make launch-cell (the notebooks' headers)")
    return 0 if len(results) == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
