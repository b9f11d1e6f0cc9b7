"""The entity tagger as a pipeline component: ``entities.crfsuite`` (CRFsuite's own model
file) and ``entities.json`` (settings). The rules, patterns and gazetteers are code and data of
the library, not of the model set."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..components import Component, Doc
from .crf import CRFTagger
from .tagger import MODES, EntityTagger

__all__ = ["EntityComponent"]


#: Characters of normalised text given to the entity tagger at once.
WINDOW = 20_000


def windows(text: str, size: int = WINDOW) -> list[tuple[int, int]]:
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


def tag_in_windows(tagger: EntityTagger, text: str, province: str | None, date: str | None) -> Iterator:
    """Entities of ``text``, tagged a window at a time so that memory does not grow with the
    length of a directive; a window ends at a line break where it can (names do not cross
    paragraphs), and offsets are shifted back."""
    if len(text) <= WINDOW:
        yield from tagger.tag(text, province=province, date=date)
        return
    for a, b in windows(text):
        for ent in tagger.tag(text[a:b], province=province, date=date):
            ent.start += a
            ent.end += a
            yield ent


class EntityComponent(Component):
    name = "entities"

    def __init__(self, tagger: EntityTagger):
        self.tagger = tagger

    def __call__(self, doc: Doc) -> Doc:
        doc.entities = list(tag_in_windows(self.tagger, doc.text, doc.province, doc.date))
        return doc

    def settings(self) -> dict:
        crf = self.tagger.crf
        return {"mode": self.tagger.mode, "gazetteer_features": crf.gazetteers if crf else False,
                "c1": crf.c1 if crf else None, "c2": crf.c2 if crf else None,
                "max_iterations": crf.max_iterations if crf else None, "crf": crf is not None}

    def to_files(self) -> dict[str, bytes]:
        files = {"entities.json": json.dumps(self.settings(), indent=1).encode("utf-8")}
        if self.tagger.crf is not None:
            if not self.tagger.crf.model_bytes:
                raise ValueError("the CRF tagger is not trained")
            files["entities.crfsuite"] = self.tagger.crf.model_bytes
        return files

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], config: Mapping[str, Any]) -> "EntityComponent":
        settings = json.loads(files["entities.json"].decode("utf-8"))
        if not isinstance(settings, dict) or settings.get("mode") not in MODES:
            raise ValueError(f"entities.json: 'mode' must be one of {MODES}")
        crf = None
        if settings.get("crf", True):
            crf = CRFTagger(gazetteers=bool(settings["gazetteer_features"]), c1=float(settings["c1"]),
                            c2=float(settings["c2"]), max_iterations=int(settings["max_iterations"]),
                            model_bytes=bytes(files["entities.crfsuite"]))
            crf._load()  # read the model now: a damaged file fails here, not on the first page
        return cls(EntityTagger(crf=crf, mode=settings["mode"]))

    def score(self, records: list[dict]) -> dict[str, float]:
        from ..training import evaluate_entities

        scores = evaluate_entities(self.tagger, records)
        out = {"entities micro-F1": scores["micro"]["f1"]}
        out.update({f"entity {k} F1": v["f1"] for k, v in scores.items() if k != "micro"})
        return out
