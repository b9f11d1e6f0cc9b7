"""HTML pages: the same directives as the page's text, offsets into the extracted text, and
``source_start``/``source_end`` into the decoded HTML."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vnpolicy_nlp.cli import main
from vnpolicy_nlp.extraction import extract, looks_like_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "html"
sys.path.insert(0, str(ROOT / "corpora"))
from build_html import STYLES, authored_pages, page_to_html  # noqa: E402

PAGES = authored_pages()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _shape(records) -> list[tuple[str, str]]:
    return [(_flat(r.headline), _flat(r.text)) for r in records]


def test_extraction_drops_chrome_keeps_paragraphs_and_maps_back():
    html = ('<html><head><title>x</title><script>var a = "<p>no</p>";</script></head><body>'
            '<nav class="menu"><a>Trang chủ</a></nav><div class="content"><p>Một &amp; hai</p>'
            '<p><strong>Tiêu đề đậm</strong></p><p>dòng một<br>dòng hai</p></div>'
            '<aside>Văn bản mới</aside><footer>Bản quyền</footer></body></html>')
    ex = extract(html)
    assert ex.text == "Một & hai\n\nTiêu đề đậm\n\ndòng một\ndòng hai"
    assert [ex.text[h:h + 11] for h in ex.hints] == ["Tiêu đề đậm"]
    s, e = ex.to_source(0, len("Một & hai"))
    assert html[s:e] == "Một &amp; hai"
    s, e = ex.to_source(ex.text.index("dòng một"), len(ex.text))
    assert html[s:e] == "dòng một<br>dòng hai"


def test_html_is_recognised_by_content_not_by_name():
    assert looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>")
    assert looks_like_html("\n\n<div class='a'><p>Một</p><p>Hai</p></div>")
    assert not looks_like_html("Chỉ đạo, điều hành: a < b và c > d; <không phải thẻ>")


def test_handwritten_page_gives_the_directives_of_its_text(nlp):
    html = (FIXTURES / "quang-tri-no-summary.html").read_text(encoding="utf-8")
    text = (FIXTURES / "quang-tri-no-summary.txt").read_text(encoding="utf-8")
    from_html, from_text = nlp.tag_html(html), nlp.tag_bulletin(text)
    assert [r.headline for r in from_html] == [
        "Theo dõi chặt chẽ diễn biến mưa lũ trên các lưu vực sông.",
        "Tin học hóa hồ sơ tiếp nhận tại Trung tâm Phục vụ hành chính công.",
        "tăng cường kiểm tra an toàn thực phẩm tại bếp ăn tập thể.",
    ]
    assert _shape(from_html) == _shape(from_text)
    for rec in from_html:
        assert html[rec.source_start:rec.source_end].startswith(rec.headline)
        assert _flat(rec.text).endswith(_flat(html[rec.source_start:rec.source_end]).rsplit(">", 1)[-1].replace("&amp;", "&"))
        for ent in rec.entities:
            assert rec.text[ent["start"]:ent["end"]] == ent["text"]
    assert from_html[0].context.week_start == "2025-10-13" and from_html[0].context.date == "2025-10-19"


@pytest.mark.parametrize("style", STYLES)
def test_every_authored_page_as_html_gives_the_same_directives(nlp, style):
    differ = []
    for name, page, heads in PAGES:
        html = page_to_html(page, heads, style)
        got, want = _shape(nlp.tag_html(html)), _shape(nlp.tag_bulletin(page))
        if got != want:
            differ.append(name)
    assert differ == []


def test_cli_tags_html_whatever_the_extension(tmp_path, capsys):
    html = (FIXTURES / "quang-tri-no-summary.html").read_text(encoding="utf-8")
    path = tmp_path / "saved-page.txt"
    path.write_text(html, encoding="utf-8")
    assert main(["tag", str(path)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3
    for obj in lines:
        assert html[obj["source_start"]:obj["source_end"]].startswith(obj["headline"])
        assert obj["context"]["week_end"] == "2025-10-19"


def test_batch_tags_html_pages(tmp_path):
    from vnpolicy_nlp import batch

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_text((FIXTURES / "quang-tri-no-summary.html").read_text(encoding="utf-8"), encoding="utf-8")
    summary = batch.run([str(src)], tmp_path / "out", workers=1, progress=False)
    rows = list(batch.read_output(tmp_path / "out"))
    assert summary.errors == 0 and len(rows) == 3 and all("source_start" in r for r in rows)
