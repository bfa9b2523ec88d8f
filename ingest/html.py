"""Web pages to article text: HTML check, charset, body text (trafilatura), page metadata.

Pure: bytes in, a `WebPage` or a `PageError` out. Vietnamese sites still serve
Windows-1258 pages, often with no or a wrong charset declaration, and set the lead
paragraph ("sapo") outside the body container, so both get special care here.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from extract.decode import _VIETNAMESE, Rejection

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Headers that say nothing useful about the body: the body itself decides.
_UNHELPFUL_TYPES = {
    "",
    "application/octet-stream",
    "binary/octet-stream",
    "application/unknown",
    "unknown/unknown",
    "application/x-unknown-content-type",
    "text/plain",
    "text/xml",
    "application/xml",
}
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:\-]+)", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
META_SCAN_BYTES = 8192
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses str input that declares an encoding

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "Report"}
_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
)
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")  # how Vietnamese sites write dates
_YMD = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
# Class or id words Vietnamese news sites give the lead paragraph ("sapo", "tóm tắt")
_LEAD = re.compile(r"(?:^|[\s_-])(?:sapo|lead|summary|tomtat|chapeau|excerpt|description|intro)(?:$|[\s_-])", re.I)
_NOT_ARTICLE = re.compile(
    r"(?:^|[\s_-])(?:related|lienquan|cungchuyenmuc|tinkhac|other|more|sidebar|aside|menu|nav|footer|comments?)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_ARTICLE_TAGS = {"nav", "footer", "aside", "form", "script", "style", "noscript", "template"}
MIN_LEAD_CHARS = 40


@dataclass(frozen=True, slots=True)
class PageError(Rejection):
    """Why a web page yields no article: reason `not_html`, `not_utf8` or `empty`."""


@dataclass(frozen=True, slots=True)
class WebPage:
    text: str  # article text: NFC, "\n" between paragraphs; lead and body only (no menus, related news, footer)
    title: str | None
    author: str | None
    published: date | None  # the day in the page's own time zone
    outlet: str | None
    encoding: str  # how the bytes were decoded


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html(content_type: str | None, body: bytes) -> bool:
    """Whether `body` is an HTML page.

    A text/html or application/xhtml+xml header says so; with no header or an
    unhelpful one (octet-stream, text/plain, XML) the body must start like HTML.
    Bodies that start like PDF, images or archives are never HTML.
    """
    head = body[:1024]
    if head.startswith(_BINARY_MAGIC):
        return False
    media = _media_type(content_type)
    if media in _HTML_TYPES:
        return True
    if media not in _UNHELPFUL_TYPES:
        return False
    for bom, codec in _BOMS:
        if head.startswith(bom):
            head = head.decode(codec, errors="ignore").encode("utf-8")
            break
    return bool(_HTML_START.match(head))


def _codec(label: str | bytes | None) -> str | None:
    """Python's codec name for a charset label, or None when Python does not know it."""
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="ignore")
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the header and then the page's <meta> declare, as codec names, without repeats."""
    found: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:META_SCAN_BYTES])
    for label in (header[1] if header else None, meta[1] if meta else None):
        codec = _codec(label)
        if codec and codec not in found:
            found.append(codec)
    return found


