"""The notebooks in a real browser: JupyterLab + headless Chromium, used the way a student uses them.

nbval proves that the cells run; it cannot see a dead slider (a missing widget extension, a figure
that never redraws). So this test starts JupyterLab on 127.0.0.1 with a token, on a copy of the
notebooks in a temp dir (JupyterLab autosaves outputs into the files it opens), drives Debian's
Chromium with playwright, runs every cell, and then moves the scrubbing notebook's slider with the
keyboard, with a mouse drag and with its Play button, checking that the readout and the picture
follow. Screenshots go to test-artifacts/ (git-ignored).

No browser here: the test is skipped with how to install one, unless HEATEX_REQUIRE_BROWSER=1
(set by .ci/run), which makes a missing browser a failure.
"""
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from browser_support import (ARTIFACTS, IMAGE, LIVE, NOTEBOOK_PANEL, PAUSE_BUTTON, PLAY_BUTTON,
                             ROOT, TOAST, error_outputs, free_port, launch, require_browser, run_all,
                             wait_for_kernel)

NOTEBOOKS = ROOT / "notebooks"
SCRUBBING = "03_scrubbing_snapshots.ipynb"



@contextlib.contextmanager
def lab_server(notebook_dir, workdir):
    """JupyterLab on 127.0.0.1 with a fresh token; yields (base_url, token); stops it by PID."""
    token = secrets.token_hex(16)
    port = free_port()
    settings = workdir / "lab-user-settings"
    # The "Jupyter news" question would pop up as a toast over the notebook: answer it in this
    # server's own user settings, so nothing outside the temp dir changes.
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # inherited by kernels: Agg would hide %matplotlib inline figures
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "lab-workspaces"),
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        # JupyterLab asks npm for its global prefix; npm would log that into ~/.npm/_logs.
        npm_config_logs_dir=str(workdir / "npm-logs"),
    )
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={notebook_dir}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = workdir / "jupyterlab.log"
    with open(log_path, "wb") as log:
        # A new session, so the kernels the server starts can be stopped with it.
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                  stdin=subprocess.DEVNULL, cwd=notebook_dir, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {server.returncode}:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                with direct.open(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer within 60 s:\n"
                                       + log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.25)
        yield base, token
    finally:
        stop_process_group(server)
        shutil.copy(log_path, ARTIFACTS / "jupyterlab.log")


