# Two commands for a new user: `make demo` (review a week of the fixture) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench goldens clean eval-llm

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

# The recorded LLM answers (tests/recorded/) through the real openai client: kept / dropped /
# repaired claims and placeholder errors per answer. The lead adds it to `make eval`.
eval-llm: $(STAMP)
	$(BIN)/python -m tests.recorded.eval

goldens: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-goldens

bench: $(STAMP)
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
