"""Make the student version of each exercise notebook from its master.

    python scripts/make_student_notebooks.py           # write notebooks/student/<name>.ipynb
    python scripts/make_student_notebooks.py --check   # exit 1 if a student notebook is missing or stale

The master (for example ``notebooks/07_exercises.ipynb``) holds the solutions and is run by
nbval. Its cells carry tags that say what the student gets instead:

- ``solution`` on a code cell: the cell may hold only function definitions (and comments);
  a cell that starts with ``# Your prediction`` gets its stub but no solution (the measurement
  reveals the answer once the student has committed to a prediction);
  each keeps its signature and docstring, and its body becomes ``raise NotImplementedError``.
  Calling the stub raises; defining it does not, so Run All goes through the whole notebook
  and each check cell reports "not attempted yet". The master's code follows in a collapsed
  "Click for a solution" cell, for students who work alone.
- ``solution`` on a markdown cell: replaced by a blank answer for the student to write, with
  the master's answer collapsed below it.
- ``teacher-only``: dropped.

The launch cell (scripts/launch_cell.py) is carried over as it is; the badge row under it is
made again so that its links open the student copy. Every output and execution count is
cleared. The student version is never edited by hand: edit the master and run this script
again (tests/course/test_exercises.py checks they agree).
"""

import argparse
import ast
import copy
import pathlib
import re
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import launch_cell  # noqa: E402  (the launch cell and badge row every notebook starts with)

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUDENT_DIR = ROOT / "notebooks" / "student"
SOLUTION, TEACHER_ONLY = "solution", "teacher-only"
BLANK_ANSWER = "**Your answer.** *Double-click here and write it.*"
SOLUTION_SUFFIX = "-solution"
PREDICTION_MARK = "# Your prediction"     # a solution cell that starts so holds a prediction

NOTEBOOKS = ROOT / "notebooks"


def masters():
    """Every master notebook with exercises (a cell tagged ``solution``): each gets a student copy."""
    return [path for path in sorted(NOTEBOOKS.glob("*.ipynb"))
            if any(SOLUTION in c.metadata.get("tags", []) for c in nbformat.read(path, as_version=4).cells)]


def collapsed(summary, body):
    """A markdown cell's text that shows ``summary`` and opens to ``body`` on a click."""
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"

NOTE_ID = "student-note"


class SolutionCellError(ValueError):
    """A cell tagged ``solution`` cannot be turned into a stub."""


# A relative link in a Markdown cell (not a URL, an anchor or an absolute path).
RELATIVE_LINK = re.compile(r"(?P<lead>\]\(|href=\")(?P<target>(?![a-z][a-z0-9+.-]*:|#|/)[^)\s\"]+)")


def student_links(source):
    """The master's Markdown with each relative link that leaves notebooks/ made to work one folder
    deeper (a link to a sibling notebook keeps opening the student copy beside it)."""
    def deeper(match):
        target = match["target"]
        path = target.split("#")[0]
        if path and not (STUDENT_DIR / path).exists() and (NOTEBOOKS / path).exists():
            target = "../" + target
        return match["lead"] + target
    return RELATIVE_LINK.sub(deeper, source)


def student_path(master):
    return STUDENT_DIR / pathlib.Path(master).name


