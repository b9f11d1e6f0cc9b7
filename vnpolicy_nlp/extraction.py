"""The text of a portal page saved as HTML, with a map from every character back to the HTML.

A one-pass tokenizer over the decoded HTML (tags, comments, raw-text elements, character
references) that keeps what a reader sees in the main column and drops the rest:

- ``nav``, ``aside``, ``footer``, ``header``, ``form``, scripts, styles, and elements whose
  ``class``/``id``/``role`` name navigation, menus, breadcrumbs, sidebars, share buttons,
  comments or related-article lists;
- block elements (``p``, ``div``, ``h1``…``h6``, ``li``, table cells …) become paragraph breaks
  (a blank line), ``<br>`` a line break; other whitespace collapses to one space;
- a paragraph whose whole text sits in ``<strong>``/``<b>`` or a heading is remembered as a
  headline hint for the splitter.

Why our own pass and not a library's text: the output contract asks for ``source_start`` /
``source_end`` in the decoded HTML, and none of trafilatura, jusText or selectolax reports
where its text came from (README, "HTML input", has the comparison on the fixtures; rerun it
with ``python benchmarks/html_extractors.py``). The pass is linear in the page size.
"""
from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from html import unescape

__all__ = ["Extracted", "extract", "looks_like_html"]

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "aside", "footer", "header", "form", "iframe",
              "select", "button", "head", "object", "canvas", "map", "audio", "video", "textarea"}
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "noscript", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
         "keygen"}
_BLOCK = {"address", "article", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
          "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
          "td", "th", "thead", "tfoot", "tr", "ul", "body", "html", "header", "footer", "nav", "aside", "form"}
_EMPHASIS = {"strong", "b", "h2", "h3", "h4", "h5", "h6"}
# class / id words of page chrome (split on "-", "_", spaces and camelCase)
_CHROME_WORDS = {"nav", "navbar", "navigation", "menu", "menubar", "megamenu", "breadcrumb", "breadcrumbs", "sidebar",
                 "footer", "share", "sharing", "social", "socials", "comment", "comments", "related", "banner",
                 "widget", "toolbar", "tools", "print", "tags", "tag", "search", "login", "advert", "ads", "quangcao",
                 "pager", "pagination", "copyright", "topbar", "header", "skip", "lienquan", "tinlienquan",
                 "tinkhac", "othernews", "rating", "vote", "hotline", "weather", "counter", "marquee", "cookie"}
_CHROME_PHRASES = ("lien-quan", "tin-khac", "cung-chuyen-muc", "other-news", "tin-moi", "most-viewed", "xem-nhieu")
_CHROME_ROLES = {"navigation", "complementary", "contentinfo", "banner", "search", "menu", "menubar"}

_TOKEN = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<[!?][^>]*>?|</?[A-Za-z][^<>]*>?|&(?:#\d{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?",
                    re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(.*)", re.DOTALL)
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype html|<html\b|<\?xml[^>]*>\s*<(?:!doctype html|html))|"
                         r"<(?:body|div|p|head|script|article|section|table|span|a)\b[^>]*>.*?</(?:body|div|p|head|script|article|section|table|span|a)>",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(text: str) -> bool:
    """True when a page is HTML markup (judged on its first 20,000 characters, not its name)."""
    head = text[:20000]
    return bool(_HTML_SNIFF.search(head)) and head.count("<") >= 3


