"""Document numbers: the pattern finds them; the text around them says what they are.

``Công văn số 1048/UBND-KT, ngày 07/8/2023`` → doc_type Công văn, number 1048, issuer UBND,
unit KT, date 2023-08-07. Conventions: state documents are ``number[/year]/TYPE-ISSUER[-UNIT]``
(no type code for a công văn: ``number/ISSUER-UNIT``); party documents ``number-TYPE/ISSUER``.
"""
from __future__ import annotations

import datetime as dt
import re

from ..lexicon import DOC_TYPE_NAMES, state_apparatus
from ..patterns import BARE_DOC_NUMBER_RE, DOC_NUMBER_RE

__all__ = ["find_doc_numbers", "doc_number_attrs", "link_citations"]

_DOC_TYPES = sorted(set(state_apparatus()["doc_types"].values()) | set(DOC_TYPE_NAMES), key=len, reverse=True)
_TYPE_BEFORE = re.compile(r"(" + "|".join(map(re.escape, _DOC_TYPES)) + r")(?:\s+(?:số|liên tịch số))?\s*$",
                          re.IGNORECASE)
_DATE_AFTER = re.compile(r"^\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(\d{1,2})"
                         r"\s*(?:/|-|\.|\s+năm\s+)\s*(\d{4})")
_IMPLEMENT = re.compile(r"(thực hiện|triển khai|theo|căn cứ|tại|quy định tại|hướng dẫn tại)\s*$", re.IGNORECASE)


_LAW_ISSUER = re.compile(r"(?:QH\d*|CTN|UBTVQH\d*)$")  # laws and ordinances of the National Assembly and President


def find_doc_numbers(text: str) -> list[tuple[int, int]]:
    """Numbers in their full form, then bare numbers after a type word ("Công điện số 43")."""
    spans = [m.span() for m in DOC_NUMBER_RE.finditer(text)]
    for m in BARE_DOC_NUMBER_RE.finditer(text):
        s, e = m.span(1)
        if not any(a < e and s < b for a, b in spans):
            spans.append((s, e))
    return sorted(spans)


def doc_number_attrs(text: str, start: int, end: int) -> dict:
    """The parts of the number at ``text[start:end]`` and what its context states."""
    codes = state_apparatus()["doc_types"]
    raw = re.sub(r"\s+", "", text[start:end]).replace("–", "-")
    attrs: dict = {}
    if raw.isdigit() or re.fullmatch(r"\d+[a-z]", raw):  # a bare number: its type word says the rest
        attrs["number"] = raw
    party = re.fullmatch(r"(\d+)-([^/]+)/(.+)", raw)
    if party:
        attrs["number"], type_code, issuer = party.groups()
        attrs["type_code"], attrs["issuer"] = type_code, issuer
    elif "number" not in attrs:
        parts = raw.split("/")
        attrs["number"] = parts[0]
        if len(parts) >= 3 and re.fullmatch(r"\d{4}", parts[1]):
            attrs["year"] = parts[1]
        codes_part = parts[-1].split("-")
        if codes_part[0] in codes:
            attrs["type_code"] = codes_part[0]
            rest = codes_part[1:]
        else:
            rest = codes_part
        if rest:
            attrs["issuer"] = rest[0]
        if len(rest) > 1:
            attrs["unit"] = "-".join(rest[1:])
    before = _TYPE_BEFORE.search(text[max(0, start - 45):start])
    if before:
        stated = before.group(1)
        attrs["doc_type"] = stated[0].upper() + stated[1:]
    elif "type_code" not in attrs and _LAW_ISSUER.match(attrs.get("issuer", "")):
        attrs["doc_type"] = "Pháp lệnh" if attrs["issuer"].startswith("UBTVQH") else "Luật"
    elif "type_code" in attrs:
        attrs["doc_type"] = codes.get(attrs["type_code"], attrs["type_code"])
    else:
        attrs["doc_type"] = "Công văn"
    date = _DATE_AFTER.match(text[end:end + 40])
    if date:
        d, m, y = map(int, date.groups())
        try:
            attrs["date"] = dt.date(y, m, d).isoformat()
        except ValueError:
            pass
    return attrs


def link_citations(text: str, spans: list[tuple[int, int]], attrs: list[dict]) -> None:
    """Mark ``cited_by`` on the numbers a directive implements: the directive's own document is
    the first number not introduced by "thực hiện / theo / căn cứ …"; the others it cites."""
    own = None
    for s, e in spans:
        if not _IMPLEMENT.search(_strip_type(text[max(0, s - 70):s])):
            own = text[s:e]
            break
    if own is None:
        return
    for (s, e), a in zip(spans, attrs):
        if text[s:e] != own and _IMPLEMENT.search(_strip_type(text[max(0, s - 70):s])):
            a["cited_by"] = own


def _strip_type(before: str) -> str:
    """The words before a number with its document type removed: "… thực hiện Công điện số " → "… thực hiện"."""
    m = _TYPE_BEFORE.search(before)
    return before[: m.start()] if m else before
