"""The words of administrative Vietnamese that several stages read: one copy, read by everyone.

Unit words and their levels, the syllables that glue a title to its body, honorifics, family
names, place-type words, regions and countries, document-type names, and the state apparatus
(titles, bodies, acronyms: ``data/state_apparatus.json``, which says where each came from).
Modules build their regular expressions from these lists with :func:`alternation`, so a word
added here reaches the splitter, the rules, the tagger's features and the attributes at once.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DATA", "UNIT_WORDS", "unit_words", "alternation", "AGENCY_LEVEL_WORDS", "AGENCY_LEVEL_TWO_SYLLABLES",
    "TITLE_GLUE", "HONORIFICS", "FAMILY_NAMES", "PLACE_TYPE_WORDS", "CONNECTORS",
    "CENTRAL_HEADS", "DOC_TYPE_NAMES", "TITLED_END", "bodies", "foreign_places", "place_names", "ISSUED_DOC_WORDS", "PROVINCE_OFFICE_NAMES", "state_apparatus", "titles",
]

DATA = Path(__file__).resolve().parent / "data"

#: Administrative unit words, in the order the regular expressions try them, with their level
#: ("city" is a thành phố: a province or a district, by name).
UNIT_WORDS: dict[str, str] = {
    "tỉnh": "province", "thành phố": "city", "huyện": "district", "quận": "district", "thị xã": "district",
    "xã": "commune", "phường": "commune", "thị trấn": "commune", "đặc khu": "commune",
}


def unit_words(*levels: str) -> tuple[str, ...]:
    """Unit words of the given levels (all of them without an argument), in ``UNIT_WORDS`` order."""
    return tuple(w for w, level in UNIT_WORDS.items() if not levels or level in levels)


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """``a|b|c`` of escaped words, in the given order (the order a regular expression tries them)."""
    return "|".join(re.escape(w) for w in words)


#: Words that may follow an agency's head word and belong to its name ("UBND" + "tỉnh", "cấp huyện").
AGENCY_LEVEL_WORDS = ("tỉnh", "huyện", "xã", "phường", "thành", "thị", "quận", "cấp", "các")
#: Those of them that start a two-syllable word ("thành phố", "thị xã", "cấp tỉnh").
AGENCY_LEVEL_TWO_SYLLABLES = ("thành", "thị", "cấp")

#: Syllables that continue a title into the name of its body ("Chánh Thanh tra tỉnh").
TITLE_GLUE = frozenset({"tỉnh", "huyện", "xã", "phường", "thành", "phố", "thị", "trấn", "quận", "cấp", "trực", "và",
                        "-", "&"})

#: Honorifics written between a title and a name ("Giám đốc Sở Y tế, ông B").
HONORIFICS = ("đồng chí", "ông", "bà")

FAMILY_NAMES = frozenset({
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ", "ngô", "dương", "lý",
    "lương", "nông", "lục", "vi", "hà", "triệu", "đinh", "trịnh", "mai", "lâm", "tô", "đoàn", "cao", "chu", "tạ", "quách",
    "thái", "lò", "quàng", "hứa", "la", "mã", "lã", "đàm", "hầu", "giàng", "sùng", "vàng", "đào", "văn", "kiều", "khổng",
    "lưu", "tăng", "từ", "vương", "châu", "phùng", "thân", "tống", "trương", "nghiêm", "doãn", "kim", "đồng", "lăng",
    "mạc", "nguyên", "ông", "âu", "diệp", "khúc", "lại", "lữ", "phí", "quan", "tiêu", "trình", "ma", "bế",
    "sầm", "vy", "lường", "cầm", "bạc", "điêu", "y", "h", "rơ", "kpă", "siu", "ksor", "nay", "rah",
    # names of the Central Highlands, the north-west and the Khmer south (Y, H', A, Điểu, K', Thạch, Danh …)
    "a", "điểu", "k'", "thạch", "danh", "lầu", "mùa", "thào", "chảo", "tẩn", "hờ", "cứ", "sơn", "kha", "lý", "niê",
    "êban", "mlô", "bkrông", "byă", "kbuôr", "rcom",
})

#: First syllables of words that name a kind of place ("xã", "cửa khẩu", "sông"): a place span may start with them.
PLACE_TYPE_WORDS = frozenset({
    "tỉnh", "thành", "huyện", "quận", "thị", "xã", "phường", "đặc", "cửa", "chợ", "khu", "sông", "suối", "đèo", "hồ", "núi",
    "vịnh", "kênh", "thủy", "thuỷ", "bản", "thôn", "làng", "ấp", "tổ", "đền", "chùa", "đình", "cảng", "sân", "ga", "cụm",
    "đảo", "bãi", "biển", "đồi", "động", "hang", "thác", "vườn", "rừng", "đập", "mỏ", "đồng", "miền", "vùng", "cầu", "phố",
    "đường", "quảng", "nhà", "trung", "tuyến", "cao", "lòng", "bến", "trạm", "mốc", "lăng", "di", "nghĩa", "cồn", "lạch",
    "mũi", "bán", "quần", "hòn", "đầm", "phá", "ngã",
})

#: Words that link a lead-in to a name ("thị xã gồm Sóc Sơn"): what comes before them is not the name.
CONNECTORS = frozenset({"gồm", "là", "của", "tại", "và", "với", "thuộc", "như", "qua", "ở", "trên", "từ", "đến"})

#: Regular-expression alternatives of the heads of central bodies (an agency starting so is central).
CENTRAL_HEADS = ("Bộ(?! Chỉ huy| phận)", "Chính phủ", "Quốc hội", "Văn phòng Chính phủ", "Thủ tướng", "Tổng cục",
                 "Ngân hàng Nhà nước", "Thanh tra Chính phủ", "Kiểm toán Nhà nước", "Ủy ban Dân tộc",
                 "Ban Chỉ đạo (?:389 )?quốc gia", "Trung ương")

#: Document types written out before a number, beyond the codes of ``state_apparatus.json``.
DOC_TYPE_NAMES = ("Công văn", "Văn bản", "Thông báo kết luận", "Kết luận", "Chương trình hành động", "Quy định",
                  "Quy chế", "Đề án", "Chương trình", "Thông tư liên tịch", "Công điện khẩn")
#: Documents an issuer "has" ("UBND tỉnh có Công văn …"): the agency before them issued it.
ISSUED_DOC_WORDS = ("Công văn", "văn bản", "Quyết định", "Kế hoạch", "Công điện", "Chỉ thị", "Thông báo")

#: The provincial office as a page signs its bulletin (lower case, as the splitter matches it).
PROVINCE_OFFICE_NAMES = ("văn phòng ubnd tỉnh", "vp ubnd tỉnh", "văn phòng ủy ban nhân dân tỉnh")


def _data(name: str) -> dict:
    path = DATA / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


@lru_cache(maxsize=1)
def state_apparatus() -> dict:
    """Bodies, heads, acronyms, document types and titles of the state apparatus."""
    return _data("state_apparatus.json")


@lru_cache(maxsize=1)
def bodies() -> dict:
    """Party organs, the Front, armed forces, police, courts, national boards, ministries and
    departments (``groups``, each with its legal source) and the 2025 ``successors``."""
    return _data("bodies.json")


@lru_cache(maxsize=1)
def foreign_places() -> dict:
    """Countries, the provinces across the land borders, world regions and Việt Nam's regions."""
    return _data("foreign_places.json")


