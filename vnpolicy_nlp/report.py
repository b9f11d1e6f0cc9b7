"""An archive report for people who do not write code: ``vnpolicy report TAGGED_DIR --out report.html``.

One self-contained HTML file (styles, charts and the search script inline; nothing is fetched):
topics per week and per quarter, the agencies given the most tasks, the most-cited documents, and
a searchable list of the directives with their entities highlighted. The input is a folder written
by ``vnpolicy batch`` (JSONL or Parquet shards) or JSONL records from ``vnpolicy tag``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .colors import DISPLACY_COLORS
from .svg import HorizontalBars, StackedBars

__all__ = ["write_report", "render_report", "read_tagged", "ReportError", "ReportSummary"]

TEMPLATE = Path(__file__).with_name("templates") / "report.html"
NO_TOPIC = "none of the topics"
TOPIC_COLORS = ["#e76f51", "#2a9d8f", "#457b9d", "#e9c46a", "#8d6cab", "#f4a261", "#6a994e", "#bc4749"]
NO_TOPIC_COLOR = "#c9c9c9"
TASK_ROLES = {"lead": "#1d6fa5", "coordinate": "#7fb7de", "addressee": "#c7dff0"}
ROLE_WORDS = {"lead": "leads", "coordinate": "coordinates", "addressee": "is addressed"}


class ReportError(ValueError):
    """A folder or file that holds no tagged records."""


@dataclass
class ReportSummary:
    out: str
    directives: int
    shown: int
    weeks: int
    agencies: int
    documents: int

    def __str__(self) -> str:
        listed = "" if self.shown == self.directives else f" ({self.shown} listed)"
        weeks = f"{self.weeks} week" + ("s" if self.weeks != 1 else "")
        return (f"{self.out} written: {self.directives} directives{listed}, {weeks} with directives, "
                f"{self.agencies} agencies with tasks, {self.documents} documents cited")


# ------------------------------------------------------------------ reading
def _shard_files(folder: Path) -> list[Path]:
    for name in ("_manifest.json", "manifest.json"):
        if (folder / name).exists():
            manifest = json.loads((folder / name).read_text(encoding="utf-8"))
            return [folder / s for s in manifest.get("shards", []) if (folder / s).exists()]
    shards = sorted(folder.glob("shard-*.jsonl")) + sorted(folder.glob("shard-*.parquet"))
    return shards or sorted(p for p in folder.glob("*.jsonl") if not p.name.startswith(("_", ".")))


def read_tagged(path: str | Path) -> Iterator[dict]:
    """Tagged records from a batch folder (JSONL or Parquet shards) or a JSONL file, as dicts in
    the JSONL record's shape."""
    from .tables import _as_dict

    path = Path(path)
    if not path.exists():
        raise ReportError(f"{path}: no such file or folder")
    files = _shard_files(path) if path.is_dir() else [path]
    for f in files:
        if f.suffix == ".parquet":
            import pyarrow.parquet as pq

            for row in pq.read_table(f).to_pylist():
                yield _as_dict(row)
            continue
        with open(f, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    raise ReportError(f"{f}:{n}: not a JSON record; the report reads the output of "
                                      "`vnpolicy batch` or `vnpolicy tag`") from None
                if not isinstance(rec, dict) or "text" not in rec or "id" not in rec:
                    raise ReportError(f"{f}:{n}: not a tagged record (no 'id' and 'text'); tag the file first")
                yield rec


# ------------------------------------------------------------------ counting
def _date(rec: dict) -> dt.date | None:
    """The directive's date: its bulletin's week, else the date given with the record."""
    for value in ((rec.get("bulletin") or {}).get("week_start"), (rec.get("input") or {}).get("date")):
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _week(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _quarter(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def _attrs(ent: dict) -> dict:
    attrs = ent.get("attrs") or {}
    return json.loads(attrs) if isinstance(attrs, str) else attrs


def _agency_name(ent: dict) -> str:
    return unicodedata.normalize("NFC", _attrs(ent).get("canonical") or ent.get("text") or "?")


def agency_tasks(records: Iterable[dict]) -> dict[str, Counter]:
    """Per agency (canonical name), how many times it leads, coordinates or is addressed: from the
    records' ``assignments`` when present, else from the agencies' ``role`` attribute."""
    tasks: dict[str, Counter] = defaultdict(Counter)
    for rec in records:
        ents = rec.get("entities") or []
        if rec.get("assignments") is not None:
            pairs = [(ents[a["agency"]], a.get("role")) for a in rec["assignments"]
                     if isinstance(a.get("agency"), int) and 0 <= a["agency"] < len(ents)]
        else:
            pairs = [(e, _attrs(e).get("role")) for e in ents if e.get("label") == "AGENCY"]
        for ent, role in pairs:
            if role in TASK_ROLES:
                tasks[_agency_name(ent)][role] += 1
    return tasks


def _doc_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split()).upper()


@dataclass
class CitedDocument:
    number: str
    doc_type: str | None
    issuer: str | None
    directives: int
    first: dt.date | None
    last: dt.date | None


def cited_documents(records: Iterable[dict]) -> list[CitedDocument]:
    """Document numbers by the number of directives that cite them. A directive's own document
    (the one its citations are ``cited_by``) is not counted as a citation."""
    seen: dict[str, dict] = {}
    for rec in records:
        docs = [e for e in rec.get("entities") or [] if e.get("label") == "DOC_NUMBER"]
        own = {_doc_key(_attrs(e)["cited_by"]) for e in docs if _attrs(e).get("cited_by")}
        day = _date(rec)
        for key in {_doc_key(e["text"]) for e in docs} - own:
            ent = next(e for e in docs if _doc_key(e["text"]) == key)
            entry = seen.setdefault(key, {"number": unicodedata.normalize("NFC", ent["text"]),
                                          "doc_type": _attrs(ent).get("doc_type"), "issuer": _attrs(ent).get("issuer"),
                                          "ids": set(), "dates": []})
            entry["ids"].add(rec.get("id"))
            if day:
                entry["dates"].append(day)
    docs = [CitedDocument(v["number"], v["doc_type"], v["issuer"], len(v["ids"]),
                          min(v["dates"], default=None), max(v["dates"], default=None)) for v in seen.values()]
    return sorted(docs, key=lambda d: (-d.directives, d.number))


# ------------------------------------------------------------------ rendering
_NOT_SEARCHED = re.compile(r"[^0-9a-z/.\-]+")


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), punctuation as spaces, padded with spaces: the page's
    search script folds what is typed the same way and looks for each word at a word's start."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F)
    return " " + _NOT_SEARCHED.sub(" ", bare.replace("đ", "d").replace("Đ", "d").lower()).strip() + " "


def _highlight(text: str, entities: list[dict]) -> str:
    out, pos = [], 0
    for e in sorted(entities, key=lambda e: (e["start"], -e["end"])):
        if e["start"] < pos:
            continue
        label = e["label"]
        attrs = _attrs(e)
        tip = label + "".join(f" · {k}: {v}" for k, v in attrs.items() if isinstance(v, (str, int)) and k != "cited_by")
        out.append(escape(text[pos:e["start"]]))
        out.append(f'<mark class="ent" data-label="{escape(label)}" title="{escape(tip)}">'
                   f'{escape(text[e["start"]:e["end"]])}<span class="lab">{escape(label)}</span></mark>')
        pos = e["end"]
    out.append(escape(text[pos:]))
    return "".join(out)


def _topic_colors(topics: list[str]) -> dict[str, str]:
    colors = {t: TOPIC_COLORS[i % len(TOPIC_COLORS)] for i, t in enumerate(topics)}
    colors[NO_TOPIC] = NO_TOPIC_COLOR
    return colors


def _topic_chart(keys: list, label, per_key: dict, topics: list[str], colors: dict[str, str], title: str,
                 tick_every: int = 1) -> str:
    series = [*topics, NO_TOPIC]
    values = {s: [per_key.get(k, Counter())[s] for k in keys] for s in series}
    return StackedBars([label(k) for k in keys], series, values, colors, tick_every=tick_every).render(title)


def _legend(colors: dict[str, str]) -> str:
    return "".join(f'<span class="key"><i style="background:{c}"></i>{escape(t)}</span>' for t, c in colors.items())


def _source_name(rec: dict) -> str:
    return Path(rec.get("source") or "").name or "?"


def render_report(records: list[dict], title: str, max_directives: int = 2000) -> tuple[str, ReportSummary]:
    """The report's HTML for tagged records (duplicates of an earlier directive are left out)."""
    from .taxonomy import topic_labels

    records = [r for r in records if not r.get("duplicate_of")]
    if not records:
        raise ReportError("no tagged directive to report on")
    seen_topics = {t for r in records for t in r.get("topics") or []}
    topics = [t for t in topic_labels() if t in seen_topics] + sorted(seen_topics - set(topic_labels()))
    colors = _topic_colors(topics)
    weekly: dict[dt.date, Counter] = defaultdict(Counter)
    quarterly: dict[tuple[int, int], Counter] = defaultdict(Counter)
    undated = 0
    for r in records:
        day = _date(r)
        if day is None:
            undated += 1
            continue
        for t in r.get("topics") or [NO_TOPIC]:
            weekly[_week(day)][t] += 1
            quarterly[_quarter(day)][t] += 1
    weeks: list[dt.date] = []
    if weekly:
        w, last = min(weekly), max(weekly)
        while w <= last:
            weeks.append(w)
            w += dt.timedelta(days=7)
    quarters: list[tuple[int, int]] = []
    if quarterly:
        y, q = min(quarterly)
        while (y, q) <= max(quarterly):
            quarters.append((y, q))
            y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    week_chart = _topic_chart(weeks, lambda d: f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}", weekly, topics,
                              colors, "Directives per topic per week", tick_every=max(1, len(weeks) // 40))
    quarter_chart = _topic_chart(quarters, lambda k: f"{k[0]} Q{k[1]}", quarterly, topics, colors,
                                 "Directives per topic per quarter")
    tasks = agency_tasks(records)
    top_agencies = sorted(tasks, key=lambda a: (-sum(tasks[a].values()), a))[:15]
    agency_chart = HorizontalBars(top_agencies, list(TASK_ROLES),
                                  {role: [tasks[a][role] for a in top_agencies] for role in TASK_ROLES},
                                  TASK_ROLES).render("Agencies given the most tasks") if top_agencies else \
        '<p class="empty">No agency was given a task in these directives.</p>'
    documents = cited_documents(records)
    doc_rows = "".join(
        f"<tr><td>{escape(d.number)}</td><td>{escape(d.doc_type or '–')}</td><td>{escape(d.issuer or '–')}</td>"
        f"<td class='n'>{d.directives}</td><td>{d.first or '–'}</td><td>{d.last or '–'}</td></tr>"
        for d in documents[:15]) or "<tr><td colspan='6' class='empty'>No document is cited.</td></tr>"
    ordered = sorted(records, key=lambda r: (_date(r) or dt.date.min, r.get("source") or "", r.get("index") or 0),
                     reverse=True)
    shown = ordered[:max_directives]
    items = []
    for r in shown:
        text = unicodedata.normalize("NFC", r.get("text") or "")
        ents = r.get("entities") or []
        rtopics = r.get("topics") or []
        day = _date(r)
        chips = "".join(f'<span class="chip" style="background:{colors[t]}">{escape(t)}</span>' for t in rtopics) or \
            f'<span class="chip none" title="{NO_TOPIC}">–</span>'
        search = fold(" ".join([text, " ".join(rtopics), _source_name(r)]))
        headline = unicodedata.normalize("NFC", r.get("headline") or "")
        body = text[len(r.get("headline") or ""):].lstrip() if text.startswith(r.get("headline") or "\0") else text
        offset = len(text) - len(body)
        body_ents = [{**e, "start": e["start"] - offset, "end": e["end"] - offset} for e in ents if e["start"] >= offset]
        items.append(
            f'<li class="directive" data-topics="{escape(" ".join(rtopics))}" data-search="{escape(search)}">'
            f'<div class="meta">{day or "undated"} · {escape(_source_name(r))} #{r.get("index", 0)} {chips}</div>'
            f'<h3>{_highlight(headline, [e for e in ents if e["end"] <= len(headline)])}</h3>'
            f'<p class="text">{_highlight(body, body_ents)}</p></li>')
    period = f"{min(weekly)} to {max(weekly) + dt.timedelta(days=6)}" if weekly else "no dated directive"
    totals = Counter(t for r in records for t in (r.get("topics") or [NO_TOPIC]))
    values = {
        "title": escape(title),
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "n_directives": str(len(records)),
        "n_pages": str(len({r.get("source") for r in records})),
        "period": escape(period),
        "undated": f" {undated} directives have no date and are not in the charts." if undated else "",
        "topic_totals": "; ".join(f"{escape(t)} {totals[t]}" for t in [*topics, NO_TOPIC] if totals[t]),
        "legend": _legend(colors),
        "week_chart": week_chart,
        "quarter_chart": quarter_chart,
        "agency_chart": agency_chart,
        "role_legend": "".join(f'<span class="key"><i style="background:{c}"></i>{ROLE_WORDS[r]}</span>'
                               for r, c in TASK_ROLES.items()),
        "doc_rows": doc_rows,
        "topic_options": "".join(f'<option value="{escape(t)}">{escape(t)}</option>' for t in topics),
        "items": "".join(items),
        "n_shown": str(len(shown)),
        "listed_note": "" if len(shown) == len(records) else
        f" The latest {len(shown)} of {len(records)} are listed (--max-directives).",
        "entity_css": "".join(f'mark.ent[data-label="{k}"]{{background:{v}}}' for k, v in DISPLACY_COLORS.items()),
        "entity_legend": "".join(f'<span class="key"><i style="background:{v}"></i>{k}</span>'
                                 for k, v in DISPLACY_COLORS.items() if k != "DEADLINE"),
    }
    html = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", value)
    summary = ReportSummary("", len(records), len(shown), len(weekly), len(tasks), len(documents))
    return html, summary


def write_report(tagged: str | Path, out: str | Path, title: str | None = None,
                 max_directives: int = 2000) -> ReportSummary:
    """Read a tagged folder (or JSONL file) and write the report to ``out``."""
    records = list(read_tagged(tagged))
    if not records:
        raise ReportError(f"{tagged}: no tagged records (expected the output of `vnpolicy batch` or `vnpolicy tag`)")
    html, summary = render_report(records, title or f"Directives in {Path(tagged).name}", max_directives)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    summary.out = str(out)
    return summary
