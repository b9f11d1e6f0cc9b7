"""The hybrid entity tagger: patterns, gazetteers, the trained CRF, and a resolver that merges
them into flat spans by the annotation guide's rules, then attaches attributes."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..lexicon import AGENCY_LEVEL_TWO_SYLLABLES, AGENCY_LEVEL_WORDS, CONNECTORS, FAMILY_NAMES, PLACE_TYPE_WORDS, \
    alternation, unit_words
from ..words import syllable_spans
from .attributes import agency_attrs, assign_roles, location_attrs, official_attrs
from .crf import CRFTagger, bio_decode
from .docnumbers import doc_number_attrs, find_doc_numbers, link_citations
from .gazetteer import agency_index, place_index, title_index

__all__ = ["Entity", "EntityTagger", "MODES"]

MODES = ("full", "crf", "rules")
_TRIM = " ,.;:()\"'-"
_UNIT_BEFORE = re.compile(rf"({alternation(unit_words())})\s$", re.I)


@dataclass
class Entity:
    start: int
    end: int
    label: str
    attrs: dict = field(default_factory=dict)

    def to_dict(self, text: str) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label, "text": text[self.start:self.end],
                "attrs": self.attrs}


@dataclass
class EntityTagger:
    """``tag(text)`` → entities of a normalised directive text. ``mode`` is for ablation:
    ``rules`` (patterns and gazetteers only), ``crf`` (the trained tagger only), ``full``."""

    crf: CRFTagger | None = None
    mode: str = "full"

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Flat, labelled spans of a normalised text, before attributes."""
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {MODES}")
        tokens = syllable_spans(text)
        if self.mode == "rules" or self.crf is None:
            found = _rule_spans(text, tokens)
        else:
            found = bio_decode(tokens, self.crf.tag([text[s:e] for s, e in tokens]))
        if self.mode == "crf":
            return sorted(found)
        return _resolve(text, found)

    def tag(self, text: str, province: str | None = None, date: str | None = None) -> list[Entity]:
        """Entities with attributes. ``province`` (short name) resolves places such as
        "huyện Chi Lăng" to the right unit; by default the text's own most named province.
        ``date`` (ISO) picks the units valid that day (before or after 2025-07-01)."""
        ents = [Entity(s, e, label) for s, e, label in self.spans(text)]
        add_attributes(text, ents, province, date)
        return ents


