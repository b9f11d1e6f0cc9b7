"""The topic classifier: multi-label, calibrated, with per-label thresholds and explanations.

Features are TF-IDF syllable n-grams (1-3) of the normalised, lower-cased text, the headline
vectorised apart from the body so that a bare headline (bulletin summaries, archives) is read by
the same weights, plus character 2-5-grams within words, which read spelling variants and
compounds the syllable features miss (4-fold cross-validation on train+dev: macro-F1 0.937 →
0.958, exact-set 0.912 → 0.937, at the cost of headlines alone 0.923 → 0.916;
``benchmarks/model_selection.py --topics``).

It is a scikit-learn estimator made of scikit-learn's own parts: a ``OneVsRestClassifier`` of
logistic regressions fitted on the training split; for each topic a ``CalibratedClassifierCV``
(Platt scaling) of the frozen regression, fitted on held-out calibration data (the dev split);
and a ``FixedThresholdClassifier`` per topic whose threshold maximises that topic's F1 on the same
held-out data (the middle of the thresholds within a hair of the best, which is less fitted to
dev than the single best). Labels come from the taxonomy, so a new topic needs records, not code.

Saved as data (:meth:`TopicClassifier.to_files`): vocabularies, parameters and thresholds as
JSON, weights as a NumPy ``.npz`` read with ``allow_pickle=False``.
"""
from __future__ import annotations

import io
import json
import re
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from .topic_scoring import TopicPrediction, rank_terms, read_topic_files, split_headline

__all__ = ["TopicClassifier", "TopicPrediction", "DirectiveVectorizer", "split_headline", "THRESHOLD_GRID"]

#: Thresholds tried on the calibration data.
THRESHOLD_GRID = tuple(float(t) for t in np.round(np.arange(0.1, 0.91, 0.05), 2))
_WORD_OPTS = dict(analyzer="word", token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 3), sublinear_tf=True,
                  min_df=2, max_df=0.9, dtype=np.float32)
_CHAR_OPTS = dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=3, max_features=150_000,
                  dtype=np.float32)


def _check_texts(X, what: str = "X") -> list[str]:
    if isinstance(X, str):
        raise TypeError(f"{what} must be a list of texts, not one string (wrap it: [text])")
    texts = list(X)
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"{what}[{bad}] is {type(texts[bad]).__name__}, expected str")
    return texts