@dataclass
class Extracted:
    """The visible text of an HTML page. ``starts[i]``/``ends[i]`` give the HTML span that
    produced ``text[i]`` (an entity maps to its whole reference; a collapsed space to the first
    whitespace character). ``hints`` are offsets in ``text`` of lines that a page set in bold or
    as a heading: likely headlines."""

    html: str
    text: str
    starts: "array[int]" = field(repr=False)
    ends: "array[int]" = field(repr=False)
    hints: list[int] = field(default_factory=list)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """The HTML span of the text span ``[start, end)``."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.html)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        out.setdefault(m.group(1).lower(), m.group(2) or m.group(3) or m.group(4) or "")
    return out


def _is_chrome(tag: str, attrs: dict[str, str]) -> bool:
    if tag in _SKIP_TAGS:
        return True
    if attrs.get("role", "").lower() in _CHROME_ROLES or "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style", "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}"
    if not names.strip():
        return False
    lower = names.lower()
    if any(p in lower for p in _CHROME_PHRASES):
        return True
    words = re.split(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])", names)
    return any(w.lower() in _CHROME_WORDS for w in words if w)


_WS_RUNS = re.compile(r"[ \t\r\n\f\v]+|[^ \t\r\n\f\v]+")


class _Builder:
    """Accumulates visible text with its source map, collapsing whitespace and breaks. Text is
    kept as chunks of runs and the map as arrays of machine integers, so a large page costs a
    few bytes a character."""

    def __init__(self, size_hint: int) -> None:
        code = "i" if size_hint < 2**31 - 1 else "q"
        self.pieces: list[str] = []
        self.chunks: list[str] = []
        self.starts = array(code)
        self.ends = array(code)
        self.length = 0
        self.last = ""                         # the last character emitted
        self.pending_space: int | None = None  # source offset of a whitespace run not yet emitted
        self.pending_break = 0                 # 0, 1 (line break) or 2 (paragraph break)
        self.break_at = 0
        self.block_first: int | None = None    # offset of the first visible character of the block

    def _append(self, run: str, s: int, e: int, one_to_one: bool) -> None:
        self.pieces.append(run)
        k = len(run)
        if one_to_one:
            self.starts.extend(range(s, s + k))
            self.ends.extend(range(s + 1, s + k + 1))
        else:
            self.starts.extend([s] * k)
            self.ends.extend([e] * k)
        self.length += k
        self.last = run[-1]
        if len(self.pieces) >= 4096:
            self.chunks.append("".join(self.pieces))
            self.pieces.clear()

    def text(self, piece: str, s: int, e: int, pre: bool = False) -> None:
        """Add a run of character data from ``html[s:e]`` (``piece`` is the decoded run; for a
        reference, one string standing for the whole span)."""
        one_to_one = e - s == len(piece)
        for m in _WS_RUNS.finditer(piece):
            run = m.group(0)
            a = s + m.start() if one_to_one else s
            if run[0] in " \t\r\n\f\v":
                if pre and "\n" in run:
                    self.line_break(a)
                elif self.pending_space is None:
                    self.pending_space = a
                continue
            if run[0] == "\u00a0" and not self.length:
                run = run.lstrip("\u00a0")
                if not run:
                    continue
            self._flush()
            if self.block_first is None:
                self.block_first = self.length
            b = s + m.end() if one_to_one else e
            self._append(run, a if one_to_one else s, b, one_to_one)

    def _flush(self) -> None:
        if self.length and self.pending_break:
            self._append("\n" * self.pending_break, self.break_at, self.break_at, False)
        elif self.length and self.pending_space is not None and self.last != "\n":
            self._append(" ", self.pending_space, self.pending_space + 1, True)
        self.pending_break = 0
        self.pending_space = None

    def block(self, at: int) -> None:
        if self.pending_break < 2:
            self.break_at = at
        self.pending_break = 2
        self.pending_space = None

    def line_break(self, at: int) -> None:
        if self.pending_break == 0:
            self.break_at = at
            self.pending_break = 1
        self.pending_space = None

    def result(self) -> str:
        self.chunks.append("".join(self.pieces))
        self.pieces.clear()
        return "".join(self.chunks)


def extract(html: str, *, keep_chrome: bool = False) -> Extracted:
    """The visible main text of ``html`` with its map back to the HTML. When dropping chrome
    would leave no letter at all, the page is read again keeping everything."""
    out = _extract(html, keep_chrome)
    if not keep_chrome and not any(ch.isalpha() for ch in out.text):
        out = _extract(html, True)
    return out


def _extract(html: str, keep_chrome: bool) -> Extracted:
    b = _Builder(len(html))
    stack: list[tuple[str, bool]] = []  # (tag, skipped)
    skip = 0
    pre = 0
    emph_depth = 0
    # headline hints: a block whose only text sits inside emphasis
    block_all_emph = True
    hints: list[int] = []
    pos = 0
    n = len(html)

    def end_block() -> None:
        nonlocal block_all_emph
        if block_all_emph and b.block_first is not None:
            hints.append(b.block_first)
        b.block_first = None
        block_all_emph = True

    for m in _TOKEN.finditer(html):
        if m.start() > pos and not skip:
            _data(b, html, pos, m.start(), pre > 0)
            if emph_depth == 0 and html[pos:m.start()].strip():
                block_all_emph = False
        pos = m.end()
        tok = m.group(0)
        if tok[0] == "&":
            if skip:
                continue
            value = unescape(tok)
            if value == tok:  # not a known reference: keep it as written
                _data(b, html, m.start(), m.end(), pre > 0)
            else:
                b.text(value, m.start(), m.end(), pre > 0)
            if emph_depth == 0 and value.strip():
                block_all_emph = False
            continue
        if not tok.startswith("<") or tok.startswith(("<!", "<?")):
            continue
        tm = _TAG.match(tok)
        if tm is None:
            continue
        closing, tag, rest = tm.group(1) == "/", tm.group(2).lower(), tm.group(3)
        if not closing:
            attrs = _attrs(rest)
            self_closing = rest.rstrip().endswith("/") and tag not in _BLOCK
            if tag in _RAW_TEXT:
                # raw text (scripts, styles, the <title>) is never shown: skip to its end tag
                close = re.compile(r"</" + tag + r"\s*>", re.IGNORECASE).search(html, pos)
                pos = close.end() if close else n
                continue
            if tag == "br":
                if not skip:
                    b.line_break(m.start())
                continue
            if tag in _VOID or self_closing:
                if tag == "hr" and not skip:
                    end_block()
                    b.block(m.start())
                continue
            if tag == "p" and stack and stack[-1][0] == "p":  # an unclosed <p> ends at the next one
                stack.pop()
            chrome = (not keep_chrome) and _is_chrome(tag, attrs)
            stack.append((tag, chrome))
            if chrome:
                skip += 1
            if not skip:
                if tag in _BLOCK:
                    end_block()
                    b.block(m.start())
                if tag == "pre":
                    pre += 1
                if tag in _EMPHASIS:
                    emph_depth += 1
        else:
            # pop to the matching open element, if there is one
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == tag:
                    for t, chrome in stack[k:][::-1]:
                        if not skip:
                            if t in _EMPHASIS:
                                emph_depth = max(0, emph_depth - 1)
                            if t == "pre":
                                pre = max(0, pre - 1)
                            if t in _BLOCK:
                                end_block()
                                b.block(m.start())
                        if chrome:
                            skip -= 1
                    del stack[k:]
                    break
            else:
                if tag in _BLOCK and not skip:
                    end_block()
                    b.block(m.start())
    if pos < n and not skip:
        _data(b, html, pos, n, pre > 0)
        if emph_depth == 0 and html[pos:n].strip():
            block_all_emph = False
    end_block()
    text = b.result()
    return Extracted(html, text, b.starts, b.ends, [h for h in hints if h < len(text)])


def _data(b: _Builder, html: str, s: int, e: int, pre: bool) -> None:
    b.text(html[s:e], s, e, pre)
