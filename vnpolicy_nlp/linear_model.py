"""A logistic regression over named binary features, fitted by scikit-learn and kept as data.

The structure stage's learned decisions (an agency's role, whether a time expression is a
deadline) are small classifiers over sparse features with readable names. scikit-learn fits
them; what is saved is the feature vocabulary, the class names and the weights, so loading a
model set runs no code from it and predicting needs only NumPy.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SparseLinear"]


@dataclass
class SparseLinear:
    vocabulary: dict[str, int]
    classes: list[str]
    coef: np.ndarray       # (features, classes)
    intercept: np.ndarray  # (classes,)

    @classmethod
    def fit(cls, X: Sequence[Sequence[str]], y: Sequence[str], C: float = 1.0) -> "SparseLinear":
        """Fit on feature-name lists ``X`` and labels ``y`` (two or more classes)."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        if not X:
            raise ValueError("no examples to fit on")
        vec = DictVectorizer()
        matrix = vec.fit_transform([dict.fromkeys(f, 1.0) for f in X])
        clf = LogisticRegression(C=C, max_iter=2000).fit(matrix, list(y))
        if len(clf.classes_) == 2:  # one weight vector, written as two opposite halves
            coef, intercept = np.hstack([-clf.coef_.T, clf.coef_.T]) / 2, np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
        else:
            coef, intercept = clf.coef_.T, clf.intercept_
        return cls({name: int(i) for name, i in vec.vocabulary_.items()}, [str(c) for c in clf.classes_],
                   np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64))

    def scores(self, features: Sequence[str]) -> np.ndarray:
        """Unnormalised class scores of one example."""
        cols = [self.vocabulary[f] for f in features if f in self.vocabulary]
        return self.intercept + self.coef[cols].sum(axis=0)

    def predict(self, features: Sequence[str]) -> str:
        return self.classes[int(np.argmax(self.scores(features)))]

    def meta(self) -> dict:
        """The JSON part: class names and the vocabulary in column order."""
        return {"classes": self.classes, "vocabulary": sorted(self.vocabulary, key=self.vocabulary.get)}

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The ``.npz`` part, under ``prefix`` so several models share one file."""
        return {f"{prefix}coef": self.coef, f"{prefix}intercept": self.intercept}

    @classmethod
    def from_parts(cls, meta: Mapping, arrays: Mapping[str, np.ndarray], prefix: str, where: str) -> "SparseLinear":
        """Rebuild from :meth:`meta` and :meth:`arrays`; ``where`` names the file in errors."""
        try:
            classes, names = list(meta["classes"]), list(meta["vocabulary"])
            coef, intercept = np.asarray(arrays[f"{prefix}coef"]), np.asarray(arrays[f"{prefix}intercept"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: the {prefix or 'model'} weights or vocabulary are missing ({exc})") from None
        if coef.shape != (len(names), len(classes)) or intercept.shape != (len(classes),):
            raise ValueError(f"{where}: {prefix}weights of shape {coef.shape} do not fit {len(names)} features "
                             f"and {len(classes)} classes")
        return cls({name: i for i, name in enumerate(names)}, classes, coef, intercept)
