import unicodedata

import pytest

from vnpolicy_nlp.text import canonical_syllable, normalize


@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoá", "Hóa"),
                                     ("HOÀ", "HÒA"), ("Thuỵ", "Thụy"), ("uỷ", "ủy")])
def test_old_and_new_tone_placement_meet(old, new):
    assert canonical_syllable(old) == new
    assert canonical_syllable(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳ", "hoàn", "thuyền", "người", "khuyến", "giữa"])
def test_syllables_with_one_placement_are_left_alone(word):
    assert canonical_syllable(word) == word


def test_nfd_and_nfc_normalise_to_the_same_text():
    text = "Ủy ban nhân dân tỉnh Lạng Sơn chỉ đạo thuỷ lợi, hoà giải"
    assert normalize(unicodedata.normalize("NFD", text)).text == normalize(text).text


def test_spaces_quotes_dashes_and_line_ends_are_canonical():
    norm = normalize("a\u00a0b\u200bc “d” ‘e’ f–g\r\nh\ufeffi")
    assert norm.text == "a b c \"d\" 'e' f-g\nhi"


def test_spans_map_back_to_the_exact_original():
    original = unicodedata.normalize("NFD", "Sở\u00a0Y tế tỉnh Hoà Bình\r\nthông báo")
    norm = normalize(original)
    start = norm.text.index("Hòa Bình")
    a, b = norm.to_original(start, start + len("Hòa Bình"))
    assert original[a:b] == unicodedata.normalize("NFD", "Hoà Bình")
    a, b = norm.to_original(0, len("Sở Y tế"))
    assert original[a:b] == unicodedata.normalize("NFD", "Sở\u00a0Y tế")


def test_out_of_range_span_is_refused():
    with pytest.raises(ValueError, match="outside"):
        normalize("abc").to_original(1, 9)
