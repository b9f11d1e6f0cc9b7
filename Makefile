# `make run` tags the bundled example page; `make test` runs the whole suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXAMPLE := corpora/pages/example.txt

.PHONY: run test install train bench wheel clean

# pyproject.toml gives ranges; constraints.txt pins the exact versions `make` and CI use.
$(STAMP): pyproject.toml constraints.txt setup.py
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,dask]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/vnpolicy tag --format table $(EXAMPLE)

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

# The wheel carries the bundled model set and the taxonomy: pip install dist/vnpolicy_nlp-*.whl
wheel: $(STAMP)
	$(PY) -m build --no-isolation --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info
