"""The GitHub Pages workflow (.github/workflows/pages.yml) cannot run here: check what it says.

It must build both sites with the same make targets as here (`make pages` = `make site` +
`make lite`, put together the way scripts/links.py's links expect: the reading site at /,
JupyterLite at /lite/), deploy them with actions/deploy-pages, and then run notebook 01 in the
deployed JupyterLite with tests/delivery/test_lite.py, after checking that the links name the address it
deployed to.
"""
import pathlib
import re

import yaml

import links   # scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def workflow():
    data = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job):
    return workflow()["jobs"][job]["steps"]


def runs(job):
    return [step["run"] for step in steps(job) if "run" in step]


def uses(job):
    return [step["uses"] for step in steps(job) if "uses" in step]


def makefile_recipe(target):
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:(?P<prereqs>[^\n]*)\n(?P<recipe>(?:\t[^\n]*\n)+)", text, re.M)
    assert match, f"the Makefile has no {target} target"
    return match["prereqs"].split(), match["recipe"]


def test_the_workflow_is_valid_and_publishes_from_the_branch_the_links_name():
    data = workflow()
    assert set(data) >= {"name", "on", "jobs", "permissions"}
    # scripts/links.py --branch keeps it in step (tests/delivery/test_links.py tries other branches).
    assert data["on"]["push"]["branches"] == [links.BRANCH] and "workflow_dispatch" in data["on"]
    assert set(data["jobs"]) == {"build", "deploy", "smoke"}
    for name, job in data["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest" and job.get("timeout-minutes", 0) <= 30, name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{name}: a step must either use or run: {step}"
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]


def test_build_makes_both_sites_with_the_make_targets_used_here():
    assert "make pages" in runs("build")
    prereqs, recipe = makefile_recipe("pages")
    assert prereqs == ["site", "lite"]
    assert "cp -r _build/site _build/pages" in recipe
    assert f"cp -r _build/lite _build/pages/{links.LITE_DIR}" in recipe, "JupyterLite where the links say"
    artifact = next(s for s in steps("build") if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert artifact["with"]["path"] == "_build/pages"
    assert any(u.startswith("actions/setup-node@") for u in uses("build")), "make lite runs npm"
    python = next(s for s in steps("build") if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"


def test_deploy_uses_the_pages_action_with_its_permissions():
    job = workflow()["jobs"]["deploy"]
    assert job["needs"] == "build"
    assert job["permissions"] == {"pages": "write", "id-token": "write"}
    assert job["environment"]["name"] == "github-pages"
    assert any(u.startswith("actions/deploy-pages@") for u in uses("deploy"))
    step_id = next(s["id"] for s in steps("deploy") if s.get("uses", "").startswith("actions/deploy-pages@"))
    assert job["outputs"]["page_url"] == f"${{{{ steps.{step_id}.outputs.page_url }}}}"


def test_smoke_runs_notebook_01_in_the_deployed_jupyterlite():
    job = workflow()["jobs"]["smoke"]
    assert job["needs"] == "deploy"
    commands = runs("smoke")
    assert any("scripts/links.py --expect-pages-url" in c and "needs.deploy.outputs.page_url" in c
               for c in commands), "check that the links name the deployed address"
    assert "make setup" in commands
    test_step = next(s for s in steps("smoke") if "tests/delivery/test_lite.py" in s.get("run", ""))
    assert "-k deployed" in test_step["run"]
    env = test_step["env"]
    assert env["HEATEX_LITE_URL"] == f"${{{{ needs.deploy.outputs.page_url }}}}{links.LITE_DIR}/"
    assert env["HEATEX_REQUIRE_BROWSER"] == "1" and env["HEATEX_CHROMIUM"]
    # The test it runs exists and opens notebook 01.
    test_lite = (ROOT / "tests" / "delivery" / "test_lite.py").read_text()
    assert "def test_deployed_site_runs_notebook_01" in test_lite
    assert 'NOTEBOOK = "01_building_pipes.ipynb"' in test_lite
    assert links.lite_url().endswith(f"/{links.LITE_DIR}/lab/index.html?path=01_building_pipes.ipynb")
