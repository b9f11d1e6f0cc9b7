"""Reliability signals of an archive, per province and year: where the models read badly.

Counted from the output records themselves, so a resumed batch gives the same figures:

- ``unknown_entity_rate``: share of AGENCY and LOCATION mentions that the gazetteers do not
  know (a place with no official unit, country or region; an agency whose name starts with no
  known body). A province whose names the tagger has never seen shows a high rate.
- ``low_confidence_topic_share``: share of topic decisions (one per directive and topic) whose
  score lies between 0.35 and 0.65, near the threshold. The bundled record format carries no
  entity probabilities, so entity confidence is not counted here.
- ``pages_without_directive``: pages in which no directive was found.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache

__all__ = ["Signals", "key_of", "count_record", "merge", "rows"]

LOW, HIGH = 0.35, 0.65


@dataclass
class Signals:
    records: int = 0
    entities: int = 0
    entities_unknown: int = 0
    topic_decisions: int = 0
    topic_low_confidence: int = 0
    pages: int = 0
    pages_without_directive: int = 0


def key_of(context: dict | None) -> str:
    """``province|year`` of a record's context ("unknown" where it says nothing)."""
    context = context or {}
    province = context.get("province") or "unknown"
    date = context.get("date") or context.get("week_end") or ""
    return f"{province}|{date[:4] or 'unknown'}"


@lru_cache(maxsize=1)
def _agency_heads():
    from .entities.gazetteer import agency_index

    return agency_index()


def _known(entity: dict) -> bool:
    attrs = entity.get("attrs") or {}
    if entity["label"] == "LOCATION":
        return "province_code" in attrs or attrs.get("level") in ("country", "region")
    words = (attrs.get("canonical") or entity.get("text") or "").lower().split()
    return any(i == 0 for i, _, _ in _agency_heads().matches(words))


def count_record(table: dict[str, Signals], record: dict) -> None:
    s = table.setdefault(key_of(record.get("context")), Signals())
    s.records += 1
    for ent in record.get("entities") or []:
        if ent.get("label") in ("AGENCY", "LOCATION"):
            s.entities += 1
            s.entities_unknown += not _known(ent)
    for score in (record.get("topic_scores") or {}).values():
        s.topic_decisions += 1
        s.topic_low_confidence += LOW <= score <= HIGH


def merge(into: dict[str, Signals], part: dict[str, dict]) -> None:
    for key, values in part.items():
        s = into.setdefault(key, Signals())
        for name, v in values.items():
            setattr(s, name, getattr(s, name) + v)


def rows(table: dict[str, Signals]) -> list[dict]:
    """One row per province and year, for the manifest."""
    out = []
    for key in sorted(table):
        province, year = key.split("|", 1)
        s = table[key]
        out.append({"province": province, "year": year, **asdict(s),
                    "unknown_entity_rate": round(s.entities_unknown / s.entities, 4) if s.entities else None,
                    "low_confidence_topic_share": round(s.topic_low_confidence / s.topic_decisions, 4)
                    if s.topic_decisions else None})
    return out


def as_dict(table: dict[str, Signals]) -> dict[str, dict]:
    return {k: asdict(v) for k, v in table.items()}


def page_key_of(rows_of_page: Iterable[dict]) -> str:
    for row in rows_of_page:
        return key_of(row.get("context"))
    return "unknown|unknown"
