"""What the browser tests share: Debian's Chromium driven by playwright, a static file server on
127.0.0.1, screenshots in test-artifacts/, and the rule for a missing browser or build.

Used by tests/test_browser.py (JupyterLab), tests/test_site.py (the reading site) and
tests/test_lite.py (JupyterLite). Not a test module itself.
"""
import contextlib
import functools
import http.server
import os
import pathlib
import socket
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


@contextlib.contextmanager
def chromium(viewport=(1400, 1000)):
    """A fresh headless Chromium (a new profile: nothing kept between tests); yields a page."""
    require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
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
