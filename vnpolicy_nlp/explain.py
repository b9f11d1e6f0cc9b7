"""Why a directive was counted under a topic, in words.

The topic model weighs syllable n-grams and character n-grams, so its raw explanation names
pieces such as 'tục' or 'phận'. Here each piece's weight is credited to the word tokens of the
directive that contain it ('thủ tục', 'bộ phận'), and words are ranked by the weight they gather.
"""
from __future__ import annotations

import re
import unicodedata

from .record import Directive
from .text import normalize

__all__ = ["explain_words"]

_SYLLABLE = re.compile(r"\w+")
_HEADLINE = "headline: "


def _canon(text: str) -> str:
    return normalize(text).text.lower()


def explain_words(directive: Directive, top: int = 6, topics: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
    """For each predicted topic (or each of ``topics``), the words of the directive that pushed
    its score most, as ``(word, contribution)``; a word is a token of ``directive.tokens``."""
    raw = directive.explain(top=200, topics=topics)
    text = directive.text
    headline_end = len(text.split("\n", 1)[0])
    words = [(s, e) for s, e in directive.tokens if _SYLLABLE.search(text[s:e])]
    seq: list[tuple[str, int]] = []  # (syllable, index in words), in text order
    for k, (s, e) in enumerate(words):
        seq.extend((syl, k) for syl in _SYLLABLE.findall(_canon(text[s:e])))
    out: dict[str, list[tuple[str, float]]] = {}
    for topic, terms in raw.items():
        credit: dict[str, float] = {}
        surface: dict[str, str] = {}
        for term, weight in terms:
            in_headline = term.startswith(_HEADLINE)
            syls = _SYLLABLE.findall(_canon(term.removeprefix(_HEADLINE)))
            owners: set[int] = set()
            if syls:
                n = len(syls)
                for i in range(len(seq) - n + 1):
                    if [syl for syl, _ in seq[i:i + n]] == syls:
                        covered = {k for _, k in seq[i:i + n]}
                        if in_headline and any(words[k][0] >= headline_end for k in covered):
                            continue
                        owners |= covered
            if not owners:  # a piece the tokens do not show (e.g. across a line break): keep it as it is
                key = term.removeprefix(_HEADLINE)
                credit[key] = credit.get(key, 0.0) + weight
                surface.setdefault(key, key)
                continue
            keys = {_canon(text[words[k][0]:words[k][1]]): k for k in sorted(owners, reverse=True)}
            for key, k in keys.items():
                credit[key] = credit.get(key, 0.0) + weight / len(keys)
                surface.setdefault(key, unicodedata.normalize("NFC", text[words[k][0]:words[k][1]]))
        ranked = sorted(credit.items(), key=lambda kv: -kv[1])[:top]
        out[topic] = [(surface[key], round(value, 3)) for key, value in ranked if value > 0]
    return out
