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
import json
import re
from dataclasses import asdict, dataclass

from collections.abc import Mapping
from typing import Any

from .components import Component, Doc
from .evaluation import PRF

__all__ = ["Deadline", "Assignment", "find_deadlines", "link_assignments", "resolve_date", "StructureComponent",
           "context_date"]


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
_CLOCK = r"\d{1,2}\s*(?:giờ|h)(?:\s*\d{2}(?:\s*phút)?)?"
_HOUR = rf"(?:{_CLOCK}(?:,)?\s+(?:ngày\s+)?)"
_LIMIT = r"(?:xong\s+trước|trước|chậm\s+nhất(?:\s+(?:là|vào|đến))?(?:\s+trước)?|hạn\s+chót|muộn\s+nhất)"
_EVERY = r"(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)"
_WEEKDAY = r"(?:(?:sáng|chiều)\s+)?thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy)"
# "within" expressions count only after a verb of completion in their clause ("hoàn thành trong quý IV");
# "tiêu hủy trong tháng 5" reports what happened.
_COMPLETE = re.compile(r"(?:hoàn thành|hoàn tất|xong|thực hiện|triển khai|tổ chức|báo cáo|gửi|trình|ban hành|giải ngân|"
                       r"phấn đấu|bảo đảm|đảm bảo|đưa vào|kết thúc|dứt điểm|phải|cấp|chi trả|khắc phục|xử lý|nộp|"
                       r"công bố|tiếp nhận|khởi công|bàn giao|cập nhật|rà soát|tuyển dụng)\b[^;.\n]{0,60}$", re.I)
_REPORTED = re.compile(r"\bđã\s+(?:\w+\s+){0,2}$", re.I)

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("recurring", re.compile(rf"\b(?:{_LIMIT}|vào|định\s+kỳ)(?:\s+(?:ngày\s+\d{{1,2}}(?:\s+của\s+tháng\s+cuối\s+quý)?|{_CLOCK}"
                             rf"(?:\s+và\s+{_CLOCK})?|{_WEEKDAY}))+(?:\s+{_EVERY}|(?<=quý))", re.I)),
    ("day", re.compile(rf"\b{_LIMIT}\s+(?:{_HOUR})?{_DAY}(?!\d)", re.I)),
    ("day", re.compile(rf"\bđến\s+hết\s+(?:ngày\s+)?{_DAY}(?!\d)", re.I)),
    ("day", re.compile(r"\btrong\s+(?:ngày\s+)(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})" + _YEAR.format("y") + r"(?!\d)", re.I)),
    ("month", re.compile(rf"\b(?:{_LIMIT}|trong)\s+(?:tháng\s+)(?P<m>\d{{1,2}})" + _YEAR.format("y") + r"(?![\d/])", re.I)),
    ("quarter", re.compile(rf"\b(?:{_LIMIT}|trong)\s+quý\s+(?P<q>IV|III|II|I|[1-4])\b" + _YEAR.format("y"), re.I)),
    ("half", re.compile(r"\btrong\s+6\s+tháng\s+(?P<h>đầu|cuối)\s+năm" + r"(?:\s+(?P<y>(?:19|20)\d\d))?", re.I)),
    ("year", re.compile(r"\b(?:trong|trước|chậm\s+nhất)\s+năm\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("recurring", re.compile(rf"\b(?:định\s+kỳ(?:\s+{_EVERY}|\s+\d{{1,2}}\s+tháng)|định\s+kỳ(?=\s*[,;.]|$)"
                             rf"|{_EVERY}(?!\s+(?:nay|qua|trước))(?:\s+một\s+lần)?|sau\s+mỗi\s+(?:\d{{1,3}}\s+(?:giờ|ngày)|đợt\s+\w+(?:\s+\w+)?)"
                             rf"|mỗi\s+(?:tuần|tháng|quý|năm)\s+một\s+lần)", re.I)),
    ("period", re.compile(r"\btrong(?:\s+vòng|\s+thời\s+hạn)?\s+\d{1,3}\s+(?:ngày(?:\s+làm\s+việc)?|giờ)"
                          r"(?:\s+kể\s+từ\s+(?:ngày|khi)\s+[^\W\d]\w*(?:\s+[^\W\d]\w*){0,3})?", re.I)),
    ("event", re.compile(r"\btrước\s+(?:Tết\s+Nguyên\s+đán(?:\s+[A-ZĐ]\w+\s+[A-ZĐ]\w+)?|ít\s+nhất\s+\d{1,3}\s+giờ)")),
]
_NEEDS_TRIGGER = {"month", "quarter", "half", "year"}


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def resolve_date(kind: str, groups: dict, context: dt.date | None) -> str | None:
    """The last day a matched time expression allows, ISO; None when it names no day."""
    if kind in ("recurring", "period", "event"):
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
        before = text[max(0, s - 80):s]
        clause = re.split(r"[;.\n]", before)[-1]
        if _REPORTED.search(before) or (kind in _NEEDS_TRIGGER and text[s:s + 5].lower().startswith("trong")
                                        and not _COMPLETE.search(clause)):
            continue
        out.append(Deadline(s, e, text[s:e], resolve_date(kind, groups, context)))
        last_end = e
    return out


