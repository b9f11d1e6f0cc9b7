"""The pipeline object: page or directive text in, tagged :class:`Directive` records out."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .bulletin import split_page, page_key
from .record import Directive
from .text import NormalizedText, normalize
from .tokenize import to_original_spans, tokenize_normalized

__all__ = ["Pipeline", "load"]


class Pipeline:
    """Normalise, split, tokenize (and, as their models land, tag entities and topics).

    Create it with :func:`vnpolicy_nlp.load`; nothing heavy happens until the first call.
    """

    def __init__(self, model_dir: Path | None = None):
        self.model_dir = model_dir

    # -------------------------------------------------------------- public API
    def __call__(self, text: str) -> Directive:
        """Tag one directive (the whole string is the directive; nothing is split off)."""
        if not isinstance(text, str):
            raise TypeError(f"expected the directive's text as str, got {type(text).__name__}")
        norm = normalize(text)
        return self._directive(norm, 0, len(norm.text), whole=True,
                               id_=f"{page_key(text)}-000", index=0)

    def pipe(self, texts: Iterable[str]) -> Iterator[Directive]:
        """Tag many directives, one result per text, in order."""
        for text in texts:
            yield self(text)

    def tag_bulletin(self, page: str, source: str | None = None) -> list[Directive]:
        """Split a page into directives (a non-bulletin text is one) and tag each."""
        if not isinstance(page, str):
            raise TypeError(f"expected the page as str, got {type(page).__name__}")
        norm = normalize(page)
        split = split_page(norm.text)
        key = page_key(page)
        records: list[Directive] = []
        for i, span in enumerate(split.directives):
            rec = self._directive(norm, span.start, span.end, whole=False, id_=f"{key}-{i:03d}", index=i,
                                  headline_end=span.headline_end)
            rec.source = source
            rec.bulletin = split.bulletin
            if span.duplicate_of is not None:
                rec.duplicate_of = records[span.duplicate_of].id
            records.append(rec)
        return records

    # -------------------------------------------------------------- internals
    def _directive(self, norm: NormalizedText, start: int, end: int, *, whole: bool, id_: str, index: int,
                   headline_end: int | None = None) -> Directive:
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
        spans = tokenize_normalized(sub)
        tokens = to_original_spans(norm, spans, shift=start, base=o_start)
        return Directive(
            text=norm.original[o_start:o_end],
            headline=norm.original[h_s:h_e],
            start=o_start,
            end=o_end,
            id=id_,
            index=index,
            tokens=tokens,
        )


def load(path: str | Path | None = None) -> Pipeline:
    """The pipeline with the bundled models, or with the model set at ``path``."""
    return Pipeline(Path(path) if path is not None else None)
