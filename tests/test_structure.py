"""Deadlines and assignments (ANNOTATION.md "Deadlines and assignments", CONTRACT.md)."""
import datetime as dt

from vnpolicy_nlp.structure import find_deadlines, link_assignments


def _found(text, context=dt.date(2025, 9, 1)):
    return [(d.text, d.date) for d in find_deadlines(text, context)]


def test_each_form_resolves_to_the_last_day_it_allows():
    text = ("Báo cáo trước ngày 15/9; hoàn thành trong tháng 10/2025; xong trong quý III; chậm nhất ngày 05 tháng "
            "8 năm 2024; trước 17 giờ ngày 05/8; báo cáo hằng tháng; hoàn thành trong năm 2024; "
            "giải ngân trong 6 tháng đầu năm 2026; duy trì đến hết ngày 28/02/2026.")
    assert _found(text) == [
        ("trước ngày 15/9", "2025-09-15"), ("trong tháng 10/2025", "2025-10-31"), ("trong quý III", "2025-09-30"),
        ("chậm nhất ngày 05 tháng 8 năm 2024", "2024-08-05"), ("trước 17 giờ ngày 05/8", "2025-08-05"),
        ("hằng tháng", None), ("trong năm 2024", "2024-12-31"), ("trong 6 tháng đầu năm 2026", "2026-06-30"),
        ("đến hết ngày 28/02/2026", "2026-02-28")]


def test_recurring_limits_are_one_span_without_a_date():
    assert _found("báo cáo trước ngày 25 hằng tháng và trước 16 giờ hằng ngày về Sở") == [
        ("trước ngày 25 hằng tháng", None), ("trước 16 giờ hằng ngày", None)]


def test_reported_dates_and_document_dates_are_not_deadlines():
    text = ("Ngày 08/8/2023, UBND tỉnh họp và ban hành Công văn số 12/UBND-KT ngày 07/8/2023; trong tháng 5 đã "
            "tiêu hủy 300 con lợn. Danh mục đã công bố trước ngày 01/7/2025 hết hiệu lực.")
    assert _found(text) == []


def test_a_year_is_taken_from_the_context_only_when_missing():
    assert _found("trước ngày 30/6", dt.date(2019, 3, 1)) == [("trước ngày 30/6", "2019-06-30")]
    assert _found("trước ngày 30/6", None) == [("trước ngày 30/6", None)]
    assert _found("trước ngày 31/2/2024") == [("trước ngày 31/2/2024", None)]  # no such day


def test_a_task_binds_its_first_deadline_across_semicolons_and_coordinators_share_it():
    text = ("UBND tỉnh giao Sở Y tế chủ trì, phối hợp với Công an tỉnh kiểm tra; báo cáo trước ngày 15/9. "
            "Sở Tài chính bố trí kinh phí.")
    agencies = [(0, 0, 9, "issuer"), (1, 15, 22, "lead"), (2, 44, 56, "coordinate"), (3, 96, 108, "lead")]
    deadlines = find_deadlines(text, dt.date(2025, 9, 1))
    links = {a.agency: (a.role, a.deadline) for a in link_assignments(text, agencies, deadlines)}
    assert links == {0: ("issuer", None), 1: ("lead", 0), 2: ("coordinate", 0), 3: ("lead", None)}


def test_a_task_passed_down_shares_the_deadline():
    text = "1. Sở Y tế chỉ đạo Trung tâm Kiểm soát bệnh tật tỉnh bố trí nhân lực, xong trước ngày 10/02/2026."
    s1, s2 = text.index("Sở Y tế"), text.index("Trung tâm")
    agencies = [(0, s1, s1 + 7, "lead"), (1, s2, text.index(" bố trí"), "lead")]
    links = link_assignments(text, agencies, find_deadlines(text))
    assert [(a.agency, a.deadline) for a in links] == [(0, 0), (1, 0)]


def test_every_record_carries_both_fields(nlp):
    d = nlp("Ứng phó bão số 3\n\nUBND tỉnh giao Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Công an tỉnh "
            "rà soát các hồ chứa, báo cáo trước ngày 10/9; UBND các xã hoàn thành sơ tán dân trong tháng 9.",
            date="2025-09-05")
    out = d.to_dict()
    assert [x["date"] for x in out["deadlines"]] == ["2025-09-10", "2025-09-30"]
    for x in out["deadlines"]:
        assert d.text[x["start"]:x["end"]] == x["text"]
    by_text = {out["entities"][a["agency"]]["text"]: (a["role"], a["deadline"]) for a in out["assignments"]}
    assert by_text["UBND tỉnh"] == ("issuer", None)
    assert by_text["Sở Nông nghiệp và Môi trường"] == ("lead", 0)
    assert by_text["Công an tỉnh"] == ("coordinate", 0)
    assert nlp("Không có hạn nào.").to_dict()["deadlines"] == []


