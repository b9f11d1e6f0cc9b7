"""Saved-page HTML versions of the authored text pages, in the shapes of real portals.

Used by the tests (an HTML page gives the same directives as its text) and by
``benchmarks/html_extractors.py`` (which extractor keeps the directives). The markup is written
by this project: three layouts seen on provincial portals — a Drupal-style node page with a
skip link, a menu, a sidebar and a related-news block; a table-layout page whose headlines are
``<h3>``; a news-portal page with share buttons and headlines in ``<p><strong>``.
"""
from __future__ import annotations

import html as _html
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "corpora" / "pages"
STYLES = ("drupal", "table", "news")

_NAV = ("Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", "Chỉ đạo điều hành", "Văn bản pháp luật", "Liên hệ")
_ASIDE = ("Văn bản mới", "Lịch công tác tuần", "Thủ tục hành chính", "Hỏi đáp trực tuyến")
_FOOTER = "Cơ quan chủ quản: Văn phòng UBND tỉnh. Điện thoại: 0205 3812 345. Ghi rõ nguồn khi phát hành lại thông tin."
_RELATED = ("Tin liên quan", "Các tin khác", "Tin cùng chuyên mục", "Các tin đã đưa", "Tin khác", "Bài viết liên quan",
            "Xem thêm")


def _esc(text: str) -> str:
    return _html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\r?\n[ \t\u00a0]*\r?\n", text) if p.strip()]


def page_to_html(text: str, headlines: set[str], style: str) -> str:
    """An HTML page whose visible main text has the paragraphs of ``text``: the title as
    ``<h1>``, each line of ``headlines`` as the style's headline markup, chrome in nav/aside."""
    from vnpolicy_nlp.bulletin import is_bulletin_title

    body: list[str] = []
    related: list[str] = []
    in_related = False
    for para in _paragraphs(text):
        flat = " ".join(para.split())
        if in_related or flat in _RELATED or flat.startswith(_RELATED):
            in_related = True
            related.append(flat)
            continue
        if is_bulletin_title(flat):
            body.append(f'<h1 class="page-title">{_esc(para)}</h1>')
        elif flat in headlines:
            if style == "table":
                body.append(f"<h3>{_esc(para)}</h3>")
            elif style == "news":
                body.append(f'<p style="text-align: justify;"><strong>{_esc(para)}</strong></p>')
            else:
                body.append(f"<p><b>{_esc(para)}</b></p>")
        else:
            lines = para.split("\n")
            body.append("<p>" + "<br>\n".join(_esc(x.strip("\r")) for x in lines) + "</p>")
    related_html = ""
    if related:
        related_html = ('<div class="tin-lien-quan"><h4>' + _esc(related[0]) + "</h4><ul>"
                        + "".join(f'<li><a href="/node/{k}">{_esc(r)}</a></li>' for k, r in enumerate(related[1:]))
                        + '<li><a href="/node/9">Họp báo định kỳ quý III</a></li></ul></div>')
    nav = "<ul>" + "".join(f'<li><a href="/m{k}">{x}</a></li>' for k, x in enumerate(_NAV)) + "</ul>"
    aside = "".join(f'<div class="block"><h2>{x}</h2><a href="#">Xem tiếp</a></div>' for x in _ASIDE)
    main = "\n".join(body)
    if style == "drupal":
        return ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Văn phòng UBND tỉnh</title>"
                "<script>window.dataLayer=[];function g(){return '<p>no</p>';}</script></head>\n<body>"
                '<a href="#main-content" class="visually-hidden focusable skip-link">Nhảy đến nội dung</a>\n'
                f'<header role="banner"><div class="site-name">Cổng thông tin điện tử</div></header>\n'
                f'<nav class="main-menu">{nav}</nav>\n<div class="breadcrumb">Trang chủ » Tin tức » Chỉ đạo</div>\n'
                f'<main id="main-content"><article class="node node--type-article">\n{main}\n</article>\n'
                f"{related_html}</main>\n<aside class=\"sidebar\">{aside}</aside>\n"
                f"<footer><p>{_FOOTER}</p></footer></body></html>\n")
    if style == "table":
        return ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                "<style>td{font-family:Arial}</style></head><body><table width=\"100%\"><tr>"
                f'<td class="left-menu" width="20%">{nav}</td><td valign="top">\n{main}\n{related_html}</td>'
                f'<td id="rightSidebar">{aside}</td></tr></table>'
                f'<div id="footer">{_FOOTER}</div></body></html>\n')
    return ("<!doctype html><html><head><meta charset=\"utf-8\"></head><body>"
            f'<div class="topbar">Thứ Hai, 14/08/2023 | Đăng nhập</div><div class="navbar">{nav}</div>\n'
            f'<div class="detail-content">\n{main}\n'
            '<div class="box-share"><a href="#">Chia sẻ</a> <a href="#">Facebook</a> <a href="#">Zalo</a>'
            '<a href="#">In bài</a></div>\n'
            f'{related_html}</div><div class="copyright">{_FOOTER}</div></body></html>\n')


def authored_pages() -> list[tuple[str, str, set[str]]]:
    """(name, page text, headlines) of every authored page in corpora/pages."""
    out = []
    for gold in sorted(PAGES.glob("*.gold.jsonl")):
        rows = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()]
        page = gold.with_name(gold.name.replace(".gold.jsonl", ".txt")).read_bytes().decode("utf-8")
        heads = {" ".join(r["text"].split("\n", 1)[0].split()) for r in rows}
        out.append((gold.name.replace(".gold.jsonl", ""), page, heads))
    return out
