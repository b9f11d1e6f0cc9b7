"""Normalisation of Vietnamese text with a map back to the original offsets.

Bulletins arrive in NFC and NFD, with old-style ("hoà", "thuỷ") and new-style ("hòa", "thủy")
tone placement, no-break and zero-width spaces, curly quotes and CRLF line ends. Models see one
canonical form; every span they find is mapped back to the exact characters of the original, so
what leaves the library always indexes the text the user gave.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NormalizedText", "normalize", "canonical_syllable"]

# Characters replaced one for one (the map stays one-to-one for them).
_CHAR_MAP = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ", "\t": " ",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
}
_CHAR_MAP.update({chr(c): " " for c in range(0x2000, 0x200C)})  # incl. zero-width space
# Characters dropped outright: they carry no text.
_DROP = {"\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
# Open syllables whose tone sits on the first vowel in the canonical (new) style:
# hòa, khỏe, thủy. "qu" + y keeps the tone on y (quý), so q is excluded from the onset.
_OPEN_GLIDE = re.compile(r"^([bcdđghklmnprstvx]*)(o)(a|e)$|^([bcdđghklmnprstvx]*[^q]|)(u)(y)$")



def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def canonical_syllable(syllable: str) -> str:
    """Return a syllable in NFC with the tone mark placed the canonical (new) way."""
    nfd = unicodedata.normalize("NFD", syllable)
    tones = [c for c in nfd if c in _TONES]
    if len(tones) != 1:
        return unicodedata.normalize("NFC", syllable)
    tone = tones[0]
    bare = unicodedata.normalize("NFC", "".join(c for c in nfd if c != tone))
    match = _OPEN_GLIDE.match(bare.lower())
    if not match:
        return unicodedata.normalize("NFC", syllable)
    vowel_at = match.start(2) if match.group(2) else match.start(5)
    placed = bare[: vowel_at + 1] + tone + bare[vowel_at + 1:]
    return unicodedata.normalize("NFC", placed)


@dataclass(frozen=True)
class NormalizedText:
    """The canonical form of a text and, for each of its characters, where it came from."""

    original: str
    text: str
    starts: "array[int]"  # original offset where normalised char i begins (a sequence of ints)
    ends: "array[int]"    # original offset where normalised char i ends

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the normalised text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.text) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def to_normalized(self, orig_offset: int) -> int:
        """The first normalised character that starts at or after an original offset."""
        return bisect.bisect_left(self.starts, orig_offset)


def _clusters(text: str):
    """Yield (start, end) of each base character with its combining marks."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _is_mark(text[j]):
            j += 1
        yield i, j
        i = j


# The common case, checked at C speed: an NFC text whose only changes are one-for-one characters.
_ONE_FOR_ONE = str.maketrans(_CHAR_MAP)
_PRINTABLE_CHECK = str.maketrans({**{k: "a" for k in _CHAR_MAP}, "\n": "a"})
_SLOW_CHARS = re.compile("[\r" + "".join(sorted(_DROP)) + "]")
# Where an old-style open syllable may stand (tone on its second vowel: "hoà", "khoẻ", "thuỷ"): its
# tone moves, one letter for another, so the offsets stay the identity.
_OLD_TONE = re.compile(r"[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ]")


@lru_cache(maxsize=1)
def _marks() -> re.Pattern:
    """Any combining mark (a mark joins the character before it) or astral character: the full
    pass handles those. Built on first use from the Unicode database (the BMP's marks, as ranges)."""
    ranges, start, prev = [], None, None
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp))[0] == "M":
            if start is None:
                start = cp
            elif cp != prev + 1:
                ranges.append((start, prev))
                start = cp
            prev = cp
    ranges.append((start, prev))
    body = "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)
    return re.compile(f"[{body}\\U00010000-\\U0010ffff]")


