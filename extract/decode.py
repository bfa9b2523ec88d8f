"""Bytes to article text: charset detection, binary and empty checks, NFC.

Pure: bytes in, text or a rejection out. Feeds carry UTF-8 mostly, but also UTF-16
(with a BOM), Windows-1258 (Vietnamese legacy), decomposed (NFD) text and junk.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024  # an article is a few KB; more is a dump, not an article
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
_LETTER = re.compile(r"[^\W\d_]")  # a letter (also the few numerals that are not digits)


@dataclass(frozen=True, slots=True)
class Rejection(Exception):
    """Why a document yields no rows: `reason` is a short code for the `rejects` table."""

    reason: str
    detail: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    # Windows-1258 is the legacy Vietnamese code page; it decodes most byte strings, so
    # it is accepted only when the result reads as Vietnamese.
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if text and len(_VIETNAMESE.findall(unicodedata.normalize("NFC", text))) >= 3:
        return text, "cp1258"
    raise Rejection("not_utf8", f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) nor CP1258 Vietnamese")


def decode_document(raw: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """The document as NFC text with `\\n` newlines, and the encoding it was read as.

    Raises `Rejection` for empty, binary, oversized or undecodable input.
    """
    if len(raw) > max_bytes:
        raise Rejection("too_large", f"{len(raw)} bytes, limit {max_bytes}")
    if not raw.strip():
        raise Rejection("empty", "no content" if not raw else "only whitespace")
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Rejection("binary", "NUL bytes in the first 4 KiB")
    text, encoding = _decode(raw)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise Rejection("binary", f"{controls} control characters in {len(text)}")
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise Rejection("empty", "only whitespace after decoding")
    # a Vietnamese letter is found at once in Vietnamese text; count letters only without one
    if not _VIETNAMESE.search(text) and len(_LETTER.findall(text)) >= 200:
        raise Rejection("not_vietnamese", "no Vietnamese letters in the text")
    return text, encoding
