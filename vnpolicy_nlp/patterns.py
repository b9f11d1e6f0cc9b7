"""Regular expressions for the fixed-form pieces of administrative text.

Document numbers and dates follow national conventions (Nghị định 30/2020/NĐ-CP on
administrative documents; party documents use ``number-TYPE/ISSUER``). They are matched on
normalised text, and each match is kept as one token and, for numbers, one entity.
"""
from __future__ import annotations

import re

_UP = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠ"
_CODE = rf"[{_UP}][{_UP}a-zđ&0-9]*"

#: State documents: 1048/UBND-KT, 02/2023/TT-BTP, 726/CĐ-TTg, "4851 /VP-KT", "12/ KH-UBND".
STATE_DOC_NUMBER = rf"\d{{1,6}}(?:/\d{{4}})? ?/ ?{_CODE}(?:-{_CODE}|\.(?=[{_UP}]){_CODE})*"
#: Party documents: 119-KH/TU, 08-NQ/TW, 35-QĐ/TU.
PARTY_DOC_NUMBER = rf"\d{{1,6}}-{_CODE}/{_CODE}(?:-{_CODE})*"

DOC_NUMBER_RE = re.compile(rf"(?<![\w/-])(?:{PARTY_DOC_NUMBER}|{STATE_DOC_NUMBER})(?![\w/])")

#: Dates written as numbers (07/8/2023, 7-8-2023, 07/8, 07.8.2023) or in words
#: ("ngày 07 tháng 8 năm 2023": the part from the day number on).
DATE_RE = re.compile(
    r"(?<![\w/])(?:\d{1,2}/\d{1,2}(?:/\d{4})?|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{1,2} tháng \d{1,2}(?: năm \d{4})?)(?![\w/])"
)

#: Syllable-level pieces: protected forms first, then runs of word characters, then single marks.
SYLLABLE_RE = re.compile(r"\w+|[^\w\s]")
