"""The splitter on the real sample and on small pages written for these tests."""
import unicodedata

from vnpolicy_nlp.bulletin import parse_week


def test_the_real_sample_gives_exactly_the_gold_directives(nlp, sample):
    page, gold = sample
    records = nlp.tag_bulletin(page, source="sample.txt")
    assert [(r.start, r.end) for r in records] == [(g["start"], g["end"]) for g in gold]
    for rec, g in zip(records, gold):
        assert page[rec.start:rec.end] == rec.text == g["text"]
        assert rec.headline == g["headline"]
    assert records[0].bulletin.week_start == "2023-08-07"
    assert records[0].bulletin.week_end == "2023-08-13"


def test_the_sample_in_nfd_splits_at_the_same_places(nlp, sample):
    page, gold = sample
    nfd = unicodedata.normalize("NFD", page)
    records = nlp.tag_bulletin(nfd)
    assert len(records) == len(gold)
    for rec, g in zip(records, gold):
        assert nfd[rec.start:rec.end] == rec.text
        assert unicodedata.normalize("NFC", rec.text) == g["text"]


PAGE_NO_SUMMARY = """Trang chủ
Tin chỉ đạo, điều hành của UBND tỉnh tuần từ 29/12/2025 đến 04/01/2026

Triển khai nhiệm vụ trọng tâm năm 2026

UBND tỉnh ban hành Kế hoạch số 02/KH-UBND ngày 02/01/2026 triển khai các nhiệm vụ trọng tâm năm 2026.

Giao các sở, ngành xây dựng chương trình công tác, báo cáo trước ngày 15/01/2026.

Ảnh minh họa

Bảo đảm trật tự an toàn giao thông dịp Tết

Chủ tịch UBND tỉnh yêu cầu Công an tỉnh tăng cường tuần tra, kiểm soát trong dịp Tết Nguyên đán.

Văn phòng UBND tỉnh
"""


def test_a_page_without_summary_is_split_by_headline_shape(nlp):
    records = nlp.tag_bulletin(PAGE_NO_SUMMARY)
    assert [r.headline for r in records] == ["Triển khai nhiệm vụ trọng tâm năm 2026",
                                            "Bảo đảm trật tự an toàn giao thông dịp Tết"]
    assert records[0].text.endswith("trước ngày 15/01/2026.")
    assert records[1].text.endswith("Tết Nguyên đán.")
    assert (records[0].bulletin.week_start, records[0].bulletin.week_end) == ("2025-12-29", "2026-01-04")


def test_a_repeated_directive_is_marked_as_a_duplicate(nlp):
    item = "Tăng cường phòng, chống dịch sốt xuất huyết\n\nSở Y tế chủ trì giám sát ổ dịch tại các phường.\n\n"
    page = ("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 07/10 đến ngày 13/10/2024)\n\n"
            "Tăng cường phòng, chống dịch sốt xuất huyết; Khai mạc lễ hội\n\n" + item
            + "Khai mạc lễ hội\n\nUBND tỉnh đồng ý tổ chức lễ hội truyền thống năm 2024 tại huyện.\n\n" + item)
    records = nlp.tag_bulletin(page)
    assert len(records) == 3
    assert records[2].duplicate_of == records[0].id
    assert records[0].duplicate_of is None and records[1].duplicate_of is None


def test_a_body_that_repeats_its_headline_is_not_a_new_item(nlp):
    page = ("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 03/6 đến ngày 09/6/2024)\n\n"
            "Phê duyệt nhu cầu tuyển dụng công chức năm 2024; Ứng phó mưa lớn\n\n"
            "Phê duyệt nhu cầu tuyển dụng công chức năm 2024\n\n"
            "Phê duyệt nhu cầu tuyển dụng công chức năm 2024 của các sở, ngành.\n\n"
            "Sở Nội vụ chủ trì tổ chức thi tuyển.\n\n"
            "Ứng phó mưa lớn\n\nBan Chỉ huy PCTT và TKCN tỉnh theo dõi sát diễn biến mưa lớn.\n")
    records = nlp.tag_bulletin(page)
    assert [r.headline for r in records] == ["Phê duyệt nhu cầu tuyển dụng công chức năm 2024", "Ứng phó mưa lớn"]


def test_text_that_is_not_a_bulletin_is_one_directive(nlp):
    article = "\n  Tăng cường quản lý cửa khẩu\n\nUBND tỉnh yêu cầu các lực lượng tăng cường kiểm soát.  \u00a0\n"
    records = nlp.tag_bulletin(article)
    assert len(records) == 1
    assert records[0].headline == "Tăng cường quản lý cửa khẩu"
    assert records[0].text == article.strip()
    assert records[0].bulletin is None
    bare = nlp.tag_bulletin("Kế hoạch phòng, chống tác hại của rượu, bia năm 2025")
    assert len(bare) == 1 and bare[0].headline == bare[0].text


