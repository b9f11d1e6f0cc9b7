"""Gazetteers built from facts: the state apparatus and the administrative units.

Agencies come from ``data/state_apparatus.json`` (ministries, provincial bodies before and after
the 2025 mergers, acronyms); places come from ``vietnamadminunits`` (every province, district and
commune, old and post-2025). Matches are made on syllable sequences, so they feed the trained
tagger as features and the attribute resolver as lookups.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from ..lexicon import FAMILY_NAMES, UNIT_WORDS, bodies, place_names, state_apparatus, titles
from ..text import normalize

__all__ = ["UNIT_WORDS", "FAMILY_NAMES", "AdminUnit", "state_apparatus", "admin_units", "units_by_name",
           "PhraseIndex", "agency_index", "place_index", "title_index"]


@dataclass(frozen=True)
class AdminUnit:
    name: str          # e.g. "Chi Lăng"
    unit_type: str     # e.g. "Huyện"
    level: str         # province / district / commune
    province: str      # short province name
    code: str
    era: str           # "legacy" (before 2025-07-01) or "2025"
    district: str = ""
    province_code: str = ""
    district_code: str = ""


def _key(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).text.lower().split())


@lru_cache(maxsize=1)
def admin_units() -> list[AdminUnit]:
    """Every administrative unit of both eras, read from vietnamadminunits' bundled database."""
    import vietnamadminunits

    db = os.path.join(os.path.dirname(vietnamadminunits.__file__), "data", "dataset.db")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    units: dict[tuple, AdminUnit] = {}

    def add_province(era: str, prov: str, short: str, code: str) -> None:
        unit_type = prov.split(" " + short)[0] if short else "Tỉnh"
        units.setdefault((era, "province", short), AdminUnit(short, unit_type, "province", short, code, era,
                                                              province_code=code))

    for (prov, prov_short, prov_code, dist, dist_short, dist_type, dist_code, ward, ward_short, ward_type,
         ward_code) in con.execute(
            "select province, provinceShort, provinceCode, district, districtShort, districtType, districtCode, "
            "ward, wardShort, wardType, wardCode from admin_units_legacy"):
        add_province("legacy", prov, prov_short, prov_code)
        if dist_short:
            units.setdefault(("legacy", "district", prov_short, dist_short), AdminUnit(
                dist_short, dist_type or "", "district", prov_short, dist_code, "legacy", dist_short, prov_code, dist_code))
        if ward_short:
            units.setdefault(("legacy", "commune", prov_short, dist_short, ward_short), AdminUnit(
                ward_short, ward_type or "", "commune", prov_short, ward_code, "legacy", dist_short or "", prov_code,
                dist_code or ""))
    for prov, prov_short, prov_code, ward, ward_short, ward_type, ward_code in con.execute(
            "select province, provinceShort, provinceCode, ward, wardShort, wardType, wardCode from admin_units"):
        add_province("2025", prov, prov_short, prov_code)
        if ward_short:
            units.setdefault(("2025", "commune", prov_short, ward_short), AdminUnit(
                ward_short, ward_type or "", "commune", prov_short, ward_code, "2025", province_code=prov_code))
    con.close()
    return list(units.values())


@lru_cache(maxsize=1)
def units_by_name() -> dict[tuple[str, ...], list[AdminUnit]]:
    out: dict[tuple[str, ...], list[AdminUnit]] = {}
    for unit in admin_units():
        out.setdefault(_key(unit.name), []).append(unit)
    return out


class PhraseIndex:
    """Longest-match lookup of lower-cased syllable sequences."""

    def __init__(self, phrases: dict[tuple[str, ...], str]):
        self.phrases = phrases
        self.max_len = max((len(k) for k in phrases), default=0)
        # the lengths of the phrases starting with each word, longest first: a lookup tries only those
        lengths: dict[str, set[int]] = {}
        for key in phrases:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {w: sorted(ns, reverse=True) for w, ns in lengths.items()}

    def matches(self, words: list[str]) -> list[tuple[int, int, str]]:
        """Non-overlapping longest matches ``(i, j, tag)`` over ``words`` (already lower-cased)."""
        out = []
        i = 0
        while i < len(words):
            for n in self._lengths.get(words[i], ()):
                if i + n > len(words):
                    continue
                tag = self.phrases.get(tuple(words[i:i + n]))
                if tag is not None:
                    out.append((i, i + n, tag))
                    i += n
                    break
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def agency_index() -> PhraseIndex:
    data = state_apparatus()
    phrases: dict[tuple[str, ...], str] = {}
    for group in ("central", "province_heads", "departments"):
        for name in data[group]:
            phrases[_key(name)] = "AGENCY"
    for group in bodies()["groups"]:
        for name in group["names"]:
            phrases.setdefault(_key(name), "AGENCY")
    for name in data["local_heads"]:
        phrases.setdefault(_key(name), "AGENCY_HEAD")
    return PhraseIndex(phrases)


@lru_cache(maxsize=1)
def place_index() -> PhraseIndex:
    """Names of administrative units (both eras), tagged by level."""
    phrases: dict[tuple[str, ...], str] = {}
    for unit in admin_units():
        key = _key(unit.name)
        if len(key) >= 2 or unit.level == "province":  # one-syllable commune names are too ambiguous
            phrases.setdefault(key, "PLACE_" + unit.level)
    for level in ("country", "foreign", "world_region", "region"):
        for name in place_names(level):
            phrases.setdefault(_key(name), "PLACE_" + level)
    return PhraseIndex(phrases)


@lru_cache(maxsize=1)
def title_index() -> PhraseIndex:
    return PhraseIndex({_key(t): "TITLE" for t in titles()})
