"""Build the JupyterLite site (`make lite`): JupyterLab and Python in the browser, no server.

    python scripts/build_lite.py          # writes _build/lite/ (serve it: it cannot run from file://)

What the site holds (jupyterlite-core and jupyterlite-pyodide-kernel, the `lite` extra):

- the notebooks (notebooks/*.ipynb and notebooks/student/), with their saved outputs, and the saved
  runs notebooks 05 and 06 load (notebooks/runs/*.npz, written by studies/notebook_runs.py);
- heatex as a wheel built from this checkout, and the pure-Python wheels the widgets need that
  Pyodide does not carry (ipywidgets, jupyterlab_widgets, comm, at the versions installed here,
  so the page's widget manager and the kernel's ipywidgets match), served by the site's own
  package index: the launch cell's `%pip install heatex` finds them there;
- a Pyodide runtime taken from the npm registry (`npm pack pyodide@<version>`, the version the
  kernel expects), which holds the interpreter (wasm, standard library, pyodide-lock.json) but no
  package wheels. The pure-Python packages the kernel installs while it starts (micropip,
  ipython, jedi and what they need) and tqdm, at the lock's versions, are fetched from PyPI and
  served beside it, their lock entries rewritten to those files and their sha256. Every other package
  of the lock (numpy, matplotlib, pillow, ...) keeps its sha256 and is fetched from Pyodide's
  package host (cdn.jsdelivr.net/pyodide/v<version>/full/) at run time: neither PyPI nor npm
  carries Pyodide's compiled wheels. So the kernel starts with no network at all, and the numpy
  cells need the package host.

The notebooks' links lead somewhere in the site: a relative link to a file the site does not
carry (the course line's "all notebooks" and "teacher's guide", a study's script) is rewritten in
the site's copy to where it exists, the reading site's page (README.md#x -> <pages>/README.html#x)
or, for a file that has no page there, the file on GitHub; both addresses come from
scripts/links.py. Links between the notebooks stay relative.

No sourcemaps. npm's and pip's downloads are cached in _build/cache: a second build asks nothing
of the registries. Nothing is written outside _build/ (npm's cache and logs and Jupyter's user
folders are pointed there).
"""

import hashlib
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import build_site  # noqa: E402  (the reading site's pages)
import links  # noqa: E402  (where the reading site and the repository are)
import npm_package  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / "cache"
LITE_DIR = BUILD / "lite-src"          # the build's working folder (staged contents, doit's db)
OUTPUT = BUILD / "lite"
PACKAGE_HOST = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
# What the kernel's worker installs while it starts (jupyterlite-pyodide-kernel 0.8: micropip,
# then piplite.install of ipykernel, comm, pyodide-kernel, jedi and ipython). ipykernel,
# pyodide-kernel and piplite are wheels of the kernel's own extension; comm is not in Pyodide's
# lock and is served with the widget wheels.
KERNEL_START = ["micropip", "jedi", "ipython"]
# Pure-Python packages of the lock that heatex itself needs, served too: with them the launch cell
# runs to its end without a network (only the compiled packages stay on the package host).
HEATEX_PURE = ["tqdm"]
# The runtime files the kernel loads (the npm package also holds consoles, typings, sourcemaps).
RUNTIME_FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm",
                 "python_stdlib.zip", "package.json"]
# Served by the site's package index, at the versions installed beside the lite builder.
WIDGET_WHEELS = ["ipywidgets", "jupyterlab_widgets", "comm"]


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def run(*command, **options):
    subprocess.run([str(c) for c in command], check=True, **options)


def pip_download(specs, folder, *extra):
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        *extra, "--dest", folder, "--cache-dir", CACHE / "pip", *specs)


def wheel_named(folder, name, version):
    for path in folder.glob("*.whl"):
        parts = path.name.split("-")
        if normalise(parts[0]) == normalise(name) and parts[1] == version:
            return path
    return None


# --- the Pyodide runtime ---------------------------------------------------------------------

def npm_pyodide():
    """The npm package pyodide@PYODIDE_VERSION, unpacked in the cache; returns its folder."""
    return npm_package.fetch("pyodide", PYODIDE_VERSION, CACHE, marker="pyodide-lock.json")


