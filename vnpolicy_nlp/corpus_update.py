"""Imported records into the corpus: replace by id, add the new ones, say what changed.

A record whose id is already in the corpus is a correction of it: it replaces that record in the
file that holds it, keeping the record's other keys (split, subject, genre, deadlines …), and the
change is described. New records go to ``--out``, which is never overwritten unless asked
(``append``: add to it, replacing by id; ``replace``: overwrite it). A new record that is a near
copy of a dev, test or unseen record is refused (it would leak an evaluation record into
training). Nothing is written unless every record can be; each file is replaced atomically.
"""
from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Record, assign_splits, near_duplicate_pairs, read_records

__all__ = ["Plan", "plan_import", "apply_plan", "describe_change"]


@dataclass
class Plan:
    files: dict[Path, list[dict]] = field(default_factory=dict)  # the new content of each file written
    added: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)             # "id (file): what changed"
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _spans(rec: dict) -> dict[tuple[int, int], str]:
    return {(e["start"], e["end"]): e["label"] for e in rec.get("entities", [])}


def describe_change(old: dict, new: dict) -> list[str]:
    """What an annotator changed: topics, and spans added, removed, relabelled."""
    out = []
    if sorted(old.get("topics", [])) != sorted(new.get("topics", [])):
        out.append(f"topics {sorted(old.get('topics', []))} -> {sorted(new.get('topics', []))}")
    a, b = _spans(old), _spans(new)
    text = new["text"]
    for key in sorted(a.keys() - b.keys()):
        out.append(f"- {a[key]} {text[key[0]:key[1]]!r}")
    for key in sorted(b.keys() - a.keys()):
        out.append(f"+ {b[key]} {text[key[0]:key[1]]!r}")
    for key in sorted(a.keys() & b.keys()):
        if a[key] != b[key]:
            out.append(f"{text[key[0]:key[1]]!r} {a[key]} -> {b[key]}")
    if len(old.get("assignments", [])) != len(new.get("assignments", [])):
        out.append(f"assignments {len(old.get('assignments', []))} -> {len(new.get('assignments', []))}")
    return out


def _replacement(old: dict, new: dict) -> dict:
    """The corpus record with the annotator's topics and spans (and assignments remapped)."""
    from .annotation import _remap_assignments

    merged = dict(old)
    merged["topics"] = new["topics"]
    merged["entities"] = new["entities"]
    if "assignments" in old:
        spans = [{"agency": [old["entities"][a["agency"]]["start"], old["entities"][a["agency"]]["end"]],
                  "role": a["role"], "deadline": a.get("deadline")}
                 for a in old["assignments"] if isinstance(a.get("agency"), int) and a["agency"] < len(old["entities"])]
        merged["assignments"], _ = _remap_assignments(spans, new["entities"], len(old.get("deadlines", [])))
    return merged


def plan_import(records: list[dict], out: Path, mode: str | None, corpus: list[Path] | None) -> Plan:
    """What writing ``records`` would do. ``mode``: None (``out`` must not exist), ``"append"`` or
    ``"replace"``. ``corpus``: the files and folders whose ids an import replaces."""
    out = Path(out)
    plan = Plan()
    problems: list[str] = []
    existing = read_records(corpus or [], problems) if corpus else []
    existing = [r for r in existing if Path(r.file).resolve() != out.resolve()]
    out_records = read_records([out], problems) if out.exists() and mode != "replace" else []
    if problems:
        plan.problems.extend(problems)
        return plan
    holders: dict[str, Record] = {}
    for r in existing + out_records:
        holders.setdefault(r.data.get("id"), r)
    contents: dict[Path, list[dict]] = {}

    def content(path: Path) -> list[dict]:
        if path not in contents:
            contents[path] = [r.data for r in (existing + out_records) if Path(r.file) == path]
        return contents[path]

    new_records = []
    for rec in records:
        holder = holders.get(rec["id"])
        if holder is None:
            new_records.append(rec)
            continue
        old = holder.data
        if unicodedata.normalize("NFC", old.get("text", "")) != rec["text"]:
            plan.problems.append(f"{rec['id']}: the corpus record at {holder.where} has another text; an import "
                                 "replaces a record only when the text is the same (give the new one its own id)")
            continue
        merged = _replacement(old, rec)
        path = Path(holder.file)
        rows = content(path)
        rows[rows.index(old)] = merged
        what = describe_change(old, merged)
        (plan.changes.append(f"{rec['id']} ({path}): " + "; ".join(what)) if what
         else plan.unchanged.append(rec["id"]))
    if new_records:
        plan.problems.extend(_leaks(new_records, existing))
        if mode == "replace":
            contents[out] = list(new_records)
        else:
            content(out).extend(new_records)
        plan.added = [r["id"] for r in new_records]
    elif mode == "replace" and out.exists():
        contents.setdefault(out, [])
    if out.exists() and mode is None and out in contents:
        plan.problems.append(f"{out}: exists; pass --append to add to it (records with the same id are "
                             "replaced) or --replace to overwrite it")
    plan.files = contents
    return plan


def _leaks(new: list[dict], existing: list[Record]) -> list[str]:
    """New training records that are near copies of an evaluation record."""
    if not existing:
        return []
    mine = [Record(r, "<import>", k) for k, r in enumerate(new)]
    pool = [r for r in existing if all(k in r.data for k in ("id", "text"))] + mine
    splits = assign_splits(pool)
    new_ids = {r["id"] for r in new}
    out = []
    for a, b, score in near_duplicate_pairs(pool):
        if (a in new_ids) == (b in new_ids):
            continue
        mine_id, theirs = (a, b) if a in new_ids else (b, a)
        if splits.get(theirs) not in (None, "train"):
            out.append(f"{mine_id}: near-duplicate ({score:.2f}) of {theirs}, a {splits[theirs]} record; "
                       "importing it into training would leak an evaluation record (correct that record by its "
                       "id instead)")
    return out


def apply_plan(plan: Plan) -> None:
    """Write every planned file: each into a temporary file first, then all renamed into place."""
    staged = []
    try:
        for path, rows in plan.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            staged.append((tmp, path))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
