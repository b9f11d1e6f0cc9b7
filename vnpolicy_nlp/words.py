"""Word segmentation with character spans into the original text.

underthesea segments Vietnamese into words; it returns strings, so each word is aligned back
to the text it came from. Document numbers and dates are protected first, so each stays one
token (``1048/UBND-KT``, ``4851 /VP-KT``, ``07/8/2023``), which lets entity spans fall on token
boundaries. Every non-space character ends up in exactly one token.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .patterns import ABBREVIATION_RE, DATE_RE, DOC_NUMBER_RE, SYLLABLE_RE
from .text import NormalizedText, normalize

__all__ = ["Span", "tokenize", "tokenize_normalized", "protected_spans", "syllable_spans", "lower_words"]

Span = tuple[int, int]
_NONSPACE = re.compile(r"\S+")
_WORD_OR_MARK = re.compile(r"\w+|[^\w\s]")


def lower_words(text: str) -> list[str]:
    """Lower-cased runs of word characters and single punctuation marks: the words of the
    context windows the structure stage's classifiers read (no segmentation needed there)."""
    return [w.lower() for w in _WORD_OR_MARK.findall(text)]


@lru_cache(maxsize=1)
def _segmenter():
    from underthesea import word_tokenize

    return word_tokenize


def protected_spans(text: str) -> list[Span]:
    """Spans of document numbers, dates and dotted abbreviations ("TP.HCM", "Q.", "T.Ư"),
    which must each be one token."""
    spans = [m.span() for m in DOC_NUMBER_RE.finditer(text)]
    for pattern in (DATE_RE, ABBREVIATION_RE):
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append(m.span())
    return sorted(spans)


def syllable_spans(text: str) -> list[Span]:
    """Syllables and single punctuation marks of a normalised text, with document numbers and
    dates kept whole. Entity boundaries always fall between these pieces, so the entity tagger
    works on them (and needs no word segmentation)."""
    fixed = protected_spans(text)
    spans: list[Span] = []
    cursor = 0
    for s, e in fixed + [(len(text), len(text))]:
        if s < cursor:
            continue
        spans.extend((cursor + m.start(), cursor + m.end()) for m in SYLLABLE_RE.finditer(text[cursor:s]))
        if e > s:
            spans.append((s, e))
        cursor = e
    return spans


def _align(segment: str, offset: int, words: list[str]) -> list[Span] | None:
    """Locate each segmented word in ``segment``; None if the words do not fit it."""
    spans: list[Span] = []
    cursor = 0
    for word in words:
        first = last = None
        for syllable in word.split(" "):
            if not syllable:
                continue
            while cursor < len(segment) and segment[cursor].isspace():
                cursor += 1
            if not segment.startswith(syllable, cursor):
                return None
            if first is None:
                first = cursor
            cursor += len(syllable)
            last = cursor
        if first is not None:
            spans.append((offset + first, offset + last))
    if segment[cursor:].strip():
        return None
    return spans


def _segment_line(line: str, offset: int) -> list[Span]:
    if not line.strip():
        return []
    try:
        words = _segmenter()(line, use_token_normalize=False)
    except Exception:  # the segmenter fails on odd input: fall back to white space
        words = None
    spans = _align(line, offset, words) if words is not None else None
    if spans is None:
        spans = [(offset + m.start(), offset + m.end()) for m in _NONSPACE.finditer(line)]
    return spans


def tokenize_normalized(text: str, boundaries: list[Span] = ()) -> list[Span]:
    """Word spans of a normalised text; ``boundaries`` are extra spans kept as single tokens."""
    fixed = sorted(set(protected_spans(text)) | set(boundaries))
    # Drop fixed spans that overlap an earlier one.
    kept: list[Span] = []
    for s, e in fixed:
        if not kept or s >= kept[-1][1]:
            kept.append((s, e))
    spans: list[Span] = []
    cursor = 0
    for s, e in kept + [(len(text), len(text))]:
        gap = text[cursor:s]
        line_start = cursor
        for line in gap.split("\n"):
            spans.extend(_segment_line(line, line_start))
            line_start += len(line) + 1
        if e > s:
            spans.append((s, e))
        cursor = e
    return spans


def tokenize(text: str) -> list[Span]:
    """Word tokens of ``text`` as ``(start, end)`` offsets into ``text`` itself (any form)."""
    norm = normalize(text)
    return to_original_spans(norm, tokenize_normalized(norm.text))


def to_original_spans(norm: NormalizedText, spans: list[Span], shift: int = 0, base: int = 0) -> list[Span]:
    """Map normalised spans (offset by ``shift`` in ``norm``) back to the original, relative to
    original offset ``base``. Tokens that land on one original character (a combining mark that
    normalisation kept apart) are merged, so tokens never overlap."""
    out: list[Span] = []
    for s, e in spans:
        a, b = norm.to_original(s + shift, e + shift)
        a, b = a - base, b - base
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
