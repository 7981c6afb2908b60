"""Build the reading site (`make site`): every notebook, the README and the teacher's guide as a
static site, from the notebooks' saved outputs (nothing is executed).

    python scripts/build_site.py            # writes _build/site/ (open _build/site/index.html)

Jupyter Book 1 (the `site` extra) builds from a staging copy in _build/site-src: site/_config.yml,
README.md (the home page), docs/, and the notebooks without their launch cell (a reader runs
nothing; the badge row under it stays, to open the notebook elsewhere). The table of contents is
made here from what is there: the README, then notebooks/*.ipynb in order, the student copies,
then docs/*.md, so a new or renamed notebook needs no other change. A page's link to another
file of the repository (a study's script, say) is kept working: the file is staged too, and the
site offers it as a download. Widget outputs were saved without widget state, so the config
makes their text fallback show.

The site asks nothing off the machine to show a page (but the badge images of the badge rows,
which come from their services): MathJax, which typesets the formulas, is served by the site
itself. The build takes it from the npm registry (`npm pack mathjax@MATHJAX_VERSION`, cached in
_build/cache like build_lite.py's Pyodide) and copies the component Sphinx loads with what it
loads on demand into _static/mathjax/ (`mathjax_path` in site/_config.yml).

The layout (site/static/heatex.css): code cells and text outputs wrap at the column's edge
instead of scrolling sideways, and figures get the page's width. The staging copy tags every
cell with a picture `full-width`, the theme's own tag: on a wide screen the cell spans the text
column and the page's contents column beside it, and the theme hides the contents while such a
cell is in view; the stylesheet widens it to the page's right edge, so a figure is shown at its
own width or as wide as the page allows.

Sphinx's warnings (a link to a file that is not there, say) do not stop the build: they are
printed and written to _build/site-warnings.txt, which tests/delivery/test_site.py requires to be empty.
"""

import pathlib
import re
import shutil
import subprocess
import sys
import time

import nbformat
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import launch_cell  # noqa: E402
import npm_package  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / "cache"
SOURCE = BUILD / "site-src"
OUTPUT = BUILD / "site"
WARNINGS = BUILD / "site-warnings.txt"
SKIPPED = {"exports", ".ipynb_checkpoints"}
# The site's own files (site/static/: its stylesheet) and MathJax go to ASSETS in the staging copy,
# which site/_config.yml names as Sphinx's html_static_path: the site serves them from _static/.
# Not `_static`: Jupyter Book would then load every .js file under it (all of MathJax) on every page.
STATIC = ROOT / "site" / "static"
ASSETS = "_assets"
# MathJax 3, the version Sphinx's default mathjax_path names on a CDN (mathjax@3/es5/tex-mml-chtml.js),
# pinned. Of its es5/ build the site serves the component Sphinx loads and the folders it loads
# from on demand: TeX extensions (input/), the CHTML fonts (output/chtml/), the menu (ui/), the
# accessibility tools and their speech rules (a11y/, sre/); not the SVG output or other bundles.
MATHJAX_VERSION = "3.2.2"
MATHJAX_ENTRY = "tex-mml-chtml.js"
MATHJAX_PARTS = [MATHJAX_ENTRY, "input", "output/chtml", "output/chtml.js", "ui", "a11y", "sre", "adaptors"]
# The cell tag that gives a cell the page's width (sphinx-book-theme's; see site/static/heatex.css).
WIDE_TAG = "full-width"
PICTURES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def notebooks():
    return sorted((p for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if not SKIPPED & set(p.relative_to(ROOT).parts)),
                  key=lambda p: (len(p.relative_to(ROOT).parts), p.name))


def pages():
    """Every page of the site, in order, as paths without suffix: README, notebooks, docs."""
    docs = sorted((ROOT / "docs").rglob("*.md"))
    return ["README"] + [p.relative_to(ROOT).with_suffix("").as_posix() for p in [*notebooks(), *docs]]


