"""Bytes to text (extract/decode.py): every bad input is a reason, never a crash."""

from __future__ import annotations

import unicodedata

import pytest

from extract.decode import Rejection, decode_document

VIETNAMESE = "Công an tỉnh đã xử lý 1.250 vụ vi phạm, bắt giữ hơn 300 đối tượng trong năm 2024."
_SHAPE_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: precomposed in CP1258


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if char in _SHAPE_MARKS and out:
            out[-1] = unicodedata.normalize("NFC", out[-1] + char)
        else:
            out.append(char)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (VIETNAMESE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + VIETNAMESE.encode("utf-8"), "utf-8-sig"),
        (VIETNAMESE.encode("utf-16"), "utf-16"),
        (to_cp1258(VIETNAMESE), "cp1258"),
        (unicodedata.normalize("NFD", VIETNAMESE).encode("utf-8"), "utf-8"),
    ],
    ids=["utf-8", "utf-8 bom", "utf-16", "cp1258", "nfd"],
)
def test_text_comes_out_nfc_whatever_the_encoding(raw: bytes, encoding: str) -> None:
    text, used = decode_document(raw)
    assert used == encoding
    assert text == VIETNAMESE


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (("The police said the event went well. " * 20).encode(), "not_vietnamese"),
        (b"\x81\x8d\x8f\xc3\x28 " * 10, "not_utf8"),  # invalid in UTF-8 and CP1258
        (VIETNAMESE.encode() * 100, "too_large"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Rejection) as caught:
        decode_document(raw, max_bytes=5000)
    assert caught.value.reason == reason


def test_windows_newlines_are_normalized() -> None:
    text, _ = decode_document("Dòng một\r\nDòng hai đã xử lý".encode())
    assert text == "Dòng một\nDòng hai đã xử lý"
