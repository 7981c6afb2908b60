"""Build the reading site (`make site`): every notebook, the README and the teacher's guide as a
static site, from the notebooks' saved outputs (nothing is executed).

    python scripts/build_site.py            # writes _build/site/ (open _build/site/index.html)

Jupyter Book 1 (the `site` extra) builds from a staging copy in _build/site-src: site/_config.yml
and site/_toc.yml, README.md (the home page), docs/, and the notebooks without their launch cell
(a reader runs nothing; the badge row under it stays, to open the notebook elsewhere). Widget
outputs were saved without widget state, so the config makes their text fallback show.
Sphinx warnings (a broken link, a missing page) fail the build.
"""

import pathlib
import shutil
import subprocess
import sys
import time

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import launch_cell  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
SOURCE = BUILD / "site-src"
OUTPUT = BUILD / "site"


def notebooks():
    return sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb")
                  if not {"exports", ".ipynb_checkpoints"} & set(p.relative_to(ROOT).parts))


def stage():
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / "site" / name, SOURCE / name)
    shutil.copy2(ROOT / "README.md", SOURCE / "README.md")
    shutil.copytree(ROOT / "docs", SOURCE / "docs")
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if c.get("id") != launch_cell.LAUNCH_ID]
        target = SOURCE / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def build():
    started = time.monotonic()
    stage()
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run([str(jupyter_book), "build", str(SOURCE), "--builder", "html",
                           "--warningiserror", "--nitpick", "--keep-going", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stdout.write(done.stdout[-6000:])
        sys.stderr.write(done.stderr[-6000:])
        raise SystemExit(f"jupyter-book failed ({done.returncode})")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    shutil.move(SOURCE / "_build" / "html", OUTPUT)
    size = sum(p.stat().st_size for p in OUTPUT.rglob("*") if p.is_file())
    pages = len(list(OUTPUT.rglob("*.html")))
    print(f"reading site: {OUTPUT.relative_to(ROOT)}/ ({pages} HTML files, {size / 1e6:.1f} MB) "
          f"in {time.monotonic() - started:.1f} s; open {OUTPUT.relative_to(ROOT)}/index.html")


if __name__ == "__main__":
    build()
