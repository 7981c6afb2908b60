"""The reading site (`make site`, _build/site) in Chromium, served on 127.0.0.1.

The site built without warnings (no broken link); every page (the README, every notebook, the
docs) loads; every figure the notebooks saved shows on its page and decodes;
widget outputs (the scrubber, tqdm's bars), saved without widget state, show their text instead of
a blank cell; the appendix's animation (notebook 09) steps and plays; the launch cell is left out and the badge
row is kept. Requests off the machine are answered with an error, as offline, and recorded: only
the badge images and the animation's Font Awesome stylesheet may ask. So, offline:

- every formula is typeset by the MathJax the site serves itself (counted against the formulas
  of the notebooks' and pages' Markdown);
- at a projector's 1280x720, every figure is shown at its own width or as wide as the page
  allows beside the navigation (not squeezed into the text column), also with the sidebar
  hidden; no code cell or text output scrolls sideways (they wrap), the widgets' text fallbacks
  included;
- the menu button works: at a phone's size it opens the navigation, at 1280x720 it hides the
  sidebar and shows it again.

Screenshots: test-artifacts/site-*.png.

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
# Hosts a page may ask for when deployed: the badge images of the badge rows, and the Font
# Awesome 4 stylesheet matplotlib's animation links (the theme's own Font Awesome draws its
# buttons' icons offline too). Not MathJax: the site serves it.
ALLOWED_HOSTS = {"mybinder.org", "jupyterlite.rtfd.io", "colab.research.google.com", "kaggle.com",
                 "maxcdn.bootstrapcdn.com"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# A projector's (and a small laptop's) screen, and a phone's, in CSS pixels.
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# "At its own width": a figure shown at 90% of its pixels or more reads as drawn.
SCALE = 0.9


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


def page_source(page):
    """The Markdown a page is made from: a notebook's markdown cells, or the .md file."""
    nb = notebook_of(page)
    if nb is not None:
        return [c.source for c in nb.cells if c.cell_type == "markdown"]
    return [(ROOT / f"{page}.md").read_text(encoding="utf-8")]


def formulas_in(page):
    """How many formulas ($...$, $$...$$, amsmath environments) the page's Markdown holds, as MyST
    (Jupyter Book's default extensions dollarmath and amsmath) parses them."""
    markdown_it = pytest.importorskip("markdown_it", reason="the `site` extra (myst-parser) counts formulas")
    dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath").dollarmath_plugin
    amsmath = pytest.importorskip("mdit_py_plugins.amsmath").amsmath_plugin
    parser = markdown_it.MarkdownIt("commonmark").use(dollarmath).use(amsmath).enable("table")

    def count(tokens):
        return sum(t.type.startswith("math") or t.type == "amsmath" for t in tokens) + \
            sum(count(t.children) for t in tokens if t.children)

    return sum(count(parser.parse(text)) for text in page_source(page))


def notebook_pages():
    return [p for p in PAGES if notebook_of(p) is not None]


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
        # A file of the site that is not there (a part of MathJax left out, say).
        missing = []
        page.on("response", lambda r: missing.append(f"{r.status} {r.url}")
                if is_local(r.url) and r.status >= 400 else None)
        page.missing = missing
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
    page.set_viewport_size({"width": 1400, "height": 1000})
    external.clear()
    page.missing.clear()
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
    assert not page.missing, f"{page_name} asks the site for files it does not have: {page.missing}"


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


# --- formulas, offline -----------------------------------------------------------------------

