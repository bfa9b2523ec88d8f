"""Numbers in Vietnamese text: digits in the press's notation, and number words.

`find_numbers(text)` yields every number with its span and value. It knows nothing
of what is counted; `extract.figures` decides whether a number is a figure.

Notation (EXTRACTION.md): "." groups thousands, "," marks decimals; scale words
multiply ("1,5 triệu" = 1 500 000, "1 tỉ 195 triệu" = 1 195 000 000); number words
count ("hai mươi mốt" = 21, "nửa tỉ" = 500 000 000).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import itemgetter
from typing import NamedTuple

from extract.anchors import find_anchors, matches_at
from extract.lexicon import alternation, load, lowered_like

_NUMBERS = load("numbers")
DIGIT_WORDS: dict[str, int] = _NUMBERS["digits"]
AFTER_TENS: dict[str, int] = _NUMBERS["after_tens"]
SCALES: dict[str, int] = _NUMBERS["scales"]
_STRUCT = _NUMBERS["structure"]
TEN, TENS, HUNDRED = set(_STRUCT["ten"]), set(_STRUCT["tens"]), set(_STRUCT["hundred"])
ZERO_TENS, HALF = set(_STRUCT["zero_tens"]), set(_STRUCT["half"])
APPROX_ORDERS: dict[str, int] = _NUMBERS["approximate_orders"]
APPROX_PREFIXES: list[str] = _NUMBERS["approximate_prefixes"]["words"]
AMBIGUOUS_ALONE: set[str] = set(_NUMBERS["ambiguous_alone"]["words"])
NEVER_ALONE: set[str] = set(_NUMBERS["never_alone"]["words"])
_SYLLABLE_OF: dict[str, frozenset[str]] = {w: frozenset(after) for w, after in _NUMBERS["word_syllables"].items()}

QUALIFIED_ORDERS: dict[str, int] = _NUMBERS["qualified_orders"]["orders"]
_ORDER_QUALIFIERS: list[str] = _NUMBERS["qualified_orders"]["qualifiers"]

# words after which "năm" is the noun (years), not five: "hai nghìn năm", "mười năm"
_ENDS_BEFORE_YEARS = frozenset(HUNDRED | set(SCALES) | TEN | TENS)
_SCALE_OR_HUNDRED = frozenset(HUNDRED | set(SCALES))  # "mười một" is 11, "nghìn một" no 1001
_NUMBER_WORDS = set(DIGIT_WORDS) | set(AFTER_TENS) | set(SCALES) | TEN | TENS | HUNDRED | ZERO_TENS | HALF
_APPROX_FIRST_WORDS = {prefix.split()[0] for prefix in APPROX_PREFIXES}
# the words a number can begin with, for `extract.anchors`
START_WORDS = frozenset(_NUMBER_WORDS | _APPROX_FIRST_WORDS | set(QUALIFIED_ORDERS))

# One digit token: any run of digits joined by "." or ","; interpreted afterwards,
# so "12.7" or "1.5" (not press notation) is seen whole and rejected, not split.
_DIGITS = r"\d+(?:[.,]\d+)*"
_SCALE = alternation(SCALES)
_WORD = alternation(_NUMBER_WORDS)
_E = r"(?![\w])"  # a word ends here

# The patterns run over lower-cased text (`lowered_like`), without IGNORECASE, and only
# where `extract.anchors` found a digit or a number word that is not glued to a word.
# digits, optionally followed by scale words, further "digits scale" groups ("10 tỷ 1 triệu
# 335 nghìn", blind set 38) and a last group's digits ("1 triệu 200")
DIGIT_NUMBER_RE = re.compile(
    rf"(?P<digits>{_DIGITS})(?P<scales>(?:(?:\s*(?:{_SCALE}){_E})+"
    rf"(?:\s+\d{{1,3}}(?:\s*(?:{_SCALE}){_E})+)*(?:\s+\d{{1,3}})?)?)"
)
WORD_NUMBER_RE = re.compile(rf"(?:{_WORD})(?:\s+(?:{_WORD}))*{_E}")
# "hàng trăm triệu đồng", "cả ngàn tỷ": scale words after the order multiply it
APPROX_ORDER_RE = re.compile(
    rf"(?P<prefix>{alternation(APPROX_PREFIXES)})\s+(?P<order>{alternation(APPROX_ORDERS)}){_E}"
    rf"(?P<scales>(?:\s+(?:{_SCALE}){_E}){{0,2}})"
)

# "hơn chục": the order, where a qualifier ends right before it (over lower-cased text)
QUALIFIED_ORDER_RE = re.compile(
    rf"(?P<order>{alternation(QUALIFIED_ORDERS)}){_E}(?P<scales>(?:\s+(?:{_SCALE}){_E}){{0,2}})"
)
_ORDER_QUALIFIER_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_ORDER_QUALIFIERS)})\s+$")


# The largest amounts the press prints are thousands of trillions of đồng (10^15), and
# it writes them with scale words ("68.266 tỷ"); 18 digits (10^18) is far beyond any
# count, and with the largest scale word keeps a value below 10^28.
MAX_WHOLE_DIGITS = 18
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


class NumberMatch(NamedTuple):
    """A number found in text. `end` is after any scale words."""

    start: int
    end: int
    value: float
    spelled: bool  # written in words ("hai mươi")
    approximate: bool = False  # "hàng trăm": an order of magnitude, not a count


assert NumberMatch._fields == ("start", "end", "value", "spelled", "approximate"), "built by position below"


# `NumberMatch(start, end, value, spelled, approximate)` without its Python-level
# `__new__`: tens of thousands a corpus batch, for the digits and single number words
_new = tuple.__new__
_START, _END = itemgetter(0), itemgetter(1)


def parse_digits(token: str) -> float | None:
    """The value of a digit token in press notation, or None if it is not one.

    A whole part of more than `MAX_WHOLE_DIGITS` digits is no quantity but a code or
    junk ("9.999.999.…" in 120 groups would be inf): None, so every value is finite.

    >>> parse_digits("2.834"), parse_digits("3,5"), parse_digits("12.7")
    (2834.0, 3.5, None)
    """
    if token.isascii() and token.isdigit():  # most tokens: plain digits
        return float(token) if len(token) <= MAX_WHOLE_DIGITS else None
    if not _THOUSANDS_RE.fullmatch(token):
        return None
    whole, _, fraction = token.partition(",")
    whole = whole.replace(".", "")
    if len(whole) > MAX_WHOLE_DIGITS:
        return None
    value = float(whole)
    if fraction:
        value += float("0." + fraction)
    return value


def parse_number_words(words: list[str], first: int = 0) -> tuple[float, int] | None:
    """Value of the longest valid prefix of number words from `words[first]` on, and how
    many words it used (an index, not a slice: a caller walks a long phrase in one pass).

    >>> parse_number_words("hai mươi mốt người".split())
    (21.0, 3)
    """
    total = 0.0  # completed groups times their scales
    group = 0.0  # the group below the next scale word
    pending: int | None = None  # a digit waiting for mươi/trăm/scale
    after_tens = False
    used = 0
    last_scale = float("inf")
    for index in range(len(words) - first):
        word = words[first + index].lower()
        if word in DIGIT_WORDS and pending is None and not (after_tens and word == "năm"):
            pending = DIGIT_WORDS[word]
            after_tens = False
        elif word in AFTER_TENS and after_tens and pending is None:
            pending = AFTER_TENS[word]
            after_tens = False
        elif word == "năm" and after_tens and pending is None:
            pending, after_tens = 5, False
        elif word in TEN and pending is None:
            group += 10
            after_tens = True
        elif word in TENS and pending is not None and pending >= 2:
            group += pending * 10
            pending, after_tens = None, True
        elif word in HUNDRED and (pending is not None or group or total):
            # "trăm" needs its digit ("ba trăm"); alone it is "hàng trăm" or a word
            group += (1 if pending is None else pending) * 100
            pending, after_tens = None, False
        elif word in ZERO_TENS and group and pending is None:
            after_tens = False
        elif word in HALF and index == 0:
            group, pending = 0.5, None
        elif word in SCALES and index and words[first + index - 1].lower() in SCALES and not group and pending is None:
            # "ba nghìn tỷ": scale words in a row multiply (3 * 10^3 * 10^9)
            if SCALES[word] <= SCALES[words[first + index - 1].lower()]:
                break
            total *= SCALES[word]
            last_scale *= SCALES[word]
        elif word in SCALES and SCALES[word] < last_scale and (group or pending is not None):
            # a scale word needs a number before it: "tỷ lệ" is a rate, not a billion
            amount = group + (pending or 0)
            total += amount * SCALES[word]
            last_scale = SCALES[word]
            group, pending, after_tens = 0.0, None, False
        else:
            break
        used = index + 1
    if used == 0:
        return None
    value = total + group + (pending or 0)
    if words[first + used - 1].lower() in ZERO_TENS:  # "một trăm lẻ" alone is not a number
        used -= 1
    elif (
        used >= 2
        and pending == DIGIT_WORDS.get("năm")
        and words[first + used - 1].lower() == "năm"
        and words[first + used - 2].lower() in _ENDS_BEFORE_YEARS
    ):
        # "hai nghìn năm", "mười năm", "hai mươi năm": years counted, not 2005, 15 or 25
        # (five is written "linh năm" after a hundred, "lăm" after ten)
        used -= 1
        value -= pending
    elif (
        used >= 2
        and pending == 1
        and words[first + used - 1].lower() == "một"
        and words[first + used - 2].lower() in _SCALE_OR_HUNDRED
    ):
        used -= 1  # "ba chục ngàn một ngày": thirty thousand a day ("linh một" is 1)
        value -= pending
    return (value, used) if value > 0 or words[first].lower() == "không" else None


def _parse_scaled_tail(tail: str, base: float) -> float | None:
    """Apply "triệu", "tỉ 195 triệu", "nghìn" after a digit token."""
    words = tail.split()
    if not words:
        return base
    total, current = 0.0, base
    last_scale = float("inf")
    previous_scale: int | None = None  # the word before was this scale word
    for word in words:
        lowered = word.lower()
        if lowered in SCALES:
            scale = SCALES[lowered]
            if previous_scale is not None and scale > previous_scale and not current:
                # "3 nghìn tỷ": scale words in a row multiply (3 * 10^3 * 10^9)
                total *= scale
                last_scale = previous_scale = last_scale * scale
                continue
            if scale >= last_scale:
                return None
            total += current * scale
            current, last_scale, previous_scale = 0.0, scale, scale
        else:
            current, previous_scale = float(word), None
    return total + current


# a point before one or two digits and a percent sign or a unit of measure is a decimal
# point ("chiếm 11.22%", "4.0 lít": numbers.toml [point_decimal]): no thousands group has
# fewer than three digits, and no date is a percentage or a length
_POINT_DECIMAL = re.compile(r"\d{1,3}\.\d{1,2}")
_POINT_DECIMAL_UNIT = re.compile(rf"\s?(?:{alternation(_NUMBERS['point_decimal']['units'])})(?![^\W\d_])")

# English notation, which foreign news copies: commas group thousands, a point marks
# decimals. Press notation never writes two commas ("1,249,000,000") nor a point after a
# comma ("1,232.10 USD/ounce"), and never a decimal of three zeros ("185,000 việc làm")
# unless a scale word follows, it or the range's end ("35,000-36,000 triệu đồng": 35
# million), which only decimals take.
_ENGLISH = re.compile(r"[1-9]\d{0,2}(?:,\d{3}){2,}(?:\.\d+)?|[1-9]\d{0,2}(?:,\d{3})+\.\d+")
_ENGLISH_THOUSAND = re.compile(r"[1-9]\d{0,2},000")
_SCALE_AHEAD = re.compile(rf"(?:\s*(?:[-–]|đến|tới)\s*[\d.,]+)?\s*(?:{_SCALE}){_E}")


def english_digits(token: str, text: str, end: int) -> float | None:
    """The value of a digit token in English notation ending at `end`, else None.

    >>> english_digits("1,249,000,000", "", 13), english_digits("185,000", "185,000 việc", 7)
    (1249000000.0, 185000.0)
    >>> english_digits("36,000", "36,000 triệu", 6) is None
    True
    """
    if _ENGLISH.fullmatch(token):
        whole, _, fraction = token.partition(".")
        return float(whole.replace(",", "") + ("." + fraction if fraction else ""))
    if _ENGLISH_THOUSAND.fullmatch(token) and not _SCALE_AHEAD.match(text, end):
        return float(token.replace(",", ""))
    return None


def _digit_numbers(text: str, starts: list[int]) -> Iterator[NumberMatch]:
    for match in matches_at(DIGIT_NUMBER_RE, text, starts):
        digits = match["digits"]
        value = english_digits(digits, text, match.end("digits")) if "," in digits else None
        if value is None:
            value = parse_digits(digits)
        if value is None and _POINT_DECIMAL.fullmatch(digits) and _POINT_DECIMAL_UNIT.match(text, match.end("digits")):
            value = float(digits)
        if value is None:
            continue
        scales = match["scales"]
        end = match.end()
        if scales and not scales.isspace():
            scaled = _parse_scaled_tail(scales, value)
            if scaled is None:
                continue
            # a trailing bare group ("1 tỉ 195") without its scale word is not part of it
            tail = scales.rstrip()
            if re.search(r"\d$", tail):
                tail = re.sub(r"\s+\d{1,3}$", "", tail)
                scaled = _parse_scaled_tail(tail, value)
                if scaled is None:
                    continue
            end = match.start("scales") + len(tail)
            value = scaled
        yield _new(NumberMatch, (match.start(), end, value, False, False))


_NON_SPACE = re.compile(r"\S+")
# One number word alone ("hai", "năm", "một"): most matches, so worked out once
_SINGLE_WORD: dict[str, float | None] = {}


def _single_word_value(word: str) -> float | None:
    if word not in _SINGLE_WORD:
        parsed = parse_number_words([word])
        _SINGLE_WORD[word] = parsed[0] if parsed and word not in NEVER_ALONE else None
    return _SINGLE_WORD[word]


_NEXT_WORD = re.compile(r" (\w+)")


def _next_word(text: str, end: int) -> str:
    """The word after a space at `end`, or "" (the text is lower-cased)."""
    found = _NEXT_WORD.match(text, end)
    return found[1] if found else ""


def _word_numbers(text: str, starts: list[int]) -> Iterator[NumberMatch]:
    for match in matches_at(WORD_NUMBER_RE, text, starts):
        phrase = match[0]
        offset = match.start()
        if phrase.isalpha():  # one word
            value = _single_word_value(phrase)
            if phrase in _SYLLABLE_OF and _next_word(text, match.end()) in _SYLLABLE_OF[phrase]:
                continue  # "chín chắn": a syllable of another word
            if value is not None:
                yield _new(NumberMatch, (offset, match.end(), value, True, False))
            continue
        words = phrase.split()
        positions = [m.start() + offset for m in _NON_SPACE.finditer(phrase)]
        index = 0
        while index < len(words):
            parsed = parse_number_words(words, index)
            if parsed is None:
                index += 1
                continue
            value, used = parsed
            if used == 1 and words[index].lower() in NEVER_ALONE:
                index += 1
                continue
            start = positions[index]
            end = positions[index + used - 1] + len(words[index + used - 1])
            yield NumberMatch(start, end, value, spelled=True)
            index += used
            if index < len(words) and words[index].lower() == "năm":
                # "hai mươi năm", "mười hai năm", "bảy năm": years counted, never a five that
                # follows a whole number (`parse_number_words`; 25 is "hai mươi lăm")
                index += 1


def _approximate_orders(text: str, starts: list[int]) -> Iterator[NumberMatch]:
    for match in matches_at(APPROX_ORDER_RE, text, starts):
        value = float(APPROX_ORDERS[match["order"].lower()])
        for scale in match["scales"].split():
            value *= SCALES[scale.lower()]
        yield NumberMatch(match.start(), match.end(), value, spelled=True, approximate=True)


def _qualified_orders(text: str, starts: list[int]) -> Iterator[NumberMatch]:
    for match in matches_at(QUALIFIED_ORDER_RE, text, starts):
        if not _ORDER_QUALIFIER_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        value = float(QUALIFIED_ORDERS[match["order"]])
        for scale in match["scales"].split():
            value *= SCALES[scale]
        yield NumberMatch(match.start(), match.end(), value, spelled=True)


def find_numbers(text: str, lowered: str | None = None) -> list[NumberMatch]:
    """All numbers in `text`, in order, without overlaps (earlier and longer wins).

    `lowered` is `lowered_like(text)` when the caller has it already.
    """
    lowered = lowered_like(text) if lowered is None else lowered
    anchors = find_anchors(lowered)
    words = [start for start, word in anchors.words if word in _NUMBER_WORDS]
    approximate = [start for start, word in anchors.words if word in _APPROX_FIRST_WORDS]
    orders = [start for start, word in anchors.words if word in QUALIFIED_ORDERS]
    found = [
        *_approximate_orders(lowered, approximate),
        *_qualified_orders(lowered, orders),
        *_digit_numbers(lowered, [start for start, _ in anchors.digits]),
        *_word_numbers(lowered, words),
    ]
    # by start, the longer first: two stable sorts with C keys, not a lambda per number
    found.sort(key=_END, reverse=True)
    found.sort(key=_START)
    result: list[NumberMatch] = []
    sayings = _saying_spans(lowered, words)
    for number in found:
        if result and number.start < result[-1].end:
            continue
        if sayings and any(start <= number.start < end for start, end in sayings):
            continue  # "một chín một mười": a saying, no count
        result.append(number)
    return result


_SAYING = re.compile(rf"(?<!\w)(?:{alternation(_NUMBERS['sayings']['words'])})(?!\w)")
_SAYING_FIRST = {phrase.split()[0] for phrase in _NUMBERS["sayings"]["words"]}


def _saying_spans(lowered: str, word_starts: list[int]) -> list[tuple[int, int]]:
    """Where the sayings of numbers.toml [sayings] stand, tried only at the number words that
    open one (few texts hold any)."""
    spans = []
    for start in word_starts:
        space = lowered.find(" ", start)
        if lowered[start : space if space >= 0 else len(lowered)] in _SAYING_FIRST and (
            found := _SAYING.match(lowered, start)
        ):
            spans.append(found.span())
    return spans
