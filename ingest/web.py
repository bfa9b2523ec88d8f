"""Web sources to documents: feeds and pages fetched into the raw archive, or replayed from it.

A feed is fetched on every run, conditionally (an unchanged feed costs one 304). Each
item's page is fetched once, the first time the feed lists it, and read from the
archive after that, also once the feed no longer lists it (the tables keep history).
A page named in the sources file is fetched conditionally on every run, so that a
changed page is read again; one that turns out to be a feed (by its RSS/Atom content
type or its root element) is read as a feed. With `replay`, nothing is fetched: the
latest archived body of every feed and page stands in, so a run reproduces its tables
offline.

Credentials a source's URL carried (`Source.credentials`) go to the fetcher for that
origin, so a feed's item pages on the feed's own site get them too; no URL kept in a
document, a failure or the archive carries them.

What fails becomes a `WebFailure` (a `rejects` row: the URL, the reason and why); the
other sources go on. A feed that cannot be fetched this time falls back to its last
archived body, so its articles stay in the tables while the failure is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.archive import ArchiveRecord, RawArchive
from ingest.feeds import SNIFF_BYTES, FeedError, feed_items, is_feed
from ingest.http import Fetcher, FetchResult
from ingest.local import DocumentRef
from ingest.sources import Source


@dataclass(frozen=True, slots=True)
class WebFailure:
    uri: str
    reason: str  # a rejects reason: fetch_error, http_error, too_large, not_feed
    detail: str


@dataclass
class WebDocuments:
    refs: list[DocumentRef] = field(default_factory=list)
    failures: list[WebFailure] = field(default_factory=list)
    fetched: int = 0  # bodies downloaded by this run
    not_modified: int = 0  # conditional requests answered 304
    from_archive: int = 0  # pages read from the archive without a request


def _replayed(archive: RawArchive, url: str) -> FetchResult:
    """What the archive holds for `url`, as if it had just been fetched."""
    record = archive.latest(url)
    if record is None or record.sha256 is None:
        return FetchResult(url, url, None, {}, None, error="fetch_error", detail="not in the raw archive (replay)")
    return _from_record(record)


def _from_record(record: ArchiveRecord) -> FetchResult:
    return FetchResult(record.url, record.final_url, record.status, record.headers, record.sha256)


def _confirmed(archive: RawArchive, result: FetchResult) -> FetchResult:
    """A 304 stands for the archived 200 it confirms: that response's headers (a 304 carries no
    Content-Type, which the page's charset and HTML checks read) and final URL."""
    if not result.not_modified:
        return result
    record = archive.latest(result.url)
    return _from_record(record) if record is not None and record.sha256 == result.sha256 else result


def _document(archive: RawArchive, url: str, result: FetchResult, source: Source) -> DocumentRef:
    assert result.sha256 is not None
    path = archive.body_path(result.sha256)
    return DocumentRef(
        uri=url,
        size=path.stat().st_size,
        body_path=str(path),
        content_sha256=result.sha256,
        content_type=result.headers.get("content-type"),
        outlet=source.outlet,
        published_between=source.published_between,
    )


def collect_web(sources: Sequence[Source], archive: RawArchive, fetcher: Fetcher | None) -> WebDocuments:
    """Documents of the `url` and `feed` sources; `fetcher` None replays from the archive."""
    found = WebDocuments()
    web = [s for s in sources if s.kind in ("feed", "url")]
    if fetcher is not None:
        for source in web:
            if source.credentials is not None:
                fetcher.add_credentials(source.location, source.credentials)
    pages: dict[str, tuple[Source, bool]] = {}  # url -> (source, fetch even if archived)
    results: dict[str, FetchResult] = {}  # page url -> its response, for the pages already fetched
    feeds: dict[str, Source] = {}  # sources read as feeds (a `url` too, when it serves one), by name

    # Feeds and the pages named in the sources file first: a `url` may turn out to be a feed.
    first = [(s.location, s.name, "feed" if s.kind == "feed" else "page") for s in web]
    first_results = fetcher.fetch_many(first) if fetcher else [_replayed(archive, s.location) for s in web]
    for source, result in zip(web, first_results, strict=True):
        _count(found, result, fetcher)
        result = _confirmed(archive, result)
        if source.kind == "url" and not _serves_feed(archive, result):
            pages[source.location] = (source, True)
            results[source.location] = result
            continue
        if not result.ok:
            found.failures.append(WebFailure(source.location, result.error or "fetch_error", result.detail or ""))
            previous = archive.latest(source.location)
            if previous is None or previous.sha256 is None:
                continue
            result = _from_record(previous)  # the last good copy keeps its articles in the tables
        feeds[source.name] = source
        assert result.sha256 is not None
        try:
            items = feed_items(archive.read(result.sha256), result.final_url or source.location)
        except FeedError as error:
            found.failures.append(WebFailure(source.location, "not_feed", error.detail))
            continue
        for item in items:
            pages.setdefault(item.link, (source, False))
    # a feed lists its latest items only: the pages it listed before stay documents
    feed_urls = {s.location for s in feeds.values()}
    for record in archive.records():
        if record.role == "page" and record.sha256 and record.source in feeds and record.url not in feed_urls:
            pages.setdefault(record.url, (feeds[record.source], False))

    to_fetch: list[tuple[str, str, str]] = []
    for url, (source, refresh) in pages.items():
        if url in results:
            continue
        archived = archive.latest(url)
        if fetcher is None:
            results[url] = _replayed(archive, url)
        elif archived is not None and not refresh:
            results[url] = _from_record(archived)  # a feed's page is fetched once
            found.from_archive += 1
        else:
            to_fetch.append((url, source.name, "page"))
    if fetcher is not None and to_fetch:
        for (url, _, _), result in zip(to_fetch, fetcher.fetch_many(to_fetch), strict=True):
            _count(found, result, fetcher)
            results[url] = _confirmed(archive, result)
    for url, (source, _) in pages.items():
        result = results[url]
        if result.ok:
            found.refs.append(_document(archive, url, result, source))
        else:
            found.failures.append(WebFailure(url, result.error or "fetch_error", result.detail or ""))
    return found


def _serves_feed(archive: RawArchive, result: FetchResult) -> bool:
    """Whether a `url` source's response is a feed; when the fetch failed, whether the last body
    archived for it was one (then its items stay documents, as a failing feed's do)."""
    record: ArchiveRecord | FetchResult | None = result if result.ok else archive.latest(result.url)
    if record is None or record.sha256 is None:
        return False
    with archive.body_path(record.sha256).open("rb") as body:
        head = body.read(SNIFF_BYTES)
    return is_feed(record.headers.get("content-type"), head)


def _count(found: WebDocuments, result: FetchResult, fetcher: Fetcher | None) -> None:
    if fetcher is None or not result.ok:
        return
    if result.not_modified:
        found.not_modified += 1
    else:
        found.fetched += 1
