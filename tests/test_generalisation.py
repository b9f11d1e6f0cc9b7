"""What keeps the entity tagger from memorising names: the unseen-name split, training-time
augmentation, and the fixed forms real documents use (irregular numbers, dotted abbreviations)."""
from vnpolicy_nlp.corpus import (assign_splits, held_out_names, near_duplicate_groups, read_records, record_names,
                                 surface_key)
from vnpolicy_nlp.entities.augment import AugmentConfig, augment_records
from vnpolicy_nlp.entities.docnumbers import doc_number_attrs, find_doc_numbers
from vnpolicy_nlp.words import syllable_spans


def test_no_training_record_names_a_held_out_form():
    records = read_records()
    splits = assign_splits(records)
    held = held_out_names(records)
    assert len(held) >= 50
    unseen = [r for r in records if splits[r.id] == "unseen"]
    assert len(unseen) >= 0.04 * len(records)
    groups = near_duplicate_groups(records)
    naming = {groups[r.id] for r in unseen if record_names(r.data) & held}
    assert all(groups[r.id] in naming for r in unseen)  # a near-copy moves with its group
    train = [r for r in records if splits[r.id] == "train"]
    assert not any(record_names(r.data) & held for r in train)


def test_augmented_copies_keep_exact_spans_and_never_draw_held_out_names():
    records = [r.data for r in read_records()][:200]
    held = {surface_key(r["text"][e["start"]:e["end"]]) for r in records[:40] for e in r["entities"]
            if e["label"] in ("AGENCY", "LOCATION")}
    copies = augment_records(records, AugmentConfig(swap=1.0, abbreviate=0.5, caps_headline=0.3, share=1.0), exclude=held)
    assert len(copies) == len(records)
    changed = 0
    for orig, copy in zip(records, copies):
        text = copy["text"]
        assert all(0 <= e["start"] < e["end"] <= len(text) for e in copy["entities"])
        assert all(text[e["start"]:e["end"]] == text[e["start"]:e["end"]].strip() for e in copy["entities"])
        assert len(copy["entities"]) >= len(orig["entities"])
        changed += text != orig["text"]
        for e in copy["entities"]:
            surface = surface_key(text[e["start"]:e["end"]])
            original = {surface_key(orig["text"][o["start"]:o["end"]]) for o in orig["entities"]}
            assert surface not in held or surface in original
    assert changed >= 0.9 * len(records)


def test_irregular_document_numbers_are_found_whole():
    text = ("Thông tư 12 /2020/TT-BTNMT, Nghị định số 116/2020/NĐ - CP, Báo cáo 215/BC – UBND, "
            "Quyết định 3610a/QĐ-BCT và Thông tư 01/2020/TT-BGDĐTvề việc; Công điện số 43; Nghị định 140; Đề án 06.")
    found = [text[s:e] for s, e in find_doc_numbers(text)]
    assert found == ["12 /2020/TT-BTNMT", "116/2020/NĐ - CP", "215/BC – UBND", "3610a/QĐ-BCT",
                     "01/2020/TT-BGDĐT", "43", "140"]


def test_law_family_numbers_get_the_law_type():
    text = "theo Luật Bảo vệ môi trường số 72/2020/QH14 và Bộ luật Lao động 35-L/CTN"
    s = text.index("72/2020")
    assert doc_number_attrs(text, s, s + len("72/2020/QH14"))["doc_type"] == "Luật"
    s = text.index("35-L")
    assert doc_number_attrs(text, s, s + len("35-L/CTN"))["doc_type"] == "Luật"
    text = "Công điện số 43 của Thủ tướng"
    assert doc_number_attrs(text, 13, 15) == {"number": "43", "doc_type": "Công điện"}


def test_dotted_abbreviations_are_one_token():
    text = "UBND TP.HCM, UBND Q. Hải Châu, P. 5, TX. Sơn Tây và Ban Chỉ đạo T.Ư. Sau đó, ông A. Nguyễn"
    tokens = [text[s:e] for s, e in syllable_spans(text)]
    for piece in ("TP.HCM", "Q.", "P.", "TX.", "T.Ư"):
        assert piece in tokens
    assert "A." not in tokens  # an initial before a name is not a unit word