def _reads_vietnamese(text: str) -> bool:
    """Vietnamese letters, and almost none of what a wrong code page leaves behind.

    Windows-1258 read as ISO-8859-1 still shows many Vietnamese-looking letters
    ("ý" for "ư"), so letters outside the alphabet ("ð"), stray combining marks,
    C1 controls and capitals inside a word ("tiÒnh", a tone mark read as "Ò") count
    against it.
    """
    viet = odd = 0
    previous = ""
    for ch in text:
        if ch.isascii():
            previous = ch
            continue
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cc", "Co", "Cs") or ch == "\ufffd":
            odd += 1
        elif ch.isalpha():
            if _VIETNAMESE.match(ch.lower()):
                viet += 1
                if ch.isupper() and previous.islower():
                    odd += 1
            else:
                odd += 1
        previous = ch
    return viet >= 3 and odd * 20 <= viet


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The page as NFC text and the codec it was read with.

    Rules, first match wins:
    1. a byte-order mark (UTF-8, UTF-16, UTF-32);
    2. valid UTF-8 with non-ASCII bytes is UTF-8, whatever the header or <meta> says:
       multi-byte UTF-8 is almost never accidental, and pages served as ISO-8859-1
       but written in UTF-8 are common;
    3. the charset of the Content-Type header, then of <meta charset> or
       <meta http-equiv="Content-Type"> in the first 8 KiB, if it decodes the bytes
       and the result reads as Vietnamese;
    4. Windows-1258 (cp1258), the legacy Vietnamese code page, if the result reads as
       Vietnamese (such pages often declare nothing, or the server default);
    5. pure ASCII is ASCII; otherwise the first declared charset that decodes;
    otherwise `PageError("not_utf8")`. The text is NFC-normalized at the end:
    Windows-1258 writes tone marks as combining characters.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _nfc(body.decode(codec, errors="replace")), codec
    utf8: str | None
    try:
        utf8 = body.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8, utf8_error = None, error
    if utf8 is not None and not utf8.isascii():
        return _nfc(utf8), "utf-8"
    declared = _declared(body, content_type)
    fallbacks: list[tuple[str, str]] = []
    for codec in declared:
        try:
            text = _nfc(body.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
        if _reads_vietnamese(text):
            return text, codec
        fallbacks.append((text, codec))
    if "cp1258" not in declared:
        try:
            text = _nfc(body.decode("cp1258"))
        except UnicodeDecodeError:
            text = ""
        if text and _reads_vietnamese(text):
            return text, "cp1258"
    if utf8 is not None:
        return _nfc(utf8), "ascii"
    if fallbacks:  # the page is what it says; a language check downstream may still reject it
        return fallbacks[0]
    said = ", ".join(declared) if declared else "no charset declared"
    raise PageError(
        "not_utf8", f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), {said}, nor Windows-1258 Vietnamese"
    )


def _squash(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _clean(value: Any) -> str | None:
    return (_squash(value) or None) if isinstance(value, str) else None


def _day(value: str | None) -> date | None:
    """The calendar day a timestamp writes, in its own time zone (no conversion to UTC)."""
    text = _squash(value)
    if not text:
        return None
    for pattern, order in ((_YMD, (1, 2, 3)), (_DMY, (3, 2, 1))):
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[order[0]]), int(match[order[1]]), int(match[order[2]]))
            except ValueError:
                return None
    try:
        return parsedate_to_datetime(text).date()  # "Fri, 14 Mar 2025 08:30:00 +0700"
    except (TypeError, ValueError, IndexError):
        return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members and lists flattened."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:  # broken JSON-LD is common; it is just not evidence
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _names(value: Any) -> str | None:
    """Author or publisher names from JSON-LD: a string, an object with `name`, or a list of those."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return _clean(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_names(v) for v in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


@dataclass(frozen=True, slots=True)
class _Meta:
    title: str | None
    author: str | None
    published: date | None
    outlet: str | None
    headings: tuple[str, ...]  # <title> and <h1> texts: headline lines to drop from the body


def _page_meta(tree: HtmlElement) -> _Meta:
    """Title, author, date and outlet as the page's own meta tags and JSON-LD state them."""
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        value = _clean(element.get("content"))
        if key and value and key not in meta:  # the first of repeated tags wins
            meta[key] = value
    article: dict[str, Any] = {}
    publisher: str | None = None
    for item in _json_ld_objects(tree):
        declared = item.get("@type")
        kinds = {t for t in (declared if isinstance(declared, list) else [declared]) if isinstance(t, str)}
        if not article and kinds & _ARTICLE_TYPES:
            article = item
        if publisher is None and kinds & {"Organization", "NewsMediaOrganization", "WebSite"}:
            publisher = _clean(item.get("name"))
    outlet = meta.get("og:site_name") or _names(article.get("publisher")) or publisher
    authors = [meta.get("author"), meta.get("article:author"), meta.get("dc.creator"), _names(article.get("author"))]
    # article:author is often a profile URL; an "author" that is the outlet is no author
    author = next((a for a in authors if a and "://" not in a and a.casefold() != (outlet or "").casefold()), None)
    published = None
    for value in (*(meta.get(key) for key in _DATE_KEYS), article.get("datePublished")):
        published = _day(value) if isinstance(value, str) else None
        if published:
            break
    title = meta.get("og:title") or _clean(article.get("headline")) or meta.get("twitter:title")
    headings = tuple(h for h in (_squash(e.text_content()) for e in tree.iter("title", "h1")) if h)
    return _Meta(title=title, author=author, published=published, outlet=outlet, headings=headings)


