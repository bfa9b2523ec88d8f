"""Figures: reported quantities with their unit, counted item, qualifier and period.

A number (from `extract.numbers`) becomes a quantity with its qualifier, range and
unit (a rate keeps its "per" part: `đồng/kg`). Numbers that are dates, times of day,
ages, birth years, ordinals, identifiers, codes or part of a name are not figures
(EXTRACTION.md, "Not figures"). A quantity becomes a figure by the first named
attachment rule of `RULES` that finds what it counts or measures; the figure records
that rule's name. Cue words live in `lexicon/figures.toml` and `lexicon/units.toml`;
each rule's examples are in `tests/corpus/figures.toml`, and what must give no figure
in `tests/corpus/figures_negative.toml`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from extract.document import Document
from extract.lexicon import PhraseSet, alternation, is_word_char, load, no_vietnamese_syllable
from extract.numbers import (
    AMBIGUOUS_ALONE,
    APPROX_PREFIXES,
    DIGIT_WORDS,
    SCALES,
    NumberMatch,
    find_numbers,
    parse_digits,
    parse_number_words,
)
from extract.places import is_admin_name, is_province_name
from extract.records import Change, DateMention, Figure, Qualifier
from extract.sentences import Sentence

_FIG = load("figures")
_UNITS = load("units")

QUALIFIERS: dict[str, Qualifier] = {k.casefold(): v for k, v in _FIG["qualifiers"].items()}
QUALIFIERS_AFTER: dict[str, Qualifier] = {k.lower(): v for k, v in _FIG["qualifiers_after"].items()}
QUALIFIER_SIGNS: dict[str, Qualifier] = dict(_FIG["qualifier_signs"])
_QUALIFIER_SIGN_BEFORE = re.compile(rf"({'|'.join(map(re.escape, QUALIFIER_SIGNS))}) ?$")
UNIT_NAMES: dict[str, str] = {**_UNITS["measure"], **_UNITS["classifier"], **_UNITS["count_noun"]}
COUNT_NOUNS = set(_UNITS["count_noun"].values())
# units after which the counted thing follows (not measures): an action may name it
CLASSIFIERS = set(_UNITS["classifier"].values()) | COUNT_NOUNS
MEASURES = set(_UNITS["measure"].values())
CURRENCIES: dict[str, str] = _UNITS["currencies"]
CURRENCY_CODES: tuple[str, ...] = tuple(sorted(set(CURRENCIES.values())))  # the codes a figure can carry
_SCALED_ONLY = {u.lower() for u in _UNITS["scaled_only"]["units"]}
_ONLY_BEFORE: dict[str, set[str]] = {u.lower(): {w.lower() for w in ws} for u, ws in _UNITS["only_before"].items()}
_UNIT_COMPOUNDS: dict[str, set[str]] = {
    u.lower(): {w.lower() for w in ws} for u, ws in _UNITS["unit_compounds"].items()
}
# over lower-cased text; not the span after a plan's length: "kế hoạch 5 năm 2016-2020"
_YEAR_DIGITS_AFTER = re.compile(r" (?:19|20)\d\d(?!\d)(?!\s*(?:[-–—]|đến|tới)\s*(?:19|20)?\d\d)")

_GLUED_ONLY: dict[str, str] = _UNITS["glued_only"]
_NAMING_CLASSIFIERS = {u.lower() for u in _UNITS["naming_classifiers"]["units"]}
_CLAUSE_FINAL_UNITS = {u.lower() for u in _UNITS["clause_final"]["units"]}
# what may follow a clause-final unit: a mark, the end, or a stop word (checked after)
_NEXT_TOKEN = re.compile(r"[ \t]*(\w+)?")
# over lower-cased text: "gần 2000 năm lịch sử" counts years ("2016 năm nay" stays a year)
_YEARS_AFTER = re.compile(rf" năm(?!\w)(?! ?\d)(?! (?:{alternation(_FIG['years_after']['not_before'])})(?!\w))")
_HALF_AFTER_UNIT = re.compile(r"\s+rưỡi(?!\w)")  # over lower-cased text: "2 năm rưỡi"
_DIGIT_NEXT = re.compile(r"\s*\d")
GLUED_UNITS: list[str] = [*_UNITS["glued"]["units"], *_GLUED_ONLY]
MAX_ITEM_WORDS: int = _FIG["item_limits"]["max_words"]
MAX_WORDS_AFTER_COMMA: int = _FIG["item_limits"]["max_words_after_comma"]

# A figure's `sentence` repeats its sentence: a run-on line of many figures (a table,
# or junk) would store that line once per figure, quadratic in its length. Real
# articles stay far below this budget (the largest of 35k stores 0.8 M characters);
# past it each figure keeps a window of its sentence around it (`_cut_sentences`).
SENTENCE_BUDGET_CHARS = 2_000_000
SENTENCE_BUDGET_PER_CHAR = 8  # characters of sentences per character of text, beyond that
# A period "opens" a sentence when it starts within this many characters of it ("Trong
# 6 tháng đầu năm 2017, …", "Từ đầu năm đến nay, …").
LEAD_PERIOD_WITHIN = 12
_CONTINUATION = re.compile(rf"(?:{alternation(_FIG['period_continuations']['words'])})(?![\w])")
_POINT_IN_TIME = re.compile(rf"(?:{alternation(_FIG['period_points']['words'])})(?![\w])")  # over lower-cased text
_WITHIN_DAY_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_points']['within_day'])})\s+$")
_OPEN_FROM_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_points']['open_from'])})\s+$")
_UNTIL_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_points']['until'])})\s+$")
_EVENT_TIME_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_points']['event_before'])})\s+$")
_SPAN_WORDS = re.compile(r"(?<![\w])(?:đến|tới|và)(?![\w])")  # over lower-cased text
_COMPARISON_AT = re.compile(rf"(?:{alternation(_FIG['period_comparisons']['at'])})(?![\w])")
_BOUND_AT = re.compile(rf"(?:{alternation(_FIG['period_bounds']['before'])})\s")
_BOUND_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_bounds']['before'])})\s+$")
_COMPARISON_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['period_comparisons']['before'])})\s+$")

_QUALIFIER_BEFORE = PhraseSet(QUALIFIERS, gap=r"\s+")
_QUALIFIER_GAP_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_FIG['qualifier_gap']['words'])})\s+$", re.IGNORECASE)
_QUALIFIER_COMPOUNDS = {k.casefold(): {w.lower() for w in v} for k, v in _FIG["qualifier_compounds"].items()}
_WORD_BEFORE_CUE = re.compile(r"(\w+)\s+\w+\s+$")  # the word before the qualifier word
_EXCEEDS_BY = _FIG["exceeds_by"]
_EXCEEDS_BY_UNIT = re.compile(rf"\s*(?:{alternation(_EXCEEDS_BY['units'])})(?!\w)")
_NEGATED_OVER = _FIG["negated_over"]
_NEGATION_BEFORE = re.compile(  # over lower-cased text, ending where the cue starts
    rf"(?<!\w)(?:{alternation(_NEGATED_OVER['negations'])})(?:\s+[^\W\d_]+){{0,{_NEGATED_OVER['max_words']}}}\s+$"
)
_ON_VEHICLE_VERBS = {w.split()[-1].lower() for w in _FIG["on_vehicles"]["verbs"]}
# the vehicle may follow the end of a range: "đi trên 6 - 7 xe máy" (blind set 26)
_ON_VEHICLE_AFTER = re.compile(
    rf"(?:\s*[-–]\s*\d+)?\s+(?:{alternation(_FIG['on_vehicles']['vehicles'])})(?!\w)", re.IGNORECASE
)
_QUALIFIER_AFTER = re.compile(rf"\s*(?P<q>{alternation(QUALIFIERS_AFTER)})(?![\w])")  # over lower-cased text
_COMPARATIVE_HON_BEFORE = re.compile(  # over lower-cased text, ending where the qualifier ends
    rf"(?<!\w)(?P<adjective>{alternation(_FIG['comparative_hon']['adjectives'])})\s+hơn\s*$"
)
_CHANGES = _FIG["changes"]
_CHANGE_OF_CUE: dict[str, Change | None] = {
    **{" ".join(w.split()): "rise" for w in _CHANGES["rise"]},
    **{" ".join(w.split()): "fall" for w in _CHANGES["fall"]},
    **{" ".join(w.split()): None for w in _CHANGES["not_changes"]},
}
_CHANGE_BEFORE = PhraseSet(_CHANGE_OF_CUE)
_LEVEL_QUALIFIERS = {" ".join(w.split()) for w in _CHANGES["level_qualifiers"]}
_CHANGE_OF_ADJECTIVE: dict[str, Change] = {
    **dict.fromkeys(_CHANGES["rise_adjectives"], "rise"),
    **dict.fromkeys(_CHANGES["fall_adjectives"], "fall"),
}
_COMPARED_AFTER = re.compile(rf"\s*(?:{alternation(_FIG['comparative_hon']['after'])})(?!\w)")
_CASUALTY_AFTER = re.compile(  # over lower-cased text: "một người chết"
    rf"\s+(?:{alternation(_FIG['ambiguous_casualties']['persons'])})"
    rf"(?:\s+khác)?\s+(?:{alternation(_FIG['ambiguous_casualties']['outcomes'])})(?!\w)"
)
_AMBIGUOUS_PERSONS = set(_FIG["ambiguous_persons"]["words"])
_AMBIGUOUS_PERSONS_NOT_AFTER = PhraseSet(_FIG["ambiguous_persons"]["not_after"], gap=r"\s+")
_ADDRESS_BEFORE = PhraseSet(_FIG["address_before"]["words"], gap=r"\s+")
_PRODUCT_BEFORE = re.compile(rf"(?<![\w-])(?:{alternation(_FIG['product_names']['words'])}) $")  # case kept
# not before a number: "phòng 3 tầng 5" is room 3 on floor 5
_PRICED_CUES = frozenset(w.casefold() for w in _FIG["exclude_before"]["priced"])
# an amount's unit after a number: a currency, perhaps after a scale; not "đồng thời", "đồng ý"
# "đồng" that begins another word: "đồng thời", "đồng ý", and the unit's compounds ("đồng chí")
_NOT_AFTER_DONG = [*_UNITS["unit_compounds"]["đồng"], "thời", "ý", "tình"]
_NOT_A_UNIT_WORD = rf"(?![^\W\d_])(?!\s+(?:{alternation(_NOT_AFTER_DONG)})(?!\w))"
_MONEY_AFTER = re.compile(
    rf"\s*(?:(?:{alternation(SCALES)})\s+)?(?:{alternation([c.lower() for c in CURRENCIES])}){_NOT_A_UNIT_WORD}"
)
_SIZE_AFTER = re.compile(rf"\s*(?:{alternation(_FIG['exclude_before']['size_after'])})(?!\w)(?!\s*\d)")
_DURATION_CUES = {w.lower() for w in _FIG["exclude_before"]["duration_cues"]}
_YEAR_MEASURE_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation({w.lower() for w in _FIG['period_points']['year_after_measures']})})\s+$"
)
_DURATION_UNITS = set(_FIG["period_points"]["durations"])  # a figure in them lasts: no month is its period
# a measure (money, area, weight, a share) right after a number, or after the range it
# opens ("từ 2000 đến 2500 USD"): no year is measured in one; not a time (years count years:
# `_YEARS_AFTER`) nor a unit that needs a scale ("2017 bảng")
_MEASURE_WORDS = {
    name.lower()
    for name, unit in _UNITS["measure"].items()
    if unit not in _DURATION_UNITS and name not in _UNITS["scaled_only"]["units"]
}
_MEASURE = rf"(?:{alternation(_MEASURE_WORDS)}){_NOT_A_UNIT_WORD}"
_MEASURE_AFTER = re.compile(
    rf"\s*(?:{_MEASURE}|(?:{alternation({j.lower() for j in _FIG['ranges']['joiners']})})\s*\d[\d.,]*\s*{_MEASURE})"
)
_DIGITS_THEN_CUE = re.compile(r"\d\s+\w+\s*$")
_TERM_CUES = {w.lower() for w in _FIG["exclude_before"]["term_cues"]}
# over lower-cased text: "30 tháng tù", "trong vòng 48 giờ"
_DURATION_AFTER = re.compile(
    rf"\s*(?:(?:{alternation({j.lower() for j in _FIG['ranges']['joiners']})})\s*\d+(?:,\d+)?\s*)?"
    rf"(?:{alternation(_DURATION_CUES | _DURATION_UNITS)})(?!\w)"
)  # a range's first number too: "mức án 5 đến 7 năm tù"
_COUNTED_BEFORE = PhraseSet(_FIG["exclude_before"]["counted_before"], gap=r"\s+")
_DIGITS_ONLY_BEFORE = {w.casefold() for w in _FIG["exclude_before"]["digits_only"]}
_EXCLUDE_BEFORE = PhraseSet(_FIG["exclude_before"]["words"], gap=r"\s*[:.]?\s*")
# "thôn Khương Hà 2", "tàu Petrolimex 14": a settlement's or a vessel's word, then one to three
# capitalised words, right before digits
_NUMBERED_NAME_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_FIG['exclude_before']['settlements'] + _FIG['exclude_before']['vessels'])})"
    r"((?: [^\W\d_][\w]*){1,3}) $",
    re.IGNORECASE,
)
_EXCLUDE_AFTER = rf"\s*(?:{alternation({w.lower() for w in _FIG['exclude_after']['words']})})(?![\w])"
_ORDINAL_AFTER = rf"\s+(?:{alternation({w.lower() for w in _FIG['ordinal_after']['words']})})(?![\w])"
# "5 giờ sáng", "22 giờ ngày 18/5", "21h", "12 giờ 30 phút": clock times, not durations
_CLOCK_TIME = (
    r"\s*(?:h\d{0,2}(?![\w])"
    r"|giờ(?:\s*\d{1,2}\s*(?:phút|p)?)?\s*(?:,\s*)?(?:cùng\s+|hằng\s+|hàng\s+|mỗi\s+)?"
    r"(?:sáng|chiều|tối|trưa|đêm|khuya|ngày|hôm)(?![\w]))"
)
# each alone makes the number no count: one pattern, one match call per number
# "Hội nghị Trung ương 5 khóa XII": a plenum's number and its term
_TERM_AFTER = rf"\s+(?:{alternation(_FIG['exclude_after']['term_words'])})\s+[ivxlc]+(?![\w])"
_NOT_A_COUNT_AFTER = re.compile(
    f"{_EXCLUDE_AFTER}|{_ORDINAL_AFTER}|{_CLOCK_TIME}|{_TERM_AFTER}"
)  # over lower-cased text
# "156 Xã Đàn", "30 Phường Tân Định": digits before a capitalised unit word and a name
# are an address or a name, not a count of communes ("126 xã, phường")
_NAMED_UNIT_AFTER = re.compile(
    rf" (?:{alternation({w[:1].upper() + w[1:] for w in _FIG['item_modifier_stops']['words'] if w[:1].islower()})})"
    r" (?=[^\W\d_])"
)
_HALF_NOT_BEFORE = re.compile(rf"\s+(?:{alternation(_FIG['exclude_after']['half_not_before'])})(?!\w)")
# "qua km 90 quốc lộ 1A", "Km 15+200": a milepost; "300 km 2 ngày" measures, then counts
_MILEPOST_BEFORE = re.compile(r"(?:^|[^\d\s])\s*(?<!\w)km\s*$", re.IGNORECASE)
# capitalised words of Latin letters alone, no Vietnamese marks, on both sides of the number
_LATIN_NAME_BEFORE = re.compile(r"(?<![\w])([A-Z][A-Za-z]+) $")
_LATIN_NAME_AFTER = re.compile(r" [A-Z][A-Za-z]*(?![\w])")
# a word in the Latin alphabet alone, capitalised with small letters after: a name, not a
# Vietnamese word (which a capital starts only at a sentence's start) nor an acronym ("CLB")
_MODEL_NAME_AFTER = re.compile(r" ([A-Z][a-z]{2,}[A-Za-z]*)(?![\w-])")
# a Vietnamese syllable written without marks ("Chi cục", "Sao", "Hoa hậu") is no foreign name
_PLAIN_SYLLABLE = re.compile(
    r"(?i:[bcdghklmnpqrstvx]|ch|gh|gi|kh|ngh|ng|nh|ph|qu|th|tr)?[aeiouy]{1,3}(?i:ch|ng|nh|[cmnpt])?"
)
_BARE_DIGITS = re.compile(r"\d+")
# "1 A. Boruc 2 S. Francis": a shirt's or a list's number before a person's initial and name
# (the next player's number follows: "26 C. Nhiệt độ" is degrees Celsius)
# or the player before ends the list: "… 31 L. Mousset")
_INITIAL_NAME_AFTER = re.compile(r" [A-ZĐ]\. ?[A-ZĐ][^\W\d_]+(?:[ '-][A-ZĐ][^\W\d_]+)*(?P<next> \d)?")
# spaced on both sides or on neither: "VNM +70,9 tỷ đồng" is a ticker's net purchase
_ACRONYM_PLUS_BEFORE = re.compile(r"(?<![\w])[A-ZĐ]{2,}(?:\s+\+\s+|\+)$")
_INITIAL_NAME_BEFORE = re.compile(r"(?<!\w)[A-ZĐ]\. ?[A-ZĐ][^\W\d_]+ $")
_COUNTED_LATIN = re.compile(rf" (?:{alternation(_FIG['latin_names']['counted'])})(?![\w])")
# a plate's or a ship's prefix: "BKS 51C - 23817" after "51C", "QN-6758" after "QN", "30L - 3354"
# (an en dash only after a plate's province digits: "Galaxy S8 – 18,49 triệu đồng" is a price)
_CODE_BEFORE = re.compile(r"(?<![\w])(?:[A-ZĐ]{1,3}\d{0,2}[A-Z]?\s*-|\d{2}[A-ZĐ]{1,2}\d?\s*[-–])\s*$")
_CLOCK_BEFORE = re.compile(
    r"(?:lúc|vào lúc|từ lúc|đến lúc|từ|đến|tới)\s*(?:(?:khoảng|hơn|gần|chừng)\s+)*$", re.IGNORECASE
)
# "kết thúc 16 giờ": when it ends; not "kết thúc 18 giờ đồng hồ trước đó" (how long ago)
_CLOCK_VERB_BEFORE = re.compile(r"(?:kết thúc|bắt đầu)\s+$", re.IGNORECASE)
_HOURS_AGO_AFTER = re.compile(r"\s*(?:giờ|h)\s+(?:đồng hồ|trước|sau|nữa)(?!\w)")
# "bắt đầu từ 7 giờ 30 hoặc 8 giờ, kết thúc 16 giờ, 16 giờ 30 hoặc 17 giờ": an hour joined
# to a time of day (one after a clock word, or one whose minutes follow with no "phút")
# is a time of day too
_HOUR_READING = r"\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}(?:\s*phút)?)?"
_CLOCK_LIST_BEFORE = re.compile(
    rf"(?:(?:lúc|từ|đến|tới|kết thúc|bắt đầu)\s+{_HOUR_READING}|\d{{1,2}}\s*giờ\s*\d{{1,2}}(?!\s*phút))"
    rf"(?:\s*(?:,|hoặc|và)\s*{_HOUR_READING})*\s*(?:,|hoặc|và|đến|tới|-|–)\s*$",
    re.IGNORECASE,
)
# "Theo thông tin ban đầu, khoảng 16 giờ, chiếc xe …": an hour that opens a clause and is
# closed by a comma says when, not how long ("kéo dài 16 giờ," has a verb before it)
_CLAUSE_OPEN_BEFORE = re.compile(r"(?:^|[,.;:!?]\s*)(?:(?:khoảng|hơn|gần|chừng)\s+)*$", re.IGNORECASE)
_HOUR_THEN_COMMA = re.compile(r"\s*giờ(?:\s*\d{1,2}(?:\s*phút)?)?\s*,")
# over lower-cased text (`lowered_like`): literal words compare far faster than with IGNORECASE
_UNIT_AFTER = re.compile(rf"\s*(?P<unit>{alternation({name.lower() for name in UNIT_NAMES})})(?![\w])")
_GLUED_AFTER = re.compile(rf"(?P<unit>{alternation(GLUED_UNITS)})(?![^\W\d])")
# the centimetres of a height written "1m89": two digits glued after the metre
_CENTIMETRES_AFTER = re.compile(r"\d\d(?!\w)")
# nouns written with a comma inside ("400 cán bộ, chiến sĩ công an"): the comma opens no clause
_COMMA_NOUN = re.compile(rf"(?:{alternation(_FIG['item_comma_nouns']['words'])})(?!\w)")
_RANGE_JOIN = re.compile(
    rf"(?:\s*\((?:{alternation(_FIG['ranges']['labels'])})\))?"
    rf"\s*(?:{alternation({j.lower() for j in _FIG['ranges']['joiners']})})\s*"
)
# between two bare numbers only: "một hoặc hai ngày" is a range, "4GB hoặc 6GB" two options
_OR_JOIN = re.compile(rf"\s*(?:{alternation({j.lower() for j in _FIG['ranges']['or_joiners']})})\s*")
# a measure after a range's first number, repeated after its last ("12 năm đến 20 năm")
_RANGE_UNIT = re.compile(rf"\s*(?P<unit>{alternation({n.lower() for n in _UNITS['measure']})}){_NOT_A_UNIT_WORD}")
_ITEM_WORDS = load("item_words")  # grown offline with a POS tagger (tools/grow_item_words.py)
_ITEM_STOPS = {w.lower() for w in [*_FIG["item_stops"]["words"], *_ITEM_WORDS["item_ends"]["words"]]}
_PERSON_NOUNS = {w.lower() for w in _ITEM_WORDS["item_person_nouns"]["words"]}
_SURNAMES = {w.lower() for w in _ITEM_WORDS["item_surnames"]["words"]}
_AMBIGUOUS_SURNAMES = {w.lower() for w in _ITEM_WORDS["item_surnames"]["after_person"]}
_SURNAMES_AFTER_PERSON = _SURNAMES | _AMBIGUOUS_SURNAMES
_MIDDLE_NAMES = set(_ITEM_WORDS["item_surnames"]["middle_names"])  # as written, capitalised
_LIST_JOINERS = {"và", "hoặc", "hay"}
_PERSON_AFTER = re.compile(rf"\s+(?:{alternation(_PERSON_NOUNS)})(?!\w)")  # over lower-cased text
_PRICED = re.compile(  # over lower-cased text: "giá 4,5 triệu" ends the item before it
    rf"(?:{alternation(_FIG['priced_after_item']['words'])})\s+"
    rf"(?:(?:{alternation(_FIG['priced_after_item']['linkers'])})\s+)?\d"
)
_PRICED_FIRST = {w.split()[0].lower() for w in _FIG["priced_after_item"]["words"]}
_NAMES_THING = {w.lower() for w in _FIG["priced_after_item"]["names_thing"]}
PRICED_THING_WORDS = 6  # the words read back for the thing a price follows ("một quỹ đầu tư trị giá 16 tỷ USD")
_WORDS_BEFORE = re.compile(rf"((?:[^\W\d_][\w\-]* ){{1,{PRICED_THING_WORDS}}})$")


class _PhraseAt:
    """Matches one of `phrases` as whole words at a position, `at(text, pos, word)`.

    Most words begin no phrase: a set lookup of the word at `pos` rules them out before
    the regex runs (this is on the item-phrase hot path, once per word).
    """

    def __init__(self, phrases: list[str] | set[str]) -> None:
        firsts = [re.match(r"\w+", p) for p in phrases]
        assert all(firsts), "phrases start with a word"
        self.first_words = {m[0].lower() for m in firsts if m}
        self._pattern = re.compile(rf"(?:{alternation({p.lower() for p in phrases})})(?![\w])")

    def at(self, lowered: str, pos: int, word: str) -> bool:
        """Whether a phrase starts at `pos` of `lowered` (lower-cased text), where the
        lower-case token `word` starts."""
        # `word` is a token such as "xã-phường"; a phrase may end at its hyphen
        return word.partition("-")[0] in self.first_words and self._pattern.match(lowered, pos) is not None

    def end_at(self, lowered: str, pos: int, word: str) -> int | None:
        """Where the phrase that starts at `pos` ends, or None (as `at`)."""
        if word.partition("-")[0] not in self.first_words:
            return None
        found = self._pattern.match(lowered, pos)
        return found.end() if found else None


_MULTIWORD_STOP = _PhraseAt({w for w in _ITEM_STOPS if " " in w})
# a unit's compounds of more than one word ("thanh thiếu niên"; one word: `_UNIT_COMPOUNDS`)
# and the predicates that make a count noun the thing counted ("2 con chết")
_UNIT_COMPOUND_PHRASES = {
    unit: _PhraseAt(multi) for unit, words in _UNIT_COMPOUNDS.items() if (multi := [w for w in words if " " in w])
}
_COUNT_NOUN_PREDICATES = {unit: _PhraseAt(words) for unit, words in _UNITS["count_noun_predicates"].items()}
_COMPOUND = _PhraseAt([*_FIG["item_compounds"]["words"], *_ITEM_WORDS["item_keeps"]["words"]])
# two-word compounds whose second word is a stop: "văn bản" ("bản" a village), "tự chế"
_COMPOUND_PAIRS = {
    w.lower() for w in [*_FIG["item_compounds"]["words"], *_ITEM_WORDS["item_keeps"]["words"]] if w.count(" ") == 1
}
_HEAD_COMPOUND = _PhraseAt(_FIG["item_compounds"]["after_head"])
# two-word compounds, wherever they stand or only after a head: a stop inside one is none
_ANY_COMPOUND_PAIRS = _COMPOUND_PAIRS | {w.lower() for w in _FIG["item_compounds"]["after_head"] if w.count(" ") == 1}
_THING_AFTER = {w.lower() for w in _FIG["priced_after_item"]["thing_after"]}
_THING_OPENER = re.compile(r"[\d(\[,;:\"“]")
_OPENING_NOUN = _PhraseAt(_FIG["item_opening_nouns"]["words"])
_MODIFIER_STOP = _PhraseAt([*_FIG["item_modifier_stops"]["words"], *_FIG["measure_attributes"]["ends_item"]])
# lower-case words that introduce a person ("chị", "ông"; places.toml [person_titles])
_PERSON_TITLE_BEFORE = re.compile(
    rf"(?<![\w])(?:{alternation(load('places')['person_titles']['words'])})[ \t\xa0]+$", re.IGNORECASE
)
_CLAUSE_AFTER_COMMA = _PhraseAt(_FIG["item_limits"]["clause_after_comma"])
# A word that is no stop and begins no phrase above cannot end an item: most words
_STOP_RELEVANT = _ITEM_STOPS | _MULTIWORD_STOP.first_words | _COMPOUND.first_words | _MODIFIER_STOP.first_words
_PASSIVES = {w.lower() for w in _FIG["item_passives"]["words"]}
# after a defining passive ("bị ảnh hưởng"), a noun phrase is its cause or object, not the item
_CAUSE_FOLLOWS = _PhraseAt(_FIG["item_passives"]["cause_follows"])
_AFTER_DEFINING_STOP = re.compile(rf" (?!(?:{alternation(_FIG['item_passives']['manners'])})(?!\w))")
_LAST_WORDS = {w.lower() for w in _FIG["item_last_words"]["words"]}  # "tài xế khác"
_DURATION_EMPHASES = frozenset(_FIG["item_stops"]["duration_emphases"])  # "4 năm trời"
_PASSIVE_NOUN_BEFORE = {w.lower() for w in _FIG["passive_nouns"]["before"]}  # "thiết bị"
_PASSIVE_NOUN_AFTER = {w.lower() for w in _FIG["passive_nouns"]["after"]}  # "bị can"
_DEFINING_PASSIVE = _PhraseAt(_FIG["passive_nouns"]["defining"])  # "bị tạm giữ"
_EVENT_HEAD = _PhraseAt(_FIG["event_heads"]["words"])
_AGENT_NOUNS = frozenset(_FIG["agent_nouns"]["words"])
# "xã", "phường", "huyện": a capitalised word after one, as the item's head, is its name
_ADMIN_HEADS = {w.lower() for w in _FIG["item_modifier_stops"]["words"] if w[:1].islower()}
_CLASSIFIER_WORDS = {w.lower() for w in _UNITS["classifier"]}
_ATTRIBUTE = _FIG["measure_attributes"]
_NOUN_ATTRIBUTE = re.compile(rf"(?<!\w)(?:{alternation(_FIG['measure_attributes']['nouns'])})(?!\w)")
_MEASURED_BY_ATTRIBUTE = re.compile(  # over lower-cased text, ending where the qualifier or number starts
    rf"(?<![\w])(?P<attribute>{alternation({w.lower() for w in _ATTRIBUTE['words']})})"
    rf"\s*(?:(?:{alternation(_ATTRIBUTE['linkers'])})\s*)?$"
)
_ATTRIBUTE_INNER = {w.lower() for w in _ATTRIBUTE["inner"]}
_ATTRIBUTE_VERBS = {w.lower() for w in _ATTRIBUTE["verb_before"]}
# the same cues as phrases ("dài", "dài khoảng"), for a lookup of the words before a number
_ATTRIBUTE_BEFORE = PhraseSet(
    [*_ATTRIBUTE["words"], *(f"{word} {linker}" for word in _ATTRIBUTE["words"] for linker in _ATTRIBUTE["linkers"])]
)
# units and scale words: walking back, one ends the thing ("3 tỷ đồng trên diện tích rộng 16 ha")
_UNIT_WORDS = {w.lower() for w in UNIT_NAMES if " " not in w} | {"nghìn", "ngàn", "triệu", "tỷ", "tỉ"}
# walking back, the thing measured starts after a number word or a determiner ("một hố ga")
_ATTRIBUTE_STOP_WORDS = {
    *(w.lower() for w in _ATTRIBUTE["content_before"]),
    *("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mấy", "vài"),
    *("các", "những", "mỗi", "là"),
}
_ATTRIBUTE_ADVERBS = {w.lower() for w in _ATTRIBUTE["adverbs_before"]}
MAX_ATTRIBUTE_ITEM_WORDS = 6
_MEASURED_NOUNS = {w.lower() for w in _FIG["measured_before"]["words"]}
_MEASURED_LINKER_TO_END = rf"\s*(?:(?:{alternation(_FIG['measured_before']['linkers'])})\s*)?$"
_MEASURED_BEFORE = re.compile(  # over lower-cased text
    rf"(?<![\w])(?P<item>{alternation(_MEASURED_NOUNS)}"
    rf"(?:\s+(?:{alternation(_FIG['measured_before']['attributes'])})){{0,2}})"  # "thấp nhất phổ biến"
    + _MEASURED_LINKER_TO_END
)
_MEASURED_HEAD = re.compile(rf"(?<![\w])(?:{alternation(_MEASURED_NOUNS)})(?![\w])")  # over lower-cased text
_MODIFIED_TAIL = re.compile(  # the modifiers and the verb after a measured noun, to the qualifier
    rf"(?P<modifiers>(?:\s+[^\W\d_]+){{1,{_FIG['measured_before']['max_modifiers']}}}?)"
    rf"\s+(?:{alternation(_FIG['measured_before']['modified_linkers'])})\s*$"
)
_MODIFIED_LINKER_END = re.compile(  # the cheap test first: a linker ends the words before the number
    rf"(?<![\w])(?:{alternation(_FIG['measured_before']['modified_linkers'])})\s*$"
)
MODIFIED_REACH = 80  # characters before the qualifier a modified measured noun may start
# Without a verb, a measured noun and at most this many words right before the number:
# "trọng lượng phóng 5,9 tấn", "đường kính thân 0,88 m" (blind set 27)
CLOSE_MODIFIERS = 2
_NOT_MEASURED = re.compile(rf"(?:{alternation(_FIG['measured_before']['not_measured'])})(?!\w)")
_CLOSE_MODIFIED = re.compile(  # over lower-cased text, ending where the qualifier starts
    # as written: over lower-cased text "RAM" never matches here ("RAM nâng lên 3 GB")
    rf"(?<![\w])(?P<item>(?:{alternation({*_FIG['measured_before']['words'], *_ATTRIBUTE['nouns']})})"
    rf"(?P<modifiers>(?:\s+[^\W\d_]+){{1,{CLOSE_MODIFIERS}}}?))"  # lazy: a linker is no modifier
    + _MEASURED_LINKER_TO_END
)
_COUNTED = _FIG["counted_before"]
_COUNT_OF_BEFORE = re.compile(  # over lower-cased text, ending where the qualifier starts
    rf"(?<!\w)(?:{alternation(_COUNTED['heads'])})\s+"
    rf"(?P<item>[^\W\d_]+(?:\s+[^\W\d_]+){{0,{_COUNTED['max_words'] - 1}}})"
    rf"\s*(?:{alternation(_COUNTED['linkers'])})\s*$"
)
_RATE = re.compile(
    rf"\s*(?:/|(?:{alternation([w for w in _UNITS['rate_denominators']['per_words'] if w != '/'])})\s+)\s*"
    rf"(?P<per>{alternation({w.lower() for w in _UNITS['rate_denominators']['words']})})(?![\w])"
)
# "40 trận/mùa", "3 ca/ngày": a noun that is no unit, with a rate's "per" part glued to it
_NOUN_RATE = re.compile(
    rf" (?P<unit>[^\W\d_]+)/(?P<per>{alternation({w.lower() for w in _UNITS['rate_denominators']['words']})})(?![\w])"
)
# the units of a time span ([period_points] durations): "15 ngày một lần" is a frequency
_TIME_UNIT_BEFORE = re.compile(rf"\d\s*(?:{alternation(_DURATION_UNITS)})\s+$", re.IGNORECASE)
_HOURS_AFTER = re.compile(r"\s*(?:giờ|h)(?![^\W\d])")  # "21h", "21h30", never "hecta"
_CLOCK_HOUR_BEFORE = re.compile(r"\d{1,2}\s*(?:giờ|h)\s*$", re.IGNORECASE)
_SCALED = re.compile(r"\s|,")  # "21,4 triệu", "1,5": not how identifiers are written
_WORD = re.compile(r"[\w][\w\-]*|[,;:.!?()\[\]\"“”'‘’/…–—]|\S", re.UNICODE)
_GLUED_TIME = re.compile(r"^h\d{0,2}(?![\w])", re.IGNORECASE)


def _sign_before(text: str, number: NumberMatch) -> re.Match[str] | None:
    """A sign of comparison right before the number ("≥ 36 độ C")."""
    return _QUALIFIER_SIGN_BEFORE.search(text, max(0, number.start - 3), number.start)


def _qualifier(text: str, number: NumberMatch) -> tuple[Qualifier, int]:
    """The qualifier before the number and where the number's phrase starts."""
    if number.approximate:
        return "approx", number.start
    if (sign := _sign_before(text, number)) is not None:
        return QUALIFIER_SIGNS[sign[1]], sign.start()
    cue = _QUALIFIER_BEFORE.phrase_before(text, number.start)
    if cue is None and (gap := _QUALIFIER_GAP_BEFORE.search(text, max(0, number.start - 12), number.start)):
        cue = _QUALIFIER_BEFORE.phrase_before(text, gap.start())  # "gần gấp ba lần"
        if cue == "hơn" and _COMPARATIVE_HON_BEFORE.search(text.lower(), max(0, gap.start() - 16), gap.start()):
            return "exact", number.start  # "nhiều hơn gấp 3 lần": more by three times, no bound
    if cue is not None and cue in _QUALIFIER_COMPOUNDS:
        word_before = _WORD_BEFORE_CUE.search(text, max(0, number.start - 24), number.start)
        if word_before is not None and word_before[1].lower() in _QUALIFIER_COMPOUNDS[cue]:
            return "exact", number.start  # "tốc độ 150 km/h": a speed, not "about"
    if cue == "trên" and _ON_VEHICLE_AFTER.match(text, number.end):
        verb = _WORD_BEFORE_CUE.search(text, max(0, number.start - 24), number.start)
        if verb is not None and verb[1].lower() in _ON_VEHICLE_VERBS:
            return "exact", number.start  # "đi trên hai chiếc xe mô tô": riding on two, not over two
    if cue is not None and cue in _EXCEEDS_BY["cues"] and _EXCEEDS_BY_UNIT.match(text, number.end):
        return "exact", number.start  # "Coliform vượt 14,9 lần": the multiple by which it passes
    if cue is not None:
        if cue in _NEGATED_OVER["cues"]:
            before = text[max(0, number.start - 80) : number.start].lower()
            cue_start = before.rfind(cue)
            if cue_start > 0 and _NEGATION_BEFORE.search(before, 0, cue_start):
                return "at_most", number.start  # "không được vượt quá 20%": a bound, not beyond
        return QUALIFIERS[cue], number.start
    return "exact", number.start


