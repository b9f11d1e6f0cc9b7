"""Regular expressions for the fixed-form pieces of administrative text.

Document numbers and dates follow national conventions (Nghị định 30/2020/NĐ-CP on
administrative documents; party documents use ``number-TYPE/ISSUER``). They are matched on
normalised text, and each match is kept as one token and, for numbers, one entity.
"""
from __future__ import annotations

import re

_UP = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠ"
_CODE = rf"[{_UP}][{_UP}a-zđ&0-9]*"

_GLUED = rf"(?<=[{_UP}0-9])(?=[a-zà-ỹđ])"  # "TT-BGDĐTvề": a word glued on by a bad conversion

#: State documents: 1048/UBND-KT, 02/2023/TT-BTP, 726/CĐ-TTg, "4851 /VP-KT", "12/ KH-UBND",
#: "12 /2020/TT-BTNMT", "116/2020/NĐ - CP", "215/BC – UBND", "3610a/QĐ-BCT".
STATE_DOC_NUMBER = (rf"\d{{1,6}}[a-z]?(?: ?/ ?\d{{4}})? ?/ ?{_CODE}(?: ?[-–] ?{_CODE}(?![\w/]))?"
                    rf"(?:-{_CODE}|\.(?=[{_UP}]){_CODE})*")
#: Party documents and laws of the 1990s: 119-KH/TU, 08-NQ/TW, 35-QĐ/TU, 18-L/CTN.
PARTY_DOC_NUMBER = rf"\d{{1,6}}[a-z]?-{_CODE}/{_CODE}(?:-{_CODE})*"

DOC_NUMBER_RE = re.compile(rf"(?<![\w/-])(?:{PARTY_DOC_NUMBER}|{STATE_DOC_NUMBER})(?:(?![\w/])|{_GLUED})")

#: A bare number after a document-type word is the identifier as written ("Công điện số 43",
#: "Nghị định 140"); group 1 is the number. Types that also name schemes or periods ("Đề án 06",
#: "Kế hoạch 5 năm") only count with "số".
BARE_DOC_NUMBER_RE = re.compile(
    r"(?:\b(?:Công điện|Nghị định|Nghị quyết|Chỉ thị|Thông tư|Công văn|Quyết định|Luật|Pháp lệnh)"
    r"(?: khẩn| liên tịch)?\s+(?:số\s+)?"
    r"|\b(?:Kế hoạch|Thông báo|Báo cáo|Hướng dẫn|Tờ trình|Chương trình)\s+số\s+)"
    r"(\d{1,6}[a-z]?)(?![\w/.,-]\w|[\w/-])",
    re.IGNORECASE,
)

#: Abbreviated unit words with their dot, kept as one token: "TP.HCM", "T.Ư", "TP. Uông Bí",
#: "Tp. Cần Thơ", "Q. Hải Châu", "TX. Sơn Tây", "TT. Đất Đỏ", "P. 5".
ABBREVIATION_RE = re.compile(
    rf"(?<![\w.])(?:[{_UP}]{{1,3}}\.[{_UP}][{_UP}Ư]{{0,3}}(?!\w|\.\w)"
    rf"|(?:TP|Tp|TX|Tx|TT|Q|P|X|H|F)\.(?=\s?[{_UP}0-9]))"
)

#: Dates written as numbers (07/8/2023, 7-8-2023, 07/8, 07.8.2023) or in words
#: ("ngày 07 tháng 8 năm 2023": the part from the day number on).
DATE_RE = re.compile(
    r"(?<![\w/])(?:\d{1,2}/\d{1,2}(?:/\d{4})?|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{1,2} tháng \d{1,2}(?: năm \d{4})?)(?![\w/])"
)

#: Syllable-level pieces: protected forms first, then runs of word characters, then single marks.
SYLLABLE_RE = re.compile(r"\w+|[^\w\s]")
