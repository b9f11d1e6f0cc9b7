"""The labels: topics and entity labels come from ``taxonomy.json`` and nowhere else.

In a checkout the file is ``corpora/taxonomy.json`` (the source of truth, which annotators
edit); an installed wheel carries a copy inside the package (``vnpolicy_nlp/bundled/``).
Standard library only, so ``markup.py`` can use it before the package is installed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Taxonomy", "TaxonomyError", "taxonomy_path", "load_taxonomy", "topic_labels", "entity_labels"]

_PACKAGE = Path(__file__).resolve().parent
#: Where the taxonomy is looked for, in order: the checkout's corpus, then the copy in the package.
CANDIDATES = (_PACKAGE.parent / "corpora" / "taxonomy.json", _PACKAGE / "bundled" / "taxonomy.json")


class TaxonomyError(ValueError):
    """A taxonomy file that is missing or not of the expected shape."""


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[str, ...]
    entity_labels: tuple[str, ...]
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)


def taxonomy_path() -> Path:
    """The taxonomy file this installation uses."""
    for path in CANDIDATES:
        if path.is_file():
            return path
    raise TaxonomyError("no taxonomy.json found; looked in " + ", ".join(str(p) for p in CANDIDATES))


def _parse(path: Path) -> Taxonomy:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such taxonomy file") from None
    except json.JSONDecodeError as exc:
        raise TaxonomyError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    try:
        topics = tuple(t["label"] for t in data["topics"])
        labels = tuple(data["entity_labels"])
        cues = {t["label"]: tuple(t.get("cues", ())) for t in data["topics"]}
    except (KeyError, TypeError) as exc:
        raise TaxonomyError(f"{path}: expected {{\"topics\": [{{\"label\": …}}, …], \"entity_labels\": […]}} "
                            f"({type(exc).__name__}: {exc})") from None
    if not all(isinstance(x, str) and x for x in topics + labels):
        raise TaxonomyError(f"{path}: every topic and entity label must be a non-empty string")
    return Taxonomy(topics=topics, entity_labels=labels, cues=cues)


@lru_cache(maxsize=8)
def _cached(path: Path, mtime_ns: int) -> Taxonomy:
    return _parse(path)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Topic and entity labels from ``path`` (default: :func:`taxonomy_path`)."""
    path = Path(path) if path is not None else taxonomy_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such taxonomy file") from None
    return _cached(path.resolve(), mtime)


def topic_labels() -> tuple[str, ...]:
    return load_taxonomy().topics


def entity_labels() -> tuple[str, ...]:
    return load_taxonomy().entity_labels
