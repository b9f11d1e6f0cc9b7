# `make run` tags the bundled example page; `make test` runs the whole suite.
VENV    ?= .venv
PY      := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LOG     := $(VENV)/install.log
EXAMPLE := corpora/pages/example.txt

.PHONY: run test install train bench wheel clean

# Installs are quiet: pip's output goes to $(LOG), shown only when something fails.
# pyproject.toml gives ranges; constraints.txt pins the exact versions `make` and CI use.
define pip_install
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "installing $(1) into $(VENV) (log: $(LOG)) ..."
	@$(PY) -m pip install --quiet --upgrade pip > $(LOG) 2>&1 && \
	  $(PY) -m pip install --quiet -c constraints.txt -e '$(1)' >> $(LOG) 2>&1 || { tail -n 30 $(LOG); exit 1; }
endef

# what `make run` needs: the library and its runtime dependencies, not the test extras
$(RUN_STAMP): pyproject.toml constraints.txt setup.py
	$(call pip_install,.)
	@touch $@

$(TEST_STAMP): pyproject.toml constraints.txt setup.py
	$(call pip_install,.[test,dask])
	@touch $@ $(RUN_STAMP)

install: $(TEST_STAMP)

run: $(RUN_STAMP)
	@echo "Tagging $(EXAMPLE) (a weekly bulletin of a provincial People's Committee) with the bundled models:"
	@echo
	@$(VENV)/bin/vnpolicy tag --format table $(EXAMPLE)
	@echo
	@echo "Next: $(VENV)/bin/vnpolicy tag --format table --wide $(EXAMPLE)   (everything)"
	@echo "      $(VENV)/bin/vnpolicy tag $(EXAMPLE)   (the JSON records)"
	@echo "      notebooks/ (tutorials) and README.md"

test: $(TEST_STAMP)
	$(PY) -m pytest -q

bench: $(TEST_STAMP)
	$(PY) benchmarks/throughput.py

# The wheel carries the bundled model set and the taxonomy: pip install dist/vnpolicy_nlp-*.whl
wheel: $(TEST_STAMP)
	$(PY) -m build --no-isolation --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info
