"""The annotator's loop: export, correct, import, retrain, compare, promote or roll back."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp import modelset
from vnpolicy_nlp.cli import main
from vnpolicy_nlp.corpus import CORPUS_DIR, validate
from vnpolicy_nlp.modelset import BUNDLED

EXAMPLE = CORPUS_DIR / "pages" / "example.txt"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """A quarter of the corpus, so that retraining in a test takes seconds."""
    root = tmp_path_factory.mktemp("corpus")
    for src in sorted((CORPUS_DIR / "directives").glob("*.jsonl"))[::4]:
        shutil.copy(src, root / src.name)
    return root


def _retrain_with(corrections: Path, small_corpus: Path, tmp_path: Path) -> vp.Pipeline:
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    shutil.copy(corrections, corpus / corrections.name)
    assert main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "set")]) == 0
    return vp.load(tmp_path / "set")


def _first_agency_and_page(tmp_path, fmt, suffix):
    out = tmp_path / f"tasks{suffix}"
    assert main(["export", str(EXAMPLE), "--to", fmt, "--out", str(out)]) == 0
    return out


def test_label_studio_round_trip_teaches_the_correction(tmp_path, small_corpus, capsys):
    tasks_path = _first_agency_and_page(tmp_path, "label-studio", ".json")
    assert (tmp_path / "tasks.label_config.xml").read_text().count("<Label ") == 4
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    task = tasks[0]
    result = [dict(r) for r in task["predictions"][0]["result"]]
    agency = max((r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["AGENCY"]),
                 key=lambda r: len(r["value"]["text"]))
    agency["value"] = dict(agency["value"], labels=["LOCATION"])  # the annotator relabels a span
    result = [r for r in result if r["type"] != "choices"]  # and sets the topics (a directive with none
    result.append({"id": "t0", "from_name": "topics", "to_name": "text", "type": "choices",  # has no choices result)
                   "value": {"choices": ["health"]}})
    task["annotations"] = [{"id": 7, "completed_by": 1, "was_cancelled": False, "lead_time": 12.5,
                            "result": result}]
    exported = tmp_path / "project-1-at-2026-11-27.json"
    exported.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    imported = tmp_path / "week.jsonl"
    assert main(["import", str(exported), "--from", "label-studio", "--out", str(imported),
                 "--corpus", str(small_corpus)]) == 0
    assert validate([imported]) == []
    nlp = _retrain_with(imported, small_corpus, tmp_path)
    page = EXAMPLE.read_text(encoding="utf-8")
    first = nlp.tag_bulletin(page)[0]
    assert "health" in first.topics
    span = (agency["value"]["start"], agency["value"]["end"])
    assert [e["label"] for e in first.entities if (e["start"], e["end"]) == span] == ["LOCATION"]


def test_doccano_round_trip_teaches_the_correction(tmp_path, small_corpus):
    path = _first_agency_and_page(tmp_path, "doccano", ".jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    item = lines[1]
    s, e, _ = max((x for x in item["entities"] if x[2] == "AGENCY"), key=lambda x: x[1] - x[0])
    item["entities"] = [[a, b, "LOCATION" if (a, b) == (s, e) else lab] for a, b, lab in item["entities"]]
    item["cats"] = ["border_control"]
    corrected = tmp_path / "admin.jsonl"  # an export of the approved documents: the one corrected
    corrected.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    imported = tmp_path / "week-doccano.jsonl"
    assert main(["import", str(corrected), "--from", "doccano", "--out", str(imported),
                 "--corpus", str(small_corpus)]) == 0
    nlp = _retrain_with(imported, small_corpus, tmp_path)
    second = nlp.tag_bulletin(EXAMPLE.read_text(encoding="utf-8"))[1]
    assert "border_control" in second.topics
    assert [x["label"] for x in second.entities if (x["start"], x["end"]) == (s, e)] == ["LOCATION"]


def test_invalid_annotations_are_reported_and_not_written(tmp_path, capsys):
    items = [{"text": "Tuyển dụng công chức\n\nSở Nội vụ tổ chức thi.", "entities": [[0, 500, "AGENCY"]],
              "cats": [], "province": "Lạng Sơn", "date": "2024-05-06", "id": "a-1"},
             {"text": "Tuyển dụng công chức", "entities": [], "cats": ["weather"], "province": "Lạng Sơn",
              "date": "2024-05-06", "id": "a-2"},
             {"text": "Tuyển dụng viên chức y tế", "entities": [[0, 10, "AGENCY"], [5, 15, "LOCATION"]], "cats": [],
              "province": "Lạng Sơn", "date": "2024-05-06", "id": "a-3"},
             {"text": "Tuyển dụng công chức cấp xã", "entities": [], "cats": ["recruitment"], "province": "Lạng Sơn",
              "date": "2024-05-06", "id": "a-4"}]
    src = tmp_path / "bad.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in items) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["import", str(src), "--from", "doccano", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{src}:1: span 0 (AGENCY): offsets [0, 500) are not inside the text" in err
    assert f"{src}:2: topic 'weather'" in err
    assert f"{src}:3: entities 0 and 1 overlap" in err
    assert "nothing written" in err
    assert not out.exists()  # all or nothing: a half-imported week is worse than none


def test_suggest_ranks_the_least_certain_first(capsys):
    assert main(["suggest", str(EXAMPLE), "--n", "3"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    scores = [float(r.split()[0]) for r in rows]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)


@pytest.fixture
def sandbox_sets(tmp_path, monkeypatch):
    """A copy of the bundled set standing in for it, with its own history."""
    bundled = tmp_path / "models"
    shutil.copytree(BUNDLED, bundled)
    monkeypatch.setattr(modelset, "BUNDLED", bundled)
    monkeypatch.setattr(modelset, "HISTORY", tmp_path / "models-history")
    return bundled


def test_promotion_refuses_a_regression_and_rollback_restores(sandbox_sets, small_corpus, tmp_path, capsys):
    before = json.loads((sandbox_sets / "manifest.json").read_text())["created"]
    # A set trained on a sliver of the corpus scores worse than the bundled one: refused.
    sliver = tmp_path / "sliver"
    sliver.mkdir()
    for src in sorted(small_corpus.glob("*.jsonl"))[:3]:
        shutil.copy(src, sliver / src.name)
    assert main(["train", "--corpus", str(sliver), "--promote"]) == 1
    assert "not promoted" in capsys.readouterr().err
    assert json.loads((sandbox_sets / "manifest.json").read_text())["created"] == before
    # Accepted on request; the old set is kept and comes back with rollback.
    time.sleep(1.1)  # sets are named by their creation second
    assert main(["train", "--corpus", str(sliver), "--promote", "--accept-regression"]) == 0
    assert json.loads((sandbox_sets / "manifest.json").read_text())["created"] != before
    assert main(["models", "list"]) == 0
    assert "(bundled)" in capsys.readouterr().out
    assert main(["models", "rollback"]) == 0
    assert json.loads((sandbox_sets / "manifest.json").read_text())["created"] == before
    vp.load(sandbox_sets)


def test_evaluate_compares_two_sets_per_label(sandbox_sets, capsys):
    assert main(["evaluate", "--model", str(sandbox_sets), "--against", str(BUNDLED)]) == 0
    out = capsys.readouterr().out
    assert "entity LOCATION F1" in out and "+0.000" in out


def test_a_killed_training_leaves_the_old_set_loadable(tmp_path):
    target = tmp_path / "set"
    shutil.copytree(BUNDLED, target)
    proc = subprocess.Popen([sys.executable, "-m", "vnpolicy_nlp.cli", "train", "--out", str(target)],
                            start_new_session=True, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # kill it while the CRF trains
        if "training the entity tagger" in line:
            time.sleep(2)
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert vp.load(target).entities is not None
    assert modelset.verify(target)


def test_the_readme_says_model_sets_are_data_and_what_is_refused():
    """Sets are no longer pickles (issue 14): the README says so, and says what a loader refuses."""
    readme = " ".join((CORPUS_DIR.parent / "README.md").read_text(encoding="utf-8").split())
    assert "Model sets are data, not pickles" in readme and "Loading a set runs no code from it" in readme
    assert "load sets only from places you trust" not in readme


def test_import_reports_bad_lines_wrong_formats_and_unreviewed_tasks(tmp_path, capsys):
    good = {"text": "Tuyển dụng công chức cấp xã", "entities": [], "cats": ["recruitment"], "province": "Lạng Sơn",
            "date": "2024-05-06", "id": "b-1"}
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(good, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    assert main(["import", str(mixed), "--from", "doccano", "--out", str(tmp_path / "o.jsonl")]) == 1
    assert f"{mixed}:2: not valid JSON" in capsys.readouterr().err
    assert main(["import", str(mixed), "--from", "label-studio", "--out", str(tmp_path / "o2.jsonl")]) == 1
    assert "use --from doccano" in capsys.readouterr().err
    assert main(["export", str(EXAMPLE), "--to", "label-studio", "--out", str(tmp_path / "t.json")]) == 0
    assert main(["import", str(tmp_path / "t.json"), "--from", "label-studio", "--out", str(tmp_path / "o3.jsonl")]) == 0
    assert "had no annotation" in capsys.readouterr().err


def test_a_span_cut_inside_a_word_is_refused(tmp_path, capsys):
    item = {"text": "UBND tỉnh chỉ đạo tuyển dụng", "entities": [[1, 9, "AGENCY"]], "cats": ["recruitment"],
            "province": "Lạng Sơn", "date": "2024-05-06", "id": "c-1"}
    src = tmp_path / "shifted.jsonl"
    src.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["import", str(src), "--from", "doccano", "--out", str(tmp_path / "o.jsonl")]) == 1
    assert "starts or ends inside a word" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_training_never_overwrites_a_folder_that_is_not_a_model_set(tmp_path, capsys):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("do not delete")
    assert main(["train", "--corpus", str(CORPUS_DIR / "directives" / "hea-01.jsonl"), "--out", str(keep)]) == 2
    assert "is not a model set" in capsys.readouterr().err
    assert (keep / "mine.txt").read_text() == "do not delete"
    assert main(["train", "--corpus", str(tmp_path / "nowhere.jsonl"), "--out", str(tmp_path / "new")]) == 2
    assert "nowhere.jsonl: no such file" in capsys.readouterr().err
    assert main(["evaluate", "--gold", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_the_gate_decides_on_dev_and_unseen_names_and_only_reports_test(sandbox_sets):
    from vnpolicy_nlp.promotion import gate

    one = CORPUS_DIR / "directives" / "hea-01.jsonl"
    verdict = gate(sandbox_sets, BUNDLED, [one])
    assert verdict.judged_on == "the dev and unseen-name splits" and verdict.fallen == []
    lines = verdict.table.splitlines()
    assert any(" dev " in l for l in lines) and any("test (report only)" in l for l in lines)
    gold = [r for r in read_jsonl(one)][:5]
    verdict = gate(sandbox_sets, BUNDLED, [CORPUS_DIR / "directives" / "bor-01.jsonl"], judge=gold, judge_name="g.jsonl")
    assert verdict.judged_on == "g.jsonl (5 records)" and "test (report only)" in verdict.table


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_judge_gold_that_is_in_training_is_refused_before_training(sandbox_sets, tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    shutil.copy(CORPUS_DIR / "directives" / "hea-01.jsonl", gold)
    assert main(["train", "--promote", "--judge", str(gold)]) == 2
    err = capsys.readouterr().err
    assert "also in the training corpus" in err and "[vnpolicy train]" not in err  # refused before training


def test_evaluate_gold_reports_every_label_with_a_bootstrap_interval(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    shutil.copy(CORPUS_DIR / "directives" / "hea-01.jsonl", gold)
    assert main(["evaluate", "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "95 % bootstrap intervals" in out
    table = out.split("95 % bootstrap intervals", 1)[1].splitlines()
    for label in ("AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER", "micro", "health", "recruitment"):
        row = next(l for l in table if l.split()[:2] in (["entity", label], ["topic", label]))
        f1, interval = row.split()[3], row.split()[4]
        lo, hi = map(float, interval.split("-"))
        assert lo <= float(f1) <= hi, row
