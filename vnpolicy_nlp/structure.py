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
import io
import json
import re
from dataclasses import asdict, dataclass

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .components import Component, Doc
from .lexicon import TITLED_END
from .evaluation import PRF, DeadlineScore

if TYPE_CHECKING:
    from .deadline_judge import DeadlineJudge
    from .roles import RoleModel

__all__ = ["Deadline", "Assignment", "Candidate", "deadline_candidates", "find_deadlines", "link_assignments", "resolve_date", "StructureComponent",
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
_YEAR = r"(?:\s*(?:/|-|\.|năm)\s*(?P<{}>(?:19|20)\d\d))?"  # 30/9/2025, 30-9-2025, 30.9.2025 (news style)
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
# The first word of every pattern above (tests/test_structure.py checks that none starts elsewhere).
_ANCHOR = re.compile(r"\b(?:xong|trước|chậm|hạn|muộn|vào|định|đến|trong|hằng|hàng|mỗi|sau)\b", re.I)


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


@dataclass
class Candidate:
    """A time expression the patterns match, before it is judged a deadline or not."""

    start: int
    end: int
    kind: str           # day, month, quarter, half, year, recurring, period, event
    groups: dict
    rule_keeps: bool    # the rules' own decision: not reported as past, and "within" only after a verb of completion


def deadline_candidates(text: str) -> list[Candidate]:
    """Every time expression a pattern matches, in text order, non-overlapping (the longest wins)."""
    found: list[tuple[int, int, str, dict]] = []
    for anchor in _ANCHOR.finditer(text):  # every pattern opens with one of these words: try them there only
        for kind, pattern in _PATTERNS:
            m = pattern.match(text, anchor.start())
            if m:
                found.append((m.start(), m.end(), kind, m.groupdict()))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[Candidate] = []
    last_end = -1
    for s, e, kind, groups in found:
        if s < last_end:
            continue
        before = text[max(0, s - 80):s]
        clause = re.split(r"[;.\n]", before)[-1]
        keeps = not (_REPORTED.search(before) or (kind in _NEEDS_TRIGGER and text[s:s + 5].lower().startswith("trong")
                                                  and not _COMPLETE.search(clause)))
        out.append(Candidate(s, e, kind, groups, keeps))
        last_end = e
    return out


def find_deadlines(text: str, context: dt.date | None = None,
                   judge: "DeadlineJudge | None" = None) -> list[Deadline]:
    """Time limits the text sets, in text order. ``judge`` (the structure stage's learned filter)
    decides which candidates are deadlines; without one, the rules decide."""
    out = []
    for c in deadline_candidates(text):
        if judge.keeps(text, c) if judge is not None else c.rule_keeps:
            out.append(Deadline(c.start, c.end, text[c.start:c.end], resolve_date(c.kind, c.groups, context)))
    return out


_PARAGRAPH_END = re.compile(r"\n")
# A full stop ends a sentence unless it closes an abbreviation ("TP. Cà Mau", "Q. Hải Châu", "TX. Sơn Tây").
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-ZĐ]\.)(?<!\b[A-ZĐ][A-Za-z]\.)(?<!\b[A-ZĐ][A-Za-z]{2}\.)"
                           r"\s+(?=[A-ZĐÂĂÊÔƠƯ0-9])|\n")
