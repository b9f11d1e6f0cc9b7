"""Display colours of the library's labels, one copy for displaCy and the HTML report.

spaCy reads ``DISPLACY_COLORS`` through the ``spacy_displacy_colors`` entry point declared in
``pyproject.toml``, so ``displacy.render(doc, style="ent")`` colours every label with no options.
This module imports nothing, so loading the entry point costs nothing.
"""
from __future__ import annotations

__all__ = ["DISPLACY_COLORS", "DEFAULT_COLOR"]

DISPLACY_COLORS: dict[str, str] = {
    "AGENCY": "#7aecec",      # teal: bodies that act (spaCy's ORG colour)
    "LOCATION": "#feca74",    # amber: places (spaCy's GPE colour)
    "OFFICIAL": "#aa9cfc",    # violet: people with a title (spaCy's PERSON colour)
    "DOC_NUMBER": "#f7a8c8",  # pink: document numbers
    "DEADLINE": "#b5e48c",    # green: the span group ``deadlines`` (``displacy.render(doc, style="span")``)
}
DEFAULT_COLOR = "#dddddd"
