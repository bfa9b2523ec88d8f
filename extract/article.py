"""Article structure and facts: header, boilerplate, title, outlet, author, published date.

`parse_document(text)` turns a normalized document into the stored article text (header
token and boilerplate removed, EXTRACTION.md "Document header") and the header date.
The publication date is `extract.published`'s concern.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from extract.lexicon import alternation, load, no_vietnamese_syllable
from extract.records import Precision

_DOC = load("document")
# Vietnamese capitals and small letters as regex classes; ranges like À-Ỹ would mix both
_LATIN = [chr(c) for c in range(0x41, 0x1EFA) if unicodedata.name(chr(c), "").startswith("LATIN")]
_UP = "".join(c for c in _LATIN if c.isupper())
_LOW = "".join(c for c in _LATIN if c.islower())
_END_MARKERS = {line.casefold() for line in _DOC["end_markers"]["lines"]}
_CHROME = {line.casefold() for line in _DOC["chrome_lines"]["lines"]}
_NOT_OUTLETS = set(_DOC["lead_tags_not_outlets"]["tags"])
_LONGEST_MARKER = max(len(line) for line in _END_MARKERS | _CHROME)

HEADER_RE = re.compile(r"^\s?date\s+(?P<y>\d{4})(?:-(?P<m>\d{2}))?(?:-(?P<d>\d{2}))?(?![\d-])[ \t]*\n?")
# "(Ngày Nay) - ", "(PLO)- ", "ANTT.VN - ", "VOV.VN -"
_LEAD_BRACKET = re.compile(r"\s*\((?P<outlet>[^()\n]{2,40}?)\)\s*[-–—]\s*")
_LEAD_DOMAIN = re.compile(r"\s*(?P<outlet>[A-ZĐ][\wĐđ&]*(?:\.[A-Za-z]{2,4})+)\s*[-–—]\s*")
# "GD&TĐ - Những ánh mắt …": an outlet's initials joined by "&", or a known outlet's, in capitals
_LEAD_INITIALS = re.compile(r"\s*(?P<outlet>[A-ZĐ]{1,6}&[A-ZĐ]{1,6}|[A-ZĐ]{2,8})\s*[-–—]\s+")
_UPPER_NAME = re.compile(rf"^[{_UP}][{_UP}.\- ]{{2,40}}$")
# "Mạnh Tú (TTXVN)", "Thu Hoài/VOV-Trung tâm Tin", "H.M/VOV.VN", "Nguồn: Dân Trí"
_NAME = rf"[{_UP}][{_LOW}{_UP}.]*(?:[ \t]+[{_UP}][{_LOW}{_UP}.]*){{0,3}}"
_CREDIT_BRACKET = re.compile(rf"(?P<author>{_NAME})[ \t]*\((?P<outlet>[^()\n]{{2,30}})\)\s*$")
_CREDIT_SLASH = re.compile(rf"(?P<author>{_NAME})[ \t]*/[ \t]*(?P<outlet>[A-ZĐ][\w.\-Đđ ]{{1,30}}?)\s*$")
# before a signature: "CTV Bảo Long/VOV.VN", "Tin, ảnh: Phan Sáu (TTXVN)"
_CREDIT_ROLE = re.compile(
    r"(?<![\w])(?:CTV|PV|BTV|Phóng viên|Cộng tác viên|Nhóm PV|(?:Tin|Bài)(?:,| và) ảnh:|Bài:|Tin:)$"
)
_NAME_BEFORE_SOURCE = re.compile(rf"(?<=[.!?…”\"'])\s+(?P<author>{_NAME}),\s*$")
_SOURCE = r"(?:Nguồn|Theo)\s*:?"  # "Nguồn: Dân Trí", "Theo VNE"
_CREDIT_SOURCE = re.compile(rf"{_SOURCE}[ \t]*(?P<outlet>[{_UP}][\w.& ]{{1,30}}?)\s*$")
_CREDIT_NAME = re.compile(rf"(?<=[.!?…”\"'])\s+(?P<author>{_NAME})\s*$")
# "Công Danh (tổng hợp theo báo VTC News, VnExpress)", "MINH PHƯƠNG (Theo Stars and Stripes,
# Dân trí)": the signer, then the papers the story was taken from (one of them is its outlet)
_CREDIT_SOURCES = re.compile(
    rf"(?<=[.!?…”\"'])\s+(?P<author>{_NAME}|[{_UP}][{_UP} ]{{2,30}}?)[ \t]*"
    rf"\((?i:tổng hợp(?:[ \t]+(?:theo|từ))?|theo)(?:[ \t]+(?i:báo))?[ \t]+(?P<sources>[^()\n]{{2,80}})\)\s*$"
)
_CREDIT_UPPER = re.compile(rf"(?<=[.!?…”\"'])\s+(?P<author>[{_UP}][{_UP}.\- ]{{2,40}}?)\s*$")
# "… bầm tím. (Tổng hợp) Vũ Hạnh", "(Theo Yonhap) Gia Bảo", "(còn nữa) THIỆN VĂN": a note in
# brackets after the last sentence, then the signer ("(Ảnh: Internet) Theo TTVH" names a source)
_CREDIT_AFTER_NOTE = re.compile(rf"(?<=[.!?…”\"'])\s*\([^()\n]{{1,30}}\)\s+(?!Theo\b)(?P<author>{_NAME})\s*$")


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    text: str  # the stored article text
    header_date: date | None
    header_precision: Precision
    title: str | None
    outlet: str | None
    author: str | None
    body_start: int  # where the body (after title, byline lines and outlet lead) starts


def _header(text: str) -> tuple[str, date | None, Precision]:
    match = HEADER_RE.match(text)
    if not match:
        return text, None, "none"
    year, month, day = int(match["y"]), match["m"], match["d"]
    rest = text[match.end() :]
    try:
        if day:
            return rest, date(year, int(month), int(day)), "day"
        if month:
            return rest, date(year, int(month), 1), "month"
        return rest, date(year, 1, 1), "year"
    except ValueError:  # a malformed header is not evidence
        return rest, None, "none"


def _strip_boilerplate(text: str) -> str:
    kept: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        # paragraphs are longer than any marker: skip the casefold (never shorter) for them
        if len(stripped) <= _LONGEST_MARKER:
            key = stripped.casefold()
            if key in _END_MARKERS:
                break
            if key in _CHROME:
                continue
        kept.append(line)
    return "\n".join(kept).strip()


def _is_title(line: str, following: list[str]) -> bool:
    line = line.strip()
    if not line or not following or len(line) > 250:
        return False
    if line[-1] in ".:;,…" or _LEAD_BRACKET.match(line) or _LEAD_DOMAIN.match(line):
        return False
    return not _UPPER_NAME.match(line)


_TRAILING_TAG = re.compile(r"\s*\((?P<tag>[^()\n]{1,20})\)\s*$")
_KNOWN_OUTLETS = {name.casefold(): name for name in _DOC["known_outlets"]["names"]}
_SELF_WORDS = _DOC["known_outlets"]["self_reference"]
# matched where one of `_SELF_WORDS` starts (found by str.find: a regex search over the
# whole text at every position costs more than the rest of the article's facts)
_SELF_REFERENCE = re.compile(
    rf"(?:{alternation(_SELF_WORDS)})\s+(?:báo\s+)?(?P<outlet>{alternation(_DOC['known_outlets']['names'])})(?![\w])"
)
# "An Huy - Phan Định": two signers joined by a dash, after the last sentence, or after the
# last figure of a match's statistics ("… Cứu thua 4 Đăng Đức - Tuấn Hải"), then in
# Vietnamese syllables without dots ("… 2 Sportivo Luquenõ - Deportivo Cali" are teams)
_SIGNER_PAIR = rf"\s+(?P<author>{_NAME}[ \t]+[-–][ \t]+{_NAME})\s*$"
_CREDIT_PAIR = re.compile(rf"(?<=[.!?…”\"']){_SIGNER_PAIR}")
_CREDIT_PAIR_AFTER_FIGURE = re.compile(rf"(?<=\d){_SIGNER_PAIR}")
_SOURCE_WORD = re.compile(rf"{_SOURCE}\s*")
# "VnExpress Phạm Huyên (Tổng hợp)": the compiler's name, in simple capitalised words
_COMPILER = re.compile(rf"(?<!\w)(?:Theo[ \t]+)?(?P<author>[{_UP}][{_LOW}]+(?:[ \t]+[{_UP}][{_LOW}]+){{1,3}})\s*$")


def _credit(text: str) -> tuple[str | None, str | None]:
    """(author, outlet) from the end of the article."""
    tail = text.rstrip().rstrip("-–— \t")[-160:]  # "… khẳng định. An Công - "
    compiled, tagged_outlet = False, None
    for _ in range(2):  # "Theo Vũ Nga (Tổng hợp) (Khám phá)": a compiler's tag, then the outlet
        tag = _TRAILING_TAG.search(tail)
        if tag is None:
            break
        value = tag["tag"].strip()
        inner = _TRAILING_TAG.search(tail[: tag.start()])
        if value in _NOT_OUTLETS:  # "Phương Liên/Báo Tin Tức (ghi)"
            tail, compiled = tail[: tag.start()], True
        elif tagged_outlet is None and inner is not None and inner["tag"].strip() in _NOT_OUTLETS:
            tail, tagged_outlet = tail[: tag.start()], value
        else:
            break
    last_line = tail.split("\n")[-1].strip()
    if _KNOWN_OUTLETS.get(last_line.casefold()):
        return None, _KNOWN_OUTLETS[last_line.casefold()]
    if _UPPER_NAME.match(last_line) and len(last_line.split()) <= 5:
        return last_line, tagged_outlet
    match = _CREDIT_SOURCES.search(tail) if "(" in tail else None
    if match:
        sources = [source.strip() for source in match["sources"].split(",")]
        return match["author"].strip(), sources[0] if len(sources) == 1 else None
    for pattern, mark in ((_CREDIT_BRACKET, "("), (_CREDIT_SLASH, "/")):
        if mark not in tail:  # most tails have neither mark
            continue
        # the signature starts a sentence or follows a role ("CTV Bảo Long/VOV.VN"): the
        # leftmost match may hold the words before it ("… Tổ quốc Việt Nam. Phúc Hằng (TTXVN)"),
        # so the search goes on a word later
        position = 0
        while (match := pattern.search(tail, position)) is not None:
            before = tail[: match.start()].rstrip()
            if match.start() == 0 or before[-1:] in ".!?…”\"'/)" or _CREDIT_ROLE.search(before):
                author: str | None = match["author"].strip().removeprefix("Theo ")
                outlet: str | None = match["outlet"].strip()
                if outlet in _NOT_OUTLETS:
                    outlet = None  # "Lily (t/h)", "Thành Luân (thực hiện)": the writer's tag
                if outlet is not None and outlet.casefold().startswith("từ "):
                    outlet = None  # "Thiên Kim (từ Pháp)": where a correspondent writes from
                if outlet is not None and (source := _SOURCE_WORD.match(outlet)) is not None:
                    outlet = outlet[source.end() :] or None  # "Song Hy (Nguồn: RT)": the outlet is RT
                if author in _NOT_OUTLETS or author.casefold() in _KNOWN_OUTLETS:
                    author = None  # "PV/Thể thao và Xã hội": a role; "TTXVN/Tin Tức": an agency
                return author, outlet
            space = tail.find(" ", match.start() + 1, match.end())
            if space < 0:
                break
            position = space + 1
    match = _COMPILER.search(tail) if compiled else None
    if match:
        return match["author"], tagged_outlet
    match = _CREDIT_SOURCE.search(tail)
    if match:
        # "… rất nhiều. Skye, Theo Thời Đại": the writer's name before the source
        signed = _NAME_BEFORE_SOURCE.search(tail, 0, match.start())
        return (signed["author"] if signed else None), match["outlet"].strip()
    match = _CREDIT_PAIR.search(tail) if "-" in tail or "–" in tail else None
    if match is None and ("-" in tail or "–" in tail):
        match = _CREDIT_PAIR_AFTER_FIGURE.search(tail)
        words = match["author"].replace("–", "-").replace(" - ", " ").split() if match else []
        if any("." in word or no_vietnamese_syllable(word) for word in words):
            match = None
    if match:
        return " ".join(match["author"].split()), tagged_outlet
    for pattern in (_CREDIT_UPPER, _CREDIT_NAME, _CREDIT_AFTER_NOTE):
        match = pattern.search(tail)
        if match and len(match["author"].split()) <= 4:
            name = match["author"].strip()
            if _KNOWN_OUTLETS.get(name.casefold()):
                return None, _KNOWN_OUTLETS[name.casefold()]
            return name, tagged_outlet
    return None, tagged_outlet


def _self_named_outlet(text: str) -> str | None:
    """A known outlet the text speaks of as its own ("nguồn tin của Thanh Niên cho biết")."""
    for word in _SELF_WORDS:
        at = text.find(word)
        while at >= 0:
            match = _SELF_REFERENCE.match(text, at) if at == 0 or not text[at - 1].isalnum() else None
            if match:
                return match["outlet"]
            at = text.find(word, at + len(word))
    return None


def parse_document(raw: str) -> ParsedDocument:
    """The stored article and its header-level facts (`raw` is NFC, newlines `\\n`)."""
    rest, header_date, precision = _header(raw)
    text = _strip_boilerplate(rest)
    lines = text.split("\n")
    nonempty = [(i, line) for i, line in enumerate(lines) if line.strip()]
    title = author = outlet = None
    index = 0
    if nonempty and _is_title(nonempty[0][1], [line for _, line in nonempty[1:]]):
        title = nonempty[0][1].strip()
        index = 1
    # a byline alone in capitals near the top ("HỒNG NHUNG")
    for _, line in nonempty[index : index + 2]:
        if _UPPER_NAME.match(line.strip()) and 2 <= len(line.split()) <= 5:
            author = line.strip()
            index = nonempty.index((_, line)) + 1
            break
    body_line = nonempty[index][0] if index < len(nonempty) else len(lines)
    body_start = sum(len(line) + 1 for line in lines[:body_line])
    lead = _LEAD_BRACKET.match(text, body_start) or _LEAD_DOMAIN.match(text, body_start)
    if lead is None and (initials := _LEAD_INITIALS.match(text, body_start)) is not None:
        named = initials["outlet"]
        lead = initials if "&" in named or named.casefold() in _KNOWN_OUTLETS else None
    if lead:
        body_start = lead.end()
        if lead["outlet"].strip() not in _NOT_OUTLETS:
            outlet = lead["outlet"].strip()
    credit_author, credit_outlet = _credit(text)
    if credit_author and credit_outlet:
        # "H.M/VOV.VN H.M/VOV.VN": a credit repeated; the outlet is not part of the name
        credit_author = " ".join(w for w in credit_author.split() if w != credit_outlet) or None
    author = author or credit_author
    outlet = outlet or credit_outlet or _self_named_outlet(text)
    return ParsedDocument(text, header_date, precision, title, outlet, author, body_start)
