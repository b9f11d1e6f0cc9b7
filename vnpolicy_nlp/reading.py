"""Reading user input: bytes to text, with one clear reason when a file cannot be tagged."""
from __future__ import annotations

import json
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["InputError", "decode", "read_text", "read_page", "Page", "read_jsonl_records", "JsonlRecord",
           "guess_legacy_encoding", "MAX_PAGE_BYTES"]

MAX_PAGE_BYTES = 64 * 1024 * 1024  # a page larger than this is refused (reported, the run goes on)

_HTML = re.compile(r"^\s*(?:<!doctype html|<html\b|<\?xml)|<(?:body|div|p|head|script)\b[^>]*>", re.IGNORECASE)


class InputError(ValueError):
    """An input that cannot be tagged; ``str()`` is the one-line message for the user."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def decode(data: bytes, where: str, notes: list[str] | None = None) -> str:
    """Decode a page: UTF-8 (a BOM is kept as a character, so offsets match plain UTF-8
    decoding), UTF-32 or UTF-16 with a byte-order mark (or UTF-32 without one, which shows as
    NUL-padded code points), or Windows-1258 when the bytes are not UTF-8 and read as
    Vietnamese in it (a note is added to ``notes``). TCVN3 (ABC) and VNI are recognised and
    refused with their name: no maintained converter was found for them."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _decode_as(data, "utf-32", where)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16", where)
    bom_less = _utf32_without_bom(data)
    if bom_less:
        if notes is not None:
            notes.append(f"{where}: no byte-order mark; read as {bom_less.upper()}")
        return _decode_as(data, bom_less, where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = guess_legacy_encoding(data)
        if legacy == "windows-1258":
            if notes is not None:
                notes.append(f"{where}: not UTF-8; read as Windows-1258 (legacy Vietnamese), which fits its bytes")
            return unicodedata.normalize("NFC", data.decode("cp1258"))
        if legacy:
            raise InputError(where, f"invalid UTF-8 at byte {exc.start}: looks like Vietnamese in the legacy {legacy} "
                                    "encoding, which is not read here; convert the file to UTF-8 (e.g. with UniKey's "
                                    "converter) and retry") from None
        raise InputError(where, f"invalid UTF-8 at byte {exc.start} ({exc.reason}); save the file as UTF-8") from None
    if "\x00" in text[:4096]:
        raise InputError(where, "contains NUL bytes: a binary file, or UTF-16 without a byte-order mark")
    return text


def _decode_as(data: bytes, codec: str, where: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(where, f"invalid {codec.upper()} at byte {exc.start} ({exc.reason})") from None
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text[:100000]):
        raise InputError(where, f"{codec.upper()} with lone surrogates; not text")
    return text


def _utf32_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    if len(data) < 8 or len(data) % 4 or head.count(0) < len(head) // 2:
        return None
    for codec, zero_at in (("utf-32-le", (2, 3)), ("utf-32-be", (0, 1))):
        if all(head[i + z] == 0 for i in range(0, len(head) - 3, 4) for z in zero_at):
            return codec
    return None


_VOWEL = "aăâeêioôơuưy"
_TONED = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[" + _VOWEL + _TONED + r"]{1,3}(?:ch|ng|nh|[cmnpt])?$")


def _vietnamese_share(text: str) -> float:
    """Share of words with a non-ASCII letter that are well-formed Vietnamese syllables."""
    words = [w for w in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text[:200000]).lower())
             if not w.isascii()]
    if len(words) < 3:
        return 0.0
    return sum(1 for w in words if _SYLLABLE.match(w)) / len(words)


def guess_legacy_encoding(data: bytes) -> str | None:
    """The legacy Vietnamese encoding that ``data`` (not UTF-8) is most likely in:
    ``windows-1258`` (decodable here), ``VNI`` or ``TCVN3 (ABC)``; None when the bytes do not
    look like Vietnamese text."""
    sample = data[:200000]
    high = [i for i, b in enumerate(sample) if b >= 0x80]
    if not high or len(high) > 0.6 * len(sample):
        return None
    try:
        if _vietnamese_share(sample.decode("cp1258")) >= 0.9:
            return "windows-1258"
    except UnicodeDecodeError:
        pass
    letters = sum(1 for b in sample if 65 <= b <= 90 or 97 <= b <= 122)
    if letters < 0.3 * len(sample) or len(high) < 3:
        return None
    vowels = set(b"aeiouyAEIOUY")
    after_vowel = sum(1 for i in high if i > 0 and (sample[i - 1] in vowels or sample[i - 1] >= 0x80))
    # VNI writes a base vowel then its marks as extra bytes; TCVN3 one byte per toned vowel,
    # standing between consonants, with 0xAE for "đ".
    d_vni, d_tcvn = sample.count(0xF1), sample.count(0xAE)  # "đ" in each
    if d_tcvn > d_vni:
        return "TCVN3 (ABC)"
    if d_vni > d_tcvn or after_vowel / len(high) >= 0.5:
        return "VNI"
    return "TCVN3 (ABC)"


