# Casefile: `make run` starts the app, `make demo` opens a demo vault, `make test` runs every check.
# Each target creates .venv and installs what is missing (Debian packages for Qt included).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint bench bundle bundle-test clean

$(STAMP): pyproject.toml setup.py scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# PYTHONWARNINGS: setuptools' editable-install banner is advice for library authors, not an error
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/casefile

demo: $(STAMP)
	$(BIN)/casefile --demo

lint: $(STAMP)
	$(BIN)/ruff check app ui tests bench main.py setup.py
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# A PyInstaller one-folder build for Linux (dist/Casefile-*.tar.gz), and its smoke test.
bundle: $(STAMP)
	bash packaging/build-linux.sh

bundle-test: bundle
	bash packaging/smoke-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