def toc():
    chapters = []
    for page in pages()[1:]:
        entry = {"file": page}
        if page.startswith("notebooks/student/"):
            title = nbformat.read(ROOT / f"{page}.ipynb", as_version=4)
            heading = next((line.lstrip("# ").strip() for c in title.cells if c.cell_type == "markdown"
                            for line in c.source.splitlines() if line.startswith("# ")), page)
            entry["title"] = f"{heading} (student copy)"
        chapters.append(entry)
    return {"format": "jb-book", "root": "README", "chapters": chapters}


LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s#]+)")


def linked_files(page_path, text):
    """The repository's files that a page's markdown links to (relative links), but pages."""
    found = set()
    for target in LINK.findall(text):
        path = (page_path.parent / target).resolve()
        if path.is_file() and path.is_relative_to(ROOT) and path.suffix not in (".ipynb", ".md"):
            found.add(path)
    return found


def mathjax(target):
    """MathJax's files the site serves, from npm's mathjax@MATHJAX_VERSION, into target."""
    package = npm_package.fetch("mathjax", MATHJAX_VERSION, CACHE, marker=f"es5/{MATHJAX_ENTRY}")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in MATHJAX_PARTS:
        source = package / "es5" / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    shutil.copy2(package / "LICENSE", target / "LICENSE")


def has_picture(cell):
    """True for a code cell whose outputs show a picture (a figure, or an animation's frames)."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if any(kind in data for kind in PICTURES) or "<img" in "".join(data.get("text/html", "")):
            return True
    return False


def widen_pictures(nb):
    """Tag every code cell that shows a picture WIDE_TAG (in the staging copy only)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and has_picture(cell):
            tags = cell.metadata.setdefault("tags", [])
            if WIDE_TAG not in tags:
                tags.append(WIDE_TAG)
    return nb


def stage():
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    shutil.copy2(ROOT / "site" / "_config.yml", SOURCE / "_config.yml")
    shutil.copytree(STATIC, SOURCE / ASSETS)
    mathjax(SOURCE / ASSETS / "mathjax")
    (SOURCE / "_toc.yml").write_text(yaml.safe_dump(toc(), sort_keys=False, allow_unicode=True))
    shutil.copy2(ROOT / "README.md", SOURCE / "README.md")
    shutil.copytree(ROOT / "docs", SOURCE / "docs")
    linked = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        linked |= linked_files(path, path.read_text(encoding="utf-8"))
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if c.get("id") != launch_cell.LAUNCH_ID]
        widen_pictures(nb)
        target = SOURCE / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        linked |= linked_files(path, "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for path in sorted(linked):
        target = SOURCE / path.relative_to(ROOT)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def build():
    started = time.monotonic()
    stage()
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run([str(jupyter_book), "build", str(SOURCE), "--builder", "html",
                           "--nitpick", "--keep-going", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    log = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    warnings = [line.replace(str(SOURCE) + "/", "") for line in log.splitlines()
                if re.search(r"\b(WARNING|ERROR)\b", line)]
    WARNINGS.write_text("".join(f"{w}\n" for w in warnings))
    if done.returncode or not (SOURCE / "_build" / "html" / "index.html").exists():
        sys.stdout.write(log[-6000:])
        raise SystemExit(f"jupyter-book failed ({done.returncode})")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    shutil.move(SOURCE / "_build" / "html", OUTPUT)
    size = sum(p.stat().st_size for p in OUTPUT.rglob("*") if p.is_file())
    count = len(list(OUTPUT.rglob("*.html")))
    for warning in warnings:
        print(warning)
    print(f"reading site: {OUTPUT.relative_to(ROOT)}/ ({count} HTML files, {size / 1e6:.1f} MB) "
          f"in {time.monotonic() - started:.1f} s; {len(warnings)} warnings "
          f"(in {WARNINGS.relative_to(ROOT)}); open {OUTPUT.relative_to(ROOT)}/index.html")


if __name__ == "__main__":
    build()
