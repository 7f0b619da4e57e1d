# Two commands do everything on a fresh machine: `make tutor` and `make test`.
# Each sets up what is missing (a virtual environment in .venv, the pinned torch
# first, then the project, then the model weights) and is a quick check the second time.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# The CPU build of torch 2.13.0; override for a GPU build, e.g.
#   make tutor TORCH_SPEC=torch==2.13.0 TORCH_INDEX=--index-url=https://download.pytorch.org/whl/cu128
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
STAMP  := $(VENV)/.installed

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: tutor test test-fast lint models chromium bench train clean catalogs

tutor: models
	$(BIN)/tutor

test: models chromium
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q

test-fast: $(STAMP) chromium
	$(BIN)/pytest -q -m "not real"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports


$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

# `tutor models fetch` only downloads what is missing, so this is cheap to repeat.
models: $(STAMP)
	$(BIN)/tutor models fetch --quiet

# The browser tests drive `tutor serve` in the distribution's Chromium (with Playwright's
# Python package, installed by the test extras); install it where it is missing.
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

bench: models
	$(BIN)/python bench/run_bench.py

train: $(STAMP)
	$(BIN)/python -m train.dates

clean:
	rm -rf $(VENV)

# The app's own words: extract them with Babel, merge them into each language's .po
# (translate the new msgstr lines there), and compile the .mo files gettext reads.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --omit-header \
		--sort-output -o tutor/locale/tutor.pot tutor
	$(BIN)/pybabel update -i tutor/locale/tutor.pot -d tutor/locale -D tutor --no-fuzzy-matching
	$(BIN)/pybabel compile -d tutor/locale -D tutor
