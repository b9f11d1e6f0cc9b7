"""The topic estimator as a pipeline component: ``topics.json`` (vocabularies, parameters,
calibration and thresholds) and ``topics.npz`` (weights, read with ``allow_pickle=False``).

Tagging scores with :class:`~vnpolicy_nlp.topic_scoring.TopicScorer` (NumPy only); the
scikit-learn :class:`~vnpolicy_nlp.topics.TopicClassifier` is built from the same bytes the
first time ``classifier`` is asked for (evaluation, research, ``nlp.topics``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .components import Component, Doc
from .topic_scoring import TopicScorer

if TYPE_CHECKING:
    from .topics import TopicClassifier

__all__ = ["TopicComponent"]


#: Characters of a directive the topic model reads: its subject is in its headline and opening, and a
#: bound keeps the cost of a pathological 50 MB "directive" linear and its memory flat.
TOPIC_WINDOW = 50_000


class TopicComponent(Component):
    name = "topics"

    def __init__(self, classifier: "TopicClassifier | None" = None, *, files: Mapping[str, bytes] | None = None):
        if classifier is None and files is None:
            raise TypeError("TopicComponent needs a fitted classifier or its files")
        self._classifier = classifier
        self._files = dict(files) if files is not None else classifier.to_files()
        self.scorer = TopicScorer.from_files(self._files)

    @property
    def classifier(self) -> "TopicClassifier":
        """The scikit-learn estimator (built on first use from the checked files)."""
        if self._classifier is None:
            from .topics import TopicClassifier

            self._classifier = TopicClassifier.from_files(self._files)
        return self._classifier

    @property
    def labels(self) -> tuple[str, ...]:
        return self.scorer.labels

    def __call__(self, doc: Doc) -> Doc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[Doc]) -> list[Doc]:
        if docs:
            # a Doc's text is already normalised: the scorer does not normalise it again
            texts = [d.text[:TOPIC_WINDOW] for d in docs]
            for doc, pred in zip(docs, self.scorer.predict_topics(texts, normalized=True)):
                doc.topics, doc.topic_scores = pred.topics, pred.scores
        return docs

    def explain(self, text: str, top: int = 6, topics: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        return self.scorer.explain(text, top, topics)

    def config(self) -> dict:
        return {"labels": list(self.scorer.labels), "thresholds": dict(self.scorer.thresholds)}

    def to_files(self) -> dict[str, bytes]:
        return dict(self._files)

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], config: Mapping[str, Any]) -> "TopicComponent":
        return cls(files=files)

    def score(self, records: list[dict]) -> dict[str, float]:
        from .training import evaluate_topics

        tops = evaluate_topics(self.classifier, records)
        heads = evaluate_topics(self.classifier, records, headline_only=True)
        out = {"topics macro-F1": tops["macro_f1"], "topics exact-set": tops["exact_set_accuracy"],
               "headlines macro-F1": heads["macro_f1"]}
        out.update({f"topic {k} F1": v["f1"] for k, v in tops["per_label"].items()})
        return out
