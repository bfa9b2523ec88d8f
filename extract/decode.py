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
# Zero-width characters (space, non-joiner, joiner, word joiner, BOM inside the text) are
# invisible but split tokens: "2\u200b834" would read as 834. Removed before the text is
# stored, so offsets refer to what the reader sees.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class Rejection(Exception):
    """Why a document yields no rows: `reason` is a short code for the `rejects` table."""

    reason: str
    detail: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


def _decode_declared(raw: bytes, codec: str, skip: int = 0) -> str:
    """`raw[skip:]` in the encoding its BOM declares. A character cut at the very end (a
    file truncated mid-character) is dropped; anything else that does not decode is a
    rejection, never a UnicodeDecodeError (a ValueError) out of the batch."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(raw[skip:], final=False)  # a partial tail stays buffered
    except UnicodeDecodeError as error:
        raise Rejection("not_utf8", f"has a {codec} BOM but {error.reason} at byte {skip + error.start}") from None


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_declared(raw, "utf-16"), "utf-16"
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_declared(raw, "utf-8", skip=len(codecs.BOM_UTF8)), "utf-8-sig"
    try:
        # incremental: a multi-byte character cut at the very end is dropped, the rest kept
        return codecs.getincrementaldecoder("utf-8")().decode(raw, final=False), "utf-8"
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
    text = _ZERO_WIDTH.sub("", text)  # before NFC: a mark after a zero-width character joins its letter
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
