# The RIS-ISAC companion book. See README.md.
#   make book    venv + execute every chapter (book profile) + render HTML
#   make html    render HTML from the committed outputs (seconds)
#   make test    unit tests, strict nbval (round-off perturbation on), smoke runs, examples, -W build + HTML check
#   make run CHAPTER=<name> ARGS='-p N 128 -p seed 3' [HTML=1]
#   make train CHAPTER=<name> PROFILE=<p> | make artefacts | make browser-check | make mutate [MODULE=..]
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# The environment: .venv (built by `make venv`), unless .venv is absent and the current Python
# already has every pin of requirements.txt (Binder, a conda env from environment.yml): then the
# current environment is used as it is (tools/envcheck.py decides).
USE_CURRENT_ENV := $(shell test -x $(VENV)/bin/python || { $(PYTHON) tools/envcheck.py >/dev/null 2>&1 && echo 1; })
ifeq ($(USE_CURRENT_ENV),1)
BIN := $(patsubst %/,%,$(dir $(shell command -v $(PYTHON))))
VENV_DEP :=
else
BIN := $(CURDIR)/$(VENV)/bin
VENV_DEP := $(STAMP)
endif
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
PROFILE ?= book
# PERTURB=1: the round-off perturbation (risisac.book.rng / torchutil) and MKL's compatible code
# path, so that an output depending on round-off fails here as it would on a reader's machine.
PERTURB ?=
PERTURB_ENV := $(if $(filter 1,$(PERTURB)),RISISAC_PERTURB=1 MKL_CBWR=COMPATIBLE,RISISAC_PERTURB=0)
TMP := $(CURDIR)/_build/tmp
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-cell-timeout=1500 -p no:randomly -p no:cacheprovider

.PHONY: help venv book html execute execute-all test unit nbval smoke smoke-all examples build-check \
        run train artefacts workflow-check browser-check mutate clean

help:
	@sed -n '2,7p' Makefile

