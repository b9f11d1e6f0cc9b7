"""The defects of issue 13, one test each: the tools' real formats, skipped and unannotated tasks,
NFC, corpus ids, --out, span text, duplicate ids and malformed exports. None of these retrains."""
from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from vnpolicy_nlp import modelset
from vnpolicy_nlp.cli import main
from vnpolicy_nlp.corpus import CORPUS_DIR, split_records, validate
from vnpolicy_nlp.label_studio import from_utf16, to_utf16

EXAMPLE = CORPUS_DIR / "pages" / "example.txt"
TEXT = "Tuyển dụng công chức năm 2024\n\nSở Nội vụ tỉnh Lạng Sơn tổ chức thi tuyển theo Kế hoạch 12/KH-UBND."
AGENCY = (TEXT.index("Sở Nội vụ"), TEXT.index("Sở Nội vụ") + len("Sở Nội vụ"))
PLACE = (TEXT.index("tỉnh Lạng Sơn"), TEXT.index("tỉnh Lạng Sơn") + len("tỉnh Lạng Sơn"))
DOC = (TEXT.index("12/KH-UBND"), TEXT.index("12/KH-UBND") + len("12/KH-UBND"))
META = {"province": "Lạng Sơn", "date": "2024-05-06", "source": "week.txt"}


def span(s: int, e: int, label: str, text: str = TEXT, rid: str = "r") -> dict:
    return {"id": f"{rid}{s}", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": to_utf16(text, s), "end": to_utf16(text, e), "text": text[s:e], "labels": [label]}}


def choices(*topics: str) -> dict:
    return {"id": "t", "from_name": "topics", "to_name": "text", "type": "choices", "value": {"choices": list(topics)}}


def ls_task(rid: str, result: list | None, text: str = TEXT, cancelled: bool = False, task_id: int = 1,
            predictions: list | None = None, extra: list | None = None) -> dict:
    annotations = [] if result is None else [{"id": task_id * 10, "completed_by": 1, "was_cancelled": cancelled,
                                              "result": result, "updated_at": "2026-12-01T10:00:00Z"}]
    return {"id": task_id, "data": {"text": text, "record_id": rid, **META}, "annotations": annotations + (extra or []),
            "predictions": predictions if predictions is not None else
            [{"model_version": "vnpolicy", "result": [span(*AGENCY, "AGENCY"), choices("health")]}]}


def write(path: Path, obj) -> Path:
    if isinstance(obj, list) and path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in obj), encoding="utf-8")
    else:
        path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_import(tmp_path: Path, src: Path, fmt: str, *extra: str, out: str = "out.jsonl") -> int:
    return main(["import", str(src), "--from", fmt, "--out", str(tmp_path / out), "--corpus", *extra_corpus(tmp_path),
                 *extra])


