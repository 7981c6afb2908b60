"""Every notebook is saved clean: run top to bottom, by a python3 kernel, with no stale widget
state, no cell that shells out, and nothing written outside the repo or a temporary folder.

nbval (in strict mode) checks that the saved outputs are what the cells print; this file checks
how the notebooks were saved. notebooks/student (generated hand-outs) and checkpoints are skipped.
"""
import ast
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SKIPPED_FOLDERS = {".ipynb_checkpoints", "student"}
MAX_BYTES = 2_000_000     # outputs are committed; a notebook past this carries something it should not

# A cell shells out when a line starts with ! or a shell magic, or the code calls a shell.
SHELL_LINE = re.compile(r"^\s*!|=\s*!|%%?(system|sx|bash|sh|script|perl|ruby)\b")
SHELL_CALLS = {
    ("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnv"),
    ("subprocess", "run"), ("subprocess", "call"), ("subprocess", "check_call"),
    ("subprocess", "check_output"), ("subprocess", "Popen"), ("subprocess", "getoutput"),
}
# Calls that write a file: the path must stay inside the repo (relative, no '..') or a temp dir.
WRITING_CALLS = {"savefig", "save", "savez", "savez_compressed", "to_csv", "write_text", "write_bytes",
                 "export_gif", "export_mp4", "imsave", "mkdir", "touch", "copy", "copyfile", "move",
                 "rmtree", "unlink", "remove", "rename", "replace", "chdir"}


def notebook_paths():
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb")
                  if not SKIPPED_FOLDERS & set(p.relative_to(NOTEBOOKS).parts[:-1]))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def python_of(text):
    """The cell as Python: IPython magics and shell lines made into ``pass`` (they are checked apart),
    so that a block holding only a magic stays a block."""
    return "\n".join(re.match(r"^\s*", line).group() + "pass" if re.match(r"^\s*[!%]", line) or SHELL_LINE.search(line)
                     else line for line in text.splitlines())


# --- the checks, each returning a list of problems (empty: clean) ----------------------------

def execution_problems(nb):
    counts = [c.get("execution_count") for c in code_cells(nb)]
    expected = list(range(1, len(counts) + 1))
    if counts != expected:
        return [f"execution counts are {counts}, expected {expected}: restart the kernel, run all, save"]
    return []


def kernel_problems(nb):
    name = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return [] if name == "python3" else [f"kernelspec is {name!r}, expected 'python3'"]


def widget_state_problems(nb):
    problems = []
    if "widgets" in nb.get("metadata", {}):
        problems.append("metadata.widgets holds saved widget state: strip it after saving")
    for i, cell in enumerate(nb["cells"]):
        if "widgets" in cell.get("metadata", {}):
            problems.append(f"cell {i}: metadata.widgets holds saved widget state")
        for output in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-state+json" in output.get("data", {}):
                problems.append(f"cell {i}: an output carries widget state")
    return problems


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return tuple(reversed(parts))


def shell_problems(nb):
    problems = []
    for i, cell in enumerate(code_cells(nb)):
        text = source(cell)
        for line in text.splitlines():
            if SHELL_LINE.search(line):
                problems.append(f"code cell {i + 1} shells out: {line.strip()!r}")
        try:
            tree = ast.parse(python_of(text))
        except SyntaxError as error:
            problems.append(f"code cell {i + 1} is not Python: {error}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) or isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if "subprocess" in names or "pty" in names:
                    problems.append(f"code cell {i + 1} imports a way to shell out ({', '.join(filter(None, names))})")
            if isinstance(node, ast.Call):
                name = _dotted(node.func)
                if name[-2:] in SHELL_CALLS or name[-1:] == ("system",) or name[-1:] == ("getoutput",):
                    problems.append(f"code cell {i + 1} calls {'.'.join(name)}")
    return problems


def _escapes(path_text):
    """True for a path that is absolute, in a home folder, or climbs above where it starts."""
    text = path_text.strip()
    return (text.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text) is not None
            or ".." in re.split(r"[\\/]", text))


