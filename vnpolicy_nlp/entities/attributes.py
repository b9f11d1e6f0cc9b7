"""What each entity is: an agency's full name, level and role, an official's title, a place's
administrative unit and codes. Read from the words around the span and from the gazetteers."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from .gazetteer import DATA, UNIT_WORDS, AdminUnit, state_apparatus, title_index, units_by_name, _key

__all__ = ["agency_attrs", "official_attrs", "location_attrs", "assign_roles"]

# ---------------------------------------------------------------- agencies
_CENTRAL_HEADS = re.compile(r"^(?:Bộ(?! Chỉ huy| phận)|Chính phủ|Quốc hội|Văn phòng Chính phủ|Thủ tướng|Tổng cục|Ngân hàng Nhà nước|"
                            r"Thanh tra Chính phủ|Kiểm toán Nhà nước|Ủy ban Dân tộc|Ban Chỉ đạo (?:389 )?quốc gia|Trung ương)", re.I)
_COMMUNE = re.compile(r"\b(?:xã|phường|thị trấn|đặc khu|cấp xã)\b", re.I)
_DISTRICT = re.compile(r"\b(?:huyện|quận|thị xã|cấp huyện)\b", re.I)
_PROVINCE = re.compile(r"\b(?:tỉnh|thành phố|Thành phố|cấp tỉnh)\b|^Sở\b", re.I)


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
    attrs = {"canonical": canonical, "level": level}
    now = agency_successor(canonical)
    if now:
        attrs["now_in"] = now
    return attrs


@lru_cache(maxsize=1)
def _successors() -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads((DATA / "bodies.json").read_text(encoding="utf-8"))["successors"]
    return data["map"], data["effective"]


_LEVEL_TAIL = re.compile(r"^(?P<head>.+?)(?P<tail>\s+(?:tỉnh|thành phố)(?:\s+[A-ZĐ][\w-]*(?:\s+[A-ZĐ][\w-]*){0,3})?)?$")


@lru_cache(maxsize=4096)
def _agency_successor(canonical: str) -> tuple[tuple[str, str], ...] | None:
    mapping, effective = _successors()
    found = mapping.get(canonical)
    tail = ""
    if found is None:
        m = _LEVEL_TAIL.match(canonical)
        if m and m.group("tail") and m.group("head") in mapping:
            found, tail = mapping[m.group("head")], m.group("tail")
    if found is None:
        return None
    kind = "central" if canonical.startswith(("Bộ ", "Ban ", "Ủy ban Dân tộc")) and "tỉnh" not in canonical.lower() \
        and "Tỉnh ủy" not in canonical else "department"
    return (("name", found + tail), ("since", effective.get(kind, effective.get("department", ""))))


def agency_successor(canonical: str) -> dict | None:
    """The body that took over a body merged or renamed in the 2025 reorganisation
    (``data/bodies.json``, ``successors``): ``{"name", "since"}``; None for a body that
    still exists."""
    found = _agency_successor(canonical)
    return dict(found) if found else None


_LEAD_AFTER = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:là cơ quan thường trực,?\s*)?(?:chủ trì|làm đầu mối|là đầu mối)", re.I)
_COORD_BEFORE = re.compile(r"(?:phối hợp(?: chặt chẽ)?(?: với)?|cùng với)\s*(?:các\s+)?$", re.I)
_ADDRESSEE_BEFORE = re.compile(r"(?:giao(?: cho)?|đề nghị|yêu cầu|chỉ đạo|nhiệm vụ của|trách nhiệm của|đôn đốc)\s*(?:các\s+)?$", re.I)
_ISSUER_AFTER = re.compile(r"^\s*(?:vừa\s+|đã\s+)?(?:ban hành|có (?:Công văn|văn bản|Quyết định|Kế hoạch|Công điện|Chỉ thị|Thông báo)|"
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
        if _LEAD_AFTER.match(after):
            role = "lead"
        elif _COORD_BEFORE.search(before):
            role = "coordinate"
        elif _ADDRESSEE_BEFORE.search(before):
            role = "addressee"
        elif previous_role and previous_end is not None and _LIST_GLUE.match(text[previous_end:s]):
            role = previous_role
        elif _ISSUER_AFTER.match(after) and _few_words_from_line_start(text, s):
            role = "issuer"
        if role:
            attrs["role"] = role
        previous_role, previous_end = role, e


def _few_words_from_line_start(text: str, s: int, most: int = 4) -> bool:
    """At most ``most`` words between the start of the line and ``s``; looks back a bounded
    window only, so a long single line costs no more than a short one."""
    window_start = max(0, s - 120)
    cut = text.rfind("\n", window_start, s)
    if cut >= 0 or window_start == 0:
        return len(text[cut + 1:s].split()) <= most
    if len(text[window_start:s].split()) > most:
        return False
    return len(text[text.rfind("\n", 0, s) + 1:s].split()) <= most  # a window of blanks: rare


# ---------------------------------------------------------------- officials
_HONORIFIC = re.compile(r"(?:đồng chí|ông|bà|Đồng chí|Ông|Bà)\s*$")


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
                   text[e:start].strip(" ,").lower() in ("", "đồng chí", "ông", "bà")), None)
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


_TITLE_GLUE = {"tỉnh", "huyện", "xã", "phường", "thành", "phố", "thị", "trấn", "quận", "cấp", "trực", "và", "-", "&"}


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
_REGIONS = ("bắc bộ", "trung bộ", "nam bộ", "tây nguyên", "miền bắc", "miền trung", "miền nam", "tây bắc", "đông bắc",
            "đồng bằng sông cửu long", "đồng bằng sông hồng", "bắc trung bộ", "nam trung bộ", "duyên hải nam trung bộ",
            "đông nam bộ", "tây nam bộ", "trung du và miền núi phía bắc", "trung du bắc bộ")
_COUNTRIES = ("việt nam", "trung quốc", "lào", "campuchia", "thái lan", "hàn quốc", "nhật bản", "hoa kỳ", "mỹ", "nga",
              "singapore", "malaysia", "indonesia", "philippines", "myanmar", "ấn độ", "úc", "đức", "pháp", "anh")
_UNIT_PREFIX = re.compile(r"^(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(.+)$", re.I)


def location_attrs(surface: str, province_context: str | None = None, date: str | None = None) -> dict:
    """``level`` and, for administrative units, official codes: of the unit valid at ``date``
    (ISO; before 2025-07-01 the pre-reform units, from then on the post-2025 ones) when the
    name exists then, else of the unit the name had in the other era. A unit that no longer
    exists names the unit it is now part of, with that unit's codes (``now_in``)."""
    lower = surface.lower()
    if lower in _COUNTRIES:
        return {"level": "country"}
    if any(lower.endswith(r) or lower == r for r in _REGIONS):
        return {"level": "region"}
    m = _UNIT_PREFIX.match(surface)
    name, unit_word = (m.group(2), m.group(1).lower()) if m else (surface, None)
    candidates = units_by_name().get(_key(name), [])
    if not candidates:
        return {"level": "site" if unit_word is None else _level_of_word(unit_word)}
    want = _level_of_word(unit_word) if unit_word else None
    era = None if not date else ("legacy" if date < REFORM_DATE else "2025")
    unit = _pick(candidates, want, unit_word, province_context, era)
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
        attrs["now_in"] = dict(now)
    return attrs


