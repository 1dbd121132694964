# Two commands do everything on a fresh machine:
#   make chat   install, then chat about the bundled article
#   make test   install with the test extras, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: chat test install install-test eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# torch is pinned to the CPU wheel (2.13.0) through the sentence-transformers extra.
install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[sentence-transformers,test]'

chat: install
	$(BIN)/articlebot chat

test: install-test
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

eval: install
	$(BIN)/articlebot eval --baselines

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
