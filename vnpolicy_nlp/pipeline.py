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

from .bulletin import split_pages
from .components import Component, Doc, run
from .context import Context, page_context
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
    def __call__(self, text: str, province: str | None = None, date: str | dt.date | None = None, *,
                 context: Context | None = None) -> Directive:
        """Tag one directive (the whole string is the directive; nothing is split off).
        ``province`` and ``date`` (the directive's, ISO text or a ``date``), or a :class:`Context`,
        settle what the text leaves open: which unit a place name means at that date, the year of
        a deadline written without one."""
        if context is None:
            day = context_date(date)
            if date is not None and day is None:
                raise ValueError(f"date {date!r} is not ISO YYYY-MM-DD")
            context = Context(province, None if day is None else day.isoformat())
        return self._tag([self._whole(text, context)])[0]

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Directive]:
        """Tag many directives, one result per text, in order; components see a batch at a time."""
        batch: list = []
        for text in texts:
            batch.append(self._whole(text, Context()))
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        yield from self._tag(batch)

    def tag_bulletin(self, page: str, source: str | None = None, *, hints: list[int] | None = None,
                     context: Context | None = None) -> list[Directive]:
        """Split a page into directives (a non-bulletin text is one) and tag each. A text that
        holds several bulletin pages gives the directives of all of them, in order. ``hints``:
        offsets in ``page`` of lines set as headlines (see :func:`vnpolicy_nlp.extraction.extract`);
        ``context``: what the caller knows (by default each page's own week and province)."""
        return list(self.iter_bulletin(page, source, hints=hints, context=context))

    def iter_bulletin(self, page: str, source: str | None = None, *, hints: list[int] | None = None,
                      context: Context | None = None, batch_size: int = 64) -> Iterator[Directive]:
        """:meth:`tag_bulletin` as a stream: records come out ``batch_size`` at a time, so a file
        of thousands of pages never holds all its tagged records at once."""
        if not isinstance(page, str):
            raise TypeError(f"expected the page as str, got {type(page).__name__}")
        norm = normalize(page)
        norm_hints = {norm.to_normalized(h) for h in hints or ()}
        key = page_key(page)
        ids: list[str] = []
        pending: list[tuple[_Part, object, int | None]] = []  # part, bulletin info, duplicate's index
        for split in split_pages(norm.text, norm_hints):
            ctx = context
            if ctx is None:  # this page's own: its title, the chrome just before it, the places it names
                info = split.bulletin
                first = split.directives[0].start if split.directives else 0
                last = split.directives[-1].end if split.directives else len(norm.text)
                ctx = page_context(norm.text[first:last], info.title if info else None,
                                   info.week_start if info else None, info.week_end if info else None,
                                   chrome=norm.text[max(0, first - 2000):first])
            first = len(ids)
            for span in split.directives:
                i = len(ids)
                ids.append(directive_id(key, i))
                part = _Part(norm, span.start, span.end, False, ids[-1], i, span.headline_end, ctx)
                pending.append((part, split.bulletin, None if span.duplicate_of is None else first + span.duplicate_of))
                if len(pending) >= batch_size:
                    yield from self._finish_page_batch(pending, source, ids)
                    pending = []
        yield from self._finish_page_batch(pending, source, ids)

    def _finish_page_batch(self, pending: list, source: str | None, ids: list[str]) -> list[Directive]:
        records = self._tag([p for p, _, _ in pending])
        for rec, (_, bulletin, dup) in zip(records, pending):
            rec.source = source
            rec.bulletin = bulletin
            if dup is not None:
                rec.duplicate_of = ids[dup]
        return records

    def tag_html(self, html: str, source: str | None = None, context: Context | None = None) -> list[Directive]:
        """Tag a portal page saved as HTML: its main text (navigation, sidebars and footers
        dropped, paragraph breaks kept) gives the same directives as the page's text would.
        Offsets index the extracted ``text``; ``source_start``/``source_end`` locate each
        directive in ``html``."""
        return list(self.iter_html(html, source, context))

    def iter_html(self, html: str, source: str | None = None, context: Context | None = None) -> Iterator[Directive]:
        """:meth:`tag_html` as a stream."""
        from .extraction import extract

        if not isinstance(html, str):
            raise TypeError(f"expected the page as str, got {type(html).__name__}")
        extracted = extract(html)
        for rec in self.iter_bulletin(extracted.text, source, hints=extracted.hints, context=context):
            rec.source_start, rec.source_end = extracted.to_source(rec.start, rec.end)
            yield rec

    # -------------------------------------------------------------- internals
    def _whole(self, text: str, context: Context) -> "_Part":
        if not isinstance(text, str):
            raise TypeError(f"expected the directive's text as str, got {type(text).__name__}")
        norm = normalize(text)
        return _Part(norm, 0, len(norm.text), True, directive_id(page_key(text), 0), 0, None, context)

    def _tag(self, parts: list["_Part"]) -> list[Directive]:
        docs = run(self.components, [Doc(p.norm.text[p.start:p.end], province=p.context.province, date=p.context.date)
                                     for p in parts])
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
            context=part.context,
            _tokenizer=tokens,
            _explainer=topics.explain if topics is not None and doc.topics is not None else None,
        )


class _Part:
    """Where one directive lies in a normalised text, before tagging."""

    __slots__ = ("norm", "start", "end", "whole", "id", "index", "headline_end", "context")

    def __init__(self, norm: NormalizedText, start: int, end: int, whole: bool, id_: str, index: int,
                 headline_end: int | None, context: Context):
        self.norm, self.start, self.end, self.whole = norm, start, end, whole
        self.id, self.index, self.headline_end, self.context = id_, index, headline_end, context


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
