"""Split a weekly bulletin page into its directives.

A provincial bulletin page ("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần …") carries a
title with the week's dates, often a summary paragraph listing every headline separated by ";",
then each directive as a headline line followed by body paragraphs, all mixed with site chrome.
The summary is the most reliable guide to where directives start, so it is used when present;
otherwise headlines are recognised by their shape. Everything here works on normalised text and
returns spans in it; the pipeline maps them back to the original page.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .ids import page_key  # made in ids.py; kept importable from here
from .lexicon import PROVINCE_OFFICE_NAMES, alternation
from .patterns import DATE_RE

__all__ = ["BulletinInfo", "DirectiveSpan", "SplitPage", "split_page", "split_pages", "is_bulletin_title", "parse_week",
           "page_key"]


@dataclass(frozen=True)
class BulletinInfo:
    """The page title and the week it covers (ISO dates, None when the title does not say)."""

    title: str
    week_start: str | None
    week_end: str | None

    def to_dict(self) -> dict:
        return {"title": self.title, "week_start": self.week_start, "week_end": self.week_end}


@dataclass(frozen=True)
class DirectiveSpan:
    """Where one directive lies in the (normalised) page."""

    start: int
    end: int
    headline_end: int
    duplicate_of: int | None = None  # index of the earlier directive this one repeats


@dataclass
class SplitPage:
    bulletin: BulletinInfo | None
    directives: list[DirectiveSpan] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    start: int  # first non-space character
    end: int    # after the last non-space character
    text: str


# ---------------------------------------------------------------- page chrome
_TITLE = re.compile(r"chỉ đạo\s*,?\s*(?:và\s*|-\s*)?điều hành|(?:điểm tin|văn bản|tin) chỉ đạo", re.IGNORECASE)
_SKIP_LINK = re.compile(
    r"^(?:nhảy|chuyển|bỏ qua|đi) (?:đến|tới)? ?(?:nội dung|phần nội dung)(?: chính)?$|^skip to (?:main )?content$",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^[\(\[]?\s*(?:ảnh|hình ảnh|hình|video|clip)\b", re.IGNORECASE)
_DATELINE = re.compile(
    r"^[\(\[]?\s*(?:cập nhật|ngày cập nhật|ngày đăng|đăng ngày|đăng lúc|thời gian đăng|ngày xuất bản|"
    r"thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật)\b[^.;]{0,50}\d[^.;]{0,30}$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(?:trang chủ|home)\b|^[^.;]{1,40}(?: [>»/] [^.;]{1,40}){2,}$", re.IGNORECASE)
# Credit lines. "Theo …" and "Tin …" are credits only before a source ("Theo Báo Lạng Sơn",
# "Tin: Văn phòng UBND tỉnh"); "Theo dõi …", "Tin học hóa …" start headlines.
_SOURCE = r"(?:báo|cổng|trang|đài|ttxvn|vtv|vov|vna|nguồn|văn phòng|vp|bbt|ban biên tập|[\w.-]+\.(?:vn|com|net|org)\b)"
_SIGNATURE = re.compile(
    r"^[\(\[]?\s*(?:nguồn\s*:|nguồn\s+" + _SOURCE + r"|tin\s*:|tin\s*,\s*ảnh|tin và ảnh|bài\s*,\s*ảnh|bài và ảnh|bbt\b|"
    r"ban biên tập\b|người đăng|người viết|tác giả\b|cổng ttđt\b|cổng thông tin điện tử\b|theo\s*:?\s*" + _SOURCE + r"|"
    rf"(?:{alternation(PROVINCE_OFFICE_NAMES)})\b)"
    r"[^.;]{0,60}$",
    re.IGNORECASE,
)
# Headers of the list of other articles under a page: nothing after them is a directive.
_FOOTER = re.compile(
    r"^(?:tin liên quan|các tin khác|tin khác|tin cùng chuyên mục|các tin đã đưa|tin đã đưa|bài viết liên quan|"
    r"xem thêm|bài viết khác|tin mới)\b",
    re.IGNORECASE,
)
# Buttons and counters that can stand anywhere on a page.
_WIDGET = re.compile(
    r"^(?:chia sẻ|in bài|in trang|gửi email|gửi bài|lượt xem|số lượt xem|lượt đọc|trở về|quay lại|về đầu trang|"
    r"bản quyền|©|copyright|đánh giá bài viết|bình luận|ý kiến bạn đọc|cỡ chữ|nghe đọc bài|lên đầu trang|"
    r"từ khóa|từ khoá|tags?|facebook|zalo|twitter|chia sẻ bài viết|in bài viết|gửi bài viết)\b(?:[^.]|\.(?=\d)){0,40}$",
    re.IGNORECASE,
)
_NO_LETTERS = re.compile(r"^[\W\d_]*$")
_LIST_ITEM = re.compile(r"^(?:[-+•*–]|\(?[a-zđ0-9]{1,2}[).]\s)")
_LIST_MARK = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)])\s*")


def _is_chrome(text: str) -> bool:
    """A line that belongs to no directive: numbers, captions, skip links, signatures."""
    if _NO_LETTERS.match(text):
        return True
    if len(text) <= 120 and _CAPTION.match(text) and not text.rstrip().endswith("."):
        return True
    if _SKIP_LINK.match(text) or _SIGNATURE.match(text) or _WIDGET.match(text) or _DATELINE.match(text) \
            or _BREADCRUMB.match(text):
        return True
    return False


def is_footer(text: str) -> bool:
    return len(text) <= 80 and bool(_FOOTER.match(text))


def is_bulletin_title(text: str) -> bool:
    """True for a weekly-bulletin title line."""
    return len(text) <= 300 and not text.rstrip().endswith((".", ";", ",")) and bool(_TITLE.search(text)) and (
        "tuần" in text.lower() or len(DATE_RE.findall(text)) >= 2
    )


def _is_week_title(text: str) -> bool:
    """A title this module does not know by its words but that names a week: a short line with
    "tuần" and a week range ("Tin nổi bật tuần từ 7/8 đến 13/8/2023")."""
    return (len(text) <= 200 and not text.rstrip().endswith((".", ";", ",", ":")) and "tuần" in text.lower()
            and parse_week(text) != (None, None))


# ---------------------------------------------------------------- the week
_WEEK_NO = re.compile(r"tuần\s*(?:thứ\s*)?(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_NUM_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?")


def parse_week(title: str) -> tuple[str | None, str | None]:
    """ISO start and end of the week a bulletin title names."""
    found = [(int(d), int(m), int(y) if y else None) for d, m, y in _NUM_DATE.findall(title)]
    found = [f for f in found if 1 <= f[0] <= 31 and 1 <= f[1] <= 12]
    if len(found) >= 2:
        (d1, m1, y1), (d2, m2, y2) = found[0], found[-1]
        if y2 is None:
            y2 = y1
        if y2 is None:
            return None, None
        if y1 is None:
            y1 = y2 - 1 if (m1, d1) > (m2, d2) else y2
        try:
            return dt.date(y1, m1, d1).isoformat(), dt.date(y2, m2, d2).isoformat()
        except ValueError:
            return None, None
    week = _WEEK_NO.search(title)
    if week:
        number, year = int(week.group(1)), int(week.group(2))
        try:
            monday = dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            return None, None
        return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
    return None, None


# ---------------------------------------------------------------- matching
def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _similarity(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


_SUMMARY_TAIL = re.compile(r"\s*(?:\.{3}|…)?\s*(?:là|đó là) (?:những|các) nội dung\b.*$", re.IGNORECASE)


def _summary_items(text: str) -> list[str]:
    text = _SUMMARY_TAIL.sub("", text)
    return [item.strip().rstrip(".…").strip() for item in text.split(";") if item.strip().rstrip(".…").strip()]


_BODY_START = re.compile(r"^(?:ngày \d|sáng|chiều|tối|theo đó|tại |để |trong đó|đồng thời|bên cạnh|ngoài ra|"
                         r"vừa qua|mới đây|thời gian qua|hiện nay|qua đó|căn cứ|thực hiện )", re.IGNORECASE)


def _looks_like_headline(line: _Line, relaxed: bool = False) -> bool:
    """A headline's shape: short, unpunctuated, capitalised. ``relaxed`` also takes one short
    sentence ending with a full stop and a lower-case start, as some portals write them."""
    text = line.text
    if not (12 <= len(text) <= 300 and len(text.split()) >= 3 and not _LIST_ITEM.match(text)):
        return False
    if not relaxed:
        return text[-1] not in ".:;," and (text[0].isupper() or text[0].isdigit() or text[0] in "\"'(")
    if text[-1] in ":;,":
        return False
    if text[-1] == "." and (len(text) > 200 or re.search(r"[.!?]\s", text[:-1]) or _BODY_START.match(text)):
        return False
    return text[0].isalnum() or text[0] in "\"'("


def _lines(text: str) -> list[_Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


# ---------------------------------------------------------------- splitting
def split_page(text: str, hints: set[int] | frozenset[int] = frozenset()) -> SplitPage:
    """Split a normalised page into directives; non-bulletin text is one directive. When the
    text holds several bulletin pages, only the first is returned: see :func:`split_pages`."""
    return split_pages(text, hints)[0]


def split_pages(text: str, hints: set[int] | frozenset[int] = frozenset()) -> list[SplitPage]:
    """Split a normalised text into its bulletin pages (a file may hold several, one after the
    other, each under its own title) and each page into directives. ``hints`` are offsets of
    lines that the source set in bold or as a heading (HTML input): headline candidates."""
    lines = _lines(text)
    if not lines:
        return [SplitPage(None, [])]
    title_at = next((i for i, ln in enumerate(lines[:80]) if is_bulletin_title(ln.text)), None)
    if title_at is None:
        title_at = next((i for i, ln in enumerate(lines[:30]) if _is_week_title(ln.text)), None)
    if title_at is None:
        return [_whole(lines)]
    # Later titles start later pages; a title in a related-articles list (after a footer
    # header, with no body paragraph of its own before the next title) does not.
    candidates = [i for i in range(title_at + 1, len(lines))
                  if len(lines[i].text) <= 300 and is_bulletin_title(lines[i].text)]
    starts = [title_at]
    footer_since = False
    last_checked = title_at
    for k, i in enumerate(candidates):
        footer_since = footer_since or any(is_footer(ln.text) for ln in lines[last_checked + 1:i])
        last_checked = i
        nxt = candidates[k + 1] if k + 1 < len(candidates) else len(lines)
        repeated = lines[i].text == lines[starts[-1]].text and i - starts[-1] <= 3
        has_body = any(len(ln.text) > 200 for ln in lines[i + 1:nxt])
        if repeated or (footer_since and not has_body):
            continue
        starts.append(i)
        footer_since = False
    pages = []
    for k, at in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
        # the chrome of the next page (skip link, banner) stands before its title: not content
        pages.append(_split_one(text, lines[at], lines[at + 1:stop], hints))
    return pages


def _whole(lines: list[_Line]) -> SplitPage:
    """A text that is not a bulletin: one directive, without leading page chrome (skip link,
    breadcrumbs, datelines) and without a trailing related-articles list."""
    keep = list(lines)
    footer_at = next((i for i, ln in enumerate(keep) if i > 0 and is_footer(ln.text)), len(keep))
    keep = keep[:footer_at]
    while len(keep) > 1 and (_is_chrome(keep[0].text) or is_footer(keep[0].text)):
        keep.pop(0)
    while len(keep) > 1 and _is_chrome(keep[-1].text) and not keep[-1].text.endswith("."):
        keep.pop()
    first, last = keep[0], keep[-1]
    return SplitPage(None, [DirectiveSpan(first.start, last.end, first.end)])


def _split_one(text: str, title_line: _Line, rest: list[_Line], hints: set[int] | frozenset[int]) -> SplitPage:
    info = BulletinInfo(title_line.text, *parse_week(title_line.text))
    footer_at = next((i for i, ln in enumerate(rest) if is_footer(ln.text)), len(rest))
    content = [ln for ln in rest[:footer_at] if not _is_chrome(ln.text)]
    # a trailing skip link or banner of a following page is chrome too
    if not content:
        return SplitPage(info, [])
    headlines = _headlines_from_summary(content)
    if headlines is None:
        heads = _headlines_by_shape(content, hints)
    else:
        heads = headlines
    directives = []
    for k, at in enumerate(heads):
        stop = heads[k + 1] if k + 1 < len(heads) else len(content)
        body = content[at:stop]
        directives.append(DirectiveSpan(body[0].start, body[-1].end, body[0].end))
    return SplitPage(info, _mark_duplicates(text, directives))


def _summary_candidates(content: list[_Line]) -> Iterator[tuple[int, list[str]]]:
    """(index after the summary, items) for each place a summary may stand: one paragraph of
    items separated by ";", or a block of lines each ending with ";" (a list, one item a line)."""
    for at in range(min(3, len(content))):
        items = _summary_items(content[at].text)
        if len(items) >= 2 or (at == 0 and len(items) == 1 and items[0].count(",") >= 1 and len(items[0]) >= 60):
            yield at + 1, items  # one item: headlines joined by commas, found inside it
        end = at
        while end < len(content) and content[end].text.rstrip().endswith(";"):
            end += 1
        if end - at >= 1 and end < len(content):
            block = [_LIST_MARK.sub("", ln.text).rstrip(" ;.") for ln in content[at:end + 1]]
            if len(block) >= 2:
                yield end + 1, block


def _headlines_from_summary(content: list[_Line]) -> list[int] | None:
    """Indices of headline lines found through the summary, or None without one."""
    for first_after, items in _summary_candidates(content):
        item_words = [_words(i) for i in items]
        heads = _match_items(content[first_after:], items, item_words)
        if len(set(heads.values())) >= 2 or (len(items) == 1 and len(heads) >= 2):
            return sorted(first_after + i for i in heads)
    return None


def _match_items(rest: list[_Line], items: list[str], item_words: list[list[str]]) -> dict[int, int]:
    """Map line index → summary item for every line that is a headline."""
    heads: dict[int, int] = {}
    previous_was_head = False
    for i, line in enumerate(rest):
        words = _words(line.text)
        best, best_item = 0.0, -1
        if len(line.text) <= 400:
            for k, iw in enumerate(item_words):
                if not 0.5 * len(iw) - 3 <= len(words) <= 1.5 * len(iw) + 4:
                    continue
                score = _similarity(words, iw)
                if score > best:
                    best, best_item = score, k
        if best < 0.75 and 4 <= len(words) <= 60 and _looks_like_headline(line, relaxed=True) \
                and (len(rest) == i + 1 or len(rest[i + 1].text) >= len(line.text)):
            # items run together (a missing ";", items joined by commas): the headline is a
            # whole run of words inside one summary item
            joined = " " + " ".join(words) + " "
            for k, iw in enumerate(item_words):
                if len(iw) > len(words) and joined in " " + " ".join(iw) + " ":
                    best, best_item = 0.8, k
                    break
        is_head = best >= 0.75 or (best >= 0.55 and _looks_like_headline(line))
        # A body's first sentence often repeats its headline: never two headlines in a row.
        if is_head and not previous_was_head:
            heads[i] = best_item
            previous_was_head = True
        else:
            previous_was_head = False
    return heads


def _headlines_by_shape(content: list[_Line], hints: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Headline indices from line shape alone: numbered items (1., 2., 3. …) when the page
    numbers them; lines the source set in bold or as headings (HTML) when there are two or
    more; else short, unpunctuated lines followed by a body, and when that finds at most one,
    the same with headlines that end with a full stop or start in lower case."""
    numbered = _numbered_headlines(content)
    if numbered:
        return numbered
    hinted = [i for i, ln in enumerate(content) if ln.start in hints and len(ln.text) <= 300 and i + 1 < len(content)]
    if len(hinted) >= 2:
        return hinted if hinted[0] == 0 else [0, *hinted]
    heads = _shape_pass(content, relaxed=False)
    relaxed = _shape_pass(content, relaxed=True)
    # the relaxed shapes only add headlines the strict pass missed; they never move one
    if len(relaxed) > len(heads) and (len(heads) <= 2 or set(heads) <= set(relaxed)):
        heads = relaxed
    return heads