def _change(text: str, start: int, qualified: bool) -> Change | None:
    """Whether the figure whose number starts at `start` states a rise or a fall rather
    than a level (lexicon `[changes]`). `qualified`: a qualifier stands before the number,
    and the cue may stand before it ("tăng hơn 20%")."""
    cue = _CHANGE_BEFORE.phrase_before(text, start)
    if cue is None and qualified and (qualifier := _QUALIFIER_BEFORE.phrase_before(text, start)) is not None:
        if qualifier in _LEVEL_QUALIFIERS:
            return None  # "giảm dưới 150.000": the level reached
        at = start
        while at > 0 and text[at - 1].isspace():
            at -= 1
        at -= len(qualifier)
        if text[at : at + len(qualifier)].casefold() == qualifier:
            cue = _CHANGE_BEFORE.phrase_before(text, at)
    return None if cue is None else _CHANGE_OF_CUE[cue]


def _overlaps(number: NumberMatch, spans: list[tuple[int, int]]) -> bool:
    """Whether `number` overlaps one of `spans` (sorted, not overlapping each other)."""
    index = bisect.bisect_left(spans, (number.end,)) - 1
    return index >= 0 and spans[index][1] > number.start


def _is_excluded(
    text: str,
    lowered: str,
    number: NumberMatch,
    dates: list[tuple[int, int]],
    range_end: bool = False,
    part_of: bool = False,
) -> bool:
    """Whether `number` is not a figure (EXTRACTION.md "Not figures"). Each test alone
    excludes; the cheap ones on the number's own characters come first. `part_of`: the
    number is the part of "78/726 hợp đồng", so the slash after it makes no code."""
    if _overlaps(number, dates):
        return True
    before = text[max(0, number.start - 30) : number.start]
    after = text[number.end : number.end + 30]
    if not number.spelled and _is_code_like(text, lowered, number, before, " " if part_of else after, range_end):
        return True
    scaled = bool(_SCALED.search(text[number.start : number.end]))  # "khóa 21,4 triệu thuê bao"
    # a number after a full stop and a space opens a sentence, so no cue of the sentence before
    # makes it an identifier: "… 6 tháng. Sáu ngày sau", "… của pháp luật. 100% văn bản"
    new_sentence = (
        (not number.spelled or text[number.start].isupper())
        and before[-1:].isspace()
        and before.rstrip()[-1:] in (".", "!", "?")
    )
    cue = None if scaled or new_sentence else _EXCLUDE_BEFORE.phrase_before(text, number.start)
    if cue is not None and _SIZE_AFTER.match(lowered, number.end):
        cue = None  # "ngôi nhà 5 tầng": the floors of the house, not its number
    if cue is not None and cue.casefold() in _PRICED_CUES and _MONEY_AFTER.match(lowered, number.end):
        cue = None  # "Giá vé 50.000 đồng/người": a price, not a seat's number
    if cue is not None and _COUNTED_BEFORE.phrase_before(text, number.start):
        cue = None  # "Trong số 6 nạn nhân": among six, not victim number six
    if cue is not None and cue.lower() in _DURATION_CUES and _DIGITS_THEN_CUE.search(before):
        cue = None  # "6 ngày 5 đêm", "2 năm 3 tháng": the next part of a duration
    if cue is not None and cue.lower() in _TERM_CUES and _DURATION_AFTER.match(lowered, number.end):
        cue = None  # "mức án 30 tháng tù": a sentence's length, not a case's number
    if cue is not None and not (number.spelled and cue in _DIGITS_ONLY_BEFORE) and not _ends_province(before):
        return True  # "ảnh 1" is a caption, "hình ảnh hai đối tượng" a picture of two
    if not number.spelled and before[-1:] == " " and _PRODUCT_BEFORE.search(before):
        return True  # "Boeing 737 cất cánh": a model's number
    if not number.spelled and before.rstrip()[-2:].lower() == "km" and _MILEPOST_BEFORE.search(before):
        return True
    if not number.spelled and _in_numbered_name(before) and not _unit_follows(lowered, number.end):
        return True  # "ở thôn Khương Hà 2 bị thương": the village's name, no count of the injured
    if not number.spelled and _continues_identifiers(text, before, number.start, number.value):
        return True  # "tổ 20, 21 phường": the list goes on naming groups
    if number.spelled and lowered[number.start : number.end] in AMBIGUOUS_ALONE and _DIGITS_END.search(before):
        return True  # "2 năm vụ cháy": "năm" is the unit of 2, not five

    if (
        not number.spelled
        and before.endswith(("+ ", "+"))
        and _ACRONYM_PLUS_BEFORE.search(before)
        and not _unit_follows(lowered, number.end)
    ):
        return True  # "ASEAN + 3": a group's name ("16 MP + 20 MP" adds)
    if after[:1] == " " and after[1:2].isupper():
        if _ADDRESS_BEFORE.phrase_before(text, number.start):
            return True  # "tại 12 Tôn Đản": a street address
        if _names_after(text, number):
            return True  # "vận tải 57 Hà Nội", "lớp 3 Ngô Thị Linh", "(Hai Bà Trưng, …)": names
        if not number.spelled and _LATIN_NAME_BEFORE.search(before) and _LATIN_NAME_AFTER.match(text, number.end):
            return True  # "Windows 10 Pro", "Galaxy Note 8 Plus": a product's name
        model = None if number.spelled else _MODEL_NAME_AFTER.match(text, number.end)
        if (
            model is not None
            and _BARE_DIGITS.fullmatch(text, number.start, number.end)
            and model[1].lower() not in _UNIT_WORDS
            and not _PLAIN_SYLLABLE.fullmatch(model[1])
            and not _COUNTED_LATIN.match(text, number.end)
        ):
            return True  # "chiếc 918 Spyder", "mẫu 911 Carrera": a model's name, no count of them
        player = None if number.spelled else _INITIAL_NAME_AFTER.match(text, number.end)
        if player is not None and (player["next"] or _INITIAL_NAME_BEFORE.search(before)):
            return True
        named = None if number.spelled else _NAMED_UNIT_AFTER.match(text, number.end)
        if named is not None and text[named.end() : named.end() + 1].isupper():
            return True  # "156 Xã Đàn": a street's name
    if _NOT_A_COUNT_AFTER.match(lowered, number.end, number.end + 30):  # "thứ 3", "5 giờ sáng"
        return True
    if number.spelled and lowered.startswith("nửa", number.start) and _HALF_NOT_BEFORE.match(lowered, number.end):
        return True  # "nửa đêm": midnight
    if number.spelled and lowered.startswith("một lần", number.start) and _TIME_UNIT_BEFORE.search(before):
        return True  # "15 ngày một lần": the frequency of the time before, no count of times
    if not number.spelled and number.value < 60 and _ends_with_hour(before):
        return True  # "12 giờ 30 phút", "20 giờ 15 ngày 6-2": the minutes of a time of day
    if _HOURS_AFTER.match(after) and (
        _CLOCK_BEFORE.search(before)
        or (number.value <= 24 and _CLOCK_LIST_BEFORE.search(before))
        or (
            not number.spelled
            and number.value <= 24
            and _CLOCK_VERB_BEFORE.search(before)
            and not _HOURS_AGO_AFTER.match(lowered, number.end)
        )
        or (number.value <= 24 and _HOUR_THEN_COMMA.match(lowered, number.end) and _CLAUSE_OPEN_BEFORE.search(before))
    ):
        return True
    if number.spelled and text[number.start].isupper() and after[1:2].isupper() and not _opens_sentence(text, number):
        return True  # "ở Hai Bà Trưng", "phố Hai Xã": a capitalised number word inside a name
    # "đến nhà chị Tám chúc tết": a person called by a number (blind set 27), unless a unit
    # follows ("đàn lợn con Hai con lợn": a caption glued to the sentence)
    title_before = number.spelled and text[number.start].isupper() and _PERSON_TITLE_BEFORE.search(before)
    if title_before and not _unit_follows(lowered, number.end):
        return True
    # inside quotes with a capital, a name or slogan: “Ba nhất”
    return number.spelled and number.start > 0 and text[number.start - 1] in "“\"'‘"