def _identity_map(original: str) -> NormalizedText | None:
    """The normalised text when every change is one character for one (quotes, dashes, spaces, a
    tone moved within a syllable), so the offset map is the identity; None when the full pass is
    needed (decomposed text, combining marks, dropped or control characters, CRLF)."""
    if (not unicodedata.is_normalized("NFC", original) or _SLOW_CHARS.search(original) or _marks().search(original)
            or not original.translate(_PRINTABLE_CHECK).isprintable()):
        return None
    text = original.translate(_ONE_FOR_ONE)
    n = len(text)
    pieces: list[tuple[int, int, str]] = []
    done = 0
    for m in _OLD_TONE.finditer(text):
        if m.start() < done:
            continue
        s, e = m.start(), m.end()
        while s > 0 and text[s - 1].isalpha():
            s -= 1
        while e < n and text[e].isalpha():
            e += 1
        done = e
        if e - s > 64:  # as the full pass: a run this long is not a syllable
            continue
        canon = canonical_syllable(text[s:e])
        if canon != text[s:e]:
            if len(canon) != e - s:
                return None
            pieces.append((s, e, canon))
    if pieces:
        out, pos = [], 0
        for s, e, canon in pieces:
            out += [text[pos:s], canon]
            pos = e
        out.append(text[pos:])
        text = "".join(out)
    code = "i" if n < 2**31 - 1 else "q"
    return NormalizedText(original, text, array(code, range(n)), array(code, range(1, n + 1)))


def normalize(original: str) -> NormalizedText:
    """Return the canonical form of ``original`` with its offset map. The map is two arrays of
    machine integers and the text is built a chunk at a time, so memory stays a small multiple
    of the input's size."""
    fast = _identity_map(original)
    if fast is not None:
        return fast
    return _normalize_by_character(original)


def _normalize_by_character(original: str) -> NormalizedText:
    """The full pass: decomposed text, old-style tones, dropped and control characters, CRLF."""
    out: list[str] = []
    chunks: list[str] = []
    code = "i" if len(original) < 2**31 - 1 else "q"  # 4 bytes an offset when they fit
    starts = array(code)
    ends = array(code)

    def emit(piece: str, s: int, e: int) -> None:
        out.append(piece)
        k = len(piece)
        if k == 1:
            starts.append(s)
            ends.append(e)
        else:
            starts.extend([s] * k)
            ends.extend([e] * k)
        if len(out) >= 65536:
            chunks.append("".join(out))
            out.clear()

    pos = 0
    n = len(original)
    while pos < n:
        ch = original[pos]
        if ch == "\r":
            nxt = pos + 2 if original.startswith("\r\n", pos) else pos + 1
            emit("\n", pos, nxt)
            pos = nxt
            continue
        if ch.isalpha():
            end = pos + 1
            while end < n and (original[end].isalpha() or _is_mark(original[end])):
                end += 1
            raw = original[pos:end]
            canon = canonical_syllable(raw) if end - pos <= 64 else unicodedata.normalize("NFC", raw)
            if canon == raw:  # the common case: one character for one
                out.append(raw)
                starts.extend(range(pos, end))
                ends.extend(range(pos + 1, end + 1))
                if len(out) >= 65536:
                    chunks.append("".join(out))
                    out.clear()
            else:
                _emit_word(original, pos, end, emit)
            pos = end
            continue
        if ch in _DROP:
            pos += 1
            continue
        if ch in _CHAR_MAP:
            emit(_CHAR_MAP[ch], pos, pos + 1)
        elif ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            emit(" " if unicodedata.category(ch) != "Zl" else "\n", pos, pos + 1)
        else:
            end = pos + 1
            while end < n and not ch.isspace() and _is_mark(original[end]):
                end += 1
            emit(unicodedata.normalize("NFC", original[pos:end]), pos, end)
            pos = end
            continue
        pos += 1
    chunks.append("".join(out))
    return NormalizedText(original, "".join(chunks), starts, ends)


def _emit_word(original: str, start: int, end: int, emit) -> None:
    """Emit one run of letters (with combining marks) in canonical form."""
    raw = original[start:end]
    canon = canonical_syllable(raw)
    clusters = [(start + s, start + e) for s, e in _clusters(raw)]
    if len(canon) == len(clusters):
        for ch, (s, e) in zip(canon, clusters):
            emit(ch, s, e)
    else:  # composition changed the length: the whole word maps to the whole run
        emit(canon, start, end)
