"""The reading site (`make site`, _build/site) in Chromium, served on 127.0.0.1.

The site built without warnings (no broken link); every page (the README, every notebook, the
docs) loads; every figure the notebooks saved shows on its page and decodes;
widget outputs (the scrubber, tqdm's bars), saved without widget state, show their text instead of
a blank cell; the appendix's animation (notebook 09) steps and plays; the launch cell is left out
and the badge row is kept. Requests off the machine are answered with an error, as offline, and recorded: only
MathJax (from its CDN; equations stay untypeset offline, and are typeset once deployed), the
badge images and the animation's Font Awesome stylesheet may ask. Screenshots: test-artifacts/site-*.png.

`make test` builds the site first; without a build this test is skipped (failed in CI).
"""
import base64
import json
import urllib.parse

import nbformat
import pytest

from browser_support import ROOT, chromium, is_local, require_build, shot, static_server

import build_site   # scripts/ is on pytest's pythonpath
SITE = build_site.OUTPUT
PAGES = build_site.pages()
# Hosts a page may ask for when deployed: MathJax, the badge images of the badge rows, and the
# Font Awesome 4 stylesheet matplotlib's animation links (the theme's own Font Awesome draws its
# buttons' icons offline too).
ALLOWED_HOSTS = {"cdn.jsdelivr.net", "mybinder.org", "jupyterlite.rtfd.io", "colab.research.google.com",
                 "kaggle.com", "maxcdn.bootstrapcdn.com"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def notebook_of(page):
    path = ROOT / f"{page}.ipynb"
    return nbformat.read(path, as_version=4) if path.exists() else None


def saved_images(nb):
    """The PNG outputs a notebook saved, as bytes, in order."""
    return [base64.b64decode(o["data"]["image/png"]) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


def widget_fallbacks(nb):
    """The text each widget output shows where no widget can run."""
    return ["".join(o["data"]["text/plain"]) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]


@pytest.fixture(scope="module")
def site():
    require_build(SITE / "index.html", "make site")
    with static_server(SITE) as base, chromium() as page:
        external = []

        def answer(route):
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:   # as offline; what asked is checked below
                external.append(url)
                route.abort()

        page.route("**/*", answer)
        yield page, base, external


def test_every_notebook_and_doc_has_a_page():
    for expected in ("README", "notebooks/01_building_pipes", "docs/teaching"):
        assert expected in PAGES
    assert len([p for p in PAGES if p.startswith("notebooks/")]) == len(build_site.notebooks()) >= 5


def test_the_site_built_without_warnings():
    # A link to a notebook or section that is not there, a page left out: Sphinx warns, and
    # `make site` writes the warnings here (they do not stop it, so the other tests still run).
    require_build(build_site.WARNINGS, "make site")
    warnings = build_site.WARNINGS.read_text().strip()
    assert not warnings, f"the reading site's build warned:\n{warnings}"


def test_every_page_was_built():
    for page in PAGES:
        assert (SITE / f"{page}.html").is_file(), f"{page} is not in the site"
    assert (SITE / "index.html").is_file()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_loads_with_its_figures_and_no_blank_widget(site, page_name):
    page, base, external = site
    external.clear()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(f"{base}/{page_name}.html", wait_until="load")
    assert response.ok, f"{page_name}: HTTP {response.status}"
    article = page.locator("article.bd-article")
    assert article.count() == 1 and len(article.inner_text().strip()) > 200, f"{page_name}: no text"
    label = page_name.replace("/", "-")

    # Every image of the article decodes (blob:, data: and files of the site; badges are remote).
    images = page.eval_on_selector_all(
        "article.bd-article img",
        """async (imgs) => Promise.all(imgs.map(async img => {
               img.scrollIntoView();
               const local = !/^https?:/.test(img.getAttribute('src') || '') || img.src.startsWith(location.origin);
               if (!local) return {src: img.src, local, width: null};
               try { await img.decode(); } catch (e) {}
               return {src: img.src.slice(0, 120), local, width: img.naturalWidth};
           }))""")
    broken = [i["src"] for i in images if i["local"] and not i["width"]]
    assert not broken, f"{page_name}: images that do not decode: {broken}"

    nb = notebook_of(page_name)
    if nb is not None:
        # Each figure the notebook saved is on the page (the animation's frames are in a script).
        figures = [i for i in images if i["local"] and i["width"] and "_anim_img" not in i["src"]]
        assert len(figures) >= len(saved_images(nb)), (
            f"{page_name}: {len(saved_images(nb))} saved figures, {len(figures)} shown")
        text = article.inner_text()
        for fallback in widget_fallbacks(nb):
            assert fallback.split("|")[0].strip() in text, f"{page_name}: widget text {fallback!r} not shown"
        assert page.locator(f"script[type='{WIDGET_VIEW}']").count() == 0, \
            f"{page_name}: a widget output renders as an invisible script (a blank cell)"
        blank = page.eval_on_selector_all(
            "article.bd-article .cell_output",
            """outs => outs.filter(o => !o.innerText.trim() && !o.querySelector('img, svg, table, iframe'))
                          .map(o => o.closest('.cell').innerText.slice(0, 200))""")
        assert not blank, f"{page_name}: cells whose output shows nothing: {blank}"
        # The launch cell is left out (a reader runs nothing); the badge row stays.
        assert "# Setup for JupyterLite" not in text
        badges = page.eval_on_selector_all("article.bd-article a[target='_parent']", "as => as.map(a => a.href)")
        assert any("mybinder.org/v2/gh/" in href for href in badges), f"{page_name}: no badge row"
    assert not errors, f"{page_name}: JavaScript errors: {errors}"
    shot(page, f"site-{label}")

    hosts = {urllib.parse.urlparse(url).hostname for url in external}
    assert hosts <= ALLOWED_HOSTS, f"{page_name} asks hosts off the machine: {hosts - ALLOWED_HOSTS}"


def test_the_animation_steps_and_plays(site):
    page, base, _ = site
    page.goto(f"{base}/notebooks/09_appendix_films_and_files.html", wait_until="load")
    animation = page.locator(".animation").first
    assert animation.count(), "the appendix's animation (notebook 09) is not on its page"
    animation.scroll_into_view_if_needed()
    image, slider = animation.locator("img").first, animation.locator("input.anim-slider").first
    page.wait_for_function("img => img.src.startsWith('data:image/png')", arg=image.element_handle())
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    first_src, first_value = image.get_attribute("src"), int(slider.input_value())
    shot(page, "site-09-animation-first-frame")

    animation.locator("button[title='Next frame']").click()
    assert int(slider.input_value()) == first_value + 1
    assert image.get_attribute("src") != first_src, "Next frame did not change the picture"

    animation.locator("button[title='First frame']").click()
    assert image.get_attribute("src") == first_src
    animation.locator("button[title='Play']").click()
    page.wait_for_function("s => +s.value >= 3", arg=slider.element_handle(), timeout=10_000)
    animation.locator("button[title='Pause']").click()
    paused = int(slider.input_value())
    page.wait_for_timeout(600)
    assert int(slider.input_value()) == paused, "Pause did not stop the animation"
    assert image.get_attribute("src") != first_src
    shot(page, "site-09-animation-played")
    frames = json.loads(page.evaluate("() => JSON.stringify(document.querySelectorAll('.animation').length)"))
    assert frames == 1
