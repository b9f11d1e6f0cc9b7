"""What each entity is: an agency's full name, level and role, an official's title, a place's
administrative unit and codes. Read from the words around the span and from the gazetteers."""
from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import (CENTRAL_HEADS, HONORIFICS, ISSUED_DOC_WORDS, TITLE_GLUE, UNIT_WORDS, foreign_places, place_names,
                       alternation, state_apparatus, unit_words)
from .gazetteer import AdminUnit, title_index, units_by_name, _key

__all__ = ["agency_attrs", "official_attrs", "location_attrs", "assign_roles"]

# ---------------------------------------------------------------- agencies
_CENTRAL_HEADS = re.compile(r"^(?:" + "|".join(CENTRAL_HEADS) + ")", re.I)  # the entries are patterns
_COMMUNE = re.compile(rf"\b(?:{alternation(unit_words('commune'))}|cấp xã)\b", re.I)
_DISTRICT = re.compile(rf"\b(?:{alternation(unit_words('district'))}|cấp huyện)\b", re.I)
_PROVINCE = re.compile(rf"\b(?:{alternation(unit_words('province', 'city'))}|cấp tỉnh)\b|^Sở\b", re.I)


@lru_cache(maxsize=1)
def _acronyms() -> list[tuple[re.Pattern, str]]:
    pairs = sorted(state_apparatus()["acronyms"].items(), key=lambda kv: -len(kv[0]))
    return [(re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)"), v) for k, v in pairs]


def canonical_agency(surface: str) -> str:
    """Acronyms expanded: "UBND tỉnh" → "Ủy ban nhân dân tỉnh", "Sở TT&TT" → "Sở Thông tin và Truyền thông"."""
    out = surface
    for pattern, full in _acronyms():
        out = pattern.sub(full, out)
    return re.sub(r"\s+", " ", out).strip()


def agency_attrs(surface: str) -> dict:
    canonical = canonical_agency(surface)
    if _CENTRAL_HEADS.match(canonical) or canonical in set(state_apparatus()["central"]):
        level = "central"
    elif _COMMUNE.search(canonical):
        level = "commune"
    elif _DISTRICT.search(canonical):
        level = "district"
    else:
        level = "province"
    return {"canonical": canonical, "level": level}


_LEAD_AFTER = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:là cơ quan thường trực,?\s*)?(?:chủ trì|làm đầu mối|là đầu mối)", re.I)
_COORD_BEFORE = re.compile(r"(?:phối hợp(?: chặt chẽ)?(?: với)?|cùng với)\s*(?:các\s+)?$", re.I)
_ADDRESSEE_BEFORE = re.compile(r"(?:giao(?: cho)?|đề nghị|yêu cầu|chỉ đạo|nhiệm vụ của|trách nhiệm của|đôn đốc)\s*(?:các\s+)?$", re.I)
_ISSUER_AFTER = re.compile(rf"^\s*(?:vừa\s+|đã\s+)?(?:ban hành|có (?:{alternation(ISSUED_DOC_WORDS)})|"
                           r"chỉ đạo|ký|phê duyệt|quyết định|Quyết định|thông báo|tổ chức hội nghị|yêu cầu)", re.I)
_LIST_GLUE = re.compile(r"^\s*(?:,|và|;)\s*(?:với\s+)?$")


def assign_roles(text: str, agencies: list[tuple[int, int, dict]]) -> None:
    """Set ``role`` (issuer, lead, coordinate, addressee) where the words around an agency say it.

    ``agencies`` are ``(start, end, attrs)`` in text order; attrs are updated in place. A role
    carries along a list ("phối hợp với Sở Y tế, Sở Tài chính và UBND các huyện")."""
    previous_role, previous_end = None, None
    for s, e, attrs in agencies:
        before = text[max(0, s - 40):s]
        after = text[e:e + 60]
        role = None
        line_start = text.rfind("\n", 0, s) + 1
        if _LEAD_AFTER.match(after):
            role = "lead"
        elif _COORD_BEFORE.search(before):
            role = "coordinate"
        elif _ADDRESSEE_BEFORE.search(before):
            role = "addressee"
        elif previous_role and previous_end is not None and _LIST_GLUE.match(text[previous_end:s]):
            role = previous_role
        elif _ISSUER_AFTER.match(after) and len(text[line_start:s].split()) <= 4:
            role = "issuer"
        if role:
            attrs["role"] = role
        previous_role, previous_end = role, e


# ---------------------------------------------------------------- officials
_HONORIFIC = re.compile(rf"(?:{alternation(HONORIFICS + tuple(h[0].upper() + h[1:] for h in HONORIFICS))})\s*$")


def official_attrs(text: str, start: int, end: int, agencies: list[tuple[int, int]]) -> dict:
    """``title`` and ``agency`` from the apposition: "Nguyễn Văn A, Phó Chủ tịch UBND tỉnh" or
    "Phó Chủ tịch UBND tỉnh Nguyễn Văn A"."""
    attrs: dict = {}
    after = text[end:end + 120]
    m = re.match(r"^\s*[,(–-]\s*", after)
    if m:
        rest_at = end + m.end()
        title = _title_at(text, rest_at)
        if title:
            t_end = rest_at + len(title)
            ag = next(((s, e) for s, e in agencies if t_end <= s <= t_end + 1), None)
            if ag:
                attrs["title"] = text[rest_at:ag[1]]
                attrs["agency"] = text[ag[0]:ag[1]]
            else:
                attrs["title"] = _title_phrase(text, rest_at, title)
    if "title" not in attrs:
        # Title before the name: "Phó Chủ tịch UBND tỉnh Nguyễn Văn A", "Giám đốc Sở Y tế, ông B".
        window_start = max(0, start - 90)
        before = text[window_start:start]
        before = _HONORIFIC.sub("", before).rstrip(" ,")
        ag = next(((s, e) for s, e in reversed(agencies) if e <= start and start - e <= 12 and
                   text[e:start].strip(" ,").lower() in ("", *HONORIFICS)), None)
        if ag:
            head = text[max(0, ag[0] - 30):ag[0]]
            t = _title_ending(head)
            if t:
                attrs["title"] = (t + " " + text[ag[0]:ag[1]]).strip()
                attrs["agency"] = text[ag[0]:ag[1]]
        elif before:
            t = _title_ending(before)
            if t:
                attrs["title"] = t
    return attrs


