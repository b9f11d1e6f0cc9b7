"""Label-preserving augmentation of training records for the entity tagger.

A tagger trained on a few hundred authored records memorises their names: on real text, names it
never saw were found half as often as names it had seen. Each copy made here swaps agency, place
and person spans for others of the same kind and level (from the fact gazetteers, other training
records, or generated), and renders surface variants real documents use: dotted unit words
(``TP. Uông Bí``, ``Q. Hải Châu``), hyphenated short forms (``Sở LĐ-TB-XH``), acronyms in
brackets (``Ủy ban nhân dân (UBND) tỉnh``), capitalised headers, a person's name right after the
agency of their title, counts after a name. The spans are rebuilt with the text, so the gold
stays exact. Copies are made at training time from the training split only; they are never
stored and never reach an evaluation split. Names held out for the unseen-name split are never
drawn (``exclude``).
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..corpus import surface_key
from ..lexicon import FAMILY_NAMES, bodies, place_names, state_apparatus
from .gazetteer import admin_units

__all__ = ["AugmentConfig", "augment_records", "NamePools"]

DATA = Path(__file__).resolve().parents[1] / "data"

_UNIT_TYPES = ("thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
_UNIT_LEAD = re.compile(r"^(" + "|".join(_UNIT_TYPES) + r") (.+)$", re.IGNORECASE)
_UNIT_TAIL = re.compile(r"^(.*?\b(?:" + "|".join(_UNIT_TYPES) + r")) ([A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÓÒỎÕỌÉÈẺẼẸÝỲỶỸỴ0-9].*)$")
_TITLE_BEFORE = re.compile(r"(?:Chủ tịch|Giám đốc|Bộ trưởng|Thứ trưởng|Bí thư|Trưởng ban|Cục trưởng|Chánh Văn phòng"
                           r"|Chỉ huy trưởng|Tổng Giám đốc|Viện trưởng|Chánh án) $")
_GIVEN = ("An", "Bình", "Chiến", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Huyền",
          "Khánh", "Khoa", "Lâm", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc",
          "Phương", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thảo", "Thu", "Thủy", "Tiến", "Toàn",
          "Trang", "Trung", "Tú", "Tuấn", "Tùng", "Vân", "Việt", "Vinh", "Xuân", "Yến", "Chính", "Khải", "Lực", "Sáng")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Xuân", "Thế", "Công", "Đình", "Hồng", "Kim",
           "Mạnh", "Trọng", "Anh", "Bá", "Duy", "Tiến", "Phương", "Thu")
_HIGHLAND_GIVEN = ("Blao", "Khiêm", "Jú", "Lim", "Nhi", "Dăm", "Thuôn", "Wơn", "Kông", "Prông", "Brơm", "Tim")
_HIGHLAND_FAMILY = ("Niê", "Êban", "Mlô", "Byă", "Bkrông", "Adrơng", "Ktla", "Knul")
# Invented names in the shapes of neighbours' names (Lao, Khmer, Korean, Japanese, Chinese): syllables, not people.
_FOREIGN = (("Bun", "Khăm", "Som", "Phết", "Xay", "Vông", "Kẹo", "Sỉ", "Thoong"), ("Xạ", "Phăn", "Đuông", "Sa", "Mày"),
            ("Park", "Kim", "Lee", "Choi", "Jung"), ("Min-ho", "Ji-woo", "Seo-yeon", "Hyun-su"),
            ("Tanaka", "Sato", "Suzuki", "Yamada"), ("Kenji", "Haruto", "Yui", "Takeshi"))


@dataclass(frozen=True)
class AugmentConfig:
    copies: int = 1            # augmented copies per training record …
    share: float = 0.6         # … for this share of the records (training time grows with the copies)
    swap: float = 0.6          # chance that a name span is swapped
    abbreviate: float = 0.3    # dotted unit word for a place or agency that allows one
    short_form: float = 0.5    # hyphenated/acronym form of a department that has one
    bracket: float = 0.2       # "Ủy ban nhân dân (UBND) tỉnh"
    caps_headline: float = 0.08  # the first line in capitals
    caps_agency: float = 0.04  # one agency in capitals, as a header
    person_after: float = 0.15  # a person's name right after the agency of a title
    count_after: float = 0.02  # a count after a name, as in tables
    seed: int = 13


@lru_cache(maxsize=1)
def _short_forms() -> dict:
    return json.loads((DATA / "short_forms.json").read_text(encoding="utf-8"))


class NamePools:
    """Names to swap in, grouped so a swap keeps the kind and level of what it replaces."""

    def __init__(self, records: list[dict], exclude: set[str] = frozenset()):
        self.exclude = set(exclude)
        units: dict[str, list[str]] = {}
        for u in admin_units():
            if surface_key(u.name) in self.exclude or len(u.name) < 3:
                continue
            units.setdefault(u.unit_type.lower(), []).append(u.name)
        self.units = {k: sorted(set(v)) for k, v in units.items()}
        self.bare_places = sorted({n for v in self.units.values() for n in v})
        agencies: dict[str, set[str]] = {}
        sites: set[str] = set()
        data = state_apparatus()
        names = [n for g in ("central", "province_heads", "departments") for n in data[g]]
        names += [n for g in bodies()["groups"] for n in g["names"]]
        for name in names:
            if surface_key(name) not in self.exclude:
                agencies.setdefault(self._agency_group(name), set()).add(name)
        self.foreign = sorted(n for level in ("country", "foreign", "world_region", "region") for n in place_names(level)
                              if surface_key(n) not in self.exclude)
        for rec in records:
            for e in rec["entities"]:
                surface = rec["text"][e["start"]:e["end"]]
                if "\n" in surface or surface_key(surface) in self.exclude:
                    continue
                if e["label"] == "AGENCY":
                    agencies.setdefault(self._agency_group(surface), set()).add(surface)
                elif e["label"] == "LOCATION" and not _UNIT_LEAD.match(surface):
                    sites.add(surface)
        self.agencies = {k: sorted(v) for k, v in agencies.items()}
        self.sites = sorted(sites)

    @staticmethod
    def _agency_group(surface: str) -> str:
        words = surface.split()
        return " ".join(words[:2]).lower() if words and words[0].lower() in ("ban", "ủy", "trung", "chi", "phòng") \
            else (words[0].lower() if words else "")

    def person(self, rng: random.Random) -> str:
        draw = rng.random()
        if draw < 0.08:  # names of the Central Highlands, the north-west and the Khmer south, in their shapes
            return rng.choice((f"Y {rng.choice(_HIGHLAND_GIVEN)} {rng.choice(_HIGHLAND_FAMILY)}",
                               f"H'{rng.choice(_HIGHLAND_GIVEN)} {rng.choice(_HIGHLAND_FAMILY)}",
                               f"{rng.choice(('Ksor', 'Rơ Châm', 'Siu', 'Điểu', 'Kpă'))} {rng.choice(_HIGHLAND_GIVEN)}",
                               f"{rng.choice(('Sùng', 'Giàng', 'Lầu', 'Vàng', 'Thào', 'Mùa'))} A {rng.choice(_GIVEN)}",
                               f"{rng.choice(('Thạch', 'Danh', 'Kim', 'Sơn'))} {rng.choice(('Sa', 'Sô', 'Ra', 'Phước', 'Thol'))} "
                               f"{rng.choice(('Rin', 'Pha', 'Ny', 'Kha', 'Đa'))}"))
        if draw < 0.18:
            first, second = (_FOREIGN[k] for k in rng.choice(((0, 1), (2, 3), (4, 5))))
            return f"{rng.choice(first)} {rng.choice(second)}"
        family = rng.choice(sorted(FAMILY_NAMES - {"văn", "y", "h", "rơ", "nay", "ma"})).capitalize()
        middle = rng.choice(_MIDDLE)
        given = rng.choice(_GIVEN)
        return f"{family} {middle} {given}" if rng.random() < 0.85 else f"{family} {middle} {rng.choice(_GIVEN)} {given}"


def _swap_place(surface: str, pools: NamePools, rng: random.Random) -> str:
    m = _UNIT_LEAD.match(surface)
    if m:
        names = pools.units.get(m.group(1).lower()) or pools.bare_places
        return f"{m.group(1)} {rng.choice(names)}"
    draw = rng.random()
    if pools.sites and draw < 0.4:
        return rng.choice(pools.sites)
    if pools.foreign and draw < 0.6:
        return rng.choice(pools.foreign)
    return rng.choice(pools.bare_places)


def _swap_agency(surface: str, pools: NamePools, rng: random.Random) -> str:
    m = _UNIT_TAIL.match(surface)
    if m and rng.random() < 0.5:  # keep the body, change its place: "UBND huyện Chi Lăng" → "UBND huyện Cao Lộc"
        unit_word = m.group(1).split()[-1].lower()
        unit_word = {"phố": "thành phố", "xã": "xã"}.get(unit_word, unit_word)
        names = pools.units.get(unit_word) or pools.bare_places
        return f"{m.group(1)} {rng.choice(names)}"
    group = pools.agencies.get(NamePools._agency_group(surface), [])
    if len(group) >= 2:
        return rng.choice(group)
    return surface


def _render_place(surface: str, cfg: AugmentConfig, rng: random.Random) -> str:
    m = _UNIT_LEAD.match(surface)
    if m and rng.random() < cfg.abbreviate:
        forms = _short_forms()["unit_abbreviations"].get(m.group(1).lower())
        if forms:
            form = rng.choice(forms)
            glue = "" if form == "TP" else " "
            if form == "TP":
                form = "TP."
            return f"{form}{glue}{m.group(2)}"
    return surface


def _render_agency(surface: str, cfg: AugmentConfig, rng: random.Random) -> str:
    short = _short_forms()["departments"]
    for full, forms in short.items():
        if forms and surface.startswith(full) and rng.random() < cfg.short_form:
            return rng.choice(forms) + surface[len(full):]
    if rng.random() < cfg.bracket:
        for full, acr in (("Ủy ban nhân dân ", "UBND"), ("Hội đồng nhân dân ", "HĐND"), ("Bảo hiểm xã hội ", "BHXH")):
            if surface.startswith(full) and len(surface) > len(full):
                return f"{full}({acr}) {surface[len(full):]}"
    if rng.random() < cfg.abbreviate:
        m = re.search(r"\b(thành phố|quận|thị xã|thị trấn) (?=[A-ZĐ])", surface)
        if m:
            form = rng.choice(_short_forms()["unit_abbreviations"][m.group(1)])
            form = "TP." if form == "TP" else form
            return surface[:m.start()] + form + " " + surface[m.end():]
    if rng.random() < cfg.caps_agency:
        upper = surface.upper()
        if len(upper) == len(surface):
            return upper
    return surface


def augment_record(rec: dict, pools: NamePools, cfg: AugmentConfig, rng: random.Random) -> dict:
    """One copy of ``rec`` with names swapped and surfaces varied; its spans rebuilt to match."""
    text = rec["text"]
    ents = sorted(rec["entities"], key=lambda e: e["start"])
    out: list[str] = []
    new_ents: list[dict] = []
    pos = 0
    length = 0

    def emit(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += len(piece)

    for e in ents:
        if e["start"] < pos:
            continue
        emit(text[pos:e["start"]])
        surface = text[e["start"]:e["end"]]
        label = e["label"]
        original = surface
        if label == "LOCATION":
            if rng.random() < cfg.swap:
                surface = _swap_place(surface, pools, rng)
            surface = _render_place(surface, cfg, rng)
        elif label == "AGENCY":
            if rng.random() < cfg.swap:
                surface = _swap_agency(surface, pools, rng)
            surface = _render_agency(surface, cfg, rng)
        elif label == "OFFICIAL" and rng.random() < cfg.swap:
            surface = pools.person(rng)
        if surface_key(surface) in pools.exclude:  # a generated form may hit a held-out name
            surface = original
        new_ents.append({"start": length, "end": length + len(surface), "label": label})
        emit(surface)
        pos = e["end"]
        after = text[pos:pos + 2]
        if label == "AGENCY" and _TITLE_BEFORE.search(text[max(0, e["start"] - 20):e["start"]]) \
                and after[:1] in (",", " ") and not after[1:2].isupper() and rng.random() < cfg.person_after:
            name = pools.person(rng)
            emit(" ")
            new_ents.append({"start": length, "end": length + len(name), "label": "OFFICIAL"})
            emit(name)
        elif label in ("AGENCY", "LOCATION") and after[:1] in (",", ";", " ") and rng.random() < cfg.count_after:
            emit(f" {rng.randint(2, 99)}")
    emit(text[pos:])
    new_text = "".join(out)
    if rng.random() < cfg.caps_headline:
        first = new_text.split("\n", 1)[0]
        if len(first.upper()) == len(first):
            new_text = first.upper() + new_text[len(first):]
    return {"id": rec["id"] + "~aug", "text": new_text, "entities": new_ents, "kind": rec.get("kind"),
            "topics": rec.get("topics", []), "headline": new_text.split("\n", 1)[0]}


def augment_records(records: list[dict], cfg: AugmentConfig = AugmentConfig(),
                    exclude: set[str] = frozenset()) -> list[dict]:
    """``cfg.copies`` augmented copies of a ``cfg.share`` of the records (training split only, never stored)."""
    if cfg.copies <= 0 or not records:
        return []
    rng = random.Random(cfg.seed)
    pools = NamePools(records, exclude)
    return [augment_record(rec, pools, cfg, rng) for _ in range(cfg.copies) for rec in records
            if rng.random() < cfg.share]
