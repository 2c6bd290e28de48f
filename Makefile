# Two entry points, both self-contained on a fresh machine:
#   make run   - set up, ingest the bundled sample pledge, serve the chat UI and API
#   make test  - set up (with test extras and a headless browser) and run the test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test setup setup-dev browser lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,st]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

# System packages the tests need: Debian's Chromium for the browser test (Playwright's own
# browser download is not used), a CJK font so the Chinese sample renders in screenshots and
# PDF fixtures, and DejaVu for the Latin, Cyrillic and Arabic PDF fixtures.
SYSTEM_TEST_PACKAGES = chromium fonts-wqy-microhei fonts-dejavu-core
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . \
	   && fc-list | grep -qi dejavusans; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    apt-get install -y -qq $(SYSTEM_TEST_PACKAGES) >/dev/null; \
	  else echo "tests need: sudo apt-get install $(SYSTEM_TEST_PACKAGES)" >&2; exit 1; fi; }

run: setup
	$(BIN)/pledges serve --host $(HOST) --port $(PORT)

test: setup-dev browser
	$(BIN)/python -m pytest -q

# ruff: style, imports and docstrings (Google convention); mypy: strict on the shared records
# and the store (the files are listed under [tool.mypy] in pyproject.toml).
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pledges .pytest_cache .ruff_cache
