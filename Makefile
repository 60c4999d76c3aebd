# Two entry points for a fresh machine: `make run` (install and start the booth) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# torch as pip should install it here (README, "SAM on your machine"): on the dev machines this pin is a CPU
# build from local disk; elsewhere e.g. TORCH_PIN="torch --index-url https://download.pytorch.org/whl/cu126".
# Empty: skip it (pip then takes whatever torch the model extra resolves to).
TORCH_PIN ?= torch==2.13.0

.PHONY: run test test-fast lint bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The booth with everything local SAM needs (the model extra and torch): with no backend configured it starts
# on the classic engine at once, fetches SAM's weights in the background and switches when SAM is fast enough.
$(VENV)/.booth-installed: pyproject.toml | $(PY)
	$(if $(strip $(TORCH_PIN)),$(PIP) install --quiet $(TORCH_PIN))
	$(PIP) install --quiet -e '.[app,model]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(PY)
	$(if $(strip $(TORCH_PIN)),$(PIP) install --quiet $(TORCH_PIN))
	$(PIP) install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.booth-installed
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
