"""Tagged directives as spaCy documents, so displaCy, DocBin and spaCy's tooling work on them.

The Doc is built over the original text from the library's word tokens (entity boundaries are
token boundaries, so no span is lost); whitespace runs become whitespace tokens as spaCy expects.
Entities carry their attributes as ``span._.attrs``; topic scores are ``doc.cats``; the title
displaCy shows above the text is ``doc.user_data["title"]`` (source, index, topics). Label
colours come from :mod:`vnpolicy_nlp.colors` through spaCy's ``spacy_displacy_colors`` entry point.

``DocBin`` keeps the title, ``span._.attrs`` and the other ``doc._`` values only when made with
``DocBin(store_user_data=True)`` (spaCy's rule: user data is dropped otherwise).
"""
from __future__ import annotations

from .record import Directive

__all__ = ["to_spacy", "doc_title"]


def doc_title(directive: Directive) -> str:
    """``week.txt #3 · disaster_response, health`` (``no topic`` when the list is empty)."""
    where = f"{directive.source or 'directive'} #{directive.index}"
    if directive.topics is None:
        return where
    return f"{where} · " + (", ".join(directive.topics) if directive.topics else "no topic")


def _register() -> None:
    from spacy.tokens import Doc, Span

    for name in ("attrs", "deadline"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in ("directive_id", "headline", "topics", "source"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def to_spacy(directive: Directive, vocab=None):
    """A ``spacy.tokens.Doc`` whose text is exactly ``directive.text``."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    _register()
    text = directive.text
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0

    def gap(until: int) -> None:
        nonlocal pos
        chunk = text[pos:until]
        if not chunk:
            return
        if words and chunk[0] == " " and not spaces[-1]:
            spaces[-1] = True
            chunk = chunk[1:]
        if chunk:
            words.append(chunk)
            spaces.append(False)

    for s, e in directive.tokens:
        gap(s)
        words.append(text[s:e])
        spaces.append(False)
        pos = e
    gap(len(text))
    doc = Doc(vocab or Vocab(), words=words, spaces=spaces)
    ents = []
    for ent in directive.entities or []:
        span = doc.char_span(ent["start"], ent["end"], label=ent["label"])
        if span is None:  # cannot happen with the library's tokens; never drop silently
            raise ValueError(f"entity {ent['text']!r} at [{ent['start']}, {ent['end']}) is not on token boundaries")
        span._.attrs = ent.get("attrs")
        ents.append(span)
    doc.ents = ents
    deadlines = []
    for d in directive.deadlines:
        span = doc.char_span(d.start, d.end, label="DEADLINE")
        if span is None:
            raise ValueError(f"deadline {d.text!r} at [{d.start}, {d.end}) is not on token boundaries")
        span._.attrs = {"date": d.date}
        deadlines.append(span)
    doc.spans["deadlines"] = deadlines
    doc.spans["assignments"] = []
    for a in directive.assignments:  # the agency's span, labelled with its role; its deadline in span._.deadline
        agency = ents[a.agency]
        span = doc.char_span(agency.start_char, agency.end_char, label=a.role.upper())
        # not span._.attrs: spaCy keys span extensions by character offsets, so that would overwrite
        # the agency entity's own attrs (same offsets)
        if a.deadline is not None:
            span._.deadline = {"text": deadlines[a.deadline].text, "date": directive.deadlines[a.deadline].date}
        doc.spans["assignments"].append(span)
    doc.cats = dict(directive.topic_scores or {})
    doc._.directive_id = directive.id
    doc._.headline = directive.headline
    doc._.topics = list(directive.topics or [])
    doc._.source = directive.source
    doc.user_data["title"] = doc_title(directive)
    return doc