def extra_corpus(tmp_path: Path) -> list[str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    return [str(corpus)]


# ------------------------------------------------------------------ doccano
def test_doccano_export_is_an_intent_and_slot_project(tmp_path):
    out = tmp_path / "week.jsonl"
    assert main(["export", str(EXAMPLE), "--to", "doccano", "--out", str(out)]) == 0
    lines = records(out)
    assert all("entities" in x and "cats" in x and "label" not in x for x in lines)
    assert all(isinstance(x["record_id"], str) for x in lines)
    spans = json.loads((tmp_path / "week.span_types.json").read_text())
    cats = json.loads((tmp_path / "week.category_types.json").read_text())
    assert [s["text"] for s in spans] == ["AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER"]
    assert "health" in [c["text"] for c in cats]


def test_doccano_import_takes_the_annotators_entities_not_the_stale_label(tmp_path):
    item = {"id": 5, "text": TEXT, "record_id": "d-1", **META, "label": [[*AGENCY, "AGENCY"]],
            "entities": [[*AGENCY, "LOCATION"]], "cats": ["recruitment"]}
    assert run_import(tmp_path, write(tmp_path / "x.jsonl", [item]), "doccano") == 0
    (rec,) = records(tmp_path / "out.jsonl")
    assert [(e["start"], e["end"], e["label"]) for e in rec["entities"]] == [(*AGENCY, "LOCATION")]


def test_a_sequence_labeling_export_is_refused_because_its_topics_are_the_models(tmp_path, capsys):
    item = {"id": 5, "text": TEXT, "record_id": "d-1", **META, "label": [[*AGENCY, "AGENCY"]], "cats": ["health"]}
    src = write(tmp_path / "seq.jsonl", [item])
    assert run_import(tmp_path, src, "doccano") == 1
    err = capsys.readouterr().err
    assert f"{src}:1: a Sequence Labeling export" in err and "Intent Detection and Slot Filling" in err
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------------ Label Studio
def test_skipped_and_unannotated_tasks_are_not_gold(tmp_path, capsys):
    tasks = [ls_task("a", [span(*AGENCY, "AGENCY"), choices("recruitment")], task_id=1),
             ls_task("b", [], cancelled=True, task_id=2),         # skipped
             ls_task("c", None, task_id=3)]                        # nobody annotated it
    src = write(tmp_path / "p.json", tasks)
    assert run_import(tmp_path, src, "label-studio") == 0
    err = capsys.readouterr().err
    assert "1 skipped task(s) left out" in err and "1 task(s) had no annotation" in err
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a"]
    # opt-in: the unannotated task's predictions, marked as such
    assert run_import(tmp_path, src, "label-studio", "--accept-predictions", out="all.jsonl") == 0
    got = {r["id"]: r for r in records(tmp_path / "all.jsonl")}
    assert sorted(got) == ["a", "c"] and got["c"]["imported"] == "predicted" and got["c"]["topics"] == ["health"]


def test_a_snapshot_with_prediction_ids_imports_and_says_what_it_lacks(tmp_path, capsys):
    tasks = [ls_task("a", [span(*AGENCY, "AGENCY")], task_id=1, predictions=[11]),
             ls_task("c", None, task_id=2, predictions=[12])]
    src = write(tmp_path / "snap.json", tasks)
    assert run_import(tmp_path, src, "label-studio") == 0
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a"]
    assert run_import(tmp_path, src, "label-studio", "--accept-predictions", out="o2.jsonl") == 1
    assert f"{src}:2: not annotated, and its predictions are only ids" in capsys.readouterr().err


def test_json_min_rows_import_and_two_annotators_keep_the_latest(tmp_path, capsys):
    rows = [{"text": TEXT, "id": 7, "record_id": "m-1", **META, "annotator": "a@x.org", "annotation_id": 1,
             "updated_at": "2026-12-01T10:00:00Z",
             "label": [{"start": AGENCY[0], "end": AGENCY[1], "text": "Sở Nội vụ", "labels": ["AGENCY"]}],
             "topics": {"choices": ["recruitment", "health"]}},
            {"text": TEXT, "id": 7, "record_id": "m-1", **META, "annotator": "b@x.org", "annotation_id": 2,
             "updated_at": "2026-12-02T10:00:00Z",
             "label": [{"start": PLACE[0], "end": PLACE[1], "text": "tỉnh Lạng Sơn", "labels": ["LOCATION"]}],
             "topics": "recruitment"}]
    assert run_import(tmp_path, write(tmp_path / "min.json", rows), "label-studio") == 0
    assert "has 2 annotations; the latest (b@x.org)" in capsys.readouterr().err
    (rec,) = records(tmp_path / "out.jsonl")
    assert rec["topics"] == ["recruitment"] and [e["label"] for e in rec["entities"]] == ["LOCATION"]


def test_result_ids_are_unique_and_no_empty_choices(tmp_path):
    corpus = [r for r in split_records()["train"] if not r["topics"]][:2] + split_records()["train"][:3]
    src = write(tmp_path / "records.jsonl", corpus)
    out = tmp_path / "t.json"
    assert main(["export", str(src), "--to", "label-studio", "--out", str(out)]) == 0
    tasks = json.loads(out.read_text(encoding="utf-8"))
    ids = [r["id"] for t in tasks for r in t["predictions"][0]["result"]]
    assert len(ids) == len(set(ids))
    for task in tasks:
        for r in task["predictions"][0]["result"]:
            assert r["type"] != "choices" or r["value"]["choices"]
    assert [t["data"]["record_id"] for t in tasks] == [r["id"] for r in corpus]  # corpus records keep their ids


def test_label_studio_offsets_are_utf16_so_an_emoji_does_not_shift_spans(tmp_path):
    text = "🌧️ Mưa lớn\n\nSở Nội vụ tỉnh Lạng Sơn chỉ đạo."
    s = text.index("Sở Nội vụ")
    assert to_utf16(text, s) == s + 1 and from_utf16(text, to_utf16(text, s)) == s
    res = span(s, s + len("Sở Nội vụ"), "AGENCY", text=text)
    assert res["value"]["start"] == s + 1
    assert run_import(tmp_path, write(tmp_path / "e.json", [ls_task("e", [res], text=text)]), "label-studio") == 0
    (rec,) = records(tmp_path / "out.jsonl")
    assert rec["text"][rec["entities"][0]["start"]:rec["entities"][0]["end"]] == "Sở Nội vụ"


def test_a_span_whose_offsets_no_longer_match_its_text_is_refused(tmp_path, capsys):
    moved = span(*AGENCY, "AGENCY")
    verb = TEXT.index("tổ chức")
    moved["value"].update(start=verb, end=verb + len("tổ chức"))  # moved onto the verb, text still "Sở Nội vụ"
    src = write(tmp_path / "moved.json", [ls_task("a", [moved])])
    assert run_import(tmp_path, src, "label-studio") == 1
    err = capsys.readouterr().err
    assert f"{src}:1: span 0 (AGENCY): claims 'Sở Nội vụ' but the text at" in err
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------------ corpus integrity
def test_nfd_text_is_stored_as_nfc_with_its_offsets(tmp_path):
    nfd = unicodedata.normalize("NFD", TEXT)
    s = len(unicodedata.normalize("NFD", TEXT[:AGENCY[0]]))
    e = s + len(unicodedata.normalize("NFD", "Sở Nội vụ"))
    item = {"text": nfd, "record_id": "n-1", **META, "entities": [[s, e, "AGENCY"]], "cats": []}
    assert run_import(tmp_path, write(tmp_path / "nfd.jsonl", [item]), "doccano") == 0
    (rec,) = records(tmp_path / "out.jsonl")
    assert rec["text"] == TEXT and (rec["entities"][0]["start"], rec["entities"][0]["end"]) == AGENCY


def test_nfd_copies_of_dev_records_are_caught(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    dev = [r for r in split_records()["dev"] if r["kind"] == "directive"][:2]
    write(corpus / "authored.jsonl", dev)
    copies = [{"text": unicodedata.normalize("NFD", r["text"]), "record_id": f"copy-{k}", "province": r["province"],
               "date": r["date"], "entities": [], "cats": []} for k, r in enumerate(dev)]
    src = write(tmp_path / "copies.jsonl", copies)
    assert main(["import", str(src), "--from", "doccano", "--out", str(tmp_path / "o.jsonl"),
                 "--corpus", str(corpus)]) == 1
    assert "copy-0: near-duplicate (1.00) of " + dev[0]["id"] + ", a dev record" in capsys.readouterr().err
    # and validate compares normalised text: an NFD copy written by hand is reported too
    hand = dict(dev[0], id="hand-copy", text=unicodedata.normalize("NFD", dev[0]["text"]), split="train",
                headline=unicodedata.normalize("NFD", dev[0]["headline"]), entities=[])
    write(corpus / "hand.jsonl", [hand])
    problems = validate([corpus])
    assert any("hand.jsonl:1: near-duplicate (1.00) of " + dev[0]["id"] in p for p in problems), problems


def test_correcting_corpus_records_replaces_them_by_id_and_says_what_changed(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    mine = [r for r in split_records()["test"] if r["kind"] == "directive" and r["entities"]][:3]
    held = write(corpus / "held.jsonl", mine)
    out = tmp_path / "t.json"
    assert main(["export", str(held), "--to", "label-studio", "--out", str(out)]) == 0
    tasks = json.loads(out.read_text(encoding="utf-8"))
    first = tasks[0]
    result = [dict(r) for r in first["predictions"][0]["result"]]
    dropped = next(r for r in result if r["type"] == "labels")
    result.remove(dropped)
    topic = "recruitment" if "recruitment" not in mine[0]["topics"] else "health"
    result = [r for r in result if r["type"] != "choices"] + [choices(topic)]
    first["annotations"] = [{"id": 1, "completed_by": 1, "was_cancelled": False, "result": result}]
    src = write(tmp_path / "export.json", tasks)
    assert main(["import", str(src), "--from", "label-studio", "--out", str(tmp_path / "new.jsonl"),
                 "--corpus", str(corpus)]) == 0
    printed = capsys.readouterr().out
    assert f"replaced {mine[0]['id']} ({held}): topics" in printed and "- " + dropped["value"]["labels"][0] in printed
    after = records(held)
    assert [r["id"] for r in after] == [r["id"] for r in mine]  # replaced in place: no second copy
    assert after[0]["topics"] == [topic] and after[0].get("split") == mine[0].get("split")
    assert len(after[0]["entities"]) == len(mine[0]["entities"]) - 1
    assert not (tmp_path / "new.jsonl").exists()  # nothing new to add
    assert validate([corpus]) == []


def test_import_never_overwrites_an_existing_out_unless_told(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    keep = [dict(r) for r in split_records()["train"][:25]]
    write(out, keep)
    item = {"text": TEXT, "record_id": "new-1", **META, "entities": [[*AGENCY, "AGENCY"]], "cats": ["recruitment"]}
    src = write(tmp_path / "x.jsonl", [item])
    assert run_import(tmp_path, src, "doccano") == 1
    assert "exists; pass --append" in capsys.readouterr().err
    assert len(records(out)) == 25
    assert run_import(tmp_path, src, "doccano", "--append") == 0
    assert [r["id"] for r in records(out)][-1] == "new-1" and len(records(out)) == 26
    assert run_import(tmp_path, src, "doccano", "--append") == 0  # again: replaced by id, not duplicated
    assert len(records(out)) == 26
    assert run_import(tmp_path, src, "doccano", "--replace") == 0
    assert [r["id"] for r in records(out)] == ["new-1"]


def test_duplicate_ids_in_one_export_are_refused(tmp_path, capsys):
    item = {"text": TEXT, "record_id": "dup", **META, "entities": [], "cats": []}
    src = write(tmp_path / "d.jsonl", [item, dict(item)])
    assert run_import(tmp_path, src, "doccano") == 1
    assert f"{src}:2: id 'dup' is already used by {src}:1" in capsys.readouterr().err


# ------------------------------------------------------------------ malformed exports
GOOD_LS = ls_task("ok", [span(*AGENCY, "AGENCY")])
GOOD_DC = {"text": TEXT, "record_id": "ok", **META, "entities": [[*AGENCY, "AGENCY"]], "cats": []}


def _ls(**change) -> dict:
    t = json.loads(json.dumps(GOOD_LS))
    for k, v in change.items():
        if k == "result":
            t["annotations"][0]["result"] = v
        elif k == "value":
            t["annotations"][0]["result"][0]["value"].update(v)
        else:
            t[k] = v
    return t


def _dc(**change) -> dict:
    return {**GOOD_DC, **change}


MALFORMED = [
    ("label-studio", "[{\"data\": ", None, "not a Label Studio JSON export"),
    ("label-studio", 42, None, "expected a JSON list of tasks"),
    ("label-studio", [_ls(data="just a string")], 1, "'data' must be an object"),
    ("label-studio", [_ls(annotations={"result": []})], 1, "'annotations' must be a list"),
    ("label-studio", [_ls(result={"value": 1})], 1, "'result' must be a list"),
    ("label-studio", [_ls(predictions="none")], 1, "'predictions' must be a list"),
    ("label-studio", [_ls(result=[{"type": "labels"}])], 1, "result 0: 'value' must be an object"),
    ("label-studio", [_ls(value={"start": "3"})], 1, "start and end must be integers"),
    ("label-studio", [_ls(value={"end": 10_000})], 1, "not inside the text"),
    ("label-studio", [_ls(value={"labels": ["AGENCYY"]})], 1, "label 'AGENCYY' is not one of"),
    ("label-studio", [_ls(result=[span(*AGENCY, "AGENCY"), span(AGENCY[0], PLACE[1], "LOCATION")])], 1, "overlap"),
    ("label-studio", [_ls(result=[choices("weather")])], 1, "topic 'weather' is not in the taxonomy"),
    ("label-studio", [_ls(data={"province": "Lạng Sơn"})], 1, "no text in 'data'"),
    ("label-studio", [_ls(result=[{"type": "choices", "value": {"choices": "health"}}])], 1, "'choices' must be a list"),
    ("doccano", "{\"text\": 1\n", 1, "not valid JSON"),
    ("doccano", [[1, 2]], 1, "a line must be a JSON object"),
    ("doccano", [_dc(entities=[[3]])], 1, "span 0: [3] has 1 part(s)"),
    ("doccano", [_dc(entities=[[3, 9]])], 1, "span 0: [3, 9] has 2 part(s)"),
    ("doccano", [_dc(entities=[[*AGENCY, "AGENCY", "x"]])], 1, "has 4 part(s)"),
    ("doccano", [_dc(cats=None)], 1, "'cats' must be a list of topic names, got None"),
    ("doccano", [_dc(entities="AGENCY")], 1, "'entities' must be a list"),
    ("doccano", [_dc(entities=[[AGENCY[0] + 1, AGENCY[1], "AGENCY"]])], 1, "starts or ends inside a word"),
    ("doccano", [_dc(entities=[[0, len(TEXT) + 5, "AGENCY"]])], 1, "not inside the text"),
    ("doccano", [_dc(province="")], 1, "no province"),
    ("doccano", [_dc(record_id=None)], 1, "no record_id"),
    ("doccano", [_dc(text="   ")], 1, "no 'text'"),
]


@pytest.mark.parametrize("fmt,body,item,reason", MALFORMED, ids=[f"{m[0]}-{k}" for k, m in enumerate(MALFORMED)])
def test_a_malformed_export_names_file_item_and_reason_and_writes_nothing(tmp_path, capsys, fmt, body, item, reason):
    src = tmp_path / ("bad.json" if fmt == "label-studio" else "bad.jsonl")
    good = GOOD_LS if fmt == "label-studio" else GOOD_DC
    if isinstance(body, list):  # a good item first: one bad item must not pass half the file
        good = json.loads(json.dumps(good))
        (good["data"] if fmt == "label-studio" else good)["record_id"] = "first"
        body = [good] + body
        item = item + 1
        write(src, body)
    else:
        src.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    assert run_import(tmp_path, src, fmt) == 1
    err = capsys.readouterr().err
    where = f"{src}:{item}: " if item else f"{src}: "
    assert any(line.startswith(where) and reason in line for line in err.splitlines()), err
    assert "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------------ model sets and training
def test_a_written_set_is_readable_by_other_users(tmp_path):
    old = os.umask(0o022)
    try:
        from vnpolicy_nlp.structure import StructureComponent

        modelset.write_model_set(tmp_path / "set", [StructureComponent()], {"created": "now"}, "card")
    finally:
        os.umask(old)
    assert (tmp_path / "set").stat().st_mode & 0o777 == 0o755


def test_plain_train_never_touches_the_bundled_set(tmp_path, capsys, monkeypatch):
    bundled = tmp_path / "models"
    bundled.mkdir()
    (bundled / "manifest.json").write_text("{}")
    monkeypatch.setattr(modelset, "BUNDLED", bundled)
    assert main(["train"]) == 2
    assert "--promote" in capsys.readouterr().err
    assert sorted(p.name for p in bundled.iterdir()) == ["manifest.json"]
    assert main(["train", "--judge", "g.jsonl", "--out", str(tmp_path / "x")]) == 2
