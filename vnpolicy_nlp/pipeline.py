"""The pipeline object: page or directive text in, tagged :class:`Directive` records out.

The pipeline normalises and splits; everything trained is a component (``components.py``)
named in the model set's manifest, built from the registry and run in the manifest's order on
each directive's :class:`~vnpolicy_nlp.components.Doc`.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from .bulletin import split_page
from .components import Component, Doc, run
from .ids import directive_id, page_key
from .modelset import ModelSet, ModelSetError, find_bundled, read_set
from .record import Directive
from .structure import Assignment, Deadline, context_date
from .text import NormalizedText, normalize
from .words import Span, to_original_spans, tokenize_normalized

__all__ = ["Pipeline", "load"]


class Pipeline:
    """Normalise, split, then run the model set's components (entities, topics, …).

    Create it with :func:`vnpolicy_nlp.load`. A pipeline always has a checked model set: without
    one it raises :class:`~vnpolicy_nlp.modelset.ModelSetError`, never tags with nothing
    (``required`` is accepted for older callers; a set is always required).
    """

    def __init__(self, model_dir: Path | str | None = None, *, required: bool = True):
        path = Path(model_dir) if model_dir is not None else find_bundled()
        self.model_set: ModelSet = read_set(path)
        self.model_dir = path
        self.manifest: dict = self.model_set.manifest
        self.components: list[Component] = [self.model_set.component(name) for name in self.model_set.component_names]

    @property
    def model_hash(self) -> str:
        """sha256 of the set's manifest, which names the hash of every file: the set's identity."""
        return self.model_set.sha256

    def get(self, name: str) -> Component | None:
        return next((c for c in self.components if c.name == name), None)

    @property
    def entities(self):
        """The entity tagger (``EntityTagger``), or None in a set without one."""
        comp = self.get("entities")
        return comp.tagger if comp is not None else None

    @property
    def topics(self):
        """The topic estimator (``TopicClassifier``), or None in a set without one."""
        comp = self.get("topics")
        return comp.classifier if comp is not None else None

    # -------------------------------------------------------------- public API
    def __call__(self, text: str, province: str | None = None, date: str | dt.date | None = None) -> Directive:
        """Tag one directive (the whole string is the directive; nothing is split off).
        ``province`` and ``date`` (the directive's, ISO text or a ``date``) are context: which unit
        a place name means, the year of a deadline written without one."""
        if date is not None and context_date(date) is None:
            raise ValueError(f"date {date!r} is not ISO YYYY-MM-DD")
        return self._tag([self._whole(text, province, date)])[0]

    def tag_record(self, record: dict) -> Directive:
        """Tag one input record (a dict with ``text`` and, as context, optional ``province`` and
        ``date``); the record comes back under ``input``."""
        province = record.get("province") if isinstance(record.get("province"), str) else None
        date = record.get("date") if isinstance(record.get("date"), str) else None
        rec = self._tag([self._whole(record["text"], province, context_date(date))])[0]
        rec.input = record
        return rec

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Directive]:
        """Tag many directives, one result per text, in order; components see a batch at a time."""
        batch: list = []
        for text in texts:
            batch.append(self._whole(text))
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        yield from self._tag(batch)

    def tag_bulletin(self, page: str, source: str | None = None) -> list[Directive]:
        """Split a page into directives (a non-bulletin text is one) and tag each."""
        if not isinstance(page, str):
            raise TypeError(f"expected the page as str, got {type(page).__name__}")
        norm = normalize(page)
        split = split_page(norm.text)
        key = page_key(page)
        week = split.bulletin.week_start if split.bulletin else None
        parts = []
        for i, span in enumerate(split.directives):
            parts.append(_Part(norm, span.start, span.end, False, directive_id(key, i), i, span.headline_end, None,
                               week))
        records = self._tag(parts)
        for rec, span in zip(records, split.directives):
            rec.source = source
            rec.bulletin = split.bulletin
            if span.duplicate_of is not None:
                rec.duplicate_of = records[span.duplicate_of].id
        return records

    # -------------------------------------------------------------- internals
    def _whole(self, text: str, province: str | None = None, date: str | dt.date | None = None) -> "_Part":
        if not isinstance(text, str):
            raise TypeError(f"expected the directive's text as str, got {type(text).__name__}")
        norm = normalize(text)
        return _Part(norm, 0, len(norm.text), True, directive_id(page_key(text), 0), 0, None, province,
                     None if date is None else str(context_date(date)))

    def _tag(self, parts: list["_Part"]) -> list[Directive]:
        docs = run(self.components, [Doc(p.norm.text[p.start:p.end], province=p.province, date=p.date) for p in parts])
        return [self._directive(p, doc) for p, doc in zip(parts, docs)]

    def _directive(self, part: "_Part", doc: Doc) -> Directive:
        """The record of the normalised span ``[start, end)`` of ``norm``, with the components' results."""
        norm, start, end = part.norm, part.start, part.end
        if part.whole:
            o_start, o_end = 0, len(norm.original)
        else:
            o_start, o_end = norm.to_original(start, end)
        sub = doc.text
        headline_end = part.headline_end
        if headline_end is None:
            first = sub.strip().split("\n", 1)[0] if sub.strip() else ""
            head_s = start + sub.find(first) if first else start
            headline_end = head_s + len(first)
        else:
            head_s = start
        h_s, h_e = norm.to_original(head_s, headline_end) if headline_end > head_s else (o_start, o_start)
        entities = None
        boundaries: list[Span] = []
        if doc.entities is not None:
            entities = []
            for ent in doc.entities:
                (a, b), = to_original_spans(norm, [(ent.start, ent.end)], shift=start, base=o_start)
                entities.append({"start": a, "end": b, "label": ent.label,
                                 "text": norm.original[o_start + a:o_start + b], "attrs": ent.attrs})
                boundaries.append((ent.start, ent.end))

        extensions = dict(doc.extensions)
        deadlines = []
        for d in extensions.pop("deadlines", []):  # the structure component's, in normalised offsets
            (a, b), = to_original_spans(norm, [(d.start, d.end)], shift=start, base=o_start)
            deadlines.append(Deadline(a, b, norm.original[o_start + a:o_start + b], d.date))
            boundaries.append((d.start, d.end))
        assignments: list[Assignment] = extensions.pop("assignments", [])

        def tokens() -> list[Span]:
            spans = _split_at(tokenize_normalized(sub), boundaries)
            return to_original_spans(norm, spans, shift=start, base=o_start)

        topics = self.get("topics")
        return Directive(
            text=norm.original[o_start:o_end],
            headline=norm.original[h_s:h_e],
            start=o_start,
            end=o_end,
            id=part.id,
            index=part.index,
            entities=entities,
            topics=doc.topics,
            topic_scores=doc.topic_scores,
            deadlines=deadlines,
            assignments=assignments,
            extensions=extensions,
            _tokenizer=tokens,
            _explainer=topics.explain if topics is not None and doc.topics is not None else None,
        )


class _Part:
    """Where one directive lies in a normalised text, before tagging."""

    __slots__ = ("norm", "start", "end", "whole", "id", "index", "headline_end", "province", "date")

    def __init__(self, norm: NormalizedText, start: int, end: int, whole: bool, id_: str, index: int,
                 headline_end: int | None, province: str | None, date: str | None = None):
        self.norm, self.start, self.end, self.whole = norm, start, end, whole
        self.id, self.index, self.headline_end, self.province, self.date = id_, index, headline_end, province, date


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
    """The pipeline with the bundled models, or with the model set at ``path``. The set is
    checked whole (its manifest's shape and versions, every file's hash, no pickles) before
    anything in it is read; a missing or damaged set raises
    :class:`~vnpolicy_nlp.modelset.ModelSetError` naming where it looked."""
    if path is None:
        return Pipeline()
    path = Path(path)
    if not path.is_dir() and not path.with_name(f".{path.name}.staged").is_dir():
        raise ModelSetError(f"{path}: no such model set folder")
    return Pipeline(path)
