"""Scoring topics from a saved estimator with NumPy alone.

The pipeline only needs what a fitted :class:`~vnpolicy_nlp.topics.TopicClassifier` computes
at prediction time: TF-IDF features, one linear score per topic, Platt scaling, thresholds.
Importing scikit-learn (with SciPy and pandas behind it) takes about a second and a hundred
megabytes, more than tagging a page, so the pipeline scores from the saved arrays here and
builds the scikit-learn estimator only when someone asks for it (``nlp.topics``). The two give
the same probabilities (``tests/test_topics.py`` checks it on the test split).
"""
from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .text import normalize

__all__ = ["TopicScorer", "TopicPrediction", "read_topic_files", "split_headline", "rank_terms"]

_TOKEN = re.compile(r"(?u)\b\w+\b")


def split_headline(text: str, normalized: bool = False) -> tuple[str, str]:
    """(headline, body) of a directive's text, normalised and lower-cased for features.
    ``normalized``: the text is already in canonical form (normalisation is idempotent), so it
    is not normalised again."""
    canon = (text if normalized else normalize(text).text).lower().strip()
    head, _, body = canon.partition("\n")
    return head, body


@dataclass
class TopicPrediction:
    topics: list[str]
    scores: dict[str, float]


def read_topic_files(files: dict[str, bytes]) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON metadata and the arrays of a saved topic estimator (no pickles: ``allow_pickle=False``)."""
    for name in ("topics.json", "topics.npz"):
        if name not in files:
            raise ValueError(f"{name} is missing")
    meta = json.loads(files["topics.json"].decode("utf-8"))
    if not isinstance(meta, dict) or not {"classes", "trained", "thresholds", "platt", "vectorizer"} <= set(meta):
        raise ValueError("topics.json lacks classes, trained, thresholds, platt or vectorizer")
    with np.load(io.BytesIO(files["topics.npz"]), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return meta, arrays


def _word_ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    grams = list(tokens)
    for n in (2, 3):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _char_wb_ngrams(text: str, lo: int = 2, hi: int = 5) -> list[str]:
    grams = []
    for w in text.split():
        w = " " + w + " "
        size = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            grams.append(w[offset:offset + n])
            while offset + n < size:
                offset += 1
                grams.append(w[offset:offset + n])
            if offset == 0:  # a word shorter than n: counted once
                break
    return grams


@dataclass
class _Vocabulary:
    index: dict[str, int]
    idf: np.ndarray
    offset: int  # where its columns start in the joint feature vector

    def features(self, grams: list[str], weight: float) -> tuple[list[int], list[float]]:
        """Columns and values of sublinear TF-IDF, l2-normalised, times ``weight`` (float32 like scikit-learn)."""
        counts = Counter(map(self.index.get, grams))
        counts.pop(None, None)  # n-grams outside the vocabulary
        if not counts:
            return [], []
        cols = list(counts)
        tf = np.log(np.array(list(counts.values()), dtype=np.float32)) + np.float32(1)
        vals = tf * self.idf[cols]
        norm = np.sqrt(np.sum(vals * vals, dtype=np.float32), dtype=np.float32)
        if norm > 0:
            vals = vals / norm
        vals = vals * np.float32(weight)
        return [c + self.offset for c in cols], vals.tolist()


def rank_terms(contributions, names: list[str], char_names: list[str], syllables: list[str],
               top: int) -> list[tuple[str, float]]:
    """The ``top`` terms that pushed a score most, from ``(feature index, contribution)`` pairs:
    word features by name, character n-grams credited to the syllables of the text that contain
    them, so every term is a readable piece of the text."""
    n_words = len(names)
    terms: dict[str, float] = {}
    for i, v in contributions:
        v = float(v)
        if v == 0:
            continue
        if i < n_words:
            terms[names[i]] = terms.get(names[i], 0.0) + v
            continue
        gram = char_names[i - n_words]
        owners = [w for w in syllables if gram.strip() in w and
                  (not gram.startswith(" ") or w.startswith(gram.strip())) and
                  (not gram.endswith(" ") or w.endswith(gram.strip()))]
        for w in owners:
            terms[w] = terms.get(w, 0.0) + v / len(owners)
    ranked = sorted(((t, v) for t, v in terms.items() if v > 0), key=lambda p: -p[1])[:top]
    return [(t, round(v, 3)) for t, v in ranked]


class TopicScorer:
    """Probabilities, topics and explanations from a saved topic estimator's arrays."""

    def __init__(self, meta: dict, arrays: dict[str, np.ndarray]):
        vec = meta["vectorizer"]
        self.labels: tuple[str, ...] = tuple(meta["classes"])
        self.trained = np.array(meta["trained"], dtype=bool)
        self.thresholds: dict[str, float] = {k: float(v) for k, v in meta["thresholds"].items()}
        self.headline_weight = float(vec["headline_weight"])
        self.char_weight = float(vec["char_weight"])
        offset = 0
        self.vocabularies: dict[str, _Vocabulary] = {}
        for name in ("head", "body", "char"):
            terms = vec[name]["terms"]
            idf = arrays[f"{name}_idf"].astype(np.float32, copy=False)
            if len(terms) != len(idf):
                raise ValueError(f"{name} vocabulary has {len(terms)} terms but {len(idf)} idf weights")
            self.vocabularies[name] = _Vocabulary({t: i for i, t in enumerate(terms)}, idf, offset)
            offset += len(terms)
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self._coef_rows = np.ascontiguousarray(self.coef.T)  # one row a feature: gathered per text
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        if self.coef.shape != (len(self.labels), offset) or self.intercept.shape != (len(self.labels),):
            raise ValueError(f"weights have shape {self.coef.shape} and {self.intercept.shape}; expected "
                             f"({len(self.labels)}, {offset}) and ({len(self.labels)},)")
        self.platt = meta["platt"]
        self._names: tuple[list[str], list[str]] | None = None

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> "TopicScorer":
        return cls(*read_topic_files(files))

    def _features(self, text: str, normalized: bool = False) -> tuple[np.ndarray, np.ndarray]:
        head, body = split_headline(text, normalized)
        v = self.vocabularies
        cols, vals = v["head"].features(_word_ngrams(head), self.headline_weight)
        c, x = v["body"].features(_word_ngrams(body), 1.0)
        cols += c
        vals += x
        if self.char_weight:
            c, x = v["char"].features(_char_wb_ngrams(head + "\n" + body), self.char_weight)
            cols += c
            vals += x
        return np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float32)

    def decision(self, texts: list[str], normalized: bool = False) -> np.ndarray:
        out = np.empty((len(texts), len(self.labels)))
        for i, text in enumerate(texts):
            cols, vals = self._features(text, normalized)
            out[i] = vals.astype(np.float64) @ self._coef_rows[cols] + self.intercept
        return out

    def predict_proba(self, texts: list[str], normalized: bool = False) -> np.ndarray:
        """Calibrated probabilities; ``normalized``: the texts are already in canonical form."""
        D = self.decision(texts, normalized)
        P = np.zeros_like(D)
        for j, ab in enumerate(self.platt):
            if not self.trained[j]:
                continue
            z = D[:, j] if ab is None else -(ab[0] * D[:, j] + ab[1])
            P[:, j] = 1.0 / (1.0 + np.exp(-z))
        return P

    def predict_topics(self, texts: list[str], normalized: bool = False) -> list[TopicPrediction]:
        out = []
        for row in self.predict_proba(texts, normalized):
            scores = {label: round(float(p), 4) for label, p in zip(self.labels, row)}
            topics = [label for label, p in zip(self.labels, row) if p >= self.thresholds[label]]
            out.append(TopicPrediction(topics, scores))
        return out

    def explain(self, text: str, top: int = 6, topics: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """As :meth:`TopicClassifier.explain <vnpolicy_nlp.topics.TopicClassifier.explain>`."""
        if self._names is None:
            v = self.vocabularies
            names = [""] * (len(v["head"].index) + len(v["body"].index))
            for t, i in v["head"].index.items():
                names[i] = "headline: " + t
            for t, i in v["body"].index.items():
                names[v["body"].offset + i] = t
            chars = [""] * len(v["char"].index)
            for t, i in v["char"].index.items():
                chars[i] = t
            self._names = (names, chars)
        names, char_names = self._names
        cols, vals = self._features(text)
        order = np.argsort(cols, kind="stable")
        cols, vals = cols[order], vals[order]
        syllables = sorted(set(re.findall(r"\w+", " ".join(split_headline(text)))))
        if topics is None:
            topics = self.predict_topics([text])[0].topics
        out: dict[str, list[tuple[str, float]]] = {}
        for j, label in enumerate(self.labels):
            if label not in topics or not self.trained[j]:
                continue
            contrib = vals.astype(np.float64) * self.coef[j, cols]
            out[label] = rank_terms(zip(cols.tolist(), contrib.tolist()), names, char_names, syllables, top)
        return out
