# Deep Learning, Hands On: every task is a make target. Run `make help` for the list.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NB     ?= notebooks
# matplotlib's font cache lives with the environment: a cache written by another
# environment (a deleted clone, another matplotlib) lacks this one's bundled math fonts
export MPLCONFIGDIR ?= $(abspath $(VENV))/matplotlib
# two workers: one notebook kernel per CPU core on the reference 2-core machine
WORKERS ?= 2

.PHONY: help setup start fresh-copy test test-unit test-notebooks test-classroom test-colab bench stamp book execute exercises nbgrader grade clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

setup: $(VENV)/.installed  ## create .venv and install everything (helper package included)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

start: setup  ## set up, copy the exercise versions to workspace/ (never overwriting yours), open JupyterLab
	$(BIN)/python scripts/workspace.py
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) .

fresh-copy: setup  ## a fresh exercise copy of one notebook in workspace/ (NB=02_neuron); yours is kept as .mine
	$(BIN)/python scripts/workspace.py --fresh $(NB)

test: setup  ## the whole suite: strict book build, unit tests (on that build), every notebook and learner version run
	$(MAKE) --no-print-directory book
	COURSE_BOOK_HTML=_build/html $(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-notebooks test-classroom

test-unit: setup  ## helper-package unit tests and notebook conventions (no execution), with coverage
	$(BIN)/python -m pytest tests --ignore=tests/classroom --cov=utils --cov-report=term --cov-fail-under=85

test-classroom: setup  ## every learner version runs top to bottom, on two workers
	$(BIN)/python -m pytest tests/classroom -n $(WORKERS) -q

book: setup  ## build the book strictly (zero warnings) from the stored outputs into _build/html
	$(BIN)/python scripts/fetch_mathjax.py
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

test-notebooks: setup  ## execute notebooks under nbval in parallel (NB=path for one); report in reports/
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 \
		-n $(WORKERS) --dist loadfile $(NB)

test-colab: setup  ## every notebook on Colab's own package versions, installed as its set-up cell does (NB=path for one)
	$(BIN)/python scripts/test_colab.py $(if $(filter notebooks,$(NB)),,$(NB))
	$(BIN)/python scripts/test_widgets_colab.py

bench: setup  ## the benchmark: every notebook's seconds held to its budget, and explorer redraw times
	COURSE_BUDGET_FACTOR=1 $(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 \
		-n $(WORKERS) --dist loadfile -q $(NB)
	$(BIN)/python scripts/bench_explorers.py

stamp: setup  ## write the repository URL and version (_config.yml, utils/__init__.py) into every notebook
	$(BIN)/python scripts/stamp_notebooks.py

execute: setup  ## re-run notebooks in place and store their outputs (NB=path for one)
	$(BIN)/python scripts/execute_notebooks.py $(if $(filter notebooks,$(NB)),,$(NB))

exercises: setup  ## write learner versions (solutions removed) to _build/exercises/
	$(BIN)/python scripts/make_exercise_version.py

nbgrader: setup  ## write an nbgrader course folder to _build/nbgrader/ (points, locked cells, hidden tests)
	$(BIN)/python scripts/nbgrader_course.py

grade: setup  ## grade collected notebooks: make grade SUBMISSIONS=folder/ (gradebook and feedback in _build/grades/)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder/"; exit 2; }
	$(BIN)/python scripts/grade.py $(SUBMISSIONS) --workers $(WORKERS)

clean:  ## remove build output and reports (keeps .venv)
	rm -rf _build reports
