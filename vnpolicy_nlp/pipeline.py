"""The pipeline object: page or directive text in, tagged :class:`Directive` records out."""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from .bulletin import split_page
from .ids import directive_id, page_key
from .modelset import BUNDLED, ModelSetError, load_component, read_manifest
from .record import Directive
from .structure import Deadline, find_deadlines, link_assignments
from .text import NormalizedText, normalize
from .words import Span, to_original_spans, tokenize_normalized

__all__ = ["Pipeline", "load"]


class Pipeline:
    """Normalise, split, tokenize, tag entities and topics.

    Create it with :func:`vnpolicy_nlp.load`. Components come from a model set (the bundled
    ``models/`` by default); a folder without a trained set gives tokens only.
    """

    def __init__(self, model_dir: Path | None = None, *, required: bool = False):
        self.model_dir = Path(model_dir) if model_dir is not None else BUNDLED
        self.entities = None
        self.topics = None
        self.manifest: dict | None = None
        if (self.model_dir / "manifest.json").exists() or required:
            self.manifest = read_manifest(self.model_dir)
            self.entities = load_component(self.model_dir, "entities", self.manifest)
            self.topics = load_component(self.model_dir, "topics", self.manifest)

    # -------------------------------------------------------------- public API
    def __call__(self, text: str, province: str | None = None, date: str | dt.date | None = None) -> Directive:
        """Tag one directive (the whole string is the directive; nothing is split off).
        ``province`` and ``date`` (the directive's, ISO or a ``date``) are context: which unit a
        place name means, the year of a deadline written without one."""
        rec = self._untagged_whole(text, province, _as_date(date))
        self._classify([rec])
        return rec

    def tag_record(self, record: dict) -> Directive:
        """Tag one input record (a dict with ``text`` and optional ``province`` and ``date``); the
        record comes back under ``input``."""
        province = record.get("province") if isinstance(record.get("province"), str) else None
        date = record.get("date") if isinstance(record.get("date"), str) else None
        rec = self(record["text"], province=province, date=_as_date(date, strict=False))
        rec.input = record
        return rec

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Directive]:
        """Tag many directives, one result per text, in order; topics are scored a batch at a time."""
        batch: list[Directive] = []
        for text in texts:
            batch.append(self._untagged_whole(text))
            if len(batch) >= batch_size:
                self._classify(batch)
                yield from batch
                batch = []
        self._classify(batch)
        yield from batch

    def _untagged_whole(self, text: str, province: str | None = None, date: dt.date | None = None) -> Directive:
        """The record of a whole string as one directive, entities done, topics not yet."""
        if not isinstance(text, str):
            raise TypeError(f"expected the directive's text as str, got {type(text).__name__}")
        norm = normalize(text)
        return self._directive(norm, 0, len(norm.text), whole=True, id_=directive_id(page_key(text), 0), index=0,
                               province=province, date=date)

    def tag_bulletin(self, page: str, source: str | None = None) -> list[Directive]:
        """Split a page into directives (a non-bulletin text is one) and tag each."""
        if not isinstance(page, str):
            raise TypeError(f"expected the page as str, got {type(page).__name__}")
        norm = normalize(page)
        split = split_page(norm.text)
        key = page_key(page)
        week = _as_date(split.bulletin.week_start, strict=False) if split.bulletin else None
        records: list[Directive] = []
        for i, span in enumerate(split.directives):
            rec = self._directive(norm, span.start, span.end, whole=False, id_=directive_id(key, i), index=i,
                                  headline_end=span.headline_end, date=week)
            rec.source = source
            rec.bulletin = split.bulletin
            if span.duplicate_of is not None:
                rec.duplicate_of = records[span.duplicate_of].id
            records.append(rec)
        self._classify(records)
        return records

    # -------------------------------------------------------------- internals
    def _directive(self, norm: NormalizedText, start: int, end: int, *, whole: bool, id_: str, index: int,
                   headline_end: int | None = None, province: str | None = None,
                   date: dt.date | None = None) -> Directive:
        """Build the record of the normalised span ``[start, end)`` of ``norm``."""
        if whole:
            o_start, o_end = 0, len(norm.original)
        else:
            o_start, o_end = norm.to_original(start, end)
        sub = norm.text[start:end]
        if headline_end is None:
            first = sub.strip().split("\n", 1)[0] if sub.strip() else ""
            head_s = start + sub.find(first) if first else start
            headline_end = head_s + len(first)
        else:
            head_s = start
        h_s, h_e = norm.to_original(head_s, headline_end) if headline_end > head_s else (o_start, o_start)
        entities = None
        boundaries: list[Span] = []
        if self.entities is not None:
            found = self.entities.tag(sub, province=province)
            entities = []
            for ent in found:
                (a, b), = to_original_spans(norm, [(ent.start, ent.end)], shift=start, base=o_start)
                entities.append({"start": a, "end": b, "label": ent.label,
                                 "text": norm.original[o_start + a:o_start + b], "attrs": ent.attrs})
                boundaries.append((ent.start, ent.end))
        # Deadlines are fixed language and need no model; assignments tie them to agencies' roles.
        found_deadlines = find_deadlines(sub, date)
        deadlines = []
        for d in found_deadlines:
            (a, b), = to_original_spans(norm, [(d.start, d.end)], shift=start, base=o_start)
            deadlines.append(Deadline(a, b, norm.original[o_start + a:o_start + b], d.date))
            boundaries.append((d.start, d.end))
        agencies = [(k, ent.start, ent.end, ent.attrs.get("role")) for k, ent in enumerate(found)
                    if ent.label == "AGENCY"] if self.entities is not None else []
        assignments = link_assignments(sub, agencies, found_deadlines)
        def tokens() -> list[Span]:
            spans = _split_at(tokenize_normalized(sub), boundaries)
            return to_original_spans(norm, spans, shift=start, base=o_start)

        return Directive(
            text=norm.original[o_start:o_end],
            headline=norm.original[h_s:h_e],
            start=o_start,
            end=o_end,
            id=id_,
            index=index,
            entities=entities,
            deadlines=deadlines,
            assignments=assignments,
            _tokenizer=tokens,
        )

    def _classify(self, records: list[Directive]) -> None:
        if self.topics is None or not records:
            return
        for rec, pred in zip(records, self.topics.predict([r.text for r in records])):
            rec.topics = pred.topics
            rec.topic_scores = pred.scores
            rec._explainer = self.topics.explain


def _as_date(value: str | dt.date | None, strict: bool = True) -> dt.date | None:
    """A context date from ISO text; a malformed one is an error (``strict``) or ignored."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        if strict:
            raise ValueError(f"date {value!r} is not ISO YYYY-MM-DD") from None
        return None


def _split_at(tokens: list[Span], entities: list[Span]) -> list[Span]:
    """Split word tokens so that every entity starts and ends on a token boundary."""
    if not entities:
        return tokens
    cuts = sorted({x for s, e in entities for x in (s, e)})
    out: list[Span] = []
    for s, e in tokens:
        lo = bisect.bisect_right(cuts, s)
        hi = bisect.bisect_left(cuts, e)
        pieces = [s, *cuts[lo:hi], e]
        for a, b in zip(pieces, pieces[1:]):
            out.append((a, b))
    return out


def load(path: str | Path | None = None) -> Pipeline:
    """The pipeline with the bundled models, or with the model set at ``path`` (which must be
    a trained set: its files are checked against the manifest before anything is unpickled)."""
    if path is None:
        return Pipeline()
    path = Path(path)
    if not path.is_dir():
        raise ModelSetError(f"{path}: no such model set folder")
    return Pipeline(path, required=True)
