"""What the browser tests share: Debian's Chromium driven by playwright, a static file server on
127.0.0.1, screenshots in test-artifacts/, and the rule for a missing browser or build.

Used by tests/delivery/test_browser.py (JupyterLab), tests/delivery/test_site.py (the reading site) and
tests/delivery/test_lite.py (JupyterLite). Not a test module itself.
"""
import contextlib
import functools
import http.server
import os
import pathlib
import socket
import tempfile
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = pathlib.Path(os.environ.get("HEATEX_CHROMIUM", "/usr/bin/chromium"))
# Measured on this kind of machine (see the notes on JupyterLab in headless Chromium).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def required():
    """True in CI (.ci/run sets HEATEX_REQUIRE_BROWSER=1): then a missing browser or site fails."""
    return os.environ.get("HEATEX_REQUIRE_BROWSER") == "1"


def skip_or_fail(problem):
    if required():
        pytest.fail(f"HEATEX_REQUIRE_BROWSER=1 but {problem}", pytrace=False)
    pytest.skip(problem)


def require_browser():
    """Skip (or, in CI, fail) when there is no Chromium or no playwright."""
    problem = None
    if not CHROMIUM.exists():
        problem = (f"no Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium` "
                   "(Debian/Ubuntu), or point HEATEX_CHROMIUM at a Chromium binary")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = ("the Python package playwright is missing: `make test` installs it "
                       "(pip install -e '.[test]'); do not run `playwright install`")
    if problem is not None:
        skip_or_fail(f"browser test skipped: {problem}")


def require_build(path, command):
    """Skip (or, in CI, fail) when a site has not been built: `make test` builds it first."""
    if not path.exists():
        skip_or_fail(f"{path.relative_to(ROOT)} is missing: run `{command}` (`make test` does)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(http.server.SimpleHTTPRequestHandler):
    # What a static host (GitHub Pages) sends for the files these sites hold.
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
        ".json": "application/json", ".ipynb": "application/json", ".svg": "image/svg+xml",
        ".whl": "application/octet-stream", ".zip": "application/zip",
    }

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def static_server(root):
    """Serve the folder root on 127.0.0.1 (a thread of this process); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# Every request off the machine goes to a proxy that is not there and fails, as behind a closed school
# proxy; 127.0.0.1 is never proxied. (page.route could refuse them too, but with a route in place
# JupyterLite's service worker never answers a write to its drive: the kernel hangs.)
OFFLINE_ARGS = ["--proxy-server=http://127.0.0.1:9"]


def launch(playwright, home, offline=False):
    """Chromium with its home in the folder home: its certificate store and caches go there, not
    into the user's home directory."""
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
               XDG_DATA_HOME=f"{home}/data")
    args = CHROMIUM_ARGS + (OFFLINE_ARGS if offline else [])
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, env=env)


@contextlib.contextmanager
def chromium(viewport=(1400, 1000), offline=False):
    """A fresh headless Chromium (a new profile: nothing kept between tests); yields a page.
    offline: every request off the machine fails (OFFLINE_ARGS)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="heatex-chromium-") as home:
        browser = launch(p, home, offline)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def shot(page, name, **options):
    """A screenshot test-artifacts/<name>.png; returns its file name."""
    path = ARTIFACTS / f"{name}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), **options)
    return path.name


def is_local(url):
    return url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))


# --- JupyterLab 4 (JupyterLab and JupyterLite) ---------------------------------------------------

# Selectors for JupyterLab 4 / ipywidgets 8.
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
IDLE = f"{NOTEBOOK_PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']"
LIVE = ":not(.jupyter-widgets-disconnected)"
IMAGE = f"img.widget-image{LIVE}"
PLAY_BUTTON = ".widget-play button:has(i.fa-play)"    # the same button shows a pause icon
PAUSE_BUTTON = ".widget-play button:has(i.fa-pause)"  # while it plays
TOAST = ".Toastify__toast"


def wait_for_kernel(page, timeout_ms=30_000):
    """Wait until the status bar names the notebook's kernel and calls it idle.

    The toolbar's indicator says idle before any kernel exists ("No Kernel | Initializing" in the
    status bar), and Run All then asks to select a kernel."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(
               t => /^(?!No Kernel).+ \\| Idle$/.test(t.textContent.trim()))""",
        polling=100, timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def run_all(page, timeout_s=150):
    """Run > Run All Cells, then wait until the kernel is idle with no cell left to run.

    Run All stops at the first error, leaving the cells after it unnumbered: an error output
    also ends the wait (and the caller reports it)."""
    page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-item[data-command='runmenu:run-all']")
    # Clicking marks every code cell [*] and clears its old outputs at once; idle alone could be
    # the idle before the first cell starts.
    try:
        page.wait_for_function(
            """([panel, errorsJs]) => {
                const nb = document.querySelector(panel);
                if (!nb) return false;
                const indicator = nb.querySelector('.jp-Notebook-ExecutionIndicator');
                if (!indicator || indicator.dataset.status !== 'idle') return false;
                const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                    .map(p => p.textContent);
                if (prompts.some(p => p.includes('*'))) return false;
                return prompts.every(p => /\\[\\d+\\]/.test(p))
                    || eval(errorsJs)([...nb.querySelectorAll('.jp-OutputArea-output')]).length > 0;
            }""",
            arg=[NOTEBOOK_PANEL, ERRORS_JS], timeout=timeout_s * 1000, polling=200)
    except Exception as error:
        dialogs = [d.inner_text() for d in page.query_selector_all(".jp-Dialog") if d.is_visible()]
        raise AssertionError(f"Run All did not finish within {timeout_s} s"
                             + (f"; a dialog is open: {dialogs}" if dialogs else "")) from error


# Error outputs, stderr outputs that carry a traceback, and widgets that failed to display.
ERRORS_JS = """(outputs) => outputs.filter(o =>
        o.matches('[data-mime-type="application/vnd.jupyter.error"]')
        || o.querySelector('[data-mime-type="application/vnd.jupyter.error"]')
        || (o.matches('[data-mime-type="application/vnd.jupyter.stderr"]')
            || o.querySelector('[data-mime-type="application/vnd.jupyter.stderr"]'))
           && /Traceback|Error/.test(o.textContent)
        || /Error displaying widget|Error rendering/.test(o.textContent))
    .map(o => o.textContent.slice(0, 2000))"""


def error_outputs(page):
    """Texts of the outputs in the open notebook that show an error."""
    return page.eval_on_selector_all(f"{NOTEBOOK_PANEL} .jp-OutputArea-output", ERRORS_JS)
