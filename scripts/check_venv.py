"""Is .venv this checkout's, and whole? Prints why not (nothing when it is); the Makefile rebuilds it then.

    .venv/bin/python scripts/check_venv.py REPO MODULE...

Run as a file, not with -c: the current folder is then not on the path, so heatex is imported the
way a kernel imports it, through the environment's own (editable) install. A .venv copied from
another checkout still imports that checkout's code: refused, as is a numpy that does not import
(a half-finished install, a wheel for another machine) and any module of MODULE... missing.
"""
import importlib
import importlib.util
import os
import sys


def problem(repo, modules):
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        return ", ".join(missing) + " missing"
    for name in ("numpy", "heatex_core"):
        try:
            module = importlib.import_module(name)
        except Exception as e:          # any failure to import is a broken environment
            return f"{name} does not import ({type(e).__name__}: {str(e)[:80]})"
    here = os.path.dirname(os.path.realpath(module.__file__))
    if here != os.path.realpath(repo):
        return f"it imports heatex from {here}, another checkout"
    return ""


if __name__ == "__main__":
    print(problem(sys.argv[1], sys.argv[2:]))
