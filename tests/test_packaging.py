"""What heatex depends on, in pyproject.toml (pip) and environment.yml (Binder, conda).

The library itself needs numpy, matplotlib, tqdm and ipywidgets, and nothing more: JupyterLite
(`%pip install heatex` under Pyodide) and Colab install it into a runtime that brings its own
Jupyter. JupyterLab comes with the `lab` extra, the test tools (nbval among them) with `test`,
which includes `lab`; `make lab`, `make test` and CI install `.[test]`, so the design's whole
package list (numpy, matplotlib, jupyter, tqdm, ipywidgets, nbval) is still installed there.
"""
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
DESIGN = {"numpy", "matplotlib", "jupyter", "tqdm", "ipywidgets", "nbval"}
LIBRARY = {"numpy", "matplotlib", "tqdm", "ipywidgets"}


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def name_of(spec):
    return re.split(r"[\s<>=!~;\[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def extra(name, seen=()):
    """The requirements of an extra, with extras it includes (`heatex[lab]`) expanded."""
    reqs = []
    for spec in project()["optional-dependencies"][name]:
        included = re.fullmatch(r"heatex\[([\w,-]+)\]", spec.replace(" ", ""))
        if included:
            for other in included[1].split(","):
                assert other not in seen, f"extras include each other in a loop: {seen}"
                reqs += extra(other, (*seen, name))
        else:
            reqs.append(spec)
    return reqs


def pyproject_requirements(*extras):
    reqs = list(project()["dependencies"])
    for name in extras:
        reqs += extra(name)
    return reqs


def environment_lines():
    """The dependency lines of environment.yml: (conda specs, pip specs)."""
    conda, pip, in_pip = [], [], False
    in_deps = False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^\S", line):
            in_deps = line.startswith("dependencies:")
            in_pip = False
            continue
        if not in_deps:
            continue
        item = line.strip()
        if item == "- pip:":
            in_pip = True
            continue
        if in_pip and len(line) - len(line.lstrip()) > 4:
            pip.append(item[2:].strip())
        else:
            in_pip = False
            conda.append(item[2:].strip())
    return conda, pip


def normalise(spec):
    return re.sub(r"\s+", "", spec).lower().replace("_", "-")


def test_the_library_needs_only_what_it_imports():
    assert {name_of(s) for s in project()["dependencies"]} == LIBRARY


def test_jupyter_and_nbval_are_extras_that_make_test_installs():
    lab = {name_of(s) for s in extra("lab")}
    test = {name_of(s) for s in extra("test")}
    assert "jupyter" in lab and "nbval" not in lab, "students get JupyterLab, not test tools"
    assert {"jupyter", "nbval"} <= test
    # `make lab`, `make test` and CI install `.[test]`: the design's package list stays whole.
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[test]'" in makefile
    assert DESIGN <= {name_of(s) for s in pyproject_requirements("test")}


def test_environment_lists_what_a_student_needs_as_pyproject_does():
    # environment.yml mirrors pyproject.toml's dependencies and its `lab` extra, exactly: Binder
    # gets JupyterLab and the library's needs, and no test tool.
    conda, pip = environment_lines()
    packages = {normalise(s) for s in conda + pip if not re.match(r"^(python|pip)\b|^-e ", s)}
    assert packages == {normalise(s) for s in pyproject_requirements("lab")}
    assert not {name_of(s) for s in conda + pip} & {name_of(s) for s in extra("test")} - {
        name_of(s) for s in pyproject_requirements("lab")}, "no test tool on Binder"


def test_environment_pins_python_and_leaves_the_core_to_postbuild():
    conda, pip = environment_lines()
    assert any(re.fullmatch(r"python=3\.\d+", s) for s in conda), conda
    # `-e .` here would make the environment depend on every file of the repository (repo2docker
    # then installs it after copying the repository); postBuild installs heatex instead.
    assert not any(s.startswith("-e") for s in pip), pip


def test_pyproject_installs_the_modules_the_notebooks_import():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for module in setuptools["py-modules"]:
        assert (ROOT / f"{module}.py").exists(), module
