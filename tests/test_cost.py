"""Bounded cost at small sizes (the full curves are in benchmarks/throughput.py --curves):
long texts are tagged in windows with the same entities as their pieces, memory does not grow
with a JSONL record's length, and a file of many pages keeps every page."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vnpolicy_nlp.entities.component import WINDOW, windows as _windows

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "corpora" / "pages" / "example.txt").read_text(encoding="utf-8")
PARAS = [p for p in PAGE.split("\n\n") if len(p) > 200]


def test_windows_cover_the_text_and_cut_at_line_breaks():
    text = "\n\n".join(PARAS) * 20
    spans = _windows(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:]))
    assert all(e - s <= WINDOW for s, e in spans)
    assert all(text[e - 1] == "\n" for _, e in spans[:-1])
    line = "x" * (3 * WINDOW)  # no break at all: cut where it must
    assert [e - s for s, e in _windows(line)] == [WINDOW, WINDOW, WINDOW]


def test_a_long_directive_has_the_entities_of_its_windows(nlp):
    text = "\n\n".join(PARAS) * 12
    assert len(text) > 2 * WINDOW
    rec = nlp(text)
    for ent in rec.entities:
        assert rec.text[ent["start"]:ent["end"]] == ent["text"]
    one = nlp("\n\n".join(PARAS))
    # every repetition of the paragraphs gives the entities of one copy (windows cut at breaks)
    assert len(rec.entities) == 12 * len(one.entities)


def _peak_mb(args: list[str]) -> float:
    code = ("import resource, sys; from vnpolicy_nlp.cli import main; "
            f"main({args!r}); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    return float(proc.stderr.strip().splitlines()[-1])


def test_memory_does_not_grow_with_a_jsonl_record(tmp_path):
    body = "\n\n".join(PARAS)
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_text(json.dumps({"text": body * 4}, ensure_ascii=False) + "\n", encoding="utf-8")
    large.write_text(json.dumps({"text": body * 120}, ensure_ascii=False) + "\n", encoding="utf-8")
    a = _peak_mb(["tag", "--input", "jsonl", str(small), "--format", "table"])
    b = _peak_mb(["tag", "--input", "jsonl", str(large), "--format", "table"])
    # 30 times the text (about 0.5 MB more): the tagger's windows keep the growth small
    assert b - a < 120, (a, b)


def test_a_file_of_many_pages_keeps_every_page(nlp):
    pages = sorted((ROOT / "corpora" / "pages").glob("*.txt"))[:8]
    texts = [p.read_bytes().decode("utf-8") for p in pages]
    alone = [len(nlp.tag_bulletin(t)) for t in texts]
    together = nlp.tag_bulletin("\n\n".join(texts))
    assert len(together) == sum(alone)
    assert [r.headline for r in together] == [r.headline for t in texts for r in nlp.tag_bulletin(t)]
