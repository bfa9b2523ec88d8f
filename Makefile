# solieu: `make run` and `make test` are all a newcomer needs (README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: install run test eval bench lint clean lock

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# requirements.lock is compiled from pyproject.toml (runtime and the dev extra);
# tests/test_packaging.py fails when the two disagree.
lock:
	$(PYTHON) -m venv /tmp/solieu-lock
	/tmp/solieu-lock/bin/pip install --quiet --disable-pip-version-check pip-tools
	/tmp/solieu-lock/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

run: $(STAMP)
	$(BIN)/solieu run --input data/raw --output data/tables

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python -m tools.evaluate --shared $(SHARED)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf data/tables data/validation .pytest_cache

bench: $(STAMP)
	$(BIN)/python -m tools.bench --shared $(SHARED)
