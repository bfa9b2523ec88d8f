"""RSS and Atom feeds to article links (fixtures in tests/web, written by the project)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.feeds import FeedError, FeedItem, feed_items

WEB = Path(__file__).parent / "web"
RSS_URL = "https://congan.namlam.example.vn/rss/an-ninh.rss"
ATOM_URL = "https://vstv.example.vn/rss/giao-thong.atom"


def test_rss_items_joined_deduplicated_and_dated_in_their_own_zone() -> None:
    items = feed_items((WEB / "rss.xml").read_bytes(), RSS_URL)
    assert items == [
        FeedItem(
            link="https://congan.namlam.example.vn/tin-tuc/an-ninh-trat-tu/bao-dam-an-ninh-1245-luot-su-kien-2024-1187.html",
            title="Công an tỉnh Nam Lâm bảo đảm an ninh cho 1.245 lượt sự kiện trong năm 2024",
            published=date(2025, 3, 14),
            author="Minh Khoa",  # dc:creator
        ),
        FeedItem(
            link="https://thoisu.example.vn/phap-luat/triet-pha-duong-day-lua-dao-dau-tu-qua-mang-20250520054500.htm",
            title="Triệt phá đường dây lừa đảo đầu tư qua mạng, bắt giữ 9 đối tượng",
            published=date(2025, 5, 20),  # 05:45 +0700: still the 20th, not UTC's 19th
            author="Hoàng Anh",  # from "toasoan@… (Hoàng Anh)"
        ),
        # the item without <link> is skipped; the repeated link keeps its first item
        FeedItem(
            # a relative link without "/" joins against the feed's folder
            link="https://congan.namlam.example.vn/rss/tin-tuc/an-ninh-trat-tu/kiem-tra-co-so-kinh-doanh-karaoke-1163.html",
            title="Kiểm tra 36 cơ sở kinh doanh karaoke, quán bar",
            published=None,
            author=None,
        ),
    ]


def test_atom_items_use_updated_when_unpublished_and_drop_fragment_duplicates() -> None:
    items = feed_items((WEB / "atom.xml").read_bytes(), ATOM_URL)
    assert items == [
        FeedItem(
            link="https://vstv.example.vn/giao-thong/hon-2300-truong-hop-vi-pham-bi-xu-ly-2025060201.html",
            title="Hơn 2.300 trường hợp vi phạm giao thông bị xử lý trong tháng 5",
            published=date(2025, 6, 2),
            author="Phương Thảo",
        ),
        FeedItem(
            link="https://vstv.example.vn/giao-thong/lap-them-camera-giam-sat-tai-nut-giao-2025060101.html",
            title="Lắp thêm camera giám sát tại 12 nút giao trọng điểm",
            published=date(2025, 6, 1),
            author="Quốc Hùng",
        ),
    ]


def test_links_follow_the_feed_url_they_are_joined_against() -> None:
    items = feed_items((WEB / "atom.xml").read_bytes(), "http://mirror.example.org/vstv/feed.atom")
    assert [item.link for item in items] == [
        "http://mirror.example.org/giao-thong/hon-2300-truong-hop-vi-pham-bi-xu-ly-2025060201.html",
        "http://mirror.example.org/giao-thong/lap-them-camera-giam-sat-tai-nut-giao-2025060101.html",
    ]


def test_a_feed_without_items_is_empty_not_an_error() -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>Tin mới</title></channel></rss>'.encode()
    assert feed_items(body, RSS_URL) == []


def test_non_http_links_are_skipped() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>a</title><link>javascript:void(0)</link></item>"
        b"<item><title>b</title><link>mailto:toasoan@example.vn</link></item>"
        b"</channel></rss>"
    )
    assert feed_items(body, RSS_URL) == []


@pytest.mark.parametrize(
    "body",
    [
        (WEB / "congan-nam-lam.html").read_bytes(),
        (WEB / "thong-ke.json").read_bytes(),
        b"",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    ],
    ids=["html-page", "json", "empty", "pdf"],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed") as caught:
        feed_items(body, RSS_URL)
    assert isinstance(caught.value, ValueError)
    assert caught.value.detail.startswith("not an RSS or Atom feed")


def test_a_body_that_names_a_file_is_not_read_as_a_path(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would open a file of that name; a server must not be able to do that
    local = tmp_path / "feed.xml"
    local.write_bytes((WEB / "rss.xml").read_bytes())
    with pytest.raises(FeedError):
        feed_items(str(local).encode(), RSS_URL)
