"""Count a module's lines of code: docstrings, comments and blank lines are not counted.

    python scripts/code_lines.py                      # heatex_core.py, the number the README states
    python scripts/code_lines.py heatex_*.py          # each module given

A line counts when a token of code is on it (a statement that runs over three lines counts three);
a docstring is the string that opens a module, class or function. tests/course/test_readme.py checks that
the README states heatex_core.py's count.
"""

import ast
import io
import pathlib
import sys
import tokenize

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}


def docstring_lines(source):
    """The line numbers of every docstring in source."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(source):
    """How many lines of source hold code, docstrings not counted."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstring_lines(source))


def main(argv=None):
    paths = [pathlib.Path(p) for p in (sys.argv[1:] if argv is None else argv)] or [ROOT / "heatex_core.py"]
    for path in paths:
        source = path.read_text(encoding="utf-8")
        print(f"{path.name:22s} {code_lines(source):5d} lines of code   ({len(source.splitlines())} lines in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
