"""The measurements behind the models' design choices, made without the test split.

    python benchmarks/model_selection.py [--topics] [--entities]

Topics: 4-fold cross-validation over train+dev (in each fold a fifth of the training part
calibrates), for feature sets and regularisation. Entities: the syllable CRF trained on train
and scored on dev, with and without the gazetteer features, and with fewer iterations; with
``--spacy``, spaCy's NER component trained on the same syllables (about two minutes).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vnpolicy_nlp.corpus import load_taxonomy, split_records  # noqa: E402
from vnpolicy_nlp.entities.crf import CRFTagger  # noqa: E402
from vnpolicy_nlp.entities.tagger import EntityTagger  # noqa: E402
from vnpolicy_nlp.evaluation import format_table, topic_scores  # noqa: E402
from vnpolicy_nlp.topics import TopicClassifier  # noqa: E402
from vnpolicy_nlp.training import entity_training_docs, evaluate_entities, topic_training_texts  # noqa: E402

ENTITY_LABELS = load_taxonomy().entity_labels

TOPIC_CONFIGS = [
    ("syllable n-grams, C=4", dict(C=4.0, headline_weight=1.0, char_weight=0.0)),
    ("syllable n-grams, C=16, headline x1.5", dict(C=16.0, headline_weight=1.5, char_weight=0.0)),
    ("+ char 2-5-grams x1", dict(C=16.0, headline_weight=1.5, char_weight=1.0)),
    ("+ char 2-5-grams x2 (default)", dict(C=16.0, headline_weight=1.5, char_weight=2.0)),
    ("+ char 2-5-grams x3", dict(C=16.0, headline_weight=1.5, char_weight=3.0)),
]


def topic_cv(pool: list[dict], labels: tuple[str, ...], params: dict, k: int = 4) -> tuple[float, float, float]:
    folds = [pool[i::k] for i in range(k)]
    f1, exact, heads = [], [], []
    for i in range(k):
        held = folds[i]
        rest = [r for j, f in enumerate(folds) if j != i for r in f]
        cal = rest[::5]
        fit = [r for n, r in enumerate(rest) if n % 5]
        texts, ys = topic_training_texts(fit)
        clf = TopicClassifier(labels, **params).fit(texts, ys).calibrate([r["text"] for r in cal],
                                                                          [r["topics"] for r in cal])
        gold = [r["topics"] for r in held]
        s = topic_scores(gold, [p.topics for p in clf.predict_topics([r["text"] for r in held])], labels)
        f1.append(s["macro_f1"])
        exact.append(s["exact_set_accuracy"])
        heads.append(topic_scores(gold, [p.topics for p in clf.predict_topics([r["headline"] for r in held])],
                                  labels)["macro_f1"])
    return float(np.mean(f1)), float(np.mean(exact)), float(np.mean(heads))


def spacy_ner_row(train: list[dict], dev: list[dict], epochs: int) -> list:
    """spaCy's NER component (blank pipeline, default tok2vec) on the same syllable tokens."""
    import random

    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    from vnpolicy_nlp.evaluation import span_scores
    from vnpolicy_nlp.text import normalize
    from vnpolicy_nlp.words import syllable_spans
    from vnpolicy_nlp.training import _normalised_gold

    nlp = spacy.blank("xx")
    ner = nlp.add_pipe("ner")
    for label in ENTITY_LABELS:
        ner.add_label(label)

    def doc_of(text: str) -> tuple[Doc, list[tuple[int, int]]]:
        spans = syllable_spans(text)
        words = [text[s:e] for s, e in spans]
        spaces = [spans[k + 1][0] > spans[k][1] if k + 1 < len(spans) else False for k in range(len(spans))]
        return Doc(nlp.vocab, words=words, spaces=spaces), spans

    examples = []
    for rec in train:
        text, gold = _normalised_gold(rec)
        doc, spans = doc_of(text)
        offsets = {}
        for s, e in spans:
            offsets[s] = len(offsets)
        ents = []
        pos = {s: doc[i].idx for i, (s, _) in enumerate(spans)}
        ends = {e: doc[i].idx + len(doc[i]) for i, (_, e) in enumerate(spans)}
        for s, e, label in gold:
            if s in pos and e in ends:
                ents.append((pos[s], ends[e], label))
        examples.append(Example.from_dict(doc, {"entities": ents}))
    t0 = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(0)
    for _ in range(epochs):
        rng.shuffle(examples)
        for k in range(0, len(examples), 16):
            nlp.update(examples[k:k + 16], sgd=optimizer, drop=0.2)
    secs = time.perf_counter() - t0
    gold_sets, pred_sets = [], []
    for rec in dev:
        norm = normalize(rec["text"])
        doc, spans = doc_of(norm.text)
        doc = nlp(doc)
        char = {doc[i].idx: s for i, (s, _) in enumerate(spans)}
        char_end = {doc[i].idx + len(doc[i]): e for i, (_, e) in enumerate(spans)}
        pred = set()
        for ent in doc.ents:
            s, e = char[ent.start_char], char_end[ent.end_char]
            pred.add((*norm.to_original(s, e), ent.label_))
        pred_sets.append(pred)
        gold_sets.append({(e["start"], e["end"], e["label"]) for e in rec["entities"]})
    scores = span_scores(gold_sets, pred_sets, ENTITY_LABELS)
    return [f"spaCy NER ({epochs} epochs, no patterns)"] + \
        [f"{scores[k].f1:.3f}" for k in (*ENTITY_LABELS, "micro")] + [f"{secs:.0f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", action="store_true")
    parser.add_argument("--entities", action="store_true")
    parser.add_argument("--spacy", action="store_true", help="also train spaCy's NER on the same syllables (slow)")
    parser.add_argument("--spacy-epochs", type=int, default=10)
    args = parser.parse_args(argv)
    both = not (args.topics or args.entities)
    splits = split_records()
    labels = load_taxonomy().topics
    if args.topics or both:
        rows = []
        for name, params in TOPIC_CONFIGS:
            t0 = time.perf_counter()
            f1, exact, heads = topic_cv(splits["train"] + splits["dev"], labels, params)
            rows.append([name, f"{f1:.3f}", f"{exact:.3f}", f"{heads:.3f}", f"{time.perf_counter() - t0:.0f}"])
        print("## Topics: 4-fold cross-validation over train+dev\n")
        print(format_table(rows, ["features", "macro-F1", "exact set", "headlines F1", "seconds"]))
    if args.entities or both:
        rows = []
        docs = entity_training_docs(splits["train"])
        for name, crf in (("CRF + gazetteer features, 120 it.", CRFTagger(gazetteers=True)),
                          ("CRF, no gazetteer features, 120 it. (default)", CRFTagger(gazetteers=False)),
                          ("CRF, no gazetteer features, 60 it.", CRFTagger(gazetteers=False, max_iterations=60))):
            t0 = time.perf_counter()
            crf.fit(docs)
            secs = time.perf_counter() - t0
            m = evaluate_entities(EntityTagger(crf=crf), splits["dev"])
            rows.append([name] + [f"{m[k]['f1']:.3f}" for k in (*ENTITY_LABELS, "micro")]
                        + [f"{secs:.0f}"])
        if args.spacy:
            rows.append(spacy_ner_row(splits["train"], splits["dev"], args.spacy_epochs))
        print("\n## Entities: trained on train, scored on dev (F1, exact spans)\n")
        print(format_table(rows, ["tagger", *ENTITY_LABELS, "micro", "train s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