# "Sở Y tế chỉ đạo Trung tâm Kiểm soát bệnh tật … trước ngày 10/2": the task passed down is both bodies'.
_PASSING_VERB = re.compile(r"\b(?:chỉ đạo|hướng dẫn|giao|yêu cầu|đôn đốc)\s+(?:các\s+)?$", re.I)
# "UBND xã A và UBND xã B di dời …", "Giám đốc Sở Y tế, Chủ tịch UBND các huyện tổ chức …": one task
_OWNER_LIST = re.compile(r"^\s*(?:,|và|, và)\s*" + TITLED_END)
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
    role)`` in text order.

    - A task runs from the body that owns it (lead or addressee) to the next owner or the end of
      the sentence, across semicolons ("Sở X rà soát …; phấn đấu … trước ngày 31/12"); its first
      deadline binds the owner. Failing that, a deadline that opens the sentence ("Trước ngày
      15/9, Sở Y tế …") binds, but not one that closes an earlier body's clause.
    - A body passing the task down in the same clause ("Sở Y tế chỉ đạo Trung tâm …", "Sở Nội vụ
      chủ trì, … hướng dẫn UBND các xã …") shares the deadline of the body it passes it to.
    - A coordinating body named before its lead's deadline shares it ("Sở X chủ trì, phối hợp với
      Sở Y … trước ngày 15/9"); one named after it has a task of its own, bound to the first
      deadline of its clause ("… trước ngày 15/9; phối hợp với Sở Y kiểm soát …").
    - The issuer is bound to none."""
    roled = [a for a in agencies if a[3]]
    owners = [a for a in roled if a[3] in _OWNER_ROLES]
    bound: dict[int, int | None] = {}

    def first_deadline(lo: int, hi: int) -> int | None:
        for k, d in enumerate(deadlines):
            if d.start >= lo and d.end <= hi:
                return k
        return None

    def clause_end(n_next: int | None, pos: int) -> int:
        stop = _end_of(_SENTENCE_END, text, pos)
        return min(stop, owners[n_next][1]) if n_next is not None and n_next < len(owners) else stop

    for n, (index, s, e, role) in enumerate(owners):
        k = first_deadline(e, clause_end(n + 1, e))
        if k is None:
            sentence = _start_of(_SENTENCE_END, text, s)
            opening = [j for j, d in enumerate(deadlines) if d.start >= sentence and d.end <= s
                       and ";" not in text[sentence:d.start] and not any(sentence <= a[1] < d.start for a in roled)]
            k = opening[0] if opening else None
        bound[index] = k
    for n in range(len(owners) - 2, -1, -1):  # passed down: the later body's deadline is shared
        index, s, e, _ = owners[n]
        nxt = owners[n + 1]
        between = text[e:nxt[1]]
        if bound[index] is None and (_OWNER_LIST.match(between) or (
                _PASSING_VERB.search(between) and not re.search(r"[;.\n]", between))):
            bound[index] = bound[nxt[0]]
    # A limit in a sentence that names no body ("Thời gian hoàn thành: trước ngày 30/9.") closes the
    # task of the last owner before it in its paragraph, if that owner has no limit yet.
    taken = {k for k in bound.values() if k is not None}
    for k, d in enumerate(deadlines):
        if k in taken:
            continue
        sentence = _start_of(_SENTENCE_END, text, d.start)
        if any(sentence <= a[1] < _end_of(_SENTENCE_END, text, d.end) for a in agencies):
            continue
        paragraph = _start_of(_PARAGRAPH_END, text, d.start)
        before = [o for o in owners if paragraph <= o[1] < sentence]
        if before and bound[before[-1][0]] is None:
            bound[before[-1][0]] = k
    out: list[Assignment] = []
    last_owner: tuple[int, int] | None = None  # (index, sentence start) of the latest owner
    n_owner = -1
    for index, s, e, role in roled:
        if role in _OWNER_ROLES:
            n_owner += 1
            last_owner = (index, _start_of(_SENTENCE_END, text, s))
            out.append(Assignment(index, role, bound[index]))
        elif role == "coordinate":
            k = None
            if last_owner is not None and last_owner[1] == _start_of(_SENTENCE_END, text, s):
                lead_k = bound[last_owner[0]]
                if lead_k is not None and deadlines[lead_k].start > s:
                    k = lead_k
            if k is None:
                own = first_deadline(e, clause_end(n_owner + 1, e))
                k = own if own is not None and not re.search(r";", text[e:deadlines[own].start]) else None
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
    """Deadlines and assignments as a pipeline stage, after the entities. Rules find the time
    expressions and the learned :class:`~vnpolicy_nlp.deadline_judge.DeadlineJudge` keeps the
    deadlines among them; the learned :class:`~vnpolicy_nlp.roles.RoleModel` settles each
    agency's role (reading the entity stage's rule roles); rules bind owners to deadlines.
    Files: ``structure.json`` (settings and both models' vocabularies) and ``structure.npz``
    (their weights). A version 1 set has no learned part and keeps the rules' decisions."""

    name = "structure"
    VERSION = 2

    def __init__(self, roles: "RoleModel | None" = None, judge: "DeadlineJudge | None" = None):
        self.roles = roles
        self.judge = judge

    @classmethod
    def train(cls, records: list[dict]) -> "StructureComponent":
        """Both learned parts fitted on the ``records`` annotated with deadlines and assignments;
        with none such (a corpus of entities and topics only), the rules alone, as in version 1."""
        from .deadline_judge import DeadlineJudge
        from .roles import RoleModel

        annotated = [r for r in records if "assignments" in r and "deadlines" in r]
        if not annotated:
            return cls()
        return cls(RoleModel.fit(annotated), DeadlineJudge.fit(annotated))

    def deadlines(self, text: str, date: "str | dt.date | None") -> list[Deadline]:
        return find_deadlines(text, context_date(date), self.judge)

    def settle(self, text: str, entities: list) -> list[tuple[int, int, int, str | None]]:
        """Each AGENCY's ``role`` attr decided by the role model (when the set has one), returned
        as ``(entity index, start, end, role)`` for :func:`link_assignments`."""
        index = [k for k, e in enumerate(entities) if e.label == "AGENCY"]
        if self.roles is not None:
            self.roles.assign(text, [(entities[k].start, entities[k].end, entities[k].attrs) for k in index])
        return [(k, entities[k].start, entities[k].end, entities[k].attrs.get("role")) for k in index]

    def __call__(self, doc: Doc) -> Doc:
        deadlines = self.deadlines(doc.text, doc.date)
        agencies = self.settle(doc.text, doc.entities or [])
        doc.extensions["deadlines"] = deadlines
        doc.extensions["assignments"] = link_assignments(doc.text, agencies, deadlines)
        return doc

    def to_files(self) -> dict[str, bytes]:
        if self.roles is None or self.judge is None:
            return {"structure.json": json.dumps({"version": 1}).encode("utf-8")}
        import numpy as np

        buffer = io.BytesIO()
        np.savez(buffer, **self.roles.model.arrays("roles_"), **self.judge.model.arrays("deadlines_"))
        settings = {"version": self.VERSION, "roles": self.roles.model.meta(), "deadlines": self.judge.model.meta()}
        return {"structure.json": json.dumps(settings, ensure_ascii=False).encode("utf-8"),
                "structure.npz": buffer.getvalue()}

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], config: Mapping[str, Any]) -> "StructureComponent":
        import numpy as np

        from .deadline_judge import DeadlineJudge
        from .linear_model import SparseLinear
        from .roles import RoleModel

        settings = json.loads(files["structure.json"].decode("utf-8"))
        version = settings.get("version") if isinstance(settings, dict) else None
        if version == 1:
            return cls()
        if version != cls.VERSION or "structure.npz" not in files:
            raise ValueError(f"structure.json: version {version!r} is not 1, or {cls.VERSION} with structure.npz")
        with np.load(io.BytesIO(files["structure.npz"]), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        return cls(RoleModel(SparseLinear.from_parts(settings.get("roles", {}), arrays, "roles_", "structure.npz")),
                   DeadlineJudge(SparseLinear.from_parts(settings.get("deadlines", {}), arrays, "deadlines_", "structure.npz")))

    def score(self, records: list[dict]) -> dict[str, float]:
        """Deadline spans and dates, the roles of gold agencies (from the rules' roles, as the
        entity stage gives them, settled by the role model), and the linking of gold agencies with
        their gold roles to deadlines. ``training.evaluate_structure`` scores all of it end to end."""
        from .entities.attributes import agency_attrs, assign_roles
        from .entities.tagger import Entity

        deadlines, links = DeadlineScore(), PRF()
        roles_right = roles_n = 0
        for r in records:
            if "deadlines" not in r:
                continue
            text = r["text"]
            pred = self.deadlines(text, r.get("date"))
            deadlines.add({(d["start"], d["end"]): d["date"] for d in r["deadlines"]},
                          {(d.start, d.end): d.date for d in pred})
            roles = {a["agency"]: a["role"] for a in r.get("assignments", [])}
            ents = r["entities"]
            found = [Entity(e["start"], e["end"], e["label"], agency_attrs(text[e["start"]:e["end"]])
                            if e["label"] == "AGENCY" else {}) for e in ents]
            assign_roles(text, [(e.start, e.end, e.attrs) for e in found if e.label == "AGENCY"])
            for k, _, _, role in self.settle(text, found):
                roles_n += 1
                roles_right += role == roles.get(k)
            agencies = [(k, e["start"], e["end"], roles.get(k)) for k, e in enumerate(ents) if e["label"] == "AGENCY"]
            span_of = lambda ds, k: None if k is None else (ds[k]["start"], ds[k]["end"]) if isinstance(ds[k], dict) \
                else (ds[k].start, ds[k].end)
            links.add({(a["agency"], span_of(r["deadlines"], a["deadline"])) for a in r.get("assignments", [])},
                      {(a.agency, span_of(pred, a.deadline)) for a in link_assignments(text, agencies, pred)})
        return {"deadline span F1": round(deadlines.spans.f1, 4),
                "deadline date accuracy": round(deadlines.date_accuracy or 0.0, 4),
                "agency role accuracy (gold spans)": round(roles_right / roles_n, 4) if roles_n else 0.0,
                "assignment links F1 (gold roles)": round(links.f1, 4)}
