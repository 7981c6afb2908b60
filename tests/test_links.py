"""Every launch link in the repository comes from one place, scripts/links.py, and agrees with it.

The links (Binder, JupyterLite on GitHub Pages, Colab, Kaggle, the reading site, the launch
cell's `pip install git+...`) name the repository and branch set once in scripts/links.py. Here:
no file git knows holds a link to another repository or branch, the README's badge row is the
generated one, and `links.py --repository jane/heatex --branch dev` on a copy of the repository
rewrites every link, leaving nothing that names the old one.
"""
import importlib.util
import pathlib
import shutil
import subprocess
import sys

import pytest

import links   # scripts/links.py: scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load(path):
    """Another copy of a script, as its own module: links.py in a renamed copy of the repository."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_link_in_the_repository_agrees_with_links_py():
    assert links.check() == [], "run python scripts/links.py --repository OWNER/NAME --branch BRANCH"


def test_the_files_searched_include_the_readme_the_notebooks_and_the_docs():
    names = {p.relative_to(ROOT).as_posix() for p in links.files_with_links()}
    assert {"README.md", "docs/teaching.md", links.FIRST_NOTEBOOK} <= names
    assert any(n.startswith("notebooks/student/") for n in names)
    assert not any(n.startswith(("tests/", "_build/", ".venv/")) for n in names)


def test_the_readme_shows_every_channel_for_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    for url in [*links.channel_urls().values(), links.pages_url()]:
        assert url in readme, url
    assert (ROOT / links.FIRST_NOTEBOOK).is_file()


def test_links_to_another_repository_or_branch_are_caught():
    good = links.badges_markdown() + links.badges_html("notebooks/02_x.ipynb") + links.pip_source()
    assert links.disagreements(good) == []
    # Other sites on github.io are not launch links.
    assert links.disagreements("see https://jakevdp.github.io/PythonDataScienceHandbook/") == []
    # Inside a notebook's JSON a line ends in a written \n: not part of the branch.
    assert links.disagreements(f'"    %pip install -q --no-deps {links.pip_source()}\\n",') == []
    for bad in [
        "https://mybinder.org/v2/gh/jane/heatex/main?urlpath=lab",
        f"https://mybinder.org/v2/gh/{links.REPOSITORY}/dev?urlpath=lab",
        f"https://colab.research.google.com/github/{links.REPOSITORY}/blob/dev/notebooks/a.ipynb",
        "https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/jane/heatex/main/a.ipynb",
        "%pip install -q --no-deps git+https://github.com/jane/heatex@main",
        "https://jane.github.io/heatex/lite/lab/index.html?path=a.ipynb",
    ]:
        assert len(links.disagreements(good + "\n" + bad)) == 1, bad


def test_the_pages_address_check_of_the_workflow():
    assert links.main(["--expect-pages-url", links.pages_url().rstrip("/")]) == 0
    assert links.main(["--expect-pages-url", "https://someone.github.io/else/"]) == 1


def copy_of_the_repository(destination):
    """The files git knows (tracked, or new and not ignored), in a fresh git repository."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    subprocess.run(["git", "add", "-A"], cwd=destination, check=True)
    return destination


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    """A copy of the repository after `links.py --repository jane/heatex --branch dev`."""
    copy = copy_of_the_repository(tmp_path_factory.mktemp("renamed"))
    before = {p.relative_to(copy): p.read_text() for p in load(copy / "scripts" / "links.py").files_with_links(copy)}
    done = subprocess.run([sys.executable, "scripts/links.py", "--repository", "jane/heatex", "--branch", "dev"],
                          cwd=copy, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy, before


def test_setting_the_repository_rewrites_every_link(renamed):
    copy, before = renamed
    moved = load(copy / "scripts" / "links.py")
    assert (moved.REPOSITORY, moved.BRANCH) == ("jane/heatex", "dev")
    for relative, old_text in before.items():
        new_text = (copy / relative).read_text()
        old_links, new_links = links.links_in(old_text), moved.links_in(new_text)
        assert len(new_links) == len(old_links), f"{relative}: links lost or gained"
        assert moved.disagreements(new_text) == [], f"{relative} still names another repository"
        if old_links:
            assert "jane/heatex" in new_text or "jane.github.io/heatex" in new_text, relative
    readme = (copy / "README.md").read_text()
    assert moved.binder_url() in readme and "mybinder.org/v2/gh/jane/heatex/dev?" in readme
    assert "https://jane.github.io/heatex/lite/lab/index.html?path=01_building_pipes.ipynb" in readme
    checked = subprocess.run([sys.executable, "scripts/links.py", "--check"], cwd=copy,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout
    # ...and back: the placeholder again, byte for byte.
    subprocess.run([sys.executable, "scripts/links.py", "--repository", links.REPOSITORY, "--branch",
                    links.BRANCH], cwd=copy, check=True, capture_output=True, timeout=60)
    for relative, old_text in before.items():
        assert (copy / relative).read_text() == old_text, relative