_TITLE_GLUE = TITLE_GLUE


def _title_phrase(text: str, pos: int, title: str) -> str:
    """The title words and the name of the body that follows them, up to the first word that is
    neither capitalised nor a level word: "Chánh Thanh tra tỉnh làm …" → "Chánh Thanh tra tỉnh"."""
    words = [title]
    for m in re.finditer(r"\S+", text[pos + len(title):pos + len(title) + 80]):
        word = m.group(0).rstrip(",;.:)")
        if not word or not (word[0].isupper() or word.lower() in _TITLE_GLUE):
            break
        words.append(word)
        if word != m.group(0):
            break
    return " ".join(words)


def _title_at(text: str, pos: int) -> str | None:
    words = text[pos:pos + 40].split()
    lower = [w.lower() for w in words]
    for n in range(min(4, len(lower)), 0, -1):
        if tuple(lower[:n]) in title_index().phrases:
            return " ".join(words[:n])
    return None


def _title_ending(before: str) -> str | None:
    words = before.split()
    lower = [w.lower() for w in words]
    for n in range(min(4, len(lower)), 0, -1):
        if tuple(lower[-n:]) in title_index().phrases:
            return " ".join(words[-n:])
    return None


# ---------------------------------------------------------------- locations
@lru_cache(maxsize=1)
def _named_places() -> dict[str, dict]:
    """Lower-cased names of countries, foreign border provinces and regions → their attrs."""
    out: dict[str, dict] = {}
    for name in place_names("region") + place_names("world_region"):
        out[name.lower()] = {"level": "region"}
    for country, names in foreign_places()["border_provinces"].items():
        for name in names:
            out[name.lower()] = {"level": "province", "country": country}
    for name in place_names("country"):
        out[name.lower()] = {"level": "country"}
    return out
_UNIT_PREFIX = re.compile(rf"^({alternation(unit_words())})\s+(.+)$", re.I)


def location_attrs(surface: str, province_context: str | None = None) -> dict:
    """``level`` and, for administrative units, official codes and the post-2025 unit."""
    lower = surface.lower()
    named = _named_places()
    if lower in named:
        return dict(named[lower])
    if any(lower.endswith(r) and named[r]["level"] == "region" for r in named):
        return {"level": "region"}
    m = _UNIT_PREFIX.match(surface)
    name, unit_word = (m.group(2), m.group(1).lower()) if m else (surface, None)
    candidates = units_by_name().get(_key(name), [])
    if not candidates:
        return {"level": "site" if unit_word is None else _level_of_word(unit_word)}
    want = _level_of_word(unit_word) if unit_word else None
    unit = _pick(candidates, want, unit_word, province_context)
    if unit is None:
        return {"level": want or "site"}
    attrs = {"level": unit.level, "name": f"{unit.unit_type} {unit.name}".strip(), "province": unit.province,
             "province_code": unit.province_code}
    if unit.level == "district":
        attrs["district_code"] = unit.district_code
    if unit.level == "commune":
        attrs["ward_code"] = unit.code
        if unit.district_code:
            attrs["district_code"] = unit.district_code
    attrs["era"] = "before 2025-07" if unit.era == "legacy" else "from 2025-07"
    now = _now_in(unit)
    if now:
        attrs["now_in"] = now
    return attrs


def _level_of_word(word: str | None) -> str:
    level = UNIT_WORDS.get(word or "", "site")
    return "province" if level == "city" else level


def _pick(cands: list[AdminUnit], level: str | None, unit_word: str | None, province: str | None) -> AdminUnit | None:
    def score(u: AdminUnit) -> tuple:
        type_exact = unit_word is not None and u.unit_type.lower() == unit_word
        level_ok = level is None or u.level == level or (unit_word == "thành phố" and u.level in ("province", "district"))
        return (level_ok, type_exact, province is not None and u.province == province, u.level == "province",
                u.level == "district", u.era == "legacy")
    best = max(cands, key=score)
    s = score(best)
    if not s[0]:
        return None
    if province and not s[2] and best.level != "province":
        return None  # a commune or district of another province: too uncertain to name codes
    return best


@lru_cache(maxsize=4096)
def _now_in(unit: AdminUnit) -> str | None:
    """The post-2025 unit that a pre-reform unit now belongs to (vietnamadminunits' converter)."""
    if unit.era != "legacy":
        return None
    try:
        from vietnamadminunits import convert_address

        if unit.level == "province":
            new = convert_address(f"{unit.unit_type} {unit.name}")
            return getattr(new, "province", None) or None
        if unit.level == "commune" and unit.district:
            new = convert_address(f"{unit.unit_type} {unit.name}, {unit.district}, {unit.province}")
            return ", ".join(x for x in (getattr(new, "ward", ""), getattr(new, "province", "")) if x) or None
    except Exception:  # the converter has no answer for this unit
        return None
    return None
