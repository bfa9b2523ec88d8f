"""RSS and Atom feeds to the article links they list (feedparser), with title, date and author."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser

from ingest.sources import without_credentials

_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
SNIFF_BYTES = 4096
# What may come before the root element: BOM, XML declaration, processing instructions
# (xml-stylesheet), comments, a DOCTYPE; then the root, whose local name says the format.
_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w.-]+:)?(rss|feed|RDF)[\s>/]",
    re.DOTALL,
)


class FeedError(ValueError):
    """The body is not an RSS or Atom feed at all."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FeedItem:
    link: str  # absolute URL (joined against the feed URL), without #fragment
    title: str | None
    published: date | None  # the date as the feed writes it, in the feed's own time zone
    author: str | None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", value).split())
    return text or None


def _day(raw: Any) -> date | None:
    """The calendar day an RFC 822 (RSS) or RFC 3339 (Atom) timestamp names, in its own offset.

    feedparser's `*_parsed` fields are converted to UTC, which moves "20 May 2025
    05:45 +0700" to 19 May: the raw string is read here instead.
    """
    text = _clean(raw)
    if text is None:
        return None
    iso = _ISO_DAY.match(text)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    try:
        stamp: datetime = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.date()


def _published(entry: Any) -> date | None:
    for key in ("published", "updated", "created"):
        day = _day(entry.get(key))
        if day is not None:
            return day
    for key in ("published_parsed", "updated_parsed"):  # formats only feedparser knows: its UTC day
        parsed = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _author(entry: Any) -> str | None:
    # RSS <author> is "email (Name)": feedparser splits it into author_detail
    detail = entry.get("author_detail") or {}
    return _clean(detail.get("name")) or _clean(entry.get("author"))


def is_feed(content_type: str | None, body: bytes) -> bool:
    """Whether a response is an RSS or Atom feed: an RSS/Atom media type, or a body whose root
    element is <rss>, <feed> or <rdf:RDF> (what XML-typed, HTML-typed or untyped feeds need)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in FEED_TYPES or bool(_FEED_ROOT.match(body[:SNIFF_BYTES]))


def feed_items(body: bytes, feed_url: str) -> list[FeedItem]:
    """The items of an RSS or Atom feed, in feed order.

    Links are made absolute against `feed_url`, without `user:pass@` (credentials a feed
    lists are not used); items without a usable http(s) link are skipped and a repeated
    link keeps its first item. Raises `FeedError` when the body is not a feed at all.
    """
    # A BytesIO, not the bytes: feedparser.parse(bytes) first tries the value as a file path.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": feed_url})
    # "bozo" alone is no verdict: feedparser sets it for a missing Content-Type too.
    if not parsed.entries and not parsed.get("version"):
        problem = parsed.get("bozo_exception") or ("empty body" if not body.strip() else "no feed elements")
        raise FeedError(f"not an RSS or Atom feed: {problem}")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        raw = _clean(entry.get("link"))
        if raw is None:
            continue
        try:
            link = without_credentials(urldefrag(urljoin(feed_url, raw)).url)
            scheme = urlsplit(link).scheme
        except ValueError:  # e.g. an unclosed [IPv6 bracket: no link to fetch
            continue
        if scheme not in ("http", "https") or link in seen:
            continue
        seen.add(link)
        items.append(
            FeedItem(link=link, title=_clean(entry.get("title")), published=_published(entry), author=_author(entry))
        )
    return items
