"""Replays the exports real Label Studio and doccano servers handed back in the live tests
(tests/test_annotation_servers.py, recorded by `make record-fixtures`), so `make test` checks
every format without the servers: each must import to exactly the recorded corrections, with
skipped and never-opened tasks left out, or be refused for the recorded reason."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vnpolicy_nlp.cli import main
from vnpolicy_nlp.corpus import validate

FIXTURES = Path(__file__).parent / "fixtures" / "annotation"
CASES = sorted(FIXTURES.glob("*.expected.json"))


def test_every_format_a_user_would_pick_is_recorded():
    names = {p.name[:-len(".expected.json")] for p in CASES}
    assert {"label-studio.json", "label-studio.min.json", "label-studio.snapshot.json", "doccano.approved.zip",
            "doccano.admin.jsonl", "doccano.all.zip", "doccano.disagree.zip"} <= names, names


@pytest.mark.parametrize("case", CASES, ids=[p.name[:-len(".expected.json")] for p in CASES])
def test_a_recorded_export_imports_every_correction_and_nothing_else(case, tmp_path, capsys):
    expected = json.loads(case.read_text(encoding="utf-8"))
    export = case.with_name(case.name[:-len(".expected.json")])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    out = tmp_path / "week.jsonl"
    rc = main(["import", str(export), *expected["import"], "--out", str(out), "--corpus", str(corpus)])
    err = capsys.readouterr().err
    if expected.get("refused"):
        assert rc == 1 and expected["refused"] in err and not out.exists()
        return
    assert rc == 0, err
    got = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert rec["id"] not in got, f"{rec['id']} imported twice"
        got[rec["id"]] = rec
    assert sorted(got) == sorted(expected["records"])
    assert not set(got) & set(expected["absent"])  # skipped and never-opened tasks are not gold
    for rid, want in expected["records"].items():
        spans = sorted([e["start"], e["end"], e["label"]] for e in got[rid]["entities"])
        assert spans == sorted(want["spans"]) and sorted(got[rid]["topics"]) == sorted(want["topics"]), rid
        for kind, change in want.get("done", {}).items():  # each correction arrived
            if kind == "deleted":
                assert change not in spans
            elif kind == "shortened":
                (s, e, label), cut = change
                assert [s, cut, label] in spans and [s, e, label] not in spans
            elif kind == "relabelled":
                assert change not in spans and any(x[:2] == change[:2] for x in spans)
            else:
                assert change in spans
    assert validate([out]) == []