def _resolve(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge tagger output with the document-number pattern and tidy spans by the guide."""
    numbers = find_doc_numbers(text)
    out = [(s, e, "DOC_NUMBER") for s, e in numbers]
    for s, e, label in found:
        if label == "DOC_NUMBER":
            continue
        while s < e and text[s] in _TRIM:
            s += 1
        while e > s and text[e - 1] in _TRIM and not (text[e - 1] == ")" and "(" in text[s:e]):
            e -= 1
        if e <= s or any(a < e and s < b for a, b in numbers):
            continue
        open_at = text.rfind("(", s, e)
        if open_at > s and ")" not in text[open_at:e]:  # an unclosed bracket: the name ends before it
            e = open_at
            while e > s and text[e - 1] in _TRIM:
                e -= 1
        cut = _hard_break(text, s, e)
        if cut is not None:  # a name runs across a soft line wrap, never across a paragraph
            e = cut
            while e > s and text[e - 1] in _TRIM:
                e -= 1
        if label == "AGENCY":  # a title fused in front stays out ("Chủ tịch UBND tỉnh" → "UBND tỉnh")
            s = _skip_title(text, s, e)
            e = _extend_header(text, s, e)
            if _inside_law_title(text, s, e):
                continue
            dash = _PARENT_AFTER_DASH.search(text, s, e)
            if dash:  # "Trung tâm Công nghệ thông tin - Bộ Tư pháp": the sub-unit, then its parent
                out.append((s, dash.start(), label))
                s = dash.end()
        elif label == "LOCATION":  # a place starts at its name or its type word ("xã", "cửa khẩu", "sông")
            s = _skip_lowercase_lead(text, s, e)
            if not any(ch.isupper() or ch.isdigit() for ch in text[s:e]) or _UNIT_ONLY.match(text[s:e]) \
                    or _ARTICLE.match(text[s:e]):
                continue  # a unit word alone ("Tỉnh" of "Tỉnh ủy") or an article ("Điều 1") names no place
        if e > s:
            out.append((s, e, label))
    return _share_head(text, sorted(out))


# A sub-unit and its parent, a spaced dash between them, are two spans (ANNOTATION.md, decided
# 2026-12); the dash inside a body's own name ("Phòng Tài chính - Kế hoạch") is not followed by a head,
# and a member university's official name keeps its parent ("Trường Đại học Sư phạm - Đại học Huế").
_PARENT_AFTER_DASH = re.compile(r"\s[-–]\s(?=(?:Bộ(?! phận)|Sở|Công an|UBND|Ủy ban nhân dân|Tổng cục|Cục|Văn phòng|Tỉnh ủy|"
                                r"Thành ủy|Viện|Tập đoàn|Tổng công ty|Quân khu)\s+[A-ZĐ\w])")


# "UBND các huyện Lệ Thủy, Quảng Ninh và Bố Trạch", "UBND 2 huyện Cẩm Xuyên và Thạch Hà": one head word
# shared by several names is one span (ANNOTATION.md, decided 2026-12).
_PLURAL_UNIT = re.compile(rf"\b(?:các|\d{{1,2}})\s+(?:{alternation(unit_words('district', 'commune', 'province', 'city'))})\s+"
                          r"[A-ZĐ]", re.I)
_LIST_JOIN = re.compile(r"(?:\s*,\s*(?:và\s+)?|\s+và\s+)")


def _share_head(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """An agency whose head names several units by a plural ("các huyện", "2 huyện") takes in the
    bare place names listed right after it."""
    out: list[tuple[int, int, str]] = []
    for s, e, label in spans:
        if out and out[-1][2] == "AGENCY" and label == "LOCATION" and _PLURAL_UNIT.search(text, out[-1][0], out[-1][1]) \
                and _LIST_JOIN.fullmatch(text, out[-1][1], s) and not _UNIT_ONLY.match(text[s:e].split()[0]) \
                and text[s].isupper():
            out[-1] = (out[-1][0], e, "AGENCY")
            continue
        out.append((s, e, label))
    return out


_PLACE_TYPES = PLACE_TYPE_WORDS


_CONNECTORS = CONNECTORS
_PROVINCE_NAMED = re.compile(rf"(?:{alternation(unit_words('province', 'city'))})\s+(.+)$", re.I)
_UNIT_ONLY = re.compile(rf"^(?:{alternation(unit_words())})$", re.IGNORECASE)


_ARTICLE = re.compile(r"^(?:Điều|Khoản|Mục|Chương|Phần)\s+\w+$")
_CAPS_WORD = re.compile(r"[^\W\d_a-zà-ỹđ]+(?=[\s,]|$)")
_LAW_TITLE = re.compile(r"\b(?:Luật|Bộ luật|Pháp lệnh)(?:\s+[A-ZĐÀ-Ỹa-zà-ỹđ,&]+){1,8}\s+$")


def _extend_header(text: str, s: int, e: int) -> int:
    """A capitalised header runs to the end of its capitals: "ỦY BAN NHÂN DÂN TỈNH" + " BẠC LIÊU"."""
    if not text[s:e].isupper() or len(text[s:e]) < 6:
        return e
    pos = e
    while True:
        m = re.match(r" ([^\W\d_]+)", text[pos:pos + 30])
        if not m or not m.group(1).isupper():
            return pos
        pos += m.end()


def _inside_law_title(text: str, s: int, e: int) -> bool:
    """Bodies named in the title of a law ("Luật Tổ chức HĐND và UBND") are not agencies of the text."""
    before = text[max(0, s - 60):s]
    return not before.rstrip().endswith((",", ";", ":")) and bool(_LAW_TITLE.search(before))


_HARD_BREAK = re.compile(r"\n\s*\n|(?<=[.;:!?])[ \t]*\n")


def _hard_break(text: str, s: int, e: int) -> int | None:
    """Where ``[s, e)`` crosses a paragraph break, a line ending in sentence punctuation, or the
    end of the first line (a headline); None when it crosses only soft wraps."""
    m = _HARD_BREAK.search(text, s, e)
    first = text.find("\n")
    cut = m.start() if m else None
    if 0 <= first and s < first < e and (cut is None or first < cut):
        cut = first
    return cut


def _skip_lowercase_lead(text: str, s: int, e: int) -> int:
    """Drop leading lower-case words that are neither a name nor a place-type word, and anything
    up to a connecting word before the name ("thị xã gồm Sóc Sơn" → "Sóc Sơn")."""
    while s < e and text[s].islower():
        word_end = text.find(" ", s, e)
        if word_end < 0 or text[s:word_end] in _PLACE_TYPES:
            break
        s = word_end + 1
    pos = s
    while pos < e and not text[pos].isupper():
        word_end = text.find(" ", pos, e)
        if word_end < 0:
            break
        if text[pos:word_end] in _CONNECTORS:
            s = word_end + 1
        pos = word_end + 1
    return s


def _skip_title(text: str, s: int, e: int) -> int:
    words = text[s:e].split(" ")
    lower = [w.lower() for w in words]
    for n in range(min(4, len(words) - 1), 0, -1):
        if tuple(lower[:n]) in title_index().phrases and tuple(lower[n:n + 1]) != ("ban",):
            rest = " ".join(words[n:])
            if rest and (rest[0].isupper() or rest.startswith("phòng")):
                return s + len(" ".join(words[:n])) + 1
    return s


def _rule_spans(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Rules alone: gazetteer agencies (extended by a following level/place word), unit word +
    place name, and capitalised family-name runs after an honorific or before a title."""
    words = [text[s:e].lower() for s, e in tokens]
    out: list[tuple[int, int, str]] = []
    taken = [False] * len(tokens)
    for i, j, tag in agency_index().matches(words):
        # extend over a level word and a proper name: "UBND" + "tỉnh", "UBND huyện" + "Chi Lăng"
        k = j
        if k < len(tokens) and words[k] in AGENCY_LEVEL_WORDS:
            k += 1 if words[k] not in AGENCY_LEVEL_TWO_SYLLABLES else 2
            while k < len(tokens) and text[tokens[k][0]].isupper():
                k += 1
        elif tag == "AGENCY_HEAD":
            continue
        out.append((tokens[i][0], tokens[min(k, len(tokens)) - 1][1], "AGENCY"))
        for x in range(i, min(k, len(tokens))):
            taken[x] = True
    for i, j, _level in place_index().matches(words):
        if any(taken[i:j]) or not text[tokens[i][0]].isupper():
            continue
        s = tokens[i][0]
        unit = _UNIT_BEFORE.search(text[max(0, s - 12):s])
        if unit:
            s = s - len(unit.group(0))
        out.append((s, tokens[j - 1][1], "LOCATION"))
        for x in range(i, j):
            taken[x] = True
    i = 0
    while i < len(tokens):
        if not taken[i] and words[i] in FAMILY_NAMES and text[tokens[i][0]].isupper():
            j = i + 1
            while j < len(tokens) and j - i < 4 and text[tokens[j][0]].isupper() and tokens[j][1] - tokens[j][0] > 1 \
                    and not taken[j]:
                j += 1
            if j - i >= 2:
                out.append((tokens[i][0], tokens[j - 1][1], "OFFICIAL"))
                i = j
                continue
        i += 1
    return sorted(out)


def add_attributes(text: str, ents: list[Entity], province: str | None = None, date: str | None = None) -> None:
    """Fill ``attrs`` of every entity in place."""
    if province is None:
        named = Counter()
        for ent in ents:
            if ent.label == "LOCATION":
                m = _PROVINCE_NAMED.match(text[ent.start:ent.end])
                if m:
                    named[m.group(1)] += 1
        province = named.most_common(1)[0][0] if named else None
    docs = [e for e in ents if e.label == "DOC_NUMBER"]
    for ent in docs:
        ent.attrs = doc_number_attrs(text, ent.start, ent.end)
    link_citations(text, [(e.start, e.end) for e in docs], [e.attrs for e in docs])
    agencies = [e for e in ents if e.label == "AGENCY"]
    for ent in agencies:
        ent.attrs = agency_attrs(text[ent.start:ent.end])
    assign_roles(text, [(e.start, e.end, e.attrs) for e in agencies])
    spans = [(e.start, e.end) for e in agencies]
    for ent in ents:
        if ent.label == "OFFICIAL":
            ent.attrs = official_attrs(text, ent.start, ent.end, spans)
        elif ent.label == "LOCATION":
            ent.attrs = location_attrs(text[ent.start:ent.end], province, date)
