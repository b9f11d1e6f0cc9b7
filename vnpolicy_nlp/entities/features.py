"""Features of each syllable for the statistical entity tagger.

A syllable's own form and shape, its neighbours, and what the fact gazetteers say about the run
it stands in (agency name, administrative-unit name, title, family name, unit word). The
gazetteers only hint: the tagger learns from the corpus where the annotation guide puts span
boundaries ("UBND tỉnh" whole, "Chủ tịch" outside, places inside agency names).
"""
from __future__ import annotations

import os
import pickle
import re
from functools import lru_cache

from ..lexicon import FAMILY_NAMES, unit_words
from .gazetteer import agency_index, place_index, title_index

_DOCNUM = re.compile(r"\d.*/")
_UNIT_FIRST = {w.split()[0] for w in unit_words()}


_DATE = re.compile(r"\d{1,2}/\d{1,2}(/\d{4})?")


@lru_cache(maxsize=65536)
def _shape(tok: str) -> str:
    if _DOCNUM.match(tok):
        return "DOCNUM"
    if _DATE.fullmatch(tok):
        return "DATE"
    if tok.isdigit():
        return "D"
    if not tok[0].isalnum():
        return "P" + tok if len(tok) == 1 else "P"
    if tok.isupper():
        return "XX" if len(tok) > 1 else "X"
    if tok[0].isupper():
        return "Xx"
    return "x"


@lru_cache(maxsize=1)
def _dictionary_words() -> frozenset[str]:
    """underthesea's segmentation dictionary (72k words): a syllable pair that is a word there
    ("tổ chức", "thủ đô", "tư lệnh") is where a name must not be cut. It is a data file of the
    installed underthesea package (a plain Python set), not of any model set."""
    import importlib.util

    spec = importlib.util.find_spec("underthesea")  # its location, without importing it (slow)
    if spec is None or not spec.origin:
        return frozenset()
    path = os.path.join(os.path.dirname(spec.origin), "pipeline", "word_tokenize", "models",
                        "ws_crf_vlsp2013_20230727", "dictionary.bin")
    try:
        with open(path, "rb") as fh:
            return frozenset(pickle.load(fh))
    except (OSError, pickle.UnpicklingError):
        return frozenset()


def _header_run(tokens: list[str], shapes: list[str]) -> list[bool]:
    """Tokens inside a run of three or more capitalised-throughout syllables: a legal header
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"), not acronyms. They get their own shape so the lexical
    features (already lower-cased) carry the name across cases."""
    out = [False] * len(tokens)
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and shapes[j] in ("XX", "X") and tokens[j].isalpha():
            j += 1
        if j - i >= 3:
            for k in range(i, j):
                out[k] = True
        i = max(j, i + 1)
    return out


def _gazetteer_tags(lower: list[str]) -> list[list[str]]:
    tags: list[list[str]] = [[] for _ in lower]
    for index, name in ((agency_index(), "ag"), (place_index(), "pl"), (title_index(), "ti")):
        for i, j, tag in index.matches(lower):
            tags[i].append(f"{name}B={tag}")
            for k in range(i + 1, j):
                tags[k].append(f"{name}I={tag}")
            if j < len(lower):
                tags[j].append(f"{name}after")
    return tags


_OFFSETS = ("", "-3", "-2", "-1", "1", "2", "3")  # slot 0 is the syllable itself
_PAD = tuple(f"w{d}=<pad>" for d in _OFFSETS)


@lru_cache(maxsize=65536)
def _word_strings(w: str) -> tuple:
    """The feature strings of one lower-cased syllable at each offset, and whether it is a family name."""
    return (*(f"w{d}={w}" for d in _OFFSETS), w in FAMILY_NAMES)


@lru_cache(maxsize=256)
def _shape_strings(shape: str) -> tuple[str, ...]:
    return tuple(f"s{d}={shape}" for d in _OFFSETS)


def sentence_features(tokens: list[str], gazetteers: bool = True) -> list[list[str]]:
    """Feature strings for each token of one text (CRFsuite's item format)."""
    lower = [t.lower() for t in tokens]
    shapes = [_shape(t) for t in tokens]
    header = _header_run(tokens, shapes)
    shapes = ["XC" if h else sh for h, sh in zip(header, shapes)]
    words = _dictionary_words()
    joins = [f"{lower[i]} {lower[i + 1]}" in words for i in range(len(tokens) - 1)] + [False]
    gaz = _gazetteer_tags(lower) if gazetteers else [[] for _ in tokens]
    # Runs of capitalised syllables: where names live.
    cap_run = [0] * len(tokens)
    run = 0
    for i in range(len(tokens) - 1, -1, -1):
        run = run + 1 if shapes[i] in ("Xx", "XX", "X", "XC") else 0
        cap_run[i] = run
    feats = []
    n = len(tokens)
    word_at = [_word_strings(w) for w in lower]  # "w=…", "w-3=…" … "w3=…", made once per distinct syllable
    shape_at = [_shape_strings(sh) for sh in shapes]
    for i in range(n):
        w = lower[i]
        own = word_at[i]
        f = [own[0], shape_at[i][0], f"run={min(cap_run[i], 5)}"]
        if own[7]:
            f.append("family")
        if joins[i]:
            f.append("join+")
        if i > 0 and joins[i - 1]:
            f.append("join-")
        if w in _UNIT_FIRST:
            f.append("unitword")
        for slot, d in enumerate((-3, -2, -1, 1, 2, 3), start=1):
            k = i + d
            if 0 <= k < n:
                f.append(word_at[k][slot])
                if abs(d) <= 2:
                    f.append(shape_at[k][slot])
                    if word_at[k][7]:
                        f.append(f"family{d}")
            else:
                f.append(_PAD[slot])
        if i > 0:
            f.append(f"w-1|w={lower[i - 1]}|{w}")
        if i + 1 < n:
            f.append(f"w|w+1={w}|{lower[i + 1]}")
        if i > 1:
            f.append(f"w-2|w-1={lower[i - 2]}|{lower[i - 1]}")
        f.extend(gaz[i])
        if i > 0:
            f.extend("p:" + g for g in gaz[i - 1])
        feats.append(f)
    return feats
