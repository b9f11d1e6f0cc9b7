"""`vnpolicy report`: one self-contained HTML file, checked in a real headless browser."""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp.cli import main
from vnpolicy_nlp.report import agency_tasks, cited_documents, fold, read_tagged

from browser import Browser, find_chromium

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "corpora" / "pages").glob("*.txt"))
SWINE = ROOT / "corpora" / "pages" / "bac-lieu-2024w42-05.txt"  # has "dịch tả heo châu Phi"


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    for p in {*PAGES[::5], SWINE}:
        shutil.copy(p, root / p.name)
    out = tmp_path_factory.mktemp("tagged")
    vp.batch.run([str(root)], out, format="parquet", workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def report(tagged, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(tagged), "--out", str(path), "--title", "Test archive"]) == 0
    return path


def test_agencies_with_tasks_come_from_assignments_when_present():
    ents = [{"label": "AGENCY", "text": "UBND tỉnh", "start": 0, "end": 9, "attrs": {"canonical": "Ủy ban nhân dân tỉnh",
                                                                                   "role": "issuer"}},
            {"label": "AGENCY", "text": "Sở Y tế", "start": 15, "end": 22, "attrs": {"role": "lead"}},
            {"label": "AGENCY", "text": "Sở Tài chính", "start": 30, "end": 42, "attrs": {"role": "coordinate"}}]
    with_assignments = {"entities": ents, "assignments": [{"agency": 0, "role": "issuer", "deadline": None},
                                                          {"agency": 2, "role": "lead", "deadline": None}]}
    older = {"entities": ents}  # a record from before assignments existed: roles from the attrs
    assert agency_tasks([with_assignments]) == {"Sở Tài chính": {"lead": 1}}
    assert agency_tasks([older]) == {"Sở Y tế": {"lead": 1}, "Sở Tài chính": {"coordinate": 1}}


def test_a_directive_does_not_cite_its_own_document():
    ents = [{"label": "DOC_NUMBER", "text": "144/CĐ-TTg", "attrs": {"doc_type": "Công điện", "cited_by": "26/CĐ-UBND"}},
            {"label": "DOC_NUMBER", "text": "26/CĐ-UBND", "attrs": {"doc_type": "Công điện"}}]
    docs = cited_documents([{"id": "a", "entities": ents}, {"id": "b", "entities": ents[:1]}])
    assert [(d.number, d.directives) for d in docs] == [("144/CĐ-TTg", 2)]


def test_the_report_is_one_file_that_needs_no_network(report, tagged):
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert html.count("<svg") >= 3 and "<script>" in html
    n = len([r for r in read_tagged(tagged) if not r.get("duplicate_of")])
    assert html.count('<li class="directive"') == n


def test_the_search_folds_accents_like_the_page_does():
    assert fold("Dịch tả heo châu Phi, 1048/UBND-KT") == " dich ta heo chau phi 1048/ubnd-kt "


def test_report_reads_jsonl_from_tag_and_names_a_bad_input(tmp_path, capsys):
    page = tmp_path / "week.jsonl"
    assert main(["tag", str(SWINE)]) == 0
    page.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["report", str(page), "--out", str(tmp_path / "week.html")]) == 0
    assert "week.html written:" in capsys.readouterr().out
    assert main(["report", str(SWINE), "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vnpolicy: ") and "not a JSON record" in err and not (tmp_path / "x.html").exists()


def _browser() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("VNPOLICY_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (VNPOLICY_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed: `apt-get install chromium` (.ci/run installs it)")
    pytest.importorskip("websocket", reason="websocket-client (test extras) drives the browser")
    return binary


VISIBLE = "Array.from(document.querySelectorAll('li.directive')).filter(li => !li.hidden && li.offsetHeight > 0)"


def test_the_report_works_in_a_real_browser(report, tmp_path):
    with Browser(_browser()) as browser:
        browser.open(report)
        time.sleep(0.3)
        assert browser.evaluate("document.title") == "Test archive"
        # the charts are drawn: bars with a size on screen, in every chart
        for chart in ("weekly", "quarterly", "agencies"):
            bars = browser.evaluate(f"Array.from(document.querySelectorAll('#{chart} rect.bar'))"
                                    ".map(r => {{const b = r.getBoundingClientRect(); return b.width * b.height;}})")
            assert bars and all(area > 0 for area in bars), chart
        colours = browser.evaluate("new Set(Array.from(document.querySelectorAll('#weekly rect.bar'))"
                                   ".map(r => r.getAttribute('fill'))).size")
        assert colours >= 4
        assert browser.evaluate("document.querySelectorAll('#documents tbody tr').length") > 0
        total = browser.evaluate(f"{VISIBLE}.length")
        assert total > 20 and browser.evaluate("document.getElementById('count').textContent") == \
            f"{total} of {total} directives"
        assert browser.evaluate("document.querySelectorAll('mark.ent').length") > total
        browser.screenshot(tmp_path / "top.png")

        # typing without accents finds the directive on African swine fever, and only matching ones
        browser.type_into("#q", "dich ta heo")
        time.sleep(0.2)
        shown = browser.evaluate(f"{VISIBLE}.map(li => li.querySelector('h3').textContent)")
        assert 1 <= len(shown) < total
        assert any("heo châu Phi" in h for h in shown)
        assert browser.evaluate("document.getElementById('count').textContent") == f"{len(shown)} of {total} directives"
        assert all(re.search(r"\bheo\b", t) for t in browser.evaluate(f"{VISIBLE}.map(li => li.textContent)"))
        browser.evaluate("document.querySelector('#list').scrollIntoView()")
        browser.screenshot(tmp_path / "search.png")

        # the topic filter, with the search cleared
        browser.evaluate("const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input'));"
                         "const t = document.getElementById('topic'); t.value = 'health';"
                         "t.dispatchEvent(new Event('change'));")
        topics = browser.evaluate(f"{VISIBLE}.map(li => li.dataset.topics)")
        assert 0 < len(topics) < total and all("health" in t.split() for t in topics)

        assert browser.log.exceptions == [] and browser.log.console_errors == []
        assert [u for u in browser.log.requests if not u.startswith(("file:", "data:"))] == []
    for shot in ("top.png", "search.png"):
        assert (tmp_path / shot).stat().st_size > 20_000
    if os.environ.get("VNPOLICY_UPDATE_SCREENSHOT"):  # refresh the pictures the README shows
        shutil.copy(tmp_path / "top.png", ROOT / "docs" / "report.png")
        shutil.copy(tmp_path / "search.png", ROOT / "docs" / "report-search.png")
