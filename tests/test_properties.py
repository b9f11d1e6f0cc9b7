"""Properties over arbitrary Unicode: offsets stay inside, nothing is lost, nothing raises."""
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnpolicy_nlp.bulletin import _is_chrome, _is_week_title, is_bulletin_title, is_footer
from vnpolicy_nlp.pipeline import load
from vnpolicy_nlp.text import normalize

NLP = load()
VIET = st.sampled_from(list("aăâeêioôơuưyđAĂÂĐ àáảãạ\u0300\u0301\u0309\u0303\u0323 \n\r\u00a0\u200b“”–;.,/0123456789")
                       + ["hoà", "thuỷ", "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần 32/2023\n",
                          "Ảnh minh họa\n", "\n\n", "UBND tỉnh ", "1048/UBND-KT", "; "])
TEXTS = st.one_of(st.text(max_size=200), st.lists(VIET, max_size=60).map("".join))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _blank(text):
    return not normalize(text).text.strip()


@SETTINGS
@given(TEXTS)
def test_normalised_spans_map_back_inside_the_original(text):
    norm = normalize(text)
    assert len(norm.starts) == len(norm.text) == len(norm.ends)
    previous = 0
    for i in range(len(norm.text)):
        a, b = norm.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
        assert a >= previous
        previous = a
    assert normalize(unicodedata.normalize("NFD", text)).text == normalize(unicodedata.normalize("NFC", text)).text


@SETTINGS
@given(st.one_of(TEXTS, st.lists(st.sampled_from(list("oOuUqQ") + ["à", "ẻ", "ỷ", "Ý", "9\u0301", "\u0e31", "\U0001d165",
                                                               "\x07", "\u2028", "\ue000", "\u00ad", " ", "a", "²", "Ⅻ", "hoá", "\r\n", "“"]),
                                 max_size=30).map("".join)))
def test_the_quick_path_of_normalisation_is_the_full_pass(text):
    """Most text needs only one-for-one replacements, which normalise() does at C speed; where it
    takes that path, text and offsets are exactly those of the character-by-character pass."""
    from vnpolicy_nlp.text import _normalize_by_character

    quick, full = normalize(text), _normalize_by_character(text)
    assert (quick.text, list(quick.starts), list(quick.ends)) == (full.text, list(full.starts), list(full.ends))


@SETTINGS
@given(TEXTS)
def test_splitting_neither_loses_nor_duplicates_text(text):
    records = NLP.tag_bulletin(text)
    end = 0
    for rec in records:
        assert text[rec.start:rec.end] == rec.text
        assert rec.start >= end  # ordered, no overlap
        end = rec.end
        assert not _blank(rec.text[:1]) and not _blank(rec.text[-1:])
    if not records:  # blank text, or a bulletin page with nothing but chrome after its title
        assert _blank(text) or any(is_bulletin_title(line) or _is_week_title(line)
                                   for line in normalize(text).text.split("\n"))
    elif records[0].bulletin is None:  # not a bulletin: all of the text is one directive, less
        assert len(records) == 1      # the page chrome around it (skip link, related list)
        for outside in (text[:records[0].start], text[records[0].end:]):
            footer = False
            for line in normalize(outside).text.split("\n"):
                footer = footer or is_footer(line.strip())  # the related-articles list that follows
                assert footer or _blank(line) or _is_chrome(line.strip()), line


@SETTINGS
@given(TEXTS)
def test_tagging_never_raises_and_tokens_cover_the_text(text):
    for rec in NLP.tag_bulletin(text) + [NLP(text)]:
        covered = [0] * len(rec.text)
        for s, e in rec.tokens:
            assert 0 <= s < e <= len(rec.text)
            for i in range(s, e):
                covered[i] += 1
        for i, ch in enumerate(rec.text):
            assert covered[i] <= 1
            if not _blank(ch):
                assert covered[i] == 1, (rec.text, i)
