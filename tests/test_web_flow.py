"""The `refresh` flow over web sources, end to end, against a real HTTP server on 127.0.0.1.

A feed lists the news-site-shaped pages of `tests/web` (written by the project); the flow
fetches them into a raw archive, extracts, validates and publishes. Then: a second run that
costs one 304, failures that become `rejects` rows while the rest publishes, legacy
Vietnamese charsets, an offline replay from the archive, `solieu run --input URL`, and the
scheduled deployment's run.

One server serves the module; each test has its own path prefix (`/a/`, `/c/`, ...), so
its URLs, archive and tables are its own. The first feed run is shared (module fixture):
each flow run costs a few seconds. The last tests call `ingest.web.collect_web` without the
flow, for what the archive must keep across runs (a failing feed, items dropped from a feed,
a `url` source asked again).
"""

from __future__ import annotations

import hashlib
import importlib
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import flows.refresh
from flows.cli import main
from flows.refresh import RunSummary, refresh
from flows.schedule import build_deployment, configured_refresh
from ingest.archive import ArchiveRecord, RawArchive
from ingest.http import Fetcher, FetchPolicy
from ingest.sources import Source
from ingest.web import WebDocuments, collect_web
from tests.conftest import threaded_http_server
from transform.publish import PARTS
from transform.schemas import PUBLISHED, REJECT_REASONS, TABLES

WEB = Path(__file__).parent / "web"
ETAG = '"rss-2025-05-20"'
LAST_MODIFIED = "Tue, 20 May 2025 06:00:00 GMT"
RSS_TYPE = "application/rss+xml; charset=utf-8"
# Fast, bounded fetching for the failure run: a hung server costs 2 x 0.3 s, a retry 10 ms.
FAST_POLICY = {"connect_timeout": 2.0, "read_timeout": 0.3, "retries": 1, "backoff": 0.01, "max_bytes": 1024 * 1024}
TIMESTAMP_COLUMNS = {"articles": ["extracted_at"], "rejects": ["seen_at"], "figures": [], "dates": []}
SORT_KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id", "rejects": "source_uri"}
FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Page:
    """A fixture page, the Content-Type it is served with, and what its article must say."""

    file: str
    content_type: str
    title: str
    author: str
    published: date
    outlet: str
    words: tuple[str, ...]  # in the article text, diacritics and all


