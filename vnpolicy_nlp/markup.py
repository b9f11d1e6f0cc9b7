"""Inline entity markup for authoring corpus records by hand.

Writing character offsets by hand is where annotation goes wrong, so authors write
``[[surface|LABEL]]`` (optionally ``[[surface|LABEL|key=value;key=value]]``) inside the
text and this module turns it into the offset-based record format of ANNOTATION.md.
It depends on the standard library only, so it runs before the package is installed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    from .taxonomy import load_taxonomy
except ImportError:  # run as a file (python vnpolicy_nlp/markup.py): this folder is on sys.path
    from taxonomy import load_taxonomy  # type: ignore[no-redef]

_labels = load_taxonomy()
ENTITY_LABELS = _labels.entity_labels
TOPIC_LABELS = _labels.topics
KINDS = ("directive", "headline")
# Genres of corpus v2 (issue 12): the shapes real text comes in. A record without ``genre`` is a
# bulletin item of the first corpus.
GENRES = ("bulletin", "news", "decision", "dispatch", "register", "headline")
ROLES = ("lead", "coordinate", "addressee", "issuer")
DEADLINE = "DEADLINE"  # a mark that is not an entity: a time limit (ANNOTATION.md, deadlines)
_MAX_LINES = {"bulletin": 6, "news": 8, "decision": 16, "dispatch": 12}

_MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z_]+)(?:\|([^\[\]]*))?\]\]")


class MarkupError(ValueError):
    """A record whose markup cannot be turned into a valid annotated record."""


@dataclass
class Parsed:
    text: str
    entities: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)


def _link_assignments(entities: list[dict], deadline_ids: dict[str, int]) -> list[dict]:
    """Move ``role=``/``deadline=`` attrs of agency marks into assignment triples."""
    out = []
    for k, ent in enumerate(entities):
        attrs = ent.get("attrs") or {}
        role = attrs.pop("role", None)
        ref = attrs.pop("deadline", None)
        if not attrs:
            ent.pop("attrs", None)
        if role is None:
            if ref is not None:
                raise MarkupError(f"{ent['text']!r} has a deadline but no role")
            continue
        if ent["label"] != "AGENCY":
            raise MarkupError(f"{ent['text']!r}: only an AGENCY takes a role")
        if role not in ROLES:
            raise MarkupError(f"{ent['text']!r}: role {role!r} is not one of {ROLES}")
        if ref is not None and ref not in deadline_ids:
            raise MarkupError(f"{ent['text']!r}: deadline {ref!r} is not the id of a DEADLINE mark")
        out.append({"agency": k, "role": role, "deadline": deadline_ids[ref] if ref is not None else None})
    return out


def parse_markup(markup: str) -> Parsed:
    """Strip ``[[surface|LABEL|attrs]]`` marks, returning plain text and offset entities."""
    out: list[str] = []
    entities: list[dict] = []
    deadlines: list[dict] = []
    deadline_ids: dict[str, int] = {}
    pos = 0
    length = 0
    for m in _MARK.finditer(markup):
        before = markup[pos:m.start()]
        out.append(before)
        length += len(before)
        surface, label, attrs = m.group(1), m.group(2), m.group(3)
        if label not in ENTITY_LABELS and label != DEADLINE:
            raise MarkupError(f"unknown entity label {label!r} at markup offset {m.start()}")
        if surface != surface.strip():
            raise MarkupError(f"entity {surface!r} has leading or trailing spaces")
        ent: dict = {"start": length, "end": length + len(surface), "label": label, "text": surface}
        if attrs:
            parsed_attrs = {}
            for item in attrs.split(";"):
                if not item.strip():
                    continue
                if "=" not in item:
                    raise MarkupError(f"attribute {item!r} of {surface!r} is not key=value")
                key, value = item.split("=", 1)
                parsed_attrs[key.strip()] = value.strip()
            ent["attrs"] = parsed_attrs
        out.append(surface)
        length += len(surface)
        if label == DEADLINE:
            a = ent.pop("attrs", {})
            did = a.get("id", f"#{len(deadlines)}")
            if did in deadline_ids:
                raise MarkupError(f"deadline id {did!r} is used twice")
            day = a.get("date", "none")
            if day != "none":
                try:
                    _dt.date.fromisoformat(day)
                except ValueError:
                    raise MarkupError(f"deadline {surface!r}: date {day!r} is not ISO YYYY-MM-DD or 'none'") from None
            deadline_ids[did] = len(deadlines)
            deadlines.append({"start": ent["start"], "end": ent["end"], "text": surface,
                              "date": None if day == "none" else day})
        else:
            entities.append(ent)
        pos = m.end()
    out.append(markup[pos:])
    text = "".join(out)
    leftover = re.search(r"\[\[|\]\]", text)
    if leftover:
        snippet = text[max(0, leftover.start() - 30): leftover.start() + 30]
        raise MarkupError(f"malformed mark near {snippet!r}")
    assignments = _link_assignments(entities, deadline_ids)
    return Parsed(text=text, entities=entities, deadlines=deadlines, assignments=assignments)


def convert_record(raw: dict) -> dict:
    """Turn one markup record into an ANNOTATION.md record, checking what a hand can get wrong."""
    for key in ("id", "province", "date", "kind", "topics", "markup"):
        if key not in raw:
            raise MarkupError(f"missing key {key!r}")
    if raw["kind"] not in KINDS:
        raise MarkupError(f"kind {raw['kind']!r} is not one of {KINDS}")
    try:
        day = _dt.date.fromisoformat(raw["date"])
    except (TypeError, ValueError):
        raise MarkupError(f"date {raw['date']!r} is not ISO YYYY-MM-DD") from None
    if not 2015 <= day.year <= 2026:
        raise MarkupError(f"date {raw['date']} is outside 2015-2026")
    genre = raw.get("genre")
    if genre is not None and genre not in GENRES:
        raise MarkupError(f"genre {genre!r} is not one of {GENRES}")
    topics = raw["topics"]
    if not isinstance(topics, list) or any(t not in TOPIC_LABELS for t in topics):
        raise MarkupError(f"topics {topics!r} must be a list drawn from {TOPIC_LABELS}")
    if len(set(topics)) != len(topics):
        raise MarkupError("topics repeat a label")
    parsed = parse_markup(raw["markup"])
    text = parsed.text
    if text != text.strip():
        raise MarkupError("text has leading or trailing white space")
    headline = text.split("\n", 1)[0]
    if raw["kind"] == "headline" and "\n" in text:
        raise MarkupError("a headline record must be one line")
    if raw["kind"] == "directive":
        paragraphs = [p for p in text.split("\n") if p.strip()]
        most = _MAX_LINES.get(genre or "bulletin", 5)
        if not 2 <= len(paragraphs) <= most:
            raise MarkupError(f"a {genre or 'bulletin'} directive needs a headline and 1-{most - 1} body "
                              f"paragraphs, got {len(paragraphs)} lines")
    if "\n\n\n" in text:
        raise MarkupError("paragraphs are separated by one blank line, not two")
    record = {k: v for k, v in raw.items() if k != "markup"}
    record.update(text=text, headline=headline, entities=parsed.entities)
    if genre is not None or parsed.deadlines or parsed.assignments:
        record.update(deadlines=parsed.deadlines, assignments=parsed.assignments)
    return record


def convert_file(src: Path, dst: Path | None) -> list[str]:
    """Convert a markup JSONL file; returns ``file:line: message`` problems (nothing written if any)."""
    problems: list[str] = []
    records: list[dict] = []
    seen: set[str] = set()
    for lineno, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            rec = convert_record(raw)
            if rec["id"] in seen:
                raise MarkupError(f"duplicate id {rec['id']!r}")
            seen.add(rec["id"])
            records.append(rec)
        except (json.JSONDecodeError, MarkupError) as exc:
            problems.append(f"{src}:{lineno}: {exc}")
    if not problems and dst is not None:
        tmp = dst.with_suffix(dst.suffix + ".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        tmp.replace(dst)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="markup JSONL file")
    parser.add_argument("dst", type=Path, nargs="?", help="annotated JSONL to write (omit to only check)")
    args = parser.parse_args(argv)
    problems = convert_file(args.src, args.dst)
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        n = sum(1 for line in args.src.read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"{args.src}: {n} records OK" + (f", written to {args.dst}" if args.dst else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
