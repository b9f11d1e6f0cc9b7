"""Assemble the bulletin pages of ``corpora/pages/`` from the directive records.

Each page takes the directives of one province that lie close in time, wraps them in that
portal's chrome (``pages/chrome.json``: skip link, banner, title with the week, summary
paragraph, stray numbers and captions, signature, footer), and writes the page with its gold
split (``NAME.gold.jsonl``: one line per directive with its exact ``start``/``end`` in the page,
the record it came from and ``duplicate_of``). Variants exercise what real pages do: summary
items worded a little differently, pages without a summary, repeated directives, old-style tone
marks, NFD, CRLF and no-break spaces. Deterministic: rerun with ``python corpora/build_pages.py``.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vnpolicy_nlp.bulletin import is_footer  # noqa: E402
from vnpolicy_nlp.corpus import assign_splits, read_records  # noqa: E402

PAGES = ROOT / "corpora" / "pages"
N_PAGES = 36
EXAMPLE_PAGE = 1
_TONE_TO_OLD = re.compile(r"(?<![\w])([bcdđghklmnprstvx]*)([òóỏõọ])(a|e)(?!\w)|(?<![\w])([bcdđghklmnprstvx]*[^q\W]?)([ùúủũụ])(y)(?!\w)",
                          re.IGNORECASE)


def to_old_tone_style(text: str) -> str:
    """hòa → hoà, thủy → thuỷ: same length, so offsets do not move."""
    def move(m: re.Match) -> str:
        onset, toned, last = (m.group(1), m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5), m.group(6))
        base = unicodedata.normalize("NFD", toned)
        tone = base[1:]
        return onset + base[0] + unicodedata.normalize("NFC", last + tone)
    return _TONE_TO_OLD.sub(move, text)


def reword(headline: str, rng: random.Random) -> str:
    """A summary item worded slightly differently from its section headline."""
    choices = [
        lambda h: h.replace("Ủy ban nhân dân", "UBND") if "Ủy ban nhân dân" in h else h.replace("UBND", "Ủy ban nhân dân"),
        lambda h: re.sub(r" trên địa bàn (tỉnh|thành phố)( [A-ZĐ]\w+( \w+)?)?$", "", h),
        lambda h: h[0].upper() + h[1:].replace("tăng cường", "đẩy mạnh", 1),
        lambda h: re.sub(r" năm (20\d\d)$", "", h),
    ]
    out = rng.choice(choices)(headline)
    return out if out.strip() else headline


def week_of(date: str) -> tuple[dt.date, dt.date]:
    day = dt.date.fromisoformat(date)
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def build_page(name: str, province: str, records: list[dict], splits: dict, chrome: dict, rng: random.Random,
               variant: set[str]) -> tuple[str, list[dict]]:
    monday, sunday = week_of(max(r["date"] for r in records))
    title = chrome["title"].format(start=f"{monday.day:02d}/{monday.month}", end=f"{sunday.day:02d}/{sunday.month}",
                                   year=sunday.year, week=monday.isocalendar()[1])
    items = list(records)
    dup_of: dict[int, int] = {}
    if "repeat" in variant and len(items) >= 3:
        src = rng.randrange(len(items) - 1)
        at = rng.randrange(src + 2, len(items) + 1)
        items.insert(at, items[src])
        dup_of[at] = src
    texts = [r["text"] for r in items]
    if "old_tones" in variant:
        texts = [to_old_tone_style(t) for t in texts]
    head: list[str] = [x for x in (chrome["skip"], chrome["banner"]) if x] + [title]
    if "summary" in variant:
        seen_once = []
        for k, r in enumerate(items):
            if k in dup_of:
                continue
            h = texts[k].split("\n", 1)[0]
            seen_once.append(reword(h, rng) if rng.random() < 0.35 else h)
        head.append("; ".join(seen_once) + ".")
    head.extend(["\u00a0" if "nbsp" in variant else "", *chrome["stray"]])
    parts: list[str] = []
    pos = len("\n\n".join(head)) + 2
    gold = []
    for k, (rec, text) in enumerate(zip(items, texts)):
        gold.append({"page": name, "index": k, "start": pos, "end": pos + len(text),
                     "headline": text.split("\n", 1)[0], "record_id": rec["id"], "split": splits[rec["id"]],
                     "topics": rec["topics"], "duplicate_of": dup_of.get(k)})
        piece = text
        if rng.random() < 0.25:  # a caption or a stray number after the directive
            piece += "\n\n" + rng.choice(["Ảnh minh họa", "Ảnh: Tư liệu", str(rng.randint(1, 400))])
        parts.append(piece)
        pos += len(piece) + 2
    tail = [x for x in (chrome["signature"],) if x] + chrome["footer"]
    if any(is_footer(f) for f in chrome["footer"]):  # a list of other articles under its header
        tail += [r["headline"] for r in rng.sample(records, min(2, len(records)))]
    page = "\n\n".join(head) + "\n\n" + "\n\n".join(parts) + ("\n\n" + "\n\n".join(tail) if tail else "") + "\n"
    for g in gold:
        g["text"] = page[g["start"]:g["end"]]
    if "crlf" in variant:
        page, gold = _transform(page, gold, lambda s: s.replace("\n", "\r\n"))
    if "nfd" in variant:
        page, gold = _transform(page, gold, lambda s: unicodedata.normalize("NFD", s))
    return page, gold


def _transform(page: str, gold: list[dict], fn) -> tuple[str, list[dict]]:
    """Apply a per-character transform and move the gold spans with it."""
    out = []
    for g in gold:
        g = dict(g, start=len(fn(page[:g["start"]])), end=len(fn(page[:g["end"]])))
        out.append(g)
    new = fn(page)
    for g in out:
        g["text"] = new[g["start"]:g["end"]]
        g["headline"] = g["text"].replace("\r\n", "\n").split("\n", 1)[0]
    return new, out


def main() -> int:
    chrome_all = json.loads((PAGES / "chrome.json").read_text(encoding="utf-8"))
    records = read_records()
    splits = assign_splits(records)
    by_province: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        if rec.data["kind"] == "directive" and not rec.augmented:
            by_province[rec.data["province"]].append(rec.data)
    rng = random.Random(2026)
    provinces = sorted(p for p, rs in by_province.items() if len(rs) >= 5)
    variants = [{"summary"}, {"summary", "repeat"}, set(), {"summary", "old_tones"}, {"summary", "nfd"},
                {"repeat"}, {"summary", "crlf", "nbsp"}, {"old_tones"}, {"summary", "repeat", "nfd"}]
    for old in PAGES.glob("*.txt"):
        old.unlink()
    for old in PAGES.glob("*.gold.jsonl"):
        old.unlink()
    written = 0
    for k in range(N_PAGES):
        province = provinces[k % len(provinces)]
        pool = sorted(by_province[province], key=lambda r: (r["date"], r["id"]))
        size = min(len(pool), rng.randint(4, 12))
        start = rng.randrange(0, len(pool) - size + 1)
        chosen = pool[start:start + size]
        variant = variants[k % len(variants)]
        chrome = chrome_all["portals"].get(province, chrome_all["default"])
        slug = re.sub(r"\W+", "-", unicodedata.normalize("NFD", province).encode("ascii", "ignore").decode().lower()).strip("-")
        monday, _ = week_of(max(r["date"] for r in chosen))
        name = f"{slug}-{monday.isocalendar()[0]}w{monday.isocalendar()[1]:02d}-{k:02d}.txt"
        if k == EXAMPLE_PAGE:  # the page `make run` tags: a summary and a repeated directive
            name = "example.txt"
        page, gold = build_page(name, province, chosen, splits, chrome, rng, variant)
        for g in gold:
            assert page[g["start"]:g["end"]] == g["text"], (name, g["index"])
        (PAGES / name).write_bytes(page.encode("utf-8"))
        (PAGES / name.replace(".txt", ".gold.jsonl")).write_text(
            "".join(json.dumps(dict(g, variant=sorted(variant)), ensure_ascii=False) + "\n" for g in gold),
            encoding="utf-8")
        written += 1
    print(f"wrote {written} pages to {PAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