def test_assignments_reach_tables_and_spacy(nlp):
    import vnpolicy_nlp as vp
    from vnpolicy_nlp.tables import records_to_arrow

    d = nlp("Phòng chống dịch\n\nUBND tỉnh giao Sở Y tế chủ trì, phối hợp với Công an tỉnh kiểm tra, báo cáo "
            "trước ngày 10/9/2025.")
    frame = vp.to_frame([d.to_dict()], assignments=True)
    lead = frame[frame.role == "lead"].iloc[0]
    assert lead.agency == "Sở Y tế" and str(lead.deadline.date()) == "2025-09-10"
    table = records_to_arrow([d.to_dict()])
    assert table.column("deadlines").to_pylist()[0][0]["text"] == "trước ngày 10/9/2025"
    doc = d.to_spacy()
    assert [s.text for s in doc.spans["deadlines"]] == ["trước ngày 10/9/2025"]
    assert ("Sở Y tế", "LEAD") in [(s.text, s.label_) for s in doc.spans["assignments"]]


# ------------------------------------------------------------------ phrasing seen in real directives
def test_news_style_dotted_dates_keep_their_year():
    assert _found("Các huyện gửi bảng tổng hợp hộ bị thiệt hại trước ngày 15.8.2021.", dt.date(2022, 1, 1)) == [
        ("trước ngày 15.8.2021", "2021-08-15")]


def test_an_abbreviated_unit_does_not_end_the_sentence():
    text = "Sở Y tế yêu cầu Trung tâm Y tế TP. Cà Mau phối hợp với UBND TP. Cà Mau diệt lăng quăng, xong trước ngày 10/10."
    a1, a2 = text.index("Trung tâm"), text.index("UBND TP")
    agencies = [(0, 0, 7, "issuer"), (1, a1, a1 + len("Trung tâm Y tế TP. Cà Mau"), "lead"),
                (2, a2, a2 + len("UBND TP. Cà Mau"), "coordinate")]
    links = {a.agency: a.deadline for a in link_assignments(text, agencies, find_deadlines(text, dt.date(2018, 9, 1)))}
    assert links == {0: None, 1: 0, 2: 0}


def test_bodies_listed_as_one_subject_share_the_task_and_its_limit():
    text = "Điều 2. UBND xã A và UBND xã B di dời các hộ dân trong ngày 03/10/2025, bảo đảm chỗ ở tạm."
    a, b = text.index("UBND xã A"), text.index("UBND xã B")
    agencies = [(0, a, a + 9, "lead"), (1, b, b + 9, "lead")]
    assert [x.deadline for x in link_assignments(text, agencies, find_deadlines(text))] == [0, 0]


def test_a_coordinator_after_the_leads_limit_has_a_task_of_its_own():
    text = ("Sở Nông nghiệp và Môi trường tiêm phòng cho đàn gia súc trước ngày 31/12/2025; phối hợp với Chi cục Thú y "
            "vùng IV kiểm soát vận chuyển. Sở Tài chính phối hợp bố trí kinh phí.")
    c1, c2 = text.index("Chi cục"), text.index("Sở Tài chính")
    agencies = [(0, 0, 28, "lead"), (1, c1, c1 + len("Chi cục Thú y vùng IV"), "coordinate"), (2, c2, c2 + 12, "coordinate")]
    links = {a.agency: a.deadline for a in link_assignments(text, agencies, find_deadlines(text, dt.date(2025, 1, 1)))}
    assert links == {0: 0, 1: None, 2: None}


def test_a_deadline_closing_an_earlier_clause_does_not_bind_the_next_body():
    text = "Sở Công Thương mời doanh nghiệp đăng ký trước ngày 06/12/2021; Báo Bình Phước thông tin kịp thời."
    b = text.index("Báo")
    agencies = [(0, 0, 14, "lead"), (1, b, b + len("Báo Bình Phước"), "lead")]
    assert [x.deadline for x in link_assignments(text, agencies, find_deadlines(text))] == [0, None]


# ------------------------------------------------------------------ the learned part
def test_the_linear_model_learns_and_round_trips_as_data():
    import numpy as np

    from vnpolicy_nlp.linear_model import SparseLinear

    X = [["w=a", "x"], ["w=a"], ["w=b", "x"], ["w=b"], ["w=c"], ["w=c", "x"]]
    for y in (["yes", "yes", "no", "no", "no", "no"], ["p", "p", "q", "q", "r", "r"]):
        model = SparseLinear.fit(X, y, C=10.0)
        assert [model.predict(f) for f in X] == y
        again = SparseLinear.from_parts(model.meta(), model.arrays("m_"), "m_", "test.npz")
        assert np.allclose(again.scores(["w=a", "unknown"]), model.scores(["w=a"]))
    bad = model.arrays("m_")
    bad["m_coef"] = bad["m_coef"][:-1]
    import pytest

    with pytest.raises(ValueError, match="test.npz"):
        SparseLinear.from_parts(model.meta(), bad, "m_", "test.npz")


def _annotated(n):
    from vnpolicy_nlp.corpus import split_records

    return [r for r in split_records()["train"] if "assignments" in r][:n]


