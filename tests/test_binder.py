"""Binder (mybinder.org, repo2docker) can build this repo and open the first notebook.

conda and repo2docker cannot run here, so these tests check what repo2docker reads: the
structure of environment.yml, the postBuild script (run for real against a temp prefix), and
the README's badge. tests/test_packaging.py checks that environment.yml lists the same packages
as pyproject.toml.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tomllib

import yaml  # comes with jupyter (jupyter_events needs it)

ROOT = pathlib.Path(__file__).resolve().parents[1]
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
    assert len(pip_sections) == 1 and set(pip_sections[0]) == {"pip"}, pip_sections
    assert "pip" in specs, "a pip: section needs pip itself among the conda packages"
    assert all(isinstance(s, str) and s.strip() for s in pip_sections[0]["pip"])

    pins = [s for s in specs if re.match(r"python\b", s)]
    assert len(pins) == 1 and re.fullmatch(r"python=3\.\d+", pins[0]), f"pin python once: {pins}"
    minor = int(pins[0].split(".")[1])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires.startswith(">=3.") and minor >= int(requires[4:]), (pins[0], requires)


def test_the_core_is_installed_on_binder():
    # `-e .` in the pip section installs heatex_core and heatex_viz from pyproject.toml.
    pip = next(d for d in environment()["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e ." in pip
    assert (ROOT / "pyproject.toml").is_file()


def test_readme_badge_opens_the_first_notebook_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- binder -->", 1)[1].split("\n## ", 1)[0]
    badges = BADGE.findall(readme)
    assert len(badges) == 1, "one Binder badge, under <!-- binder -->"
    match = BADGE.search(section)
    assert match, "the Binder badge sits right under <!-- binder -->"
    # The repository is named in exactly one link: the badge's.
    assert readme.count("mybinder.org/v2/gh/") == 1
    assert match["urlpath"] == "lab/tree/notebooks/01_building_pipes.ipynb", match["urlpath"]
    notebook = ROOT / match["urlpath"].removeprefix("lab/tree/")
    assert notebook.is_file(), f"the badge opens {notebook.relative_to(ROOT)}, which does not exist"


def test_postbuild_turns_off_the_news_toast_and_keeps_other_overrides(tmp_path):
    script = ROOT / "postBuild"
    text = script.read_text()
    assert text.startswith("#!/bin/bash\n") and "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK), "postBuild must be executable (chmod +x postBuild)"

    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps({"other:plugin": {"keep": 1}}))
    # As on Binder: NB_PYTHON_PREFIX names the env JupyterLab runs from, its python is on PATH.
    env = dict(os.environ, NB_PYTHON_PREFIX=str(tmp_path),
               PATH=f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):  # a rebuild runs it again
        subprocess.run([str(script)], cwd=ROOT, env=env, check=True, timeout=60)
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides == {"other:plugin": {"keep": 1},
                         NEWS: {"checkForUpdates": False, "fetchNews": "false"}}

    # A misspelt key or value would make JupyterLab reject the override: check it against the
    # schema this JupyterLab ships for the plugin.
    import jsonschema  # comes with jupyter
    schema_file = (pathlib.Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
                   / "@jupyterlab" / "apputils-extension" / "notification.json")
    jsonschema.validate(overrides[NEWS], json.loads(schema_file.read_text()))
