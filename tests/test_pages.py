"""Every authored page in corpora/pages splits exactly at its gold boundaries."""
import json
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[1] / "corpora" / "pages"
GOLD = sorted(PAGES.glob("*.gold.jsonl"))


def test_there_are_enough_pages_in_enough_styles():
    assert len(GOLD) >= 30
    variants = set()
    for path in GOLD:
        variants.update(json.loads(path.read_text(encoding="utf-8").splitlines()[0])["variant"])
    assert {"summary", "repeat", "old_tones", "nfd", "crlf", "nbsp"} <= variants


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.name)
def test_page_splits_exactly(nlp, gold_path):
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines()]
    page = gold_path.with_name(gold_path.name.replace(".gold.jsonl", ".txt")).read_bytes().decode("utf-8")
    records = nlp.tag_bulletin(page)
    assert [(r.start, r.end) for r in records] == [(g["start"], g["end"]) for g in gold]
    by_index = {r.id: r.index for r in records}
    assert [by_index.get(r.duplicate_of) for r in records] == [g["duplicate_of"] for g in gold]
    for rec in records:
        assert page[rec.start:rec.end] == rec.text