def _is_outside_article(element: HtmlElement) -> bool:
    """Inside navigation, header, footer, a sidebar or a related-news box."""
    nodes = (element, *element.iterancestors())
    in_article = any(node.tag in ("article", "main") for node in nodes)
    for node in nodes:
        if node.tag in _NOT_ARTICLE_TAGS or (node.tag == "header" and not in_article):
            return True
        if _NOT_ARTICLE.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _lead(tree: HtmlElement, body_text: str, first_line: str, headings: set[str]) -> str | None:
    """The lead paragraph ("sapo") when trafilatura left it out.

    News sites put it between the headline and the body container, which
    trafilatura's precision mode drops. Taken only when it comes before the first
    body paragraph, has a lead-like class or id, and is not link text.
    """
    anchor = first_line[:60]
    body = tree.find("body")
    if body is None or not anchor:
        return None
    candidate: str | None = None
    for element in body.iter(etree.Element):
        if element.tag in _NOT_ARTICLE_TAGS:
            continue
        content = _squash(element.text_content())
        if anchor in content and not any(anchor in _squash(c.text_content()) for c in element):
            break  # the body's first paragraph: the lead must come before it
        words = f"{element.get('class') or ''} {element.get('id') or ''}"
        if (
            _LEAD.search(words)
            and len(content) >= MIN_LEAD_CHARS
            and anchor not in content
            and content not in body_text
            and content.casefold() not in headings
            and not _is_outside_article(element)
        ):
            links = sum(len(_squash(a.text_content())) for a in element.iter("a"))
            if links * 2 < len(content):
                candidate = content
    else:
        return None  # the first paragraph was not found: nothing is known to come before it
    return candidate


def parse_page(body: bytes, content_type: str | None, url: str) -> WebPage:
    """The article of a web page: its text and metadata.

    Raises `PageError` with reason `not_html` (not a web page), `not_utf8` (cannot
    decode) or `empty` (no article text found, e.g. a section front page).
    """
    if not body.strip():
        raise PageError("empty", "no content" if not body else "only whitespace")
    if not is_html(content_type, body):
        raise PageError("not_html", f"{_media_type(content_type) or 'no content type'}; body starts {body[:16]!r}")
    html, encoding = decode_html(body, content_type)
    # A parser per page: lxml parser objects must not be shared between threads.
    parser = HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)
    try:
        tree = document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise PageError("empty", f"no HTML document: {error}") from error
    page = _page_meta(tree)
    # Precision mode keeps "Tin liên quan" lists and menus out of the text; the balanced
    # default let them in on a layout like bao-mien-tay-moi.cp1258.html (tests/web).
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        # the date a page states, not one found in its prose ("từ đầu năm 2025" is no
        # publication date; trafilatura's extensive search would take it)
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    extracted = getattr(document, "text", None) or ""
    lines = [line for line in (_squash(raw) for raw in extracted.split("\n")) if line]
    headings = {h.casefold() for h in (page.title, getattr(document, "title", None), *page.headings) if h}
    if lines and lines[0].casefold() in headings:
        lines = lines[1:]  # the headline, when the body container holds it
    if not lines:
        raise PageError("empty", "no article text found")
    lead = _lead(tree, "\n".join(lines), lines[0], headings)
    if lead:
        lines.insert(0, lead)
    outlet = page.outlet or _clean(getattr(document, "sitename", None))
    author = page.author or _clean(getattr(document, "author", None))
    if author and outlet and author.casefold() == outlet.casefold():
        author = None  # many sites put their own name in <meta name="author">
    return WebPage(
        text="\n".join(lines),
        title=page.title or _clean(getattr(document, "title", None)),
        author=author,
        published=page.published or _day(getattr(document, "date", None)),
        outlet=outlet,
        encoding=encoding,
    )