CONGAN = Page(
    "congan-nam-lam.html",
    "text/html; charset=utf-8",
    title="Công an tỉnh Nam Lâm bảo đảm an ninh cho 1.245 lượt sự kiện trong năm 2024",
    author="Minh Khoa",
    published=date(2025, 3, 14),
    outlet="Công an tỉnh Nam Lâm",
    words=("(CANL) - Sáng ngày 13/3", "bảo đảm an ninh cho 1.245 lượt sự kiện", "thu giữ 3,5 kg ma túy"),
)
THOI_SU = Page(  # UTF-8 bytes that the header (and the <meta>) call ISO-8859-1
    "bao-thoi-su.html",
    "text/html; charset=ISO-8859-1",
    title="Triệt phá đường dây lừa đảo đầu tư qua mạng, bắt giữ 9 đối tượng",
    author="Hoàng Anh",
    published=date(2025, 5, 20),  # 05:45 +07:00: the 19th in UTC
    outlet="Báo Thời Sự",
    words=("Lập các trang đầu tư vàng, tiền ảo giả mạo", "chiếm đoạt hơn 12 tỷ đồng của 320 người bị hại"),
)
VAN_SON = Page(  # Windows-1258 bytes, no charset declared anywhere
    "truyen-hinh-van-son.cp1258.html",
    "text/html",
    title="Hơn 2.300 trường hợp vi phạm giao thông bị xử lý trong tháng 5",
    author="Phương Thảo",
    published=date(2025, 6, 2),
    outlet="Truyền hình Vân Sơn",
    words=("lực lượng Cảnh sát giao thông Công an tỉnh Nam Lâm", "874 trường hợp vi phạm quy định về nồng độ cồn"),
)
MIEN_TAY = Page(  # Windows-1258 bytes declared by <meta charset="windows-1258">
    "bao-mien-tay-moi.cp1258.html",
    "text/html",
    title="Diễn tập phòng cháy, chữa cháy tại chợ Hậu Lâm với 320 người tham gia",
    author="Trần Ngọc Lan",
    published=date(2025, 1, 8),
    outlet="Báo Miền Tây Mới",
    words=("Buổi diễn tập có 320 người tham gia", "1.120 ki-ốt, hằng ngày đón khoảng 8.000 lượt khách"),
)
FEED_PAGES = (CONGAN, THOI_SU, VAN_SON, MIEN_TAY)
SOURCE_OUTLET = "Tin tổng hợp Nam Lâm"  # the feed's `outlet:` in the sources file
# A page that states no outlet and no date in its markup (invented, like the fixtures): the
# sources file's outlet applies, and the date comes from the text's lead ("Ngày 2/4").
BARE_NAME = "bat-6-doi-tuong-trom-xe-may.html"
BARE_TITLE = "Bắt giữ 6 đối tượng trộm cắp xe máy ở chợ đêm"
BARE_HTML = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{BARE_TITLE}</title></head>
<body><div class="menu"><a href="/">Trang chủ</a> | <a href="/an-ninh">An ninh</a></div>
<h1>{BARE_TITLE}</h1>
<div class="noi-dung">
<p>Ngày 2/4, Công an huyện Hòa Vân đã bắt giữ 6 đối tượng trộm cắp xe máy tại các khu chợ đêm trên địa bàn.</p>
<p>Qua điều tra, các đối tượng khai nhận đã thực hiện 14 vụ trộm từ đầu năm 2025 đến nay, chiếm đoạt tài sản
trị giá khoảng 310 triệu đồng.</p>
<p>Vụ việc đang được Cơ quan Cảnh sát điều tra Công an huyện Hòa Vân tiếp tục điều tra, mở rộng.</p>
</div></body></html>
""".encode()


# --- the server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """One threaded server for the module (a hung handler must not block the others)."""
    with threaded_http_server() as started:
        yield started


def rss(items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 feed of `(title, link)` items; links may be relative to the feed URL."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>Tue, 20 May 2025 05:45:00 +0700</pubDate></item>\n"
        for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        "<title>Tin an ninh trật tự (thử nghiệm)</title><link>http://127.0.0.1/</link>\n"
        f"<description>Bản tin thử nghiệm của solieu</description>\n{entries}</channel></rss>\n"
    ).encode()


class Site:
    """The pages and feeds of one test, under `/<prefix>/` of the shared server."""

    def __init__(self, server: HTTPServer, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self.served: dict[str, bytes] = {}  # URL -> the body a 200 sends

    def url(self, name: str) -> str:
        return self.server.url_for(self.path(name))

    def path(self, name: str) -> str:
        return f"/{self.prefix}/{name}"

    def data(self, name: str, body: bytes, content_type: str) -> str:
        """Serve `body` at `name` with a 200; its URL."""
        self.server.expect_request(self.path(name)).respond_with_data(body, content_type=content_type)
        self.served[self.url(name)] = body
        return self.url(name)

    def page(self, page: Page, name: str | None = None) -> str:
        """Serve a fixture page (under its own file name unless `name`); its URL."""
        return self.data(name or page.file, (WEB / page.file).read_bytes(), page.content_type)

    def file(self, file: str, content_type: str) -> str:
        return self.data(file, (WEB / file).read_bytes(), content_type)

    def handler(self, name: str, handler: Callable[[Request], Response]) -> str:
        self.server.expect_request(self.path(name)).respond_with_handler(handler)
        return self.url(name)

    def feed(self, items: list[tuple[str, str]], name: str = "rss.xml") -> str:
        """A feed with ETag and Last-Modified, answering 304 to a request that names its ETag."""
        body = rss(items)
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}

        def conditional(request: Request) -> Response:
            if request.headers.get("If-None-Match") == ETAG:
                return Response(status=304, headers=validators)
            return Response(body, content_type=RSS_TYPE, headers=validators)

        self.handler(name, conditional)
        self.served[self.url(name)] = body
        return self.url(name)

    def requests(self, since: int = 0) -> list[tuple[Request, Response]]:
        """This site's requests in the server log, from log position `since` on."""
        return [(req, res) for req, res in self.server.log[since:] if req.path.startswith(f"/{self.prefix}/")]


