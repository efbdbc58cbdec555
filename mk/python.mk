# Python service: virtualenv, lint, types, unit tests, API fuzzing.
VENV_STAMP := $(VENV)/.installed
PYTHON_BOOT ?= python3

$(VENV_STAMP): requirements/app.txt requirements/dev.txt pyproject.toml
	@$(PYTHON_BOOT) -c 'import sys; sys.exit(0 if sys.version_info >= tuple(map(int, "$(PYTHON_MIN)".split("."))) else "Python >= $(PYTHON_MIN) is required (versions.env PYTHON_MIN); install it or set PYTHON_BOOT=")'
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -r requirements/dev.txt
	@$(PY) -m pip install -q --no-deps -e .
	@touch $@

.PHONY: venv lint typecheck test-unit test-process test-api-fuzz
venv: $(VENV_STAMP) ## Create .venv with the pinned dependencies

lint: $(VENV_STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV_STAMP) ## mypy --strict
	$(VENV)/bin/mypy

test-unit: $(VENV_STAMP) ## pytest: the service in-process
	$(VENV)/bin/pytest -q tests/unit

test-process: $(VENV_STAMP) ## pytest: the service as a real process (start-up, signals, drain, log flush)
	$(VENV)/bin/pytest -q tests/process

test-api-fuzz: $(VENV_STAMP) ## schemathesis against the served OpenAPI document
	$(PY) -m tests.fuzz.run_schemathesis

TEST_TARGETS += lint typecheck test-unit test-process test-api-fuzz
FAST_TARGETS += lint typecheck test-unit test-process
