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