def write_problems(nb):
    problems = []
    for i, cell in enumerate(code_cells(nb)):
        try:
            tree = ast.parse(python_of(source(cell)))
        except SyntaxError:
            continue      # reported by shell_problems
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            if not name:
                continue
            # the path can be an argument, or the object the method is called on: Path('/x').mkdir()
            receiver = [node.func.value] if isinstance(node.func, ast.Attribute) else []
            arguments = list(node.args) + [k.value for k in node.keywords] + receiver
            strings = [a.value for arg in arguments for a in ast.walk(arg)
                       if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name[-1] == "open":
                modes = [s for s in strings if re.fullmatch(r"[rwxabt+]+", s)]
                writing = any(set(m) & set("wxa+") for m in modes)
                if writing and any(_escapes(s) for s in strings if s not in modes):
                    problems.append(f"code cell {i + 1} opens a file outside the repo for writing: {strings}")
            elif name[-1] in WRITING_CALLS:
                if any(_escapes(s) for s in strings):
                    problems.append(f"code cell {i + 1} writes outside the repo: {'.'.join(name)}{tuple(strings)}")
        if re.search(r"\bos\.chdir\b|%cd\b", source(cell)):
            problems.append(f"code cell {i + 1} changes directory: relative paths would then leave the repo")
    return problems


def marker_problems(nb):
    """nbval honours a marker only on a comment line of its own: '# NBVAL_IGNORE_OUTPUT'."""
    problems = []
    for i, cell in enumerate(code_cells(nb)):
        for line in source(cell).splitlines():
            if "NBVAL_" in line and not re.fullmatch(r"\s*#\s*NBVAL_[A-Z_]+\s*", line):
                problems.append(f"code cell {i + 1}: nbval ignores the marker in {line.strip()!r}; "
                                "put it alone on its line and the reason on the next")
    return problems


CHECKS = [execution_problems, kernel_problems, widget_state_problems, shell_problems, write_problems,
          marker_problems]


# --- the tests ---------------------------------------------------------------------------------

def test_there_are_notebooks():
    names = [p.name for p in notebook_paths()]
    for expected in ("01_building_pipes.ipynb", "02_heat_exchange_training.ipynb",
                     "03_scrubbing_snapshots.ipynb"):
        assert expected in names


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_notebook_is_saved_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = [problem for check in CHECKS for problem in check(nb)]
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(f"the file is {size / 1e6:.1f} MB (limit {MAX_BYTES / 1e6:.0f} MB): "
                        "embed fewer or smaller frames and figures")
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


# The checks must be able to fail: each catches what it is for.

def notebook(*sources, counts=None, metadata=None):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [],
              "execution_count": (counts[i] if counts else i + 1)} for i, s in enumerate(sources)]
    return {"cells": cells, "metadata": metadata or {"kernelspec": {"name": "python3"}}}


def test_checks_pass_a_clean_notebook():
    nb = notebook("import heatex_viz as hv\nhv.export_gif(run, hv.EXPORTS / 'a.gif')",
                  "fig.savefig('exports/figure.png')\nwith open('exports/x.txt', 'w') as f:\n    f.write('1')",
                  "%matplotlib inline\nwith open('/etc/hostname') as f:\n    print(f.read())")
    assert [p for check in CHECKS for p in check(nb)] == []


@pytest.mark.parametrize("counts", [[1, 3], [2, 1], [None, 1], [1, None]])
def test_out_of_order_execution_is_caught(counts):
    assert execution_problems(notebook("1", "2", counts=counts))


def test_a_marker_nbval_would_not_see_is_caught():
    assert marker_problems(notebook("# NBVAL_IGNORE_OUTPUT: random ids\nHTML(x)"))
    assert marker_problems(notebook("x = 1  # NBVAL_IGNORE_OUTPUT"))
    assert not marker_problems(notebook("# NBVAL_IGNORE_OUTPUT\n# (why: random ids)\nHTML(x)"))


def test_wrong_kernel_and_widget_state_are_caught():
    assert kernel_problems(notebook("1", metadata={"kernelspec": {"name": "heatex-venv"}}))
    assert widget_state_problems(notebook("1", metadata={"kernelspec": {"name": "python3"},
                                                         "widgets": {"state": {}}}))


@pytest.mark.parametrize("code", [
    "!ls", "  !rm -rf plots", "%system ls", "%%bash\nls", "%%sh\nls", "files = %sx ls",
    "import subprocess\nsubprocess.run(['ls'])", "import os\nos.system('ls')", "from subprocess import run",
    "os.popen('ls')",
])
def test_shelling_out_is_caught(code):
    assert shell_problems(notebook(code))


@pytest.mark.parametrize("code", [
    "open('/tmp/x', 'w')", "open('../x.txt', mode='a')", "fig.savefig('/home/me/fig.png')",
    "plt.savefig('../plots/0.png')", "run.save('~/run.npz')", "np.savez('../../x.npz', a=1)",
    "hv.export_gif(run, '/var/www/x.gif')", "pathlib.Path('/etc').mkdir()", "os.chdir('..')",
])
def test_writing_outside_the_repo_is_caught(code):
    assert write_problems(notebook(code))