def test_week_dates_in_several_title_styles():
    assert parse_week("trong tuần (từ ngày 07/8 đến ngày 13/8/2023)") == ("2023-08-07", "2023-08-13")
    assert parse_week("tuần từ 29/12/2025 - 04/01/2026") == ("2025-12-29", "2026-01-04")
    assert parse_week("tuần từ 29/12 đến 04/01/2026") == ("2025-12-29", "2026-01-04")
    assert parse_week("Điểm tin chỉ đạo, điều hành tuần 32/2023") == ("2023-08-07", "2023-08-13")
    assert parse_week("chỉ đạo, điều hành nổi bật") == (None, None)


def test_a_summary_written_one_item_a_line_is_read_as_the_summary(nlp):
    page = ("Thông tin chỉ đạo, điều hành của UBND tỉnh tuần từ 14/10 đến 20/10/2024\n\n"
            "- Kiểm tra công tác phòng cháy rừng mùa khô;\n- Giao chỉ tiêu tuyển dụng giáo viên năm học mới;\n"
            "- Đẩy mạnh thanh toán không dùng tiền mặt khi làm thủ tục hành chính.\n\n"
            "Kiểm tra công tác phòng cháy rừng mùa khô\n\nChi cục Kiểm lâm tổ chức kiểm tra các vùng rừng trọng điểm.\n\n"
            "Giao chỉ tiêu tuyển dụng giáo viên năm học mới\n\nSở Nội vụ thông báo chỉ tiêu cho từng huyện.\n\n"
            "Đẩy mạnh thanh toán không dùng tiền mặt khi làm thủ tục hành chính\n\nCác cơ quan niêm yết mã QR tại Bộ phận Một cửa.\n")
    records = nlp.tag_bulletin(page)
    assert [r.headline for r in records] == ["Kiểm tra công tác phòng cháy rừng mùa khô",
                                            "Giao chỉ tiêu tuyển dụng giáo viên năm học mới",
                                            "Đẩy mạnh thanh toán không dùng tiền mặt khi làm thủ tục hành chính"]


def test_numbered_items_without_a_summary_are_the_directives(nlp):
    page = ("Điểm tin chỉ đạo, điều hành tuần 42/2024\n\n"
            "1. Kiểm tra công tác phòng cháy rừng mùa khô.\n\nChi cục Kiểm lâm tổ chức kiểm tra các vùng rừng trọng điểm\n\n"
            "2. Giao chỉ tiêu tuyển dụng giáo viên.\n\nSở Nội vụ thông báo chỉ tiêu cho từng huyện; các huyện báo cáo\n\n"
            "3. Đẩy mạnh thanh toán không dùng tiền mặt.\n\nCác cơ quan niêm yết mã QR tại Bộ phận Một cửa.\n")
    records = nlp.tag_bulletin(page)
    assert [r.headline[:2] for r in records] == ["1.", "2.", "3."]
    assert records[0].text.endswith("trọng điểm") and records[2].text.endswith("Một cửa.")


PAGE_WITH_FURNITURE = """Trang chủ > Tin tức > Chỉ đạo điều hành
Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 04/3 đến ngày 10/3/2024)
Cập nhật: 11/03/2024 08:15
Cỡ chữ A A A

Tăng cường quản lý hoạt động khai thác cát trên sông

UBND tỉnh yêu cầu Sở Tài nguyên và Môi trường kiểm tra các điểm khai thác cát, xử lý nghiêm vi phạm.

(Nguồn: Văn phòng UBND tỉnh)

Triển khai Tháng hành động vì an toàn thực phẩm năm 2024

Sở Y tế chủ trì kiểm tra các cơ sở kinh doanh thực phẩm trong dịp lễ hội.

Từ khóa: chỉ đạo điều hành, UBND tỉnh
Facebook Zalo
Lên đầu trang
"""


def test_page_furniture_around_directives_is_left_out(nlp):
    records = nlp.tag_bulletin(PAGE_WITH_FURNITURE)
    assert [r.headline for r in records] == ["Tăng cường quản lý hoạt động khai thác cát trên sông",
                                            "Triển khai Tháng hành động vì an toàn thực phẩm năm 2024"]
    assert records[0].text.endswith("xử lý nghiêm vi phạm.")
    assert records[1].text.endswith("trong dịp lễ hội.")
