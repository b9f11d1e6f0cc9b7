"""Inter-annotator agreement: the corpus labels against the independent second annotation of a
10 % random sample (``corpora/agreement/second_annotation.jsonl`` for the first corpus,
``corpora/agreement/v2-second-*.markup.jsonl`` for corpus v2, whose second annotators saw only the
plain text and the guide).

    python benchmarks/agreement.py [--show]

It reports twice: the first annotation as written, before any review
(``first_annotation_before_review.jsonl``, the honest agreement figure), and the corpus as it
stands after the review that resolved the disagreements. Entity agreement is exact-span F1 with
the first annotation as reference; topic agreement is
exact-set agreement and Cohen's kappa per topic. ``--show`` lists every remaining disagreement.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vnpolicy_nlp.corpus import genre_of, load_taxonomy, read_records  # noqa: E402
from vnpolicy_nlp.evaluation import PRF, DeadlineScore, format_table, span_scores  # noqa: E402
from vnpolicy_nlp.markup import parse_markup  # noqa: E402

LABELS = load_taxonomy().entity_labels


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def report(title: str, first: dict[str, dict], second: list[dict]) -> None:
    ids = [r["id"] for r in second]
    for r in second:
        if first[r["id"]]["text"] != r["text"]:
            raise SystemExit(f"{r['id']}: the corpus text changed since the second annotation")
    gold = [{(e["start"], e["end"], e["label"]) for e in first[i]["entities"]} for i in ids]
    other = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in second]
    scores = span_scores(gold, other, LABELS)
    print(f"## {title}: {len(ids)} records, {sum(len(g) for g in gold)} entities\n")
    print(format_table([[k, f"{v.precision:.3f}", f"{v.recall:.3f}", f"{v.f1:.3f}"] for k, v in scores.items()],
                       ["entities", "P", "R", "F1"]))
    topics = load_taxonomy().topics
    exact = sum(set(first[i]["topics"]) == set(r["topics"]) for i, r in zip(ids, second)) / len(ids)
    rows = [[t, f"{kappa([t in first[i]['topics'] for i in ids], [t in r['topics'] for r in second]):.3f}"]
            for t in topics]
    print(f"\nTopic sets identical: {exact:.3f}\n")
    print(format_table(rows, ["topic", "Cohen's kappa"]))
    print()


def _triples(record: dict) -> set:
    ents, dls = record["entities"], record.get("deadlines", [])
    return {((ents[a["agency"]]["start"], ents[a["agency"]]["end"]), a["role"],
             (dls[a["deadline"]]["start"], dls[a["deadline"]]["end"]) if a.get("deadline") is not None else None)
            for a in record.get("assignments", [])}


def report_v2(first: dict[str, dict]) -> None:
    """Corpus v2 against its second annotation: entities, topics per label and per genre,
    deadlines (spans, and dates on matched spans) and assignment triples."""
    second = []
    for path in sorted((ROOT / "corpora" / "agreement").glob("v2-second-*.markup.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                parsed = parse_markup(raw["markup"])
                second.append({"id": raw["id"], "topics": raw["topics"], "text": parsed.text,
                               "entities": parsed.entities, "deadlines": parsed.deadlines,
                               "assignments": parsed.assignments})
    if not second:
        return
    second = [r for r in second if r["id"] in first and first[r["id"]]["text"] == r["text"]]
    ids = [r["id"] for r in second]
    print(f"## Corpus v2: {len(ids)} records annotated twice (second annotator: text and guide only)\n")
    gold = [{(e["start"], e["end"], e["label"]) for e in first[i]["entities"]} for i in ids]
    other = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in second]
    scores = span_scores(gold, other, LABELS)
    print(format_table([[k, f"{v.precision:.3f}", f"{v.recall:.3f}", f"{v.f1:.3f}", v.tp + v.fn]
                        for k, v in scores.items()], ["entities", "P", "R", "F1", "n"]))
    topics = load_taxonomy().topics
    rows = [[t, sum(t in first[i]["topics"] for i in ids),
             f"{kappa([t in first[i]['topics'] for i in ids], [t in r['topics'] for r in second]):.3f}"] for t in topics]
    print()
    print(format_table(rows, ["topic", "n (first)", "Cohen's kappa"]))
    by_genre: dict[str, list[bool]] = {}
    for i, r in zip(ids, second):
        by_genre.setdefault(genre_of(first[i]), []).append(set(first[i]["topics"]) == set(r["topics"]))
    print()
    print(format_table([[g, len(v), f"{sum(v) / len(v):.3f}"] for g, v in sorted(by_genre.items())],
                       ["genre", "records", "topic sets identical"]))
    deadlines, triples = DeadlineScore(), PRF()
    for i, r in zip(ids, second):
        f = first[i]
        deadlines.add({(d["start"], d["end"]): d["date"] for d in f.get("deadlines", [])},
                      {(d["start"], d["end"]): d["date"] for d in r["deadlines"]})
        triples.add(_triples(f), _triples(r))
    spans, matched = deadlines.spans, deadlines.dates_n
    print()
    print(format_table([["deadline spans", f"{spans.f1:.3f}", spans.tp + spans.fn],
                        ["deadline dates, matched spans", f"{deadlines.date_accuracy:.3f}" if matched else "–", matched],
                        ["assignment triples (agency, role, deadline)", f"{triples.f1:.3f}", triples.tp + triples.fn]],
                       ["structure", "F1 / agreement", "n (first)"]))
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    second = [json.loads(line) for line in (ROOT / "corpora" / "agreement" / "second_annotation.jsonl")
              .read_text(encoding="utf-8").splitlines() if line.strip()]
    before = {}
    for line in (ROOT / "corpora" / "agreement" / "first_annotation_before_review.jsonl").read_text(
            encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            before[rec["id"]] = rec
    now = {r.id: r.data for r in read_records()}
    for title, first in (("first annotation before review", before), ("corpus after review", now)):
        report(title, first, second)
    report_v2(now)
    first = now
    ids = [r["id"] for r in second]
    gold = [{(e["start"], e["end"], e["label"]) for e in first[i]["entities"]} for i in ids]
    other = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in second]
    if args.show:
        for i, r, g, o in zip(ids, second, gold, other):
            text = r["text"]
            for s, e, label in sorted(g - o):
                print(f"{i}: corpus only {label} {text[s:e]!r}")
            for s, e, label in sorted(o - g):
                print(f"{i}: second only {label} {text[s:e]!r}")
            if set(first[i]["topics"]) != set(r["topics"]):
                print(f"{i}: topics corpus {first[i]['topics']} / second {r['topics']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
