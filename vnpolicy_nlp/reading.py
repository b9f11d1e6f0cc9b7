"""Reading user input: bytes to text, with one clear reason when a file cannot be tagged."""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputError", "decode", "read_text", "read_jsonl_records", "JsonlRecord"]

_HTML = re.compile(r"^\s*(?:<!doctype html|<html\b|<\?xml)|<(?:body|div|p|head|script)\b[^>]*>", re.IGNORECASE)


class InputError(ValueError):
    """An input that cannot be tagged; ``str()`` is the one-line message for the user."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def decode(data: bytes, where: str) -> str:
    """Decode a page: UTF-8 (a BOM is kept as a character, so offsets match plain UTF-8
    decoding), or UTF-16 when the file says so with its byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"invalid UTF-16 at byte {exc.start}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"invalid UTF-8 at byte {exc.start} ({exc.reason}); save the file as UTF-8") from None
    if "\x00" in text[:4096]:
        raise InputError(where, "contains NUL bytes: a binary file, or UTF-16 without a byte-order mark")
    return text


def check_page(text: str, where: str) -> str:
    """Refuse pages that cannot hold a directive."""
    if not text.strip("\ufeff\u200b \t\r\n\u00a0"):
        raise InputError(where, "empty page (no text)")
    if _HTML.search(text[:20000]):
        raise InputError(where, "looks like HTML, not text; extract the page text first (e.g. with a browser's 'save as text')")
    return text


def read_text(path: str) -> str:
    """Read one page from a path, or from standard input for ``-``."""
    where = "<stdin>" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(where, f"cannot read: {exc.strerror or exc}") from None
    return check_page(decode(data, where), where)


@dataclass
class JsonlRecord:
    line: int
    record: dict


def read_jsonl_records(path: str, errors: list[InputError],
                       lines: tuple[int, int] | None = None) -> Iterator[JsonlRecord]:
    """Yield records with a non-empty ``text``, streaming; a bad line is added to ``errors`` and
    skipped. ``lines=(first, last)`` reads only lines ``first <= i < last`` (0-based)."""
    where = "<stdin>" if path == "-" else path
    try:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        errors.append(InputError(where, f"cannot read: {exc.strerror or exc}"))
        return
    try:
        for i, raw in enumerate(fh):
            if lines is not None and not lines[0] <= i < lines[1]:
                if i >= lines[1]:
                    break
                continue
            lineno = i + 1
            if i == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                errors.append(InputError(f"{where}:{lineno}", f"invalid UTF-8 at byte {exc.start} of the line"))
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(InputError(f"{where}:{lineno}", f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(record, dict):
                errors.append(InputError(f"{where}:{lineno}", f"not a JSON object (a {type(record).__name__})"))
                continue
            if not isinstance(record.get("text"), str):
                errors.append(InputError(f"{where}:{lineno}", "a record needs a string 'text' key"))
                continue
            if not record["text"].strip():
                errors.append(InputError(f"{where}:{lineno}", "empty 'text'"))
                continue
            yield JsonlRecord(lineno, record)
    finally:
        if path != "-":
            fh.close()
