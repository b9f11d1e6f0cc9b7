"""Which HTML extractor keeps a bulletin's directives? Each authored page of corpora/pages is
written as HTML in three portal layouts (corpora/build_html.py); each extractor's text is split
and tagged, and a page counts as kept when its directives (headline and text, whitespace
aside) equal those of the page's own text. Also: seconds for all pages, and whether the
extractor can say where its text lies in the HTML (needed for source_start/source_end).

    .venv/bin/pip install -e ".[bench]"   # trafilatura, jusText, selectolax
    .venv/bin/python benchmarks/html_extractors.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpora"))

from build_html import STYLES, authored_pages, page_to_html  # noqa: E402

from vnpolicy_nlp.bulletin import split_pages  # noqa: E402
from vnpolicy_nlp.evaluation import format_table  # noqa: E402
from vnpolicy_nlp.text import normalize  # noqa: E402


def ours(html: str) -> str:
    from vnpolicy_nlp.extraction import extract

    return extract(html).text


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""


def justext_text(html: str) -> str:
    import justext

    paras = justext.justext(html.encode("utf-8"), justext.get_stoplist("Vietnamese"))
    return "\n\n".join(p.text for p in paras if not p.is_boilerplate)


def selectolax_text(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, nav, aside, footer, header, form"):
        node.decompose()
    body = tree.body
    return body.text(separator="\n\n", deep=True) if body else ""


def _shape(text: str) -> list[tuple[str, str]]:
    norm = normalize(text).text
    out = []
    for page in split_pages(norm):
        for d in page.directives:
            out.append((" ".join(norm[d.start:d.headline_end].split()), " ".join(norm[d.start:d.end].split())))
    return out


def main() -> None:
    pages = authored_pages()
    rows = []
    for name, fn, offsets in (("ours (extraction.py)", ours, "yes"), ("trafilatura 2.3.1", trafilatura_text, "no"),
                              ("jusText 3.0.2", justext_text, "no"), ("selectolax 1.0.2 (tag removal)", selectolax_text, "no")):
        kept = total = 0
        seconds = 0.0
        try:
            for _, page, heads in pages:
                want = _shape(page)
                for style in STYLES:
                    html = page_to_html(page, heads, style)
                    t0 = time.perf_counter()
                    text = fn(html)
                    seconds += time.perf_counter() - t0
                    kept += _shape(text) == want
                    total += 1
        except ImportError as exc:
            rows.append([name, f"not installed ({exc.name})", "", offsets])
            continue
        rows.append([name, f"{kept}/{total}", f"{seconds:.2f}", offsets])
    print(format_table(rows, ["extractor", "pages with the text's directives", "seconds", "offsets into HTML"]))


if __name__ == "__main__":
    main()
