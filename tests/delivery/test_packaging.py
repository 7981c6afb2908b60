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

ROOT = pathlib.Path(__file__).resolve().parents[2]
DESIGN = {"numpy", "matplotlib", "jupyter", "tqdm", "ipywidgets", "nbval"}
LIBRARY = {"numpy", "matplotlib", "tqdm", "ipywidgets"}
# conda-forge's name of a package where it is not PyPI's: environment.yml uses these.
# `matplotlib` on conda-forge is matplotlib-base plus the Qt toolkit (pyqt, qt6-main, ...), which
# a notebook in a browser never uses; `matplotlib-base` is what pip's matplotlib installs.
CONDA_NAMES = {"matplotlib": "matplotlib-base"}
PYPI_NAMES = {conda: pypi for pypi, conda in CONDA_NAMES.items()}


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


def as_pypi(spec):
    """A conda spec of environment.yml with PyPI's name for its package (matplotlib-base>=3.8 ->
    matplotlib>=3.8), normalised, so that it compares with pyproject.toml's."""
    spec = normalise(spec)
    name = name_of(spec)
    return PYPI_NAMES.get(name, name) + spec[len(name):]


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
    packages = {as_pypi(s) for s in conda if not re.match(r"^(python|pip)\b", s)}
    packages |= {normalise(s) for s in pip if not s.startswith("-e ")}
    assert packages == {normalise(s) for s in pyproject_requirements("lab")}
    assert not {name_of(s) for s in conda + pip} & {name_of(s) for s in extra("test")} - {
        name_of(s) for s in pyproject_requirements("lab")}, "no test tool on Binder"


def test_environment_uses_conda_forges_names_for_what_a_student_needs():
    # matplotlib-base, not matplotlib: conda-forge's matplotlib would put Qt into Binder's image.
    conda, _ = environment_lines()
    names = {name_of(s) for s in conda}
    for pypi, conda_name in CONDA_NAMES.items():
        if pypi in {name_of(s) for s in pyproject_requirements("lab")}:
            assert conda_name in names and pypi not in names, (
                f"environment.yml should list {conda_name} (conda-forge's name), not {pypi}: {conda}")


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
