"""doccano: tasks for an "Intent Detection and Slot Filling" project, and its JSONL export read back.

That project type is the one doccano project that edits spans and document categories together:
its import and export lines are ``{"text": …, "entities": [[start, end, LABEL], …], "cats": [...]}``
and every other key (``record_id``, province, date, deadlines, …) rides along as metadata and
comes back in the export. A Sequence Labeling export (spans under ``label``) cannot carry edited
topics and a Text Classification export no spans, so both are refused with a message that says
which project to create.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .annotation import BadItem, ExportItem, Item, Parsed, Span, type_name, write_atomically
from .taxonomy import entity_labels

__all__ = ["write_tasks", "parse_export", "PROJECT_TYPE"]

PROJECT_TYPE = "IntentDetectionAndSlotFilling"  # "Intent Detection and Slot Filling" in doccano's menu
_COLOURS = {"AGENCY": "#1f77b4", "LOCATION": "#2ca02c", "OFFICIAL": "#d62728", "DOC_NUMBER": "#9467bd"}


def line(item: ExportItem) -> dict:
    return {"text": item.text, "entities": [[s.start, s.end, s.label] for s in item.spans],
            "cats": list(item.topics), **item.meta}


def label_sets(topics: tuple[str, ...]) -> tuple[list[dict], list[dict]]:
    """doccano's label import files: span types and category types."""
    spans = [{"text": l, "suffix_key": None, "background_color": _COLOURS.get(l, "#7f7f7f"), "text_color": "#ffffff"}
             for l in entity_labels()]
    cats = [{"text": t, "suffix_key": None, "background_color": "#ff7f0e", "text_color": "#ffffff"} for t in topics]
    return spans, cats


def write_tasks(items: list[ExportItem], out: Path, model_version: str) -> None:
    from .corpus import load_taxonomy

    spans, cats = label_sets(load_taxonomy().topics)
    write_atomically(out.with_name(out.stem + ".span_types.json"), json.dumps(spans, ensure_ascii=False, indent=1))
    write_atomically(out.with_name(out.stem + ".category_types.json"), json.dumps(cats, ensure_ascii=False, indent=1))
    write_atomically(out, "".join(json.dumps(line(i), ensure_ascii=False) + "\n" for i in items))


def _span(k: int, s: Any) -> Span:
    if isinstance(s, dict):  # the object form of newer exports
        start, end, label = s.get("start_offset"), s.get("end_offset"), s.get("label")
    elif isinstance(s, list):
        if len(s) != 3:
            raise BadItem(f"span {k}: {s!r} has {len(s)} part(s); a span is [start, end, LABEL]")
        start, end, label = s
    else:
        raise BadItem(f"span {k}: {s!r} is {type_name(s)}; a span is [start, end, LABEL]")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise BadItem(f"span {k}: start and end must be integers, got {start!r} and {end!r}")
    if not isinstance(label, str):
        raise BadItem(f"span {k}: label {label!r} is not a string")
    return Span(start, end, label)


def _from_line(where: str, item: Any) -> Item:
    if not isinstance(item, dict):
        raise BadItem(f"a line must be a JSON object, got {type_name(item)}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadItem("no 'text'")
    if "entities" not in item:
        if isinstance(item.get("label"), list) and all(isinstance(x, str) for x in item["label"]) and item["label"]:
            raise BadItem("a Text Classification export has topics but no spans; annotate in an "
                      "'Intent Detection and Slot Filling' project (see the README)")
        if "label" in item:
            raise BadItem("a Sequence Labeling export: its topics ('cats') could not be edited there, so they are "
                      "the model's, not the annotator's; annotate in an 'Intent Detection and Slot Filling' "
                      "project (see the README)")
        raise BadItem("no 'entities': not an 'Intent Detection and Slot Filling' export")
    raw = item["entities"]
    if not isinstance(raw, list):
        raise BadItem(f"'entities' must be a list of [start, end, LABEL], got {type_name(raw)}")
    spans = [_span(k, s) for k, s in enumerate(raw)]
    cats = item.get("cats", [])
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise BadItem(f"'cats' must be a list of topic names, got {cats!r}")
    meta = {k: v for k, v in item.items() if k not in ("text", "entities", "cats", "label")}
    task = str(item.get("id") or where)  # doccano's example id
    return Item(where, text, spans, list(cats), meta, task)


def parse_zip(path: str) -> Parsed:
    """The zip doccano's export downloads: one ``USER.jsonl`` per annotator (or ``all.jsonl`` when
    annotations are shared). Items are named ``zip:member:line``."""
    import zipfile

    out = Parsed()
    try:
        with zipfile.ZipFile(path) as z:
            members = sorted(n for n in z.namelist() if n.endswith(".jsonl"))
            if not members:
                out.problems.append(f"{path}: no .jsonl file inside; export the project as JSONL")
            for name in members:
                try:
                    raw = z.read(name).decode("utf-8")
                except UnicodeDecodeError as exc:
                    out.problems.append(f"{path}:{name}: not UTF-8 ({exc})")
                    continue
                _parse_lines(f"{path}:{name}", raw, out, annotator=name.rsplit("/", 1)[-1][:-len(".jsonl")])
    except zipfile.BadZipFile as exc:
        out.problems.append(f"{path}: not a zip file ({exc})")
    return out


def parse_export(path: str, raw: str, accept_predictions: bool = False) -> Parsed:
    out = Parsed()
    if raw.lstrip().startswith("["):
        out.problems.append(f"{path}: a JSON list, not doccano JSONL (one object a line); for Label Studio use "
                            "--from label-studio")
        return out
    _parse_lines(path, raw, out)
    return out


def _parse_lines(path: str, raw: str, out: Parsed, annotator: str | None = None) -> None:
    for n, text in enumerate(raw.splitlines(), 1):
        if not text.strip():
            continue
        where = f"{path}:{n}"
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            out.problems.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            got = _from_line(where, item)
        except BadItem as exc:
            out.problems.append(f"{where}: {exc}")
            continue
        got.annotator = annotator
        out.items.append(got)
