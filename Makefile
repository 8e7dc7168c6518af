# Deep Learning, Hands On: every task is a make target. Run `make help` for the list.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NB     ?= notebooks
# two workers: one notebook kernel per CPU core on the reference 2-core machine
WORKERS ?= 2

.PHONY: help setup start test test-unit test-notebooks test-colab bench stamp book execute exercises clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

setup: $(VENV)/.installed  ## create .venv and install everything (helper package included)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

start: setup  ## set up (first time) and open the course in JupyterLab
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: setup  ## the whole suite: unit tests + strict book build + every notebook executed
	$(MAKE) --no-print-directory test-unit book test-notebooks

test-unit: setup  ## helper-package unit tests and notebook conventions (no execution), with coverage
	$(BIN)/python -m pytest tests --cov=utils --cov-report=term --cov-fail-under=85

book: setup  ## build the book strictly (zero warnings) from the stored outputs into _build/html
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

test-notebooks: setup  ## execute notebooks under nbval in parallel (NB=path for one); report in reports/
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 \
		-n $(WORKERS) --dist loadfile $(NB)

test-colab: setup  ## every notebook on Colab's own package versions, installed as its set-up cell does (NB=path for one)
	$(BIN)/python scripts/test_colab.py $(if $(filter notebooks,$(NB)),,$(NB))

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

clean:  ## remove build output and reports (keeps .venv)
	rm -rf _build reports
