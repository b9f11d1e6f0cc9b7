"""The result of tagging one directive: what the CLI prints and the Python API returns."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .bulletin import BulletinInfo
from .context import Context
from .structure import Assignment, Deadline
from .words import Span

__all__ = ["Directive"]


@dataclass
class Directive:
    """One tagged directive. Offsets in ``tokens`` index ``text``; ``start``/``end`` locate
    ``text`` in the source (``source_text[start:end] == text``)."""

    text: str
    headline: str
    start: int
    end: int
    id: str
    index: int = 0
    source: str | None = None
    duplicate_of: str | None = None
    bulletin: BulletinInfo | None = None
    input: dict[str, Any] | None = None
    topics: list[str] | None = None
    topic_scores: dict[str, float] | None = None
    entities: list[dict[str, Any]] | None = None
    deadlines: list[Deadline] = field(default_factory=list)      # time limits the directive sets
    assignments: list[Assignment] = field(default_factory=list)  # agency (index in entities), role, deadline
    #: Results of components beyond entities and topics, by output key (added to ``to_dict``).
    extensions: dict[str, Any] = field(default_factory=dict)
    context: Context = field(default_factory=Context)
    source_start: int | None = None  # HTML input: where the directive lies in the decoded HTML
    source_end: int | None = None
    _explainer: Callable[..., dict] | None = field(default=None, repr=False, compare=False)
    _tokens: list[Span] | None = field(default=None, repr=False, compare=False)
    _tokenizer: Callable[[], list[Span]] | None = field(default=None, repr=False, compare=False)

    @property
    def tokens(self) -> list[Span]:
        """Word tokens as ``(start, end)`` in ``text``. Word segmentation is the slowest stage and
        only some uses need it, so it runs on first access."""
        if self._tokens is None:
            self._tokens = self._tokenizer() if self._tokenizer is not None else []
            self._tokenizer = None
        return self._tokens

    def explain(self, top: int = 6, topics: list[str] | None = None,
                words: bool = False) -> dict[str, list[tuple[str, float]]]:
        """For each predicted topic (or each of ``topics``), the terms of this directive that
        pushed its score most: why it was counted under that topic. ``words=True`` gives whole
        words ('thủ tục') rather than the model's syllables and pieces ('tục')."""
        if words:
            from .explain import explain_words

            return explain_words(self, top, topics)
        if self._explainer is None:
            raise RuntimeError("no topic model is loaded, so there is nothing to explain")
        return self._explainer(self.text, top, topics if topics is not None else self.topics)

    def token_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.tokens]

    def to_spacy(self, vocab=None):
        """This directive as a ``spacy.tokens.Doc`` over its text: word tokens, ``ents`` with the
        four labels (attributes in ``span._.attrs``), ``cats`` with the topic scores."""
        from .spacy_doc import to_spacy

        return to_spacy(self, vocab)

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """The JSON object of the CLI's output (CONTRACT.md)."""
        out: dict[str, Any] = {
            "source": self.source,
            "index": self.index,
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "headline": self.headline,
            "text": self.text,
            "duplicate_of": self.duplicate_of,
            "bulletin": self.bulletin.to_dict() if self.bulletin else None,
        }
        if self.topics is not None:
            out["topics"] = list(self.topics)
            out["topic_scores"] = dict(self.topic_scores or {})
        if self.entities is not None:
            out["entities"] = [dict(e) for e in self.entities]
        out["deadlines"] = [d.to_dict() for d in self.deadlines]
        out["assignments"] = [a.to_dict() for a in self.assignments]
        for key, value in self.extensions.items():
            out.setdefault(key, value)
        if tokens:
            out["tokens"] = [list(t) for t in self.tokens]
        out["context"] = self.context.to_dict()
        if self.source_start is not None:
            out["source_start"] = self.source_start
            out["source_end"] = self.source_end
        if self.input is not None:
            out["input"] = self.input
        return out
