"""A page fuzzer: pages in the shapes portals use (titles of several provinces, chrome,
summaries present, joined by commas, missing a semicolon or absent; headlines ending with a
full stop, starting in lower case, starting with "Theo"/"Tin"; other line ends), and the
directive boundaries must hold. Sentences are this project's own."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnpolicy_nlp.bulletin import split_pages
from vnpolicy_nlp.text import normalize

HEADLINES = [
    "Theo dõi sát diễn biến mưa lũ tại các huyện miền núi",
    "Tin học hóa quy trình tiếp nhận hồ sơ đất đai",
    "Tăng cường kiểm soát dịch tả lợn châu Phi",
    "Tuyển dụng viên chức giáo dục năm học mới",
    "Bảo đảm trật tự an toàn giao thông dịp nghỉ lễ",
    "Triển khai thanh toán không dùng tiền mặt tại bệnh viện",
    "Kiểm tra công tác phòng cháy tại chợ đầu mối",
]
BODIES = [
    ["UBND tỉnh yêu cầu các sở, ngành và địa phương theo dõi chặt chẽ tình hình, chủ động phương án ứng phó. "
     "Các đơn vị báo cáo kết quả về Văn phòng UBND tỉnh trước ngày 25 hằng tháng để tổng hợp.",
     "Sở Tài chính bố trí kinh phí thực hiện."],
    ["Chủ tịch UBND tỉnh giao Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan rà soát nhu cầu. "
     "Việc triển khai phải công khai, minh bạch và đúng quy định hiện hành của pháp luật về lĩnh vực này."],
    ["Các huyện, thành phố tổ chức kiểm tra, xử lý nghiêm các trường hợp vi phạm theo quy định. "
     "Kết quả thực hiện được tổng hợp, báo cáo UBND tỉnh trong quý tới để chỉ đạo kịp thời."],
]
TITLES = [
    "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 7/8 đến ngày 13/8/2023)",
    "Hoạt động chỉ đạo, điều hành của UBND tỉnh tuần từ 7/8 đến 13/8/2023",
    "Văn bản chỉ đạo, điều hành nổi bật tuần từ ngày 07/8/2023 đến ngày 13/8/2023",
    "THÔNG TIN CHỈ ĐẠO, ĐIỀU HÀNH CỦA UBND TỈNH TUẦN 32/2023",
    "Điểm tin chỉ đạo điều hành tuần 32 năm 2023",
]
SKIPS = ["", "Nhảy đến nội dung", "Skip to main content", "Chuyển đến nội dung chính"]
BANNERS = ["", "Cổng thông tin điện tử tỉnh Lạng Sơn", "Trang chủ > Tin tức > Chỉ đạo điều hành"]
STRAYS = ["", "245", "Ảnh minh họa", "Cập nhật ngày 14/8/2023 08:30", "Lượt xem: 1.204"]
SIGNATURES = ["", "Tin: Văn phòng UBND tỉnh", "Theo Báo Lạng Sơn", "Nguồn: VP UBND tỉnh", "BBT"]
FOOTERS = ["", "Tin liên quan", "Các tin khác", "Tin cùng chuyên mục"]


@st.composite
def pages(draw):
    n = draw(st.integers(2, 5))
    picks = draw(st.permutations(range(len(HEADLINES))))[:n]
    full_stop = draw(st.booleans())
    lower = draw(st.booleans())
    heads = []
    for k in picks:
        h = HEADLINES[k]
        if full_stop:
            h += "."
        if lower and k % 2 == 0:
            h = h[0].lower() + h[1:]
        heads.append(h)
    bodies = [BODIES[draw(st.integers(0, len(BODIES) - 1))] for _ in heads]
    summary_kind = draw(st.sampled_from(["none", "semicolons", "commas", "missing", "list"]))
    items = [HEADLINES[k] for k in picks]
    if summary_kind == "semicolons":
        summary = ["; ".join(items) + "."]
    elif summary_kind == "commas":
        summary = [", ".join(items[:2]) + ("; " + "; ".join(items[2:]) if items[2:] else "")
                   + "... là những nội dung chính trong tuần."]
    elif summary_kind == "missing" and len(items) >= 3:
        summary = [items[0] + " " + items[1] + "; " + "; ".join(items[2:]) + "."]
    elif summary_kind == "list":
        summary = [f"- {x};" for x in items[:-1]] + [f"- {items[-1]}."]
    else:
        summary = []
    paras = [draw(st.sampled_from(SKIPS)), draw(st.sampled_from(BANNERS)), draw(st.sampled_from(TITLES)), *summary,
             draw(st.sampled_from(STRAYS))]
    for h, body in zip(heads, bodies):
        paras += [h, *body, draw(st.sampled_from(STRAYS))]
    footer = draw(st.sampled_from(FOOTERS))
    paras += [draw(st.sampled_from(SIGNATURES)), footer, "Họp báo định kỳ quý III" if footer else ""]
    sep = draw(st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n"]))
    return sep.join(p for p in paras if p), heads, [b[-1] for b in bodies]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_fuzzed_pages_split_at_their_headlines(case):
    page, heads, last_paragraphs = case
    norm = normalize(page).text
    (split,) = split_pages(norm)
    assert split.bulletin is not None
    got = [norm[d.start:d.headline_end] for d in split.directives]
    assert got == [normalize(h).text for h in heads]
    for d, last in zip(split.directives, last_paragraphs):
        assert norm[d.start:d.end].endswith(normalize(last).text)


def test_several_pages_in_one_file_are_split_into_pages(nlp):
    one = "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 7/8 đến ngày 13/8/2023)\n\n"
    two = "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 14/8 đến ngày 20/8/2023)\n\n"
    body = "\n\n".join(f"{HEADLINES[k]}\n\n{BODIES[k % 3][0]}" for k in range(3))
    records = nlp.tag_bulletin("Nhảy đến nội dung\n\n" + one + body + "\n\nNhảy đến nội dung\n\n" + two + body)
    assert len(records) == 6
    assert [r.bulletin.week_start for r in records] == ["2023-08-07"] * 3 + ["2023-08-14"] * 3
    assert records[3].headline == HEADLINES[0] and "Nhảy" not in records[2].text
    assert len({r.id for r in records}) == 6


def test_an_unknown_title_does_not_swallow_the_page(nlp):
    page = ("Nhảy đến nội dung\n\nTin nổi bật tuần từ 7/8 đến 13/8/2023\n\n"
            + "\n\n".join(f"{HEADLINES[k]}\n\n{BODIES[k % 3][0]}" for k in range(3)))
    records = nlp.tag_bulletin(page)
    assert [r.headline for r in records] == HEADLINES[:3]
    plain = "Nhảy đến nội dung\n\nUBND tỉnh ban hành kế hoạch phòng chống thiên tai năm 2024.\n\nTin liên quan\n\nMục khác"
    (only,) = nlp.tag_bulletin(plain)
    assert only.text == "UBND tỉnh ban hành kế hoạch phòng chống thiên tai năm 2024."


def test_bulletin_titles_in_a_related_list_are_not_pages(nlp):
    page = ("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 7/8 đến ngày 13/8/2023)\n\n"
            + "\n\n".join(f"{HEADLINES[k]}\n\n{BODIES[k % 3][0]}" for k in range(3)))
    related = ("\n\nTin liên quan\n\nChỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 31/7 đến ngày 6/8/2023)"
               "\n\nChỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 24/7 đến ngày 30/7/2023)\n\nHọp báo quý III")
    assert [r.headline for r in nlp.tag_bulletin(page + related)] == HEADLINES[:3]