# ------------------------------------------------------------------ features
class DirectiveVectorizer(TransformerMixin, BaseEstimator):
    """Headline and body syllable n-grams and character n-grams of directive texts, weighted."""

    def __init__(self, headline_weight: float = 1.5, char_weight: float = 2.0):
        self.headline_weight = headline_weight
        self.char_weight = char_weight

    def fit(self, X, y=None) -> "DirectiveVectorizer":
        from sklearn.feature_extraction.text import TfidfVectorizer

        heads, bodies, whole = self._parts(_check_texts(X))
        self.head_ = TfidfVectorizer(**_WORD_OPTS).fit(heads + bodies)
        self.body_ = TfidfVectorizer(**_WORD_OPTS).fit(bodies)
        self.char_ = TfidfVectorizer(**_CHAR_OPTS).fit(whole)
        return self

    @staticmethod
    def _parts(texts: list[str]) -> tuple[list[str], list[str], list[str]]:
        pairs = [split_headline(t) for t in texts]
        return [h for h, _ in pairs], [b for _, b in pairs], [h + "\n" + b for h, b in pairs]

    def transform(self, X):
        from scipy.sparse import csr_matrix, hstack

        heads, bodies, whole = self._parts(_check_texts(X))
        parts = [self.head_.transform(heads) * self.headline_weight, self.body_.transform(bodies)]
        if self.char_weight:
            parts.append(self.char_.transform(whole) * self.char_weight)
        else:  # keep the column count fixed, so the weights always line up
            parts.append(csr_matrix((len(whole), len(self.char_.vocabulary_)), dtype=np.float32))
        return hstack(parts).tocsr()

    def n_word_features(self) -> int:
        return len(self.head_.vocabulary_) + len(self.body_.vocabulary_)

    def feature_names(self) -> tuple[list[str], list[str]]:
        """(word feature names, headline ones marked, then body ones; character n-grams)."""
        words = ["headline: " + n for n in self.head_.get_feature_names_out()] + list(self.body_.get_feature_names_out())
        return words, list(self.char_.get_feature_names_out())

    # -------------------------------------------------------- as data
    def to_data(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta, arrays = {"headline_weight": self.headline_weight, "char_weight": self.char_weight}, {}
        for name in ("head", "body", "char"):
            vec = getattr(self, name + "_")
            terms = [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])]
            meta[name] = {"terms": terms}
            arrays[f"{name}_idf"] = np.asarray(vec.idf_)
        return meta, arrays

    @classmethod
    def from_data(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "DirectiveVectorizer":
        from sklearn.feature_extraction.text import TfidfVectorizer

        self = cls(headline_weight=float(meta["headline_weight"]), char_weight=float(meta["char_weight"]))
        for name, opts in (("head", _WORD_OPTS), ("body", _WORD_OPTS), ("char", _CHAR_OPTS)):
            terms = meta[name]["terms"]
            idf = arrays[f"{name}_idf"]
            if len(terms) != len(idf):
                raise ValueError(f"{name} vocabulary has {len(terms)} terms but {len(idf)} idf weights")
            vec = TfidfVectorizer(**{**opts, "min_df": 1, "max_df": 1.0, "max_features": None})
            vec.vocabulary_ = {t: i for i, t in enumerate(terms)}
            vec.fixed_vocabulary_ = True
            vec.idf_ = idf
            setattr(self, name + "_", vec)
        return self


# ------------------------------------------------------------------ the estimator
class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label topic estimator with scikit-learn's contract.

    ``fit(X, y, X_calib=..., y_calib=...)`` with ``X`` a list of directive texts and ``y`` a list of
    topic lists (or a 0/1 matrix, columns in ``labels`` order); ``predict`` gives the 0/1 matrix,
    ``predict_proba`` the calibrated probabilities, ``predict_topics`` both as
    :class:`TopicPrediction` objects. Nothing happens in ``__init__``; fitted state ends in ``_``.
    """

    def __init__(self, labels: tuple[str, ...] | None = None, C: float = 16.0, headline_weight: float = 1.5,
                 char_weight: float = 2.0):
        self.labels = labels
        self.C = C
        self.headline_weight = headline_weight
        self.char_weight = char_weight

    # ------------------------------------------------------------ checks
    def _labels(self) -> tuple[str, ...]:
        if getattr(self, "classes_", None) is not None:
            return tuple(self.classes_)
        if self.labels is None:
            from .taxonomy import topic_labels

            return topic_labels()
        return tuple(self.labels)

    def _binarize(self, y, n: int, what: str = "y") -> np.ndarray:
        labels = self._labels()
        if isinstance(y, np.ndarray) and y.ndim == 2:
            if y.shape != (n, len(labels)):
                raise ValueError(f"{what} has shape {y.shape}; expected ({n}, {len(labels)}) for labels {list(labels)}")
            return (y != 0).astype(int)
        sets = list(y)
        if len(sets) != n:
            raise ValueError(f"{n} texts but {len(sets)} topic sets in {what}")
        index = {label: j for j, label in enumerate(labels)}
        Y = np.zeros((n, len(labels)), dtype=int)
        for i, ts in enumerate(sets):
            if isinstance(ts, str):
                raise TypeError(f"{what}[{i}] is a string; each item is a list of topics, e.g. [{ts!r}]")
            unknown = [t for t in ts if t not in index]
            if unknown:
                raise ValueError(f"{what}[{i}]: topics {unknown} are not in the label set {list(labels)}")
            for t in ts:
                Y[i, index[t]] = 1
        return Y

    # ------------------------------------------------------------ training
    def fit(self, X, y, *, X_calib=None, y_calib=None) -> "TopicClassifier":
        """Fit the features and one logistic regression per topic on ``X``; calibrate and set
        thresholds on ``X_calib`` (held-out data: the dev split). Without it the scores are the
        regressions' own probabilities and every threshold is 0.5."""
        texts = _check_texts(X)
        if not texts:
            raise ValueError("no training texts")
        self._binarize(y, len(texts))  # bad labels are named before minutes of fitting, not after
        vectorizer = DirectiveVectorizer(self.headline_weight, self.char_weight).fit(texts)
        self.fit_features(vectorizer, vectorizer.transform(texts), y)
        if X_calib is not None:
            self.calibrate(X_calib, y_calib)
        return self

    def fit_features(self, vectorizer: "DirectiveVectorizer", features, y) -> "TopicClassifier":
        """Fit the regressions on rows already turned into ``features`` by a fitted ``vectorizer``,
        which the classifier keeps. Models trained on subsets of one corpus (the held-out-genre
        folds of calibration) share one vectorizer this way instead of each fitting its own."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        self.classes_ = np.array(self._labels(), dtype=object)
        Y = self._binarize(y, features.shape[0])
        self.vectorizer_ = vectorizer
        self.n_features_in_ = features.shape[1]
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, solver="liblinear")
        self.trained_ = Y.min(axis=0) != Y.max(axis=0)  # False: a topic with no positive (or no negative) example
        with warnings.catch_warnings():  # such a topic gets a constant predictor, and its score stays 0
            warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
            self.estimator_ = OneVsRestClassifier(base).fit(features, Y)
        self.calibrators_ = [None] * len(self.classes_)
        self.thresholds_ = {str(label): 0.5 for label in self.classes_}
        self._make_deciders()
        return self

    def calibrate(self, X, y) -> "TopicClassifier":
        """Platt-scale each topic's score and choose its threshold for F1, on held-out data."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        texts = _check_texts(X, "X_calib")
        Y = self._binarize(y, len(texts), "y_calib")
        features = self.vectorizer_.transform(texts)
        self.calibrators_ = []
        # The regressions are frozen, so folds would change nothing: one "split" that predicts every
        # calibration text once and fits the sigmoid on all of them (as Platt scaling on held-out data).
        everything = [(np.arange(len(texts)), np.arange(len(texts)))]
        for j in range(len(self.classes_)):
            if not self.trained_[j] or Y[:, j].min() == Y[:, j].max():
                self.calibrators_.append(None)
                continue
            cal = CalibratedClassifierCV(FrozenEstimator(self.estimator_.estimators_[j]), method="sigmoid",
                                         cv=everything)
            self.calibrators_.append(cal.fit(features, Y[:, j]))
        self._choose_thresholds(self._proba(features), Y)
        return self

    def decision_matrix(self, X) -> np.ndarray:
        """Each topic's raw regression score (before calibration) for each text; -10 for a topic
        that had nothing to learn from."""
        self._check_fitted()
        return self.feature_decisions(self.vectorizer_.transform(_check_texts(X)))

    def feature_decisions(self, features) -> np.ndarray:
        """:meth:`decision_matrix` of rows already vectorised by this classifier's vectorizer."""
        return np.column_stack([self.estimator_.estimators_[j].decision_function(features) if self.trained_[j]
                                else np.full(features.shape[0], -10.0) for j in range(len(self.classes_))])

    def calibrate_from_decisions(self, D: np.ndarray, y) -> "TopicClassifier":
        """Platt-scale each topic and choose its threshold from scores made elsewhere: the
        out-of-genre scores of models that never saw the genre of the text they scored (leave one
        genre out), so that probabilities and thresholds hold on a register the regressions were
        not trained on, rather than on a random split of the same registers."""
        from sklearn.calibration import _SigmoidCalibration

        Y = self._binarize(y, D.shape[0], "y")
        self.calibrators_ = []
        P = np.zeros_like(D, dtype=float)
        for j in range(len(self.classes_)):
            if not self.trained_[j] or Y[:, j].min() == Y[:, j].max():
                self.calibrators_.append(None)
                P[:, j] = 1.0 / (1.0 + np.exp(-D[:, j]))
                continue
            sig = _SigmoidCalibration().fit(D[:, j], Y[:, j])
            self.calibrators_.append(_sigmoid_calibrator(self.estimator_.estimators_[j], float(sig.a_), float(sig.b_),
                                                         self.n_features_in_))
            P[:, j] = sig.predict(D[:, j])
        self._choose_thresholds(P, Y)
        return self

    def _choose_thresholds(self, P: np.ndarray, Y: np.ndarray) -> None:
        for j, label in enumerate(self.classes_):
            if Y[:, j].sum() == 0:
                continue
            f1s = [_f1(Y[:, j], P[:, j] >= t) for t in THRESHOLD_GRID]
            best = max(f1s)
            near = [t for t, f in zip(THRESHOLD_GRID, f1s) if f >= best - 0.005]
            self.thresholds_[str(label)] = float(near[len(near) // 2])
        self._make_deciders()

    def _make_deciders(self) -> None:
        """One ``FixedThresholdClassifier`` per topic over its calibrated scores."""
        from sklearn.frozen import FrozenEstimator
        from sklearn.model_selection import FixedThresholdClassifier

        self.deciders_ = []
        for j, label in enumerate(self.classes_):
            if not self.trained_[j]:
                self.deciders_.append(None)
                continue
            scorer = self.calibrators_[j] if self.calibrators_[j] is not None else self.estimator_.estimators_[j]
            decider = FixedThresholdClassifier(FrozenEstimator(scorer), threshold=self.thresholds_[str(label)],
                                               response_method="predict_proba")
            decider.estimator_ = decider.estimator  # frozen: fitting would change nothing
            self.deciders_.append(decider)

    # ------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if getattr(self, "estimator_", None) is None:
            raise RuntimeError("the topic classifier is not fitted; call fit() or load a model set")

    def _proba(self, features) -> np.ndarray:
        cols = []
        for j in range(len(self.classes_)):
            if not self.trained_[j]:
                cols.append(np.zeros(features.shape[0]))
            elif self.calibrators_[j] is not None:
                cols.append(self.calibrators_[j].predict_proba(features)[:, 1])
            else:
                cols.append(self.estimator_.estimators_[j].predict_proba(features)[:, 1])
        return np.column_stack(cols) if cols else np.zeros((features.shape[0], 0))

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each topic, shape (n_texts, n_topics), columns in ``classes_`` order."""
        self._check_fitted()
        return self._proba(self.vectorizer_.transform(_check_texts(X)))

    def predict(self, X) -> np.ndarray:
        """0/1 matrix of topics, shape (n_texts, n_topics): each topic's threshold decides."""
        self._check_fitted()
        features = self.vectorizer_.transform(_check_texts(X))
        cols = [np.zeros(features.shape[0], dtype=int) if not self.trained_[j] else d.predict(features).astype(int)
                for j, d in enumerate(self.deciders_)]
        return np.column_stack(cols) if cols else np.zeros((features.shape[0], 0), dtype=int)

    def predict_topics(self, X) -> list[TopicPrediction]:
        """Topics and scores of each text, as the pipeline reports them."""
        P = self.predict_proba(X)
        labels = [str(label) for label in self.classes_]
        limits = np.array([self.thresholds_[label] for label in labels])
        out = []
        for row in P:
            scores = {label: round(float(p), 4) for label, p in zip(labels, row)}
            topics = [label for label, p, t in zip(labels, row, limits) if p >= t]
            out.append(TopicPrediction(topics, scores))
        return out

    @property
    def thresholds(self) -> dict[str, float]:
        """Each topic's decision threshold (``thresholds_``)."""
        self._check_fitted()
        return dict(self.thresholds_)

    def explain(self, text: str, top: int = 6, topics: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """For each topic (default: those predicted), the terms of ``text`` that pushed its score
        most, as ``(term, contribution)``. Character n-grams are credited to the syllables that
        contain them, so every term is a readable piece of the text."""
        self._check_fitted()
        X = self.vectorizer_.transform([text])
        names, char_names = self.vectorizer_.feature_names()
        syllables = sorted(set(re.findall(r"\w+", " ".join(split_headline(text)))))
        row = X.getrow(0)
        if topics is None:
            topics = self.predict_topics([text])[0].topics
        out: dict[str, list[tuple[str, float]]] = {}
        for j, label in enumerate(self.classes_):
            if label not in topics or not self.trained_[j]:
                continue
            contrib = row.multiply(self.estimator_.estimators_[j].coef_[0]).tocsr()
            out[str(label)] = rank_terms(zip(contrib.indices.tolist(), contrib.data.tolist()), names, char_names,
                                         syllables, top)
        return out

    # ------------------------------------------------------------ as data
    def to_files(self) -> dict[str, bytes]:
        """``{"topics.json": …, "topics.npz": …}``: everything fitted, as JSON and plain arrays."""
        self._check_fitted()
        vec_meta, arrays = self.vectorizer_.to_data()
        ests = self.estimator_.estimators_
        k = int(self.n_features_in_)
        arrays["coef"] = np.vstack([e.coef_[0] if t else np.zeros(k) for e, t in zip(ests, self.trained_)])
        arrays["intercept"] = np.array([e.intercept_[0] if t else -10.0 for e, t in zip(ests, self.trained_)])
        platt = []
        for cal in self.calibrators_:
            if cal is None:
                platt.append(None)
            else:
                sig = cal.calibrated_classifiers_[0].calibrators[0]
                platt.append([float(sig.a_), float(sig.b_)])
        meta = {"params": self.get_params(), "classes": [str(c) for c in self.classes_],
                "trained": [bool(t) for t in self.trained_], "thresholds": self.thresholds_, "platt": platt,
                "n_features": int(self.n_features_in_), "vectorizer": vec_meta}
        meta["params"]["labels"] = list(meta["params"]["labels"]) if meta["params"]["labels"] is not None else None
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return {"topics.json": json.dumps(meta, ensure_ascii=False).encode("utf-8"), "topics.npz": buf.getvalue()}

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> "TopicClassifier":
        """Rebuild a fitted classifier from :meth:`to_files` bytes. Reads JSON and arrays only:
        ``allow_pickle=False``, so nothing in the files can run."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import LabelBinarizer

        meta, arrays = read_topic_files(files)
        params = dict(meta["params"])
        if params.get("labels") is not None:
            params["labels"] = tuple(params["labels"])
        self = cls(**params)
        self.classes_ = np.array(meta["classes"], dtype=object)
        n, k = len(self.classes_), int(meta["n_features"])
        coef, intercept = arrays["coef"], arrays["intercept"]
        if coef.shape != (n, k) or intercept.shape != (n,):
            raise ValueError(f"weights have shape {coef.shape} and {intercept.shape}; expected ({n}, {k}) and ({n},)")
        self.vectorizer_ = DirectiveVectorizer.from_data(meta["vectorizer"], arrays)
        self.n_features_in_ = k
        self.trained_ = np.array(meta["trained"], dtype=bool)
        binary = np.array([0, 1])
        template = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, solver="liblinear")
        estimators = []
        for j in range(n):
            lr = LogisticRegression(**template.get_params())
            lr.classes_, lr.coef_, lr.intercept_ = binary, coef[j:j + 1].copy(), intercept[j:j + 1].copy()
            lr.n_features_in_, lr.n_iter_ = k, np.array([0])
            estimators.append(lr)
        ovr = OneVsRestClassifier(template)
        ovr.estimators_ = estimators
        ovr.label_binarizer_ = LabelBinarizer(sparse_output=True).fit(np.eye(n, dtype=int))
        ovr.n_features_in_ = k
        self.estimator_ = ovr
        self.calibrators_ = [None if ab is None else _sigmoid_calibrator(estimators[j], float(ab[0]), float(ab[1]), k)
                             for j, ab in enumerate(meta["platt"])]
        self.thresholds_ = {str(label): float(meta["thresholds"][str(label)]) for label in self.classes_}
        self._make_deciders()
        return self


def _sigmoid_calibrator(estimator, a: float, b: float, n_features: int):
    """A ``CalibratedClassifierCV`` over the frozen ``estimator`` with the sigmoid ``1 / (1 + exp(a·d + b))``."""
    from sklearn.calibration import CalibratedClassifierCV, _CalibratedClassifier, _SigmoidCalibration
    from sklearn.frozen import FrozenEstimator

    binary = np.array([0, 1])
    sig = _SigmoidCalibration()
    sig.a_, sig.b_ = a, b
    frozen = FrozenEstimator(estimator)
    cal = CalibratedClassifierCV(frozen, method="sigmoid")
    cal.calibrated_classifiers_ = [_CalibratedClassifier(frozen, [sig], classes=binary, method="sigmoid")]
    cal.classes_, cal.n_features_in_ = binary, n_features
    return cal


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((y & pred).sum())
    fp = int((~y.astype(bool) & pred).sum())
    fn = int((y.astype(bool) & ~pred).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
