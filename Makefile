# Two entry points for a fresh machine: `make demo` and `make test` (see README.md).
# Both create the virtual environment on first use and are no-ops for it afterwards.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= outputs/demo
# Two workers match the CI machine; override with `make test PYTEST_WORKERS=auto`.
PYTEST_WORKERS ?= 2

.PHONY: demo test docs bench clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PY) -m pip install --quiet -e ".[test,dask]"
	touch $@

$(VENV)/.docs: $(VENV)/.test
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/spatialcluster demo --out $(OUT) --overwrite

# One BLAS thread per pytest worker: two workers on two cores, no oversubscription.
test: $(VENV)/.test
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

docs: $(VENV)/.docs
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(VENV)/.test
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) outputs docs/_build .pytest_cache
