"""The learned filter of deadline candidates: is this time expression a limit the directive sets?

The patterns of :mod:`vnpolicy_nlp.structure` find time expressions with high recall; whether
one is a deadline depends on its sentence. "Báo cáo kết quả hằng tháng" sets a duty, "đón hàng
nghìn lượt khách mỗi ngày" counts visitors; "hoàn thành trong quý IV" sets a limit, "đã tiêu hủy
trong tháng 5" reports one. A logistic regression over the words around each candidate, its kind
and the rules' own decision is trained on the annotated records (ANNOTATION.md, "Deadlines and
assignments") and decides.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .linear_model import SparseLinear
from .words import lower_words
from .structure import _COMPLETE, Candidate, deadline_candidates

__all__ = ["DeadlineJudge", "candidate_features", "gold_candidate_examples"]

_QUANTITY = re.compile(r"\d[\d.,]*\s+(?:\w+\s+){0,3}$")  # "9.000 lượt …" right before: a rate, not a duty
_SENTENCE = re.compile(r"(?:^|[.!?]\s+|\n)")
_CONTEXT = 60


def candidate_features(text: str, c: Candidate) -> list[str]:
    """Names of the features of one candidate."""
    before_text = text[max(0, c.start - _CONTEXT):c.start]
    sentence_start = max((m.end() for m in _SENTENCE.finditer(text, max(0, c.start - 300), c.start)), default=0)
    sentence = text[sentence_start:c.start]
    clause = re.split(r"[;.\n]", before_text)[-1]
    before, after = lower_words(before_text), lower_words(text[c.end:c.end + _CONTEXT])
    span = lower_words(text[c.start:c.end])
    out = ["bias", f"kind={c.kind}", f"rule={c.rule_keeps}", f"kind={c.kind}|rule={c.rule_keeps}",
           f"first={span[0] if span else ''}", f"kind={c.kind}|first={span[0] if span else ''}"]
    for n in (1, 2):
        out.append(f"b{n}=" + " ".join(before[-n:]))
        out.append(f"a{n}=" + " ".join(after[:n]))
    out += [f"B:{w}" for w in set(before[-6:])] + [f"A:{w}" for w in set(after[:6])]
    out += [f"S:{w}" for w in set(lower_words(sentence)[:4])]
    if _COMPLETE.search(clause):
        out.append("completion_verb")
    if _QUANTITY.search(before_text):
        out.append("after_quantity")
    if not sentence.strip():
        out.append("opens_sentence")
    if sentence.count("“") > sentence.count("”") or sentence.count('"') % 2:
        out.append("in_quote")
    if not after or after[0] in (".", ";", "\n"):
        out.append("ends_clause")
    return out


def gold_candidate_examples(records: Iterable[dict]) -> tuple[list[list[str]], list[str]]:
    """Features of every candidate of records annotated with deadlines, labelled ``yes`` when a
    gold deadline has exactly its span."""
    X: list[list[str]] = []
    y: list[str] = []
    for r in records:
        if "deadlines" not in r:
            continue
        gold = {(d["start"], d["end"]) for d in r["deadlines"]}
        for c in deadline_candidates(r["text"]):
            X.append(candidate_features(r["text"], c))
            y.append("yes" if (c.start, c.end) in gold else "no")
    return X, y


@dataclass
class DeadlineJudge:
    model: SparseLinear

    @classmethod
    def fit(cls, records: Iterable[dict], C: float = 1.0) -> "DeadlineJudge":
        X, y = gold_candidate_examples(records)
        if len(set(y)) < 2:
            raise ValueError("the deadline judge needs annotated records with deadlines and with non-deadline time expressions")
        return cls(SparseLinear.fit(X, y, C=C))

    def keeps(self, text: str, candidate: Candidate) -> bool:
        return self.model.predict(candidate_features(text, candidate)) == "yes"
