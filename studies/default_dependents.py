"""Which code leans on a rule's defaults: every place whose numbers move if RULE_DEFAULTS change.

Run from the repository root (about a second):

    .venv/bin/python studies/default_dependents.py | tee studies/default_dependents.txt

Issue 21 asks for new defaults for ``difference_exchange``, ``end_exchange`` and ``backprop``. A
default reaches a result wherever a network is made with a rule and a setting of that rule is not
passed. This script reads every code cell of ``notebooks/*.ipynb`` (and the students' copies), every
``.py`` file of ``studies/``, ``tests/``, ``benchmarks/``, ``scripts/`` and the library's own modules,
and the Python blocks of ``README.md`` and ``docs/*.md``, with Python's ``ast``, and lists every call
that makes networks or their settings -- ``HeatExchanger.build(...)``, ``HeatExchanger(...)``,
``grid.build(...)``, ``Grid(...)`` and ``dict(rule=..., ...)`` (settings spread into a build later) --
naming the rule (when it is written there) and the settings that matter to that rule but are left to
its default. ``**name`` in a call means more settings come from a dict defined elsewhere (listed on
its own line when it is a ``dict(rule=...)``): read those by hand. A rule given by a variable is
shown as ``?``.

Which settings matter to which rule (what the rule functions in heatex_core read):
    backprop: bias, init_scale, step;  schmidhuber: + pull_previous, pull_partner;
    end_exchange: + hidden_pull;  difference_exchange: + difference, inverse_step, inverse_noise;
    blog: init_scale, step (no bias: the blog has none).
"""

import ast
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
MATTERS = {
    "backprop": ["bias", "init_scale", "step"],
    "schmidhuber": ["bias", "init_scale", "step", "pull_previous", "pull_partner"],
    "end_exchange": ["bias", "init_scale", "step", "pull_previous", "pull_partner", "hidden_pull"],
    "difference_exchange": ["bias", "init_scale", "step", "pull_previous", "pull_partner", "hidden_pull",
                            "difference", "inverse_step", "inverse_noise"],
    "blog": ["init_scale", "step"],
}
WATCHED = {"difference_exchange", "end_exchange", "backprop"}


def sources():
    """(place, code) pairs: every code cell, every Python file, every python block of the docs."""
    for path in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                code = "".join(cell["source"])
                code = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
                yield f"{path.relative_to(ROOT)} cell {i}", code
    for folder in ("studies", "tests", "benchmarks", "scripts", "."):
        for path in sorted((ROOT / folder).glob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]:
        for j, block in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(), re.S)):
            yield f"{path.relative_to(ROOT)} python block {j}", block


def name_of(func):
    if isinstance(func, ast.Attribute):
        return f"{name_of(func.value)}.{func.attr}"
    if isinstance(func, ast.Name):
        return func.id
    return "?"


def calls(code):
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = name_of(node.func)
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        spread = [ast.unparse(k.value) for k in node.keywords if k.arg is None]
        makes = (name.endswith("HeatExchanger.build") or name.endswith("HeatExchanger") or name.endswith(".build")
                 or name.endswith("Grid") or (name == "dict" and "rule" in keywords))
        if not makes or name.endswith("Grid") and "rule" not in keywords:
            continue
        if name.endswith(".build") and not name.endswith("HeatExchanger.build") and "rule" not in keywords \
                and not spread:
            continue
        rule = keywords.get("rule")
        if rule is None:
            rule_text = "(no rule: blog's)" if not spread and not name == "dict" else "? (maybe in **)"
            rule_name = "blog" if not spread else None
        elif isinstance(rule, ast.Constant):
            rule_text = rule_name = rule.value
        else:
            rule_text, rule_name = f"? ({ast.unparse(rule)})", None
        passed = sorted(k for k in keywords if k != "rule")
        yield node.lineno, name, rule_text, rule_name, passed, spread


def main():
    print(__doc__.split("\n\n")[0])
    print("\nplace (line)  call  rule  | passed | left to the default (of the settings that rule reads) | **spread")
    for place, code in sources():
        for line, name, rule_text, rule_name, passed, spread in calls(code):
            if rule_name is not None and rule_name not in WATCHED:
                continue
            left = [s for s in MATTERS[rule_name] if s not in passed] if rule_name else None
            left_text = "? (the rule is not written here)" if left is None else (", ".join(left) or "-")
            print(f"{place} (line {line})  {name}  rule={rule_text}  | passed: {', '.join(passed) or '-'}"
                  f" | left: {left_text}" + (f" | **{', **'.join(spread)}" if spread else ""))


if __name__ == "__main__":
    main()
