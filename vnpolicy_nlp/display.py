"""Tagged directives for a person at a terminal: ``vnpolicy tag --format table`` and ``make run``.

The default view fits 100 columns: one block per page (its week, its number of directives), one
row per directive with the headline, its topics ("–" when none of the topics applies) and the
entities found, by kind. ``wide=True`` shows everything: full headlines, topic scores, every
entity with its label, duplicates.
"""
from __future__ import annotations

import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .ids import directive_index
from .record import Directive

__all__ = ["summary_table", "KIND_NAMES", "NO_TOPIC"]

NO_TOPIC = "–"
KIND_NAMES = {"AGENCY": ("agency", "agencies"), "LOCATION": ("place", "places"),
              "OFFICIAL": ("official", "officials"), "DOC_NUMBER": ("document", "documents")}
WIDTH = 100


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass
class _Column:
    title: str
    width: int


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _clip(lines[-1] + " …", width) if len(lines[-1]) + 2 <= width else _clip(lines[-1], width - 1) + "…"
    return lines


def _listing(names: list[str], width: int, prefix: str) -> str:
    """``agencies: UBND tỉnh, Sở Y tế +3`` within ``width`` characters: as many whole names as fit,
    in order of appearance, and how many more there are."""
    shown: list[str] = []
    for name in names:
        rest = len(names) - len(shown) - 1
        candidate = prefix + ", ".join([*shown, name]) + (f" +{rest}" if rest else "")
        if len(candidate) <= width:
            shown.append(name)
    more = len(names) - len(shown)
    if not shown:  # not even the first name fits: clip it
        return _clip(prefix + names[0], width - len(f" +{more - 1}") * (more > 1)) + (f" +{more - 1}" if more > 1 else "")
    return prefix + ", ".join(shown) + (f" +{more}" if more else "")


def _found(record: Directive, width: int | None) -> list[str]:
    """One line per kind of entity, distinct names in order of appearance."""
    if record.entities is None:
        return ["(entities not tagged)"]
    lines = []
    for label, (one, many) in KIND_NAMES.items():
        names = list(dict.fromkeys(_nfc(e["text"]) for e in record.entities if e["label"] == label))
        if not names:
            continue
        prefix = f"{(one if len(names) == 1 else many)}: "
        lines.append(prefix + ", ".join(names) if width is None else _listing(names, width, prefix))
    return lines or ["nothing"]


def _topics(record: Directive, scores: bool) -> list[str]:
    if record.topics is None:
        return ["(not classified)"]
    if not record.topics:
        return [NO_TOPIC]
    if scores and record.topic_scores:
        return [f"{t} {record.topic_scores.get(t, 0):.2f}" for t in record.topics]
    return list(record.topics)


def _render(rows: list[list[list[str]]], columns: list[_Column]) -> list[str]:
    gap = "  "
    head = gap.join(c.title.ljust(c.width) for c in columns).rstrip()
    rule = gap.join("─" * c.width for c in columns)
    out = [head, rule]
    for cells in rows:
        height = max(len(c) for c in cells)
        for i in range(height):
            out.append(gap.join((cell[i] if i < len(cell) else "").ljust(col.width)
                                for cell, col in zip(cells, columns)).rstrip())
    return out


def _page_title(source: str | None, records: list[Directive], width: int | None) -> str:
    first = records[0]
    what = f"{len(records)} directive" + ("s" if len(records) != 1 else "")
    if first.bulletin and first.bulletin.week_start:
        what = f"weekly bulletin {first.bulletin.week_start} to {first.bulletin.week_end}, " + what
    name = _nfc(source or "<stdin>")
    room = None if width is None else max(width - len(what) - 2, 12)
    if room is not None and len(name) > room:  # keep the end of a long path: the file's name
        name = "…" + name[-(room - 1):]
    return f"{name}: {what}"


def summary_table(records: list[Directive], wide: bool = False, width: int = WIDTH) -> str:
    """The records grouped by page, one row a directive; at most ``width`` columns unless ``wide``."""
    if not records:
        return "no directive found"
    pages: dict[str | None, list[Directive]] = {}
    for r in records:
        pages.setdefault(r.source, []).append(r)
    n_w, topic_w = 3, 18
    headline_w = 34
    found_w = width - n_w - headline_w - topic_w - 3 * 2
    columns = [_Column("#", n_w), _Column("headline", headline_w), _Column("topics", topic_w),
               _Column("found", found_w)]
    out: list[str] = []
    for source, page in pages.items():
        if out:
            out.append("")
        out.append(_page_title(source, page, None if wide else width))
        out.append("")
        rows = []
        for r in page:
            headline = _nfc(r.headline)
            topics = _topics(r, scores=wide)
            if r.duplicate_of:
                topics.append(f"(repeats #{directive_index(r.duplicate_of)})")
            if wide:
                rows.append([[str(r.index)], [headline], topics, _found(r, None)])
            else:
                rows.append([[str(r.index)], _wrap(headline, headline_w, 3), [_clip(t, topic_w) for t in topics],
                             _found(r, found_w)])
        if wide:
            columns = [_Column("#", n_w), _Column("headline", max(len(r[1][0]) for r in rows)),
                       _Column("topics", max(len(t) for r in rows for t in r[2])),
                       _Column("found", max(len(t) for r in rows for t in r[3]))]
        out.extend(_render(rows, columns))
    out.append("")
    out.extend(_totals(records))
    return "\n".join(out)


def _totals(records: list[Directive]) -> list[str]:
    topics = Counter(t for r in records for t in r.topics or [])
    none = sum(1 for r in records if r.topics == [])
    parts = [f"{n} {t}" for t, n in topics.most_common()] + ([f"{none} with none of the topics ({NO_TOPIC})"]
                                                             if none else [])
    kinds = Counter(e["label"] for r in records for e in r.entities or [])
    found = [f"{kinds[label]} {KIND_NAMES[label][1 if kinds[label] != 1 else 0]}" for label in KIND_NAMES
             if kinds[label]]
    lines = [f"{len(records)} directives. Topics: " + ("; ".join(parts) or "none") + "."]
    if found:
        lines.append("Found: " + ", ".join(found) + " (mentions).")
    dups = sum(1 for r in records if r.duplicate_of)
    if dups:
        lines.append(f"{dups} directive(s) repeat an earlier one of the same page (marked \"repeats #N\").")
    return [line for text in lines for line in textwrap.wrap(text, WIDTH)]
