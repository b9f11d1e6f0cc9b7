"""The corpus: valid, big and varied enough, fixed splits, the test split never trained on."""
import json

from vnpolicy_nlp.cli import main
from vnpolicy_nlp.corpus import (assign_splits, load, near_duplicate_pairs, read_records, split_records, stats,
                                 validate)
from vnpolicy_nlp.modelset import BUNDLED, read_manifest
from vnpolicy_nlp.training import data_hash


def test_the_bundled_corpus_validates():
    assert validate() == []


def test_counts_hold_after_removing_near_duplicates():
    s = stats()
    assert s["directives"] >= 1000 and s["headlines"] >= 400
    assert len(s["provinces"]) >= 15
    assert set(s["years"]) >= {str(y) for y in range(2019, 2027)}
    assert s["after_2025_07"] >= 100
    assert all(s["topics"][t] >= 120 for t in ("disaster_response", "recruitment", "public_services", "health",
                                                "border_control"))
    assert s["no_topic"] >= 350 and s["two_topics"] >= 80
    assert len([k for k, v in s["subjects_no_topic"].items() if v >= 5]) >= 15
    d = s["distinct_entities"]
    assert d["AGENCY"] >= 300 and d["LOCATION"] >= 300 and d["OFFICIAL"] >= 200 and d["DOC_NUMBER"] >= 800
    assert len([t for t in s["doc_types"] if t != "?"]) >= 12


def test_the_validator_names_file_line_and_problem(tmp_path, capsys):
    good = {"id": "x-1", "province": "Lạng Sơn", "date": "2024-01-02", "kind": "directive", "text": "Tiêu đề\n\nThân bài.",
            "headline": "Tiêu đề", "topics": [], "entities": [{"start": 0, "end": 3, "label": "AGENCY"}]}
    bad = [dict(good, id="x-2", topics=["weather"]),
           dict(good, id="x-3", entities=[{"start": 0, "end": 50, "label": "AGENCY"}]),
           dict(good, id="x-4", entities=[{"start": 0, "end": 4, "label": "AGENCY"}, {"start": 2, "end": 6, "label": "LOCATION"}]),
           dict(good, id="x-1"),
           dict(good, id="x-5", entities=[{"start": 0, "end": 3, "label": "PERSON", "text": "Tiê"}])]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [good, *bad]) + "\nnot json\n", encoding="utf-8")
    problems = validate([path])
    assert any(p.startswith(f"{path}:2: topic 'weather'") for p in problems)
    assert any(p.startswith(f"{path}:3: entity 0: offsets") for p in problems)
    assert any(p.startswith(f"{path}:4: entities 0 and 1 overlap") for p in problems)
    assert any(p.startswith(f"{path}:5: id 'x-1' already used") for p in problems)
    assert any(p.startswith(f"{path}:6: entity 0: label 'PERSON'") for p in problems)
    assert any(p.startswith(f"{path}:7: not valid JSON") for p in problems)
    assert main(["corpus", "validate", str(path)]) == 1
    assert f"{path}:2:" in capsys.readouterr().out


def test_splits_are_stable_and_near_duplicates_never_cross_them():
    records = read_records()
    first = assign_splits(records)
    again = assign_splits(list(reversed(records)))
    assert first == again
    counts = {s: sum(v == s for v in first.values()) for s in ("train", "dev", "test")}
    assert 0.10 <= counts["test"] / len(records) <= 0.20
    for a, b, _ in near_duplicate_pairs(records):
        assert first[a] == first[b]
    for topic in ("disaster_response", "recruitment", "public_services", "health", "border_control"):
        ids = [r.id for r in records if topic in r.data["topics"]]
        share = sum(first[i] == "test" for i in ids) / len(ids)
        assert 0.07 <= share <= 0.25, (topic, share)


def test_the_bundled_models_never_saw_the_test_split():
    splits = split_records()
    manifest = read_manifest(BUNDLED)
    assert manifest["data"]["train_hash"] == data_hash(splits["train"])
    train_ids = {r["id"] for r in splits["train"]}
    assert not train_ids & {r["id"] for r in splits["test"]}
    assert not train_ids & {r["id"] for r in splits["dev"]}


def test_loader_gives_typed_hugging_face_splits():
    ds = load()
    assert set(ds) == {"train", "dev", "test", "unseen"}
    assert ds["train"].features["topics"].feature.names[0] == "disaster_response"
    assert ds["test"].features["entities"].feature["label"].names == ["AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER"]
    row = ds["test"][0]
    assert isinstance(row["entities"][0]["start"], int) and isinstance(row["topics"], list)
    assert sum(len(ds[s]) for s in ds) == len(read_records())
