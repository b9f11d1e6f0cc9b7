"""The promotion gate, and per-label scores with bootstrap intervals on the user's own gold.

A new set replaces the bundled one only if no headline metric falls by more than one point on
the data that decides: the user's own gold (``--judge``), kept outside the repository, or else
the corpus dev split and the unseen-name split. The test split is only reported, never used to
decide, so it stays an honest estimate.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["WEIGHT_IMPORTED", "Verdict", "gate", "gold_report", "leaked"]

# Imported real corrections count this many times in training (``--weight-imported``); the
# measurement behind it is benchmarks/weight_imported.py (README, "Adapting to a province").
WEIGHT_IMPORTED = 3


@dataclass
class Verdict:
    judged_on: str
    table: str
    fallen: list[str] = field(default_factory=list)
    refusal: str | None = None  # the gate cannot judge (e.g. the judge's records are in training)


def leaked(judge: list[dict], corpus) -> list[str]:
    """Judge records that are also in the training data (same id or same text)."""
    from .corpus import split_records

    train = split_records(corpus)["train"]
    ids = {r["id"] for r in train}
    texts = {unicodedata.normalize("NFC", r["text"]) for r in train}
    return [r["id"] for r in judge if r["id"] in ids or unicodedata.normalize("NFC", r["text"]) in texts]


def gate(candidate: Path, current: Path, corpus=None, judge: list[dict] | None = None,
         judge_name: str | None = None) -> Verdict:
    from .corpus import split_records
    from .evaluation import format_table
    from .training import HEADLINE_METRICS, STRUCTURE_METRICS, live_metrics, regressions

    rows: list[list[str]] = []
    fallen: list[str] = []

    def compare(records: list[dict], where: str, decides: bool, keys=HEADLINE_METRICS) -> None:
        if not records:
            rows.append(["(no records)", where, "-", "-", "-"])
            return
        new, old = live_metrics(candidate, records), live_metrics(current, records)
        keys = [k for k in keys if k in new and k in old]  # a set without the component has no such metric
        for k in keys:
            rows.append([k, where + ("" if decides else " (report only)"), f"{old[k]:.3f}", f"{new[k]:.3f}",
                         f"{new[k] - old[k]:+.3f}"])
        if decides:
            fallen.extend(f"{k} ({where})" for k in regressions({k: new[k] for k in keys}, {k: old[k] for k in keys}))

    splits = split_records(corpus)
    if judge is not None:
        seen = leaked(judge, corpus)
        if seen:
            return Verdict(judge_name or "gold", "", refusal=f"{judge_name}: {len(seen)} judge record(s) are also in "
                           f"the training corpus ({', '.join(seen[:5])}); a judge must be data the set never saw")
        where = f"{judge_name} ({len(judge)} records)"
        compare(judge, where, True)
        judged_on = where
    else:
        compare(splits["dev"], "dev", True)
        compare(splits["unseen"], "unseen names", True, keys=("entities micro-F1",))
        # deadlines and roles, on the dev records annotated with them: reported, not gated
        compare([r for r in splits["dev"] if "assignments" in r], "dev, deadlines annotated", False, keys=STRUCTURE_METRICS)
        judged_on = "the dev and unseen-name splits"
    compare(splits["test"], "test", False)
    table = format_table(rows, ["metric", "on", "current", "new", "change"])
    return Verdict(judged_on, table, fallen)


def gold_report(model_dir: Path, records: list[dict], n: int = 1000) -> list[list[str]]:
    """Rows ``[kind, label, support, F1, 95 % interval]`` per entity label and topic, and micro
    over entities, with intervals from resampling records (:func:`bootstrap_f1`)."""
    from .evaluation import bootstrap_f1
    from .modelset import load_component, read_manifest
    from .training import predict_entity_spans

    manifest = read_manifest(model_dir)
    tagger = load_component(model_dir, "entities", manifest)
    topics = load_component(model_dir, "topics", manifest)
    gold_e = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in records]
    pred_e = [predict_entity_spans(tagger, r["text"]) for r in records]
    gold_t = [set(r["topics"]) for r in records]
    pred_t = [set(p.topics) for p in topics.predict_topics([r["text"] for r in records])]
    rows = []

    def row(kind: str, label: str, g: list[set], p: list[set]) -> None:
        f1, lo, hi = bootstrap_f1(g, p, n=n)
        rows.append([kind, label, str(sum(len(x) for x in g)), f"{f1:.3f}", f"{lo:.3f}-{hi:.3f}"])

    labels = sorted({x[2] for s in gold_e + pred_e for x in s} | set(manifest.get("labels", {}).get("entities", [])))
    for label in labels:
        row("entity", label, [{x for x in s if x[2] == label} for s in gold_e],
            [{x for x in s if x[2] == label} for s in pred_e])
    row("entity", "micro", gold_e, pred_e)
    for label in topics.labels:
        row("topic", label, [{label} & s for s in gold_t], [{label} & s for s in pred_t])
    return rows