def _shape_pass(content: list[_Line], relaxed: bool) -> list[int]:
    heads: list[int] = []
    for i, line in enumerate(content):
        if heads and heads[-1] == i - 1:
            continue
        nxt = content[i + 1] if i + 1 < len(content) else None
        if nxt is None or not _looks_like_headline(line, relaxed):
            continue
        if relaxed:  # a body paragraph is longer than a full-stop headline, and not one itself
            body_like = len(nxt.text) > 1.3 * len(line.text) and len(nxt.text) > 80
        else:
            body_like = nxt.text.endswith((".", ":", ";", "…", '"', ")")) or len(nxt.text) > 1.3 * len(line.text)
        if body_like:
            heads.append(i)
    if not heads or heads[0] != 0:
        heads.insert(0, 0)
    return heads


_NUMBERED = re.compile(r"^(\d{1,2})\s*[.)/-]\s+\S")


def _numbered_headlines(content: list[_Line]) -> list[int] | None:
    """Lines numbered 1, 2, 3 … in order, each short enough for a headline: the page's items."""
    found: list[int] = []
    expected = 1
    for i, line in enumerate(content):
        m = _NUMBERED.match(line.text)
        if m and int(m.group(1)) == expected and len(line.text) <= 300:
            found.append(i)
            expected += 1
    if len(found) < 2:
        return None
    return found if found[0] == 0 else [0, *found]


def _mark_duplicates(text: str, directives: list[DirectiveSpan], reach: int = 60) -> list[DirectiveSpan]:
    """Mark each directive that repeats an earlier one: word for word (any earlier one, by
    hash) or with a few words changed (one of the ``reach`` before it: a page repeats an item
    near where it first gave it), so a page of thousands of directives costs linear time."""
    words: dict[int, list[str]] = {}
    exact: dict[tuple[str, ...], int] = {}
    out: list[DirectiveSpan] = []
    for j, d in enumerate(directives):
        b = _words(text[d.start:d.end])
        words[j] = b
        words.pop(j - reach - 1, None)
        dup = exact.get(tuple(b))
        if dup is None:
            for i in range(max(0, j - reach), j):
                if out[i].duplicate_of is not None or i not in words:
                    continue
                a = words[i]
                if max(len(a), len(b)) <= 5000 and min(len(a), len(b)) >= 0.85 * max(len(a), len(b)) \
                        and _similarity(a, b) >= 0.9:
                    dup = i
                    break
        if dup is None:
            exact.setdefault(tuple(b), j)
        out.append(DirectiveSpan(d.start, d.end, d.headline_end, dup))
    return out