def test_a_trained_structure_stage_saves_as_data_and_reloads_identically():
    import pytest

    from vnpolicy_nlp.structure import StructureComponent

    records = _annotated(120)
    stage = StructureComponent.train(records)
    files = stage.to_files()
    assert set(files) == {"structure.json", "structure.npz"}
    again = StructureComponent.from_files(files, {})
    for r in records[:20]:
        assert stage.deadlines(r["text"], r["date"]) == again.deadlines(r["text"], r["date"])
    assert StructureComponent.from_files({"structure.json": b'{"version": 1}'}, {}).roles is None  # sets of before
    with pytest.raises(ValueError, match="structure"):
        StructureComponent.from_files({"structure.json": b'{"version": 2}'}, {})
    scores = stage.score(records)
    assert scores["agency role accuracy (gold spans)"] > 0.9 and scores["deadline span F1"] > 0.9  # its own training data


def test_the_learned_stage_beats_the_rules_on_records_it_never_saw():
    """Trained on part of the training split, scored on the dev split against the rules alone."""
    from vnpolicy_nlp.corpus import split_records
    from vnpolicy_nlp.structure import StructureComponent

    dev = [r for r in split_records()["dev"] if "assignments" in r]
    learned, rules = StructureComponent.train(_annotated(400)).score(dev), StructureComponent().score(dev)
    assert learned["deadline span F1"] > rules["deadline span F1"]
    assert learned["agency role accuracy (gold spans)"] > rules["agency role accuracy (gold spans)"]


def test_the_bundled_stage_tells_duties_from_rates_and_tasks_from_citations(nlp):
    d = nlp("Mùa du lịch\n\nKhu di tích đón khoảng 9.000 lượt khách mỗi ngày. UBND tỉnh yêu cầu Sở Văn hóa, Thể thao "
            "và Du lịch báo cáo tình hình hằng tháng về Văn phòng UBND tỉnh.", date="2025-06-02").to_dict()
    assert [x["text"] for x in d["deadlines"]] == ["hằng tháng"]
    d = nlp("Phòng chống dịch\n\nCăn cứ Quyết định số 274/QĐ-TTg ngày 12/3/2019 của Thủ tướng Chính phủ về phòng "
            "chống dịch.\n\nUBND các xã có dịch lập chốt kiểm dịch tạm thời, xong trước ngày 15/12/2025.",
            date="2025-12-01").to_dict()
    roles = {d["entities"][a["agency"]]["text"]: a["role"] for a in d["assignments"]}
    assert "Chính phủ" not in roles and roles.get("UBND các xã") == "lead"


def test_every_deadline_pattern_opens_with_an_anchor_word():
    """Candidates are looked for only where an anchor word stands; a pattern that could match
    elsewhere would silently never fire."""
    from vnpolicy_nlp.corpus import split_records
    from vnpolicy_nlp.structure import _ANCHOR, _PATTERNS

    texts = [r["text"] for r in split_records()["dev"] if "deadlines" in r]
    hits = 0
    for text in texts:
        for _, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                hits += 1
                assert _ANCHOR.match(text, m.start()), (pattern.pattern[:40], text[m.start():m.end()])
    assert hits > 100


def test_bodies_named_by_their_heads_titles_in_one_list_share_role_and_limit():
    """Real directives name the heads: "yêu cầu Giám đốc Sở Y tế, Chủ tịch UBND các huyện … hoàn
    thành trước ngày …": both bodies are told to act, by the same limit."""
    from vnpolicy_nlp.entities.attributes import agency_attrs, assign_roles

    text = ("Chủ tịch UBND tỉnh yêu cầu Giám đốc Sở Y tế, Chủ tịch UBND các huyện, thành phố tổ chức tiêm vắc xin, "
            "hoàn thành trước ngày 30/9/2021.")
    names = ["UBND tỉnh", "Sở Y tế", "UBND các huyện, thành phố"]
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    attrs = [agency_attrs(n) for n in names]
    assign_roles(text, [(s, e, a) for (s, e), a in zip(spans, attrs)])
    assert [a.get("role") for a in attrs] == ["issuer", "lead", "lead"]
    agencies = [(k, s, e, a["role"]) for k, ((s, e), a) in enumerate(zip(spans, attrs))]
    links = link_assignments(text, agencies, find_deadlines(text, dt.date(2021, 9, 1)))
    assert [(a.role, a.deadline) for a in links] == [("issuer", None), ("lead", 0), ("lead", 0)]


def test_a_limit_in_a_sentence_naming_no_body_closes_the_last_task_before_it():
    text = ("Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính xây dựng đề án tinh giản biên chế. "
            "Thời gian hoàn thành: trước ngày 30/9/2023.\n\nSở Y tế kiểm tra các cơ sở khám bệnh.")
    names = ["Sở Nội vụ", "Sở Tài chính", "Sở Y tế"]
    agencies = [(k, text.index(n), text.index(n) + len(n), r) for k, (n, r) in enumerate(zip(names, ["lead", "coordinate", "lead"]))]
    links = link_assignments(text, agencies, find_deadlines(text, dt.date(2023, 8, 1)))
    assert [(a.role, a.deadline) for a in links] == [("lead", 0), ("coordinate", 0), ("lead", None)]
