"""Which directives to annotate next: the ones the models are least sure about."""
from __future__ import annotations

from dataclasses import dataclass

from .pipeline import Pipeline
from .record import Directive
from .text import normalize
from .words import syllable_spans

__all__ = ["Suggestion", "rank_for_annotation"]


@dataclass
class Suggestion:
    directive: Directive
    score: float            # higher: more worth a person's time
    topic_uncertainty: float
    entity_uncertainty: float
    closest_topic: str


def rank_for_annotation(nlp: Pipeline, directives: list[Directive], n: int = 20) -> list[Suggestion]:
    """Rank by the larger of two uncertainties: how close a topic score is to its threshold
    (1 at the threshold, 0 at a full margin), and the CRF's least certain syllable."""
    if nlp.topics is None or nlp.entities is None:
        raise RuntimeError("suggestions need a trained model set")
    out = []
    for d in directives:
        scores = d.topic_scores or {}
        margins = {t: _margin(p, nlp.topics.thresholds[t]) for t, p in scores.items()}
        closest = min(margins, key=margins.get)
        topic_u = 1.0 - margins[closest]
        text = normalize(d.text).text
        tokens = [text[s:e] for s, e in syllable_spans(text)]
        entity_u = nlp.entities.crf.uncertainty(tokens) if nlp.entities.crf is not None else 0.0
        out.append(Suggestion(d, round(max(topic_u, entity_u), 4), round(topic_u, 4), round(entity_u, 4), closest))
    out.sort(key=lambda s: -s.score)
    return out[:n]


def _margin(p: float, threshold: float) -> float:
    """0 at the threshold, 1 at the far end on the side the score lies."""
    if p >= threshold:
        return (p - threshold) / (1 - threshold) if threshold < 1 else 1.0
    return (threshold - p) / threshold if threshold > 0 else 1.0
