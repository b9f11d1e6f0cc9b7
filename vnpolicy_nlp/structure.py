"""Who must do what by when: deadlines and the assignments that bind agencies to them.

Deadlines are fixed language ("trước ngày 30/9/2025", "chậm nhất ngày 15/9", "trong tháng 10",
"trong quý III/2024", "hằng tháng"), so rules find them and resolve each to the last day it
allows, taking the year from the context (the directive's date or the bulletin's week) when the
text leaves it out. An assignment ties an agency that has a role (``lead``, ``coordinate``,
``addressee``, ``issuer``: see :mod:`vnpolicy_nlp.entities.attributes`) to the deadline of its task:
the first deadline after it in the same clause, where a clause ends at a semicolon, a sentence end
or a paragraph; an issuer is bound to no deadline. ANNOTATION.md "Deadlines and assignments" is the
reference; ``benchmarks/accuracy.py`` measures both.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass

__all__ = ["Deadline", "Assignment", "find_deadlines", "link_assignments", "resolve_date"]


@dataclass
class Deadline:
    start: int
    end: int
    text: str
    date: str | None  # ISO, the last day allowed; None for recurring duties or when no day can be fixed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Assignment:
    agency: int           # index of the AGENCY in the record's entities
    role: str             # lead, coordinate, addressee, issuer
    deadline: int | None  # index in the record's deadlines, or None

    def to_dict(self) -> dict:
        return asdict(self)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:\s*(?:/|-|năm)\s*(?P<{}>(?:19|20)\d\d))?"
_DAY = (r"(?:ngày\s+)?(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<m>\d{1,2})" + _YEAR.format("y"))
_HOUR = r"(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{2}(?:\s*phút)?)?(?:,)?\s+(?:ngày\s+)?)"
_LIMIT = r"(?:xong\s+trước|trước|chậm\s+nhất(?:\s+(?:là|vào|đến))?(?:\s+trước)?|hạn\s+chót|muộn\s+nhất)"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("day", re.compile(rf"\b{_LIMIT}\s+(?:{_HOUR})?{_DAY}(?!\d)", re.I)),
    ("day", re.compile(rf"\btrong\s+(?:ngày\s+)(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})" + _YEAR.format("y") + r"(?!\d)", re.I)),
    ("month", re.compile(rf"\b(?:{_LIMIT}|trong)\s+(?:tháng\s+)(?P<m>\d{{1,2}})" + _YEAR.format("y") + r"(?![\d/])", re.I)),
    ("quarter", re.compile(rf"\b(?:{_LIMIT}|trong)\s+quý\s+(?P<q>IV|III|II|I|[1-4])\b" + _YEAR.format("y"), re.I)),
    ("half", re.compile(r"\btrong\s+6\s+tháng\s+(?P<h>đầu|cuối)\s+năm" + r"(?:\s+(?P<y>(?:19|20)\d\d))?", re.I)),
    ("year", re.compile(r"\b(?:trong|trước|chậm\s+nhất)\s+năm\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("recurring", re.compile(r"\b(?:định\s+kỳ(?:\s+(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)|\s+\d{1,2}\s+tháng)?"
                             r"|(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm)(?!\s+(?:nay|qua|trước)))", re.I)),
    ("period", re.compile(r"\btrong\s+(?:thời\s+hạn|vòng)\s+\d{1,3}\s+ngày(?:\s+làm\s+việc)?", re.I)),
]


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def resolve_date(kind: str, groups: dict, context: dt.date | None) -> str | None:
    """The last day a matched time expression allows, ISO; None when it names no day."""
    if kind in ("recurring", "period"):
        return None
    year = int(groups["y"]) if groups.get("y") else (context.year if context else None)
    if year is None:
        return None
    try:
        if kind == "day":
            return dt.date(year, int(groups["m"]), int(groups["d"])).isoformat()
        if kind == "month":
            m = int(groups["m"])
            return dt.date(year, m, _last_day(year, m)).isoformat()
        if kind == "quarter":
            m = 3 * _ROMAN[groups["q"].lower()]
            return dt.date(year, m, _last_day(year, m)).isoformat()
        if kind == "half":
            return dt.date(year, 6, 30).isoformat() if groups["h"].lower() == "đầu" else dt.date(year, 12, 31).isoformat()
        if kind == "year":
            return dt.date(year, 12, 31).isoformat()
    except (ValueError, KeyError):
        return None
    return None


def find_deadlines(text: str, context: dt.date | None = None) -> list[Deadline]:
    """Time limits the text sets, in text order, non-overlapping (the longest match wins)."""
    found: list[tuple[int, int, str, dict]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), kind, m.groupdict()))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[Deadline] = []
    last_end = -1
    for s, e, kind, groups in found:
        if s < last_end:
            continue
        out.append(Deadline(s, e, text[s:e], resolve_date(kind, groups, context)))
        last_end = e
    return out


_CLAUSE_END = re.compile(r";|\.\s|\n|\.$")


def _clause_of(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _CLAUSE_END.finditer(text, 0, pos):
        start = m.end()
    m = _CLAUSE_END.search(text, pos)
    return start, (m.start() if m else len(text))


def link_assignments(text: str, agencies: list[tuple[int, int, int, str | None]],
                     deadlines: list[Deadline]) -> list[Assignment]:
    """Assignments of the agencies that have a role. ``agencies`` are ``(entity index, start, end,
    role)``. A lead, coordinating or addressed body takes the first deadline after it in its
    clause, or failing that the last one before it in the clause; an issuer takes none."""
    out: list[Assignment] = []
    for index, s, e, role in agencies:
        if not role:
            continue
        bound = None
        if role != "issuer":
            c_start, c_end = _clause_of(text, e)
            after = [k for k, d in enumerate(deadlines) if d.start >= e and d.end <= c_end]
            before = [k for k, d in enumerate(deadlines) if d.start >= c_start and d.end <= s]
            bound = after[0] if after else (before[-1] if before else None)
        out.append(Assignment(index, role, bound))
    return out
