"""The pipeline object: page or directive text in, tagged :class:`Directive` records out."""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from pathlib import Path

from .bulletin import page_key, split_pages
from .context import Context, page_context
from .modelset import BUNDLED, ModelSetError, load_component, read_manifest
from .record import Directive
from .text import NormalizedText, normalize
from .tokenize import Span, to_original_spans, tokenize_normalized

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
    def __call__(self, text: str, province: str | None = None, *, date: str | None = None,
                 context: Context | None = None) -> Directive:
        """Tag one directive (the whole string is the directive; nothing is split off).
        ``province`` and ``date`` (ISO), or a :class:`Context`, settle what the text leaves open."""
        if context is None:
            context = Context(province, date)
        rec = self._untagged_whole(text, context)
        self._classify([rec])
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

    def _untagged_whole(self, text: str, context: Context | None = None) -> Directive:
        """The record of a whole string as one directive, entities done, topics not yet."""
        if not isinstance(text, str):
            raise TypeError(f"expected the directive's text as str, got {type(text).__name__}")
        norm = normalize(text)
        return self._directive(norm, 0, len(norm.text), whole=True, id_=f"{page_key(text)}-000", index=0,
                               context=context or Context())

    def tag_bulletin(self, page: str, source: str | None = None, *, hints: list[int] | None = None,
                     context: Context | None = None) -> list[Directive]:
        """Split a page into directives (a non-bulletin text is one) and tag each. A text that
        holds several bulletin pages gives the directives of all of them, in order. ``hints``:
        offsets in ``page`` of lines set as headlines (see :func:`vnpolicy_nlp.extraction.extract`);
        ``context``: what the caller knows (by default each page's own title and province)."""
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
        batch: list[Directive] = []
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
                rec = self._directive(norm, span.start, span.end, whole=False, id_=f"{key}-{i:03d}", index=i,
                                      headline_end=span.headline_end, context=ctx)
                rec.source = source
                rec.bulletin = split.bulletin
                if span.duplicate_of is not None:
                    rec.duplicate_of = ids[first + span.duplicate_of]
                ids.append(rec.id)
                batch.append(rec)
                if len(batch) >= batch_size:
                    self._classify(batch)
                    yield from batch
                    batch = []
        self._classify(batch)
        yield from batch

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
    def _directive(self, norm: NormalizedText, start: int, end: int, *, whole: bool, id_: str, index: int,
                   headline_end: int | None = None, context: Context | None = None) -> Directive:
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
            ctx = context or Context()
            found = _tag_in_windows(self.entities, sub, ctx)
            entities = []
            for ent in found:
                (a, b), = to_original_spans(norm, [(ent.start, ent.end)], shift=start, base=o_start)
                entities.append({"start": a, "end": b, "label": ent.label,
                                 "text": norm.original[o_start + a:o_start + b], "attrs": ent.attrs})
                boundaries.append((ent.start, ent.end))
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
            context=context or Context(),
            _tokenizer=tokens,
        )

    def _classify(self, records: list[Directive]) -> None:
        if self.topics is None or not records:
            return
        # a directive's subject is in its headline and opening: a very long text is read up to
        # TOPIC_WINDOW characters, so the vectorisers' n-gram lists stay bounded
        for rec, pred in zip(records, self.topics.predict([r.text[:TOPIC_WINDOW] for r in records])):
            rec.topics = pred.topics
            rec.topic_scores = pred.scores
            rec._explainer = self.topics.explain


WINDOW = 20_000        # characters of normalised text given to the entity tagger at once
TOPIC_WINDOW = 50_000  # characters of a directive read by the topic model


def _windows(text: str, size: int = WINDOW) -> list[tuple[int, int]]:
    """Cut ``text`` into spans of at most about ``size`` characters, each ending after a line
    break when there is one in its second half, else after a space, else where it must."""
    spans = []
    pos, n = 0, len(text)
    while pos < n:
        end = min(n, pos + size)
        if end < n:
            cut = text.rfind("\n", pos + size // 2, end)
            if cut < 0:
                cut = text.rfind(" ", pos + size // 2, end)
            if cut >= 0:
                end = cut + 1
        spans.append((pos, end))
        pos = end
    return spans


def _tag_in_windows(tagger, text: str, ctx: Context) -> Iterator:
    """Entities of ``text``, tagged a window at a time so that memory does not grow with the
    length of a directive (only one window's tagger state is alive at once); a window ends at a
    line break where it can (names do not cross paragraphs), and offsets are shifted back."""
    if len(text) <= WINDOW:
        yield from tagger.tag(text, province=ctx.province, date=ctx.date)
        return
    for a, b in _windows(text):
        for ent in tagger.tag(text[a:b], province=ctx.province, date=ctx.date):
            ent.start += a
            ent.end += a
            yield ent


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
