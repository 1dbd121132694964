# Two commands do everything on a fresh machine:
#   make chat   install, then chat about the bundled article
#   make test   install with the test extras, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The lock: exact versions of every dependency, so a fresh machine installs what was
# tested rather than whatever is newest within pyproject.toml's ranges. It is a pip
# constraints file made from `pip freeze` of an installed, tested venv, not a
# pip-compile output: pip-compile resolves against PyPI's metadata, where torch 2.13.0
# pulls in the nvidia-* CUDA packages, while our torch is the CPU wheel (2.13.0+cpu).
# A freeze lists exactly what was installed and tested. Refresh it on purpose, after
# changing a dependency or to take new releases: `make upgrade`, then `make test`.
CONSTRAINTS := requirements/constraints.txt
LOCK_EXTRAS := sentence-transformers,test,llm

.PHONY: chat test install install-test upgrade eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .

# torch is pinned to the CPU wheel (2.13.0) through the sentence-transformers extra.
install-test: $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[sentence-transformers,test]'

# Resolve afresh in a throwaway venv (no constraints: the newest releases the ranges
# allow) and write its freeze, less the project and anything CUDA, to the lock.
upgrade:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	echo "Resolving $(LOCK_EXTRAS) in a throwaway venv ($$tmp)…" && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/pip" install --quiet --upgrade pip && \
	"$$tmp/venv/bin/pip" install --quiet -e '.[$(LOCK_EXTRAS)]' && \
	"$$tmp/venv/bin/pip" freeze --exclude-editable \
	  | "$$tmp/venv/bin/python" requirements/lock.py --extras $(LOCK_EXTRAS) > "$$tmp/constraints.txt" && \
	mv "$$tmp/constraints.txt" $(CONSTRAINTS) && \
	echo "Wrote $(CONSTRAINTS); now run make test (and commit it if the tests pass)."

chat: install
	$(BIN)/articlebot chat

test: install-test
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q --durations=15

eval: install
	$(BIN)/articlebot eval --baselines

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