def check_page(text: str, where: str) -> str:
    """Refuse pages that cannot hold a directive."""
    if not text.strip("\ufeff\u200b \t\r\n\u00a0"):
        raise InputError(where, "empty page (no text)")
    return text


@dataclass
class Page:
    """One input page, decoded: ``kind`` is ``html`` when its content is markup (whatever the
    file's name), else ``text``. ``notes`` say what was assumed (an encoding)."""

    where: str
    text: str
    kind: str
    notes: list[str]


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (or stdin for ``-``), refusing FIFOs, devices, sockets,
    folders and dangling links up front, so that nothing waits on a special file."""
    limit = MAX_PAGE_BYTES if limit is None else limit
    where = "<stdin>" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if os.path.islink(path):
                raise InputError(where, "a symbolic link to a file that does not exist") from None
            raise InputError(where, "cannot read: no such file") from None
        except OSError as exc:
            raise InputError(where, f"cannot read: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise InputError(where, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) \
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a special file"
            raise InputError(where, f"is {kind}, not a regular file; not read")
        if st.st_size > limit:
            raise InputError(where, f"{st.st_size:,} bytes: larger than the {limit:,}-byte page limit; split it first")
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError(where, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(where, f"larger than the {limit:,}-byte page limit; split it first")
    return data


def read_page(path: str, limit: int | None = None) -> Page:
    """Read and decode one page; HTML is recognised by its content."""
    from .extraction import looks_like_html

    where = "<stdin>" if path == "-" else path
    notes: list[str] = []
    text = check_page(decode(read_bytes(path, limit), where, notes), where)
    return Page(where, text, "html" if looks_like_html(text) else "text", notes)


def read_text(path: str) -> str:
    """Read one page from a path, or from standard input for ``-`` (HTML is returned as it is;
    use :func:`read_page` to know which it is)."""
    return read_page(path).text


def _no_constant(name: str):
    raise ValueError(f"{name} is not standard JSON (use null or a string)")


@dataclass
class JsonlRecord:
    line: int
    record: dict


def read_jsonl_records(path: str, errors: list[InputError],
                       lines: tuple[int, int] | None = None, first_byte: int = 0) -> Iterator[JsonlRecord]:
    """Yield records with a non-empty ``text``, streaming; a bad line is added to ``errors`` and
    skipped. ``lines=(first, last)`` reads only lines ``first <= i < last`` (0-based);
    ``first_byte``, when given, is where line ``first`` starts (the reader seeks there)."""
    where = "<stdin>" if path == "-" else path
    if path != "-":
        try:
            st = os.stat(path)
        except OSError as exc:
            errors.append(InputError(where, f"cannot read: {exc.strerror or exc}"))
            return
        if not stat.S_ISREG(st.st_mode):
            errors.append(InputError(where, "is a folder, not a file" if stat.S_ISDIR(st.st_mode)
                                     else "is a FIFO or other special file, not a regular file; not read"))
            return
    try:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        errors.append(InputError(where, f"cannot read: {exc.strerror or exc}"))
        return
    skip_to = 0
    if first_byte and lines is not None and path != "-":
        fh.seek(first_byte)
        skip_to = lines[0]
    try:
        for i, raw in enumerate(fh, start=skip_to):
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
                record = json.loads(line, parse_constant=_no_constant)
            except json.JSONDecodeError as exc:
                errors.append(InputError(f"{where}:{lineno}", f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            except ValueError as exc:  # NaN / Infinity
                errors.append(InputError(f"{where}:{lineno}", str(exc)))
                continue
            except RecursionError:
                errors.append(InputError(f"{where}:{lineno}", "JSON nested too deeply to read (over about 900 levels)"))
                continue
            try:
                json.dumps(record, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                errors.append(InputError(f"{where}:{lineno}", f"a lone surrogate escape (\\u{ord(exc.object[exc.start]):04x}) "
                                                              "is not text; fix the writer of this file"))
                continue
            except (RecursionError, ValueError):
                errors.append(InputError(f"{where}:{lineno}", "JSON nested too deeply to write back"))
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
