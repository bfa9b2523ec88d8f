"""Article structure and facts (extract/article.py) on documents written for the test."""

from __future__ import annotations

from datetime import date

from extract.pipeline import extract_article

HEADED = (
    " date 2025-03 (ANTĐ) - Sáng nay (14/3), Công an tỉnh tổ chức hội nghị tổng kết.\n\n"
    "Trong năm 2024, lực lượng chức năng đã xử lý 1.250 vụ vi phạm.\n\n"
    "MINH ANH\n"
    "Ý kiến bạn đọc\n"
    "Tin cùng chuyên mục\n"
    "Bắt 12 đối tượng đánh bạc\n"
)

HEADLESS = (
    "Triệt phá đường dây lừa đảo chiếm đoạt hơn 27 tỷ đồng\n"
    "Chia sẻ\n"
    "THU HÀ\n"
    "(PLVN) - Ngày 12/3, Công an thành phố cho biết đã bắt 9 đối tượng. "
    "Từ tháng 8/2024 đến ngày 1/2/2025, nhóm này lừa hơn 300 người.\n"
)

CREDITED = (
    "Xử phạt nhiều trường hợp vi phạm giao thông\n"
    "Công an huyện ngày 5-7 cho biết đã xử phạt 120 trường hợp vi phạm trong tháng 6/2025. "
    "Số tiền phạt hơn 300 triệu đồng. Quang Minh (TTXVN)"
)


def test_header_token_and_boilerplate_are_not_stored() -> None:
    article = extract_article(HEADED)
    assert article.text.startswith("(ANTĐ) - Sáng nay (14/3)")
    assert "Ý kiến bạn đọc" not in article.text and "12 đối tượng" not in article.text
    assert all(f.value != 12 for f in article.figures)


def test_header_month_and_today_cue_give_the_day() -> None:
    facts = extract_article(HEADED).facts
    assert (facts.published_date, facts.published_precision) == (date(2025, 3, 14), "day")
    assert facts.outlet == "ANTĐ"
    assert facts.author == "MINH ANH"
    assert facts.title is None


def test_title_byline_and_outlet_lead_without_header() -> None:
    article = extract_article(HEADLESS)
    facts = article.facts
    assert facts.title == "Triệt phá đường dây lừa đảo chiếm đoạt hơn 27 tỷ đồng"
    assert facts.author == "THU HÀ"
    assert facts.outlet == "PLVN"
    assert "Chia sẻ" not in article.text
    # the lead's day, in the year after the latest full date the text cites
    assert (facts.published_date, facts.published_precision) == (date(2025, 3, 12), "day")
    # a figure in the title is a figure
    assert article.figures[0].value == 27_000_000_000 and article.figures[0].char_start < 60


def test_credit_at_the_end_names_author_and_outlet() -> None:
    facts = extract_article(CREDITED).facts
    assert (facts.author, facts.outlet) == ("Quang Minh", "TTXVN")
    assert (facts.published_date, facts.published_precision) == (date(2025, 7, 5), "day")


def test_without_evidence_the_date_is_none() -> None:
    facts = extract_article("Công an phường tuần tra suốt đêm, bảo đảm an toàn cho 200 hộ dân.").facts
    assert (facts.published_date, facts.published_precision) == (None, "none")


def test_offsets_hold_in_the_stored_text() -> None:
    for document in (HEADED, HEADLESS, CREDITED):
        article = extract_article(document)
        for row in (*article.figures, *article.dates):
            assert article.text[row.char_start : row.char_end] == row.text


def test_yesterday_cue_dates_the_article_the_day_after() -> None:
    # the year from a full day cited a few days before (a year cited alone only bounds it)
    document = (
        "Thực nghiệm hiện trường vụ án\nHôm qua (18/5), cơ quan điều tra đã làm việc. Vụ việc xảy ra đêm 9/5/2017."
    )
    facts = extract_article(document).facts
    assert (facts.published_date, facts.published_precision) == (date(2017, 5, 19), "day")


def test_an_event_time_in_the_lead_is_not_the_day_of_writing() -> None:
    document = (
        "Bắt vụ vận chuyển ma túy\n"
        "Khoảng 22 giờ ngày 18/5, tổ công tác kiểm tra xe khách. Cơ quan điều tra ngày 19/5 cho biết thêm. "
        "Tháng 5/2017, Công an tỉnh đã bắt 12 vụ."
    )
    facts = extract_article(document).facts
    assert (facts.published_date, facts.published_precision) == (date(2017, 5, 1), "month")


def test_a_lead_tag_that_is_not_an_outlet_is_ignored() -> None:
    facts = extract_article("(TH) - Ngày 10/7/2017, Công an tỉnh bắt 3 đối tượng.").facts
    assert facts.outlet is None


