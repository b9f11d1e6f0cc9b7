# `make run` tags the bundled example page; `make test` runs the whole suite.
VENV    ?= .venv
PY      := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LOG     := $(VENV)/install.log
EXAMPLE := corpora/pages/example.txt
TEST_EXTRAS := .[test,dask]

.PHONY: run test install train bench wheel clean test-servers record-fixtures servers

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
	$(call pip_install,$(TEST_EXTRAS))
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

# Live tests against real Label Studio and doccano servers on 127.0.0.1. Each tool gets its own
# virtualenv under .cache/servers/ (git-ignored), since their pins clash with ours and each other's.
SERVERS  := .cache/servers
LS_STAMP := $(SERVERS)/label-studio/.installed
DC_STAMP := $(SERVERS)/doccano/.installed

$(LS_STAMP):
	@test -x $(SERVERS)/label-studio/bin/python || python3 -m venv $(SERVERS)/label-studio
	$(SERVERS)/label-studio/bin/python -m pip install --quiet 'label-studio==1.23.2'
	@touch $@

# doccano 1.8.4 needs marshmallow 3 (environs 9) and numpy 1 (its pandas 1.5 wheels).
$(DC_STAMP):
	@test -x $(SERVERS)/doccano/bin/python || python3 -m venv $(SERVERS)/doccano
	$(SERVERS)/doccano/bin/python -m pip install --quiet 'doccano==1.8.4' 'marshmallow==3.26.2' 'numpy==1.26.4'
	@touch $@

servers: $(LS_STAMP) $(DC_STAMP)

test-servers: $(TEST_STAMP) servers
	$(PY) -m pytest -q -p no:cacheprovider --servers -m annotation_servers tests/test_annotation_servers.py

# The same, saving every export the servers hand back under tests/fixtures/annotation/, which
# `make test` replays (tests/test_annotation_replay.py).
record-fixtures: $(TEST_STAMP) servers
	VNPOLICY_RECORD_FIXTURES=1 $(PY) -m pytest -q -p no:cacheprovider --servers -m annotation_servers tests/test_annotation_servers.py