def place_names(level: str) -> tuple[str, ...]:
    """Names of one level of ``foreign_places.json``: country, foreign (border provinces and
    cities), world_region or region (Việt Nam's)."""
    data = foreign_places()
    if level == "country":
        return tuple(data["countries"])
    if level == "foreign":
        return tuple(n for names in data["border_provinces"].values() for n in names)
    if level == "world_region":
        return tuple(data["world_regions"])
    if level == "region":
        return tuple(data["vietnam_regions"])
    raise ValueError(f"unknown place level {level!r}")


def titles() -> tuple[str, ...]:
    """Titles of officials ("Phó Chủ tịch", "Giám đốc"), from ``state_apparatus.json``."""
    return tuple(state_apparatus()["titles"])


# A regex tail: the title of a body's head, between the word that gives a role and the body ("yêu cầu Giám đốc Sở Y
# tế, Chủ tịch UBND các huyện tổ chức …": both bodies are told to act).
_HEAD_TITLE = (r"(?i:(?:phó\s+)?(?:chủ tịch|giám đốc|tổng giám đốc|thủ trưởng|chỉ huy trưởng|chánh văn phòng|chánh thanh tra|"
               r"trưởng ban|cục trưởng|chi cục trưởng|bí thư|tư lệnh|trưởng phòng|hiệu trưởng))")
TITLED_END = rf"(?:các\s+)?(?:{_HEAD_TITLE}\s+(?:các\s+)?)?$"
