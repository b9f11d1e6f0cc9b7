# `make run` tags the bundled example page; `make test` runs the whole suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXAMPLE := corpora/pages/example.txt

.PHONY: run test install train bench clean test-servers record-fixtures servers

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/vnpolicy tag --format table $(EXAMPLE)

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

clean:
	rm -rf $(VENV) build *.egg-info

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

test-servers: $(STAMP) servers
	$(PY) -m pytest -q -p no:cacheprovider --servers -m annotation_servers tests/test_annotation_servers.py

# The same, saving every export the servers hand back under tests/fixtures/annotation/, which
# `make test` replays (tests/test_annotation_replay.py).
record-fixtures: $(STAMP) servers
	VNPOLICY_RECORD_FIXTURES=1 $(PY) -m pytest -q -p no:cacheprovider --servers -m annotation_servers tests/test_annotation_servers.py
