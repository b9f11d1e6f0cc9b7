"""Label Studio: tasks with predictions, the labelling config, and its exports read back.

Export: a JSON list of tasks, ``data`` holding ``text``, ``record_id`` and the record's metadata,
``predictions`` with one ``labels`` result per span and, when there are topics, one ``choices``
result. Label Studio counts text offsets in UTF-16 code units (JavaScript strings), so offsets
are written in UTF-16 and read back into Python string offsets.

Import reads the three exports a user can pick: "JSON" (tasks with ``annotations``), "JSON-MIN"
(one flat row per annotation) and a snapshot whose ``predictions`` are only ids. Skipped
annotations (``was_cancelled``) are never gold; a task nobody annotated is counted and left out
unless predictions are accepted.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .annotation import BadItem, ExportItem, Item, Parsed, Span, type_name, write_atomically
from .taxonomy import entity_labels

__all__ = ["label_config", "write_tasks", "parse_export", "to_utf16", "from_utf16"]

SPANS, TOPICS = "label", "topics"   # from_name of the two controls
_COLOURS = {"AGENCY": "#1f77b4", "LOCATION": "#2ca02c", "OFFICIAL": "#d62728", "DOC_NUMBER": "#9467bd"}
_MORE_COLOURS = ("#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def label_config(topics: Iterable[str]) -> str:
    """The labelling interface: span labels over the text and topic checkboxes."""
    extra = itertools.cycle(_MORE_COLOURS)
    labels = "\n".join(f'    <Label value="{l}" background="{_COLOURS.get(l) or next(extra)}"/>'
                       for l in entity_labels())
    choices = "\n".join(f'    <Choice value="{t}"/>' for t in topics)
    return (f'<View>\n  <Labels name="{SPANS}" toName="text">\n{labels}\n  </Labels>\n'
            f'  <Text name="text" value="$text"/>\n'
            f'  <Choices name="{TOPICS}" toName="text" choice="multiple" showInline="true">\n{choices}\n  </Choices>\n'
            f'</View>\n')


# ------------------------------------------------------------------ offsets
def to_utf16(text: str, i: int) -> int:
    """A Python string offset as a UTF-16 code-unit offset."""
    return i + sum(1 for ch in text[:i] if ord(ch) > 0xFFFF)


def from_utf16(text: str, u: int) -> int | None:
    """A UTF-16 offset as a Python string offset; None when it falls inside a surrogate pair or
    beyond the text."""
    if not any(ord(ch) > 0xFFFF for ch in text):
        return u if 0 <= u <= len(text) else None
    units = 0
    for i, ch in enumerate(text):
        if units == u:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > u:
            return None
    return len(text) if units == u else None


# ------------------------------------------------------------------ export
def _result_id(record_id: str, k: int) -> str:
    """Unique across tasks and exports: Label Studio keys regions by these ids."""
    return hashlib.sha1(f"{record_id}\x00{k}".encode("utf-8")).hexdigest()[:10]


def task(item: ExportItem, model_version: str) -> dict:
    text, rid = item.text, str(item.meta["record_id"])
    result: list[dict] = [
        {"id": _result_id(rid, k), "from_name": SPANS, "to_name": "text", "type": "labels",
         "value": {"start": to_utf16(text, s.start), "end": to_utf16(text, s.end), "text": text[s.start:s.end],
                   "labels": [s.label]}}
        for k, s in enumerate(item.spans)]
    if item.topics:  # an empty choices result is not valid in Label Studio: no topic means no result
        result.append({"id": _result_id(rid, len(item.spans)), "from_name": TOPICS, "to_name": "text",
                       "type": "choices", "value": {"choices": list(item.topics)}})
    return {"data": {"text": text, **item.meta}, "predictions": [{"model_version": model_version, "result": result}]}


def write_tasks(items: list[ExportItem], out: Path, model_version: str) -> None:
    from .corpus import load_taxonomy

    body = json.dumps([task(i, model_version) for i in items], ensure_ascii=False, indent=1)
    write_atomically(out.with_name(out.stem + ".label_config.xml"), label_config(load_taxonomy().topics))
    write_atomically(out, body)


# ------------------------------------------------------------------ import


def _spans_and_topics(results: Any, text: str) -> tuple[list[Span], list[str]]:
    """The ``result`` list of an annotation or prediction."""
    if not isinstance(results, list):
        raise BadItem(f"'result' must be a list, got {type_name(results)}")
    spans: list[Span] = []
    topics: list[str] = []
    for k, r in enumerate(results):
        if not isinstance(r, dict):
            raise BadItem(f"result {k} must be an object, got {type_name(r)}")
        value = r.get("value")
        if not isinstance(value, dict):
            raise BadItem(f"result {k}: 'value' must be an object, got {type_name(value)}")
        kind = r.get("type")
        if kind == "labels":
            labels = value.get("labels")
            if not isinstance(labels, list) or not labels:
                raise BadItem(f"result {k}: 'labels' must be a non-empty list")
            s, e = value.get("start"), value.get("end")
            if not (isinstance(s, int) and isinstance(e, int)) or isinstance(s, bool) or isinstance(e, bool):
                raise BadItem(f"result {k}: start and end must be integers, got {s!r} and {e!r}")
            s16, e16 = from_utf16(text, s), from_utf16(text, e)
            if s16 is None or e16 is None:
                raise BadItem(f"result {k}: offsets [{s}, {e}) (UTF-16 units) are not inside the text or split a character")
            claimed = value.get("text")
            for label in labels:
                spans.append(Span(s16, e16, label, claimed if isinstance(claimed, str) else None))
        elif kind == "choices":
            choices = value.get("choices")
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                raise BadItem(f"result {k}: 'choices' must be a list of topic names, got {choices!r}")
            topics.extend(choices)
    return spans, topics


def _order(a: dict) -> tuple:
    return (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") if isinstance(a.get("id"), int) else 0)


def _meta(data: dict) -> dict:
    meta = dict(data)
    if "record_id" not in meta and isinstance(data.get("id"), str):  # tasks exported before record_id
        meta["record_id"] = data["id"]
    return meta


def _from_task(where: str, t: Any, accept_predictions: bool, out: Parsed) -> None:
    if not isinstance(t, dict):
        raise BadItem(f"a task must be an object, got {type_name(t)}")
    data = t.get("data")
    if not isinstance(data, dict):
        raise BadItem(f"'data' must be an object holding the text, got {type_name(data)}")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadItem("no text in 'data'")
    annotations = t.get("annotations", [])
    predictions = t.get("predictions", [])
    if not isinstance(annotations, list):
        raise BadItem(f"'annotations' must be a list, got {type_name(annotations)}")
    if not isinstance(predictions, list):
        raise BadItem(f"'predictions' must be a list, got {type_name(predictions)}")
    for k, a in enumerate(annotations):
        if not isinstance(a, dict):
            raise BadItem(f"annotation {k} must be an object, got {type_name(a)}")
    kept = [a for a in annotations if not a.get("was_cancelled")]
    task_id = str(t.get("id", where))
    if not kept:
        if annotations:
            out.skipped += 1
            return
        full = [p for p in predictions if isinstance(p, dict)]
        if not accept_predictions:
            out.unannotated += 1
            return
        if not full:
            if predictions:
                raise BadItem("not annotated, and its predictions are only ids: export again with "
                          "'JSON' and full predictions, or annotate the task")
            out.unannotated += 1
            return
        spans, topics = _spans_and_topics(full[-1].get("result"), text)
        out.items.append(Item(where, text, spans, topics, _meta(data), task_id, predicted=True))
        return
    for a in kept:
        spans, topics = _spans_and_topics(a.get("result"), text)
        who = a.get("completed_by")
        who = who.get("email") if isinstance(who, dict) else who
        out.items.append(Item(where, text, spans, topics, _meta(data), task_id, _order(a),
                              None if who is None else str(who)))


def _from_min_row(where: str, row: Any, out: Parsed) -> None:
    """A JSON-MIN row: the task's data keys, ``id`` (the task), ``annotator``, ``annotation_id``,
    and one key per control: ``label`` (a list of spans) and ``topics`` (a choice or
    ``{"choices": [...]}``)."""
    if not isinstance(row, dict):
        raise BadItem(f"a JSON-MIN row must be an object, got {type_name(row)}")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadItem("no 'text'")
    if row.get("was_cancelled"):
        out.skipped += 1
        return
    if row.get("annotation_id") is None and SPANS not in row and TOPICS not in row:  # a task nobody annotated
        out.unannotated += 1
        return
    raw_spans = row.get(SPANS, [])
    if isinstance(raw_spans, dict):
        raw_spans = [raw_spans]
    if not isinstance(raw_spans, list):
        raise BadItem(f"'{SPANS}' must be a list of spans, got {type_name(raw_spans)}")
    results = [{"type": "labels", "value": s} for s in raw_spans]
    chosen = row.get(TOPICS, [])
    if isinstance(chosen, dict):
        chosen = chosen.get("choices")
    elif isinstance(chosen, str):
        chosen = [chosen]
    results.append({"type": "choices", "value": {"choices": chosen}})
    spans, topics = _spans_and_topics(results, text)
    meta = {k: v for k, v in row.items() if k not in (SPANS, TOPICS)}
    order = (str(row.get("updated_at") or row.get("created_at") or ""),
             row.get("annotation_id") if isinstance(row.get("annotation_id"), int) else 0)
    who = row.get("annotator")
    out.items.append(Item(where, text, spans, topics, meta, str(row.get("id", where)), order,
                          None if who is None else str(who)))


def parse_export(path: str, raw: str, accept_predictions: bool = False) -> Parsed:
    out = Parsed()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        hint = " (it looks like JSONL: use --from doccano)" if raw.lstrip().startswith("{") and "\n{" in raw else ""
        out.problems.append(f"{path}: not a Label Studio JSON export, a list of tasks ({exc.msg} at line "
                            f"{exc.lineno}){hint}")
        return out
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        out.problems.append(f"{path}: not a Label Studio export: expected a JSON list of tasks, got {type_name(data)}")
        return out
    minimal = bool(data) and isinstance(data[0], dict) and "data" not in data[0] and "text" in data[0]
    if minimal and accept_predictions:
        out.notes.append(f"{path}: a JSON-MIN export holds annotations only; --accept-predictions needs 'JSON'")
    for k, item in enumerate(data, 1):
        where = f"{path}:{k}"
        try:
            if minimal:
                _from_min_row(where, item, out)
            else:
                if isinstance(item, dict) and "data" not in item and "text" in item:
                    raise BadItem("a JSON-MIN row inside a JSON export; export the whole project in one format")
                _from_task(where, item, accept_predictions, out)
        except BadItem as exc:
            out.problems.append(f"{where}: {exc}")
    return out