def test_an_outlet_in_capitals_leads_the_body() -> None:
    """ "GD&TĐ - …": initials joined by "&", or a known outlet's name in capitals; a
    dateline or an acronym in capitals is no outlet (blind sets 18 and 21)."""
    assert extract_article("Thí sinh phấn khởi\nGD&TĐ - Những ánh mắt sau buổi thi.").facts.outlet == "GD&TĐ"
    assert extract_article("Tin nhanh\nVOV - Sáng nay có 3 vụ cháy.").facts.outlet == "VOV"
    assert extract_article("Tin nhanh\nHÀ NỘI - Sáng nay có 3 vụ cháy.").facts.outlet is None
    assert extract_article("Tin nhanh\nCSGT - lực lượng chức năng đã có mặt.").facts.outlet is None


def test_a_repeated_credit_keeps_the_name_apart_from_the_outlet() -> None:
    facts = extract_article("Ông Khương nói thêm về vụ việc năm 2017./. H.M/VOV.VN H.M/VOV.VN").facts
    assert (facts.author, facts.outlet) == ("H.M", "VOV.VN")


def test_a_credit_tag_that_is_not_an_outlet_is_ignored() -> None:
    facts = extract_article("Công an thành phố đã bắt 3 đối tượng ngày 10/7/2017. Mai Đỉnh(TH)").facts
    assert (facts.author, facts.outlet) == ("Mai Đỉnh", None)


def test_a_signer_after_a_note_in_brackets_is_the_author() -> None:
    for note, signer in (("(Tổng hợp)", "Vũ Hạnh"), ("(Theo Reuters/AP)", "Gia Bảo"), ("(còn tiếp)", "TRẦN NGHĨA")):
        facts = extract_article(f"Công an đang làm rõ vụ việc xảy ra ngày 10/7/2017. {note} {signer}").facts
        assert (facts.author, facts.outlet) == (signer, None), note
    facts = extract_article("Xe bị cháy rụi trong đêm 10/7/2017. (Ảnh: Internet) Theo TTVH").facts
    assert facts.author is None  # a source, not a signer


def test_a_recorded_by_tag_does_not_hide_the_credit() -> None:
    facts = extract_article("Bệnh nhân đã xuất viện ngày 10/6/2017. Phương Liên/Báo Tin Tức (ghi)").facts
    assert (facts.author, facts.outlet) == ("Phương Liên", "Báo Tin Tức")


def test_a_known_outlet_signing_the_end_is_the_outlet_not_an_author() -> None:
    facts = extract_article("Đơn vị quản lý đường đã sửa dải phân cách. Dân Việt").facts
    assert (facts.author, facts.outlet) == (None, "Dân Việt")
    facts = extract_article("Vụ án đang được điều tra làm rõ. TTXVN/Tin Tức").facts
    assert (facts.author, facts.outlet) == (None, "Tin Tức")


def test_two_signers_a_trailing_dash_and_a_compilers_tags() -> None:
    facts = extract_article("Công nhân đã khai quật xong hố ga. Minh Khoa - Lê Định").facts
    assert facts.author == "Minh Khoa - Lê Định"
    facts = extract_article("Chuyên gia nhận định như vậy về chiến sự. Bảo Công - ").facts
    assert facts.author == "Bảo Công"
    facts = extract_article("Nguồn: Zing.vn; Dân Trí; VnExpress Phạm Hương (Tổng hợp)").facts
    assert facts.author == "Phạm Hương"
    facts = extract_article("Hai nghệ sĩ đã phá bỏ định kiến đó. Theo Vũ Hà (Tổng hợp) (Khám phá)").facts
    assert (facts.author, facts.outlet) == ("Vũ Hà", "Khám phá")


def test_a_signer_then_the_papers_the_story_was_taken_from() -> None:
    """ "Name (tổng hợp theo báo X, Y)": the signer is the author; one source is the
    outlet, several name none of them."""
    facts = extract_article("Người dân vội chạy ra hỗ trợ. Lan Chi (tổng hợp theo báo Tin Mới, Báo Sáng)").facts
    assert (facts.author, facts.outlet) == ("Lan Chi", None)
    facts = extract_article("Con tàu trị giá khoảng 8,5 tỷ USD. MINH AN (Theo Sea News, Báo Sáng)").facts
    assert (facts.author, facts.outlet) == ("MINH AN", None)
    facts = extract_article("Đội bóng đã thắng trận. Hải Đăng (theo Sports Daily)").facts
    assert (facts.author, facts.outlet) == ("Hải Đăng", "Sports Daily")
    facts = extract_article("Thói quen ấy sẽ thay đổi. Thu Hà (từ Pháp)").facts  # where she writes from
    assert (facts.author, facts.outlet) == ("Thu Hà", None)


def test_an_outlet_speaking_of_itself_names_the_outlet() -> None:
    facts = extract_article("Chiều qua, nguồn tin của Thanh Niên cho biết cơ quan điều tra đã khởi tố vụ án.").facts
    assert facts.outlet == "Thanh Niên"


