"""Binder (mybinder.org, repo2docker) can build this repo lean and open the first notebook.

conda cannot solve and Docker cannot build here, so these tests check what repo2docker reads:
the structure of environment.yml, the postBuild script (run for real against a temp prefix, with
pip intercepted), the README's badge, and repo2docker's own dry run (`repo2docker --no-build
--debug`, which prints the Dockerfile it would build without Docker): the conda buildpack, the
pinned Python, and the environment installed before the repository is copied in, so that the
environment's image layer is reused across commits. tests/delivery/test_packaging.py checks that
environment.yml lists the same student packages as pyproject.toml.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

import yaml  # comes with jupyter (jupyter_events needs it)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BADGE = re.compile(
    r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]"
    r"\(https://mybinder\.org/v2/gh/(?P<owner>[^/\s)]+)/(?P<repo>[^/\s)]+)/(?P<ref>[^?\s)]+)"
    r"\?urlpath=(?P<urlpath>[^\s)]+)\)")
NEWS = "@jupyterlab/apputils-extension:notification"


def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_binder_finds_the_root_environment_file():
    # repo2docker looks in binder/ or .binder/ first and then ignores every file at the root.
    for hidden in ("binder", ".binder"):
        assert not (ROOT / hidden).exists(), f"{hidden}/ would hide environment.yml and postBuild"
    assert (ROOT / "environment.yml").is_file()


def test_environment_yml_is_what_conda_expects():
    env = environment()
    assert isinstance(env, dict) and set(env) <= {"name", "channels", "dependencies"}, env
    assert env["channels"] == ["conda-forge"], "conda-forge has every package, and ipywidgets 8"
    deps = env["dependencies"]
    specs = [d for d in deps if isinstance(d, str)]
    pip_sections = [d for d in deps if isinstance(d, dict)]
    assert len(pip_sections) <= 1 and all(set(p) == {"pip"} for p in pip_sections), pip_sections
    assert "pip" in specs, "postBuild installs heatex with pip: pip itself is a conda package"
    assert all(isinstance(s, str) and s.strip() for p in pip_sections for s in p["pip"])

    pins = [s for s in specs if re.match(r"python\b", s)]
    assert len(pins) == 1 and re.fullmatch(r"python=3\.\d+", pins[0]), f"pin python once: {pins}"
    minor = int(pins[0].split(".")[1])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires.startswith(">=3.") and minor >= int(requires[4:]), (pins[0], requires)


def test_the_core_is_installed_by_postbuild_not_by_the_environment():
    pip = [s for d in environment()["dependencies"] if isinstance(d, dict) for s in d.get("pip", [])]
    assert not any(s.startswith("-e") or s in (".", "./") for s in pip), pip
    # The install line itself is run (with pip intercepted) by the postBuild test below.
    assert re.search(r"^python -m pip install --no-deps .*-e \.$", (ROOT / "postBuild").read_text(), re.M)


def test_readme_badge_opens_the_first_notebook_in_jupyterlab():
    # scripts/links.py makes every launch link; tests/delivery/test_links.py checks they all agree with it.
    readme = (ROOT / "README.md").read_text()
    badges = BADGE.findall(readme)
    assert len(badges) == 1, "one Binder badge, in the README's badge row"
    match = BADGE.search(readme)
    assert match["urlpath"] == "lab/tree/notebooks/01_building_pipes.ipynb", match["urlpath"]
    notebook = ROOT / match["urlpath"].removeprefix("lab/tree/")
    assert notebook.is_file(), f"the badge opens {notebook.relative_to(ROOT)}, which does not exist"


def test_postbuild_installs_heatex_and_turns_off_the_news_toast(tmp_path):
    script = ROOT / "postBuild"
    text = script.read_text()
    assert text.startswith("#!/bin/bash\n") and "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK), "postBuild must be executable (chmod +x postBuild)"

    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps({"other:plugin": {"keep": 1}}))
    # As on Binder: NB_PYTHON_PREFIX names the env JupyterLab runs from, its python is on PATH.
    # That python is a shim that records `python -m pip ...` instead of installing anything.
    shims = tmp_path / "bin"
    shims.mkdir()
    pip_log = tmp_path / "pip-calls.txt"
    (shims / "python").write_text(
        "#!/bin/bash\n"
        f'if [ "$1 $2" = "-m pip" ]; then echo "$PWD: ${{*:3}}" >> {pip_log}; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n')
    (shims / "python").chmod(0o755)
    env = dict(os.environ, NB_PYTHON_PREFIX=str(tmp_path), PATH=f"{shims}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):  # a rebuild runs it again
        subprocess.run([str(script)], cwd=ROOT, env=env, check=True, timeout=60)
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides == {"other:plugin": {"keep": 1},
                         NEWS: {"checkForUpdates": False, "fetchNews": "false"}}
    # heatex from the repository (Binder runs postBuild in the repository's folder), without
    # touching the environment's packages.
    assert pip_log.read_text().splitlines() == [f"{ROOT}: install --no-deps --no-cache-dir -e ."] * 2

    # A misspelt key or value would make JupyterLab reject the override: check it against the
    # schema this JupyterLab ships for the plugin.
    import jsonschema  # comes with jupyter
    schema_file = (pathlib.Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
                   / "@jupyterlab" / "apputils-extension" / "notification.json")
    jsonschema.validate(overrides[NEWS], json.loads(schema_file.read_text()))


# --- repo2docker's dry run -------------------------------------------------------------------

def repo2docker():
    """The repo2docker command next to this Python (the binder-check extra), or skip."""
    found = shutil.which("repo2docker", path=str(pathlib.Path(sys.executable).parent)) or shutil.which("repo2docker")
    if not found:
        pytest.skip("repo2docker is not installed: `make test` installs it (pip install -e '.[binder-check]')")
    return found


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory):
    """The Dockerfile repo2docker would build for this repository (stdout of a dry run), and its log.

    Run on a copy of the files git tracks, as Binder sees a clone, not this working tree."""
    command = repo2docker()
    clone = tmp_path_factory.mktemp("binder") / "repo"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, tracked.stdout.decode().split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    done = subprocess.run([command, "--no-build", "--debug", "--no-run", str(clone)],
                          capture_output=True, text=True, timeout=120, cwd=clone)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, done.stderr


def test_repo2docker_picks_the_conda_buildpack_and_the_pinned_python(dockerfile):
    text, log = dockerfile
    pin = next(s for s in environment()["dependencies"] if isinstance(s, str) and s.startswith("python="))
    version = pin.split("=")[1]
    assert f"Building conda environment for python={version}" in log, log
    # The base environment's lock file, named for the Python version (file names in the COPY
    # lines are escaped, '.' as -2e, '-' as -2d, '/' as -2f, and end in a hash).
    unescaped = re.sub(r"-2([edf])", lambda m: {"e": ".", "d": "-", "f": "/"}[m[1]], text)
    lock = rf"/conda/environment\.py-{re.escape(version)}-linux-64\.lock-[0-9a-f]+ /tmp/env/environment\.lock$"
    assert re.search(lock, unescaped, re.M), \
        "repo2docker's base environment is not the one for the pinned Python"
    assert '${MAMBA_EXE} env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in text


def test_repo2docker_installs_the_environment_before_it_copies_the_repository(dockerfile):
    lines = dockerfile[0].splitlines()

    def first(pattern):
        found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert found, f"no line of the Dockerfile matches {pattern!r}"
        return found[0]

    copy_env = first(r"^COPY .*src/environment\.yml ")
    update = first(r"env update .*--file \"environment\.yml\"")
    copy_repo = first(r"^COPY .*src/ \$\{REPO_DIR\}/$")
    post_build = first(r"^RUN \./postBuild$")
    # Only environment.yml is copied before the environment is built: that layer is reused for
    # every commit that leaves environment.yml alone. heatex is installed by postBuild, after.
    assert copy_env < update < copy_repo < post_build, (copy_env, update, copy_repo, post_build)
    copies_before = [line for line in lines[:update] if line.startswith("COPY") and "src/" in line]
    assert copies_before == [lines[copy_env]], copies_before