def _unit_follows(lowered: str, end: int) -> bool:
    """Whether a unit follows the number, glued or as the next word ("6,4km", "7 km")."""
    if lowered[end : end + 1].isalpha():
        return True
    following = _NEXT_TOKEN.match(lowered, end)
    return following is not None and following[1] in _UNIT_WORDS


def _in_numbered_name(before: str) -> bool:
    """Whether the text before a number ends in a settlement's or a vessel's capitalised name
    ("thôn Khương Hà ", "tàu Petrolimex ")."""
    match = _NUMBERED_NAME_BEFORE.search(before)
    return match is not None and all(word[0].isupper() for word in match[1].split())


_CAPITALISED_RUN = re.compile(r" ([^\W\d_]\w*)(?: ([^\W\d_]\w*))?(?: ([^\W\d_]\w*))?")
# "(34 Tôn Đức Thắng, quận 1)": a house number, a street's capitalised name, then its district
_ADMIN_NOUNS = {"quận", "phường", "huyện", "xã", "thị", "tỉnh", "thành", "tp"}  # "30 Quận, huyện" counts them
_STREET_THEN_DISTRICT = re.compile(
    r"((?: [^\W\d_][\w]*){1,5}),\s*(?i:quận|phường|huyện|xã|thị xã|thị trấn|q\.|p\.|tp)(?!\w)"
)


def _names_after(text: str, number: NumberMatch) -> bool:
    """Whether the capitalised words after the number make a name with it or alone: a
    place ("57 Hà Nội" is a company's, "Hai Bà Trưng" a district) or a person ("3 Ngô Thị
    Linh"), so the number counts nothing."""
    run = _CAPITALISED_RUN.match(text, number.end)
    if run is None:
        return False
    words: list[str] = []
    for word in run.groups():  # the capitalised words right after it, in a row
        if word is None or not word[0].isupper():
            break
        words.append(word)
    if not words:
        return False
    if number.spelled:
        own = text[number.start : number.end]
        return any(is_admin_name(" ".join([own, *words[:k]])) for k in range(1, len(words) + 1))
    if any(is_admin_name(" ".join(words[:k])) for k in range(2, len(words) + 1)) or is_province_name(words[0]):
        return True  # "vận tải 57 Hà Nội", "Trung tâm 115 Bà Rịa"
    street = _STREET_THEN_DISTRICT.match(text, number.end)
    street_words = street[1].split() if street is not None else []
    if (
        street_words
        and all(word[0].isupper() for word in street_words)
        and street_words[0].lower() not in _ADMIN_NOUNS
        and not is_admin_name(street_words[0])
    ):
        return True  # "(34 Tôn Đức Thắng, quận 1)": an address
    return len(words) >= 2 and words[0].lower() in _SURNAMES