def typeset(page):
    """Wait for MathJax to finish the page (if it loads at all); returns the formulas Sphinx wrote,
    how many MathJax typeset, its error nodes and where MathJax came from."""
    from playwright.sync_api import TimeoutError as Timeout   # the site fixture checked playwright is there
    try:
        page.wait_for_function("() => !document.querySelector('.math') || (window.MathJax && MathJax.startup "
                               "&& MathJax.startup.promise)", timeout=20_000)
    except Timeout:   # MathJax never came: the counts below say so
        pass
    return page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
        const formulas = [...document.querySelectorAll('article.bd-article .math')];
        const script = document.querySelector('script[src*="mathjax"], script[src*="tex-mml-chtml"]');
        return {written: formulas.length,
                typeset: formulas.filter(f => f.querySelector('mjx-container')).length,
                errors: [...document.querySelectorAll('article.bd-article mjx-merror')].map(e => e.textContent),
                source: script ? script.src : null};
    }""")


def test_every_formula_is_typeset_with_no_request_off_the_machine(site):
    page, base, external = site
    page.set_viewport_size(PROJECTOR)
    counts = {}
    for page_name in PAGES:
        expected = formulas_in(page_name)
        external.clear()
        page.missing.clear()
        page.goto(f"{base}/{page_name}.html", wait_until="load")
        found = typeset(page)
        counts[page_name] = (expected, found["typeset"])
        assert found["written"] == expected, (
            f"{page_name}: {expected} formulas in its Markdown, {found['written']} on the page")
        assert found["typeset"] == expected, (
            f"{page_name}: {found['typeset']} of {expected} formulas typeset offline "
            f"(MathJax from {found['source']}; asked off the machine: {external})")
        assert not found["errors"], f"{page_name}: MathJax could not typeset {found['errors']}"
        if expected:
            assert found["source"] and found["source"].startswith(base), \
                f"{page_name}: MathJax comes from {found['source']}, not from the site"
            assert not page.missing, f"{page_name}: MathJax asked for files the site lacks: {page.missing}"
    total = sum(n for _, n in counts.values())
    assert total > 0, "no formula anywhere: the count checks nothing"
    print(f"\nformulas typeset offline: {total} of {sum(e for e, _ in counts.values())} "
          f"({', '.join(f'{p.rsplit(chr(47), 1)[-1]} {n}' for p, (_, n) in counts.items() if n)})")
    page.goto(f"{base}/notebooks/02_heat_exchange_training.html", wait_until="load")
    typeset(page)
    page.locator("article.bd-article .math").first.scroll_into_view_if_needed()
    shot(page, "site-02-formulas-offline")


# --- the layout at a projector's size and a phone's ----------------------------------------------

def visible_toggle(page):
    """The menu button a reader sees (the theme renders more than one)."""
    buttons = [b for b in page.query_selector_all(".primary-toggle") if b.is_visible()]
    assert buttons, "no visible menu button"
    return buttons[0]


def sidebar_shown(page):
    """True when the navigation sidebar is on the screen beside the article."""
    return page.evaluate("""() => {
        const s = document.querySelector('#pst-primary-sidebar');
        if (!s) return false;
        const r = s.getBoundingClientRect(), style = getComputedStyle(s);
        return r.width > 0 && r.right > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    }""")


FIGURES_JS = """async () => {
    const article = document.querySelector('article.bd-article');
    const style = getComputedStyle(article), box = article.getBoundingClientRect();
    const left = box.left + parseFloat(style.paddingLeft);
    // The page's width beside the navigation: from the text's left edge to the window's right
    // edge, less the article's own margin on that side.
    const room = document.documentElement.clientWidth - left - parseFloat(style.paddingRight);
    const images = [...article.querySelectorAll('.cell_output img')];
    const out = [];
    for (const img of images) {
        try { await img.decode(); } catch (e) {}
        if (!img.naturalWidth) continue;
        const r = img.getBoundingClientRect();
        out.push({src: (img.getAttribute('src') || '').slice(0, 60), natural: img.naturalWidth,
                  shown: r.width, right: r.right, column: article.querySelector('section').clientWidth});
    }
    return {room, figures: out, pageWidth: document.documentElement.scrollWidth,
            window: document.documentElement.clientWidth};
}"""


def check_figures(page, page_name, where):
    """Every figure of the page shown at SCALE of its own width, or of the room the page has."""
    found = page.evaluate(FIGURES_JS)
    assert found["pageWidth"] <= found["window"], \
        f"{page_name} ({where}): the page scrolls sideways ({found['pageWidth']} > {found['window']} px)"
    small = []
    for figure in found["figures"]:
        wanted = SCALE * min(figure["natural"], found["room"])
        if figure["shown"] < wanted or figure["right"] > found["window"]:
            small.append(f"{figure['src']}...: {figure['shown']:.0f} px of {figure['natural']} "
                         f"(room {found['room']:.0f})")
    assert not small, f"{page_name} ({where}): figures squeezed below {SCALE:.0%} of what fits: {small}"
    return found


def test_figures_get_the_pages_width_at_1280x720(site):
    page, base, _ = site
    page.set_viewport_size(PROJECTOR)
    scales, checked = [], 0
    for page_name in notebook_pages():
        nb = notebook_of(page_name)
        page.goto(f"{base}/{page_name}.html", wait_until="load")
        assert sidebar_shown(page), f"{page_name}: at 1280x720 the navigation is beside the article"
        found = check_figures(page, page_name, "1280x720, sidebar shown")
        assert len(found["figures"]) >= len(saved_images(nb)), page_name
        wider = [f for f in found["figures"] if f["natural"] > f["column"]]
        assert all(f["shown"] > f["column"] for f in wider), \
            f"{page_name}: a figure wider than the text column is squeezed into it"
        scales += [f["shown"] / f["natural"] for f in found["figures"]]
        # The projector's way: hide the sidebar (the menu button), and the figures grow.
        visible_toggle(page).click()
        page.wait_for_timeout(400)
        assert not sidebar_shown(page), f"{page_name}: the menu button did not hide the sidebar"
        hidden = check_figures(page, page_name, "1280x720, sidebar hidden")
        assert hidden["room"] > found["room"]
        checked += len(found["figures"])
        if page_name == "notebooks/04_does_it_learn":   # its widest figure (the student copy has none)
            page.evaluate("""() => [...document.querySelectorAll('article .cell_output img')]
                .sort((a, b) => b.naturalWidth - a.naturalWidth)[0].scrollIntoView({block: 'center', behavior: 'instant'})""")
            page.wait_for_timeout(600)   # the theme folds the contents column away
            shot(page, "site-04-widest-figure-1280x720-sidebar-hidden")
    assert checked >= 5
    print(f"\n{checked} figures at 1280x720: shown at {min(scales):.0%} to {max(scales):.0%} of their pixels "
          f"with the sidebar, more without")


def test_code_cells_and_text_outputs_wrap_at_1280x720(site):
    page, base, _ = site
    page.set_viewport_size(PROJECTOR)
    total, fallbacks = 0, 0
    for page_name in notebook_pages():
        nb = notebook_of(page_name)
        page.goto(f"{base}/{page_name}.html", wait_until="load")
        found = page.evaluate("""() => {
            const article = document.querySelector('article.bd-article');
            // A block in a figure's cell may be as wide as the figure: within the window.
            const right = document.documentElement.clientWidth;
            const blocks = [...article.querySelectorAll('.cell_input pre, .cell_output pre')];
            return {inputs: article.querySelectorAll('.cell_input pre').length,
                    wide: blocks.filter(p => p.scrollWidth > p.clientWidth + 1
                                            || p.getBoundingClientRect().right > right + 1)
                                .map(p => p.textContent.slice(0, 80)),
                    texts: blocks.map(p => p.innerText)};
        }""")
        code_cells = [c for c in nb.cells if c.cell_type == "code" and c.get("id") != "launch" and c.source.strip()]
        assert found["inputs"] >= len(code_cells) > 0, page_name
        assert not found["wide"], f"{page_name}: blocks that scroll sideways: {found['wide']}"
        # The widgets' one-line text fallbacks are there whole, wrapped.
        for fallback in widget_fallbacks(nb):
            words = " ".join(fallback.split())
            assert any(words in " ".join(text.split()) for text in found["texts"]), \
                f"{page_name}: widget text {fallback!r} not shown whole"
            fallbacks += 1
        total += found["inputs"]
    assert fallbacks, "no widget fallback checked"
    print(f"\n{total} code cells at 1280x720, none wider than the column; {fallbacks} widget fallbacks whole")
    page.goto(f"{base}/notebooks/03_scrubbing_snapshots.html", wait_until="load")
    page.locator(".cell_output pre", has_text="Scrubber").first.scroll_into_view_if_needed()
    shot(page, "site-03-scrubber-fallback-1280x720")


def test_the_menu_opens_the_navigation_on_a_phone(site):
    page, base, _ = site
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/notebooks/01_building_pipes.html", wait_until="load")
    assert not sidebar_shown(page), "on a phone the navigation starts folded away"
    target = page.get_by_role("link", name="4 · Does it learn?")
    assert not any(link.is_visible() for link in target.all()), "the navigation is visible before the menu"
    visible_toggle(page).click()
    link = page.locator("#pst-primary-sidebar-modal a", has_text="Does it learn").first
    link.wait_for(state="visible", timeout=5_000)
    shot(page, "site-menu-phone-open")
    link.click()
    page.wait_for_url("**/04_does_it_learn.html", timeout=10_000)
    # ...and the page itself fits the phone.
    found = check_figures(page, "notebooks/04_does_it_learn", "phone")
    assert found["figures"]


def test_the_menu_hides_and_shows_the_sidebar_at_1280x720(site):
    page, base, _ = site
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{base}/notebooks/02_heat_exchange_training.html", wait_until="load")
    width = lambda: page.evaluate("() => document.querySelector('article.bd-article').getBoundingClientRect().width")
    assert sidebar_shown(page)
    before = width()
    visible_toggle(page).click()
    page.wait_for_timeout(400)
    assert not sidebar_shown(page), "the menu button did not hide the sidebar"
    assert width() > before, "hiding the sidebar did not give the article more room"
    shot(page, "site-menu-1280x720-hidden")
    visible_toggle(page).click()
    page.wait_for_timeout(400)
    assert sidebar_shown(page), "the menu button did not bring the sidebar back"
    assert width() == before
