"""Every launch link in the repository comes from one place, scripts/links.py (with its data file
scripts/links.json), and agrees with it; what it writes is checked, escaped, and written whole.

The links (Binder, JupyterLite on GitHub Pages, Colab, Kaggle, the reading site, the launch
cell's `pip install git+...`) name the repository and branch kept in scripts/links.json, and the
Pages workflow publishes from that branch. Here:

- no file git knows holds a link to another repository or branch, the README's badge row is the
  generated one, the workflow publishes from the branch the links name;
- on a copy of the repository, `links.py --repository R --branch B` (R and B other than today's)
  rewrites every link, leaving nothing that names the old one, and back again byte for byte;
  unusual valid values (dots, hyphens, underscores, `feature/x`) round-trip and pass `--check`;
- hostile values (quotes, backslashes, `$(...)`, newlines, `..`, a leading `-`, over-long or
  non-ASCII names) are refused with a message naming the argument, and no file is touched;
- a write that fails part-way (a full disk before the renames, a failed rename) leaves every
  file whole, with its old text, and no temporary behind;
- what goes into HTML, Markdown, JSON, YAML and a shell line is escaped for it;
- after `--repository jane/heatex --branch main` (the README's own example) in a copy, the links
  tests, the Pages workflow's tests and the launch cell's tests all pass there.
"""
import html.parser
import importlib.util
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import urllib.parse

import pytest
import yaml

import links   # scripts/links.py: scripts/ is on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Set in the copy the nested run below works in: it does not start another.
NESTED = "HEATEX_LINKS_TEST_NESTED"


