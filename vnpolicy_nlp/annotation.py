"""The annotator's tools: pre-annotated tasks for Label Studio and doccano, and their corrected
annotations back into validated corpus records, so that no one edits JSON offsets by hand.

Label Studio: a JSON list of tasks, ``data.text`` plus the model's ``predictions`` (``labels``
results for spans, a ``choices`` result for topics); a labelling config is written beside it.
Corrected exports carry ``annotations`` in the same result format; the latest one wins.
doccano: JSONL, one line per directive, ``label`` as ``[start, end, LABEL]`` spans and ``cats``
as the topics (doccano's sequence-labelling and text-classification formats together).
"""
from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import check_record, load_taxonomy
from .ids import imported_record_id
from .record import Directive
from .taxonomy import entity_labels

__all__ = ["export_tasks", "import_tasks", "ImportResult", "label_studio_config", "FORMATS"]

FORMATS = ("label-studio", "doccano")
_COLOURS = {"AGENCY": "#1f77b4", "LOCATION": "#2ca02c", "OFFICIAL": "#d62728", "DOC_NUMBER": "#9467bd"}
_MORE_COLOURS = ("#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # for labels added later


def label_studio_config(topics: Iterable[str]) -> str:
    """The labelling interface: span labels over the text and topic checkboxes."""
    extra = itertools.cycle(_MORE_COLOURS)
    labels = "\n".join(f'    <Label value="{l}" background="{_COLOURS.get(l) or next(extra)}"/>'
                       for l in entity_labels())
    choices = "\n".join(f'    <Choice value="{t}"/>' for t in topics)
    return (f'<View>\n  <Labels name="label" toName="text">\n{labels}\n  </Labels>\n'
            f'  <Text name="text" value="$text"/>\n'
            f'  <Choices name="topics" toName="text" choice="multiple" showInline="true">\n{choices}\n  </Choices>\n'
            f'</View>\n')


def _meta(d: Directive) -> dict:
    province = None
    if d.input and isinstance(d.input.get("province"), str):
        province = d.input["province"]
    else:
        for e in d.entities or []:
            if e["label"] == "LOCATION" and e["attrs"].get("level") == "province" and e["attrs"].get("province"):
                province = e["attrs"]["province"]
                break
    date = None
    if d.input and isinstance(d.input.get("date"), str):
        date = d.input["date"]
    elif d.bulletin and d.bulletin.week_end:
        date = d.bulletin.week_end
    return {"id": d.id, "source": d.source, "province": province, "date": date}


def _page_provinces(directives: list[Directive]) -> dict:
    """The province a page is about: the one its directives name most."""
    from collections import Counter

    counts: dict = {}
    for d in directives:
        m = _meta(d)
        if m["province"]:
            counts.setdefault(d.source, Counter())[m["province"]] += 1
    return {src: c.most_common(1)[0][0] for src, c in counts.items()}


def export_tasks(directives: list[Directive], fmt: str, out: Path, model_version: str = "vnpolicy") -> int:
    """Write pre-annotated tasks; returns how many. Written atomically. Each task carries the
    directive's id, source, province and date, which the import turns back into a record."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    out = Path(out)
    by_page = _page_provinces(directives)

    def meta(d: Directive) -> dict:
        m = _meta(d)
        m["province"] = m["province"] or by_page.get(d.source)
        return m

    if fmt == "label-studio":
        tasks = []
        for d in directives:
            result = [{"id": f"e{k}", "from_name": "label", "to_name": "text", "type": "labels",
                       "value": {"start": e["start"], "end": e["end"], "text": e["text"], "labels": [e["label"]]}}
                      for k, e in enumerate(d.entities or [])]
            result.append({"id": "topics", "from_name": "topics", "to_name": "text", "type": "choices",
                           "value": {"choices": list(d.topics or [])}})
            tasks.append({"data": {"text": d.text, **meta(d)},
                          "predictions": [{"model_version": model_version, "result": result}]})
        body = json.dumps(tasks, ensure_ascii=False, indent=1)
        topics = load_taxonomy().topics
        _atomic_write(out.with_name(out.stem + ".label_config.xml"), label_studio_config(topics))
    else:
        lines = []
        for d in directives:
            lines.append(json.dumps({"text": d.text, "label": [[e["start"], e["end"], e["label"]] for e in d.entities or []],
                                     "cats": list(d.topics or []), **meta(d)}, ensure_ascii=False))
        body = "\n".join(lines) + "\n"
    _atomic_write(out, body)
    return len(directives)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ------------------------------------------------------------------ import
@dataclass
class ImportResult:
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unannotated: int = 0  # Label Studio tasks with predictions only, imported as predicted


def _items(path: Path, fmt: str, problems: list[str]) -> list[tuple[str, dict]]:
    """(item number, item) pairs; an item that cannot be parsed is a problem, not a stop."""
    raw = path.read_text(encoding="utf-8")
    if fmt == "label-studio":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            hint = " (it looks like JSONL: use --from doccano)" if raw.lstrip().startswith("{") and "\n{" in raw else ""
            problems.append(f"{path}: not a Label Studio JSON export, a list of tasks ({exc.msg} at line {exc.lineno})"
                            + hint)
            return []
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            problems.append(f"{path}: not a Label Studio JSON export, a list of tasks")
            return []
        return [(str(k + 1), task) for k, task in enumerate(data)]
    if raw.lstrip().startswith("["):
        problems.append(f"{path}: a JSON list, not doccano JSONL (one object a line); for Label Studio use "
                        "--from label-studio")
        return []
    items = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append((str(n), json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})")
    return items


def _from_label_studio(task: dict) -> tuple[str, list[tuple[int, int, str]], list[str], dict]:
    data = task.get("data") or {}
    text = data.get("text")
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    chosen = annotations[-1] if annotations else (task.get("predictions") or [{}])[-1]
    spans, topics = [], []
    for r in chosen.get("result") or []:
        value = r.get("value") or {}
        if r.get("type") == "labels":
            for label in value.get("labels") or []:
                spans.append((value.get("start"), value.get("end"), label))
        elif r.get("type") == "choices":
            topics.extend(value.get("choices") or [])
    return text, spans, topics, data


def _from_doccano(item: dict) -> tuple[str, list[tuple[int, int, str]], list[str], dict]:
    spans_raw = item.get("label", item.get("entities", []))
    spans = []
    for s in spans_raw:
        if isinstance(s, dict):  # doccano's object form
            spans.append((s.get("start_offset"), s.get("end_offset"), s.get("label")))
        else:
            spans.append(tuple(s))
    topics = item.get("cats", item.get("categories", []))
    return item.get("text"), spans, list(topics), item


def import_tasks(path: Path, fmt: str, id_prefix: str | None = None) -> ImportResult:
    """Corrected tasks → corpus records. Each record is validated like the corpus; a record that
    fails is reported as ``file:item: reason`` and left out."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    taxonomy = load_taxonomy()
    result = ImportResult()
    try:
        items = _items(Path(path), fmt, result.problems)
    except (OSError, UnicodeDecodeError) as exc:
        reason = (exc.strerror or str(exc)).lower() if isinstance(exc, OSError) else f"not UTF-8 text ({exc.reason})"
        result.problems.append(f"{path}: cannot read: {reason}")
        return result
    prefix = id_prefix or re.sub(r"\W+", "-", Path(path).stem).strip("-")
    for where, item in items:
        loc = f"{path}:{where}"
        if not isinstance(item, dict):
            result.problems.append(f"{loc}: not an object")
            continue
        text, spans, topics, meta = (_from_label_studio if fmt == "label-studio" else _from_doccano)(item)
        if fmt == "label-studio" and not [a for a in item.get("annotations") or [] if not a.get("was_cancelled")]:
            result.unannotated += 1
        if not isinstance(text, str) or not text.strip():
            result.problems.append(f"{loc}: no text")
            continue
        entities = []
        bad = False
        for s, e, label in spans:
            if not (isinstance(s, int) and isinstance(e, int)):
                result.problems.append(f"{loc}: span {[s, e, label]} has no integer offsets")
                bad = True
                continue
            entities.append({"start": s, "end": e, "label": label, "text": text[s:e] if 0 <= s < e <= len(text) else ""})
        if bad:
            continue
        entities.sort(key=lambda x: (x["start"], x["end"]))
        record = {
            "id": str(meta.get("id") or imported_record_id(prefix, where)),
            "province": meta.get("province") or "",
            "date": meta.get("date") or "",
            "kind": "directive" if "\n" in text.strip() else "headline",
            "subject": meta.get("subject") or "imported",
            "text": text,
            "headline": text.split("\n", 1)[0],
            "topics": list(dict.fromkeys(topics)),
            "entities": entities,
            "source": meta.get("source"),
            "split": "train",  # corrections train the next models; the fixed test split stays the judge
        }
        problems = list(check_record(record, taxonomy))
        if not record["province"]:
            problems.append("no province (set data.province in the task)")
        if problems:
            result.problems.extend(f"{loc}: {p}" for p in problems)
            continue
        result.records.append(record)
    return result
