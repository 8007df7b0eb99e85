# The two commands of the README. Each creates the virtual environment .venv on first use
# (torch 2.13.0 first: the CPU build; then the package with its dev extra) and re-installs only
# when pyproject.toml changes. The editable install puts the repository root on sys.path (a plain
# .pth file: pyproject.toml's package-dir), so a package added later is importable without
# reinstalling.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m verify all --json out/verify.json --markdown out/verify.md --junit out/verify.xml

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