_LAST_TWO_NAME_WORDS = re.compile(r"(?<!\w)([^\W\d_][\w]*)\s+([^\W\d_][\w]*)\s*$")


def _ends_province(before: str) -> bool:
    """Whether the words right before a number are a province's capitalised name whose
    last word is also an identifier word: "Hải Phòng 9 vụ" counts cases, "phòng 9" is a room."""
    found = _LAST_TWO_NAME_WORDS.search(before)
    return bool(found and found[1][0].isupper() and found[2][0].isupper() and is_province_name(found[0]))


# a number of one to three digits (not a year) and a list mark right before the number
_LIST_BEFORE = re.compile(r"(?<![\d.,/])(\d{1,3})\s*(?:[,;]|\svà)\s*$")
# identifier words that are dates or ordinals too: "năm 2016, 100% …", "vòng thứ 2, 4 đội" begin no list
MAX_LIST_STEP = 10  # identifiers listed go up a little at a time
_NOT_LIST_CUES = {"năm", "ngày", "tháng", "sinh", "sinh năm", "năm sinh", "tuổi", "thứ", "lần thứ"}
_DIGITS_END = re.compile(r"\d\s+$")


def _continues_identifiers(text: str, before: str, start: int, value: float) -> bool:
    """Whether the number follows a list of identifiers: numbers joined by commas or "và",
    each a little above the one before ("tổ 20, 21", "phường 2, 3, 4", "thôn 3 và 4"), whose
    first stands after an identifier word. "số 4, 65 xe tăng" and "top 4, 4 năm" count."""
    for _ in range(8):  # a list is a few numbers long
        found = _LIST_BEFORE.search(before)
        if found is None or not 0 < value - int(found[1]) <= MAX_LIST_STEP:
            return False
        value = int(found[1])
        start -= len(before) - found.start(1)
        cue = _EXCLUDE_BEFORE.phrase_before(text, start)
        if cue is not None:
            return cue not in _DIGITS_ONLY_BEFORE and cue.lower() not in _NOT_LIST_CUES
        before = text[max(0, start - 30) : start]
    return False


def _ends_with_hour(before: str) -> bool:
    """Whether `before` ends with a clock hour ("20 giờ ", "8h"); a suffix test first, as
    this runs for most small numbers."""
    return before.rstrip().lower().endswith(("giờ", "h")) and _CLOCK_HOUR_BEFORE.search(before) is not None


def _opens_sentence(text: str, number: NumberMatch) -> bool:
    """Whether `number` opens its sentence (or line, or a quotation, or a list item)."""
    before = text[max(0, number.start - 4) : number.start].rstrip()
    return not before or before[-1] in '.!?:;\n"“(-–—•*'


# what a count padded to two digits may count ("02 đối tượng", "01 chiếc xe"): not a code's
_ZERO_PADDED_COUNT = re.compile(rf" (?:{alternation(_FIG['zero_padded']['nouns'])})(?!\w)")


_YEAR_LIKE_COUNT_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_FIG['year_like_counts']['before'])})\s+$")
_YEAR_LIKE_COUNT_AFTER = re.compile(rf" (?!(?:{alternation(_FIG['year_like_counts']['not_after'])})(?!\w))[^\W\d_]")


def _is_code_like(text: str, lowered: str, number: NumberMatch, before: str, after: str, range_end: bool) -> bool:
    """Digits that are a year, a phone number, a code or part of one, not a count."""
    token = text[number.start : number.end].split()[0]
    digits = token.replace(".", "").replace(",", "")
    if digits.startswith("0") and len(digits) > 1 and not token.startswith("0,"):  # phone numbers, codes "03"
        # official reports pad counts to two digits: "bắt 02 đối tượng", "01 xe máy"
        return not (len(token) == 2 and _ZERO_PADDED_COUNT.match(lowered, number.end))
    if len(digits) >= 9 and "." not in token and "," not in token:  # phone numbers, IDs
        return True
    if len(digits) >= 3 and "." not in token and _CODE_BEFORE.search(before):
        return True  # "tàu HP - 4356", "xe 29A - 123": a registration number
    if len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100:
        # a year, unless years are counted ("gần 2000 năm lịch sử") or a measure follows
        # ("2000 USD", "trên 2000m2 chợ": no year is priced or measured)
        return not (
            _YEARS_AFTER.match(lowered, number.end)
            or _MEASURE_AFTER.match(lowered, number.end)
            # "khoảng 2000 giáo dân": a qualifier or a verb of having, then the counted word
            or (
                _YEAR_LIKE_COUNT_BEFORE.search(lowered, max(0, number.start - 30), number.start)
                and _YEAR_LIKE_COUNT_AFTER.match(lowered, number.end)
                and text[number.end + 1 : number.end + 2].islower()  # "2017 KTM Duke": a model's year
            )
            or (_GLUED_AFTER.match(after) and not after[:1].isspace())
        )
    following, preceding = after[:1], before[-1:]
    if following == "/":
        return True
    if following in ("-", ".") and after[1:2].isalnum() and not _RANGE_JOIN.match(lowered, number.end, number.end + 30):
        return True
    if following.isalpha() and not _GLUED_AFTER.match(after) and not _GLUED_TIME.match(after):
        return True
    if preceding.isalpha() or preceding in ("/", "#", ":"):  # "A80", "QL1A", "/12", "07:30"
        return True
    if preceding == "+" and before[-2:-1].isdigit():  # "km 22+120": a road's chainage
        return True
    return not range_end and preceding in ("-", ".") and before[-2:-1].isalnum()


def _words_after(text: str, start: int) -> Iterator[re.Match[str]]:
    return _WORD.finditer(text, start, min(len(text), start + 200))


def _is_stop(lowered: str, pos: int, word: str, *, after_head: bool) -> bool:
    """Whether the phrase ends before the word at `pos` (compounds such as "chỉ tiêu" go on)."""
    if _COMPOUND.at(lowered, pos, word) or (after_head and _HEAD_COMPOUND.at(lowered, pos, word)):
        return False
    if after_head and _MODIFIER_STOP.at(lowered, pos, word):
        return True
    return word in _ITEM_STOPS or _MULTIWORD_STOP.at(lowered, pos, word)


def _new_clause(text: str, lowered: str, segment: list[re.Match[str]]) -> bool:
    """Whether the words after an item's comma open a clause rather than a list's next
    noun: they start with a capital, or run three words before any passive marker (an
    administrative word such as "tỉnh, thành phố" opens a list)."""
    first = segment[0]
    if _CLAUSE_AFTER_COMMA.at(lowered, first.start(), first[0]):
        return True  # "5 xe máy, phía sau có 3 ô tô"
    if _MODIFIER_STOP.at(lowered, first.start(), first[0]):
        return False
    if text[first.start()].isupper():
        return True
    before_passive = next((i for i, t in enumerate(segment) if t[0] in _PASSIVES), len(segment))
    return before_passive >= 3


def _passive_ends_item(lowered: str, token: re.Match[str], phrase: list[re.Match[str]], previous: str) -> bool:
    """Whether the passive marker `token` opens a predicate rather than continuing the
    item: it does ("3 xe máy bị ô tô tông", "2 bị can bị đưa ra xét xử") unless what follows
    defines what is counted ("người bị thương", "2 xe bị tạm giữ") or it is inside a noun
    ("thiết bị", "bị can"). Right after the number it opens the item only as a noun or a
    defining passive ("2 bị can", "5 bị thương")."""
    if phrase and previous in _PASSIVE_NOUN_BEFORE:
        return False
    following = _WORD.match(lowered, token.end() + 1)
    if following is None:
        return True
    return following[0] not in _PASSIVE_NOUN_AFTER and not _DEFINING_PASSIVE.at(
        lowered, following.start(), following[0]
    )


def _quoted_first(text: str, token: re.Match[str]) -> bool:
    """Whether `token` opens a quotation closed within a few words: "200 “điểm đen” đường ngang"."""
    return token[0] in '“"' and text.find("”" if token[0] == "“" else '"', token.end(), token.end() + 40) >= 0


def _item_phrase(
    text: str,
    lowered: str,
    start: int,
    *,
    after_classifier: bool = False,
    after_unit: bool = False,
    after_duration: bool = False,
) -> tuple[str | None, int]:
    """The counted noun phrase starting at `start`, and where it ends.

    It ends at punctuation, a stop word (verb, preposition, conjunction) or a number,
    and before a personal name after a person noun ("2 đối tượng Nguyễn Văn A") or an
    administrative one ("hai phường Láng Hạ"). After a classifier an action may open it
    ("30 vụ đánh bom"). A passive marker continues only a person ("người bị thương"), and
    right after a unit it opens the predicate ("ngôi nhà 5 tầng bị cháy"). A
    comma continues it only into a short list ("xã, phường", "cán bộ, chiến sĩ"): a part
    after the comma that a stop word cuts and that opens with a capital or runs three
    words, or that opens with a passive marker or runs into a number, is a new clause
    ("3 xe máy, Công an huyện …", "làm chết 19 người, bị thương 38 người"), and is dropped.
    A quotation may open it ("200 “điểm đen” đường ngang").
    """
    words: list[re.Match[str]] = []
    segment: list[re.Match[str]] = []
    after_comma = False
    previous_end = start
    quote_start: int | None = None
    closing = ""
    defining_end = -1  # the end of what a passive marker defines: "bị đình chỉ" is kept whole
    ends_at_cause = False  # that passive's cause follows it ("bị ảnh hưởng sự cố"): the item ends
    for token in _words_after(lowered, start):  # lower-case words, offsets as in `text`
        value = token[0]
        if token.start() < defining_end:
            segment.append(token)
            previous_end = token.end()
            continue
        if ends_at_cause:
            if _AFTER_DEFINING_STOP.match(lowered, previous_end):
                break  # "4 tỉnh bị ảnh hưởng sự cố": what befell them is said; its cause is no item
            ends_at_cause = False  # "bị ảnh hưởng nặng": a manner goes on
        gap = text[previous_end : token.start()]
        # a phrase never crosses a line, nor two spaces before a capital: the crawl glues a
        # photo caption to the next sentence that way ("hơn 15kg  Cụ thể, …")
        if "\n" in gap or (gap.startswith("  ") and text[token.start()].isupper()):
            break
        previous_end = token.end()
        if value == ",":
            if not segment:
                break
            words.extend(segment)
            segment, after_comma = [], True
            continue
        if after_comma and not segment and value in DIGIT_WORDS:
            break  # "một người chết, một người bị thương": the next figure
        if value == closing:  # the end of the quotation the item opened with
            closing = ""
            segment.append(token)
            continue
        if not words and not segment and quote_start is None and _quoted_first(text, token):
            quote_start, closing = token.start(), "”" if value == "“" else '"'
            continue
        if not value[0].isalnum() or (not value.isalpha() and any(ch.isdigit() for ch in value)):
            if after_comma and segment and value[0].isdigit():
                segment = []  # "19 người, bị thương 38 người": the comma opened a clause
            break
        previous = segment[-1][0] if segment else ""
        if not words and len(segment) == 1 and previous in _AGENT_NOUNS:
            agent_end = _EVENT_HEAD.end_at(lowered, token.start(), value)
            if agent_end is not None:  # "hai kẻ đánh bom liều chết": who is counted is "kẻ đánh bom"
                return text[segment[0].start() : agent_end], agent_end
        if value in _PRICED_FIRST and _PRICED.match(lowered, token.start()):
            if after_comma:
                segment = []  # "Sứt 2 vết, định giá 2,8 triệu": the comma opened a clause
            break  # "49 kg giá 4,5 triệu đồng": a price follows
        if (
            previous in _LAST_WORDS
            and value not in _PASSIVES
            and not _DEFINING_PASSIVE.at(lowered, token.start(), value)
            and f"{previous} {value}" not in _COMPOUND_PAIRS  # "khác biệt"
        ):
            break
        if value in _PASSIVES and (
            (after_comma and not segment)
            or (after_unit and not words and not segment)  # "5 tầng bị cháy": the predicate
            or _passive_ends_item(lowered, token, words or segment, previous)
        ):
            break
        if value in _PASSIVES and (following := _WORD.match(lowered, token.end() + 1)) is not None:
            defining_end = _DEFINING_PASSIVE.end_at(lowered, following.start(), following[0]) or -1
            cause_end = _CAUSE_FOLLOWS.end_at(lowered, following.start(), following[0])
            if cause_end is not None and cause_end == defining_end:
                ends_at_cause = True
        if (
            previous == "tên"
            and text[token.start()].isupper()
            and (len(words) + len(segment) >= 2 or after_classifier or after_unit)
        ):
            segment.pop()  # "một người tên Hùng", "một con tên L.": "tên" is "named", a name follows
            if after_comma:
                segment = []  # "…, tài khoản tên Malala": the comma opened a clause
            break
        if after_duration and not words and not segment and value in _DURATION_EMPHASES:
            break
        if after_duration and not words and not segment and text[token.start()].isupper():
            break  # "cháy suốt gần 6 tiếng đồng hồ Cảnh sát PCCC …": a sentence whose stop was lost
        if after_unit and not words and not segment and value in _SURNAMES and text[token.start()].isupper():
            following = _WORD.match(text, token.end() + 1)
            if following is not None and following[0][:1].isupper() and following[0].isalpha():
                break  # "246,6 tỷ đồng Nguyễn Xuân Sơn đã nhận": a person's name opens the clause
        if (
            (words or segment)
            and (previous in _ADMIN_HEADS or value in _SURNAMES_AFTER_PERSON)
            and text[token.start()].isupper()
        ):
            if previous in _ADMIN_HEADS and len(words) + len(segment) == 1:
                break  # "hai phường Láng Hạ": the ward's name follows the counted noun
            if value in _SURNAMES_AFTER_PERSON:
                before = [t[0] for t in (words + segment)[-2:]]
                following = _WORD.match(text, token.end() + 1)
                if (before[-1] in _PERSON_NOUNS or " ".join(before) in _PERSON_NOUNS) and (
                    value in _SURNAMES or (following is not None and following[0] in _MIDDLE_NAMES)
                ):
                    break  # "đối tượng Nguyễn Văn Chức", "bị can Lâm Văn Ngoãn": a name follows
                if value in _SURNAMES and (
                    following is not None
                    and following[0][:1].isupper()
                    and following[0].isalpha()
                    and not text[(words + segment)[-1].start()].isupper()  # "quân Đông La Mã" goes on
                ):
                    if after_comma:
                        segment = []  # "hai nước, Chủ tịch nước Trần Đại Quang": a new clause
                    break  # "hai võ sư Đoàn Bảo Châu": a surname and a given name, a person's name
        if (
            (value in _STOP_RELEVANT or value.partition("-")[0] in _STOP_RELEVANT)
            and previous not in _PASSIVES
            and f"{previous} {value}" not in _COMPOUND_PAIRS
            and not (after_classifier and not words and not segment and _EVENT_HEAD.at(lowered, token.start(), value))
            and not (
                not (words or segment or after_comma or after_unit or after_classifier)
                and _OPENING_NOUN.at(lowered, token.start(), value)
            )
            and _is_stop(lowered, token.start(), value, after_head=bool(segment))
        ):
            if (
                after_comma
                and segment
                and value in _ITEM_STOPS
                and value not in _LIST_JOINERS
                and _new_clause(text, lowered, segment)
                and not _COMMA_NOUN.match(lowered, words[0].start() if words else segment[0].start())
            ):
                segment = []
            break
        segment.append(token)
        limit = MAX_WORDS_AFTER_COMMA if after_comma else MAX_ITEM_WORDS
        if len(segment) > limit:
            # after a comma a long run is a new clause, not part of a list
            segment = [] if after_comma else segment[:limit]
            break
    words.extend(segment)
    while words and words[-1][0] in _PASSIVES:  # "người bị" is not a phrase
        words.pop()
    if closing:  # a quotation left open: what it holds is no counted noun
        words = []
    if not words:
        return None, start
    first = quote_start if quote_start is not None else words[0].start()
    return text[first : words[-1].end()], words[-1].end()


