"""An npm package at an exact version, unpacked in the build's cache: how the site builders take
assets from npm (Pyodide for JupyterLite, MathJax for the reading site) without installing them.

    folder = npm_package.fetch("mathjax", "3.2.2", CACHE)   # CACHE/mathjax-3.2.2-npm/package

`npm pack` downloads the package's tarball (no install, no dependencies, no scripts run); npm's
cache, logs and the tarball stay in the cache folder, so a second build asks nothing of the
registry. Needs npm (Node.js).
"""

import os
import shutil
import subprocess
import tarfile


def fetch(name, version, cache, marker="package.json"):
    """The npm package name@version unpacked under cache; returns the folder holding its files.

    marker: a file of the package whose presence means an earlier unpacking finished."""
    folder = cache / f"{name}-{version}-npm" / "package"
    if (folder / marker).exists():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"{name}-{version}.tgz"
    if not tgz.exists():
        if shutil.which("npm") is None:
            raise SystemExit(f"npm is needed to fetch {name}@{version} from the npm registry, and there is "
                             f"none on PATH: install Node.js (Debian: apt-get install npm), then build again")
        env = dict(os.environ, npm_config_cache=str(cache / "npm"), npm_config_logs_dir=str(cache / "npm" / "_logs"),
                   npm_config_update_notifier="false", npm_config_fund="false", npm_config_loglevel="error")
        done = subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode or not tgz.exists():
            raise SystemExit(f"npm pack {name}@{version} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n"
                             f"The registry must be reachable for the first build; later builds use {tgz}")
    shutil.rmtree(folder.parent, ignore_errors=True)
    with tarfile.open(tgz) as archive:
        archive.extractall(folder.parent, filter="data")
    if not (folder / marker).exists():
        raise SystemExit(f"{tgz} holds no package/{marker}: delete it and build again")
    return folder
