"""environment.yml (Binder, conda) and pyproject.toml (pip) must list the same packages."""
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
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


def test_environment_lists_the_same_packages_as_pyproject():
    conda, pip = environment_lines()
    packages = {normalise(s) for s in conda + pip if not re.match(r"^(python|pip)\b|^-e ", s)}
    assert packages == {normalise(s) for s in pyproject_requirements()}


def test_environment_pins_python_and_installs_the_core():
    conda, pip = environment_lines()
    assert any(re.fullmatch(r"python=3\.\d+", s) for s in conda), conda
    assert "-e ." in pip, "the env must install heatex_core itself (pip: - -e .)"


def test_pyproject_installs_the_modules_the_notebooks_import():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for module in setuptools["py-modules"]:
        assert (ROOT / f"{module}.py").exists(), module