def closure(packages, names):
    """names and every package of the lock they depend on, sorted."""
    seen, todo = set(), [normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SystemExit(f"{name} is not in Pyodide {PYODIDE_VERSION}'s lock")
        seen.add(name)
        todo += [normalise(d) for d in packages[name]["depends"]]
    return sorted(seen)


def pyodide_runtime(target):
    """Fill target (the lite dir's static/pyodide, which the build serves) with the runtime."""
    npm = npm_pyodide()
    lock = json.loads((npm / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    local = closure(packages, KERNEL_START + HEATEX_PURE)
    folder = CACHE / "pyodide-wheels"
    folder.mkdir(parents=True, exist_ok=True)
    missing = [f"{n}=={packages[n]['version']}" for n in local
               if not wheel_named(folder, n, packages[n]["version"])]
    if missing:
        pip_download(missing, folder, "--python-version", lock["info"]["python"].rsplit(".", 1)[0])
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(npm / name, target / name)
    for name, entry in packages.items():
        if name in local:
            wheel = wheel_named(folder, name, entry["version"])
            shutil.copy2(wheel, target / wheel.name)
            entry["file_name"] = wheel.name
            entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        else:
            entry["file_name"] = PACKAGE_HOST + entry["file_name"]
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return local, len(packages) - len(local)


# --- the site's own wheels ---------------------------------------------------------------------

def site_wheels():
    """heatex built from this checkout, and the widget wheels at the versions installed here."""
    heatex = CACHE / "heatex-wheel"
    shutil.rmtree(heatex, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", heatex,
        "--cache-dir", CACHE / "pip", ROOT)
    wheels = sorted(heatex.glob("heatex-*.whl"))
    folder = CACHE / "piplite"
    folder.mkdir(parents=True, exist_ok=True)
    versions = {name: importlib.metadata.version(name) for name in WIDGET_WHEELS}
    missing = [f"{n}=={v}" for n, v in versions.items() if not wheel_named(folder, n, v)]
    if missing:
        pip_download(missing, folder)
    return wheels + [wheel_named(folder, n, v) for n, v in versions.items()]


# A relative link's target in a notebook's Markdown: [text](target) or href="target".
RELATIVE_LINK = re.compile(r"(?P<lead>\]\(|href=\")(?P<target>(?![a-z][a-z0-9+.-]*:|#|/)[^)\s\"]+)")


def lite_target(target, notebook):
    """Where a relative link of the notebook (its path in the repository) leads in JupyterLite:
    itself if the site carries the file, else the reading site's page, else the file on GitHub."""
    path, _, anchor = target.partition("#")
    file = pathlib.PurePosixPath(os.path.normpath((notebook.parent / path).as_posix()))
    if file.parts[:1] == ("notebooks",) and (ROOT / file).is_file():
        return target
    if file.suffix in (".md", ".ipynb") and file.with_suffix("").as_posix() in build_site.pages():
        return f"{links.pages_url()}{file.with_suffix('.html').as_posix()}" + (f"#{anchor}" if anchor else "")
    if (ROOT / file).is_file() and file.parts[0] != "..":
        return links.file_url(file.as_posix()) + (f"#{anchor}" if anchor else "")
    raise SystemExit(f"{notebook}: the link {target!r} leads to {file}, which is not in the repository")


def with_lite_links(nb, notebook):
    """The notebook (JSON) with every relative link of its Markdown cells rewritten by lite_target."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            new = RELATIVE_LINK.sub(lambda m: m["lead"] + lite_target(m["target"], notebook), source)
            if new != source:
                cell["source"] = new.splitlines(keepends=True)
    return nb


def stage_contents(target):
    shutil.rmtree(target, ignore_errors=True)
    notebooks = ROOT / "notebooks"
    # the notebooks, and the runs and tables notebooks 05, 06 and 08 load beside them (studies/)
    for path in sorted([*notebooks.rglob("*.ipynb"), *notebooks.glob("runs/*.npz"), *notebooks.glob("runs/*.json")]):
        if {"exports", ".ipynb_checkpoints"} & set(path.relative_to(notebooks).parts):
            continue
        staged = target / path.relative_to(notebooks)
        staged.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".ipynb":
            shutil.copyfile(path, staged)
            continue
        nb = with_lite_links(json.loads(path.read_text(encoding="utf-8")), path.relative_to(ROOT))
        staged.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def build():
    started = time.monotonic()
    # From scratch: `jupyter lite build` keeps a task database in its lite dir and would skip
    # steps whose outputs were removed with the old site.
    shutil.rmtree(LITE_DIR, ignore_errors=True)
    LITE_DIR.mkdir(parents=True)
    local, remote = pyodide_runtime(LITE_DIR / "static" / "pyodide")
    wheels = site_wheels()
    stage_contents(LITE_DIR / "contents")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    jupyter = pathlib.Path(sys.executable).parent / "jupyter"
    command = [jupyter, "lite", "build", "--lite-dir", LITE_DIR, "--output-dir", OUTPUT,
               "--contents", LITE_DIR / "contents", "--no-sourcemaps"]
    for wheel in wheels:
        command += ["--piplite-wheels", wheel]
    # Jupyter's per-user folders (a notebook secret, a signature database) in the build's folder,
    # not in the home directory.
    home = LITE_DIR / "jupyter-user"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    done = subprocess.run([str(c) for c in command], cwd=LITE_DIR, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.stdout.write(done.stdout[-6000:])
        sys.stderr.write(done.stderr[-6000:])
        raise SystemExit(f"jupyter lite build failed ({done.returncode})")
    config = json.loads((OUTPUT / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs", kernel
    assert (OUTPUT / "files" / "01_building_pipes.ipynb").is_file()
    size = sum(p.stat().st_size for p in OUTPUT.rglob("*") if p.is_file())
    print(f"JupyterLite: {OUTPUT.relative_to(ROOT)}/ ({size / 1e6:.0f} MB) in {time.monotonic() - started:.1f} s; "
          f"Pyodide {PYODIDE_VERSION} from npm with {len(local)} pure-Python wheels from PyPI, "
          f"{remote} packages left to {PACKAGE_HOST}; wheels served: "
          f"{', '.join(w.name for w in wheels)}")


if __name__ == "__main__":
    build()
