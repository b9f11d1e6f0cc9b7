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
