"""Tagged records as tables: an Arrow schema that stays the same from run to run (for Parquet,
pandas, polars and DuckDB) and pandas DataFrames for analysis."""
from __future__ import annotations

import json
from typing import Any

from .taxonomy import entity_labels

__all__ = ["SCHEMA", "records_to_arrow", "to_frame"]


def _schema():
    import pyarrow as pa

    entity = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string()), ("text", pa.string()),
                        ("attrs", pa.string())])
    deadline = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()), ("date", pa.date32())])
    assignment = pa.struct([("agency", pa.int32()), ("role", pa.string()), ("deadline", pa.int32())])
    return pa.schema([
        ("source", pa.string()), ("index", pa.int32()), ("id", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("headline", pa.string()), ("text", pa.string()), ("duplicate_of", pa.string()),
        ("bulletin_title", pa.string()), ("week_start", pa.date32()), ("week_end", pa.date32()),
        ("topics", pa.list_(pa.string())), ("topic_scores", pa.map_(pa.string(), pa.float32())),
        ("entities", pa.list_(entity)), ("input", pa.string()),
        ("deadlines", pa.list_(deadline)), ("assignments", pa.list_(assignment)),
    ])


SCHEMA = None  # built on first use, so importing this module does not import pyarrow


def _date(value: str | None):
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None


def records_to_arrow(rows: list[dict[str, Any]]):
    """One row a directive; entity ``attrs`` as a JSON string (their keys depend on the label)."""
    import pyarrow as pa

    global SCHEMA
    if SCHEMA is None:
        SCHEMA = _schema()
    cols: dict[str, list] = {name: [] for name in SCHEMA.names}
    for r in rows:
        b = r.get("bulletin") or {}
        cols["source"].append(r.get("source"))
        cols["index"].append(r.get("index"))
        cols["id"].append(r.get("id"))
        cols["start"].append(r.get("start"))
        cols["end"].append(r.get("end"))
        cols["headline"].append(r.get("headline"))
        cols["text"].append(r.get("text"))
        cols["duplicate_of"].append(r.get("duplicate_of"))
        cols["bulletin_title"].append(b.get("title"))
        cols["week_start"].append(_date(b.get("week_start")))
        cols["week_end"].append(_date(b.get("week_end")))
        cols["topics"].append(r.get("topics"))
        scores = r.get("topic_scores")
        cols["topic_scores"].append(list(scores.items()) if scores is not None else None)
        ents = r.get("entities")
        cols["entities"].append(None if ents is None else [
            {"start": e["start"], "end": e["end"], "label": e["label"], "text": e["text"],
             "attrs": json.dumps(e.get("attrs") or {}, ensure_ascii=False)} for e in ents])
        cols["input"].append(json.dumps(r["input"], ensure_ascii=False) if r.get("input") is not None else None)
        cols["deadlines"].append([{**d, "date": _date(d.get("date"))} for d in r.get("deadlines") or []])
        cols["assignments"].append(list(r.get("assignments") or []))
    return pa.table(cols, schema=SCHEMA)


def _iso(value) -> str | None:
    """A date from JSON (ISO text), Arrow (``datetime.date``) or pandas (``Timestamp``, ``NaT``)."""
    if value is None or isinstance(value, str):
        return value
    if value != value:  # NaN or NaT
        return None
    return value.isoformat()[:10]


def _plain(value):
    """A list (or None) from a list, a tuple or the numpy array pandas gives for a Parquet list."""
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, float) and value != value:
        return None
    return list(value)


def _index(value) -> int | None:
    """An index that pandas may have turned into a float (and a missing one into NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return int(value)


def _from_table_row(row: dict) -> dict:
    """A row of the Parquet schema (read back by pyarrow or pandas) in the JSONL record's shape."""
    r = dict(row)
    if "bulletin" not in r:
        title, start, end = r.pop("bulletin_title", None), _iso(r.pop("week_start", None)), _iso(r.pop("week_end", None))
        r["bulletin"] = None if title is None and start is None else {"title": title, "week_start": start,
                                                                      "week_end": end}
    if isinstance(r.get("duplicate_of"), float):  # pandas writes a missing string as NaN
        r["duplicate_of"] = None
    r["topics"] = _plain(r.get("topics"))
    scores = r.get("topic_scores")
    if scores is not None and not isinstance(scores, dict):
        scores = _plain(scores)
        r["topic_scores"] = None if scores is None else {k: round(float(v), 6) for k, v in scores}  # float32 in Parquet
    ents = _plain(r.get("entities"))
    r["entities"] = None if ents is None else [{**e, "attrs": _attrs(e)} for e in ents]
    if isinstance(r.get("input"), str):
        r["input"] = json.loads(r["input"])
    elif isinstance(r.get("input"), float):
        r["input"] = None
    r["deadlines"] = [{**d, "date": _iso(d.get("date"))} for d in _plain(r.get("deadlines")) or []]
    r["assignments"] = [{k: _index(v) if k in ("agency", "deadline") else v for k, v in a.items()}
                        for a in _plain(r.get("assignments")) or []]
    return r


