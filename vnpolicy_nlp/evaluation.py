"""Metrics: exact-span entity P/R/F1 per label, multi-label topic P/R/F1, calibration."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass, field

__all__ = ["PRF", "DeadlineScore", "span_scores", "topic_scores", "brier", "format_table", "novelty_recall", "bootstrap_f1", "ece"]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "support": self.tp + self.fn}

    def add(self, gold: AbstractSet, pred: AbstractSet) -> None:
        """Count one item's exact matches between a gold and a predicted set."""
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)


@dataclass
class DeadlineScore:
    """Deadline spans matched exactly, and the dates of the matched ones (ANNOTATION.md, deadlines)."""

    spans: PRF = field(default_factory=PRF)
    dates_right: int = 0
    dates_n: int = 0

    def add(self, gold: Mapping[tuple[int, int], str | None], pred: Mapping[tuple[int, int], str | None]) -> None:
        """One item's deadlines, each ``(start, end) → ISO date or None``."""
        self.spans.add(gold.keys(), pred.keys())
        for key in gold.keys() & pred.keys():
            self.dates_n += 1
            self.dates_right += gold[key] == pred[key]

    @property
    def date_accuracy(self) -> float | None:
        return self.dates_right / self.dates_n if self.dates_n else None


def span_scores(gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]],
                labels: tuple[str, ...]) -> dict[str, PRF]:
    """Exact-match scores per label, plus ``micro`` over all labels."""
    scores = {label: PRF() for label in labels}
    for g, p in zip(gold, pred):
        for label in labels:
            gl = {x for x in g if x[2] == label}
            pl = {x for x in p if x[2] == label}
            scores[label].add(gl, pl)
    scores["micro"] = PRF(sum(s.tp for s in scores.values()), sum(s.fp for s in scores.values()),
                          sum(s.fn for s in scores.values()))
    return scores


def novelty_recall(texts: list[str], gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]],
                   seen: set[str], labels: tuple[str, ...], key=None) -> dict[str, dict[str, dict]]:
    """Recall of gold spans whose surface form occurs in training (``seen``) and of those that do
    not, per label: how much of a tagger's accuracy is memorised names."""
    key = key or (lambda s: " ".join(s.lower().split()))
    out = {label: {"seen": PRF(), "unseen": PRF()} for label in labels}
    for text, g, p in zip(texts, gold, pred):
        for s, e, label in g:
            if label not in out:
                continue
            bucket = out[label]["seen" if key(text[s:e]) in seen else "unseen"]
            if (s, e, label) in p:
                bucket.tp += 1
            else:
                bucket.fn += 1
    return {label: {k: {"recall": round(v.recall, 4), "support": v.tp + v.fn} for k, v in d.items()}
            for label, d in out.items()}


def bootstrap_f1(gold: list[set], pred: list[set], n: int = 1000, seed: int = 7) -> tuple[float, float, float]:
    """Micro-F1 and its 95 % bootstrap interval over records (records resampled with replacement)."""
    import random

    rng = random.Random(seed)
    per = [(len(g & p), len(p - g), len(g - p)) for g, p in zip(gold, pred)]

    def f1(rows) -> float:
        tp, fp, fn = (sum(r[i] for r in rows) for i in range(3))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    if not per:
        return 0.0, 0.0, 0.0
    stats = sorted(f1([per[rng.randrange(len(per))] for _ in per]) for _ in range(n))
    return f1(per), stats[int(0.025 * n)], stats[int(0.975 * n) - 1]


def ece(gold: list[list[str]], probs: list[dict[str, float]], labels: tuple[str, ...], bins: int = 10) -> float:
    """Expected calibration error over every (record, topic) decision, equal-width bins."""
    count = [0] * bins
    conf = [0.0] * bins
    hit = [0.0] * bins
    for g, p in zip(gold, probs):
        for label in labels:
            q = p[label]
            b = min(bins - 1, int(q * bins))
            count[b] += 1
            conf[b] += q
            hit[b] += 1.0 if label in g else 0.0
    total = sum(count)
    return sum(abs(hit[b] - conf[b]) for b in range(bins) if count[b]) / total if total else 0.0


def topic_scores(gold: list[list[str]], pred: list[list[str]], labels: tuple[str, ...]) -> dict:
    """Per-topic P/R/F1, macro-F1 and exact-set accuracy."""
    per = {label: PRF() for label in labels}
    for g, p in zip(gold, pred):
        for label in labels:
            if label in p and label in g:
                per[label].tp += 1
            elif label in p:
                per[label].fp += 1
            elif label in g:
                per[label].fn += 1
    exact = sum(set(g) == set(p) for g, p in zip(gold, pred)) / max(1, len(gold))
    # A topic absent from both gold and predictions has no F1 to speak of: it is left out of the mean.
    present = [s for s in per.values() if s.tp + s.fp + s.fn]
    macro = sum(s.f1 for s in present) / max(1, len(present))
    return {"per_label": {k: v.as_dict() for k, v in per.items()}, "macro_f1": round(macro, 4),
            "exact_set_accuracy": round(exact, 4), "n": len(gold)}


def brier(gold: list[list[str]], probs: list[dict[str, float]], labels: tuple[str, ...]) -> dict:
    """Brier score per topic and a ten-bin reliability table over all topics."""
    per = {}
    bins: Counter = Counter()
    hits: Counter = Counter()
    for label in labels:
        errs = []
        for g, p in zip(gold, probs):
            y = 1.0 if label in g else 0.0
            errs.append((p[label] - y) ** 2)
            b = min(9, int(p[label] * 10))
            bins[b] += 1
            hits[b] += y
        per[label] = round(sum(errs) / max(1, len(errs)), 4)
    table = [{"bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}", "n": bins[b],
              "observed": round(hits[b] / bins[b], 3) if bins[b] else None} for b in range(10)]
    return {"brier": per, "reliability": table}


def _numeric(cell: str) -> bool:
    try:
        float(cell.rstrip("x%").replace(",", ""))
        return True
    except ValueError:
        return False


def format_table(rows: list[list], header: list[str]) -> str:
    """A plain aligned text table: numbers to the right, words to the left."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(out)