def stop_process_group(process):
    """SIGTERM the server (it shuts its kernels down), then SIGKILL its group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels left behind, if any
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server and one browser page for the whole module: (page, base_url, token)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    workdir = tmp_path_factory.mktemp("lab")
    copy = workdir / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns("exports", ".ipynb_checkpoints"))
    with lab_server(copy, workdir) as (base, token), sync_playwright() as p:
        browser = launch(p, str(workdir))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            yield page, base, token
        finally:
            browser.close()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"))


def open_notebook(page, base, token, name):
    # `reset` stops JupyterLab from restoring earlier tabs, whose hidden panels selectors could hit.
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset")
    page.wait_for_selector(f"{NOTEBOOK_PANEL} .jp-Cell")
    wait_for_kernel(page)


def visible_toasts(page):
    return [t.inner_text() for t in page.query_selector_all(TOAST) if t.is_visible()]


def image_digest(page, scope=""):
    """(src, SHA-256 of the bytes) of the widget image; ipywidgets serves them as blob: URLs."""
    return page.eval_on_selector(
        f"{scope} {IMAGE}".strip(),
        """async (img) => {
            const bytes = await (await fetch(img.src)).arrayBuffer();
            const digest = await crypto.subtle.digest('SHA-256', bytes);
            return [img.src, [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('')];
        }""")


# --- the scrubbing notebook's widget ---------------------------------------------------------
# heatex_viz.Scrubber: VBox([HBox([Play, IntSlider]), HTML readout, Image]).
SCRUBBER = f".widget-vbox{LIVE}:has(.widget-play):has(.widget-slider):has(img.widget-image)"


def slider_value(page, which="now"):
    return int(float(page.get_attribute(f"{SCRUBBER} .noUi-handle", f"aria-value{which}")))


def readout(page):
    return page.inner_text(f"{SCRUBBER} .widget-html-content").strip()


def wait_for_snapshot(page, k, timeout_ms=20_000):
    """Wait until the kernel has drawn snapshot k: the readout names it (it is set after the image).

    Returns the image digest, taken once the src has stopped changing."""
    page.wait_for_function(
        """([scrubber, k]) => {
            const box = document.querySelector(scrubber);
            const text = box && box.querySelector('.widget-html-content');
            return !!text && text.textContent.trim().startsWith(`snapshot ${k} of`);
        }""",
        arg=[SCRUBBER, k], timeout=timeout_ms, polling=50)
    src, digest = image_digest(page, SCRUBBER)
    while True:  # a redraw queued behind this one (a drag sends many values) would still land
        page.wait_for_timeout(150)
        again = image_digest(page, SCRUBBER)
        if again[0] == src:
            return digest
        src, digest = again


def press(page, key, times=1):
    handle = page.locator(f"{SCRUBBER} .noUi-handle").first
    handle.focus()
    for _ in range(times):
        handle.press(key)


def notebook_named(prefix):
    found = sorted(NOTEBOOKS.glob(f"{prefix}*.ipynb"))
    assert found, f"no notebook notebooks/{prefix}*.ipynb to open"
    return found[0].name


def run_notebook(page, base, token, name, label):
    open_notebook(page, base, token, name)
    run_all(page)
    # A widget whose model never arrives says "Loading widget..." for some seconds, then
    # "Error displaying widget"; without the widget extension it would say it for good.
    try:
        page.wait_for_function(
            """(panel) => ![...document.querySelectorAll(panel + ' .jp-OutputArea-output')]
                            .some(o => o.textContent.trim().startsWith('Loading widget'))""",
            arg=NOTEBOOK_PANEL, timeout=10_000, polling=200)
    except Exception as error:
        shot(page, f"{label}-dead-widget")
        raise AssertionError(f"{name}: a widget still says 'Loading widget...' 10 s after the run")\
            from error
    shot(page, f"{label}-after-run-all")
    errors = error_outputs(page)
    assert not errors, f"{name}: cells show errors in JupyterLab:\n" + "\n---\n".join(errors)
    toasts = visible_toasts(page)
    assert not toasts, f"{name}: a notification covers the page: {toasts}"
    # %matplotlib inline figures reach the page as images (MPLBACKEND=Agg would hide them).
    figure = page.locator(f"{NOTEBOOK_PANEL} .jp-RenderedImage img").first
    assert figure.count(), f"{name}: no figure shows in JupyterLab"
    figure.scroll_into_view_if_needed()
    assert figure.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    shot(page, f"{label}-first-figure")


@contextlib.contextmanager
def screenshot_on_failure(page, label):
    try:
        yield
    except Exception:
        shot(page, f"{label}-failed")
        raise


def test_scrubbing_notebook_slider_and_play_drive_the_figure(lab):
    page, base, token = lab
    assert (NOTEBOOKS / SCRUBBING).is_file(), f"no notebooks/{SCRUBBING} to open"
    with screenshot_on_failure(page, "03"):
        run_notebook(page, base, token, SCRUBBING, "03")
        scrub(page)


def scrub(page):
    try:
        page.locator(SCRUBBER).first.scroll_into_view_if_needed(timeout=10_000)
    except Exception as error:
        raise AssertionError(f"{SCRUBBING} shows no live scrubber (Play, slider, readout and "
                             "image in one box): is the widget extension jupyterlab_widgets "
                             "installed?") from error
    start = slider_value(page)
    seen = {start: wait_for_snapshot(page, start)}

    # Keyboard: each ArrowRight is one snapshot on; the readout and the picture follow.
    for k in range(start + 1, start + 4):
        press(page, "ArrowRight")
        seen[k] = wait_for_snapshot(page, k)
        assert slider_value(page) == k
    assert len(set(seen.values())) == 4, "each snapshot should show a different picture"
    shot(page, "03-keyboard")
    # Back again: the picture for a snapshot is the same each time it is shown.
    press(page, "ArrowLeft", times=3)
    assert wait_for_snapshot(page, start) == seen[start]
    assert slider_value(page) == start

    # A mouse drag along the track, with short pauses as a hand makes them.
    track = page.locator(f"{SCRUBBER} .noUi-base").first.bounding_box()
    handle = page.locator(f"{SCRUBBER} .noUi-handle").first.bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    target_x = track["x"] + 0.6 * track["width"]
    for i in range(1, 11):
        page.mouse.move(handle["x"] + handle["width"] / 2
                        + i / 10 * (target_x - handle["x"] - handle["width"] / 2),
                        handle["y"] + handle["height"] / 2)
        page.wait_for_timeout(30)
    page.mouse.up()
    dragged = slider_value(page)
    assert dragged > start + 3, f"the drag should move the slider well past {start + 3}, not to {dragged}"
    seen[dragged] = wait_for_snapshot(page, dragged)
    assert seen[dragged] not in (seen[start], seen[start + 3])
    shot(page, "03-drag")
    press(page, "ArrowLeft")
    wait_for_snapshot(page, dragged - 1)
    press(page, "ArrowRight")
    assert wait_for_snapshot(page, dragged) == seen[dragged]

    # Play: from the first snapshot it advances on its own; pressing it again pauses.
    first = slider_value(page, "min")
    press(page, "Home")
    digest = wait_for_snapshot(page, first)
    assert digest == seen.get(first, digest)
    seen[first] = digest
    page.click(f"{SCRUBBER} {PLAY_BUTTON}")
    page.wait_for_function(
        """([scrubber, k]) => +document.querySelector(scrubber + ' .noUi-handle')
                                        .getAttribute('aria-valuenow') >= k""",
        arg=[SCRUBBER, first + 3], timeout=20_000, polling=50)
    page.click(f"{SCRUBBER} {PAUSE_BUTTON}")
    paused = slider_value(page)
    assert paused >= first + 3
    digest = wait_for_snapshot(page, paused)
    assert digest == seen.get(paused, digest) and digest != seen[first]
    page.wait_for_timeout(600)
    assert slider_value(page) == paused, "Play should stop advancing when paused"
    shot(page, "03-play")
    errors = error_outputs(page)
    assert not errors, "moving the slider put errors on the page:\n" + "\n---\n".join(errors)


# --- notebook 04's interactive demo --------------------------------------------------------------
# heatex_viz.SignalDemo: VBox([HBox([VBox(sliders and a checkbox), HTML readout]), Image]).
DEMO = f".widget-vbox{LIVE}:has(.widget-checkbox):has(img.widget-image)"


READOUT_JS = """(box) => ([...box.querySelectorAll('.widget-html-content')]
                             .map(e => e.textContent.trim()).find(t => t.includes('spread at the output')) || '')"""


def demo_readout(page):
    return page.eval_on_selector(DEMO, READOUT_JS)


def test_the_signal_demo_sliders_redraw_the_picture(lab):
    page, base, token = lab
    name = notebook_named("04_")
    with screenshot_on_failure(page, "04"):
        run_notebook(page, base, token, name, "04")
        page.locator(DEMO).first.scroll_into_view_if_needed(timeout=10_000)
        before_text, before = demo_readout(page), image_digest(page, DEMO)[1]
        assert "median spread at the output" in before_text
        depth = page.locator(f"{DEMO} .widget-slider .noUi-handle").first     # the first slider: depth
        assert int(float(depth.get_attribute("aria-valuenow"))) == 10
        depth.focus()
        for _ in range(8):                          # depth 10 -> 2: the signal survives
            depth.press("ArrowLeft")
        page.wait_for_function(
            f"""([demo, old]) => {{
                const box = document.querySelector(demo);
                return !!box && ({READOUT_JS})(box) !== old;
            }}""", arg=[DEMO, before_text], timeout=20_000, polling=100)
        page.wait_for_timeout(1500)                 # let the last of the queued redraws land
        after_text, after = demo_readout(page), image_digest(page, DEMO)[1]
        assert int(float(depth.get_attribute("aria-valuenow"))) == 2
        assert after != before, "moving the depth slider should redraw the picture"
        spread = lambda text: float(re.search(r"output:\s*([0-9.e+-]+\d)", text)[1])
        assert spread(after_text) > 1e3 * spread(before_text), (before_text, after_text)
        shot(page, "04-demo")
        errors = error_outputs(page)
        assert not errors, "moving the demo's slider put errors on the page:\n" + "\n---\n".join(errors)


@pytest.mark.parametrize("prefix", ["01_", "02_", "05_", "06_", "07_", "09_"])
def test_other_notebooks_run_in_jupyterlab_without_errors(lab, prefix):
    page, base, token = lab
    with screenshot_on_failure(page, prefix.rstrip("_")):
        run_notebook(page, base, token, notebook_named(prefix), prefix.rstrip("_"))
