"""The JupyterLite site (`make lite`, _build/lite) in Chromium, served on 127.0.0.1, offline.

What can be checked without a network, as on this machine and in CI:

- the site loads and opens notebook 01;
- the Pyodide kernel starts from the runtime the build took from npm's `pyodide` package and
  serves itself: the interpreter and the kernel's wheels come from the site, nothing from a CDN;
- the launch cell runs: it installs heatex from the site's own package index, which resolves
  heatex's dependencies without asking PyPI for anything (no Jupyter server, no nbval, as
  pyproject.toml's dependencies say), and asks Pyodide's package host for numpy and matplotlib.
  Offline every request off the machine is answered with an error, so the cell stops there:
  **the numpy cells need Pyodide's package host** (cdn.jsdelivr.net), which no registry
  mirrors. The test checks the cell gets exactly that far, and that the host it asks is the one
  the build wrote into pyodide-lock.json;
- widgets work: an IntSlider linked to a Play button (jslink) moves from the keyboard and plays,
  and the kernel's observe callback sees the values;
- the edits are saved in the browser's storage: after a reload the notebook still holds them;
- every link of the notebooks' Markdown leads somewhere: to a notebook the site carries, or,
  for what it does not carry (the course line's "all notebooks" and "teacher's guide", a study's
  script), to the reading site's page (which the reading site's build has, anchor included) or
  the file on GitHub, at the addresses scripts/links.py names.

With HEATEX_LITE_URL set (the Pages workflow sets it after deploying, where the network is),
a smoke test opens notebook 01 on that site, runs every cell and checks for errors and figures.
Screenshots: test-artifacts/lite-*.png. `make test` builds the site first; without a build the
offline test is skipped (failed in CI).
"""
import ast
import importlib
import importlib.metadata
import json
import os
import sys
import re
import time
import urllib.parse

import pytest

import build_site   # scripts/ is on pytest's pythonpath
import links
from browser_support import (NOTEBOOK_PANEL, PAUSE_BUTTON, PLAY_BUTTON, ROOT, chromium, error_outputs,
                             is_local, require_build, run_all, shot, static_server, wait_for_kernel)

sys.path.insert(0, str(ROOT / "scripts"))
LITE = ROOT / "_build" / "lite"
NOTEBOOK = "01_building_pipes.ipynb"
DEPLOYED = os.environ.get("HEATEX_LITE_URL")
LOCK = LITE / "static" / "pyodide" / "pyodide-lock.json"
# The notebook's badge row shows these images, from their services (not the kernel's business).
BADGE_IMAGES = set(importlib.import_module("links").BADGES.values())

CHECK_CELL = """\
import importlib.metadata as metadata, tqdm
print("heatex:", metadata.version("heatex"))
print("heatex needs:", metadata.requires("heatex"))
print("ipywidgets:", metadata.version("ipywidgets"))
print("tqdm monitor_interval:", tqdm.tqdm.monitor_interval)
try:
    import numpy
    print("numpy:", numpy.__version__)
except ImportError as error:
    print("numpy:", type(error).__name__)"""

