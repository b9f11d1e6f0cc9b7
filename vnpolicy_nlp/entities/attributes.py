"""What each entity is: an agency's full name, level and role, an official's title, a place's
administrative unit and codes. Read from the words around the span and from the gazetteers."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..lexicon import (CENTRAL_HEADS, HONORIFICS, ISSUED_DOC_WORDS, TITLE_GLUE, TITLED_END, UNIT_WORDS, bodies, foreign_places, place_names,
                       alternation, state_apparatus, unit_words)
from .gazetteer import AdminUnit, title_index, units_by_name, _key

__all__ = ["agency_attrs", "official_attrs", "location_attrs", "assign_roles", "one_role_per_body"]

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
    attrs = {"canonical": canonical, "level": level}
    now = agency_successor(canonical)
    if now:
        attrs["now_in"] = now
    return attrs


@lru_cache(maxsize=1)
def _successors() -> tuple[dict[str, str], dict[str, str]]:
    data = bodies()["successors"]
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


# Roles follow ANNOTATION.md "Deadlines and assignments": lead = chủ trì, or the body simply told
# to do the task (giao, yêu cầu, chỉ đạo X …, or a clause that opens with the body and its task);
# coordinate = phối hợp với; addressee = asked rather than ordered (đề nghị, kính gửi); issuer =
# the body that gives the order (also the body of the title of the person who gives it).
_LEAD_AFTER = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:là cơ quan thường trực,?\s*)?(?:chủ trì|làm đầu mối|là đầu mối|"
                         r"có trách nhiệm|chịu trách nhiệm)", re.I)
_COORD_AFTER = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?phối hợp\b(?!\s+(?:chặt chẽ\s+)?với)", re.I)
_ADDRESSEE_AFTER = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?được đề nghị\b", re.I)
_COORD_BEFORE = re.compile(r"(?:phối hợp(?: chặt chẽ)?(?: với)?|cùng với)\s*" + TITLED_END, re.I)
# "CHỦ TỊCH UBND TỈNH điện: Giám đốc Sở …": a dispatch's recipients, as in a "Kính gửi" line
_ADDRESSEE_BEFORE = re.compile(r"(?:đề nghị|kính gửi:?|kính đề nghị|\bđiện:)\s*" + TITLED_END, re.I)
_LEAD_BEFORE = re.compile(r"(?:\bgiao(?: cho)?|\byêu cầu|\bchỉ đạo|nhiệm vụ của|trách nhiệm của|\bđôn đốc|\bgiao nhiệm vụ cho)"
                          r"\s*" + TITLED_END, re.I)
_ISSUER_AFTER = re.compile(rf"^\s*(?:\([^)]{{0,40}}\)\s*)?(?:(?:vừa|đã|cũng)\s+)?(?:ban hành|có (?:{alternation(ISSUED_DOC_WORDS)})|"
                           r"ký|phê duyệt|quyết định|Quyết định|tổ chức hội nghị|điện|gửi Công văn)", re.I)
# Ordering verbs make the body an issuer only for bodies that give orders to others (the People's
# Committee, the Government, ministries, Party committees) or the body of the title of the person
# who gives them; "Sở X chỉ đạo Chi cục Y" is Sở X doing its task (lead).
_ORDER_AFTER = re.compile(r"^\s*,?\s*(?:(?:vừa|đã|cũng)\s+)?(?:chỉ đạo|yêu cầu|giao|đề nghị|thông báo|quyết định)", re.I)
_ORDER_GIVER = re.compile(r"^(?:UBND|Ủy ban nhân dân|ỦY BAN NHÂN DÂN|Chính phủ|Bộ(?! Chỉ huy)|Tỉnh ủy|Thành ủy|Huyện ủy|"
                          r"Ban Thường vụ|Ban Chỉ đạo|HĐND|Hội đồng nhân dân|Văn phòng Chính phủ)", re.I)
_EXECUTES = re.compile(r"chịu trách nhiệm thi hành|thi hành Quyết định|tổ chức thực hiện Quyết định|căn cứ Quyết định (?:này )?thi hành", re.I)
_TITLE_OF_ISSUER = re.compile(r"(?:(?:Phó\s+)?Chủ tịch|Chánh Văn phòng|(?:Phó\s+)?Bí thư|(?:Phó\s+)?Giám đốc|"
                              r"(?:Thứ|Bộ)\s+trưởng|Thủ tướng)\s+$")
_CLAUSE_START = re.compile(r"(?:^|[;:.]\s+|\n\s*(?:[-–•+]\s*|\d{1,2}[.)]\s*|[a-zđ][.)]\s*|Điều \d+\.\s*)?|"
                           r"(?:Bên cạnh đó|Đồng thời|Ngoài ra|Theo đó|Trong đó|Riêng),\s+)$")
_TASK_VERB = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:(?:khẩn trương|tiếp tục|thường xuyên|chủ động|tập trung|kịp thời|"
                        r"nghiêm túc|sớm|tăng cường|có trách nhiệm)\s+)?[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
_NOT_TASK = re.compile(r"^\s*(?:cho biết|cho rằng|thông tin|đánh giá|nhận định|ghi nhận|là\b|đã\b|vừa\b|có\b(?! trách)|"
                       r"được\b|đang\b|và\b|với\b|của\b|tại\b|về\b|trong\b|theo\b|cũng\b|thuộc\b|năm\b|ngày\b|để\b)", re.I)
# What joins two bodies of one list: a comma or "và", and perhaps the title of the next body's head.
_LIST_GLUE = re.compile(r"^\s*(?:,|và|;|, và)\s*(?:với\s+)?" + TITLED_END)
_WINDOW = 80  # characters of context read on each side: roles are local, and the cost stays linear


def assign_roles(text: str, agencies: list[tuple[int, int, dict]]) -> None:
    """Set ``role`` (issuer, lead, coordinate, addressee) where the words around an agency say it.

    ``agencies`` are ``(start, end, attrs)`` in text order; attrs are updated in place. A role
    carries along a list ("phối hợp với Sở Y tế, Sở Tài chính và UBND các huyện"), and so does an
    addressee list ("Kính gửi: Sở Y tế; Công an tỉnh; UBND các huyện")."""
    previous_role, previous_end = None, None
    previous_opens = False  # the previous agency opens a clause, alone or as the start of a list
    done: list[tuple[int, int, dict]] = []
    for s, e, attrs in agencies:
        before = text[max(0, s - _WINDOW):s]
        after = text[e:e + _WINDOW]
        role = None
        glued = previous_end is not None and bool(_LIST_GLUE.match(text[previous_end:s]))
        opens = bool(_CLAUSE_START.search(before)) or (glued and previous_opens)
        line_before = before.rsplit("\n", 1)[-1]
        if _LEAD_AFTER.match(after):
            role = "lead"
        elif _COORD_BEFORE.search(before):
            role = "coordinate"
        elif _ADDRESSEE_BEFORE.search(before) or _ADDRESSEE_AFTER.match(after):
            role = "addressee"
        elif _LEAD_BEFORE.search(before):
            role = "lead"
        elif previous_role and previous_role != "issuer" and previous_end is not None \
                and _LIST_GLUE.match(text[previous_end:s]):
            role = previous_role
        elif re.match(r"^\s*Điều \d+\.", line_before) and _EXECUTES.search(text[s:s + 400].split("\n", 1)[0]):
            role = "lead"  # "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc Sở … chịu trách nhiệm thi hành"
        elif _TITLE_OF_ISSUER.search(before) and (_ISSUER_AFTER.match(after) or _ORDER_AFTER.match(after)):
            role = "issuer"
        elif (_ISSUER_AFTER.match(after) or (_ORDER_AFTER.match(after) and _ORDER_GIVER.match(text[s:e]))) \
                and len(line_before.split()) <= 6 and not re.match(r"^\s*\d{1,2}[.)]", line_before):
            role = "issuer"
        elif (not line_before.strip() and (after.startswith("\n") or re.match(r"^\s*Số\s*:", after))
              and text[s:e].isupper()):
            role = "issuer"  # the issuing body's header of a decision or dispatch
        elif opens and _COORD_AFTER.match(after):
            role = "coordinate"
        elif opens and _TASK_VERB.match(after) and not _NOT_TASK.match(after):
            role = "lead"  # "UBND xã A và UBND xã B di dời …": the list that opens the clause shares the task
        if role:
            attrs["role"] = role
            if role in ("lead", "coordinate") and previous_end is not None:
                # a list that opens a clause shares the task: "UBND huyện A và UBND huyện B tổ chức …"
                k = len(done) - 1
                while k >= 0 and "role" not in done[k][2] and _LIST_GLUE.match(text[done[k][1]:(done[k + 1][0] if k + 1 < len(done) else s)]):
                    done[k][2]["role"] = role
                    k -= 1
        done.append((s, e, attrs))
        previous_role, previous_end, previous_opens = role, e, opens
    one_role_per_body(text, done)


_KINH_GUI = re.compile(r"kính gửi\s*:?[^\n]*$", re.I)


def one_role_per_body(text: str, agencies: list[tuple[int, int, dict]], recipients: Sequence[bool] = ()) -> None:
    """A body's role sits on the mention that assigns it: an addressee of the "Kính gửi" line that
    is given a task further on keeps only that task's role, and the issuer is named once.
    ``recipients`` marks the mentions that the words make the letter's recipients (a Kính gửi or
    "điện:" line), whatever role a model gave them: each is the addressee unless the body is given
    another role further on."""
    key = lambda a: a[2].get("canonical") or text[a[0]:a[1]]
    later_roles: dict[str, set[str]] = {}
    for n in range(len(agencies) - 1, -1, -1):
        a = agencies[n]
        roles = later_roles.setdefault(key(a), set())
        tasked_later = bool(roles - {"addressee"})
        if n < len(recipients) and recipients[n]:
            if tasked_later:
                a[2].pop("role", None)
            else:
                a[2]["role"] = "addressee"
        elif a[2].get("role") == "addressee" and tasked_later and _KINH_GUI.search(text[max(0, a[0] - 300):a[0]]):
            del a[2]["role"]
        if a[2].get("role"):
            roles.add(a[2]["role"])
    issued: set[str] = set()
    for a in agencies:
        if a[2].get("role") == "issuer":
            if key(a) in issued:
                del a[2]["role"]
            issued.add(key(a))


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


def location_attrs(surface: str, province_context: str | None = None, date: str | None = None) -> dict:
    """``level`` and, for administrative units, official codes: of the unit valid at ``date``
    (ISO; before 2025-07-01 the pre-reform units, from then on the post-2025 ones) when the
    name exists then, else of the unit the name had in the other era. A unit that no longer
    exists names the unit it is now part of, with that unit's codes (``now_in``)."""
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