def load(path):
    """Another copy of a script, as its own module: links.py in a renamed copy of the repository."""
    spec = importlib.util.spec_from_file_location(f"links_copy_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def other_than(current, *choices):
    """The first of choices that is not current: an example of another repository or branch that
    stays another whatever the owner has set."""
    return next(c for c in choices if c != current)


OTHER_REPOSITORY = other_than(links.REPOSITORY, "jane/heatex", "octo-org/heatex-course")
OTHER_BRANCH = other_than(links.BRANCH, "dev", "main")


def test_every_link_in_the_repository_agrees_with_links_py():
    assert links.check() == [], "run python scripts/links.py --repository OWNER/NAME --branch BRANCH"


def test_the_repository_is_data_that_links_py_reads():
    data = json.loads(links.SETTINGS.read_text())
    assert data == {"repository": links.REPOSITORY, "branch": links.BRANCH}
    source = (ROOT / "scripts" / "links.py").read_text()
    assert f'"{links.REPOSITORY}"' not in source and "REPOSITORY = \"" not in source, \
        "links.py must not hold the repository in its own source"


def test_the_files_searched_include_the_readme_the_notebooks_and_the_docs():
    names = {p.relative_to(ROOT).as_posix() for p in links.files_with_links()}
    assert {"README.md", "docs/teaching.md", links.FIRST_NOTEBOOK, links.WORKFLOW} <= names
    assert any(n.startswith("notebooks/student/") for n in names)
    assert not any(n.startswith(("tests/", "_build/", ".venv/")) for n in names)
    assert "scripts/links.json" not in names and "scripts/links.py" not in names


def test_the_readme_shows_every_channel_for_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    for url in [*links.channel_urls().values(), links.pages_url()]:
        assert url in readme, url
    assert (ROOT / links.FIRST_NOTEBOOK).is_file()


def test_the_workflow_publishes_from_the_branch_the_links_name():
    text = (ROOT / links.WORKFLOW).read_text()
    assert links.workflow_push_branches(text) == [links.BRANCH]


def test_links_to_another_repository_or_branch_are_caught():
    good = links.badges_markdown() + links.badges_html("notebooks/02_x.ipynb") + links.pip_source()
    assert links.disagreements(good) == []
    # Other sites on github.io are not launch links.
    assert links.disagreements("see https://jakevdp.github.io/PythonDataScienceHandbook/") == []
    # Inside a notebook's JSON a line ends in a written \n: not part of the branch.
    assert links.disagreements(f'"    %pip install -q --no-deps {links.pip_source()}\\n",') == []
    other_owner, other_name = OTHER_REPOSITORY.split("/")
    for bad in [
        f"https://mybinder.org/v2/gh/{OTHER_REPOSITORY}/{links.BRANCH}?urlpath=lab",
        f"https://mybinder.org/v2/gh/{links.REPOSITORY}/{OTHER_BRANCH}?urlpath=lab",
        f"https://colab.research.google.com/github/{links.REPOSITORY}/blob/{OTHER_BRANCH}/notebooks/a.ipynb",
        f"https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/{OTHER_REPOSITORY}/"
        f"{links.BRANCH}/a.ipynb",
        f"%pip install -q --no-deps git+https://github.com/{OTHER_REPOSITORY}@{links.BRANCH}",
        f"%pip install -q --no-deps git+https://github.com/{links.REPOSITORY}@{OTHER_BRANCH}",
        f"https://{other_owner.lower()}.github.io/{other_name}/lite/lab/index.html?path=a.ipynb",
    ]:
        assert len(links.disagreements(good + "\n" + bad)) == 1, bad


def test_a_branch_with_a_slash_is_told_from_the_path_after_it():
    repository, branch = "jane/heatex", "feature/x"
    text = links.badges_markdown(links.FIRST_NOTEBOOK, repository, branch) + links.pip_source(repository, branch)
    assert "blob/feature/x/notebooks/" in text and "@feature/x" in text
    assert links.disagreements(text, repository, branch) == []
    # Binder and pip links end their branch, so a branch "feature" is told from "feature/x" there.
    # (Colab and raw links cannot tell: .../blob/feature/x/notebooks/... could be branch feature
    # and path x/notebooks/...; the Binder and pip links beside them catch it.)
    assert links.disagreements(text, repository, "feature") == [
        f"https://mybinder.org/v2/gh/{repository}/feature/x", f"git+https://github.com/{repository}@feature/x"]
    assert len(links.disagreements(text, repository, "feature/y")) == 4


def test_the_pages_address_check_of_the_workflow():
    assert links.main(["--expect-pages-url", links.pages_url().rstrip("/")]) == 0
    assert links.main(["--expect-pages-url", links.pages_url(OTHER_REPOSITORY)]) == 1


# --- what is accepted, and what is refused ----------------------------------------------------------

VALID_REPOSITORIES = ["jane/heatex", "OWNER/REPO", "a/b", "my-org/heat.ex_2", "x1-y2/.github", "A/heatex-v2.0",
                      "a" * 39 + "/" + "b" * 100]
VALID_BRANCHES = ["main", "dev", "feature/x", "release/v1.2", "fix_dot.ed-name", "user/jane/topic", "1.0",
                  "yes", "on", "a" * 255]
HOSTILE_REPOSITORIES = [
    "", "jane", "jane/", "/heatex", "jane/heatex/x", 'jane/he"atex', "jane/he'atex", "jane\\heatex",
    "jane/heat ex", "jane/$(reboot)", "jane/`id`", "jane/heatex\n", "ja\nne/heatex", "jane/..", "jane/.",
    "-jane/heatex", "jane-/heatex", "ja--ne/heatex", "a" * 40 + "/heatex", "jane/" + "h" * 101,
    "jané/heatex", "jane/héatex", "jane/heatex.git", "jane/heat<ex>", "jane/heat&ex", "jane/heat;ex",
]
HOSTILE_BRANCHES = [
    "", "-rf", "--upgrade", 'ma"in', "ma'in", "ma\\in", "$(reboot)", "`id`", "main\nimport os",
    "main\r", "ma in", "ma\tin", "..", "a..b", "../../etc", "/main", "main/", "a//b", ".hidden", "a/.b",
    "main.lock", "a.lock/b", "main.", "HEAD", "@", "a@{b", "ma~in", "ma^in", "ma:in", "ma?in", "ma*in",
    "ma[in", "b" * 256, "ünïcode", "brañch", "main\u200b", "ma#in", "ma;in", "ma&in", "ma|in", "ma<in>",
    "ma%20in", "ma(in)", "ma{in}", "ma+in", "ma=in", "ma,in", "ma!in",
]


@pytest.mark.parametrize("value", VALID_REPOSITORIES)
def test_valid_repositories_are_accepted(value):
    assert links.check_repository(value) == value


@pytest.mark.parametrize("value", VALID_BRANCHES)
def test_valid_branches_are_accepted(value):
    assert links.check_branch(value) == value
    # git agrees that it is a branch name
    done = subprocess.run(["git", "check-ref-format", "--branch", value], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("value", HOSTILE_REPOSITORIES, ids=repr)
def test_hostile_repositories_are_refused_with_the_argument_named(value):
    with pytest.raises(links.SettingError) as refused:
        links.check_repository(value)
    message = str(refused.value)
    assert message.startswith("--repository ") and "owner/name" in message and "\n" not in message


@pytest.mark.parametrize("value", HOSTILE_BRANCHES, ids=repr)
def test_hostile_branches_are_refused_with_the_argument_named(value):
    with pytest.raises(links.SettingError) as refused:
        links.check_branch(value)
    message = str(refused.value)
    assert message.startswith("--branch ") and "git branch name" in message and "\n" not in message


# --- escaping for each place ---------------------------------------------------------------------

NASTY = "jane/he\"a'<t>&e x$(id)`\\\n\u00e9"


class Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_values_are_escaped_for_html_markdown_shell_json_and_yaml():
    # The builders are never given such values (they are refused first); they escape all the same.
    row = links.badges_html("notebooks/01_x.ipynb", NASTY, NASTY)
    parser = Anchors()
    parser.feed(row)
    anchors = [attrs for tag, attrs in parser.found if tag == "a"]
    assert len(anchors) == 4 and all(a["target"] == "_parent" for a in anchors), row
    for attrs in anchors:
        assert not set(attrs["href"]) & set("\"'<>` \n\\$()"), attrs["href"]
        assert NASTY.split("/")[1] in urllib.parse.unquote(attrs["href"])
    markdown = links.badges_markdown(links.FIRST_NOTEBOOK, NASTY, NASTY)
    for line in markdown.splitlines()[1:-1]:
        for target in line.split("](")[1:]:
            url = target.split(")", 1)[0]
            assert not set(url) & set(" ()<>\"'`\n\\"), url
    with pytest.raises(links.SettingError):
        links.shell_word("git+https://github.com/jane/heatex@$(id)")
    source = links.pip_source("jane/heatex", "x$(id)`;'\" \n")
    assert shlex.split(source) == [source]
    assert json.loads(f'"{links.json_text(NASTY)}"') == NASTY
    for value in ["main", "feature/x", "1.0", "yes", "on", "null", "true", NASTY, "a: b", "[x]", "#x"]:
        assert yaml.safe_load(f"branches: [{links.yaml_scalar(value)}]") == {"branches": [value]}, value


# --- on a copy of the repository ------------------------------------------------------------------

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


def snapshot(root):
    """Every file under root (but .git), as bytes, with its permission bits."""
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mode) for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def run_links(copy, *args):
    return subprocess.run([sys.executable, "scripts/links.py", *args], cwd=copy, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A copy of the repository, and its files as they are."""
    copy = copy_of_the_repository(tmp_path_factory.mktemp("links-copy"))
    return copy, snapshot(copy)


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    """A copy of the repository after `links.py --repository OTHER_REPOSITORY --branch OTHER_BRANCH`."""
    copy = copy_of_the_repository(tmp_path_factory.mktemp("renamed"))
    before = {p.relative_to(copy): p.read_text() for p in load(copy / "scripts" / "links.py").files_with_links(copy)}
    done = run_links(copy, "--repository", OTHER_REPOSITORY, "--branch", OTHER_BRANCH)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy, before


def test_setting_the_repository_rewrites_every_link(renamed):
    copy, before = renamed
    moved = load(copy / "scripts" / "links.py")
    assert (moved.REPOSITORY, moved.BRANCH) == (OTHER_REPOSITORY, OTHER_BRANCH)
    owner, name = OTHER_REPOSITORY.split("/")
    for relative, old_text in before.items():
        new_text = (copy / relative).read_text()
        old_links, new_links = links.links_in(old_text), moved.links_in(new_text)
        assert len(new_links) == len(old_links), f"{relative}: links lost or gained"
        assert moved.disagreements(new_text) == [], f"{relative} still names another repository"
        if old_links:
            assert OTHER_REPOSITORY in new_text or f"{owner.lower()}.github.io/{name}" in new_text, relative
    readme = (copy / "README.md").read_text()
    assert moved.binder_url() in readme and f"mybinder.org/v2/gh/{OTHER_REPOSITORY}/{OTHER_BRANCH}?" in readme
    assert f"https://{owner.lower()}.github.io/{name}/lite/lab/index.html?path=01_building_pipes.ipynb" in readme
    workflow = (copy / links.WORKFLOW).read_text()
    assert moved.workflow_push_branches(workflow) == [OTHER_BRANCH]
    checked = run_links(copy, "--check")
    assert checked.returncode == 0, checked.stdout
    # ...and back: as it was, byte for byte.
    back = run_links(copy, "--repository", links.REPOSITORY, "--branch", links.BRANCH)
    assert back.returncode == 0, back.stderr
    for relative, old_text in before.items():
        assert (copy / relative).read_text() == old_text, relative
    assert (copy / "scripts" / "links.json").read_bytes() == links.SETTINGS.read_bytes()


@pytest.mark.parametrize("repository, branch", [("my-org/heat.ex_2", "feature/x"),
                                                ("x1-y2/heatex-v2.0", "release/v1.2_fix-3"),
                                                ("jane/heatex", "1.0")])
def test_unusual_valid_values_round_trip_and_pass_their_own_check(tmp_path, repository, branch):
    copy = copy_of_the_repository(tmp_path)
    before = snapshot(copy)
    done = run_links(copy, "--repository", repository, "--branch", branch)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = run_links(copy, "--check")
    assert checked.returncode == 0, f"--check after --branch {branch}: {checked.stdout}"
    moved = load(copy / "scripts" / "links.py")
    assert (moved.REPOSITORY, moved.BRANCH) == (repository, branch)
    assert moved.workflow_push_branches((copy / links.WORKFLOW).read_text()) == [branch]
    for path in [copy / "README.md", *sorted((copy / "notebooks").glob("*.ipynb"))]:
        if path.suffix == ".ipynb":
            json.loads(path.read_text())
    assert f"git+https://github.com/{repository}@{branch}" in (copy / links.FIRST_NOTEBOOK).read_text()
    back = run_links(copy, "--repository", links.REPOSITORY, "--branch", links.BRANCH)
    assert back.returncode == 0, back.stderr
    assert snapshot(copy) == before, "not back byte for byte"


@pytest.mark.parametrize("argument, value", [("--repository", v) for v in HOSTILE_REPOSITORIES]
                         + [("--branch", v) for v in HOSTILE_BRANCHES], ids=repr)
def test_a_refused_value_touches_no_file(pristine, capsys, argument, value):
    copy, files = pristine
    moved = load(copy / "scripts" / "links.py")
    with pytest.raises(SystemExit) as refused:
        moved.main([f"{argument}={value}"])
    assert refused.value.code == 2
    message = capsys.readouterr().err
    assert f"error: {argument} " in message, message
    assert snapshot(copy) == files, f"{argument}={value!r} changed files"


def test_a_failed_write_leaves_every_file_as_it_was(pristine, monkeypatch):
    copy, files = pristine
    moved = load(copy / "scripts" / "links.py")
    changes = moved.new_texts("jane/heatex" if links.REPOSITORY != "jane/heatex" else "octo-org/x", "feature/x", copy)
    assert len(changes) >= 5, "the rewrite should touch the README, the notebooks, the workflow and links.json"

    # A full disk on the third temporary: nothing renamed, no temporary left.
    real_open, calls = os.open, []

    def full_disk(path, flags, mode=0o777):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_open(path, flags, mode)

    monkeypatch.setattr(moved.os, "open", full_disk)
    with pytest.raises(moved.WriteError, match="No space left on device; no file was changed"):
        moved.write_all(changes, copy)
    monkeypatch.undo()
    assert snapshot(copy) == files

    # A rename that fails after two have happened: those two are put back.
    real_replace, renames = os.replace, []

    def failing_replace(source, target):
        renames.append(target)
        if len(renames) == 3:
            raise OSError(5, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(moved.os, "replace", failing_replace)
    with pytest.raises(moved.WriteError, match="every file holds its old text again"):
        moved.write_all(changes, copy)
    monkeypatch.undo()
    assert snapshot(copy) == files
    assert not list(copy.rglob(".links-*.tmp")), "temporaries left behind"


def test_a_file_keeps_its_permission_bits(tmp_path):
    copy = copy_of_the_repository(tmp_path)
    notebook = copy / links.FIRST_NOTEBOOK
    notebook.chmod(0o600)
    done = run_links(copy, "--repository", OTHER_REPOSITORY, "--branch", OTHER_BRANCH)
    assert done.returncode == 0, done.stderr
    assert OTHER_REPOSITORY in notebook.read_text()
    assert notebook.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="the nested run does not start another")
def test_the_tests_pass_after_the_owner_sets_the_readmes_example(tmp_path):
    """The owner's first step, `links.py --repository jane/heatex --branch main`, leaves CI green:
    the links', the Pages workflow's and the launch cell's tests, run in the copy."""
    copy = copy_of_the_repository(tmp_path)
    done = run_links(copy, "--repository", "jane/heatex", "--branch", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                            "tests/delivery/test_links.py", "tests/delivery/test_pages.py", "tests/delivery/test_launch_cell.py"],
                           cwd=copy, capture_output=True, text=True, timeout=600, env=dict(os.environ, **{NESTED: "1"}))
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and " failed" not in tests.stdout
