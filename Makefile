# Two commands for a new user: `make demo` (review a week of the fixture) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench goldens screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	REVIEWER_OFFLINE=1 $(BIN)/reviewer week 2020-02-24 --journal fixtures/journal.md

lint: $(STAMP)
	$(BIN)/ruff check reviewer tests bench
	$(BIN)/ruff format --check reviewer tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

goldens: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-goldens

bench: $(STAMP)
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

# docs/*.png: the W09 email at 900 px (budget: 1,800 px tall) and the static site's index and
# a week page at 1200 and 390 px, with their heights. Needs chromium and a CJK font
# (Debian: apt-get install chromium fonts-noto-cjk); not part of `make test`.
screenshots: $(STAMP)
	$(BIN)/python bench/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
