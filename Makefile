# Two entry points for a fresh machine: `make run` (install and start the booth) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The CPU build of torch: on the dev machines this pin comes from local disk, a bare `torch` pulls CUDA.
TORCH_PIN ?= torch==2.13.0

.PHONY: run test test-fast lint bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.app-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[app]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet '$(TORCH_PIN)'
	$(PIP) install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.app-installed
	$(VENV)/bin/time-traveler-booth $(ARGS)

test: $(VENV)/.dev-installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# The edit loop: everything but the tests marked slow (real models, subprocesses, whole flows), under a minute.
test-fast: $(VENV)/.dev-installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build dist *.egg-info
