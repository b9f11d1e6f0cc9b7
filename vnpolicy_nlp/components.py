"""The component interface and the registry of names.

A component has a ``name``, works on a :class:`Doc` (one directive's normalised text and its
context, which it fills in), saves itself as data files (``to_files``/``to_disk``), is rebuilt
from them (``from_files``/``from_disk``) and scores itself on annotated records (``score``).
A model set's manifest lists its components by name, in order; the pipeline builds each from
this registry. A new component (a deadlines extractor, say) is a class registered here under
its name, and the sets trained with it list that name: nothing else changes.

Registered names map to ``"module:Class"`` and are imported only when a set uses them, so
importing the package stays light.
"""
from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["Doc", "Component", "register", "component_class", "registered", "run", "COMPONENTS"]


@dataclass
class Doc:
    """What components work on: a directive's normalised text and context; they fill the rest.
    Offsets of ``entities`` index ``text``."""

    text: str
    province: str | None = None
    date: str | None = None
    entities: list | None = None
    topics: list[str] | None = None
    topic_scores: dict[str, float] | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


class Component(ABC):
    """One stage of the pipeline with a trained (or configured) state saved as data."""

    name: ClassVar[str]

    @abstractmethod
    def __call__(self, doc: Doc) -> Doc:
        """Fill in this component's part of ``doc`` and return it."""

    def pipe(self, docs: list[Doc]) -> list[Doc]:
        """Many documents at once (components that gain from batches override this)."""
        return [self(doc) for doc in docs]

    @abstractmethod
    def to_files(self) -> dict[str, bytes]:
        """The component's state as files, each named ``<name>.<suffix>``; data only."""

    def config(self) -> dict:
        """Small JSON settings recorded in the manifest next to the component's name."""
        return {}

    @classmethod
    @abstractmethod
    def from_files(cls, files: Mapping[str, bytes], config: Mapping[str, Any]) -> "Component":
        """Rebuild from the bytes of ``to_files`` (already checked against the manifest)."""

    @abstractmethod
    def score(self, records: list[dict]) -> dict[str, float]:
        """Headline metrics on annotated corpus records (ANNOTATION.md), computed now."""

    def to_disk(self, folder: Path) -> list[str]:
        """Write the files into ``folder`` (mode 0644); returns their names."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for file_name, data in self.to_files().items():
            if not file_name.startswith(self.name + "."):
                raise ValueError(f"component {self.name!r} wrote {file_name!r}; its files are named {self.name}.*")
            path = folder / file_name
            path.write_bytes(data)
            os.chmod(path, 0o644)
            names.append(file_name)
        return names

    @classmethod
    def from_disk(cls, folder: Path) -> "Component":
        """This component of the model set at ``folder``, checked against its manifest first."""
        from .modelset import read_set

        return read_set(Path(folder)).component(cls.name)


#: name → "module:Class", imported on first use.
COMPONENTS: dict[str, str] = {
    "entities": "vnpolicy_nlp.entities.component:EntityComponent",
    "topics": "vnpolicy_nlp.topic_component:TopicComponent",
    "structure": "vnpolicy_nlp.structure:StructureComponent",
}


def register(name: str, target: str) -> None:
    """Make ``name`` buildable from a manifest: ``target`` is ``"package.module:Class"``."""
    if ":" not in target:
        raise ValueError(f"{target!r} is not 'module:Class'")
    COMPONENTS[name] = target


def registered() -> tuple[str, ...]:
    return tuple(COMPONENTS)


def component_class(name: str) -> type[Component]:
    """The class registered under ``name``."""
    if name not in COMPONENTS:
        raise KeyError(f"no component named {name!r}; known: {', '.join(COMPONENTS)}")
    module, _, attr = COMPONENTS[name].partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Component)) or cls.name != name:
        raise TypeError(f"{COMPONENTS[name]} is not a Component named {name!r}")
    return cls


def run(components: Iterable[Component], docs: list[Doc]) -> list[Doc]:
    """Every component over every document, in order."""
    for comp in components:
        docs = comp.pipe(docs)
    return docs
