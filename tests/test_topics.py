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


def test_the_manifest_records_the_thresholds_and_the_split_sizes(classifier):
    manifest = read_manifest(BUNDLED)
    assert manifest["topic_thresholds"] == classifier.thresholds
    assert set(manifest["data"]["sizes"]) == {"train", "dev", "test", "unseen"}


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


@pytest.fixture(scope="module")
def small_fit():
    from vnpolicy_nlp.taxonomy import topic_labels
    from vnpolicy_nlp.topics import TopicClassifier

    splits = split_records()
    train, dev = splits["train"][::3], splits["dev"]
    clf = TopicClassifier(topic_labels(), C=4.0).fit([r["text"] for r in train], [r["topics"] for r in train],
                                                     X_calib=[r["text"] for r in dev], y_calib=[r["topics"] for r in dev])
    return clf, dev


def test_the_classifier_follows_the_scikit_learn_estimator_contract(small_fit):
    import numpy as np
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.multiclass import OneVsRestClassifier

    clf, dev = small_fit
    params = clf.get_params()
    assert set(params) == {"labels", "C", "headline_weight", "char_weight"} and params["C"] == 4.0
    fresh = clone(clf)
    assert fresh.get_params() == params and not hasattr(fresh, "estimator_")  # nothing done in __init__
    assert fresh.set_params(C=2.0).C == 2.0
    fitted = [k for k in vars(clf) if k not in params]
    assert fitted and all(k.endswith("_") for k in fitted), fitted
    assert isinstance(clf.estimator_, OneVsRestClassifier)
    assert all(isinstance(c, CalibratedClassifierCV) for c in clf.calibrators_)
    assert all(isinstance(d, FixedThresholdClassifier) for d in clf.deciders_)
    texts = [r["text"] for r in dev[:40]]
    P, Y = clf.predict_proba(texts), clf.predict(texts)
    limits = np.array([clf.thresholds_[label] for label in clf.classes_])
    assert P.shape == Y.shape == (40, len(clf.classes_)) and ((P >= 0) & (P <= 1)).all()
    assert (Y == (P >= limits)).all()
    assert [list(clf.classes_[row.astype(bool)]) for row in Y] == [p.topics for p in clf.predict_topics(texts)]


def test_bad_training_input_is_named(small_fit):
    from vnpolicy_nlp.topics import TopicClassifier

    with pytest.raises(ValueError, match=r"y\[1\]: topics \['weather'\] are not in the label set"):
        TopicClassifier(("health",)).fit(["a b", "c d"], [["health"], ["weather"]])
    with pytest.raises(TypeError, match="list of topics"):
        TopicClassifier(("health",)).fit(["a b", "c d"], ["health", []])
    with pytest.raises(TypeError, match="not one string"):
        small_fit[0].predict("one text")
    with pytest.raises(RuntimeError, match="not fitted"):
        TopicClassifier(("health",)).predict(["x"])


def test_saved_as_data_it_predicts_the_same_and_the_fast_scorer_agrees(small_fit):
    import numpy as np

    from vnpolicy_nlp.topic_scoring import TopicScorer
    from vnpolicy_nlp.topics import TopicClassifier

    clf, dev = small_fit
    files = clf.to_files()
    assert set(files) == {"topics.json", "topics.npz"} and files["topics.npz"][:2] == b"PK"
    texts = [r["text"] for r in dev] + [r["headline"] for r in dev]
    back = TopicClassifier.from_files(files)
    assert back.get_params() == clf.get_params()
    assert np.array_equal(back.predict_proba(texts), clf.predict_proba(texts))
    scorer = TopicScorer.from_files(files)
    assert np.abs(scorer.predict_proba(texts) - clf.predict_proba(texts)).max() < 1e-6
    assert [p.topics for p in scorer.predict_topics(texts)] == [p.topics for p in clf.predict_topics(texts)]
    assert scorer.explain(texts[0], topics=list(clf.classes_)) == clf.explain(texts[0], topics=list(clf.classes_))
