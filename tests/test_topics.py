"""Topics: held-out accuracy, the real sample, calibration, explanations, taxonomy as data."""
import json
import shutil

import pytest

from vnpolicy_nlp.corpus import CORPUS_DIR, split_records
from vnpolicy_nlp.modelset import BUNDLED, load_component, read_manifest
from vnpolicy_nlp.training import evaluate_topics


@pytest.fixture(scope="module")
def classifier():
    return load_component(BUNDLED, "topics")


def test_held_out_test_split_meets_the_bar(classifier):
    test = split_records()["test"]
    full = evaluate_topics(classifier, test)
    heads = evaluate_topics(classifier, test, headline_only=True)
    assert full["macro_f1"] >= 0.92 and full["exact_set_accuracy"] >= 0.85
    assert heads["macro_f1"] >= 0.85


def test_every_directive_of_the_real_sample_gets_its_gold_topics(nlp, sample):
    page, gold = sample
    assert [sorted(r.topics) for r in nlp.tag_bulletin(page)] == [sorted(g["topics"]) for g in gold]


def test_scores_are_probabilities_and_calibration_is_reported(classifier):
    manifest = read_manifest(BUNDLED)
    cal = manifest["metrics"]["topics_test"]["calibration"]
    assert set(cal["brier"]) == set(classifier.classes_)
    assert all(0 <= b < 0.1 for b in cal["brier"].values())
    pred = classifier.predict_topics(["Tăng cường phòng, chống dịch sốt xuất huyết trên địa bàn tỉnh"])[0]
    assert all(0.0 <= p <= 1.0 for p in pred.scores.values())
    assert pred.topics == ["health"]


def test_thresholds_come_from_dev_not_test(classifier):
    manifest = read_manifest(BUNDLED)
    assert manifest["topic_thresholds"] == classifier.thresholds
    assert set(manifest["data"]["sizes"]) == {"train", "dev", "test"}


def test_explain_names_terms_of_the_text(nlp):
    rec = nlp("Kế hoạch tuyển dụng công chức năm 2025\n\nSở Nội vụ tổ chức thi tuyển công chức cấp xã.")
    assert rec.topics == ["recruitment"]
    terms = [t for t, _ in rec.explain()["recruitment"]]
    assert any("tuyển" in t for t in terms)


def test_a_sixth_topic_in_the_taxonomy_is_trained_with_no_code_change(tmp_path):
    """An annotator adds "education" to the taxonomy and to some records, and retrains."""
    from vnpolicy_nlp.pipeline import load
    from vnpolicy_nlp.training import train_model_set

    taxonomy = json.loads((CORPUS_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    taxonomy["topics"].append({"label": "education", "name": "Education", "covers": "schools and exams", "cues": []})
    tax_path = tmp_path / "taxonomy.json"
    tax_path.write_text(json.dumps(taxonomy, ensure_ascii=False), encoding="utf-8")
    corpus = tmp_path / "directives"
    corpus.mkdir()
    for src in sorted((CORPUS_DIR / "directives").glob("*.jsonl")):
        if src.name.startswith(("ota", "hea", "rec")):
            lines = []
            for line in src.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                if rec.get("subject") == "education":
                    rec["topics"] = ["education"]
                lines.append(json.dumps(rec, ensure_ascii=False))
            (corpus / src.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "models"
    train_model_set([corpus], out, taxonomy_path=tax_path)
    nlp = load(out)
    rec = nlp("Chuẩn bị năm học mới 2025-2026\n\nSở Giáo dục và Đào tạo yêu cầu các trường học rà soát cơ sở vật chất, "
              "sách giáo khoa, bố trí đủ phòng học trước ngày khai giảng.")
    assert "education" in rec.topic_scores
    assert "education" in rec.topics
    shutil.rmtree(out)