# TORCH_INDEX=https://download.pytorch.org/whl/cpu installs PyTorch's CPU-only wheel first
# (on Linux a plain `pip install torch` pulls the multi-GB CUDA build).
TORCH_INDEX ?=
venv: $(VENV_DEP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install -q "$$(grep -E '^torch==' requirements.txt | cut -d' ' -f1)" --index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

## Execute one chapter in place (md is the source of truth), strip run metadata, and record the
## wall time of the book run and of a smoke run in results/execution/<chapter>.json
## (EXEC_SMOKE=0 skips the smoke run and keeps the smoke time recorded before).
EXEC_SMOKE ?= 1
execute: venv
	@test -n "$(CHAPTER)" || { echo "usage: make execute CHAPTER=<name>"; exit 2; }
	@mkdir -p $(TMP)/execute-smoke
	# a fresh conversion (not --update): cell tags edited in the .md reach the .ipynb; papermill
	# regenerates every output anyway
	jupytext --to ipynb notebooks/$(CHAPTER).md
	@t0=$$(date +%s.%N); \
	  (cd notebooks && RISISAC_RESULTS_DIR=$(CURDIR)/results papermill --no-progress-bar $(CHAPTER).ipynb $(TMP)/$(CHAPTER).ipynb); \
	  t1=$$(date +%s.%N); \
	  if [ "$(EXEC_SMOKE)" = 1 ]; then (cd notebooks && RISISAC_RESULTS_DIR=$(TMP)/execute-smoke papermill --no-progress-bar $(CHAPTER).ipynb $(TMP)/execute-smoke/$(CHAPTER).ipynb -p profile smoke); fi; \
	  t2=$$(date +%s.%N); \
	  python tools/clean_nb.py $(TMP)/$(CHAPTER).ipynb notebooks/$(CHAPTER).ipynb; \
	  python tools/exec_record.py $(CHAPTER) $$t0 $$t1 $$t2
	@echo "executed notebooks/$(CHAPTER).ipynb"

execute-all: venv
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory execute CHAPTER=$$c; done

book: venv execute-all html

# REPO_URL=https://github.com/<owner>/<repo> (or $$RISISAC_REPO_URL): the repository the launch
# buttons (Binder) and the repository button point to; default: repository.url in _config.yml.
REPO_URL ?= $(RISISAC_REPO_URL)
BOOK_CONFIG := $(if $(REPO_URL),--config $(CURDIR)/_build/_config.yml,)
html: venv
	python tools/gather.py
	python tools/local_mathjax.py
	$(if $(REPO_URL),python tools/repo_config.py $(REPO_URL) _build/_config.yml)
	jupyter-book build . --all -q $(BOOK_CONFIG)
	@echo "Book: $(CURDIR)/_build/html/index.html"

## Heavy jobs: the Snakemake workflow (workflow/Snakefile) makes what is missing or stale.
# make train CHAPTER=<name> PROFILE=<p> [OUT=dir] [FORCE=1] [CORES=2]: one chapter's profile (tools/train.py);
# make artefacts: every stored artefact (the default profile: snakemake --cores 2).
OUT ?=
FORCE ?=
CORES ?= 2
# (CHAPTER, PROFILE, OUT and CORES reach tools/train.py through the environment, never the shell's parser)
train: export TRAIN_CHAPTER = $(value CHAPTER)
train: export TRAIN_PROFILE = $(value PROFILE)
train: export TRAIN_OUT = $(value OUT)
train: export TRAIN_CORES = $(value CORES)
train: venv
	@test -n "$$TRAIN_CHAPTER" || { echo "usage: make train CHAPTER=<name> PROFILE=<p> (tools/train.py lists a chapter's profiles)"; exit 2; }
	python tools/train.py "$$TRAIN_CHAPTER" --profile "$$TRAIN_PROFILE" --cores "$$TRAIN_CORES" \
	  $${TRAIN_OUT:+--out "$$TRAIN_OUT"} $(if $(FORCE),--force)

artefacts: venv
	snakemake --cores $(CORES)

# make test: the whole workflow parses and builds its DAG (a dry run), and one smoke-sized target
# (a detection network of the smoke profile and its record) is really made, in a temporary folder
workflow-check: venv
	snakemake -n --quiet rules
	snakemake -n --quiet rules --profile workflow/profiles/slurm
	@rm -rf $(TMP)/workflow-smoke && mkdir -p $(TMP)/workflow-smoke
	RISISAC_ALLOW_DIRTY=1 python tools/train.py paperA_detection --profile smoke --out $(TMP)/workflow-smoke
	python -c "import json,sys; r=json.load(open('$(TMP)/workflow-smoke/models/paperA_detection/smoke_record.json')); \
	  p=r['networks'][0]['provenance']; assert p['commit'] and p['versions']['torch'], p; print('workflow smoke target ok:', p['cpu'])"

## Tests -------------------------------------------------------------------
# Strict nbval runs once, with the round-off perturbation on.
test: venv unit
	$(MAKE) --no-print-directory workflow-check
	$(MAKE) --no-print-directory nbval PERTURB=1
	$(MAKE) --no-print-directory smoke-all
	$(MAKE) --no-print-directory examples
	$(MAKE) --no-print-directory build-check
	@echo "make test: all checks passed"

unit: venv
	python -m pytest tests -q

# strict nbval over one chapter (CHAPTER=x) or all of them; PERTURB=1 perturbs at round-off level
nbval: venv
	@mkdir -p $(TMP)/nbval-results
	@for c in $(if $(CHAPTER),$(CHAPTER),$(CHAPTERS)); do \
	  echo "nbval $$c"; \
	  $(PERTURB_ENV) RISISAC_RESULTS_DIR=$(TMP)/nbval-results python -m pytest $(NBVAL_FLAGS) \
	    --nbval-sanitize-with tests/sanitize.cfg -q notebooks/$$c.ipynb || exit 1; \
	done

smoke: venv
	@test -n "$(CHAPTER)" || { echo "usage: make smoke CHAPTER=<name>"; exit 2; }
	@mkdir -p $(TMP)/smoke
	cd notebooks && RISISAC_RESULTS_DIR=$(TMP)/smoke/results \
	  papermill --no-progress-bar $(CHAPTER).ipynb $(TMP)/smoke/$(CHAPTER).ipynb -p profile smoke
	@echo "smoke: $(CHAPTER) ok"

smoke-all: venv
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory smoke CHAPTER=$$c; done

# every example command of README.md and book/intro.md, as written (smoke profile where given)
examples: venv
	python tools/examples.py --run

# The gathered pages (report, errata, front-page summary, bib list) are regenerated from the
# committed ledgers before the build, so the checked book is always the current one.
build-check: venv
	python tools/gather.py
	python tools/local_mathjax.py
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(if $(REPO_URL),python tools/repo_config.py $(REPO_URL) _build/_config.yml)
	jupyter-book build . -W -n --keep-going --all -q $(BOOK_CONFIG)
	python tools/check_html.py

## Re-run one chapter (its current .md source) with new parameters, never touching the committed pair.
# CHAPTER and ARGS reach the script through the environment, never through the shell's parser:
# tools/run_chapter.py checks CHAPTER against the chapter list and splits ARGS like a shell would.
run: export RUN_CHAPTER = $(value CHAPTER)
run: export RUN_ARGS = $(value ARGS)
run: venv
	@test -n "$$RUN_CHAPTER" || { echo "usage: make run CHAPTER=<name> ARGS='-p N 128'"; exit 2; }
	RISISAC_PROGRESS=1 python tools/run_chapter.py --from-env $(if $(HTML),--html)

## A real browser: every page in headless Chromium, screenshots in _build/screens/.
browser-check: venv
	python tools/browser_check.py

## Mutation testing of the algorithm modules (mutmut, installed on demand; not part of `make test`).
MODULE ?=
SAMPLE ?=
mutate: venv
	nice -n 15 python tools/mutate.py $(MODULE) $(if $(SAMPLE),--sample $(SAMPLE))

clean:
	rm -rf _build