def write_sources(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def feed_items(pages: dict[str, str]) -> list[tuple[str, str]]:
    """Feed items linking to `pages` (file -> URL) by path, relative to the server root."""
    return [(file, "/" + url.split("/", 3)[3]) for file, url in pages.items()]


# --- reading the tables ------------------------------------------------------------------


def read_frames(output: Path) -> dict[str, pd.DataFrame]:
    """The published tables as pandas frames, without the partition column."""
    return {name: pd.read_parquet(output / name)[schema.names] for name, schema in TABLES.items()}


def assert_same_rows(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    """The same rows, the run's timestamps aside, in key order: what a replay must reproduce."""
    for name in TABLES:
        a, b = (
            frames[name].drop(columns=TIMESTAMP_COLUMNS[name]).sort_values(SORT_KEYS[name]).reset_index(drop=True)
            for frames in (left, right)
        )
        pd.testing.assert_frame_equal(a, b, obj=name)  # NaN == NaN here, unlike in dict comparisons


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (links followed): content and inode (a rewritten file gets a new inode)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def article(frames: dict[str, pd.DataFrame], url: str) -> dict:
    rows = frames["articles"][frames["articles"]["source_uri"] == url].to_dict("records")
    assert len(rows) == 1, f"{url}: {len(rows)} article rows"
    return rows[0]


def rows_of(frames: dict[str, pd.DataFrame], table: str, url: str) -> list[dict]:
    aid = article(frames, url)["article_id"]
    return frames[table][frames[table]["article_id"] == aid].to_dict("records")


def assert_offsets_valid(frames: dict[str, pd.DataFrame]) -> None:
    texts = dict(zip(frames["articles"]["article_id"], frames["articles"]["text"], strict=True))
    for table in ("figures", "dates"):
        for row in frames[table].to_dict("records"):
            text = texts[row["article_id"]]
            assert 0 <= row["char_start"] < row["char_end"] <= len(text), row
            assert text[row["char_start"] : row["char_end"]] == row["text"], row


# --- a feed end to end (shared first run) ---------------------------------------------


@dataclass
class FeedRun:
    site: Site
    base: Path
    sources: Path
    feed: str
    pages: dict[str, str]  # fixture file -> URL
    bare: str  # the URL of BARE_HTML
    summary: RunSummary
    frames: dict[str, pd.DataFrame]
    records: list[ArchiveRecord]  # the manifest right after the run
    requests: list[tuple[Request, Response]]

    @property
    def output(self) -> Path:
        return self.base / "tables"

    @property
    def archive(self) -> Path:
        return self.base / "archive"


def run_sources(sources: Path, base: Path, **parameters: object) -> RunSummary:
    return refresh(
        sources_file=str(sources),
        output=str(base / "tables"),
        archive_dir=str(base / "archive"),
        validation_dir=str(base / "validation"),
        **parameters,
    )


@pytest.fixture(scope="module")
def feed_run(server: HTTPServer, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> FeedRun:
    site = Site(server, "a")
    pages = {page.file: site.page(page) for page in FEED_PAGES}
    bare = site.data(BARE_NAME, BARE_HTML, "text/html; charset=utf-8")
    feed = site.feed(feed_items({**pages, BARE_NAME: bare}))
    base = tmp_path_factory.mktemp("feed-run")
    sources = write_sources(base / "sources.yaml", [{"name": "nam-lam-rss", "feed": feed, "outlet": SOURCE_OUTLET}])
    since = len(server.log)
    summary = run_sources(sources, base)
    return FeedRun(
        site,
        base,
        sources,
        feed,
        pages,
        bare,
        summary,
        read_frames(base / "tables"),
        RawArchive(base / "archive").records(),
        site.requests(since),
    )


@pytest.mark.flow
def test_feed_pages_become_articles_with_their_page_metadata(feed_run: FeedRun) -> None:
    summary, frames = feed_run.summary, feed_run.frames
    assert summary.published and not summary.unchanged
    assert (summary.documents, summary.extracted, summary.reused) == (5, 5, 0)
    assert summary.rejected == {}
    assert frames["rejects"].empty
    assert sorted(frames["articles"]["source_uri"]) == sorted([*feed_run.pages.values(), feed_run.bare])
    for page in FEED_PAGES:
        row = article(frames, feed_run.pages[page.file])
        # the page's own metadata, not what the text or the sources file suggests
        assert (row["title"], row["author"], row["outlet"]) == (page.title, page.author, page.outlet)
        assert (row["published_date"], row["published_precision"]) == (page.published, "day")
        assert row["published_year"] == page.published.year
        assert row["content_sha256"] == hashlib.sha256(feed_run.site.served[feed_run.pages[page.file]]).hexdigest()
        assert row["n_chars"] == len(row["text"])
        for words in page.words:
            assert words in row["text"], (page.file, words)
        for chrome in ("Tin liên quan", "Tin cùng chuyên mục", "Trang chủ", "gtag("):
            assert chrome not in row["text"], (page.file, chrome)


@pytest.mark.flow
def test_feed_figures_are_found_with_valid_offsets(feed_run: FeedRun) -> None:
    frames = feed_run.frames
    assert_offsets_valid(frames)
    url = feed_run.pages[CONGAN.file]
    text = article(frames, url)["text"]
    figures = {f["value"]: f for f in rows_of(frames, "figures", url)}
    events = figures[1245.0]
    assert (events["text"], events["unit"], events["item"]) == ("1.245 lượt sự kiện", "lượt", "sự kiện")
    assert (events["metric"], events["qualifier"]) == ("security_events", "exact")
    assert text[events["char_start"] : events["char_end"]] == "1.245 lượt sự kiện"
    assert (events["period_start"], events["period_end"]) == (date(2024, 1, 1), date(2024, 12, 31))  # "Trong năm 2024"
    assert (figures[17.0]["text"], figures[17.0]["metric"]) == ("17 đối tượng", "suspects")
    assert (figures[3.5]["text"], figures[3.5]["unit"]) == ("3,5 kg ma túy tổng hợp", "kg")
    assert not [f for f in figures.values() if f["value"] in (820.0, 2716.0)], "a related-news or view-count figure"
    cp1258 = {f["value"] for f in rows_of(frames, "figures", feed_run.pages[VAN_SON.file])}
    assert {2318.0, 874.0} <= cp1258


@pytest.mark.flow
def test_every_fetch_is_in_the_archive_manifest_with_its_body(feed_run: FeedRun) -> None:
    records = feed_run.records
    urls = [feed_run.feed, *feed_run.pages.values(), feed_run.bare]
    assert sorted(r.url for r in records) == sorted(urls), "one manifest line per fetched URL"
    # the server saw exactly these requests, the feed unconditionally (the archive was empty)
    assert sorted(req.url for req, _ in feed_run.requests) == sorted(urls)
    [feed_request] = [req for req, _ in feed_run.requests if req.url == feed_run.feed]
    assert "If-None-Match" not in feed_request.headers
    archive = RawArchive(feed_run.archive)
    for record in records:
        served = feed_run.site.served[record.url]
        assert (record.status, record.final_url, record.error) == (200, record.url, None)
        assert record.source == "nam-lam-rss"
        assert record.role == ("feed" if record.url == feed_run.feed else "page")
        assert record.sha256 == hashlib.sha256(served).hexdigest()
        assert record.size == len(served)
        body = archive.body_path(record.sha256)
        assert body.is_file()
        assert body.read_bytes() == served
        assert record.headers["content-length"] == str(len(served))
    feed_record = next(r for r in records if r.url == feed_run.feed)
    assert (feed_record.headers["etag"], feed_record.headers["last-modified"]) == (ETAG, LAST_MODIFIED)
    assert feed_record.headers["content-type"] == RSS_TYPE
    by_url = {r.url: r for r in records}
    for page in FEED_PAGES:
        assert by_url[feed_run.pages[page.file]].headers["content-type"] == page.content_type


@pytest.mark.flow
def test_a_page_that_names_no_outlet_takes_the_sources_outlet(feed_run: FeedRun) -> None:
    row = article(feed_run.frames, feed_run.bare)
    # not the URL's host, which trafilatura offers for a page without a site name
    assert row["outlet"] == SOURCE_OUTLET
    assert row["title"] == BARE_TITLE
    assert pd.isna(row["author"])
    assert row["text"].startswith("Ngày 2/4, Công an huyện Hòa Vân đã bắt giữ 6 đối tượng")
    assert "Trang chủ" not in row["text"]


@pytest.mark.flow
def test_a_page_without_a_date_in_its_markup_is_dated_by_its_text(feed_run: FeedRun) -> None:
    row = article(feed_run.frames, feed_run.bare)
    assert (row["published_date"], row["published_precision"]) == (date(2025, 4, 2), "day")


# --- charsets -------------------------------------------------------------------------


@pytest.mark.flow
@pytest.mark.parametrize("page", [VAN_SON, MIEN_TAY, THOI_SU], ids=["cp1258-undeclared", "cp1258-meta", "mislabeled"])
def test_legacy_and_mislabeled_charsets_become_vietnamese_text(feed_run: FeedRun, page: Page) -> None:
    served = feed_run.site.served[feed_run.pages[page.file]]
    if page.file.endswith(".cp1258.html"):  # the bytes really are Windows-1258, tone marks combining
        with pytest.raises(UnicodeDecodeError):
            served.decode("utf-8")
    row = article(feed_run.frames, feed_run.pages[page.file])
    for value in (row["text"], row["title"], row["author"], row["outlet"]):
        assert unicodedata.is_normalized("NFC", value)
        assert not {"\ufffd", "Ã", "Æ", "Ð", "ð"} & set(value), value[:200]  # no mojibake
    assert row["title"] == page.title
    for words in page.words:
        assert words in row["text"]


# --- a second run fetches nothing new ---------------------------------------------------


@pytest.mark.flow
def test_a_second_run_costs_one_304_and_keeps_the_tables(feed_run: FeedRun, server: HTTPServer) -> None:
    before = snapshot(feed_run.output)
    assert {path.split("/")[0] for path in before} == {*PUBLISHED, PARTS}
    version = feed_run.output.resolve()
    since = len(server.log)
    summary = run_sources(feed_run.sources, feed_run.base)

    requests = feed_run.site.requests(since)
    assert [(req.url, res.status_code) for req, res in requests] == [(feed_run.feed, 304)], "page requests were made"
    [(feed_request, _)] = requests
    assert feed_request.headers["If-None-Match"] == ETAG
    assert feed_request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert summary.unchanged and summary.published
    assert (summary.documents, summary.extracted, summary.reused) == (5, 0, 5)
    assert summary.rows == feed_run.summary.rows
    assert feed_run.output.resolve() == version, "republished although nothing changed"
    assert snapshot(feed_run.output) == before
    # the 304 is one more manifest line, without a body; the archive still points at the 200
    records = RawArchive(feed_run.archive).records()
    assert records[: len(feed_run.records)] == feed_run.records
    [extra] = records[len(feed_run.records) :]
    assert (extra.url, extra.status, extra.sha256, extra.size, extra.error) == (feed_run.feed, 304, None, 0, None)
    assert RawArchive(feed_run.archive).latest(feed_run.feed) == next(
        r for r in feed_run.records if r.url == feed_run.feed
    )


# --- replay offline -----------------------------------------------------------------------


@pytest.mark.flow
def test_replay_reproduces_the_tables_without_a_request(feed_run: FeedRun, server: HTTPServer, tmp_path: Path) -> None:
    manifest = (feed_run.archive / "manifest.jsonl").read_bytes()
    since = len(server.log)
    summary = refresh(
        sources_file=str(feed_run.sources),
        output=str(tmp_path / "tables2"),
        archive_dir=str(feed_run.archive),
        validation_dir=str(tmp_path / "validation"),
        replay=True,
    )
    assert server.log[since:] == [], "replay went to the network"
    assert (feed_run.archive / "manifest.jsonl").read_bytes() == manifest, "replay wrote to the archive"
    assert summary.published
    assert (summary.documents, summary.extracted) == (5, 5)
    assert_same_rows(read_frames(tmp_path / "tables2"), feed_run.frames)


@pytest.mark.flow
def test_replay_of_a_url_never_fetched_is_a_fetch_error_reject(tmp_path: Path, prefect_harness: None) -> None:
    never = "http://127.0.0.1:9/never-fetched.html"  # the discard port: a request could not even connect
    sources = write_sources(tmp_path / "sources.yaml", [{"name": "unseen", "url": never}])
    summary = run_sources(sources, tmp_path, replay=True)
    assert summary.published
    assert summary.rejected == {"fetch_error": 1}
    [reject] = read_frames(tmp_path / "tables")["rejects"].to_dict("records")
    assert (reject["source_uri"], reject["detail"]) == (never, "not in the raw archive (replay)")
    assert not (tmp_path / "archive" / "manifest.jsonl").exists()


# --- failures land in rejects, the rest publishes -----------------------------------------


@dataclass
class FailureSite:
    site: Site
    good: dict[str, str]  # fixture file -> URL
    expected: dict[str, tuple[str, str]]  # URL -> (reason, detail or its start)
    flaky: str
    release: threading.Event


def failure_site(server: HTTPServer) -> FailureSite:
    site = Site(server, "c")
    good = {page.file: site.page(page) for page in (CONGAN, THOI_SU)}
    release = threading.Event()

    def hung(request: Request) -> Response:
        release.wait(5)  # far past the 0.3 s read timeout; released when the run is over
        return Response("late", content_type="text/html")

    def huge(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            chunk = b"x" * 65536
            for _ in range(FIFTY_MB // len(chunk)):
                yield chunk

        return Response(body(), headers={"Content-Length": str(FIFTY_MB)}, content_type="text/html")

    calls: list[int] = []
    van_son = (WEB / VAN_SON.file).read_bytes()

    def flaky(request: Request) -> Response:  # 500 the first time, the page after
        calls.append(1)
        if len(calls) == 1:
            return Response("quá tải", status=500)
        return Response(van_son, content_type=VAN_SON.content_type)

    loop = site.url("vong-lap.html")
    site.server.expect_request(site.path("vong-lap.html")).respond_with_data("", status=302, headers={"Location": loop})
    site.server.expect_request(site.path("da-xoa.html")).respond_with_data("Không tìm thấy", status=404)
    expected = {
        site.url("da-xoa.html"): ("http_error", "HTTP 404 Not Found"),
        site.file("thong-ke.json", "application/json"): ("not_html", "application/json; body starts"),
        loop: ("fetch_error", "too many redirects (over 5)"),
        site.file("chuyen-muc-an-ninh.html", "text/html; charset=utf-8"): ("empty", ""),
        site.handler("cham.html", hung): ("fetch_error", "read timeout (0.3 s) (after 2 attempts)"),
        site.handler("rat-lon.html", huge): ("too_large", f"Content-Length {FIFTY_MB} bytes, limit 1048576"),
    }
    flaky_url = site.handler("qua-tai.html", flaky)
    site.served[flaky_url] = van_son
    return FailureSite(site, good, expected, flaky_url, release)


@pytest.mark.flow
def test_failed_fetches_and_pages_are_rejects_and_the_rest_publishes(
    server: HTTPServer, tmp_path: Path, prefect_harness: None
) -> None:
    failing = failure_site(server)
    pages = {**failing.good, "qua-tai.html": failing.flaky, **{url: url for url in failing.expected}}
    feed = failing.site.feed(feed_items(pages))
    sources = write_sources(tmp_path / "sources.yaml", [{"name": "hon-hop", "feed": feed}])
    since = len(server.log)
    try:
        summary = run_sources(sources, tmp_path, fetch_policy=FAST_POLICY)
    finally:
        failing.release.set()

    frames = read_frames(tmp_path / "tables")
    assert summary.published
    assert sorted(frames["articles"]["source_uri"]) == sorted([*failing.good.values(), failing.flaky])
    rejects = {row["source_uri"]: row for row in frames["rejects"].to_dict("records")}
    assert {url: row["reason"] for url, row in rejects.items()} == {
        url: reason for url, (reason, _) in failing.expected.items()
    }
    for url, (reason, detail) in failing.expected.items():
        assert reason in REJECT_REASONS
        assert rejects[url]["detail"].startswith(detail), (url, rejects[url]["detail"])
    assert summary.rejected == {"http_error": 1, "not_html": 1, "fetch_error": 2, "empty": 1, "too_large": 1}
    # a page that was fetched and read has its body's digest; a failed fetch has none
    empty = next(url for url, (reason, _) in failing.expected.items() if reason == "empty")
    assert rejects[empty]["content_sha256"] == hashlib.sha256(failing.site.served[empty]).hexdigest()
    assert pd.isna(rejects[failing.site.url("da-xoa.html")]["content_sha256"])

    # the 500 was retried once and its page is an article like the others
    flaky = article(frames, failing.flaky)
    assert flaky["title"] == VAN_SON.title
    paths = [req.path for req, _ in failing.site.requests(since)]
    assert paths.count(failing.site.path("qua-tai.html")) == 2
    assert paths.count(failing.site.path("da-xoa.html")) == 1, "a 404 is not retried"
    assert paths.count(failing.site.path("vong-lap.html")) == 6  # the request and five redirects
    records = {r.url: r for r in RawArchive(tmp_path / "archive").records()}
    assert (records[failing.flaky].status, records[failing.flaky].error) == (200, None)
    assert records[failing.site.url("rat-lon.html")].sha256 is None  # nothing of the 50 MB stored
    assert_offsets_valid(frames)


# --- solieu run --input URL ----------------------------------------------------------------


@pytest.mark.flow
def test_cli_run_reads_a_page_url(
    server: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], prefect_harness: None
) -> None:
    site = Site(server, "f")
    url = site.page(MIEN_TAY, "tin-bai.html")
    output, archive = tmp_path / "tables", tmp_path / "archive"
    code = main(["run", "--input", url, "--output", str(output), "--archive", str(archive), "--runner", "threads"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    frames = read_frames(output)
    row = article(frames, url)
    assert (row["title"], row["published_date"]) == (MIEN_TAY.title, MIEN_TAY.published)
    assert "documents read:   1 (extracted 1, reused 0)" in printed
    [record] = RawArchive(archive).records()
    assert (record.url, record.status, record.role, record.source) == (url, 200, "page", "127.0.0.1")
    assert (tmp_path / "validation" / "index.html").is_file()


# --- the scheduled refresh -----------------------------------------------------------------


@pytest.mark.flow
def test_a_scheduled_refresh_reads_the_feed(server: HTTPServer, tmp_path: Path, prefect_harness: None) -> None:
    site = Site(server, "g")
    pages = {page.file: site.page(page) for page in (CONGAN, MIEN_TAY)}
    feed = site.feed(feed_items(pages))
    sources = write_sources(tmp_path / "sources.yaml", [{"name": "lich", "feed": feed}])
    parameters = {
        "sources_file": str(sources),
        "output": str(tmp_path / "tables"),
        "archive_dir": str(tmp_path / "archive"),
        "validation_dir": str(tmp_path / "validation"),
    }
    deployment = build_deployment(parameters, cron="*/30 * * * *", flow=configured_refresh("threads"))

    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "*/30 * * * *"
    assert schedule.active
    assert deployment.parameters == parameters
    assert (deployment.name, deployment.flow_name) == ("solieu-refresh", "refresh")
    path, _, name = deployment.entrypoint.partition(":")
    assert (Path.cwd() / path).resolve() == Path(flows.refresh.__file__).resolve()
    module = importlib.import_module(".".join(Path(flows.refresh.__file__).with_suffix("").parts[-2:]))
    assert getattr(module, name) is refresh

    # what the schedule's tick runs, without waiting for the clock
    summary = refresh(**deployment.parameters)
    assert summary.published
    frames = read_frames(tmp_path / "tables")
    assert sorted(frames["articles"]["source_uri"]) == sorted(pages.values())
    assert article(frames, pages[CONGAN.file])["title"] == CONGAN.title
    assert {r.url for r in RawArchive(tmp_path / "archive").records()} == {feed, *pages.values()}


# --- collect_web without the flow: what the archive keeps across runs ----------------------------


def collect(sources: list[Source], archive: Path, replay: bool = False) -> WebDocuments:
    """One run's web step, as the flow's `fetch web sources` task does it, with fast retries."""
    store = RawArchive(archive)
    if replay:
        return collect_web(sources, store, None)
    with Fetcher(store, FetchPolicy(read_timeout=0.3, retries=0, backoff=0.01)) as fetcher:
        return collect_web(sources, store, fetcher)


class ChangingFeed:
    """A feed whose items (and ETag) the test changes between runs, or that fails with `status`."""

    def __init__(self, site: Site, items: list[tuple[str, str]]) -> None:
        self.items, self.status, self.version = items, 200, 1
        self.url = site.handler("rss.xml", self._respond)

    def _respond(self, request: Request) -> Response:
        if self.status != 200:
            return Response("lỗi máy chủ", status=self.status)
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(rss(self.items), content_type=RSS_TYPE, headers={"ETag": etag})


def test_a_feed_that_fails_keeps_its_pages_from_the_archive(server: HTTPServer, tmp_path: Path) -> None:
    site = Site(server, "w1")
    pages = {page.file: site.page(page) for page in (CONGAN, MIEN_TAY)}
    feed = ChangingFeed(site, feed_items(pages))
    sources = [Source("rss", "feed", feed.url)]
    first = collect(sources, tmp_path)
    assert sorted(ref.uri for ref in first.refs) == sorted(pages.values())
    assert (first.fetched, first.not_modified, first.from_archive, first.failures) == (3, 0, 0, [])

    feed.status = 500
    since = len(server.log)
    second = collect(sources, tmp_path)
    assert [(f.uri, f.reason, f.detail) for f in second.failures] == [
        (feed.url, "http_error", "HTTP 500 Internal Server Error")
    ]
    assert sorted(ref.uri for ref in second.refs) == sorted(pages.values()), "the last good feed body lists them"
    assert (second.fetched, second.from_archive) == (0, 2)
    assert [req.path for req, _ in site.requests(since)] == [site.path("rss.xml")]
    assert {ref.content_sha256 for ref in second.refs} == {ref.content_sha256 for ref in first.refs}


def test_pages_a_feed_no_longer_lists_stay_documents(server: HTTPServer, tmp_path: Path) -> None:
    site = Site(server, "w2")
    old, new = site.page(CONGAN), site.page(VAN_SON)
    feed = ChangingFeed(site, feed_items({"old": old}))
    sources = [Source("rss", "feed", feed.url)]
    collect(sources, tmp_path)
    feed.items, feed.version = feed_items({"new": new}), 2
    since = len(server.log)
    second = collect(sources, tmp_path)
    assert sorted(ref.uri for ref in second.refs) == sorted([old, new])
    assert (second.fetched, second.not_modified, second.from_archive) == (2, 0, 1)  # the feed and the new page
    assert sorted(req.path for req, _ in site.requests(since)) == sorted(
        [site.path("rss.xml"), site.path(VAN_SON.file)]
    )
    # and a replay, offline, reads both from the archive
    since = len(server.log)
    replayed = collect(sources, tmp_path, replay=True)
    assert sorted(ref.uri for ref in replayed.refs) == sorted([old, new])
    assert (replayed.fetched, replayed.failures) == (0, [])
    assert site.requests(since) == []


def test_a_url_source_is_asked_again_every_run(server: HTTPServer, tmp_path: Path) -> None:
    site = Site(server, "w3")
    body = (WEB / THOI_SU.file).read_bytes()

    def page(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"p1"':
            return Response(status=304, headers={"ETag": '"p1"'})
        return Response(body, content_type=THOI_SU.content_type, headers={"ETag": '"p1"'})

    url = site.handler("bai.html", page)
    sources = [Source("mot-bai", "url", url, outlet="Báo Thời Sự")]
    first = collect(sources, tmp_path)
    since = len(server.log)
    second = collect(sources, tmp_path)
    [(request, response)] = site.requests(since)
    assert (request.headers["If-None-Match"], response.status_code) == ('"p1"', 304)
    assert (second.fetched, second.not_modified, second.from_archive) == (0, 1, 0)
    assert [(r.uri, r.content_sha256, r.outlet) for r in second.refs] == [
        (url, hashlib.sha256(body).hexdigest(), "Báo Thời Sự")
    ]
    # the 304 stands for the archived 200: its Content-Type (which a 304 does not repeat) goes on
    assert second.refs[0].content_type == THOI_SU.content_type
    assert second.refs == first.refs


def test_a_feed_url_that_serves_a_page_is_not_a_feed(server: HTTPServer, tmp_path: Path) -> None:
    site = Site(server, "w4")
    url = site.page(CONGAN, "rss")
    found = collect([Source("nham", "feed", url)], tmp_path)
    [failure] = found.failures
    assert (failure.uri, failure.reason) == (url, "not_feed")
    assert failure.detail.startswith("not an RSS or Atom feed")
    assert found.refs == []
