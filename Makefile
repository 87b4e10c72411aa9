# jobsmgmt — `make run` serves the desktop edition, `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-heavy lint format bench loadtest desktop lock clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jobsmgmt serve

test: $(STAMP)
	$(BIN)/ruff check jobsmgmt workers tests bench
	$(BIN)/ruff format --check jobsmgmt workers tests bench
	$(BIN)/pytest -m "not heavy" $(PYTEST_ARGS)

# Whole-system checks CI runs after make test: the desktop bundle, the Procfile, deep fuzzing.
test-heavy: $(STAMP)
	$(BIN)/pip install --quiet -e '.[load]'
	$(BIN)/pytest -m heavy $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check jobsmgmt workers tests bench
	$(BIN)/ruff format --check jobsmgmt workers tests bench

format: $(STAMP)
	$(BIN)/ruff format jobsmgmt workers tests bench
	$(BIN)/ruff check --fix jobsmgmt workers tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The hosted edition under 16 users for 60 s (Locust): PostgreSQL + Redis must be running.
loadtest: $(STAMP)
	$(BIN)/pip install --quiet -e '.[load]'
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

desktop: $(STAMP)
	$(BIN)/pip install --quiet -e '.[desktop]'
	$(BIN)/pyinstaller --noconfirm jobsmgmt.spec

# The production lock the buildpack installs (requirements.txt): setup.cfg's install_requires and
# the build requirements of the app itself (bin/post_compile installs it from them), every file
# pinned by hash. Keeps existing pins; PIP_COMPILE_ARGS=--upgrade moves everything forward.
lock: $(STAMP)
	$(BIN)/pip install --quiet "pip-tools>=7.4,<8"
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --build-deps-for=editable --no-emit-index-url \
	  --no-emit-find-links --output-file=requirements.txt $(PIP_COMPILE_ARGS) setup.cfg

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