class _Unit(NamedTuple):
    """What follows a number: its unit (None for a noun counted directly), where the unit
    ends, and a rate's "per" part (`kg` of `đồng/kg`)."""

    unit: str | None
    end: int
    per: str | None = None
    added: float = 0.0  # what the words after the unit add: "2 năm rưỡi" 0.5, "1m89" 0.89


def _unit_after(doc: Document, number: NumberMatch) -> _Unit:
    text, lowered = doc.text, doc.lowered
    glued = _GLUED_AFTER.match(text, number.end) if not number.spelled else None
    if glued:
        written = glued["unit"]
        found = _Unit(UNIT_NAMES.get(written) or _GLUED_ONLY.get(written) or written, glued.end())
    elif spaced := _UNIT_AFTER.match(lowered, number.end):
        written = lowered[spaced.start("unit") : spaced.end("unit")]
        following = _WORD.match(lowered, spaced.end() + 1) if lowered[spaced.end() : spaced.end() + 1] == " " else None
        if (
            written == "năm"
            and _YEAR_DIGITS_AFTER.match(lowered, spaced.end())
            # after a foreign name or an acronym ("SEA Games 29", "UPU 46"), not "Trong hai năm 2015 và 2016"
            and (name := _LATIN_NAME_BEFORE.search(text, max(0, number.start - 24), number.start)) is not None
            and (name[1].isupper() or no_vietnamese_syllable(name[1]))
        ):
            return _Unit(None, number.end)  # "UPU 46 năm 2017": an edition, and "năm" opens the year
        if following and (
            following[0] in _UNIT_COMPOUNDS.get(written, ())
            or (
                (phrases := _UNIT_COMPOUND_PHRASES.get(written)) is not None
                and phrases.at(lowered, following.start(), following[0])
            )
        ):
            return _Unit(None, number.end)  # "6 đồng chí", "66 thanh thiếu niên": the compound is counted directly
        if (
            following
            and (predicates := _COUNT_NOUN_PREDICATES.get(written)) is not None
            and predicates.at(lowered, following.start(), following[0])
            and not _of_herd(doc, number, written, spaced.end())
        ):
            return _Unit(None, number.end)  # "2 con chết": two children died
        if written in _ONLY_BEFORE and not (following and following[0] in _ONLY_BEFORE[written]):
            return _Unit(None, number.end)  # "một lượng lớn": no tael without its gold
        if (
            written in _SCALED_ONLY
            and " " not in text[number.start : number.end]
            and number.value < 1000
            and not _RATE.match(lowered, spaced.end())
        ):
            return _Unit(None, number.end)  # "3 bảng" are boards; "34 triệu bảng", "50 bảng/phút" pounds
        if written in _NAMING_CLASSIFIERS and _DIGIT_NEXT.match(lowered, spaced.end()):
            return _Unit(None, number.end)  # "năm lớp 1": grade one names, it is no unit
        if written in _CLAUSE_FINAL_UNITS:
            following_word = _NEXT_TOKEN.match(lowered, spaced.end())[1]  # type: ignore[index]
            if number.value.is_integer() or (following_word and following_word not in _ITEM_STOPS):
                return _Unit(None, number.end)  # "200 điểm đen", "gần 5.800 điểm": places, counted
        name = text[spaced.start("unit") : spaced.end("unit")]  # as written
        found = _Unit(UNIT_NAMES.get(name) or UNIT_NAMES.get(written) or name, spaced.end())
    elif "/" in lowered[number.end : number.end + 16] and (rate := _NOUN_RATE.match(lowered, number.end)):
        # "40 trận/mùa": the noun before the slash is the rate's unit
        return _Unit(text[rate.start("unit") : rate.end("unit")], rate.end(), text[rate.start("per") : rate.end("per")])
    else:
        return _Unit(None, number.end)
    # a measure's rate ("120.000 đồng/kg", "đồng mỗi kg"), or a classifier's with a slash ("450
    # viên/phút", "2 lần/ngày": blind set 41)
    if (
        found.unit is not None
        and (rate := _RATE.match(lowered, found.end))
        and (found.unit in MEASURES or lowered[found.end : rate.start("per")].strip() == "/")
    ):
        per = text[rate.start("per") : rate.end("per")]
        if found.unit in _DURATION_UNITS and per == "lần":
            return _Unit(found.unit, rate.end())  # "15 ngày một lần": every 15 days, no rate
        return _Unit(found.unit, rate.end(), per)
    if found.unit is not None and (half := _HALF_AFTER_UNIT.match(lowered, found.end)):
        return found._replace(end=half.end(), added=0.5)
    if found.unit == "m" and glued and (cents := _CENTIMETRES_AFTER.match(text, found.end)):
        return found._replace(end=cents.end(), added=int(cents[0]) / 100)  # "cao 1m89": 1.89 m
    return found


class Attachment(NamedTuple):
    """What an attachment rule found: the item (None when the unit alone says what is
    measured) and where the figure's text ends; `unit_is_item` when the unit word is the
    noun counted directly ("139 trường hợp": no unit)."""

    item: str | None
    end: int
    unit_is_item: bool = False


# A rule reads the document, the number and what follows it; None when it does not apply.
AttachFunction = Callable[[Document, NumberMatch, _Unit], Attachment | None]


@dataclass(frozen=True, slots=True)
class AttachmentRule:
    """A named way a quantity finds what it counts or measures (`shape` in Duckling's
    notation: QUAL qualifier, NUM number or range, UNIT unit or classifier, NP noun phrase)."""

    name: str
    shape: str
    attach: AttachFunction


