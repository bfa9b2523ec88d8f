"""Web pages to article text and metadata (fixtures in tests/web, written by the project)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from extract.decode import Rejection
from extract.pipeline import extract_article
from ingest.html import PageError, WebPage, decode_html, is_html, parse_page

WEB = Path(__file__).parent / "web"
# what the site navigation, related-news boxes, footers and scripts say: never article text
CHROME = [
    "Trang chủ",
    "Tin liên quan",
    "Tin cùng chuyên mục",
    "Các tin khác",
    "Tin đọc nhiều",
    "Quảng cáo",
    "Từ khóa",
    "Chia sẻ",
    "gtag",
    "Ghi rõ nguồn",
    "Cơ quan chủ quản",
    "Bản quyền",
    "Ý kiến bạn đọc",
]


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    content_type: str | None  # the HTTP header the page is served with
    url: str
    title: str
    author: str
    published: date
    outlet: str
    encoding: str
    first_line: str  # the lead, the text's first paragraph
    sentences: tuple[str, ...]  # figures the body must keep
    related: tuple[str, ...]  # related-news headlines that must not leak in


CASES = [
    Case(
        file="congan-nam-lam.html",  # provincial police portal: lead outside the body <div>
        content_type="text/html; charset=utf-8",
        url="https://congan.namlam.example.vn/tin-tuc/an-ninh-trat-tu/bao-dam-an-ninh-1245-luot-su-kien-2024-1187.html",
        title="Công an tỉnh Nam Lâm bảo đảm an ninh cho 1.245 lượt sự kiện trong năm 2024",
        author="Minh Khoa",
        published=date(2025, 3, 14),
        outlet="Công an tỉnh Nam Lâm",
        encoding="utf-8",
        first_line="(CANL) - Sáng ngày 13/3, Công an tỉnh Nam Lâm tổ chức hội nghị tổng kết",
        sentences=(
            "Trong năm 2024, Công an tỉnh Nam Lâm đã bảo đảm an ninh cho 1.245 lượt sự kiện, trong đó có 86 sự kiện",
            "bắt giữ 17 đối tượng, thu giữ 3,5 kg ma túy tổng hợp và 2.400 viên thuốc lắc.",
            "Dịp này, 24 tập thể và 51 cá nhân được Giám đốc Công an tỉnh tặng giấy khen",
        ),
        related=(
            "Triệt phá đường dây đánh bạc qua mạng, thu giữ 820 triệu đồng",
            "Ra quân tấn công trấn áp tội phạm dịp đầu xuân",
            "Cảnh báo thủ đoạn giả danh công an gọi điện lừa đảo",
        ),
    ),
    Case(
        file="bao-thoi-su.html",  # national daily: UTF-8 declared ISO-8859-1, metadata only in JSON-LD
        content_type="text/html; charset=ISO-8859-1",
        url="https://thoisu.example.vn/phap-luat/triet-pha-duong-day-lua-dao-dau-tu-qua-mang-20250520054500.htm",
        title="Triệt phá đường dây lừa đảo đầu tư qua mạng, bắt giữ 9 đối tượng",
        author="Hoàng Anh",
        published=date(2025, 5, 20),  # 05:45 +07:00, the 19th in UTC
        outlet="Báo Thời Sự",
        encoding="utf-8",
        first_line="Lập các trang đầu tư vàng, tiền ảo giả mạo, nhóm đối tượng đã chiếm đoạt hơn 12 tỷ đồng",
        sentences=(
            "từ tháng 5-2024 đến tháng 4-2025, nhóm đối tượng đã lập 14 trang mạng giả danh",
            "đã chiếm đoạt hơn 12 tỷ đồng của 320 người bị hại. Khi khám xét",
            "thu giữ 45 điện thoại di động, 18 máy tính xách tay và 260 sim điện thoại",
            "lợi nhuận từ 30% đến 50% mỗi tháng",
        ),
        related=(
            "Khởi tố giám đốc công ty bán hàng đa cấp trái phép",
            "hơn 700 tỷ đồng của hàng nghìn người",
            "Bắt đối tượng mua bán 1.500 tài khoản ngân hàng",
            "Chưa có ý kiến nào",
        ),
    ),
    Case(
        file="truyen-hinh-van-son.cp1258.html",  # TV site: Windows-1258 bytes, no charset anywhere
        content_type="text/html",
        url="https://vstv.example.vn/giao-thong/hon-2300-truong-hop-vi-pham-bi-xu-ly-2025060201.html",
        title="Hơn 2.300 trường hợp vi phạm giao thông bị xử lý trong tháng 5",
        author="Phương Thảo",
        published=date(2025, 6, 2),
        outlet="Truyền hình Vân Sơn",
        encoding="cp1258",
        first_line="VSTV - Trong tháng 5-2025, lực lượng Cảnh sát giao thông Công an tỉnh Nam Lâm",
        sentences=(
            "đã phát hiện, xử lý 2.318 trường hợp vi phạm trật tự, an toàn giao thông, tăng 11% so với tháng trước.",
            "có 874 trường hợp vi phạm quy định về nồng độ cồn",
            "tước giấy phép lái xe có thời hạn đối với 146 trường hợp, tạm giữ 395 xe mô tô",
        ),
        related=(
            "Lắp thêm camera giám sát tại 12 nút giao trọng điểm",
            "Điều chỉnh phân luồng qua cầu Trần Hưng Đạo",
            "Xem trực tuyến",
            "Phát video",
        ),
    ),
    Case(
        file="bao-mien-tay-moi.cp1258.html",  # old regional paper: <meta charset="windows-1258">, served bare
        content_type=None,
        url="https://mientaymoi.example.vn/phap-luat/dien-tap-pccc-cho-hau-lam-124.html",
        title="Diễn tập phòng cháy, chữa cháy tại chợ Hậu Lâm với 320 người tham gia",
        author="Trần Ngọc Lan",
        published=date(2025, 1, 8),
        outlet="Báo Miền Tây Mới",
        encoding="cp1258",
        first_line="MTM - Ngày 6/1, Công an tỉnh Hậu Lâm phối hợp với Ban quản lý chợ Hậu Lâm",
        sentences=(
            "Buổi diễn tập có 320 người tham gia",
            "Ban tổ chức huy động 12 xe chữa cháy, 2 xe thang và 1 xe cứu thương.",
            "chợ Hậu Lâm hiện có 1.120 ki-ốt, hằng ngày đón khoảng 8.000 lượt khách",
        ),
        related=(
            "Tạm giữ xe tải chở 3 tấn đường cát nhập lậu",
            "Khởi tố vụ cháy xưởng gỗ gây thiệt hại 2 tỷ đồng",
            "Bắt đối tượng trộm cắp 14 xe máy ở khu chợ đêm",
        ),
    ),
]


@cache
def _page(file: str) -> WebPage:
    case = next(c for c in CASES if c.file == file)
    return parse_page((WEB / case.file).read_bytes(), case.content_type, case.url)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_page_metadata(case: Case) -> None:
    page = _page(case.file)
    assert (page.title, page.author, page.published, page.outlet, page.encoding) == (
        case.title,
        case.author,
        case.published,
        case.outlet,
        case.encoding,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_page_text_is_the_body_only(case: Case) -> None:
    text = _page(case.file).text
    lines = text.split("\n")
    assert lines[0].startswith(case.first_line)  # the lead first; the headline is the title, not text
    assert case.title not in lines
    assert len(lines) >= 4 and all(line == line.strip() and line for line in lines)
    for sentence in case.sentences:
        assert sentence in text
    for leak in (*case.related, *CHROME):
        assert leak not in text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_page_text_is_nfc_without_carriage_returns(case: Case) -> None:
    text = _page(case.file).text
    assert unicodedata.is_normalized("NFC", text) and "\r" not in text


def test_windows_1258_without_any_declaration() -> None:
    body = (WEB / "truyen-hinh-van-son.cp1258.html").read_bytes()
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text, encoding = decode_html(body, None)
    assert encoding == "cp1258"
    # tone marks are combining characters in Windows-1258; NFC composes them
    assert "Đường dây nóng của Phòng Cảnh sát giao thông" in text
    assert "nồng độ cồn" in text and "tước giấy phép lái xe" in text


def test_windows_1258_declared_in_meta() -> None:
    body = (WEB / "bao-mien-tay-moi.cp1258.html").read_bytes()
    assert b'<meta charset="windows-1258">' in body
    text, encoding = decode_html(body, "text/html")
    assert encoding == "cp1258"
    assert "Thượng tá Huỳnh Văn Phúc, Trưởng Phòng Cảnh sát phòng cháy" in text


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=iso-8859-1", "text/html; charset=utf-8", "text/html; charset=windows-1252", "text/html; x=1"],
)
def test_windows_1258_served_with_a_wrong_charset(content_type: str) -> None:
    # ISO-8859-1 decodes any bytes, and reads "ư" as "ý": the Vietnamese check must see through it
    text, encoding = decode_html((WEB / "truyen-hinh-van-son.cp1258.html").read_bytes(), content_type)
    assert encoding == "cp1258"
    assert "tạm giữ 395 xe mô tô" in text


def test_utf8_declared_iso_8859_1_in_header_and_meta() -> None:
    body = (WEB / "bao-thoi-su.html").read_bytes()
    assert b"charset=iso-8859-1" in body
    text, encoding = decode_html(body, "text/html; charset=ISO-8859-1")
    assert encoding == "utf-8"
    assert "Phòng Cảnh sát hình sự Công an thành phố Vân Sơn" in text


def test_a_byte_order_mark_wins() -> None:
    html = "<html><body><p>Công an xã bắt giữ 3 đối tượng.</p></body></html>"
    assert decode_html(codecs.BOM_UTF16_LE + html.encode("utf-16-le"), "text/html; charset=utf-8") == (html, "utf-16")
    assert decode_html(codecs.BOM_UTF8 + html.encode(), "text/html; charset=windows-1258") == (html, "utf-8-sig")


def test_declared_charsets_that_are_not_vietnamese_still_decode() -> None:
    assert decode_html(b"<html><body>An ninh</body></html>", "text/html; charset=iso-8859-1")[1] == "ascii"
    text, encoding = decode_html(
        b"<html><body>caf\xe9 na\xefve r\xe9sum\xe9</body></html>", "text/html; charset=latin1"
    )
    assert (encoding, "café" in text) == ("iso8859-1", True)


def test_undecodable_bytes_are_not_utf8() -> None:
    body = b"<html><body>" + bytes([0x81, 0x8D, 0x8E, 0x8F, 0x90, 0xC3, 0x28]) * 4 + b"</body></html>"
    with pytest.raises(PageError) as caught:
        decode_html(body, None)
    assert caught.value.reason == "not_utf8"
    assert "no charset declared" in caught.value.detail


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=utf-8", b"<p>x</p>", True),
        ("application/xhtml+xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', True),
        (None, b"\n  <!DOCTYPE html>\n<html lang='vi'>", True),
        (None, b"<!-- cache 12:00 -->\n<html>", True),
        ("application/octet-stream", b"<HTML><HEAD><TITLE>x</TITLE>", True),
        ("text/plain", codecs.BOM_UTF8 + b"<!doctype html><html>", True),
        (None, b'{"nguon": "x"}', False),
        ("application/json", b"<!doctype html><html>", False),  # a definite other type is believed
        ("text/html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", False),  # so is a binary signature
        (None, b"", False),
        ("image/jpeg", b"\xff\xd8\xff\xe0", False),
    ],
)
def test_is_html(content_type: str | None, body: bytes, expected: bool) -> None:
    assert is_html(content_type, body) is expected


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", None])
def test_a_json_body_is_not_html(content_type: str | None) -> None:
    body = (WEB / "thong-ke.json").read_bytes()
    assert not is_html(content_type, body)
    with pytest.raises(PageError) as caught:
        parse_page(body, content_type, "https://congan.namlam.example.vn/api/thong-ke")
    assert caught.value.reason == "not_html"
    assert isinstance(caught.value, Rejection)  # recorded in `rejects` like an undecodable document


def test_a_section_front_page_has_no_article() -> None:
    body = (WEB / "chuyen-muc-an-ninh.html").read_bytes()
    with pytest.raises(PageError) as caught:
        parse_page(body, "text/html", "https://congan.namlam.example.vn/tin-tuc/an-ninh-trat-tu?page=2")
    assert (caught.value.reason, str(caught.value)) == ("empty", "empty: no article text found")


@pytest.mark.parametrize("body", [b"", b" \r\n\t", b"<html><head><title>x</title></head><body></body></html>"])
def test_blank_pages_are_empty(body: bytes) -> None:
    with pytest.raises(PageError) as caught:
        parse_page(body, "text/html", "https://x.example.vn/")
    assert caught.value.reason == "empty"


def test_extracted_text_yields_figures() -> None:
    page = _page("congan-nam-lam.html")
    # the flow hands the page's date on in the document header (EXTRACTION.md "Document header")
    article = extract_article(f" date {page.published.isoformat()} {page.text}", as_of=date(2025, 3, 20))
    assert article.facts.published_date == date(2025, 3, 14)
    figures = {(f.value, f.unit, f.item) for f in article.figures}
    assert (1245.0, "lượt", "sự kiện") in figures
    assert (17.0, None, "đối tượng") in figures
    assert (3.5, "kg", "ma túy tổng hợp") in figures
    events = next(f for f in article.figures if f.value == 1245.0)
    assert (events.period_start, events.period_end) == (date(2024, 1, 1), date(2024, 12, 31))


def test_a_teaser_before_the_body_is_not_the_lead() -> None:
    html = (WEB / "bao-thoi-su.html").read_text(encoding="utf-8")
    teaser = (
        '<div class="box-related"><div class="item"><a href="/phap-luat/a.htm">Bắt đối tượng</a>'
        '<p class="sapo">Các tài khoản được bán lại cho những nhóm lừa đảo ở nước ngoài, công an cho biết.</p>'
        "</div></div>"
    )
    body = html.replace('<h2 class="sapo">', teaser + '<h2 class="subtitle">').encode()
    text = parse_page(body, "text/html", "https://thoisu.example.vn/phap-luat/a.htm").text
    assert text.startswith("Ngày 19/5, Phòng Cảnh sát hình sự")
    assert "Các tài khoản được bán lại" not in text


def test_metadata_fallbacks() -> None:
    html = (WEB / "congan-nam-lam.html").read_text(encoding="utf-8")
    html = html.replace(
        '<meta name="author" content="Minh Khoa">', '<meta name="author" content="Công an tỉnh Nam Lâm">'
    )
    html = html.replace("2025-03-14T08:30:00+07:00", "14/03/2025 08:30")
    html = html.replace('<meta property="og:title"', '<meta property="og:ignored"')
    page = parse_page(html.encode(), "text/html", "https://congan.namlam.example.vn/a.html")
    assert page.author is None  # an "author" that is the outlet is no author
    assert page.published == date(2025, 3, 14)  # day/month/year, as Vietnamese sites write it
    assert page.title == "Công an tỉnh Nam Lâm bảo đảm an ninh cho 1.245 lượt sự kiện trong năm 2024"  # from <title>