_PARAGRAPH_END = re.compile(r"\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÂĂÊÔƠƯ0-9])|\n")
# "Sở Y tế chỉ đạo Trung tâm Kiểm soát bệnh tật … trước ngày 10/2": the task passed down is both bodies'.
_PASSED_DOWN = re.compile(r"^\s*(?:chủ trì,?\s*)?(?:chỉ đạo|hướng dẫn|giao|yêu cầu|đôn đốc)\s+(?:các\s+)?$", re.I)
_OWNER_ROLES = ("lead", "addressee")


def _end_of(pattern: re.Pattern, text: str, pos: int) -> int:
    m = pattern.search(text, pos)
    return m.start() if m else len(text)


def _start_of(pattern: re.Pattern, text: str, pos: int) -> int:
    start = 0
    for m in pattern.finditer(text, 0, min(len(text), pos + 1)):  # +1: a lookahead may read the char at pos
        if m.end() <= pos:
            start = m.end()
    return start


def link_assignments(text: str, agencies: list[tuple[int, int, int, str | None]],
                     deadlines: list[Deadline]) -> list[Assignment]:
    """Assignments of the agencies that have a role. ``agencies`` are ``(entity index, start, end,
    role)`` in text order. A task runs from the body that owns it (lead or addressee) to the next
    owner or the end of the sentence, across semicolons ("Sở X rà soát …; phấn đấu … trước ngày
    31/12"); its first deadline binds the owner. A body passing the task down ("Sở Y tế chỉ đạo
    Trung tâm …") shares the deadline of the body it passes it to; coordinating bodies share their
    lead's; failing all that, a deadline opening the sentence ("Trước ngày 15/9, Sở Y tế …") binds.
    The issuer is bound to none."""
    roled = [a for a in agencies if a[3]]
    owners = [a for a in roled if a[3] in _OWNER_ROLES]
    bound: dict[int, int | None] = {}

    def first_deadline(lo: int, hi: int) -> int | None:
        for k, d in enumerate(deadlines):
            if d.start >= lo and d.end <= hi:
                return k
        return None

    for n, (index, s, e, role) in enumerate(owners):
        stop = _end_of(_SENTENCE_END, text, e)
        if n + 1 < len(owners):
            stop = min(stop, owners[n + 1][1])
        k = first_deadline(e, stop)
        if k is None:
            sentence = _start_of(_SENTENCE_END, text, s)
            before = [j for j, d in enumerate(deadlines) if d.start >= sentence and d.end <= s]
            k = before[0] if before else None
        bound[index] = k
    for n in range(len(owners) - 2, -1, -1):  # passed down: the later body's deadline is shared
        index, s, e, _ = owners[n]
        nxt = owners[n + 1]
        if bound[index] is None and _PASSED_DOWN.match(text[e:nxt[1]]):
            bound[index] = bound[nxt[0]]
    out: list[Assignment] = []
    last_owner: tuple[int, int] | None = None  # (index, paragraph start) of the latest owner
    for index, s, e, role in roled:
        if role in _OWNER_ROLES:
            last_owner = (index, _start_of(_PARAGRAPH_END, text, s))
            out.append(Assignment(index, role, bound[index]))
        elif role == "coordinate":
            same_paragraph = last_owner is not None and last_owner[1] == _start_of(_PARAGRAPH_END, text, s)
            k = bound[last_owner[0]] if same_paragraph else None
            if k is None:
                k = first_deadline(e, _end_of(_PARAGRAPH_END, text, e))
            out.append(Assignment(index, role, k))
        else:
            out.append(Assignment(index, role, None))
    return out