def test_a_tet_named_with_its_year_is_a_cited_day_for_yearless_dates() -> None:
    text = (
        "Hàng rào bị đổ từ năm 2019. Trước Tết Nguyên đán 2021 khoảng 1 tháng, xe tông đổ. "
        "Ngày 10/2, PV đến hiện trường."
    )
    article = extract_article(text)
    assert article.facts.published_precision == "none"  # no evidence of the day of writing
    day = next(d for d in article.dates if d.text == "Ngày 10/2")
    assert (day.start_date, day.year_inferred) == (date(2021, 2, 10), True)


def test_years_of_a_term_are_not_evidence_of_the_publication_year() -> None:
    facts = extract_article("Ngày 11/5, ông A, Bí thư Thành ủy (nhiệm kỳ 2015 - 2020), đến thăm đơn vị.").facts
    assert (facts.published_date, facts.published_precision) == (None, "none")


def test_plans_and_forecasts_are_not_evidence_of_the_publication_year() -> None:
    document = (
        "Máy bay ném bom được nâng cấp\n"
        "Không quân ngày 10/6 điều hai máy bay tới châu Âu. Dòng máy bay này sẽ bay tới những năm 2050, "
        "theo dự báo, vào năm 2045 vẫn dùng tốt. Chúng được sử dụng từ năm 1955 và nâng cấp năm 2016."
    )
    facts = extract_article(document).facts
    # the plans count for nothing, and years cited as past only bound the date from below
    assert (facts.published_date, facts.published_precision) == (None, "none")
    facts = extract_article(document + " Đợt nâng cấp cuối cùng xong ngày 2/6/2016.").facts
    assert (facts.published_date, facts.published_precision) == (date(2016, 6, 10), "day")


def test_an_article_is_not_published_after_it_is_read() -> None:
    document = "Quy hoạch đô thị\nNgày 10/6, hội nghị bàn về nhà ở. Thành phố lập đề án ngày 1/6/2040."
    assert extract_article(document).facts.published_date == date(2040, 6, 10)  # all the text says
    facts = extract_article(document, as_of=date(2026, 11, 23)).facts
    assert (facts.published_date, facts.published_precision) == (None, "none")


def test_a_signature_after_the_last_sentence_or_a_role_names_author_and_outlet() -> None:
    """ "… Việt Nam. Phúc Hằng (TTXVN)": the signature starts after the last sentence, not
    at the capitalised words before it; "CTV Bảo Long/VOV.VN" follows a role; a writer's
    tag ("(t/h)", "(thực hiện)") is no outlet and a role ("PV/VOV.VN") no author."""
    cases = {
        "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam. Phúc Hằng (TTXVN)": ("Phúc Hằng", "TTXVN"),
        "Hull: Robertson, Huddlestone, Mbokani CTV Bảo Long/VOV.VN": ("Bảo Long", "VOV.VN"),
        "Sự việc đang được làm rõ. Tuấn Minh (t/h)": ("Tuấn Minh", None),
        "Sự việc đang được làm rõ. PV/VOV.VN": (None, "VOV.VN"),
    }
    for ending, expected in cases.items():
        facts = extract_article(f"Tin trong ngày\nNgày 5/6, lực lượng chức năng đã có mặt. {ending}").facts
        assert (facts.author, facts.outlet) == expected, ending


def test_a_signature_after_a_byline_role_or_before_a_source() -> None:
    """ "Tin, ảnh: Phan Sáu (TTXVN)" signs after a role; "Skye, Theo Thời Đại" names the
    writer before the source (blind set 25); a colon alone opens no signature."""
    cases = {
        "Trong vòng 30 ngày. Tin, ảnh: Phan Sáu (TTXVN)": ("Phan Sáu", "TTXVN"),
        "Cường độ sẽ còn hơn thế. Skye, Theo Thời Đại": ("Skye", "Thời Đại"),
        "Kết quả như sau: Hà Nội (Việt Nam)": (None, None),
    }
    for ending, expected in cases.items():
        facts = extract_article(f"Tin trong ngày\nNgày 5/6, lực lượng chức năng đã có mặt. {ending}").facts
        assert (facts.author, facts.outlet) == expected, ending


def test_a_bracketed_source_word_is_not_part_of_the_outlet() -> None:
    """ "Song Hy (Nguồn: RT)": the outlet is RT (blind set 46)."""
    facts = extract_article("Tin thế giới\nCảnh sát tuyên bố xử lý vụ án. Song Hy (Nguồn: RT)").facts
    assert (facts.author, facts.outlet) == ("Song Hy", "RT")


def test_two_signers_after_a_match_statistic_are_the_authors() -> None:
    """A match report ends with its statistics table, then the signers (blind set 46)."""
    facts = extract_article("Bóng đá\nĐội khách thắng 2-1. Phạt góc 1 3 Cứu thua 4 Đăng Đức - Tuấn Hải").facts
    assert facts.author == "Đăng Đức - Tuấn Hải"


def test_two_teams_after_a_score_are_no_authors() -> None:
    facts = extract_article("Bóng đá\nKết quả vòng bảng: Boca 2 Sportivo Luquenõ - Deportivo Cali").facts
    assert facts.author is None