WIDGET_CELL = """\
import ipywidgets as widgets
slider = widgets.IntSlider(value=0, min=0, max=20, description="k")
play = widgets.Play(value=0, min=0, max=20, interval=150)
link = widgets.jslink((play, "value"), (slider, "value"))
seen = []
slider.observe(lambda change: seen.append(change["new"]), "value")
widgets.HBox([play, slider])"""


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_closure(names):
    """names and every package of the site's pyodide-lock.json they depend on."""
    packages = json.loads(LOCK.read_text())["packages"]
    seen, todo = set(), [normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [normalise(d) for d in packages[name]["depends"]]
    return seen


def ipywidgets_version():
    return importlib.metadata.version("ipywidgets")


def served_megabytes(urls, base):
    """What the site served for these URLs (each file once), from the files' sizes."""
    paths = {LITE / urllib.parse.urlparse(u).path.lstrip("/") for u in urls if u.startswith(base)}
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


LAUNCH_INDEX = 2       # scripts/launch_cell.py: badges and the way through the course, the title, the launch cell


def cell(page, index):
    return page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").nth(index)


def run_cell(page, index, timeout_ms=120_000):
    """Select cell index, run it (Shift+Enter), wait until it has a count and the kernel is idle."""
    target = cell(page, index)
    target.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([panel, i]) => {
            const c = document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')[i];
            const prompt = c && c.querySelector('.jp-InputArea-prompt');
            const ind = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator');
            return prompt && /\\[\\d+\\]/.test(prompt.textContent) && ind && ind.dataset.status === 'idle';
        }""", arg=[NOTEBOOK_PANEL, index], timeout=timeout_ms, polling=200)
    return target


def add_cell_below(page, index, source):
    """A new code cell below cell index, holding source; returns its index."""
    cell(page, index).locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    new = cell(page, index + 1)
    new.locator(".cm-content").click()
    page.keyboard.insert_text(source)
    assert new.locator(".cm-content").inner_text().strip() == source.strip(), "typing went astray"
    return index + 1


@pytest.fixture(scope="module")
def offline_lite():
    """The built site on 127.0.0.1 in Chromium; every request off the machine fails, as offline.

    Yields (page, base URL, requests: a list of (url, local?) in order)."""
    require_build(LITE / "index.html", "make lite")
    with static_server(LITE) as base, chromium() as page:
        requests = []

        def answer(route):
            url = route.request.url
            requests.append((url, is_local(url)))
            route.continue_() if is_local(url) else route.abort("internetdisconnected")

        page.context.route("**/*", answer)
        yield page, base, requests


def test_kernel_starts_from_the_runtime_the_site_serves_and_widgets_work(offline_lite):
    page, base, requests = offline_lite
    # Pyodide's package host, as the build wrote it into the lock for the packages it does not serve.
    host = json.loads(LOCK.read_text())["packages"]["numpy"]["file_name"].rsplit("/", 1)[0]
    assert re.fullmatch(r"https://cdn\.jsdelivr\.net/pyodide/v[\d.]+/full", host), host
    started = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={NOTEBOOK}")
    page.wait_for_selector(f"{NOTEBOOK_PANEL} .jp-Cell", timeout=60_000)
    opened = time.monotonic() - started
    try:
        wait_for_kernel(page, timeout_ms=120_000)
    except Exception:
        shot(page, "lite-kernel-failed")
        raise
    ready = time.monotonic() - started
    shot(page, "lite-01-kernel-idle")
    # The course line's links lead out of JupyterLite to the reading site, which has those pages.
    for text, href in [("all notebooks", f"{links.pages_url()}README.html#the-notebooks"),
                       ("teacher's guide", f"{links.pages_url()}docs/teaching.html")]:
        anchor = page.locator(f"{NOTEBOOK_PANEL} .jp-RenderedMarkdown a", has_text=text).first
        assert anchor.get_attribute("href") == href, f"the course line's {text!r} link"
    status = " ".join(t.inner_text() for t in page.query_selector_all(".jp-StatusBar-TextItem"))
    assert "Python (Pyodide) | Idle" in status, status

    # The interpreter came from this site (npm's pyodide, copied by the build); nothing off the machine yet.
    asked = [url for url, _ in requests]
    assert any(url.startswith(f"{base}/static/pyodide/pyodide.asm.wasm") for url in asked), \
        "the kernel did not load the runtime the site serves"
    assert any(re.search(r"/static/pyodide/ipython-[\d.]+-py3-none-any\.whl", url) for url in asked)
    external = [url for url, local in requests if not local and url not in BADGE_IMAGES]
    assert external == [], f"the kernel start asked for files off the machine: {external}"
    print(f"\nJupyterLite offline: notebook shown after {opened:.1f} s, kernel idle after {ready:.1f} s; "
          f"{len(asked)} requests, {served_megabytes(asked, base):.1f} MB served")

    # The launch cell: the notebook's first code cell, under its badges and its title, as saved.
    launch = cell(page, LAUNCH_INDEX)
    # Its source starts hidden (platform plumbing is not the first code a student reads); a click shows it.
    placeholder = launch.locator(".jp-InputPlaceholder")
    assert placeholder.count() == 1 and launch.locator(".cm-content").count() == 0, "the launch cell's source shows"
    placeholder.click()
    assert launch.locator(".cm-content").inner_text().startswith("# Setup for JupyterLite"), \
        "notebook 01's first code cell is not the launch cell"
    before = len(requests)
    run_cell(page, LAUNCH_INDEX)
    shot(page, "lite-01-launch-cell")
    during = requests[before:]
    wheel = [u for u, local in during if local and re.search(r"/pypi/heatex-[^/]+\.whl", u)]
    assert wheel, "the launch cell did not install heatex from the site's package index"
    off_machine = [u for u, local in during if not local and u not in BADGE_IMAGES]
    assert not [u for u in off_machine if "pypi.org" in u or "files.pythonhosted.org" in u], \
        f"heatex's dependencies sent the launch cell to PyPI: {off_machine}"
    # Offline its only failure is Pyodide's package host, asked for the compiled packages.
    assert off_machine and all(u.startswith(host) for u in off_machine), off_machine
    fetched = {normalise(urllib.parse.urlparse(u).path.rsplit("/", 1)[-1].split("-")[0]) for u in off_machine}
    # ...for numpy, matplotlib and what they need, and nothing else.
    assert {"numpy", "matplotlib"} <= fetched <= lock_closure(["numpy", "matplotlib"]), fetched
    assert error_outputs(page) == [], "the launch cell failed"
    # ...and says so in plain words, with what to do, instead of leaving Run All to stop two cells on.
    said = launch.locator(".jp-OutputArea").inner_text()
    assert "numpy (the arrays), matplotlib (the figures) could not be loaded in JupyterLite" in said, said
    assert "check the network" in said and links.pages_url() in said, said
    # What it did: heatex and the pure-Python packages from the site, tqdm's monitor off; numpy
    # is not there, since the package host could not be reached.
    index = add_cell_below(page, LAUNCH_INDEX, CHECK_CELL)
    printed = run_cell(page, index).locator(".jp-OutputArea").inner_text()
    facts = dict(line.split(": ", 1) for line in printed.strip().splitlines())
    assert facts["heatex"] == "0.1.0" and facts["ipywidgets"] == ipywidgets_version(), facts
    assert facts["tqdm monitor_interval"] == "0", facts
    needs = {re.split(r"[<>=! ;\[]", r)[0].lower() for r in ast.literal_eval(facts["heatex needs"])
             if "extra ==" not in r}
    assert needs == {"numpy", "matplotlib", "tqdm", "ipywidgets"}, needs
    assert facts["numpy"].startswith("ModuleNotFoundError"), facts
    print(f"launch cell offline: {facts}; asked {host}/ for {sorted(fetched)}")

    # A slider and a Play button, linked in the page, observed in the kernel: ipywidgets as the
    # launch cell installed it.
    index = add_cell_below(page, index, WIDGET_CELL)
    widget_cell = run_cell(page, index)
    box = widget_cell.locator(".widget-hbox:has(.widget-play):has(.widget-slider)")
    box.wait_for(timeout=30_000)
    handle, readout = box.locator(".noUi-handle").first, box.locator(".widget-readout").first
    assert readout.inner_text().strip() == "0"
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    page.wait_for_function("r => r.textContent.trim() === '2'", arg=readout.element_handle(), timeout=10_000)
    assert handle.get_attribute("aria-valuenow") in ("2", "2.0")
    box.locator(PLAY_BUTTON).click()
    page.wait_for_function("h => +h.getAttribute('aria-valuenow') >= 6", arg=handle.element_handle(),
                           timeout=20_000)
    box.locator(PAUSE_BUTTON).click()
    paused = readout.inner_text().strip()
    page.wait_for_timeout(600)
    assert readout.inner_text().strip() == paused, "Pause did not stop Play"
    shot(page, "lite-widgets")
    check = add_cell_below(page, index, "print('kernel saw', max(seen), 'after', len(seen), 'changes')")
    printed = run_cell(page, check).locator(".jp-OutputArea").inner_text()
    match = re.search(r"kernel saw (\d+) after (\d+) changes", printed)
    assert match and int(match[1]) >= 6 and int(match[1]) == int(paused), printed
    assert error_outputs(page) == []

    # Saved in the browser's storage: a reload shows the new cells.
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1000)
    page.goto(f"{base}/lab/index.html?path={NOTEBOOK}")
    page.wait_for_selector(f"{NOTEBOOK_PANEL} .jp-Cell", timeout=60_000)
    assert "widgets.jslink" in cell(page, LAUNCH_INDEX + 2).locator(".cm-content").inner_text(), \
        "the edits were not kept in the browser's storage"
    shot(page, "lite-01-after-reload")


@pytest.mark.skipif(not DEPLOYED, reason="HEATEX_LITE_URL is not set: notebook 01's numpy cells need "
                    "Pyodide's package host (cdn.jsdelivr.net), unreachable here; the Pages workflow runs "
                    "this test against the deployed site")
def test_deployed_site_runs_notebook_01():
    with chromium() as page:
        page.goto(f"{DEPLOYED.rstrip('/')}/lab/index.html?path={NOTEBOOK}")
        page.wait_for_selector(f"{NOTEBOOK_PANEL} .jp-Cell", timeout=120_000)
        wait_for_kernel(page, timeout_ms=180_000)
        run_all(page, timeout_s=600)
        shot(page, "lite-deployed-01-after-run-all")
        errors = error_outputs(page)
        assert not errors, "notebook 01 shows errors in JupyterLite:\n" + "\n---\n".join(errors)
        figure = page.locator(f"{NOTEBOOK_PANEL} .jp-RenderedImage img").first
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


MARKDOWN_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)|href=\"(?P<href>[^\"]+)\"")


def test_every_link_of_the_notebooks_leads_somewhere():
    require_build(LITE / "index.html", "make lite")
    files = LITE / "files"
    notebooks = sorted(files.rglob("*.ipynb"))
    assert len(notebooks) >= 5, notebooks
    reading_site, on_github = links.pages_url(), links.file_url("")
    pages = set(build_site.pages())
    found = {"in the site": 0, "JupyterLite badge": 0, "reading site": 0, "GitHub": 0, "elsewhere": 0}
    lite = f"{reading_site}{links.LITE_DIR}/lab/index.html?path="
    for path in notebooks:
        name = path.relative_to(files)
        to_reading_site = 0
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for match in MARKDOWN_LINK.finditer("".join(cell["source"])):
                target = match["target"] or match["href"]
                if target.startswith(lite):   # the badge that opens this notebook in JupyterLite
                    opened = urllib.parse.unquote(target[len(lite):])
                    assert (files / opened).is_file(), f"{name}: {target} opens no notebook of the site"
                    found["JupyterLite badge"] += 1
                elif target.startswith(reading_site):
                    page, _, anchor = target[len(reading_site):].partition("#")
                    assert page.endswith(".html") and page[:-5] in pages, f"{name}: {target} is no page"
                    built = build_site.OUTPUT / page
                    if built.is_file() and anchor:
                        assert f'id="{anchor}"' in built.read_text(), f"{name}: {target}: no such section"
                    found["reading site"] += 1
                    to_reading_site += 1
                elif target.startswith(on_github):
                    file = urllib.parse.unquote(target[len(on_github):].partition("#")[0])
                    assert (ROOT / file).is_file(), f"{name}: {target}: not a file of the repository"
                    found["GitHub"] += 1
                elif re.match(r"[a-z][a-z0-9+.-]*:|#", target):
                    found["elsewhere"] += 1
                else:
                    resolved = (path.parent / urllib.parse.unquote(target.partition("#")[0])).resolve()
                    assert resolved.is_file() and resolved.is_relative_to(files.resolve()), \
                        f"{name}: the link {target} leads nowhere in the JupyterLite site"
                    found["in the site"] += 1
        # The course line, at the top and at the foot: "all notebooks" and "teacher's guide".
        assert to_reading_site >= 4, f"{name}: its course line does not lead to the reading site"
    print(f"\nlinks of the JupyterLite notebooks: {found}")