REFORM_DATE = "2025-07-01"


def _level_of_word(word: str | None) -> str:
    level = UNIT_WORDS.get(word or "", "site")
    return "province" if level == "city" else level


def _pick(cands: list[AdminUnit], level: str | None, unit_word: str | None, province: str | None,
          era: str | None = None) -> AdminUnit | None:
    def in_province(u: AdminUnit) -> bool:
        return province is not None and (u.province == province or _successor_province(u.province) == province)

    def score(u: AdminUnit) -> tuple:
        type_exact = unit_word is not None and u.unit_type.lower() == unit_word
        level_ok = level is None or u.level == level or (unit_word == "thành phố" and u.level in ("province", "district"))
        era_ok = era is None or u.era == era
        return (level_ok, type_exact, in_province(u), era_ok, u.level == "province",
                u.level == "district", u.era == "legacy")
    best = max(cands, key=score)
    s = score(best)
    if not s[0]:
        return None
    if province and not s[2] and best.level != "province":
        return None  # a commune or district of another province: too uncertain to name codes
    return best


@lru_cache(maxsize=128)
def _successor_province(province: str) -> str | None:
    """The post-2025 province that a pre-reform province is part of (short name)."""
    for u in units_by_name().get(_key(province), []):
        if u.level == "province" and u.era == "legacy":
            now = _now_in(u)
            return dict(now).get("province") if now else province
    return None


@lru_cache(maxsize=4096)
def _now_in(unit: AdminUnit) -> tuple[tuple[str, str], ...] | None:
    """The post-2025 unit that a pre-reform unit now belongs to (vietnamadminunits' converter),
    as ``name``, ``level``, ``province`` and codes; None for post-2025 units and districts
    (abolished, with no single successor)."""
    if unit.era != "legacy":
        return None
    try:
        from vietnamadminunits import convert_address

        if unit.level == "province":
            new = convert_address(f"{unit.unit_type} {unit.name}")
            if not getattr(new, "province", None):
                return None
            return (("name", new.province), ("level", "province"), ("province", new.short_province or ""),
                    ("province_code", new.province_code or ""))
        if unit.level == "commune" and unit.district:
            new = convert_address(f"{unit.unit_type} {unit.name}, {unit.district}, {unit.province}")
            if not getattr(new, "ward", None):
                return None
            return (("name", new.ward), ("level", "commune"), ("province", new.short_province or ""),
                    ("province_code", new.province_code or ""), ("ward_code", new.ward_code or ""))
    except Exception:  # the converter has no answer for this unit
        return None
    return None
