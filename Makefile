# The RIS-ISAC companion book. See README.md.
#   make book    venv + execute every chapter (book profile) + render HTML
#   make html    render HTML from the committed outputs (seconds)
#   make test    unit tests, pairing, strict nbval, smoke runs, -W book build + HTML check
#   make run CHAPTER=<name> ARGS='-p N 128 -p seed 3' [HTML=1]
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
export RISISAC_PROGRESS ?= 0
export PYTHONHASHSEED := 0
# Single-threaded BLAS: the matrices are small (multi-threading only slows them, badly so on a
# loaded machine) and a fixed thread count keeps re-executions digit-for-digit identical.
export OPENBLAS_NUM_THREADS := 1

# Chapters in book order (each has notebooks/<name>.md + .ipynb).
CHAPTERS := $(shell $(PYTHON) tools/chapters.py 2>/dev/null)
CHAPTER ?=
ARGS ?=
HTML ?=
TMP := $(CURDIR)/_build/tmp
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=1500 -p no:randomly -p no:cacheprovider

.PHONY: help venv book html execute execute-all test unit nbval smoke smoke-all build-check run clean

help:
	@sed -n '2,6p' Makefile

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

## Execute one chapter in place (md is the source of truth) and strip run metadata.
execute: venv
	@test -n "$(CHAPTER)" || { echo "usage: make execute CHAPTER=<name>"; exit 2; }
	@mkdir -p $(TMP)
	jupytext --to ipynb --update notebooks/$(CHAPTER).md
	cd notebooks && RISISAC_RESULTS_DIR=$(CURDIR)/results papermill --no-progress-bar $(CHAPTER).ipynb $(TMP)/$(CHAPTER).ipynb
	python tools/clean_nb.py $(TMP)/$(CHAPTER).ipynb notebooks/$(CHAPTER).ipynb
	@echo "executed notebooks/$(CHAPTER).ipynb"

execute-all: venv
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory execute CHAPTER=$$c; done

book: venv execute-all html

html: venv
	python tools/gather.py
	python tools/local_mathjax.py
	jupyter-book build . --all -q
	@echo "Book: $(CURDIR)/_build/html/index.html"

## Tests -------------------------------------------------------------------
test: venv unit nbval smoke-all build-check
	@echo "make test: all checks passed"

unit: venv
	python -m pytest tests -q

# strict nbval over one chapter (CHAPTER=x) or all of them
nbval: venv
	@mkdir -p $(TMP)/nbval-results
	RISISAC_RESULTS_DIR=$(TMP)/nbval-results python -m pytest $(NBVAL_FLAGS) -q \
	  $(if $(CHAPTER),notebooks/$(CHAPTER).ipynb,$(foreach c,$(CHAPTERS),notebooks/$(c).ipynb))

smoke: venv
	@test -n "$(CHAPTER)" || { echo "usage: make smoke CHAPTER=<name>"; exit 2; }
	@mkdir -p $(TMP)/smoke
	cd notebooks && RISISAC_RESULTS_DIR=$(TMP)/smoke/results \
	  papermill --no-progress-bar $(CHAPTER).ipynb $(TMP)/smoke/$(CHAPTER).ipynb -p profile smoke
	@echo "smoke: $(CHAPTER) ok"

smoke-all: venv
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory smoke CHAPTER=$$c; done

build-check: venv
	python tools/gather.py --check
	python tools/local_mathjax.py
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	jupyter-book build . -W -n --keep-going --all -q
	python tools/check_html.py

## Re-run one chapter with new parameters, never touching the committed pair.
run: venv
	@test -n "$(CHAPTER)" || { echo "usage: make run CHAPTER=<name> ARGS='-p N 128'"; exit 2; }
	@test -f notebooks/$(CHAPTER).ipynb || { echo "unknown chapter '$(CHAPTER)'; chapters: $(CHAPTERS)"; exit 2; }
	@d=runs/$(CHAPTER)-$$(date +%Y%m%d-%H%M%S); mkdir -p $$d/results; \
	  echo "run folder: $$d"; \
	  (cd notebooks && RISISAC_PROGRESS=1 RISISAC_RESULTS_DIR=$(CURDIR)/$$d/results \
	    papermill --no-progress-bar $(CHAPTER).ipynb $(CURDIR)/$$d/$(CHAPTER).ipynb $(ARGS)); \
	  if [ -n "$(HTML)" ]; then python tools/render_run.py $$d; fi; \
	  echo "done: $$d/$(CHAPTER).ipynb, $$d/results/$(CHAPTER).json"

clean:
	rm -rf _build
