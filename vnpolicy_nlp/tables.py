"""Tagged records as tables: an Arrow schema that stays the same from run to run (for Parquet,
pandas, polars and DuckDB) and pandas DataFrames for analysis."""
from __future__ import annotations

import json
from typing import Any

__all__ = ["SCHEMA", "records_to_arrow"]


def _schema():
    import pyarrow as pa

    entity = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string()), ("text", pa.string()),
                        ("attrs", pa.string())])
    return pa.schema([
        ("source", pa.string()), ("index", pa.int32()), ("id", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("headline", pa.string()), ("text", pa.string()), ("duplicate_of", pa.string()),
        ("bulletin_title", pa.string()), ("week_start", pa.date32()), ("week_end", pa.date32()),
        ("topics", pa.list_(pa.string())), ("topic_scores", pa.map_(pa.string(), pa.float32())),
        ("entities", pa.list_(entity)), ("input", pa.string()),
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
    return pa.table(cols, schema=SCHEMA)
