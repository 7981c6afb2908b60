# Two commands for a fresh machine (see README.md):
#   make lab    set everything up, then open JupyterLab on notebooks/
#   make test   set everything up, then run every test, notebooks included
# Setting up makes a virtual environment in .venv once; later runs reuse it
# and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.heatex-installed
# Builders and checkers are extras of their own (pyproject.toml), installed on top of the
# environment only by the targets that need them: `make lab` never installs them. One stamp per
# extra (a rebuilt .venv loses them with it).
EXTRA := $(VENV)/.heatex-extra-
# JupyterLab refuses to run as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888

.PHONY: setup lab test test-library benchmark venv rebuild-venv launch-cell site lite pages

setup: venv

# Two setups started at once (two terminals, two kernels' make) take turns: the
# second waits on the lock beside .venv, then finds the environment made.
# flock is util-linux's (Debian has it); where it is missing there is no lock.
LOCK := $(abspath $(VENV)).lock
LOCKED := $(if $(shell command -v flock 2>/dev/null),flock $(LOCK))
venv:
	@$(LOCKED) sh -c '$(MAKE) --no-print-directory -q $(STAMP) || $(MAKE) --no-print-directory $(STAMP)'

# A half-built .venv (a setup interrupted, a package removed by hand) is rebuilt,
# not used: it counts as made only when its stamp is there, its python finds
# every module the tests and the lab need, numpy and heatex import, and heatex
# is this checkout's (a .venv copied from another checkout imports that one's code):
# scripts/check_venv.py.
NEEDED := heatex_core heatex_viz numpy matplotlib tqdm ipywidgets nbval pytest hypothesis jupyterlab notebook
VENV_BROKEN := $(if $(wildcard $(VENV)),$(shell \
	if [ ! -f $(STAMP) ]; then echo "its setup did not finish"; \
	elif [ ! -x $(BIN)/jupyter ]; then echo "$(BIN)/jupyter is missing"; \
	else $(BIN)/python scripts/check_venv.py $(CURDIR) $(NEEDED) 2>/dev/null || echo "its python does not run"; fi))
$(STAMP): $(if $(VENV_BROKEN),rebuild-venv)

rebuild-venv:
	@echo "$(VENV) is incomplete ($(VENV_BROKEN)): rebuilding it"
	rm -rf $(VENV)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(EXTRA)%: pyproject.toml | venv
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

lab: venv
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) --no-browser $(ROOT_FLAG)

# The reading site, from the notebooks' saved outputs (Jupyter Book 1): _build/site/index.html.
# Needs npm once: the site serves MathJax itself, fetched from npm into _build/cache.
site: $(EXTRA)site
	$(BIN)/python scripts/build_site.py

# JupyterLite: the notebooks and Python in the browser, heatex as a wheel, a Pyodide runtime from
# npm (needs npm); numpy and matplotlib come from Pyodide's package host at run time. Serve it:
# .venv/bin/python -m http.server -d _build/lite   (it cannot run from file://)
lite: $(EXTRA)lite
	$(BIN)/python scripts/build_lite.py

# Both, as GitHub Pages serves them (.github/workflows/pages.yml): the reading site at /,
# JupyterLite at /lite/ (scripts/links.py makes the links to both).
pages: site lite
	rm -rf _build/pages
	cp -r _build/site _build/pages
	cp -r _build/lite _build/pages/lite
	touch _build/pages/.nojekyll

# make test builds the two sites its browser tests open. binder-check: repo2docker, for the dry
# run of the Binder build in tests/delivery/test_binder.py.
test: venv $(EXTRA)binder-check site lite
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; \
	exit $$status

# The library's quick loop: tests/library alone, no browser, no site, no notebooks (about two minutes).
# tests/course checks the notebooks and their exercises; tests/delivery every way of opening them.
test-library: venv
	@$(BIN)/python -m pytest tests/library $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; \
	exit $$status

benchmark: venv
	$(BIN)/python benchmarks/run.py

# The launch cell and badge row at the top of every notebook (scripts/launch_cell.py): insert or
# refresh them (after counting the class times they state), re-run in place the notebooks they were
# inserted into, write the student copies.
launch-cell: venv
	$(BIN)/python scripts/course_times.py
	$(BIN)/python scripts/launch_cell.py --execute
	$(BIN)/python scripts/make_student_notebooks.py
