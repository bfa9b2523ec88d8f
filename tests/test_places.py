"""extract/places.py against its example corpus (tests/corpus/places.toml)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from typing import Any

import pytest

from extract.lexicon import lowered_like
from extract.places import ArticlePlaces, PlaceMention
from tests.corpus import load_examples

EXAMPLES = load_examples("places")


def _places(example: dict[str, Any]) -> ArticlePlaces:
    text = example["text"]
    return ArticlePlaces(text, lowered_like(text), example.get("published"))


def _none(value: str) -> str | None:
    return None if value == "none" else value


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"].split("\n", 1)[-1][:60] for e in EXAMPLES])
def test_corpus(example: dict[str, Any]) -> None:
    places = _places(example)
    text = example["text"]
    if "mentions" in example:
        assert [[m.text, m.place] for m in places.mentions] == example["mentions"]
    if "main" in example:
        assert (places.main.place if places.main else None) == _none(example["main"])
    for quote, want in example.get("figures", []):
        start = text.index(quote)
        found = places.for_figure(start, start + len(quote))
        assert (found.place if found else None) == _none(want), quote
    for words, current in example.get("current", []):
        (mention,) = [m for m in places.mentions if m.text == words]
        assert mention.current == current


def test_mentions_carry_offsets_codes_scope_and_coordinates() -> None:
    text = "Tin nhanh\nCông an huyện Đông Anh và cả nước; Nhật Bản."
    places = ArticlePlaces(text, lowered_like(text), date(2017, 5, 1))
    district, nation, country = places.mentions
    assert text[district.char_start : district.char_end] == district.text == "huyện Đông Anh"
    assert (district.place, district.code, district.scope, district.current) == ("Hà Nội", "01", "province", "Hà Nội")
    assert district.latitude is not None and 20 < district.latitude < 22
    assert district.longitude is not None and 105 < district.longitude < 107
    assert (nation.place, nation.code, nation.scope) == ("Việt Nam", "VN", "national")
    assert (country.place, country.code, country.scope, country.current) == ("Nhật Bản", "JP", "foreign", "Nhật Bản")


def test_codes_follow_the_division_of_the_article_s_time() -> None:
    text = "Tin nhanh\nTỉnh An Giang"
    before = ArticlePlaces(text, lowered_like(text), date(2024, 1, 1)).mentions[0]
    after = ArticlePlaces(text, lowered_like(text), date(2025, 7, 1)).mentions[0]
    assert before.place == after.place == "An Giang"
    assert before.code != after.code  # 89 before the merger, 91 after


def test_a_figure_with_no_place_anywhere_has_none() -> None:
    text = "Tin vắn\nCó 3 người bị thương."
    places = ArticlePlaces(text, lowered_like(text), None)
    assert places.main is None
    assert places.for_figure(text.index("3"), text.index("3") + 8) is None


def test_an_empty_article() -> None:
    places = ArticlePlaces("", "", None)
    assert places.mentions == [] and places.main is None


def test_mention_is_a_named_tuple_with_the_integration_fields() -> None:
    assert PlaceMention._fields == (
        "char_start", "char_end", "text", "place", "code", "scope", "latitude", "longitude", "current",
    )  # fmt: skip


def test_import_is_fast() -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import extract.places"], check=True)
    assert time.perf_counter() - started < 3.0  # about 0.3 s; generous for a loaded machine


def test_long_article_is_linear() -> None:
    line = "Công an huyện Đông Anh (Hà Nội) bắt 2 đối tượng ở xã Tân Phú, Anh và Mỹ cũng vậy. "
    text = "Tiêu đề\n" + line * 4000
    started = time.perf_counter()
    places = ArticlePlaces(text, lowered_like(text), None)
    assert time.perf_counter() - started < 5.0
    assert places.main is not None and places.main.place == "Hà Nội"


@pytest.mark.parametrize("text", ["anh Nam", "ông  Lê Văn, bà Hoa", "x\ny  z ", "  Mỹ", "a_b c-d e\tf", ",", ""])
def test_two_words_before_is_what_the_regex_finds(text: str) -> None:
    from extract.places import _WORDS_BEFORE, _two_words_before

    for low in range(len(text) + 1):
        for end in range(low, len(text) + 1):
            found = _WORDS_BEFORE.search(text, low, end)
            expected = None
            if found is not None:
                last = found[1].split()[-1]
                expected = (found.start(1), found.end(1) - len(last), found.end(1))
            assert _two_words_before(text, low, end) == expected, (text, low, end)


def test_names_in_capitals_and_type_words_inside_longer_ones() -> None:
    text = "HÀ NỘI - Sáng nay, CA huyện Đông Anh và thị xã Sơn Tây họp ở Hà Nội; tỉnh Nghệ An, TP.HCM."
    places = ArticlePlaces(text, lowered_like(text), date(2017, 5, 1))
    assert [m.text for m in places.mentions] == [
        "HÀ NỘI",
        "CA huyện Đông Anh",
        "thị xã Sơn Tây",
        "Hà Nội",
        "tỉnh Nghệ An",
        "TP.HCM",
    ]


def _figure_place(text: str, quote: str) -> str | None:
    places = ArticlePlaces(text, lowered_like(text), None)
    start = text.index(quote)
    found = places.for_figure(start, start + len(quote))
    return found.place if found else None


def test_a_story_abroad_gives_its_country_to_figures_when_its_title_or_lead_sets_it_there() -> None:
    text = (
        "Cháy rừng dữ dội ở Hy Lạp\n"
        "Nhiều đám cháy bùng phát tại Hy Lạp trong đêm qua.\n"
        "Lực lượng cứu hộ làm việc suốt đêm. Gần 500 lính cứu hỏa được huy động để dập lửa."
    )
    assert _figure_place(text, "500 lính cứu hỏa") == "Hy Lạp"


def test_a_country_named_only_as_a_nationality_or_further_on_gives_figures_no_place() -> None:
    # the country named most is a team and a nationality here, not where the goals apply
    text = (
        "Ngôi sao khép lại mùa giải rực rỡ\n"
        "Siêu sao người Argentina giành thêm một danh hiệu cá nhân.\n"
        "Mùa giải này rất thành công với cầu thủ. Cầu thủ ghi 20 bàn thắng trong mùa giải. "
        "Đội tuyển Argentina thắng trận mở màn. Argentina có ba cầu thủ được triệu tập."
    )
    places = ArticlePlaces(text, lowered_like(text), None)
    assert places.main is not None and places.main.place == "Argentina"
    assert _figure_place(text, "20 bàn thắng") is None


def test_a_paragraph_s_opening_place_reaches_only_a_paragraph_on() -> None:
    filler = "Người dân địa phương đã hỗ trợ lực lượng chức năng trong suốt quá trình cứu nạn. " * 14
    text = (
        "Quảng Ngãi: xe khách gặp nạn trên đèo\n"
        "Sáng nay, một xe khách của Quảng Ngãi gặp nạn.\n"
        "Trước đó, tại Bình Định, xe đã dừng đón khách. Có 2 hành khách xuống xe. "
        + filler
        + "Có 3 người bị thương nặng."
    )
    assert _figure_place(text, "2 hành khách") == "Bình Định"  # the paragraph's opening sentence sets it
    assert _figure_place(text, "3 người bị thương") == "Quảng Ngãi"  # beyond a paragraph: the article's place


def test_a_count_of_our_provinces_is_the_countrys() -> None:
    """ "4 tỉnh bị ảnh hưởng" is of no one of them ([national] province_counts); one
    province counted, or provinces abroad, keep their place."""
    from extract.pipeline import extract_article

    article = extract_article(
        "Hà Tĩnh chi hỗ trợ\nTỉnh Hà Tĩnh cho biết 4 tỉnh miền Trung đã nhận tiền."
        " Riêng Hà Tĩnh có 1 tỉnh đội tham gia."
    )
    by_text = {f.text: f.place for f in article.figures}
    assert (by_text["4 tỉnh miền Trung"].place, by_text["4 tỉnh miền Trung"].scope) == ("Việt Nam", "national")
    assert by_text["1 tỉnh đội"].place == "Hà Tĩnh"
    abroad = extract_article("Lũ ở Trung Quốc\nMưa lũ tại Trung Quốc làm 5 tỉnh bị ngập.")
    assert abroad.figures[0].place.place == "Trung Quốc"