# ------------------------------------------------------------------ the pipeline component


def context_date(value: "str | dt.date | None") -> dt.date | None:
    """The context's date from ISO text (a week's first day, a record's date); None if unreadable."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class StructureComponent(Component):
    """Deadlines and assignments as a pipeline stage, after the entities (whose roles it reads).
    Its rules are code, so its only file is its settings (``structure.json``)."""

    name = "structure"
    VERSION = 1

    def __call__(self, doc: Doc) -> Doc:
        deadlines = find_deadlines(doc.text, context_date(doc.date))
        agencies = [(k, e.start, e.end, e.attrs.get("role")) for k, e in enumerate(doc.entities or [])
                    if e.label == "AGENCY"]
        doc.extensions["deadlines"] = deadlines
        doc.extensions["assignments"] = link_assignments(doc.text, agencies, deadlines)
        return doc

    def to_files(self) -> dict[str, bytes]:
        return {"structure.json": json.dumps({"version": self.VERSION}).encode("utf-8")}

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], config: Mapping[str, Any]) -> "StructureComponent":
        settings = json.loads(files["structure.json"].decode("utf-8"))
        if not isinstance(settings, dict) or settings.get("version") != cls.VERSION:
            raise ValueError(f"structure.json: version {settings!r} is not {cls.VERSION}")
        return cls()

    def score(self, records: list[dict]) -> dict[str, float]:
        """Deadline spans and dates, and the linking of gold agencies (with their gold roles) to
        deadlines; the roles themselves are the entity tagger's, scored end to end in training."""
        spans, links = PRF(), PRF()
        dates = [0, 0]
        for r in records:
            if "deadlines" not in r:
                continue
            text = r["text"]
            gold = {(d["start"], d["end"]): d["date"] for d in r["deadlines"]}
            pred = find_deadlines(text, context_date(r.get("date")))
            got = {(d.start, d.end): d.date for d in pred}
            spans.tp += len(gold.keys() & got.keys())
            spans.fp += len(got.keys() - gold.keys())
            spans.fn += len(gold.keys() - got.keys())
            for key in gold.keys() & got.keys():
                dates[1] += 1
                dates[0] += gold[key] == got[key]
            roles = {a["agency"]: a["role"] for a in r.get("assignments", [])}
            ents = r["entities"]
            agencies = [(k, e["start"], e["end"], roles.get(k)) for k, e in enumerate(ents) if e["label"] == "AGENCY"]
            span_of = lambda ds, k: None if k is None else (ds[k]["start"], ds[k]["end"]) if isinstance(ds[k], dict) \
                else (ds[k].start, ds[k].end)
            g = {(a["agency"], span_of(r["deadlines"], a["deadline"])) for a in r.get("assignments", [])}
            p = {(a.agency, span_of(pred, a.deadline)) for a in link_assignments(text, agencies, pred)}
            links.tp += len(g & p)
            links.fp += len(p - g)
            links.fn += len(g - p)
        return {"deadline span F1": round(spans.f1, 4), "deadline date accuracy": round(dates[0] / dates[1], 4)
                if dates[1] else 0.0, "assignment links F1 (gold roles)": round(links.f1, 4)}
