"""The annotator's tools: pre-annotated tasks for Label Studio and doccano, and their corrected
annotations back into validated corpus records, so that no one edits JSON offsets by hand.

The tool formats live in :mod:`.label_studio` and :mod:`.doccano`; this module holds what they
share: the task's metadata (a stable ``record_id``, province, date, source, genre, deadlines and
assignments), the tool-neutral :class:`Item` an export is read into, and the checks that turn
items into corpus records (Unicode NFC, span text, labels, offsets, duplicate ids). Writing the
records into the corpus, replacing by id, is :mod:`.corpus_update`.
"""
from __future__ import annotations

import json
import os
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import check_record, load_taxonomy
from .record import Directive


class BadItem(ValueError):
    """One item of a tool's export has the wrong shape; the message says how."""


def type_name(x: Any) -> str:
    """What a JSON value is, for messages ("got a string")."""
    return {type(None): "null", str: "a string", dict: "an object", list: "a list", int: "a number",
            float: "a number", bool: "true/false"}.get(type(x), type(x).__name__)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` under a temporary name and rename it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

__all__ = ["export_tasks", "import_tasks", "ImportResult", "Item", "Span", "ExportItem", "FORMATS",
           "label_studio_config"]

FORMATS = ("label-studio", "doccano")
# Keys of a corpus record that travel in the task and come back into the record.
KEPT = ("source", "province", "date", "genre", "kind", "subject", "deadlines")


@dataclass
class Span:
    start: int
    end: int
    label: str
    text: str | None = None  # the span's text as the tool exported it, checked against the offsets


@dataclass
class ExportItem:
    """One directive to annotate: its text, the pre-annotation and the metadata the task carries."""

    text: str
    spans: list[Span]
    topics: list[str]
    meta: dict[str, Any]  # record_id and the KEPT keys, assignment_spans


@dataclass
class Item:
    """One task as the annotator left it, in a tool-neutral form."""

    where: str                 # "file:item", for messages
    text: str
    spans: list[Span]
    topics: list[str]
    meta: dict[str, Any]
    task: str                  # the tool's task: two annotators' rows of one task share it
    order: tuple = ()          # the latest annotation of a task wins
    annotator: str | None = None
    predicted: bool = False    # taken from the model's predictions (--accept-predictions)


@dataclass
class Parsed:
    """What a tool's reader found in one export file."""

    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0        # tasks the annotator skipped
    unannotated: int = 0    # tasks nobody annotated
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0
    unannotated: int = 0
    predicted: int = 0
    untouched: int = 0      # annotated items identical to the model's pre-annotation
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ export
def label_studio_config(topics) -> str:
    from .label_studio import label_config

    return label_config(topics)


def _province_and_date(d: Directive) -> tuple[str | None, str | None]:
    province = None
    if d.input and isinstance(d.input.get("province"), str):
        province = d.input["province"]
    else:
        for e in d.entities or []:
            if e["label"] == "LOCATION" and e.get("attrs", {}).get("level") == "province" and e["attrs"].get("province"):
                province = e["attrs"]["province"]
                break
    date = None
    if d.input and isinstance(d.input.get("date"), str):
        date = d.input["date"]
    elif d.bulletin and d.bulletin.week_end:
        date = d.bulletin.week_end
    return province, date


def _is_corpus_record(record: dict | None) -> bool:
    return bool(record) and isinstance(record.get("id"), str) and isinstance(record.get("entities"), list) \
        and isinstance(record.get("topics"), list)


def export_item(d: Directive, page_province: str | None = None) -> ExportItem:
    """A tagged directive as a task. A corpus record (input with its own id, topics and entities)
    keeps its id and is pre-annotated with its own annotation, so correcting it replaces it."""
    province, date = _province_and_date(d)
    src = d.input if _is_corpus_record(d.input) else None
    if src is not None:
        spans = [Span(e["start"], e["end"], e["label"], d.text[e["start"]:e["end"]]) for e in src["entities"]]
        topics = list(src["topics"])
        deadlines = src.get("deadlines", [])
        assignments = src.get("assignments", [])
        entities = src["entities"]
        meta = {"record_id": src["id"], **{k: src[k] for k in KEPT if k in src}}
    else:
        spans = [Span(e["start"], e["end"], e["label"], e.get("text", d.text[e["start"]:e["end"]]))
                 for e in d.entities or []]
        topics = list(d.topics or [])
        deadlines = [x.to_dict() for x in d.deadlines]
        assignments = [x.to_dict() for x in d.assignments]
        entities = d.entities or []
        meta = {"record_id": d.id, "source": d.source, "province": province or page_province, "date": date,
                "deadlines": deadlines}
        if d.input:
            meta.update({k: d.input[k] for k in ("genre", "subject", "kind") if isinstance(d.input.get(k), str)})
    meta["deadlines"] = deadlines
    meta["assignment_spans"] = [
        {"agency": [entities[a["agency"]]["start"], entities[a["agency"]]["end"]], "role": a["role"],
         "deadline": a.get("deadline")}
        for a in assignments if isinstance(a.get("agency"), int) and 0 <= a["agency"] < len(entities)]
    meta["pre_annotation"] = fingerprint(spans, topics)
    return ExportItem(d.text, spans, topics, meta)


def fingerprint(spans: list[Span], topics: list[str]) -> str:
    """A short hash of an annotation, so an import can tell the model's pre-annotation, returned
    untouched, from a correction."""
    import hashlib

    key = json.dumps([sorted([s.start, s.end, s.label] for s in spans), sorted(topics)], ensure_ascii=False)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def export_tasks(directives: list[Directive], fmt: str, out: Path, model_version: str = "vnpolicy") -> int:
    """Write pre-annotated tasks (and the tool's label set beside them); returns how many."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    pages: dict = {}
    for d in directives:
        p, _ = _province_and_date(d)
        if p:
            pages.setdefault(d.source, Counter())[p] += 1
    by_page = {src: c.most_common(1)[0][0] for src, c in pages.items()}
    items = [export_item(d, by_page.get(d.source)) for d in directives]
    ids = Counter(i.meta["record_id"] for i in items)
    twice = [k for k, n in ids.items() if n > 1]
    if twice:
        raise ValueError(f"ids used by more than one record: {twice[:5]}; every task needs its own id")
    if fmt == "label-studio":
        from .label_studio import write_tasks
    else:
        from .doccano import write_tasks
    write_tasks(items, Path(out), model_version)
    return len(items)


# ------------------------------------------------------------------ import
def _nfc_offsets(text: str) -> tuple[str, Any]:
    """The NFC form of ``text`` and a function from offsets in ``text`` to offsets in it."""
    nfc = unicodedata.normalize("NFC", text)
    if nfc == text:
        return text, lambda i: i
    return nfc, lambda i: len(unicodedata.normalize("NFC", text[:i]))


def _remap_assignments(spans: list[dict], entities: list[dict], n_deadlines: int) -> tuple[list[dict], list[str]]:
    """Assignments given by agency span, back to indices of the record's AGENCY entities; an
    assignment whose agency span is gone (deleted, moved or relabelled) is dropped and named."""
    index = {(e["start"], e["end"]): k for k, e in enumerate(entities) if e["label"] == "AGENCY"}
    out, dropped = [], []
    for a in spans:
        key = tuple(a.get("agency") or ())
        k = index.get(key)  # type: ignore[arg-type]
        if k is None:
            dropped.append(f"assignment of {a.get('role')} at {list(key)} dropped: no AGENCY span there any more")
            continue
        bound = a.get("deadline")
        out.append({"agency": k, "role": a.get("role"),
                    "deadline": bound if isinstance(bound, int) and 0 <= bound < n_deadlines else None})
    return out, dropped


def build_record(item: Item, taxonomy) -> tuple[dict | None, list[str], list[str]]:
    """An item → a corpus record, or the reasons it is refused. Text is stored as NFC, offsets
    moved with it; each span's exported text must match the text at its offsets."""
    problems: list[str] = []
    notes: list[str] = []
    raw = item.text
    text, move = _nfc_offsets(raw)
    entities, seen = [], set()
    for k, s in enumerate(item.spans):
        if not (isinstance(s.start, int) and isinstance(s.end, int)) or isinstance(s.start, bool):
            problems.append(f"span {k} ({s.label}): offsets {[s.start, s.end]} are not integers")
            continue
        if not 0 <= s.start < s.end <= len(raw):
            problems.append(f"span {k} ({s.label}): offsets [{s.start}, {s.end}) are not inside the text "
                            f"(length {len(raw)})")
            continue
        if s.text is not None and raw[s.start:s.end] != s.text:
            problems.append(f"span {k} ({s.label}): claims {s.text!r} but the text at [{s.start}, {s.end}) is "
                            f"{raw[s.start:s.end]!r}; the offsets do not match the span")
            continue
        if not isinstance(s.label, str):
            problems.append(f"span {k}: label {s.label!r} is not a string")
            continue
        key = (move(s.start), move(s.end), s.label)
        if key in seen:
            continue
        seen.add(key)
        entities.append({"start": key[0], "end": key[1], "label": s.label, "text": text[key[0]:key[1]]})
    if problems:
        return None, problems, notes
    entities.sort(key=lambda x: (x["start"], x["end"]))
    meta = item.meta
    deadlines = []
    for d in meta.get("deadlines") or []:
        if isinstance(d, dict) and isinstance(d.get("start"), int) and isinstance(d.get("end"), int):
            s, e = move(d["start"]), move(d["end"])
            deadlines.append({**d, "start": s, "end": e, "text": text[s:e]})
    moved_spans = [dict(a, agency=[move(a["agency"][0]), move(a["agency"][1])])
                   for a in meta.get("assignment_spans") or []
                   if isinstance(a, dict) and isinstance(a.get("agency"), list) and len(a["agency"]) == 2]
    assignments, dropped = _remap_assignments(moved_spans, entities, len(deadlines))
    notes.extend(dropped)
    rid = meta.get("record_id")
    record = {
        "id": str(rid) if rid not in (None, "") else "",
        "province": meta.get("province") or "",
        "date": meta.get("date") or "",
        "kind": meta.get("kind") or ("directive" if "\n" in text.strip() else "headline"),
        "subject": meta.get("subject") or "imported",
        "text": text,
        "headline": text.split("\n", 1)[0],
        "topics": list(dict.fromkeys(item.topics)),
        "entities": entities,
        "source": meta.get("source"),
        "split": "train",  # corrections train the next models; the authored dev and test splits stay the judges
        "imported": "predicted" if item.predicted else "annotated",  # --weight-imported counts these
    }
    if meta.get("genre"):
        record["genre"] = meta["genre"]
    if deadlines or assignments or "deadlines" in meta:
        record["deadlines"] = deadlines
        record["assignments"] = assignments
    if not record["id"]:
        problems.append("no record_id in the task (export the tasks with `vnpolicy export`)")
    problems.extend(check_record(record, taxonomy))
    if not record["province"]:
        problems.append("no province (set province in the task's data)")
    return (None if problems else record), problems, notes


def read_export(path: Path, fmt: str, accept_predictions: bool = False) -> Parsed:
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    if fmt == "doccano" and Path(path).suffix == ".zip":
        from .doccano import parse_zip

        return parse_zip(str(path))
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Parsed(problems=[f"{path}: cannot read: {exc}"])
    if fmt == "label-studio":
        from .label_studio import parse_export
    else:
        from .doccano import parse_export
    return parse_export(str(path), raw, accept_predictions)


def import_tasks(path: Path, fmt: str, accept_predictions: bool = False) -> ImportResult:
    """Corrected tasks → corpus records. Every bad item is reported as ``file:item: reason``;
    skipped and unannotated tasks are counted, not imported (``accept_predictions`` imports the
    model's predictions of unannotated Label Studio tasks)."""
    taxonomy = load_taxonomy()
    parsed = read_export(path, fmt, accept_predictions)
    result = ImportResult(problems=list(parsed.problems), skipped=parsed.skipped,
                          unannotated=parsed.unannotated, notes=list(parsed.notes))
    # Two annotators' rows of one task: the latest annotation wins.
    by_task: dict[str, list[Item]] = {}
    for item in parsed.items:
        by_task.setdefault(item.task, []).append(item)
    chosen: list[Item] = []
    for task, items in by_task.items():
        if len(items) > 1 and all(i.order for i in items):
            items = sorted(items, key=lambda i: i.order)
            result.notes.append(f"{items[-1].where}: task {task} has {len(items)} annotations; the latest "
                                f"({items[-1].annotator or 'unknown annotator'}) is used")
        elif len(items) > 1:  # no time to tell which is the latest (doccano): they must agree
            versions = {(frozenset((s.start, s.end, s.label) for s in i.spans), frozenset(i.topics)) for i in items}
            if len(versions) > 1:
                who = ", ".join(f"{i.annotator or '?'} ({i.where})" for i in items)
                result.problems.append(f"{items[0].where}: annotators disagree on this item: {who}; settle it in "
                                       "the tool (one annotation, confirmed) and export again")
                continue
            result.notes.append(f"{items[-1].where}: {len(items)} annotators agree; imported once")
        chosen.append(items[-1])
    ids: dict[str, str] = {}
    for item in chosen:
        record, problems, notes = build_record(item, taxonomy)
        result.notes.extend(f"{item.where}: {n}" for n in notes)
        if record is None:
            result.problems.extend(f"{item.where}: {p}" for p in problems)
            continue
        if record["id"] in ids:
            result.problems.append(f"{item.where}: id {record['id']!r} is already used by {ids[record['id']]} "
                                   "in this export")
            continue
        ids[record["id"]] = item.where
        result.predicted += item.predicted
        if not item.predicted and item.meta.get("pre_annotation") == fingerprint(item.spans, item.topics):
            result.untouched += 1
        result.records.append(record)
    return result
