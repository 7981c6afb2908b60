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

Sphinx's warnings (a link to a file that is not there, say) do not stop the build: they are
printed and written to _build/site-warnings.txt, which tests/test_site.py requires to be empty.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
SOURCE = BUILD / "site-src"
OUTPUT = BUILD / "site"
WARNINGS = BUILD / "site-warnings.txt"
SKIPPED = {"exports", ".ipynb_checkpoints"}


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


def stage():
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    shutil.copy2(ROOT / "site" / "_config.yml", SOURCE / "_config.yml")
    (SOURCE / "_toc.yml").write_text(yaml.safe_dump(toc(), sort_keys=False, allow_unicode=True))
    shutil.copy2(ROOT / "README.md", SOURCE / "README.md")
    shutil.copytree(ROOT / "docs", SOURCE / "docs")
    linked = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        linked |= linked_files(path, path.read_text(encoding="utf-8"))
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if c.get("id") != launch_cell.LAUNCH_ID]
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