def stub_source(source, where="a solution cell"):
    """The source of a solution code cell with every function body replaced by a stub.

    Keeps everything up to the end of each function's docstring (or signature), so
    the student sees the name, the arguments and what to return, but no answer.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise SolutionCellError(f"{where} is not valid Python ({e}); fix the master") from e
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    others = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    if others or not functions:
        raise SolutionCellError(
            f"{where} must hold only function definitions (line {others[0].lineno if others else 1}); "
            "move other code to an untagged cell, or the student version would leak or lose it")
    lines = source.splitlines()
    starts = [f.decorator_list[0].lineno if f.decorator_list else f.lineno for f in functions]
    out = lines[:starts[0] - 1]    # comments above the first function, such as "# Your answer"
    for n, (f, start) in enumerate(zip(functions, starts)):
        first = f.body[0]
        has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str)
        keep_to = first.end_lineno if has_docstring else first.lineno - 1
        if keep_to < start or (not has_docstring and first.lineno == f.lineno):
            raise SolutionCellError(f"{where}: put the body of {f.name}() on its own lines, below the def")
        if n:
            out += ["", ""]
        out += lines[start - 1:keep_to]
        indent = " " * first.col_offset
        then = "the measurement below" if source.lstrip().startswith(PREDICTION_MARK) else "the check below"
        out.append(f'{indent}raise NotImplementedError("write {f.name}, run this cell, then run {then}")')
    return "\n".join(out)


def student_notebook(master):
    """The student version of the notebook at ``master``, as a NotebookNode."""
    nb = nbformat.read(master, as_version=4)
    student = copy.deepcopy(nb)
    student.metadata.pop("widgets", None)
    cells = []
    for number, cell in enumerate(nb.cells, start=1):
        tags = set(cell.metadata.get("tags", []))
        if TEACHER_ONLY in tags:
            continue
        cell = copy.deepcopy(cell)
        # tags say what a cell is; "jupyter" keeps a hidden source hidden (the launch cell, the checks)
        cell.metadata = {key: cell.metadata[key] for key in ("jupyter", "tags") if key in cell.metadata}
        solution = None
        if cell.get("id") == launch_cell.BADGES_ID:       # the student's badges and way open the student copy
            cell.source = launch_cell.badge_cell(student_path(master).relative_to(ROOT), nb).source
        if cell.get("id") == launch_cell.FOOTER_ID:
            cell.source = launch_cell.footer_cell(student_path(master).relative_to(ROOT)).source
        if cell.cell_type == "code":
            if SOLUTION in tags:
                # A prediction has no solution to show: the master's is the measured answer, which the
                # measurement below reveals once the student has committed to one.
                if not cell.source.lstrip().startswith(PREDICTION_MARK):
                    solution = collapsed("Click for a solution (try first!)", f"```python\n{cell.source}\n```")
                cell.source = stub_source(cell.source, f"cell {number} of {pathlib.Path(master).name}")
            cell.outputs = []
            cell.execution_count = None
        elif SOLUTION in tags:
            solution = collapsed("Click for our answer (write yours first!)", student_links(cell.source))
            cell.source = BLANK_ANSWER
        elif cell.get("id") not in (launch_cell.BADGES_ID, launch_cell.FOOTER_ID):
            cell.source = student_links(cell.source)
        cells.append(cell)
        if solution is not None:
            shown = nbformat.v4.new_markdown_cell(solution)
            shown.id = f"{cell.id}{SOLUTION_SUFFIX}"
            cells.append(shown)
    if not any(SOLUTION in c.metadata.get("tags", []) for c in nb.cells):
        raise SolutionCellError(f"{master} has no cell tagged '{SOLUTION}': is it an exercise master?")
    note = nbformat.v4.new_markdown_cell(
        "> **Your copy.** Fill in each cell marked *Your answer*, run it, then run the check below it; "
        "write each prediction before you run its measurement. Hints and solutions open with a click: "
        "try first.")
    note.id = NOTE_ID
    # Under the title: the first markdown cell that is not the launch cell's badge row.
    title = next((i for i, c in enumerate(cells)
                  if c.cell_type == "markdown" and c.get("id") != launch_cell.BADGES_ID), None)
    cells.insert(0 if title is None else title + 1, note)
    student.cells = cells
    nbformat.validate(student)
    return student


def student_text(master):
    """The exact text the student file should hold."""
    text = nbformat.writes(student_notebook(master))
    return text if text.endswith("\n") else text + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a student notebook is missing or differs")
    args = parser.parse_args(argv)
    stale = []
    for master in masters():
        target = student_path(master)
        text = student_text(master)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        for target in stale:
            print(f"{target.relative_to(ROOT)} is missing or out of date: run python scripts/make_student_notebooks.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
