"""spaCy documents and DataFrames, as researchers use them."""
from spacy import displacy
from spacy.tokens import DocBin
from spacy.vocab import Vocab

import vnpolicy_nlp as vp

TEXT = ("Ứng phó với mưa lớn\n\nChủ tịch UBND tỉnh ban hành Công điện số 12/CĐ-UBND  ngày 08/9/2024,\n\n"
        "yêu cầu Ban Chỉ huy PCTT và TKCN tỉnh và UBND huyện Chi Lăng sẵn sàng sơ tán dân.  ")


def test_to_spacy_keeps_text_entities_attributes_and_topics(nlp):
    rec = nlp(TEXT)
    doc = rec.to_spacy()
    assert doc.text == TEXT
    assert [(e.text, e.label_) for e in doc.ents] == [(e["text"], e["label"]) for e in rec.entities]
    number = next(e for e in doc.ents if e.label_ == "DOC_NUMBER")
    assert number._.attrs["date"] == "2024-09-08"
    assert doc.cats == rec.topic_scores and doc._.topics == ["disaster_response"]
    assert "DOC_NUMBER" in displacy.render(doc, style="ent")
    store = DocBin(store_user_data=True)
    store.add(doc)
    again = list(DocBin().from_bytes(store.to_bytes()).get_docs(Vocab()))[0]
    assert [(e.text, e.label_) for e in again.ents] == [(e.text, e.label_) for e in doc.ents]


def test_to_frame_gives_rows_per_directive_and_per_entity(nlp):
    records = [nlp(TEXT), nlp("Tuyển dụng công chức năm 2025\n\nSở Nội vụ tổ chức thi tuyển.")]
    frame = vp.to_frame(records)
    assert list(frame["score_disaster_response"] > 0.5) == [True, False]
    assert frame.loc[0, "n_DOC_NUMBER"] == 1 and frame.loc[1, "n_AGENCY"] >= 1
    ents = vp.to_frame([r.to_dict() for r in records], entities=True)
    assert set(ents["label"]) >= {"AGENCY", "DOC_NUMBER"}
    assert str(ents.loc[ents["label"] == "DOC_NUMBER", "date"].iloc[0].date()) == "2024-09-08"


def test_displacy_colours_every_label_with_no_options(nlp):
    """The ``spacy_displacy_colors`` entry point is installed: four labels, four colours."""
    import re

    from vnpolicy_nlp.colors import DISPLACY_COLORS

    rec = nlp("Kiểm tra công tác phòng chống thiên tai\n\nNgày 12/3/2025, đồng chí Hoàng Văn Nam, Phó Chủ tịch UBND "
              "tỉnh Lạng Sơn, ban hành Công văn số 1048/UBND-KT yêu cầu Sở Nông nghiệp và Môi trường kiểm tra "
              "hồ đập tại huyện Chi Lăng.")
    assert {e["label"] for e in rec.entities} == {"AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER"}
    html = displacy.render(rec.to_spacy(), style="ent")
    marks = re.findall(r'<mark class="entity" style="background: (#[0-9a-f]+);.*?(AGENCY|LOCATION|OFFICIAL|DOC_NUMBER)\s*</span>',
                       html, flags=re.S)
    colour_of = {label: colour for colour, label in marks}
    assert set(colour_of) == {"AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER"}
    assert colour_of == {label: DISPLACY_COLORS[label] for label in colour_of}
    assert len(set(colour_of.values())) == 4


def test_the_doc_has_a_title_that_docbin_keeps_with_user_data(nlp):
    rec = nlp.tag_bulletin("Ứng phó với mưa lớn\n\nChủ tịch UBND tỉnh ban hành Công điện số 12/CĐ-UBND ngày "
                           "08/9/2024 về ứng phó mưa lũ, sạt lở đất.", source="week.txt")[0]
    doc = rec.to_spacy()
    assert doc.user_data["title"] == "week.txt #0 · disaster_response"
    assert "week.txt #0 · disaster_response" in displacy.render(doc, style="ent")
    store = DocBin(store_user_data=True)
    store.add(doc)
    again = list(DocBin().from_bytes(store.to_bytes()).get_docs(Vocab()))[0]
    assert again.user_data["title"] == doc.user_data["title"]
    assert list(again._.topics) == ["disaster_response"]  # msgpack gives a tuple back
    number = next(e for e in again.ents if e.label_ == "DOC_NUMBER")
    assert number._.attrs["doc_type"] == "Công điện"
    bare = DocBin()  # without store_user_data, spaCy drops the title and the attributes
    bare.add(doc)
    assert "title" not in list(DocBin().from_bytes(bare.to_bytes()).get_docs(Vocab()))[0].user_data


def test_an_assigned_agency_keeps_its_entity_attributes(nlp):
    rec = nlp("Phòng chống dịch sốt xuất huyết\n\nUBND tỉnh giao Sở Y tế chủ trì, phối hợp với UBND các huyện "
              "triển khai các biện pháp phòng chống dịch, báo cáo kết quả trước ngày 10/9/2025.")
    assert rec.assignments, "the example must carry an assignment"
    doc = rec.to_spacy()
    for ent, span in zip(doc.ents, rec.entities):
        assert ent._.attrs == span.get("attrs"), ent.text
    lead = next(s for s in doc.spans["assignments"] if s.label_ == "LEAD")
    assert lead.text == "Sở Y tế" and lead._.deadline == {"text": "trước ngày 10/9/2025", "date": "2025-09-10"}
