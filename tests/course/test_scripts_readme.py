"""scripts/README.md gives every file of scripts/ its line, and names nothing that is not there."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def listed():
    """The file names in the first column of scripts/README.md's table."""
    text = (SCRIPTS / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([^`]+)` \|", text, re.M)


def files():
    return sorted(p.name for p in SCRIPTS.iterdir()
                  if p.is_file() and p.name != "README.md" and not p.name.endswith(".pyc"))


def test_every_file_in_scripts_has_one_line_in_its_readme():
    names = listed()
    missing = [name for name in files() if names.count(name) != 1]
    assert not missing, f"give each its one line in scripts/README.md: {missing}"


def test_the_scripts_readme_names_only_files_that_exist():
    gone = sorted(set(listed()) - set(files()))
    assert not gone, f"scripts/README.md names files that are not in scripts/: {gone}"
