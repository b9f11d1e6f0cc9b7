import re
import unicodedata

from vnpolicy_nlp.words import tokenize


def _covers_every_char_once(text, spans):
    covered = [0] * len(text)
    for s, e in spans:
        for i in range(s, e):
            covered[i] += 1
    return all(covered[i] <= 1 if text[i].isspace() else covered[i] == 1 for i in range(len(text)))


def test_words_are_segmented_with_spans_into_the_text():
    text = "Sở Y tế chủ trì, phối hợp với UBND các huyện"
    words = [text[s:e] for s, e in tokenize(text)]
    assert "chủ trì" in words and "phối hợp" in words
    assert "".join(words).replace(" ", "") == text.replace(" ", "")


def test_document_numbers_and_dates_are_single_tokens():
    text = "(Công văn số 1048/UBND-KT, ngày 07/8/2023), Văn bản 4851 /VP-KT và 119-KH/TU, 02/2023/TT-BTP"
    words = [text[s:e] for s, e in tokenize(text)]
    for piece in ("1048/UBND-KT", "07/8/2023", "4851 /VP-KT", "119-KH/TU", "02/2023/TT-BTP"):
        assert piece in words


def test_nfd_input_gives_the_same_tokens_at_nfd_offsets():
    nfc = "Chủ tịch UBND tỉnh Hoà Bình chỉ đạo phòng, chống thiên tai"
    nfd = unicodedata.normalize("NFD", nfc)
    a = [unicodedata.normalize("NFC", nfc[s:e]) for s, e in tokenize(nfc)]
    b = [unicodedata.normalize("NFC", nfd[s:e]) for s, e in tokenize(nfd)]
    assert a == b


def test_no_character_is_lost():
    text = "Ảnh: “Lũ quét” tại xã Na Sầm…\n\n— 123 ★ Ωmega\tđường ĐT.226"
    spans = tokenize(text)
    assert _covers_every_char_once(text, spans)
    assert re.sub(r"\s", "", text) == "".join(text[s:e].replace(" ", "").replace("\t", "") for s, e in spans)
