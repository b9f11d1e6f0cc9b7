"""What a directive's text leaves open and its page or record settles: province and date.

A page's context comes from the page itself (its title's week; its province from the title,
the portal chrome, or the province it names most); a JSONL record's from its ``province`` and
``date`` keys. Every stage reads :class:`Context` from the :class:`~vnpolicy_nlp.record.Directive`
instead of guessing again: places resolve to the unit valid at ``date`` (before or after the
2025-07-01 reorganisation), a deadline written without a year takes ``year``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Context", "REFORM_DATE", "page_context", "record_context", "province_names", "canonical_province"]

REFORM_DATE = "2025-07-01"  # district level abolished, provinces merged (Nghị quyết 202/2025/QH15)


@dataclass(frozen=True)
class Context:
    """``province``: a short province name as ``vietnamadminunits`` spells it ("Lạng Sơn");
    ``date``: the directive's ISO date (for a bulletin, the last day of its week);
    ``week_start``/``week_end``: the bulletin's week."""

    province: str | None = None
    date: str | None = None
    week_start: str | None = None
    week_end: str | None = None

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def era(self) -> str | None:
        """``legacy`` before 2025-07-01, ``2025`` from then on, None without a date."""
        if not self.date:
            return None
        return "legacy" if self.date < REFORM_DATE else "2025"

    def to_dict(self) -> dict:
        return {"province": self.province, "date": self.date, "week_start": self.week_start, "week_end": self.week_end}


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Lower-cased short province names of both eras → the spelling of the gazetteer."""
    from .entities.gazetteer import admin_units
    from .text import normalize

    out: dict[str, str] = {}
    for unit in admin_units():
        if unit.level == "province":
            out[normalize(unit.name).text.lower()] = unit.name
    out.setdefault("hồ chí minh", "Hồ Chí Minh")
    return out


_ALIASES = {"tp hcm": "Hồ Chí Minh", "tp. hcm": "Hồ Chí Minh", "tp.hcm": "Hồ Chí Minh", "hcm": "Hồ Chí Minh",
            "thừa thiên - huế": "Huế", "thừa thiên huế": "Huế", "tt huế": "Huế"}


def canonical_province(name: str) -> str | None:
    """The gazetteer's spelling of a province name ("tỉnh Lạng Sơn", "Lang Son" is not one), or None."""
    from .text import normalize

    key = " ".join(normalize(name).text.lower().split())
    key = re.sub(r"^(?:tỉnh|thành phố|tp\.?)\s+", "", key)
    names = province_names()
    if key in names:
        return names[key]
    alias = _ALIASES.get(key)
    if alias is not None:
        return names.get(alias.lower(), alias)
    return None


_NAMED = re.compile(r"\b(?:tỉnh|thành phố|TP\.?)\s+((?:[A-ZĐÀ-Ỹ][\w\-]*)(?:\s+[A-ZĐÀ-Ỹ][\w\-]*){0,3})")


def _provinces_named(text: str) -> list[str]:
    """Provinces written as "tỉnh X" / "thành phố X" in ``text``, in order."""
    found: list[str] = []
    for m in _NAMED.finditer(text):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            name = canonical_province(" ".join(words[:n]))
            if name:
                found.append(name)
                break
    return found


def page_context(text: str, title: str | None, week_start: str | None, week_end: str | None,
                 chrome: str = "") -> Context:
    """The context of a bulletin page: the province from its title, then its chrome (banner,
    skip link, the lines before the title), then the province it names most."""
    province = None
    for source in (title or "", chrome):
        named = _provinces_named(source)
        if named:
            province = named[0]
            break
    if province is None:
        counts = Counter(_provinces_named(text[:2_000_000]))
        if counts:
            province = counts.most_common(1)[0][0]
    return Context(province, week_end or week_start, week_start, week_end)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def record_context(record: dict) -> tuple[Context, list[str]]:
    """The context of a JSONL record and what was wrong with its keys (each problem one
    sentence; a bad key is ignored, the record is still tagged)."""
    problems: list[str] = []
    province = record.get("province")
    date = record.get("date")
    if province is not None:
        if not isinstance(province, str):
            problems.append(f"'province' must be a string, not {type(province).__name__}; ignored")
            province = None
        else:
            known = canonical_province(province)
            if known is None:
                problems.append(f"'province' {province[:60]!r} is not a province name of either era; ignored")
            province = known
    if date is not None:
        if not isinstance(date, str) or not _ISO.match(date):
            problems.append(f"'date' must be an ISO date YYYY-MM-DD, not {str(date)[:40]!r}; ignored")
            date = None
        else:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                problems.append(f"'date' {date!r} is not a calendar day; ignored")
                date = None
    return Context(province, date), problems
