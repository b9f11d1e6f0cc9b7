"""Accuracy of entities, topics, deadlines and assignments, on data unlike the training data.

    python benchmarks/accuracy.py [--model DIR] [--quick]

Entities (exact spans, per label F1): the corpus test split; the unseen-name split (records whose
agency and place names never occur in training); the cross-author check (a tagger trained here on
the first corpus only, one authoring style, scored on corpus v2, written by seven other authors in
six genres: the closest the corpus comes to the gap real text shows); recall on names seen and
never seen in training; ``../shared/samples`` with a bootstrap interval; ``underthesea.ner`` (ORG,
LOC, PER mapped) side by side. Topics: per genre on the test split and with each genre held out of
training (leave one genre out), the cue-word baseline beside each, hard examples, expected
calibration error. Deadlines and assignments: the test split, per genre. ``--quick`` skips
everything that trains (the cross-author tagger and the held-out-genre classifiers). The sample
is skipped when ../shared is absent.
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

from vnpolicy_nlp.corpus import genre_of, held_out_names, load_taxonomy, read_records, split_records  # noqa: E402
from vnpolicy_nlp.entities.docnumbers import find_doc_numbers  # noqa: E402
from vnpolicy_nlp.entities.tagger import EntityTagger  # noqa: E402
from vnpolicy_nlp.evaluation import bootstrap_f1, ece, format_table, span_scores, topic_scores  # noqa: E402
from vnpolicy_nlp.modelset import BUNDLED, load_component  # noqa: E402
from vnpolicy_nlp.text import normalize  # noqa: E402
from vnpolicy_nlp.training import (evaluate_entities, evaluate_structure, predict_entity_spans,  # noqa: E402
                                   structure_by_held_out_genre, topic_predictions, topics_by_held_out_genre,
                                   train_entities, training_names)
from vnpolicy_nlp.words import _align  # noqa: E402

LABELS = load_taxonomy().entity_labels
GENRES = ("bulletin", "news", "decision", "dispatch", "register", "headline")
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


def _gold(records: list[dict]) -> list[set]:
    return [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in records]


def entity_row(name: str, predict, records: list[dict]) -> list:
    pred = [predict(r["text"]) for r in records]
    d = {k: v.as_dict() for k, v in span_scores(_gold(records), pred, LABELS).items()}
    return [name] + [f"{d[l]['f1']:.3f}" for l in LABELS] + \
        [f"{d['micro']['precision']:.3f}", f"{d['micro']['recall']:.3f}", f"{d['micro']['f1']:.3f}"]


def novelty_rows(name: str, scores: dict) -> list[list]:
    nov = scores["novelty"]
    return [[name, label, f"{nov[label]['seen']['recall']:.3f}", nov[label]["seen"]["support"],
             f"{nov[label]['unseen']['recall']:.3f}", nov[label]["unseen"]["support"]]
            for label in ("AGENCY", "LOCATION", "OFFICIAL")]


def keyword_baseline(texts: list[str], cues: dict[str, tuple[str, ...]]) -> list[list[str]]:
    low = {label: [normalize(c).text.lower() for c in words] for label, words in cues.items()}
    out = []
    for t in texts:
        canon = normalize(t).text.lower()
        out.append([label for label, words in low.items() if any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", canon)
                                                                  for w in words)])
    return out


def topic_row(title: str, records: list[dict], predictions, labels, cues) -> list:
    gold = [r["topics"] for r in records]
    ours = topic_scores(gold, [p.topics for p in predictions], labels)
    base = topic_scores(gold, keyword_baseline([r["text"] for r in records], cues), labels)
    return [title, len(records), f"{ours['macro_f1']:.3f}", f"{ours['exact_set_accuracy']:.3f}",
            f"{base['macro_f1']:.3f}", f"{base['exact_set_accuracy']:.3f}",
            f"{ece(gold, [p.scores for p in predictions], labels):.3f}"]


TOPIC_HEADER = ["records", "n", "classifier F1", "classifier exact", "cue words F1", "cue words exact", "ECE"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=BUNDLED)
    parser.add_argument("--quick", action="store_true", help="skip the evaluations that train models")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    records = read_records()
    splits = split_records()
    train, dev, test, unseen = splits["train"], splits["dev"], splits["test"], splits["unseen"]
    sample = sample_records()
    tagger = load_component(args.model, "entities")
    topics = load_component(args.model, "topics")
    structure = load_component(args.model, "structure")
    taxonomy = load_taxonomy()
    seen = training_names(train)

    # ------------------------------------------------------------ entities
    header = ["system", *LABELS, "micro P", "micro R", "micro F1"]
    systems = [
        ("hybrid (bundled)", lambda t: predict_entity_spans(tagger, t)),
        ("CRF alone", lambda t: predict_entity_spans(EntityTagger(tagger.crf, mode="crf"), t)),
        ("patterns + gazetteers (rules)", lambda t: predict_entity_spans(EntityTagger(None, mode="rules"), t)),
        ("patterns alone", lambda t: {(*normalize(t).to_original(s, e), "DOC_NUMBER")
                                      for s, e in find_doc_numbers(normalize(t).text)}),
        ("underthesea.ner (mapped)", underthesea_spans),
    ]
    v1_only = None
    if not args.quick:
        held = held_out_names(records)
        v1_only = train_entities([r for r in train if "genre" not in r], exclude=held)
    for title, recs in (("corpus test split", test), ("unseen-name split", unseen),
                        ("cross-author: corpus v2 (dev, test, unseen)", [r for s in ("dev", "test", "unseen")
                                                                          for r in splits[s] if "genre" in r]),
                        ("../shared/samples", sample)):
        if not recs:
            print(f"\n## Entities, {title}: skipped (not available)")
            continue
        rows = []
        if title.startswith("cross-author"):
            if v1_only is None:
                continue
            rows.append(entity_row("hybrid trained on the first corpus only", lambda t: predict_entity_spans(v1_only, t), recs))
            rows.append(entity_row("hybrid (bundled, saw other v2 records)", systems[0][1], recs))
        else:
            rows += [entity_row(name, fn, recs) for name, fn in (systems if len(recs) < 600 else systems[:4])]
        n_ents = sum(len(r["entities"]) for r in recs)
        print(f"\n## Entities, {title} ({len(recs)} records, {n_ents} gold entities; F1 per label, exact spans)\n")
        print(format_table(rows, header))
        if title == "../shared/samples":
            pred = [predict_entity_spans(tagger, r["text"]) for r in recs]
            f1, lo, hi = bootstrap_f1(_gold(recs), pred)
            print(f"\nhybrid micro-F1 {f1:.3f}, 95 % bootstrap interval over records [{lo:.3f}, {hi:.3f}] "
                  f"(a check to report, not a gate: 6 directives of one page)")

    print("\n## Recall on names seen in training and never seen (AGENCY, LOCATION, OFFICIAL)\n")
    rows = novelty_rows("test split", evaluate_entities(tagger, test, seen))
    rows += novelty_rows("unseen-name split", evaluate_entities(tagger, unseen, seen))
    if v1_only is not None:
        v2 = [r for s in ("dev", "test", "unseen") for r in splits[s] if "genre" in r]
        rows += novelty_rows("cross-author (first corpus only → v2)",
                             evaluate_entities(v1_only, v2, training_names([r for r in train if "genre" not in r])))
    print(format_table(rows, ["records", "label", "recall, seen", "n", "recall, unseen", "n"]))

    # ------------------------------------------------------------ topics
    labels = tuple(taxonomy.topics)
    print("\n## Topics per genre, test split (macro-F1 / exact-set; cue words of the guide beside)\n")
    rows = []
    for genre in GENRES:
        recs = [r for r in test if genre_of(r) == genre]
        if recs:
            rows.append(topic_row(genre, recs, topic_predictions(topics, recs), labels, taxonomy.cues))
    rows.append(topic_row("all test records", test, topic_predictions(topics, test), labels, taxonomy.cues))
    hard = [r for r in test + dev if r.get("hard")]
    rows.append(topic_row("hard examples (test + dev)", hard, topic_predictions(topics, hard), labels, taxonomy.cues))
    if sample:
        rows.append(topic_row("../shared/samples", sample, topic_predictions(topics, sample), labels, taxonomy.cues))
    print(format_table(rows, TOPIC_HEADER))
    if not args.quick:
        print("\n## Topics, each genre held out of training and calibration (leave one genre out)\n")
        every = train + dev + test + unseen
        by_genre = topics_by_held_out_genre(train, dev, every, labels)
        rows = []
        for genre, (clf, recs) in by_genre.items():
            rows.append(topic_row(genre, recs, topic_predictions(clf, recs), labels, taxonomy.cues))
        macro = sum(float(r[2]) for r in rows) / len(rows)
        exact = sum(float(r[3]) * r[1] for r in rows) / sum(r[1] for r in rows)
        print(format_table(rows, TOPIC_HEADER))
        print(f"\nheld-out genres: mean macro-F1 {macro:.3f}, exact-set over all their records {exact:.3f}")

    # ------------------------------------------------------------ deadlines and assignments
    # ------------------------------------------------------------ deadlines and assignments
    structure_header = ["genre", "records", "deadline span F1", "n", "date accuracy (matched)", "role accuracy (gold spans)",
                        "triple F1", "n"]

    def structure_row(name: str, recs: list[dict], stage) -> list:
        m = evaluate_structure(tagger, recs, stage)
        spans, triples = m["deadline_spans"], m["assignment_triples"]
        roles = stage.score(recs)["agency role accuracy (gold spans)"]
        return [name, m["records"], f"{spans['f1']:.3f}" if spans["support"] else "–", spans["support"],
                "–" if m["deadline_dates"]["accuracy"] is None else f"{m['deadline_dates']['accuracy']:.3f}",
                f"{roles:.3f}", f"{triples['f1']:.3f}" if triples["support"] else "–", triples["support"]]

    for split_name, split in (("test", test), ("dev", dev)):
        print(f"\n## Deadlines and assignments, {split_name} split (records annotated with them)\n")
        rows = []
        for genre in GENRES + ("all",):
            recs = [r for r in split if "deadlines" in r and (genre == "all" or genre_of(r) == genre)]
            if recs:
                rows.append(structure_row(genre, recs, structure))
        print(format_table(rows, structure_header))
    if not args.quick:
        print("\n## Deadlines and assignments, each genre held out of the role model's training\n")
        print("(scored on the genre's dev, test and unseen-name records; entities by the bundled tagger)\n")
        rows = [structure_row(genre, recs, stage)
                for genre, (stage, recs) in structure_by_held_out_genre(train, dev + test + unseen).items()]
        print(format_table(rows, structure_header))
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
