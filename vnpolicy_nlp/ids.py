"""Directive ids, made here and nowhere else.

A directive's id is ``<page key>-<index>``: the page key is a short hash of the page (or of the
whole text given as one directive), the index its place on the page, three digits. The same text
always gives the same ids, and a duplicate's ``duplicate_of`` names the earlier id.
"""
from __future__ import annotations

import hashlib

__all__ = ["page_key", "directive_id", "directive_index", "imported_record_id"]


def page_key(text: str) -> str:
    """A short stable key of a page, used to build directive ids."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def directive_id(key: str, index: int) -> str:
    """The id of the ``index``-th directive of the page whose :func:`page_key` is ``key``."""
    return f"{key}-{index:03d}"


def directive_index(directive_id_: str) -> int:
    """The index part of a directive id ("3f2a…-004" → 4)."""
    try:
        return int(directive_id_.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        raise ValueError(f"{directive_id_!r} is not a directive id (<page key>-<index>)") from None


def imported_record_id(prefix: str, where: str) -> str:
    """The corpus id of an imported annotation that carries none: the export file's stem and
    the item's place in it ("week32-17")."""
    return f"{prefix}-{where}"