def _as_dict(record) -> dict:
    if not isinstance(record, dict):
        return record.to_dict()
    if "bulletin_title" in record or isinstance(record.get("input"), str) or any(
            isinstance(e.get("attrs"), str) for e in _plain(record.get("entities")) or []):
        return _from_table_row(record)
    return record


def _rows(records) -> list[dict]:
    """Directives, their dicts, rows read back from Parquet, a pandas DataFrame or an Arrow table."""
    if hasattr(records, "to_pylist"):          # pyarrow.Table
        records = records.to_pylist()
    elif hasattr(records, "to_dict") and hasattr(records, "columns"):  # pandas.DataFrame
        records = records.to_dict("records")
    return [_as_dict(r) for r in records]


def to_frame(records, entities: bool = False, assignments: bool = False):
    """A pandas DataFrame of tagged directives: ``Directive`` objects, their dicts (a batch's JSONL
    output), or rows of a batch's Parquet output (``pandas.read_parquet(folder)`` itself, its
    ``to_dict("records")``, or a ``pyarrow`` table). One row a directive, with
    ``week_start``/``week_end`` as dates, one ``score_<topic>`` column per topic and entity
    counts per label; with ``entities=True``, one row an entity instead, its attributes as
    columns, ready for group-by-week; with ``assignments=True``, one row an assignment: the
    agency (canonical name, level), its role, its deadline (text and date), the directive's
    topics and week."""
    import pandas as pd

    rows = _rows(records)
    if assignments:
        return _assignment_frame(rows)
    if entities:
        out = []
        for r in rows:
            week = (r.get("bulletin") or {}).get("week_start")
            for e in r.get("entities") or []:
                out.append({"directive_id": r["id"], "source": r.get("source"), "week_start": week,
                            "topics": r.get("topics"), "label": e["label"], "text": e["text"],
                            "start": e["start"], "end": e["end"], **(e.get("attrs") or {})})
        frame = pd.DataFrame(out)
        if "week_start" in frame:
            frame["week_start"] = pd.to_datetime(frame["week_start"])
        if "date" in frame:
            frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
        return frame
    out = []
    for r in rows:
        b = r.get("bulletin") or {}
        row = {"source": r.get("source"), "index": r.get("index"), "id": r["id"], "headline": r.get("headline"),
               "text": r.get("text"), "duplicate_of": r.get("duplicate_of"), "bulletin_title": b.get("title"),
               "week_start": b.get("week_start"), "week_end": b.get("week_end"), "topics": r.get("topics")}
        for topic, score in (r.get("topic_scores") or {}).items():
            row[f"score_{topic}"] = score
        for label in entity_labels():
            row[f"n_{label}"] = sum(e["label"] == label for e in r.get("entities") or [])
        out.append(row)
    frame = pd.DataFrame(out)
    for col in ("week_start", "week_end"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _assignment_frame(rows: list[dict]):
    import pandas as pd

    out = []
    for r in rows:
        ents = r.get("entities") or []
        deadlines = r.get("deadlines") or []
        week = (r.get("bulletin") or {}).get("week_start")
        for a in r.get("assignments") or []:
            ent = ents[a["agency"]] if 0 <= a["agency"] < len(ents) else {}
            attrs = _attrs(ent)
            d = deadlines[a["deadline"]] if a.get("deadline") is not None and a["deadline"] < len(deadlines) else {}
            out.append({"directive_id": r.get("id"), "source": r.get("source"), "week_start": week,
                        "date": (r.get("input") or {}).get("date") if isinstance(r.get("input"), dict) else None,
                        "topics": r.get("topics"), "agency": ent.get("text"),
                        "agency_canonical": attrs.get("canonical", ent.get("text")), "level": attrs.get("level"),
                        "role": a.get("role"), "deadline_text": d.get("text"), "deadline": d.get("date")})
    columns = ["directive_id", "source", "week_start", "date", "topics", "agency", "agency_canonical", "level", "role",
               "deadline_text", "deadline"]
    frame = pd.DataFrame(out, columns=columns)
    for col in ("week_start", "date", "deadline"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    return frame


def _attrs(ent: dict) -> dict:
    """Entity attributes as a dict, whether they came as one (JSONL) or as JSON text (Parquet)."""
    attrs = ent.get("attrs") or {}
    return json.loads(attrs) if isinstance(attrs, str) else attrs
