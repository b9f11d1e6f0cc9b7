"""Accuracy of entities and topics on the corpus test split and on ../shared/samples, in one run.

    python benchmarks/accuracy.py [--model DIR] [--no-retrain]

Entities (exact spans, per label P/R/F1): the bundled hybrid tagger; each part alone (patterns
only, patterns + gazetteers, the CRF alone, the CRF trained with gazetteer features — trained
here on the training split); and ``underthesea.ner`` with its labels mapped (ORG→AGENCY,
LOC→LOCATION, PER→OFFICIAL). Topics: the classifier next to a keyword baseline made from the
taxonomy's cue words, on test directives, test headlines alone and the sample; calibration
(Brier score) on test. The sample is skipped when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vnpolicy_nlp.corpus import load_taxonomy, split_records  # noqa: E402
from vnpolicy_nlp.entities.docnumbers import find_doc_numbers  # noqa: E402
from vnpolicy_nlp.entities.tagger import EntityTagger  # noqa: E402
from vnpolicy_nlp.evaluation import format_table, span_scores, topic_scores  # noqa: E402
from vnpolicy_nlp.modelset import BUNDLED, load_component  # noqa: E402
from vnpolicy_nlp.text import normalize  # noqa: E402
from vnpolicy_nlp.words import _align  # noqa: E402
from vnpolicy_nlp.training import predict_entity_spans, train_entities  # noqa: E402

LABELS = load_taxonomy().entity_labels
SHARED = Path(os.environ.get("VNPOLICY_SHARED", ROOT.parent / "shared")) / "samples"


def sample_records() -> list[dict]:
    gold = SHARED / "langson-week-sample.gold.jsonl"
    if not gold.exists():
        return []
    return [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]


def underthesea_spans(text: str) -> set[tuple[int, int, str]]:
    """underthesea.ner's entities as spans of ``text``, labels mapped to ours."""
    from underthesea import ner

    mapping = {"ORG": "AGENCY", "LOC": "LOCATION", "PER": "OFFICIAL"}
    norm = normalize(text)
    out = set()
    offset = 0
    for line in norm.text.split("\n"):
        if line.strip():
            rows = ner(line)
            spans = _align(line, offset, [r[0] for r in rows])
            if spans is not None:
                cur = None
                for (s, e), row in zip(spans, rows):
                    tag = row[3]
                    if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
                        if cur:
                            out.add(cur)
                        cur = (s, e, tag[2:])
                    elif tag.startswith("I-") and cur:
                        cur = (cur[0], e, cur[2])
                    else:
                        if cur:
                            out.add(cur)
                        cur = None
                if cur:
                    out.add(cur)
        offset += len(line) + 1
    return {(*norm.to_original(s, e), mapping[l]) for s, e, l in out if l in mapping}


def entity_rows(name: str, predict, records: list[dict]) -> tuple[list[list], float]:
    t0 = time.perf_counter()
    pred = [predict(r["text"]) for r in records]
    secs = time.perf_counter() - t0
    gold = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in records]
    scores = span_scores(gold, pred, LABELS)
    d = {k: v.as_dict() for k, v in scores.items()}  # rounded like the model card, so the figures agree
    row = [name] + [f"{d[l]['f1']:.3f}" for l in LABELS] + \
          [f"{d['micro']['precision']:.3f}", f"{d['micro']['recall']:.3f}", f"{d['micro']['f1']:.3f}"]
    return [row], secs


def keyword_baseline(texts: list[str], cues: dict[str, tuple[str, ...]]) -> list[list[str]]:
    low = {label: [normalize(c).text.lower() for c in words] for label, words in cues.items()}
    out = []
    for t in texts:
        canon = normalize(t).text.lower()
        out.append([label for label, words in low.items() if any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", canon)
                                                                  for w in words)])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=BUNDLED)
    parser.add_argument("--no-retrain", action="store_true", help="skip the CRF-with-gazetteer-features ablation")
    args = parser.parse_args(argv)
    splits = split_records()
    test = splits["test"]
    sample = sample_records()
    tagger = load_component(args.model, "entities")
    topics = load_component(args.model, "topics")
    taxonomy = load_taxonomy()

    systems = [
        ("hybrid (bundled)", lambda t: predict_entity_spans(tagger, t)),
        ("CRF alone", lambda t: predict_entity_spans(EntityTagger(tagger.crf, mode="crf"), t)),
        ("patterns + gazetteers (rules)", lambda t: predict_entity_spans(EntityTagger(None, mode="rules"), t)),
        ("patterns alone", lambda t: {(*normalize(t).to_original(s, e), "DOC_NUMBER")
                                      for s, e in find_doc_numbers(normalize(t).text)}),
    ]
    if not args.no_retrain:
        with_gaz = train_entities(splits["train"], gazetteers=True)
        systems.insert(2, ("CRF with gazetteer features + patterns", lambda t: predict_entity_spans(with_gaz, t)))
    systems.append(("underthesea.ner (mapped)", underthesea_spans))

    header = ["system", *LABELS, "micro P", "micro R", "micro F1"]
    for title, records in (("corpus test split", test), ("../shared/samples", sample)):
        if not records:
            print(f"\n## Entities, {title}: skipped (not available)")
            continue
        rows, times = [], []
        for name, fn in systems:
            r, secs = entity_rows(name, fn, records)
            rows += r
            times.append((name, secs))
        n_ents = sum(len(r["entities"]) for r in records)
        print(f"\n## Entities, {title} ({len(records)} records, {n_ents} gold entities; F1 per label, exact spans)\n")
        print(format_table(rows, header))

    print("\n## Topics (macro-F1 over the five topics / exact-set accuracy)\n")
    trows = []
    test_dir = [r for r in test if r.get("kind", "directive") == "directive"]
    sets = [("test directives", test_dir, False), ("test, headlines alone", test, True), ("test, all records", test, False)]
    if sample:
        sets.append(("../shared/samples", sample, False))
    for title, records, head_only in sets:
        texts = [r["headline"] if head_only else r["text"] for r in records]
        gold = [r["topics"] for r in records]
        ours = topic_scores(gold, [p.topics for p in topics.predict_topics(texts)], tuple(topics.classes_))
        base = topic_scores(gold, keyword_baseline(texts, taxonomy.cues), tuple(topics.classes_))
        trows.append([title, len(records), f"{ours['macro_f1']:.3f}", f"{ours['exact_set_accuracy']:.3f}",
                      f"{base['macro_f1']:.3f}", f"{base['exact_set_accuracy']:.3f}"])
    print(format_table(trows, ["records", "n", "classifier F1", "classifier exact", "keywords F1", "keywords exact"]))

    texts = [r["text"] for r in test]
    preds = topics.predict_topics(texts)
    per = topic_scores([r["topics"] for r in test], [p.topics for p in preds], tuple(topics.classes_))["per_label"]
    from vnpolicy_nlp.evaluation import brier

    cal = brier([r["topics"] for r in test], [p.scores for p in preds], tuple(topics.classes_))
    print("\n## Topics per label, test split (all records)\n")
    print(format_table([[l, f"{per[l]['precision']:.3f}", f"{per[l]['recall']:.3f}", f"{per[l]['f1']:.3f}",
                         per[l]["support"], f"{cal['brier'][l]:.4f}", f"{topics.thresholds[l]:.2f}"] for l in tuple(topics.classes_)],
                       ["topic", "P", "R", "F1", "support", "Brier", "threshold"]))
    print("\nReliability (all topics pooled): " + ", ".join(
        f"{row['bin']}: {row['observed'] if row['observed'] is not None else '-'} (n={row['n']})" for row in cal["reliability"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