def _noun_after(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    after_classifier = unit.unit in CLASSIFIERS and unit.per is None
    item, end = _item_phrase(
        doc.text,
        doc.lowered,
        unit.end,
        after_classifier=after_classifier,
        after_unit=unit.unit is not None,
        after_duration=unit.unit in _DURATION_UNITS,
    )
    if item is None:
        return None
    if unit.unit is None and item.split(" ", 1)[0].lower() in _PASSIVES and _ends_with_scale(doc, number):
        return None  # "chiếm đoạt gần 20 tỷ bị bắt": an amount, then what befell its taker
    return Attachment(item, end)


def _ends_with_scale(doc: Document, number: NumberMatch) -> bool:
    return not number.spelled and doc.lowered[number.start : number.end].rsplit(" ", 1)[-1] in SCALES


# the words before a bare count noun that make it their classifier ([count_noun_of])
_COUNT_NOUN_OF = {
    noun: re.compile(rf"(?<!\w)(?:{alternation(words)})(?!\w)") for noun, words in _UNITS["count_noun_of"].items()
}
COUNT_NOUN_OF_REACH = 60  # characters before the number, within its sentence


def _classifier_counted(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    if unit.unit not in COUNT_NOUNS:
        return None
    if _of_herd(doc, number, unit.unit, unit.end):
        return None
    return Attachment(unit.unit, unit.end, unit_is_item=True)


def _of_herd(doc: Document, number: NumberMatch, unit: str, unit_end: int) -> bool:
    """Whether the count noun `unit` is the classifier of what a word before names ("Đàn bò
    … có 15 con", "15 con chết" of a herd, "7 con trong đàn"; [count_noun_of])."""
    named = _COUNT_NOUN_OF.get(unit)
    if named is None:
        return False
    low = max(doc.sentence_at(number.start).start, number.start - COUNT_NOUN_OF_REACH)
    within = doc.lowered.startswith(" trong ", unit_end) and named.match(doc.lowered, unit_end + len(" trong "))
    return bool(within or named.search(doc.lowered, low, number.start))


def _measured_by_attribute(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """ "một con dao dài 40 cm": the thing before the attribute is what is measured, back
    to a number, a stop word or a mark, without its classifier ("dao")."""
    if unit.unit not in MEASURES or unit.unit == "%":  # a share is no dimension of a thing
        return None
    # the attribute's phrases hold the qualifier ("dài khoảng"): the number's start will do
    if _ATTRIBUTE_BEFORE.phrase_before(doc.text, number.start) is None:  # the common case, cheaply
        return None
    found = _MEASURED_BY_ATTRIBUTE.search(doc.lowered, max(0, number.start - 48), number.start)
    if found is None:
        return None
    lowered = doc.lowered
    before = doc.tokens_before(found.start("attribute"), MAX_ATTRIBUTE_ITEM_WORDS + 1)
    if before and lowered[before[-1][0] : before[-1][1]] in _ATTRIBUTE_VERBS:
        return None  # "mở rộng 713 km": an action's extent
    kept: list[tuple[int, int]] = []
    for index in range(len(before) - 1, -1, -1):
        start, end = before[index]
        word = lowered[start:end]
        if index > 0 and word in _STOP_RELEVANT:
            first_start, first_end = before[index - 1]  # "bê tông": a compound that ends in a stop word
            if _COMPOUND.at(lowered, first_start, lowered[first_start:first_end]):
                kept.append((start, end))
                continue
        if not kept and word in _ATTRIBUTE_ADVERBS:
            continue  # "cây thường cao 1 m": the adverb is no part of the thing
        if not word[0].isalpha() or word in _ATTRIBUTE_STOP_WORDS or word in _UNIT_WORDS:
            break  # an amount is not the thing measured
        if word in _STOP_RELEVANT and word not in _ATTRIBUTE_INNER and _is_stop(lowered, start, word, after_head=False):
            break
        if doc.text[start].isupper():
            # a name is not the thing measured ("tàu … của Hải quân Mỹ dài 103 m"), a sentence's
            # first word is, and the thing ends there ("Sóng biển cao từ 1,5 - 3 m": blind set 27)
            if kept and _opens_sentence_at(lowered, start):
                kept.append((start, end))
            break
        kept.append((start, end))
    while kept and lowered[kept[-1][0] : kept[-1][1]] in _ATTRIBUTE_INNER:  # "ở trán": no head yet
        kept.pop()
    kept.reverse()
    while kept and lowered[kept[0][0] : kept[0][1]] in _ATTRIBUTE_INNER:
        kept.pop(0)
    if len(kept) > 1 and lowered[kept[0][0] : kept[0][1]] in _CLASSIFIER_WORDS:
        kept.pop(0)  # "con dao" measures the knife
    if not kept or len(kept) >= MAX_ATTRIBUTE_ITEM_WORDS + 1:
        # no thing before it: an attribute that is a noun is what is measured ("Cây có
        # đường kính khoảng 1 m", "cành cây đường kính 0,4 m" past the unit word "cây")
        noun = _NOUN_ATTRIBUTE.search(lowered, found.start("attribute"), found.end("attribute"))
        return None if noun is None else Attachment(doc.text[noun.start() : noun.end()], unit.end)
    return Attachment(doc.text[kept[0][0] : kept[-1][1]], unit.end)


def _named_before(doc: Document, number: NumberMatch, pattern: re.Pattern[str], reach: int) -> re.Match[str] | None:
    """A `pattern` that ends where the number's qualifier starts, within `reach` characters
    before it (its group `item` names what the number measures or counts)."""
    qualifier_start = _qualifier_start(doc, number)
    return pattern.search(doc.lowered, max(0, qualifier_start - reach), qualifier_start)


def _measured_noun_before(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    if unit.unit not in MEASURES:
        return None
    if (before := _named_before(doc, number, _MEASURED_BEFORE, 48)) is not None:
        start = before.start("item")
        if doc.lowered[start : before.end("item")] in _NAMES_THING and (thing := _priced_thing(doc, start)):
            return Attachment(thing, unit.end)
        return Attachment(doc.text[start : before.end("item")], unit.end)
    return _modified_measured_before(doc, number, unit)


def _priced_thing(doc: Document, start: int) -> str | None:
    """ "quỹ đầu tư trị giá 16 tỷ USD", "thu giữ lô hàng trị giá 2 tỷ đồng": the thing "trị giá"
    prices, the words right before it in its clause back to a number or a word that opens
    a thing (`[priced_after_item] thing_after`: "của", "một", "thu giữ", "mua"…). Another stop
    may be a syllable of the thing ("dự án", "kế hoạch", "máy bay"): then no thing is named."""
    clause_start = doc.clause_at(start)[0]
    words = _WORDS_BEFORE.search(doc.lowered, max(clause_start, start - 60), start)
    if words is None:
        return None
    all_words = words[1].split()
    kept: list[str] = []
    opened = False
    for index in range(len(all_words) - 1, -1, -1):
        word = all_words[index]
        pair = f"{all_words[index - 1]} {word}" if index else ""
        if pair in _THING_AFTER and kept:  # "thu giữ lô hàng"
            opened = True
            break
        compound = bool(kept) and f"{word} {kept[-1]}" in _ANY_COMPOUND_PAIRS  # "quỹ đầu tư"
        if not compound and (word in _THING_AFTER or word in DIGIT_WORDS or word in SCALES):
            opened = True
            break
        if not compound and word in _ITEM_STOPS:
            return None  # "dự án Cầu Đầm Vạc": "dự" may begin the thing
        kept.append(word)
    if not kept:
        return None
    # or the clause opens with the thing ("Siêu xe trị giá 25 tỷ đồng"), or a bracket or a digit
    # stands before its words
    if not opened and words.start() > clause_start and not _THING_OPENER.match(doc.lowered, words.start() - 1):
        return None
    length = len(" ".join(kept))
    return doc.text[start - 1 - length : start - 1]


def _modified_measured_before(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """ "sản lượng điện tiêu thụ đạt xấp xỉ 290 triệu kWh": the measured noun, its words and
    a verb before the number (`modified_linkers`); the nearest such noun of the clause."""
    end = _qualifier_start(doc, number)
    if not _MODIFIED_LINKER_END.search(doc.lowered, max(0, end - 16), end):
        # with a qualifier, the word before it may be a comparative ("nhẹ hơn … 100 kg")
        return _close_modified_before(doc, end, unit) if end == number.start else None
    start = max(doc.clause_at(number.start)[0], end - MODIFIED_REACH)
    heads = list(_MEASURED_HEAD.finditer(doc.lowered, start, end))
    for head in reversed(heads):
        tail = _MODIFIED_TAIL.match(doc.lowered, head.end(), end)
        if tail is None:
            continue
        words = tail["modifiers"].split()
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
        if any(w in _ITEM_STOPS for w in (*words, *pairs)):
            continue
        return Attachment(doc.text[head.start() : tail.end("modifiers")], unit.end)
    return None


def _close_modified_before(doc: Document, end: int, unit: _Unit) -> Attachment | None:
    """ "trọng lượng phóng 5,9 tấn": a measured noun and a word or two of its own right before
    the number, none a stop word, in the number's clause."""
    found = _CLOSE_MODIFIED.search(doc.lowered, max(doc.clause_at(end)[0], end - 48), end)
    if found is None:
        return None
    words = found["modifiers"].split()
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    # a stop inside a compound is none ("vốn đầu tư 5 tỷ đồng")
    in_compound = {w for pair in pairs if pair in _ANY_COMPOUND_PAIRS for w in pair.split()}
    if any((w in _ITEM_STOPS and w not in in_compound) or w in _UNIT_WORDS for w in (*words, *pairs)):
        return None
    item = doc.text[found.start("item") : found.end("item")]
    return None if _NOT_MEASURED.match(item.lower()) else Attachment(item, unit.end)


def _counted_noun_before(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """ "Đến năm 2030 số ô tô là gần 2 triệu": with no unit after the number, the noun after
    "số" before it is what it counts ([counted_before]); not one a stop word runs into."""
    if unit.unit is not None or (found := _named_before(doc, number, _COUNT_OF_BEFORE, 40)) is None:
        return None
    words = found["item"].split()
    if any(word in _ITEM_STOPS for word in words) or (len(words) == 1 and words[0] in _UNIT_WORDS):
        return None
    if _MEASURED_BEFORE.search(doc.lowered, found.start(), found.end()):
        return None  # "Số tiền là 5 tỷ": an amount, measured (scaled_alone, or its unit's rules)
    return Attachment(doc.text[found.start("item") : found.end("item")], number.end)


def _measure_alone(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    return Attachment(None, unit.end) if unit.unit is not None else None


_AMOUNT_SCALES = {word for word, scale in SCALES.items() if scale >= 1_000_000}


def _scaled_alone(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """ "hơn 11.000 tỷ", "lên đến 566 triệu.": digits and a scale word with nothing after,
    an amount whose unit the sentence leaves out (no unit is guessed)."""
    if unit.unit is not None:
        return None
    if number.spelled or number.approximate:
        # "hơn chục triệu", "vài trăm tỷ.": an order before millions or more is an amount too;
        # "hàng triệu" alone is a crowd, and "hàng chục nghìn" as often people as đồng
        words = doc.lowered[number.start : number.end].split()
        ordered = len(words) >= 2 and words[-2] not in APPROX_PREFIXES
        return Attachment(None, number.end) if ordered and words[-1] in _AMOUNT_SCALES else None
    return Attachment(None, number.end) if _ends_with_scale(doc, number) else None


_CHANGED = _FIG["changed_subject"]
MAX_SUBJECT_WORDS = 6
_CHANGE_VERB = rf"(?:(?:{alternation(_CHANGED['adverbs'])})\s+)*(?:{alternation(_CHANGED['verbs'])})"
# the verb right before the qualifier: "giá xăng RON 92 được giảm 211 đồng/lít"
_CHANGE_VERB_BEFORE = re.compile(rf"(?<!\w){_CHANGE_VERB}\s+$")
# the change and then the level: "… giảm 211 đồng/lít xuống còn 17.063 đồng/lít"
_CHANGE_THEN_LEVEL = re.compile(
    rf"(?<!\w){_CHANGE_VERB}\s+[\d.,]+\s*[^\W\d]+/\s*[^\W\d]+\s*,?\s*(?:{alternation(_CHANGED['levels'])})\s+$"
)
_SUBJECT_TOKEN = re.compile(r"[^\W_]+")
_SUBJECT_NOT_FIRST = set(_CHANGED["not_first"])
_SUBJECT_DETERMINERS = set(_CHANGED["determiners"])


def _changed_subject(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """ "giá xăng RON 92 được giảm 211 đồng/lít xuống còn 17.063 đồng/lít": a price that a
    verb of change follows its subject to, and the level it reaches after, measure that
    subject ([changed_subject]): the words from the clause's start to the verb."""
    if unit.per is None or unit.unit not in MEASURES:
        return None
    lowered = doc.lowered
    start = _qualifier_start(doc, number)
    window = max(doc.clause_at(start)[0], start - 120)
    level = _CHANGE_THEN_LEVEL.search(lowered, window, start)
    verb = level if level is not None else _CHANGE_VERB_BEFORE.search(lowered, max(window, start - 32), start)
    if verb is None or _noun_after(doc, number, unit) is not None:
        return None  # "giá tăng 2.000 đồng/kg thịt": the noun after says what is priced (rule rate)
    subject_end = verb.start()
    clause_start = max(doc.clause_at(subject_end)[0], _last_mark_before(lowered, window, subject_end))
    words = [(m.start(), m.end()) for m in _SUBJECT_TOKEN.finditer(doc.text, clause_start, subject_end)]
    while words and lowered[words[0][0] : words[0][1]] in _SUBJECT_DETERMINERS:
        words.pop(0)  # "Các mặt hàng dầu": the goods, not "các"
    if not 0 < len(words) <= MAX_SUBJECT_WORDS:
        return None
    first = lowered[words[0][0] : words[0][1]]
    if first in _SUBJECT_NOT_FIRST or first[0].isdigit() or "/" in lowered[words[0][0] : words[-1][1]]:
        return None  # "Sau khi trích lập quỹ", "Hôm qua", "cỡ 60 con/kg": no subject
    subject = doc.text[words[0][0] : words[-1][1]]
    if is_province_name(subject) or is_admin_name(subject):
        return None  # "giá tiêu tại …, Đắk Nông và Đồng Nai đồng loạt tăng": the places, not the goods
    compound_end = -1
    for a, b in words:
        if a < compound_end:
            continue  # the second word of "bán lẻ"
        word = lowered[a:b]
        if _COMPOUND.at(lowered, a, word):
            compound_end = _COMPOUND.end_at(lowered, a, word) or b
        elif _is_stop(lowered, a, word, after_head=False):
            return None
    return Attachment(subject, unit.end)


_CLAUSE_MARK = re.compile(r"[;(]|,(?!\d)|(?<!\w)và(?!\w)")


def _last_mark_before(lowered: str, low: int, high: int) -> int:
    """The position after the last clause mark ("," ";" "(" "và"; not a decimal comma) in
    [low, high), else low."""
    found = -1
    for found_mark in _CLAUSE_MARK.finditer(lowered, low, high):
        found = found_mark.end() - 1
    return found + 1 if found >= 0 else low


# Tried in order; the first that applies makes the figure and names it.
RULES: tuple[AttachmentRule, ...] = (
    AttachmentRule(
        "changed_subject", "NP (được)? (tăng|giảm) NUM UNIT/UNIT ((xuống|lên) còn? NUM UNIT/UNIT)?", _changed_subject
    ),
    AttachmentRule("rate", "QUAL? NUM UNIT (/|mỗi) UNIT NP?", lambda d, n, u: _rate(d, n, u)),
    AttachmentRule("noun_after", "QUAL? NUM UNIT? NP", _noun_after),
    AttachmentRule("classifier_counted", "QUAL? NUM COUNT_NOUN", _classifier_counted),
    AttachmentRule("measured_noun_before", "NP (là|đạt|:|…)? QUAL? NUM MEASURE", _measured_noun_before),
    AttachmentRule("measured_by_attribute", "NP (dài|cao|nặng|…) QUAL? NUM MEASURE", _measured_by_attribute),
    AttachmentRule("counted_noun_before", "số NP (là|đạt|:|…) QUAL? NUM", _counted_noun_before),
    AttachmentRule("measure_alone", "QUAL? NUM UNIT", _measure_alone),
    AttachmentRule("scaled_alone", "QUAL? DIGITS SCALE", _scaled_alone),
)
# Two numbers joined by "/" before a noun: a part of a whole ("78/726 hợp đồng", the
# figure is 78 of them) or, after a share word ("chiếm 1/3 GDP"), a fraction. The noun
# attaches to the second number by the rules above; the figure is named by these.
PART_OF_WHOLE, FRACTION_SHARE, MEASURED_LIST = "part_of_whole", "fraction_share", "measured_list"
RULE_NAMES = (*(rule.name for rule in RULES), PART_OF_WHOLE, FRACTION_SHARE, MEASURED_LIST)
_LISTED = _FIG["measured_list"]
_LISTED_FROM = {"measured_noun_before", MEASURED_LIST}  # a noun stated, or one passed on
MAX_LIST_LABEL_WORDS = _LISTED["max_label_words"]
_LIST_LABEL_WORDS = set(_LISTED["label_words"])  # the lower-case words a label may hold


def _rate(doc: Document, number: NumberMatch, unit: _Unit) -> Attachment | None:
    """A rate's item is the noun after it ("500.000 đồng/kg thịt"), else the measured
    noun before it ("lãi suất 6,5%/năm"), else none."""
    if unit.per is None:
        return None
    if unit.unit not in MEASURES:  # "40 khách/lượt xe": a noun's rate names what it counts
        return Attachment(None, unit.end)
    return _noun_after(doc, number, unit) or _measured_noun_before(doc, number, unit) or Attachment(None, unit.end)


def _attach(doc: Document, number: NumberMatch) -> tuple[str, _Unit, Attachment] | None:
    unit = _unit_after(doc, number)
    for rule in RULES:
        found = rule.attach(doc, number, unit)
        if found is not None:
            return rule.name, unit, found
    return None


def _qualifier_start(doc: Document, number: NumberMatch) -> int:
    """Where the qualifier before the number starts (the number's start without one)."""
    if not number.approximate and (sign := _sign_before(doc.text, number)) is not None:
        return sign.start()
    cue = _QUALIFIER_BEFORE.phrase_before(doc.text, number.start) if not number.approximate else None
    if cue is None:
        return number.start
    found = doc.lowered.rfind(cue.lower(), max(0, number.start - len(cue) - 8), number.start)
    return found if found >= 0 else number.start


# "326 trong tổng số 650 ghế", "15 trên tổng số 20 bị cáo": a part, then the whole it is of
_AMONG_WHOLE_AFTER = re.compile(rf"\s+(?:{alternation(_FIG['fractions']['among'])})\s+")
_AMONG_FIRST = tuple({f" {phrase.split()[0]}" for phrase in _FIG["fractions"]["among"]})  # a cheap test first


def _among_whole(
    doc: Document, number: NumberMatch, numbers: list[NumberMatch], index: int
) -> tuple[_Unit, Attachment, float] | None:
    """The unit and item a part takes from the whole it is "among" (`_AMONG_WHOLE_AFTER`),
    its text ending at the part's own number, and its value in the whole's scale ("300
    trong tổng số 1.000 tỷ đồng"); None when no whole follows that way."""
    if index + 1 >= len(numbers) or number.spelled or not doc.lowered.startswith(_AMONG_FIRST, number.end):
        return None
    following = numbers[index + 1]
    between = _AMONG_WHOLE_AFTER.match(doc.lowered, number.end)
    if between is None or between.end() != following.start:
        return None
    value = _scaled_like(number, following, doc.text)
    if following.value <= value:
        return None
    attached = _attach(doc, following)
    if attached is None or (attached[2].item is None and attached[1].unit is None):
        return None
    unit = attached[1]._replace(end=number.end, added=0.0)
    return unit, Attachment(attached[2].item, number.end, attached[2].unit_is_item), value


def _range_partner(lowered: str, number: NumberMatch, numbers: list[NumberMatch], index: int) -> NumberMatch | None:
    if index + 1 >= len(numbers):
        return None
    following = numbers[index + 1]
    end = number.end
    if lowered[end : end + 1] == "%" and lowered[following.end : following.end + 1] == "%":
        end += 1  # "1,36% - 4,27%": each end carries the percent sign
    join = _RANGE_JOIN.match(lowered, end, following.start) if following.start > end else None
    if join is None and following.start > end:
        join = _OR_JOIN.fullmatch(lowered, end, following.start)
    if join is None or join.end() != following.start:
        return _unit_range_partner(lowered, number, numbers, index)
    return following


def _unit_range_partner(
    lowered: str, number: NumberMatch, numbers: list[NumberMatch], index: int
) -> NumberMatch | None:
    """ "từ 12 năm đến 20 năm", "3,6m đến 7,5m": each end carries the same measure (the
    unit word between may read as a number: "năm" is also five)."""
    unit = _RANGE_UNIT.match(lowered, number.end)
    join = _RANGE_JOIN.match(lowered, unit.end()) if unit is not None else None
    if unit is None or join is None:
        return None
    following = next((n for n in numbers[index + 1 : index + 4] if n.start >= join.end()), None)
    if following is None or following.start != join.end():
        return None
    spacing = unit[0][: len(unit[0]) - len(unit[0].lstrip())]
    return following if lowered.startswith(spacing + unit["unit"], following.end) else None


_SLASH_NUMBER = re.compile(r"/(\d{1,3}(?:\.\d{3})+|\d{1,5})(?=\s+[^\W\d_])")  # "800/1.000 con": a word follows
_SHARE_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_FIG['fractions']['share_before'])})\s+$", re.IGNORECASE)
_SHARE_AFTER = re.compile(rf"\s+(?:{alternation(_FIG['fractions']['share_after'])})(?!\w)", re.IGNORECASE)
_LATIN_WORD_BEFORE = re.compile(r"(?<![\w])[A-Z][A-Za-z]*\s+$")  # "Mega 6/45": a game's name


def _whole_of(
    text: str, number: NumberMatch, numbers: list[NumberMatch], index: int
) -> tuple[NumberMatch, bool] | None:
    """The whole the number is a part of ("78/726 hợp đồng"), and whether the two make a
    share ("chiếm 1/3 GDP", a small whole after a share word): else None. A date ("6/2017"),
    a season ("2016/17") or an address's house number is none."""
    if number.spelled or index + 1 >= len(numbers) or text[number.end : number.end + 1] != "/":
        return None
    slash = _SLASH_NUMBER.match(text, number.end)
    whole = numbers[index + 1]
    if slash is None or whole.start != number.end + 1 or whole.end != slash.end():
        return None
    part, total = number.value, whole.value
    before = text[max(0, number.start - 30) : number.start]
    if not 0 < part <= total or part >= 1900 or (1900 <= total <= 2100) or _LATIN_WORD_BEFORE.search(before):
        return None
    if part == 1 and total >= 100:  # "quy hoạch tỷ lệ 1/500": a map's scale
        return None
    if part == total and total in (7, 24):  # "trực 24/24 giờ", "7/7 ngày": round the clock
        return None
    share = (
        total <= 10
        and part < total
        and (_SHARE_BEFORE.search(before) is not None or _SHARE_AFTER.match(text, whole.end) is not None)
    )
    if not share and (total <= 12 or text[whole.end + 1 : whole.end + 2].isupper()):
        return None  # "3/5 người" may be a day and month (no month is past 12), "35/69 Khương Hạ" an address
    return whole, share


def _scaled_like(first: NumberMatch, second: NumberMatch, text: str) -> float:
    """ "5-10 triệu đồng": the first number takes the second's scale word."""
    first_text = text[first.start : first.end]
    second_text = text[second.start : second.end]
    if first.spelled or second.spelled or " " not in second_text or " " in first_text:
        return first.value
    base = parse_digits(second_text.split()[0])
    # to 12 significant digits: 36,21 × 10^6 is 36210000, not 36210000.00000001
    return float(f"{first.value * (second.value / base):.12g}") if base else first.value


# "năm 2016 có 328 trường hợp": what a year had is counted over it ("có thể" is "can")
_YEAR_HAD = re.compile(r" có (?!thể|lẽ|khi|vẻ|ý|phải|nên|được)")


# "ông Tiệp cho biết năm 2016, …": the year opens the clause the verb reports
_REPORTED_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_FIG['reported_speech']['verbs'])})[,:]?\s+$")


def _is_period(mention: DateMention, lowered: str) -> bool:
    """Whether `mention` states the span its figures cover, not a point in time.

    A span cued as a period ("Trong năm 2016", "6 tháng đầu năm") is one, unless it is
    the end or start of a span rather than the span ("Đến cuối năm 2016": by then); a day
    is one only counted within ("Tính riêng trong ngày 6/2"); a year that opens its
    sentence or the clause a verb of saying reports, before a comma, frames what follows
    ("Năm 2016, công an bắt …", "cho biết năm 2016, …"), and so does one that "had" what
    follows ("năm 2016 có 328 trường hợp").
    """
    if _POINT_IN_TIME.match(lowered, mention.char_start) and not _open_from(mention, lowered):
        return False  # "từ đầu tháng 1" still opens a span
    if _UNTIL_BEFORE.search(lowered, max(0, mention.char_start - 12), mention.char_start):
        return False  # "Tính đến tháng 6/2017, có 500 xã": a count as of then
    if mention.start_date == mention.end_date:
        return (
            mention.is_period
            and _WITHIN_DAY_BEFORE.search(lowered, max(0, mention.char_start - 16), mention.char_start) is not None
        )
    if mention.is_period:
        return True
    return mention.granularity == "year" and (
        (
            lowered[mention.char_end : mention.char_end + 1] == ","
            and (
                _opens_sentence_at(lowered, mention.char_start)
                or _REPORTED_BEFORE.search(lowered, max(0, mention.char_start - 16), mention.char_start) is not None
            )
        )
        or _YEAR_HAD.match(lowered, mention.char_end) is not None
    )


def _counts_forward_only(mention: DateMention) -> bool:
    """Whether a period frames only the figures after it: a year that "had" them, not
    one cued as a span ("72 TS bị đình chỉ (trong khi năm 2016 có 328 trường hợp)")."""
    return not mention.is_period and mention.start_date != mention.end_date and mention.granularity == "year"


def _bounds(period: DateMention | None, lowered: str) -> tuple[date | None, date | None]:
    """A figure's period_start and period_end from its period: "từ tháng 4-2017 đến khi
    bị bắt" starts with April and states no end (the mention is April alone)."""
    if period is None:
        return None, None
    if _open_from(period, lowered):
        return period.start_date, None
    return period.start_date, period.end_date


def _open_from(mention: DateMention, lowered: str) -> bool:
    """Whether "từ" (from) comes just before a mention of one month or year: a span starts
    at it ("từ 2014-2016" is the span already)."""
    if mention.start_date.year != mention.end_date.year or _SPAN_WORDS.search(
        lowered, mention.char_start, mention.char_end
    ):
        return False
    return _OPEN_FROM_BEFORE.search(lowered, max(0, mention.char_start - 12), mention.char_start) is not None


_BASE_LINKERS = set(_FIG["period_comparisons"]["base_linkers"])
_DIFFERENCE_WORD = re.compile(rf"(?<!\w)(?:{alternation(_FIG['period_comparisons']['difference_words'])})(?!\w)")
# a comma alone opens no clause: "trong 3 năm, từ năm 2013-2015, …" restates the span
_CLAUSE_OPENER_BEFORE = re.compile(r"(?:;|(?<!\w)(?:và|còn|nhưng|trong khi))(?:\s+\w+){0,2}\s*$")


FRAME_REACH = 300  # characters before a later period that are read for its clause or bracket


def _frames_later(lowered: str, position: int, period: DateMention, end: int | None) -> bool:
    """Whether a period after the figure at [`position`, `end`) is another clause's or
    another noun's: "hiện có hơn 1.600 doanh nghiệp … và trong năm 2016, có 740.000 khách"
    (it opens a clause and a comma closes it), "xây 1 khu tâm linh trên nóc tòa nhà CT1 (đã
    đưa vào sử dụng từ tháng 6/2014)" (a bracket after another noun describes that noun;
    blind set 26). A bracket right after the figure is its own: "trên 1,2 tỉ đồng (chỉ tính
    tiền lãi từ 11-2003 đến 9-2009)", "7 ngày nghỉ Tết (từ 26/1 - 1/2)"."""
    low = max(position, period.char_start - FRAME_REACH)  # a bounded look, however long the sentence
    between = lowered[low : period.char_start]
    bracket = between.rfind("(")
    if (
        end is not None
        and bracket > between.rfind(")")
        and len(between[bracket + 1 :].split()) > 2  # not "(từ 1998-2001)", "(giai đoạn 2011-2015)"
        and lowered[end : low + bracket].strip(" ,")
    ):
        return True
    fronted = lowered[period.char_end : period.char_end + 2].lstrip()[:1] == ","
    return fronted and _CLAUSE_OPENER_BEFORE.search(between) is not None


def _opens_sentence_at(lowered: str, position: int) -> bool:
    window = lowered[max(0, position - 4) : position]
    before = window.rstrip()
    return not before or "\n" in window[len(before) :] or before[-1] in '.!?:;"“(-–—•*'


_RECURRING_LEX = _FIG["recurring"]
_RECURRING = re.compile(
    "".join(rf"(?<!{word} )" for word in _RECURRING_LEX["not_after"])  # "phát hiện có" is no stock
    + rf"(?<!\w)(?:{alternation(_RECURRING_LEX['words'] + _RECURRING_LEX['stocks'] + _RECURRING_LEX['histories'])}"
    rf"|(?:\d+|{alternation(DIGIT_WORDS)}|mười|chục)\s+(?:{alternation(_RECURRING_LEX['after_years'])}))(?!\w)"
)
_CLAUSE_STOP = re.compile(r"[;:()]|(?<!\d),|,(?!\d)")  # not the comma of "8,5"


def _counts_for(lowered: str, cue_start: int, at: int | None) -> bool:
    """Whether a cue of a figure's sentence at `cue_start` counts for the figure at `at`
    (None: any figure): one before it, or one after it in its own clause."""
    return at is None or cue_start < at or _CLAUSE_STOP.search(lowered, at, cue_start) is None


def is_recurring(sentence: str, at: int | None = None) -> bool:
    """Whether `sentence` reports a rate, an average, a total over years, a stock or a toll
    of the past ("mỗi năm", "trung bình", "hơn 10 năm qua", "hiện có", "tưởng niệm"): its
    figures are of no one day ([recurring]). With `at`, the offset of a figure in it: whether
    a cue counts for that figure, one before it in the sentence or after it in its clause."""
    lowered = sentence.lower()
    return any(_counts_for(lowered, cue.start(), at) for cue in _RECURRING.finditer(lowered))


_TRAILING = _FIG["trailing_spans"]
_SPAN_UNIT = alternation([*_TRAILING["months"], *_TRAILING["days"]])
_SPAN_COUNT = rf"\d+|{alternation(DIGIT_WORDS)}|mười(?:\s+(?:{alternation(DIGIT_WORDS)}))?"
# "trong (vòng) 6 tháng", "6 tháng qua"; "trong tuần qua" is one week. Not "trong 6 tháng đầu
# năm" (a date) nor "6 tháng tù" (no "trong", no "qua")
_TRAILING_SPAN = re.compile(
    rf"(?<!\w)(?:trong(?:\s+(?:{alternation(_TRAILING['between'])}))?\s+(?P<n>{_SPAN_COUNT})\s+(?P<u>{_SPAN_UNIT})"
    rf"(?!\s+(?:đầu|cuối|tới|sau|nữa)(?!\w))"
    rf"|(?P<n2>{_SPAN_COUNT})\s+(?P<u2>{_SPAN_UNIT})\s+(?:{alternation(_TRAILING['after'])})"
    rf"|trong\s+(?P<u1>{_SPAN_UNIT})\s+(?:{alternation(_TRAILING['after'])}))(?!\w)"
)


@dataclass(frozen=True, slots=True)
class TrailingSpan:
    """A span stated with no date that ends as the article is written: so many months
    and days back from the publication ("Trong 6 tháng, …": 6 months)."""

    months: int = 0
    days: int = 0


def _span_count(words: str) -> int | None:
    """The count of a span's units, in digits or words ("6", "mười hai"); None if the words
    are no whole number (`extract.numbers.parse_number_words` reads them)."""
    if words.isdigit():
        return int(words)
    parsed = parse_number_words(words.split())
    return int(parsed[0]) if parsed is not None and parsed[1] == len(words.split()) else None


def stated_duration(sentence: str, at: int | None = None) -> TrailingSpan | None:
    """The span up to now that `sentence` gives its figures with no date: "Trong 6 tháng,
    có hơn 2.000 vụ án" (6 months), "3 tháng qua", "trong tuần qua" ([trailing_spans]).
    With `at`, a figure's offset: the span before it in the sentence or after it in its
    clause, as for `is_recurring`."""
    lowered = sentence.lower()
    for found in _TRAILING_SPAN.finditer(lowered):
        if not _counts_for(lowered, found.start(), at):
            continue
        if found["u1"]:
            unit, count = found["u1"], 1
        else:
            unit = found["u"] or found["u2"]
            number = _span_count(found["n"] or found["n2"])
            if not number:
                continue
            count = number
        if unit in _TRAILING["months"]:
            months = count * _TRAILING["months"][unit]
            # "trong 2.000 năm lịch sử" is no report's span: a report covers a term at most
            return TrailingSpan(months=months) if months <= 12 * CARRIED_SPAN_YEARS else None
        return TrailingSpan(days=count * _TRAILING["days"][unit]) if count <= 52 else None
    return None


_SAME_PERIOD = re.compile(rf"(?<!\w)(?:{alternation(_FIG['period_comparisons']['at'])})(?!\w)")


def compares_with_same_period(sentence: str) -> bool:
    """Whether `sentence` compares with the same period of another year ("tăng 27% so với
    cùng kỳ năm 2016"): its figures are tallies over a reporting period, not events of the
    day the article was published ([period_comparisons] at)."""
    return _SAME_PERIOD.search(sentence.lower()) is not None


def _is_comparison(mention: DateMention, lowered: str) -> bool:
    return is_compared_with(lowered, mention.char_start)


def names_no_event(lowered: str, start: int) -> bool:
    """Whether the date that starts at `start` of the lower-cased text is no day of what
    its sentence reports: a base compared with ("so với cùng kỳ năm 2016") or a bound of a
    tally ("Tính đến ngày 12/5", "kể từ tháng 3/2015"; [period_bounds])."""
    return (
        is_compared_with(lowered, start)
        or _BOUND_AT.match(lowered, start) is not None  # the mention holds its cue: "Từ ngày 1/6"
        or _BOUND_BEFORE.search(lowered, max(0, start - 16), start) is not None
    )


_FRAME_WITHIN = re.compile(rf"(?<!\w)(?:{alternation(_FIG['report_frames']['within'])})(?!\w)")
_FRAME_BEFORE = re.compile(rf"(?<![\w])(?:{alternation(_FIG['report_frames']['before'])})\s+$")


def frames_report(lowered: str, start: int, end: int) -> bool:
    """Whether the date at lowered[start:end] of an article's lead frames a report: it names
    a part of a year or a span ("6 tháng đầu năm 2017"), or follows "trong" ("Trong năm 2016,
    …"); not a month or a year cited as an event's ([report_frames])."""
    return (
        _FRAME_WITHIN.search(lowered, start, end) is not None
        or _FRAME_BEFORE.search(lowered, max(0, start - 14), start) is not None
    )


def is_compared_with(lowered: str, start: int) -> bool:
    """Whether the date that starts at `start` of the lower-cased text is the span a
    figure is compared with ("so với cùng kỳ năm 2016"), not a time of the report."""
    return (
        _COMPARISON_AT.match(lowered, start) is not None
        or _COMPARISON_BEFORE.search(lowered, max(0, start - 16), start) is not None
    )


# what may follow a year that dates the figure before it: a stop, or the next of a list
_TRAILING_YEAR_STOP = re.compile(r"\s*(?:$|[,.;:)(]|(?:và|ước|so với|tăng|giảm)(?!\w))")

# The longest period a sentence takes from the ones before it: reporting periods are a
# year or a term of a few years; a span of decades is a forecast horizon, stated with it.
CARRIED_SPAN_YEARS = 10


class _Periods:
    """The period mentions of a text, found by position in logarithmic time (a scan of
    all of them per figure was quadratic in a text of many figures and periods), and the
    other dates ("marks": a day, a month, a point such as "cuối năm 2016") that tie what
    is near them to a single event rather than to a period.

    Mentions do not overlap (`find_raw_dates`), so sorted by start they are sorted by end.
    """

    def __init__(self, dates: list[DateMention], lowered: str) -> None:
        periods: list[DateMention] = []
        marks: list[DateMention] = []
        self.forward_only: set[int] = set()  # by start: periods no figure before them takes
        self.bases: list[DateMention] = []  # what is compared with: "so với cùng kỳ năm 2016"
        for mention in dates:
            if _is_period(mention, lowered):
                periods.append(mention)
                if _counts_forward_only(mention) and not _opens_sentence_at(lowered, mention.char_start):
                    self.forward_only.add(mention.char_start)
            elif _is_comparison(mention, lowered):
                self.bases.append(mention)
            else:
                marks.append(mention)
        self.periods = sorted(periods, key=lambda p: p.char_start)
        self.starts = [p.char_start for p in self.periods]
        self.ends = [p.char_end for p in self.periods]
        self.base_ends = [b.char_end for b in self.bases]  # dates come sorted, and do not overlap
        self.marks = sorted(marks, key=lambda m: m.char_start)
        self.mark_starts = [m.char_start for m in self.marks]
        self._in_force: dict[int, DateMention | None] = {}  # by sentence start
        self._carried: dict[int, DateMention | None] = {}  # by sentence start
        self.lowered = lowered

    def _marked(self, start: int, end: int, period: DateMention | None = None) -> bool:
        """Whether another date starts in [start, end), other than one naming the same
        span as `period` ("Trong năm 2025, … nhập ngũ năm 2025, hoàn thành 100% …")."""
        index = bisect.bisect_left(self.mark_starts, start)
        while index < len(self.marks) and self.mark_starts[index] < end:
            mark = self.marks[index]
            if period is None or (mark.start_date, mark.end_date) != (period.start_date, period.end_date):
                return True
            index += 1
        return False

    def for_figure(
        self, position: int, sentence: Sentence, *, whole: bool = False, end: int | None = None
    ) -> DateMention | None:
        """The last period of the sentence that ends before `position`, else its first one
        after; of those that start in the sentence, or with `whole` that lie in it. A
        period with another date between it and the figure is not the figure's: "Trong
        năm 2016, …, vụ ngày 5/3 làm 3 người chết" counts one event's dead."""
        low = bisect.bisect_left(self.starts, sentence.start)
        high = bisect.bisect_left(self.starts, sentence.end, low)
        if whole:
            high = bisect.bisect_right(self.ends, sentence.end, low, high)
        before = bisect.bisect_right(self.ends, position, low, high) - 1
        if before >= low:
            period = self.periods[before]
            return None if self._marked(period.char_end, position, period) else period
        after = bisect.bisect_left(self.starts, position, low, high)
        if after < high and self.periods[after].char_start not in self.forward_only:
            period = self.periods[after]
            # "cao nhất kể từ tháng 10/2015": a start after the figure dates a record, not a count
            if (
                not self._marked(position, period.char_start, period)
                and not _open_from(period, self.lowered)
                and not _frames_later(self.lowered, position, period, end)
            ):
                return period
        return None

    def year_after(self, end: int) -> DateMention | None:
        """A year written right after the figure, before a stop: what the count is of ("hơn
        1,1 triệu khách năm 2016, ước đạt 1,3 triệu khách năm 2017")."""
        index = bisect.bisect_left(self.mark_starts, end)
        if index == len(self.marks) or self.mark_starts[index] > end + 1:
            return None
        mark = self.marks[index]
        if (
            mark.granularity != "year"
            or mark.start_date.year != mark.end_date.year
            or mark.year_inferred
            or not mark.text.startswith("năm ")  # "… đường ngang Năm 2016 và …": a heading ends before it
        ):
            return None
        return mark if _TRAILING_YEAR_STOP.match(self.lowered, mark.char_end) else None

    def compared_base(self, position: int, sentence: Sentence) -> DateMention | None:
        """The base compared with, when the figure states its own value: "so với cùng kỳ
        năm 2016 là 41 vụ" counts last year's quarter; "so với cùng kỳ năm 2016 tăng 3 vụ" is
        this period's change ([period_comparisons] base_linkers)."""
        index = bisect.bisect_right(self.base_ends, position) - 1
        if index < 0 or self.bases[index].char_start < sentence.start:
            return None
        base = self.bases[index]
        linker = self.lowered[base.char_end : position].strip()
        if linker not in _BASE_LINKERS:
            return None
        if linker.startswith("("):
            return base
        low = max(sentence.start, base.char_start - FRAME_REACH)
        clause = max(self.lowered.rfind(",", low, base.char_start), low)
        return None if _DIFFERENCE_WORD.search(self.lowered, clause, base.char_start) else base

    def carried(self, doc: Document, sentence: Sentence) -> DateMention | None:
        """The period a sentence without one of its own takes from the sentences before
        it: one that continues the report ("Trong đó, …", "So với cùng kỳ, …") takes the
        period in force after the sentence before it, unless it names a date of its own."""
        if sentence.start in self._carried:  # the same for every figure of the sentence
            return self._carried[sentence.start]
        found = self._carry(doc, sentence)
        if found is not None and found.end_date.year - found.start_date.year > CARRIED_SPAN_YEARS:
            found = None  # a horizon of decades ("từ nay đến năm 2050") is a forecast's, not a report's
        self._carried[sentence.start] = found
        return found

    def _carry(self, doc: Document, sentence: Sentence) -> DateMention | None:
        if not _continues(doc, sentence):
            return None
        paragraph_start = doc.paragraph_at(sentence.start)[0]
        if sentence.start <= paragraph_start:
            return None
        if self._marked(sentence.start, sentence.end):  # only a date the paragraph opens with
            return self._opening(doc, paragraph_start, sentence.end)
        return self._in_force_after(doc, doc.sentence_at(sentence.start - 1), paragraph_start)

    def _in_force_after(self, doc: Document, sentence: Sentence, paragraph_start: int) -> DateMention | None:
        """The period in force after `sentence`: its own last period, else the month it
        states ("Sản lượng tháng 1/2017 …"); none if it leads its paragraph without one;
        what it continues when it continues ("Trong đó, …") and names no date; else the
        period that opens its paragraph, while no date since names another time. Walks
        back iteratively, each answer cached."""
        chain: list[int] = []
        current = sentence
        while True:
            if current.start in self._in_force:
                found = self._in_force[current.start]
                break
            chain.append(current.start)
            low = bisect.bisect_left(self.starts, current.start)
            high = bisect.bisect_left(self.starts, current.end, low)
            if high > low:
                found = self.periods[high - 1]
                break
            if (mark := self._month_stated(current)) is not None:
                found = mark  # "Sản lượng tháng 1/2017 đạt … . Trong đó, cá đạt …"
                break
            if current.start <= paragraph_start:
                found = None
                break
            if self._marked(current.start, current.end) or not _continues(doc, current):
                # the opening period, unless a date since names another time
                found = self._opening(doc, paragraph_start, current.end)
                break
            previous = doc.sentence_at(current.start - 1)
            if previous.start >= current.start:  # no sentence before it on the line
                found = None
                break
            current = previous
        for start in chain:
            self._in_force[start] = found
        return found

    def month_before(self, position: int, sentence: Sentence) -> DateMention | None:
        """The month a noun before the figure is reported for, with no other date between:
        "Tổng thu NSNN tháng 1/2017 ước đạt 97,4 nghìn tỷ đồng" reports January. A month
        that opens its sentence or clause ("Tháng 5/2015, Hạnh biết …") dates an event."""
        year = self._year_of_measure(sentence.start, position)
        if year is not None:
            return year
        mark = self._month_stated(Sentence(sentence.start, position, ""))
        if mark is None or mark.char_start < 2 or mark.year_inferred:
            return None  # a month without its year may name a contract's ("vàng giao tháng 6")
        before = self.lowered[mark.char_start - 2 : mark.char_start]
        return mark if before[1] == " " and is_word_char(before[0]) else None

    def _last_mark(self, start: int, end: int) -> DateMention | None:
        """The last other date (not a period) that starts in [start, end), or None."""
        index = bisect.bisect_left(self.mark_starts, end) - 1
        return self.marks[index] if index >= 0 and self.mark_starts[index] >= start else None

    def _year_of_measure(self, start: int, position: int) -> DateMention | None:
        """The last date before `position` in [start, position) when it is one year written
        right after a report's measure ("Lãi ròng năm 2016 của PAN đạt …")."""
        mark = self._last_mark(start, position)
        if mark is None or mark.granularity != "year" or mark.start_date.year != mark.end_date.year:
            return None
        measure = _YEAR_MEASURE_BEFORE.search(self.lowered, max(0, mark.char_start - 40), mark.char_start)
        return mark if measure is not None and not mark.year_inferred else None

    def _month_stated(self, sentence: Sentence) -> DateMention | None:
        """The sentence's last other date when it is a month or a quarter (not a day, nor
        a point such as "cuối tháng 7"): the time its report states."""
        mark = self._last_mark(sentence.start, sentence.end)
        # a year mid-sentence is often a name's ("Nghị định 121 của Chính phủ năm 2013")
        if mark is None or mark.granularity != "month" or mark.start_date == mark.end_date:
            return None
        if _POINT_IN_TIME.match(self.lowered, mark.char_start):
            return None
        before = self.lowered[max(0, mark.char_start - 12) : mark.char_start]
        if _UNTIL_BEFORE.search(before) or _EVENT_TIME_BEFORE.search(before):
            return None  # "tính đến tháng 6": a point; "hồi tháng 7/2016": an event's time
        return mark

    def _opening(self, doc: Document, paragraph_start: int, until: int) -> DateMention | None:
        """The period that opens its paragraph's first sentence ("Trong 6 tháng đầu năm,
        …"), when no other date lies between it and `until`: it frames the paragraph."""
        lead = doc.paragraph_lead(paragraph_start)
        index = bisect.bisect_left(self.starts, lead.start)
        if index == len(self.periods) or self.periods[index].char_start > lead.start + LEAD_PERIOD_WITHIN:
            return None
        period = self.periods[index]
        if period.char_end > lead.end or self._marked(period.char_end, until, period):
            return None
        if index + 1 < len(self.periods) and lead.end <= self.periods[index + 1].char_start < until:
            return None  # another period since: the sentence that states it says which
        return period


def _continues(doc: Document, sentence: Sentence) -> bool:
    """Whether the sentence opens with a word that continues the report before it."""
    return _CONTINUATION.match(doc.lowered, sentence.start, sentence.end) is not None


def find_figures(
    document: Document | str,
    dates: list[DateMention],
    unresolved: Iterable[tuple[int, int]] = (),
    *,
    guessed_years: bool = False,
) -> list[Figure]:
    """Every figure in the document; `dates` are excluded and give figures their periods.
    `unresolved` are the spans of dates whose year no evidence fixed ("Sáng 3 tháng 5" in
    an undated text): no date row, but their numbers are no counts either.
    `guessed_years`: the article has no publication date, so a date whose year was
    inferred holds a guess (`extract.pipeline.latest_cited_day`); it stays a date, but
    gives no figure its period ("Từ đầu năm đến nay, … 7 vụ" of an undated text is of no
    known year), so a sum by period leaves the figure out rather than put it in a wrong
    year."""
    doc = Document.of(document)
    text, lowered = doc.text, doc.lowered
    date_spans = sorted([*((d.char_start, d.char_end) for d in dates), *unresolved])
    periods = _Periods([d for d in dates if not d.year_inferred] if guessed_years else dates, lowered)
    numbers = find_numbers(text, lowered)
    figures: list[Figure] = []
    in_sentences: list[Sentence] = []  # each figure's sentence
    skip_until = -1  # the end of a range's or a whole's last number: its numbers are taken
    for index, number in enumerate(numbers):
        if number.start < skip_until:
            continue
        if number.spelled and lowered.startswith("rưỡi", number.start) and number.end - number.start == 4:
            continue  # "rưỡi" alone is the half of the unit before it ("2 năm rưỡi"), no number
        ambiguous = number.spelled and lowered[number.start : number.end] in AMBIGUOUS_ALONE
        if ambiguous and _CASUALTY_AFTER.match(lowered, number.end):
            ambiguous = False  # "một người chết": a casualty is a count
        elif (
            ambiguous
            and lowered[number.start : number.end] in _AMBIGUOUS_PERSONS
            and _PERSON_AFTER.match(lowered, number.end)
            and not (  # "hằng năm bà con": a year ("cả ba đối tượng" are three)
                lowered.startswith("năm", number.start)
                and _AMBIGUOUS_PERSONS_NOT_AFTER.phrase_before(text, number.start)
            )
        ):
            ambiguous = False  # "ba bị cáo", "năm người": persons are counted
        if (
            ambiguous
            and not _UNIT_AFTER.match(lowered, number.end)
            and _range_partner(lowered, number, numbers, index) is None
        ):
            continue  # "một", "năm" without a unit are words ("a", "year"), not counts
        whole = _whole_of(text, number, numbers, index)
        if _is_excluded(text, lowered, number, date_spans, part_of=whole is not None):
            continue
        value, value_max = number.value, None
        head = number
        partner = None if whole else _range_partner(lowered, number, numbers, index)
        if whole is not None:
            head, skip_until = whole[0], whole[0].end
            value = number.value / head.value if whole[1] else number.value
        elif partner is not None and not _is_excluded(text, lowered, partner, date_spans, range_end=True):
            low = _scaled_like(number, partner, text)
            if partner.value > low:
                value, value_max, head = low, partner.value, partner
                skip_until = partner.end
        if (half := _HALF_AFTER_UNIT.match(lowered, head.end)) and (
            scale := SCALES.get(lowered[head.start : head.end].rsplit(" ", 1)[-1])
        ):
            head = head._replace(end=half.end())  # "1 triệu rưỡi đồng": one and a half million
            value, value_max = (value + scale / 2, None) if value_max is None else (value, value_max + scale / 2)
        among = _among_whole(doc, number, numbers, index) if head is number else None
        if among is not None:
            # "giành được 326 trong tổng số 650 ghế": a part of what the whole counts (the
            # whole is a figure of its own, next)
            rule, unit, found, value = PART_OF_WHOLE, among[0], among[1], among[2]
        # a range's rules read its words from its first number: "Độ ẩm từ 55 - 95%" measures humidity
        elif (attached := _attach(doc, head if head is number else head._replace(start=number.start))) is None:
            continue
        else:
            rule, unit, found = attached
        if unit.added and value_max is None:
            value = round(value + unit.added, 9)  # "2 năm rưỡi" is two and a half years
        if whole is not None:
            rule = FRACTION_SHARE if whole[1] else PART_OF_WHOLE
        qualifier, start = _qualifier(text, number)
        if ambiguous and unit.unit is None:
            continue
        some = unit.unit is None and found.item and found.item.split()[0].lower() in {"số", "trong"}
        if some and rule != FRACTION_SHARE:
            continue  # "một số" (some), "1 trong 3": not a count ("2/3 số" is a share)
        after_item = _QUALIFIER_AFTER.match(lowered, found.end)
        change = _change(text, start, qualifier != "exact")
        if after_item and qualifier == "exact":
            qualifier = QUALIFIERS_AFTER[after_item["q"]]
        elif (
            qualifier == "over"
            and _COMPARED_AFTER.match(lowered, found.end)
            and (comparative := _COMPARATIVE_HON_BEFORE.search(lowered, max(0, start - 16), start))
        ):
            qualifier = "exact"  # "thấp hơn 50% so với …": the difference, not a bound
            change = _CHANGE_OF_ADJECTIVE.get(comparative["adjective"], change)
        if not math.isfinite(value) or (value_max is not None and not math.isfinite(value_max)):
            continue  # no figure is infinite (`parse_digits` bounds digits; this bounds any product)
        sentence = doc.sentence_at(start)
        if rule == "measured_by_attribute":  # a thing's size or weight covers no time span
            period_start = period_end = None
        else:
            period_start, period_end = _bounds(
                periods.compared_base(start, sentence)
                # "gấp 2,3 lần năm 2010" names the base; "10 tháng năm 2016" a part of the year
                or (None if unit.unit in _DURATION_UNITS or unit.unit == "lần" else periods.year_after(found.end))
                or periods.for_figure(start, sentence, end=found.end)
                or (None if unit.unit in _DURATION_UNITS else periods.month_before(start, sentence))
                or periods.carried(doc, sentence),
                lowered,
            )
        end = found.end
        in_sentences.append(sentence)
        figures.append(
            Figure(
                char_start=start,
                char_end=end,
                text=text[start:end],
                value=float(value),
                value_max=None if value_max is None else float(value_max),
                unit=None if found.unit_is_item else unit.unit if unit.per is None else f"{unit.unit}/{unit.per}",
                item=found.item,
                qualifier=qualifier,
                period_start=period_start,
                period_end=period_end,
                sentence=sentence.text,
                context_before=text[max(sentence.start, start - 40) : start],
                rule=rule,
                currency=CURRENCIES.get(unit.unit) if unit.unit and not found.unit_is_item else None,
                change=change,
            )
        )
    _share_measured_nouns(text, figures, in_sentences)
    budget = SENTENCE_BUDGET_CHARS + SENTENCE_BUDGET_PER_CHAR * len(text)
    if sum(len(sentence.text) for sentence in in_sentences) > budget:
        return _cut_sentences(text, lowered, figures, in_sentences, periods, budget)
    return figures


def _share_measured_nouns(text: str, figures: list[Figure], in_sentences: list[Sentence]) -> None:
    """Rule measured_list: a measured noun stated once for a list of values of one unit
    gives its item to the values after it that have none ("nhiệt độ cao nhất từ 32 - 35 độ,
    Đà Nẵng đến Phú Yên 36 - 39 độ"; [measured_list]): in one sentence, after a comma or
    ";" and a few words that name where or which."""
    for index in range(1, len(figures)):
        figure, previous = figures[index], figures[index - 1]
        if (
            figure.item is not None
            or figure.rule != "measure_alone"
            or figure.unit != previous.unit  # a measured noun's figure has a unit
            or previous.item is None
            or previous.rule not in _LISTED_FROM
            or in_sentences[index].start != in_sentences[index - 1].start
        ):
            continue
        cue = _QUALIFIER_BEFORE.phrase_before(text, figure.char_start)  # "có nơi trên 39 độ"
        label_end = figure.char_start - len(cue) - 1 if cue else figure.char_start
        between = text[previous.char_end : max(previous.char_end, label_end)]
        words = between.strip(" ,;").split()
        if between.lstrip()[:1] not in (",", ";") or len(words) > MAX_LIST_LABEL_WORDS:
            continue
        if all(_names_a_place(w) or w.lower().strip("()") in _LIST_LABEL_WORDS for w in words):
            # a place or a part of one ("Đà Nẵng đến Phú Yên", "vùng núi", "có nơi"), not
            # another measure ("lương 5 triệu đồng, thưởng 2 triệu đồng")
            figures[index] = figure._replace(item=previous.item, rule=MEASURED_LIST)


def _names_a_place(word: str) -> bool:
    """A capitalised word that is not an acronym ("Đà Nẵng", not "ROM" of "RAM 4GB, ROM 64GB")."""
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _cut_sentences(
    text: str, lowered: str, figures: list[Figure], in_sentences: list[Sentence], periods: _Periods, budget: int
) -> list[Figure]:
    """The figures with each sentence cut to a window around its figure, the windows
    within `budget` characters in all; a period is then one the window shows, so its
    year is written in the stored sentence."""
    width = max(1, budget // len(figures))
    cut: list[Figure] = []
    for figure, sentence in zip(figures, in_sentences, strict=True):
        if len(sentence.text) <= width:
            cut.append(figure)
            continue
        room = max(0, width - (figure.char_end - figure.char_start))
        # `width` characters of the sentence (longer than that), the figure in the middle
        first = max(sentence.start, min(figure.char_start - room // 2, sentence.end - width))
        window = Sentence(first, first + width, text[first : first + width])
        period_start, period_end = (
            (None, None)
            if figure.rule == "measured_by_attribute"
            else _bounds(periods.for_figure(figure.char_start, window, whole=True), lowered)
        )
        cut.append(figure._replace(sentence=window.text, period_start=period_start, period_end=period_end))
    return cut
