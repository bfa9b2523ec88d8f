"""Where each figure applies: provinces, the whole country or a foreign country.

The mentions of an article are found in one scan of its capitalised words (and a
str.find for each type word and nationwide phrase), looked up in dictionaries built at
import: a type word with a unit's name ("huyện Đông Anh", "TP Vinh", "P.15", "CATP Hà
Nội"), or a name that needs no type word (a province, "TP.HCM", "cả nước", "Nhật Bản").
Units come from the gazetteer vietnamadminunits (see tools/gazetteer.py), countries
and cue words from lexicon/countries.toml and lexicon/places.toml.

An article published before the merger day resolves against the 63 provinces of that
time, a later one against the 34 after it; `current` always names the province of
today. A unit's name that several provinces have ("xã Tân Phú") takes the one the
article names most, or none. A figure takes the place its sentence names (the nearest
before it, else after it), else the place of its paragraph's lead sentence when the
figure is within a paragraph's reach of it, else the article's main place: the place its
title, lead and body name most; a foreign country only when the title or lead sets the
story there (a country named further on, or as a nationality, gives its figures none).
A nationwide phrase ("cả nước", "toàn quốc") after a foreign country in its sentence is
that country's, not ours.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from datetime import date, datetime
from typing import Literal, NamedTuple

from extract.lexicon import LEXICON_DIR, alternation, load, no_vietnamese_syllable
from extract.sentences import SentenceFinder, last_non_space

Scope = Literal["province", "national", "foreign"]
SCOPES: tuple[Scope, ...] = ("province", "national", "foreign")


class PlaceMention(NamedTuple):
    char_start: int
    char_end: int
    text: str  # the words that named it: "huyện Đông Anh", "TP Vinh", "cả nước"
    place: str  # canonical name as in the gold: "Hà Nội", "TP Hồ Chí Minh", "Việt Nam", "Anh"
    code: str | None  # official province code; ISO 3166 alpha-2 for a country ("VN" national)
    scope: Scope
    latitude: float | None
    longitude: float | None
    current: str | None  # the province after the 2025 merger (the country for others)


class _Province(NamedTuple):
    name: str  # as written in the output
    code: str
    lat: float | None
    lon: float | None
    current: str  # its province after the merger, as written in the output


class _Unit(NamedTuple):
    """One reading of a unit's name: the province (code, in its era), where it is, its type."""

    province: str
    lat: float | None
    lon: float | None
    kind: str = ""


_LEX = load("places")
_COUNTRIES = load("countries")
_GAZ = json.loads((LEXICON_DIR / "gazetteer.json").read_text(encoding="utf-8"))
_MERGER: date = _LEX["merger_date"]
_DISPLAY: dict[str, str] = _LEX["display"]
_WEIGHTS: dict[str, float] = _LEX["weights"]
_FIGURE_PLACE: dict[str, int] = _LEX["figure_place"]
# a sentence that opens with one of these continues the report before it ("Cùng đó, …",
# "Trong đó, …"): its figures are of the place that sentence names, as of its period
_CONTINUATION = re.compile(
    rf"\W*(?:{alternation(load('figures')['period_continuations']['words'])})(?!\w)", re.IGNORECASE
)

# Tone marks on "oa/oe/uy" are placed two ways ("Hòa"/"Hoà"): names match either way.
_TONE_PAIRS = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
_TONE_PAIRS.update({new: old for old, new in list(_TONE_PAIRS.items())})
_TONE_SYLLABLE = re.compile("(" + "|".join(_TONE_PAIRS) + r")(?!\w)")


def _key(words: str) -> str:
    """Lower-cased words as looked up: single spaces, dashes spaced ("bà rịa - vũng tàu")."""
    return " ".join(words.replace("–", "-").replace("-", " - ").split())


def _variants(name: str) -> set[str]:
    """The keys of `name`, with both tone placements."""
    low = _key(name.lower())
    return {low, _TONE_SYLLABLE.sub(lambda m: _TONE_PAIRS[m[1]], low)}


def _display(short: str) -> str:
    return _DISPLAY.get(short, short)


# --- provinces of both eras -------------------------------------------------------
_NEW: dict[str, _Province] = {}
_NEW_BY_NAME: dict[str, str] = {}  # short name -> 2025 code
for _p in _GAZ["provinces_2025"]:
    _name = _display(_p["name"])
    _NEW[_p["code"]] = _Province(_name, _p["code"], _p["lat"], _p["lon"], _name)
    _NEW_BY_NAME[_p["name"]] = _p["code"]
_OLD: dict[str, _Province] = {}
_OLD_TO_NEW: dict[str, str] = {}  # legacy code -> 2025 code
_PROVINCE_NAMES: dict[str, str] = {}  # lowered spelling -> legacy code
for _p in _GAZ["legacy_provinces"]:
    _new_code = _NEW_BY_NAME[_p["current"]]
    _OLD[_p["code"]] = _Province(_display(_p["name"]), _p["code"], _p["lat"], _p["lon"], _NEW[_new_code].name)
    _OLD_TO_NEW[_p["code"]] = _new_code
    for _v in _variants(_p["name"]):
        _PROVINCE_NAMES[_v] = _p["code"]
_OLD_CODE_BY_NAME = {p["name"]: p["code"] for p in _GAZ["legacy_provinces"]}
for _short, _spellings in _LEX["aliases"].items():
    for _spelling in _spellings:
        for _v in _variants(_spelling):
            _PROVINCE_NAMES[_v] = _OLD_CODE_BY_NAME[_short]
# earlier names of renamed provinces: (code, name, until)
_RENAMED = [(r["code"], r["name"], r["until"]) for r in _LEX.get("renamed", [])]
_BARE_EXCLUDED = {v for name in _LEX["bare_excluded"] for v in _variants(name)}


def is_province_name(words: str) -> bool:
    """Whether `words` spell a province's name, of either era ("Hải Phòng", "Bà Rịa - Vũng Tàu")."""
    return _key(words.lower()) in _PROVINCE_NAMES


def is_admin_name(words: str) -> bool:
    """Whether `words` spell a province's, a district's or a ward's name ("Hai Bà Trưng")."""
    key = _key(words.lower())
    return key in _PROVINCE_NAMES or key in _DISTRICTS or key in _OLD_WARDS or key in _NEW_WARDS


# --- districts and wards ----------------------------------------------------------
def _index(rows: list[list[object]]) -> dict[str, list[_Unit]]:
    index: dict[str, list[_Unit]] = defaultdict(list)
    for kind, name, code, lat, lon in rows:
        unit = _Unit(str(code), lat, lon, str(kind))  # type: ignore[arg-type]
        for variant in _variants(str(name)):
            if unit not in index[variant]:
                index[variant].append(unit)
    return dict(index)


_DISTRICTS = _index(_GAZ["legacy_districts"])
_OLD_WARDS = _index(_GAZ["legacy_wards"])
_NEW_WARDS = _index(_GAZ["wards_2025"])


def _numbered(index: dict[str, list[_Unit]]) -> list[str]:
    """The provinces whose units of this level are numbered ("Quận 5", "Phường 15")."""
    return sorted({u.province for name, units in index.items() if name.isdigit() for u in units})


# A numbered unit since renamed or merged ("Quận 2" of 2017) still names a province
# that numbers its units.
_NUMBERED = {id(i): _numbered(i) for i in (_DISTRICTS, _OLD_WARDS, _NEW_WARDS)}

# --- countries and the nation -------------------------------------------------------
_COUNTRY_NAMES: dict[str, tuple[str, str]] = {}  # lowered spelling -> (ISO code, name)
_STRICT: set[str] = set()  # spellings that are also words or given names
_CITY_KEYS: set[str] = set()  # spellings of foreign cities and states ("busan")
for _code, _entry in _COUNTRIES.items():
    _CITY_KEYS.update(v for city in _entry.get("cities", []) for v in _variants(city))
    for _spelling in [_entry["name"], *_entry.get("aliases", []), *_entry.get("cities", [])]:
        for _v in _variants(_spelling):
            _COUNTRY_NAMES[_v] = (_code, _entry["name"])
    _STRICT |= {s.lower() for s in _entry.get("strict", [])}
_NATIONAL_PHRASES = {v for p in _LEX["national"]["phrases"] for v in _variants(p)}
_NATIONAL_NAMES = {v for p in _LEX["national"]["names"] for v in _variants(p)}
_OURS = {p.lower() for p in _LEX["national"]["ours"]}
# a mark between two places of a sentence, such as a full stop the sentence finder let
# through because it is glued to the next word ("sáng qua.Cùng"); not a point in "22.143"
_SENTENCE_MARK = re.compile(r"[!?;:]|(?<!\d)\.|\.(?!\d)")
_VIETNAM = "Việt Nam"
_PROVINCE_COUNT = re.compile(rf"(?:{alternation(_LEX['national']['province_counts'])})(?!\w)")
_LIST_GAP = re.compile(r"\s*(?:,|;|và|,\s*và)\s*")  # between two provinces of a list
_AT_COUNTRY = {w.lower() for w in _LEX["national"]["at_country"]}
_NATIONAL_BODIES = [b.lower() for b in _LEX["national"]["bodies"]]

# --- cue words ----------------------------------------------------------------------
_TYPE_LEVEL: dict[str, str] = {}
_TYPE_OFFICIAL: dict[str, str] = {}
for _level, _officials in _LEX["types"].items():
    for _official, _spellings in _officials.items():
        for _spelling in _spellings:
            _TYPE_LEVEL[_spelling] = _level
            _TYPE_OFFICIAL[_spelling] = _official
_PERSON_NAME_WORDS = set(_LEX["person_name_words"]["words"])
_PERSON_TITLES = {w.lower() for w in _LEX["person_titles"]["words"]}
_BRAND_BODIES = _LEX["brand_names"]["bodies"]
# a maker's name right before a bracketed country: "của hãng FUJINON (Nhật Bản)"
_MAKER_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_LEX['brand_names']['bodies'])}|nhà sản xuất)"
    r"\s+[^\s(),.;]+(?:\s+[^\s(),.;]+){0,3}\s*\($"
)
_STATUTE = re.compile(rf"(?<!\w)(?:{alternation(_LEX['figure_place']['statute_cues'])})(?!\w)")
# a capitalised Latin word right after a name, with a lower-case letter ("FC" is a club's mark)
_LATIN_NAME_AFTER = re.compile(r" ([A-Z][a-z]+[A-Za-z]*)(?![\w])")
_GIVEN_NAME_COUNTRIES = set(_LEX["strict_countries"]["given_names"])
_PERSON_VERB_AFTER = re.compile(rf" (?:{alternation(_LEX['strict_countries']['person_verbs'])})(?!\w)")
_LANGUAGE_BEFORE = {w.lower() for w in _LEX["strict_countries"]["not_after"]}
_STRICT_NOT_BEFORE = {w.lower() for w in _LEX["strict_countries"]["not_before"]}
_SKIP_AFTER = {" ".join(w.lower().split()) for w in _LEX["skip_after"]["words"]}
_RESIDENCE = re.compile(rf"(?<!\w)(?:{alternation(_LEX['residence']['words'])})(?!\w)")
# one of these is in any text `_RESIDENCE` matches: the words that hold no shorter one
_RESIDENCE_CORES = [
    w for w in _LEX["residence"]["words"] if not any(o != w and o in w for o in _LEX["residence"]["words"])
]
_RESIDENCE_RIGHT_BEFORE = {" ".join(w.lower().split()) for w in _LEX["residence"]["right_before"]}
_TO_SEGMENT_END = re.compile(r".*[().;!?:\n]", re.S)  # a person's description runs from the last of these

_UNIT_NAMES = set(_DISTRICTS) | set(_OLD_WARDS) | set(_NEW_WARDS) | set(_PROVINCE_NAMES)
_NOT_PLACES = {v for name in _LEX["not_places"]["names"] for v in _variants(name)}
_BARE_NAMES = (set(_PROVINCE_NAMES) - _BARE_EXCLUDED) | set(_COUNTRY_NAMES) | _NATIONAL_NAMES | _NOT_PLACES
# Names are written with a capital (or are a number after a type word), so the text is
# scanned once for the capitalised words that can start a name (see `_BARE_STARTS`) and
# the capitalised words right after a type word; at each the words that follow are
# looked up, longest first: right after a type word a unit's name, else a name that
# needs no type word. Thousands of unit names are dictionary keys, not a regex.
_UPPER = "".join(c for c in map(chr, range(0x41, 0x2000)) if c.isupper() and c.lower() != c)
_UPPER_SET = frozenset(_UPPER)
_WORD_RUN = re.compile(r"\w*")
_NAME_WORD = re.compile(r"\w+(?:'\w+)*")


def _first_words(words: set[str] | dict[str, str]) -> set[str]:
    return {found[0] for word in words if (found := _NAME_WORD.match(word))}


def _prefixes(names: set[str]) -> set[str]:
    """Every name cut after each of its words: a lookup stops at the first miss."""
    return {name[: word.end()] for name in names for word in _NAME_WORD.finditer(name)}


def _is_word(char: str) -> bool:
    """What `\\w` matches."""
    return char.isalnum() or char == "_"


def _lookup(lowered: str, start: int, names: set[str], prefixes: set[str]) -> tuple[int, str] | None:
    """The longest of `names` that the words at `start` spell: (its end, its key)."""
    found = None
    words_end = start
    spaced = False  # whether the words so far are joined otherwise than by one space each
    for word in _NAME_WORD.finditer(lowered, start, min(len(lowered), start + 64)):
        word_start, word_end = word.span()
        if word_start != words_end:
            gap = lowered[words_end:word_start]  # only a gap holds such marks: words do not
            if gap != " ":
                if "\n" in gap:
                    break
                spaced = spaced or "-" in gap or "–" in gap or "  " in gap or "\t" in gap or "\xa0" in gap
        words_end = word_end
        key = _key(lowered[start:word_end]) if spaced else lowered[start:word_end]
        if key in names:
            found = (word_end, key)
        if key not in prefixes:
            break
    return found


_UNIT_PREFIXES = _prefixes(_UNIT_NAMES)
_BARE_PREFIXES = _prefixes(_BARE_NAMES)
_UNIT_FIRST = _first_words(_UNIT_NAMES)
_BARE_FIRST = _first_words(_BARE_NAMES)


def _starts_pattern(words: dict[str, set[str]], whole_word: bool) -> re.Pattern[str]:
    """Word starts where one of `words` begins, in one scan. `words` maps the characters
    that may begin a word to the rests ("HĐ": {"à", …}). Each branch begins with those
    characters, so the C scanner skips ahead to them, and "(?<!\\w.)" right after keeps
    only word starts. With `whole_word` the rest is matched in any case ("HÀ", "Hà") and
    must end the word."""
    rest = "(?i:{})(?!\\w)" if whole_word else "(?:{})"
    branches = [f"[{re.escape(firsts)}](?<!\\w.)" + rest.format(alternation(rests)) for firsts, rests in words.items()]
    return re.compile("|".join(branches))


def _by_first_letter(words: set[str]) -> dict[str, set[str]]:
    """`words` grouped by the capitals that, lower-cased, begin them: {"HĐ": {"à nội", …}}."""
    rests: dict[str, set[str]] = defaultdict(set)
    for word in words:
        rests[word[0]].add(word[1:])
    capitals: dict[str, set[str]] = defaultdict(set)
    for capital in _UPPER:
        if len(low := capital.lower()) == 1 and low in rests:
            capitals[low].add(capital)
    return {"".join(sorted(capitals[low])): rests[low] for low in sorted(capitals)}


# A capitalised word whose lower-cased form begins a bare name ("Hà", "HÀ"): a superset,
# matched case-insensitively after its capital, then checked as `lowered` spells it.
_BARE_STARTS = _starts_pattern(_by_first_letter({w for w in _BARE_FIRST if _WORD_RUN.fullmatch(w)}), whole_word=True)
# Where a type word may begin ("ca tỉnh", "tp.", "h."): its first characters at a word
# start; each type word that begins there is then checked with startswith (also after
# each space inside the match: "tỉnh" inside "ca tỉnh").
_TYPES_BY_FIRST = {first: sorted(w for w in _TYPE_LEVEL if w[0] == first) for first in {w[0] for w in _TYPE_LEVEL}}
_TYPE_STARTS = _starts_pattern({f: {w[1:] for w in ws} for f, ws in _TYPES_BY_FIRST.items()}, whole_word=False)
# Nationwide phrases are written in lower case: each is looked for with str.find.
_NATIONAL_SORTED = sorted(_NATIONAL_PHRASES, key=len, reverse=True)
_WORDS_BEFORE = re.compile(r"(\w+(?:\s+\w+)?)\s*$")  # what `_two_words_before` finds


def _two_words_before(lowered: str, low: int, end: int) -> tuple[int, int, int] | None:
    """Where `_WORDS_BEFORE.search(lowered, low, end)` finds its group: the start of the
    last one or two words (joined by spaces) before `end`, past spaces, no earlier than
    `low`; the start of the last word; their end. Walked back from `end`: the regex
    tries every position of the window."""
    words_end = end
    while words_end > low and lowered[words_end - 1].isspace():
        words_end -= 1
    word_start = words_end
    while word_start > low and _is_word(lowered[word_start - 1]):
        word_start -= 1
    if word_start == words_end:
        return None
    space_start = word_start
    while space_start > low and lowered[space_start - 1].isspace():
        space_start -= 1
    first_start = space_start
    if space_start < word_start:
        while first_start > low and _is_word(lowered[first_start - 1]):
            first_start -= 1
    return (first_start if first_start < space_start else word_start), word_start, words_end


_NEXT_WORD = re.compile(r"\s*(\w+)")
_ROUTE_DASH = re.compile(r"\s*[-–]\s*")


# `PlaceMention(...)`, `_Found(...)` without their Python-level `__new__`: one or two
# for every name of every article
_new = tuple.__new__


class _Found(NamedTuple):
    """A mention before resolution: its candidate provinces, or a fixed place."""

    start: int
    end: int
    candidates: tuple[_Unit, ...]  # legacy or 2025 units (see `era`); empty for a fixed place
    era: str  # "old" or "new": which province table `candidates` index
    fixed: PlaceMention | None  # a country or the nation
    role: str  # "event", "name" (of the country, in a body's name), "residence" or "skip" (a plate, a street)


# both are built by position (`_new`)
assert _Found._fields == ("start", "end", "candidates", "era", "fixed", "role")
assert PlaceMention._fields == (
    "char_start",
    "char_end",
    "text",
    "place",
    "code",
    "scope",
    "latitude",
    "longitude",
    "current",
)


class ArticlePlaces:
    """The places an article names, its main place, and the place of each figure."""

    def __init__(
        self, text: str, lowered: str, published: date | None, sentences: SentenceFinder | None = None
    ) -> None:
        """`sentences` is the document's finder when the caller has one (its lines are
        split once for figures and places alike)."""
        if isinstance(published, datetime):  # a timestamp compares with no date
            published = published.date()
        self.text = text
        self._lowered = lowered
        self._statutes: dict[int, bool] = {}  # by sentence start: whether it quotes a statute
        self._new = published is not None and published >= _MERGER
        self._person_names: dict[str, bool] = {}  # given-name countries the text uses as a person's name
        self._old_names = {code: name for code, name, until in _RENAMED if published is None or published < until}
        found = self._find(text, lowered)
        self.mentions: list[PlaceMention] = []
        self._roles: list[str] = []
        self._resolve(found)
        self._starts = [m.char_start for m in self.mentions]
        self._finder = sentences if sentences is not None else SentenceFinder(text)
        self._headline_places: set[str] = set()  # the places its title and lead set the story in
        self.main: PlaceMention | None = self._main()
        self._national_abroad()  # after the main place, which counts the phrases as ours

    # -- finding -----------------------------------------------------------------------
    def _find(self, text: str, lowered: str) -> list[_Found]:
        spans: list[tuple[int, int, str | None, int, str]] = []  # start, end, type, name start, name
        typed_at: dict[int, tuple[int, str]] = {}  # where a name after a type word starts
        size = len(lowered)
        for found_type in _TYPE_STARTS.finditer(lowered):
            at = found_type.start()
            starts = [at]
            space = lowered.find(" ", at, found_type.end())
            while space >= 0:
                starts.append(space + 1)
                space = lowered.find(" ", space + 1, found_type.end())
            for start in starts:
                for kind in _TYPES_BY_FIRST.get(lowered[start], ()):
                    if not lowered.startswith(kind, start):
                        continue
                    end = start + len(kind)
                    if (start and (lowered[start - 1].isalnum() or lowered[start - 1] == "_")) or (
                        end < size and kind[-1] != "." and (lowered[end].isalnum() or lowered[end] == "_")
                    ):
                        continue
                    while end < size and lowered[end] in " \t\xa0":
                        end += 1
                    if end < size and lowered[end].isdigit():  # "quận 5", "P.15"
                        if unit := _lookup(lowered, end, _UNIT_NAMES, _UNIT_PREFIXES):
                            spans.append((start, unit[0], kind, end, unit[1]))
                    elif end not in typed_at or len(typed_at[end][1]) < len(kind):
                        typed_at[end] = (start, kind)  # a longer one ending here ("ca huyện") wins
        # the capitalised words where a name may start, with the end of their first word
        first_ends = dict(map(re.Match.span, _BARE_STARTS.finditer(text)))
        for at in typed_at:
            if at < size and at not in first_ends and text[at] in _UPPER_SET and not (at and _is_word(text[at - 1])):
                first_ends[at] = _WORD_RUN.match(text, at + 1).end()  # type: ignore[union-attr]
        done = 0
        for start in sorted(first_ends):
            if start < done:
                continue
            first = lowered[start : first_ends[start]]
            span = None
            if typed_at and start in typed_at and first in _UNIT_FIRST:
                typed = typed_at[start]
                if unit := _lookup(lowered, start, _UNIT_NAMES, _UNIT_PREFIXES):
                    span = (typed[0], unit[0], typed[1], start, unit[1])
            if span is None and first in _BARE_FIRST and (bare := _lookup(lowered, start, _BARE_NAMES, _BARE_PREFIXES)):
                span = (start, bare[0], None, start, bare[1])
            if span is not None:
                spans.append(span)
                done = span[1]
        for phrase in _NATIONAL_SORTED:
            at = lowered.find(phrase)
            while at >= 0:
                end = at + len(phrase)
                if (not at or not lowered[at - 1].isalnum()) and (end == len(lowered) or not lowered[end].isalnum()):
                    spans.append((at, end, None, at, phrase))
                at = lowered.find(phrase, end)
        spans.sort()
        found: list[_Found] = []
        last_end = -1
        for span in spans:
            if span[0] < last_end:
                continue  # inside a longer mention ("trên toàn quốc")
            item = self._reading(text, lowered, *span)
            if item is None and span[2] is not None and text[span[3] : span[3] + 1].isupper():
                # "tỉnh Quảng Đông", "thành phố Thượng Hải": no unit of ours of that type and
                # name (a commune "Quảng Đông" is no province), so the name as written alone
                bare = _lookup(lowered, span[3], _BARE_NAMES, _BARE_PREFIXES)
                if bare is not None and bare[1] in _COUNTRY_NAMES:
                    item = self._reading(text, lowered, span[3], bare[0], None, span[3], bare[1])
            if item is not None:
                found.append(item)
                last_end = span[1]
        # "Hà Nội - Hải Phòng": two provinces joined by a dash name a road or a route
        for i in range(len(found) - 1):
            a, b = found[i], found[i + 1]
            if a.fixed is None and b.fixed is None and _ROUTE_DASH.fullmatch(text, a.end, b.start):
                found[i] = a._replace(role="skip")
                found[i + 1] = b._replace(role="skip")
        return found

    def _reading(
        self, text: str, lowered: str, start: int, end: int, kind: str | None, name_start: int, name: str
    ) -> _Found | None:
        if kind is not None:
            if not (text[name_start].isupper() or text[name_start].isdigit()):
                return None
            candidates, era = self._units(_TYPE_LEVEL[kind], name)
            if not candidates:
                return None
            if len(candidates) > 1:  # "thị xã Sơn Tây" is the town, not a district of that name
                official = [u for u in candidates if u.kind == _TYPE_OFFICIAL[kind]]
                candidates = tuple(official) or candidates
            return _new(_Found, (start, end, candidates, era, None, self._role(text, lowered, start, typed=True)))
        bare = name
        national = bare in _NATIONAL_PHRASES
        if bare in _NOT_PLACES or (not national and not text[start].isupper()):
            return None
        if start and text[start - 1] in "./@":
            return None  # part of a web address or an outlet's name: "ANTT.VN"
        space = text.rfind(" ", max(0, start - 12), start - 1)
        if not national and space >= 0 and text[space + 1 : start - 1] in _PERSON_NAME_WORDS and text[start - 1] == " ":
            return None  # a person's name: "ông Phí Thái Bình"
        if bare in _STRICT and not self._strict_ok(text, lowered, start, end):
            return None
        if text[start:end] in _GIVEN_NAME_COUNTRIES and self._named_person(text, text[start:end]):
            return None  # "Nguyễn Anh Đức (SN 1993) … Hưng rủ Đức đi trộm": the man, not Germany
        if not national and self._in_brand(text, lowered, start, end, bare in _COUNTRY_NAMES):
            return None
        role = self._role(text, lowered, start)
        if national or bare in _NATIONAL_NAMES:
            fixed = _new(PlaceMention, (start, end, text[start:end], _VIETNAM, "VN", "national", None, None, _VIETNAM))
            if not national and role == "event" and not self._words_before(lowered, start) & _AT_COUNTRY:
                role = "name"  # "Tập đoàn Dầu khí Việt Nam": no figure of its sentence is nationwide for it
            return _new(_Found, (start, end, (), "", fixed, role))
        if bare in _COUNTRY_NAMES:
            if text[start - 1 : start] == "(" and _MAKER_BEFORE.search(lowered, max(0, start - 60), start):
                role = "skip"  # "dây soi của hãng FUJINON (Nhật Bản)": where the maker is from
            code, country = _COUNTRY_NAMES[bare]
            fixed = _new(PlaceMention, (start, end, text[start:end], country, code, "foreign", None, None, country))
            return _new(_Found, (start, end, (), "", fixed, role))
        return self._province_found(start, end, _PROVINCE_NAMES[bare], role)

    @staticmethod
    def _in_brand(text: str, lowered: str, start: int, end: int, country: bool) -> bool:
        """Whether the name at [start, end) is part of a brand's: a Latin name follows it
        ([brand_names])."""
        latin = _LATIN_NAME_AFTER.match(text, end)
        if latin is None:
            return False
        if not no_vietnamese_syllable(latin[1]):  # "Green" could be a syllable, "City" not
            latin = _LATIN_NAME_AFTER.match(text, latin.end())
            if latin is None or not no_vietnamese_syllable(latin[1]):
                return False
        if not country:
            return True
        clause = _TO_SEGMENT_END.match(text, max(0, start - 60), start)
        return any(body in lowered[clause.end() if clause else max(0, start - 60) : start] for body in _BRAND_BODIES)

    def _province_found(self, start: int, end: int, old_code: str, role: str) -> _Found:
        province = _OLD[old_code]
        return _new(_Found, (start, end, (_Unit(old_code, province.lat, province.lon),), "old", None, role))

    def _units(self, level: str, name: str) -> tuple[tuple[_Unit, ...], str]:
        """The units a type word and a name may be, and which province table they use."""
        if level in ("province", "city") and name in _PROVINCE_NAMES:
            province = _OLD[_PROVINCE_NAMES[name]]
            return (_Unit(province.code, province.lat, province.lon),), "old"
        if level == "province":
            return (), "old"
        if level in ("city", "district"):
            indexes = [(_DISTRICTS, "old")]
        elif self._new:
            indexes = [(_NEW_WARDS, "new"), (_OLD_WARDS, "old")]
        else:
            indexes = [(_OLD_WARDS, "old")]
        for index, era in indexes:
            units = index.get(name)
            if units:
                return tuple(units), era
        if name.isdigit():  # a numbered unit since merged away: the provinces that number theirs
            index, era = indexes[0]
            return tuple(_Unit(code, None, None) for code in _NUMBERED[id(index)]), era
        return (), "old"

    def _named_person(self, text: str, name: str) -> bool:
        """Whether the text names a person whose full name ends with `name` (a surname or a
        middle name, up to two more capitalised words, then the name, and no capitalised word
        after), or whose bare name does what only a person does (`person_verbs`): the bare
        name is that person in this text. Found with `str.find`."""
        known = self._person_names
        if name not in known:
            known[name] = False
            at = text.find(name)
            while at >= 0:
                end = at + len(name)
                if at > 0 and text[at - 1] == " " and not (end < len(text) and _is_word(text[end])):
                    after = text[end : end + 2]
                    ends_name = not (after[:1].isspace() and after[1:2] in _UPPER_SET)
                    run = []  # the capitalised words right before the name, nearest first
                    for word in reversed(text[max(0, at - 40) : at].split()[-3:]):
                        if word[:1] not in _UPPER_SET:
                            break
                        run.append(word)
                    if ends_name and any(word in _PERSON_NAME_WORDS for word in run):
                        known[name] = True
                        break
                    if _PERSON_VERB_AFTER.match(text, end):  # "Đức rủ tôi đi du lịch": a man
                        known[name] = True
                        break
                at = text.find(name, end)
        return known[name]

    @staticmethod
    def _strict_ok(text: str, lowered: str, start: int, end: int) -> bool:
        """A one-syllable country name counts between lower-case words, not after a title."""
        low = max(0, start - 30)
        before = _two_words_before(lowered, low, start)
        after_city = False
        if before is None:
            # "ở New York, Mỹ": a city's capitalised name, then the country after a comma;
            # not for names that are also given names ("Lan, Anh và Hoa")
            stripped = lowered[low:start].rstrip()
            if stripped.endswith(",") and text[start:end] not in _GIVEN_NAME_COUNTRIES:
                before = _two_words_before(lowered, low, low + len(stripped) - 1)
                after_city = before is not None
        if before is None:
            return False  # the sentence's first word: "Anh" is "he"
        words_start, word_start, words_end = before
        words, last = lowered[words_start:words_end], lowered[word_start:words_end]
        gap = text[words_end:start]
        if (not text[word_start].islower() and not after_city) or last in _PERSON_TITLES or words in _PERSON_TITLES:
            return False
        if last in _LANGUAGE_BEFORE or words in _LANGUAGE_BEFORE:
            return False  # "tiếng Anh": a language
        if "\n" in gap or not (gap.isspace() or gap.strip() == ","):
            return False  # a line or a sentence starts, or a quotation
        after = _NEXT_WORD.match(text, end)
        # "Anh Tuấn", "Mỹ Đình", "Pháp luật": the name goes on into another word
        return not (
            after
            and text[end : after.start(1)].isspace()
            and (after[1][0].isupper() or after[1].lower() in _STRICT_NOT_BEFORE)
        )

    @staticmethod
    def _words_before(lowered: str, start: int) -> set[str]:
        """The last one, two and three words right before `start` (none across a mark)."""
        before = lowered[max(0, start - 24) : start]
        if not before[-1:].isspace():
            return set()
        words = before[before.rfind("(") + 1 :].split()[-3:]  # "Bình (quê Vĩnh Phúc)": "quê"
        if words and words[-1][:1] in "\"“‘'":
            words[-1] = words[-1][1:]  # 'gọi là "cỏ Mỹ"': the quotation opens before the words
        if len(words) == 3:  # the usual case, spelled out: this runs for every mention
            two = f"{words[1]} {words[2]}"
            return {words[2], two, f"{words[0]} {two}"}
        return {" ".join(words[i:]) for i in range(len(words))}

    @staticmethod
    def _role(text: str, lowered: str, start: int, typed: bool = False) -> str:
        """What the place is to the story; a unit with its type word ("đường phố quận 3")
        is never a street's or a company's name."""
        phrases = ArticlePlaces._words_before(lowered, start)  # "biển số", "người", "quê"
        if phrases:
            if (
                not typed
                and phrases & _SKIP_AFTER
                and not ("thành phố" in phrases and phrases & _SKIP_AFTER == {"phố"})
            ):  # "thành phố Thượng Hải" is a city, no street ("phố")
                return "skip"
            if phrases & _RESIDENCE_RIGHT_BEFORE:
                return "residence"
        window = max(0, start - 80)
        # "ngụ tại huyện Long Khánh (Đồng Nai)": a bracket right before the place names the
        # province of the place before it, in the same role
        until = start - 1 if text[start - 1 : start] == "(" else start
        segment = _TO_SEGMENT_END.match(text, window, until)
        segment_start = segment.end() if segment else window
        # the regex tries every position; most segments hold none of its words at all
        words = lowered[segment_start:until]
        if any(word in words for word in _RESIDENCE_CORES) and _RESIDENCE.search(lowered, segment_start, until):
            return "residence"
        return "event"

    # -- resolving ---------------------------------------------------------------------
    def _resolve(self, found: list[_Found]) -> None:
        """Fix each mention's province: an ambiguous name takes the one named most."""
        counts: dict[str, float] = defaultdict(float)
        for item in found:
            if item.fixed is None and len({u.province for u in item.candidates}) == 1:
                counts[self._province(item.candidates[0].province, item.era).name] += 1.0
        for item in found:
            if item.role == "skip":
                continue  # a licence plate, a street, a company: named, but no place of the story
            if item.fixed is not None:
                self.mentions.append(item.fixed)
                self._roles.append(item.role)
                continue
            by_name: dict[str, _Unit] = {}
            for unit in item.candidates:
                by_name.setdefault(self._province(unit.province, item.era).name, unit)
            if len(by_name) > 1:
                named = [name for name in by_name if counts.get(name)]
                if not named:
                    continue
                best = max(named, key=lambda name: counts[name])
                by_name = {best: by_name[best]}
            ((name, unit),) = by_name.items()
            province = self._province(unit.province, item.era)
            lat = unit.lat if unit.lat is not None else province.lat
            lon = unit.lon if unit.lon is not None else province.lon
            words = self.text[item.start : item.end]
            self.mentions.append(
                _new(
                    PlaceMention,
                    (item.start, item.end, words, name, province.code, "province", lat, lon, province.current),
                )
            )
            self._roles.append(item.role)

    def _national_abroad(self) -> None:
        """A nationwide phrase after a foreign country in its sentence is that country's
        ("cử tri Campuchia … bầu ra 11.572 ủy viên tại 1.646 xã, phường trong toàn quốc"),
        unless a place of ours stands between; "nước ta" is always ours."""
        foreign: PlaceMention | None = None
        foreign_sentence = -1
        for i, mention in enumerate(self.mentions):
            if mention.scope == "foreign":
                foreign, foreign_sentence = mention, self._finder.at(mention.char_start).start
                continue
            phrase = mention.text.lower()
            if mention.scope != "national" or _key(phrase) in _NATIONAL_NAMES or phrase in _OURS:
                foreign = None  # "ở Hà Nội", "Việt Nam": ours from here on
                continue
            if (
                foreign is not None
                and self._finder.at(mention.char_start).start == foreign_sentence
                and not _SENTENCE_MARK.search(self.text, foreign.char_end, mention.char_start)
            ):
                start, end = mention.char_start, mention.char_end
                self.mentions[i] = foreign._replace(char_start=start, char_end=end, text=mention.text)

    def _province(self, code: str, era: str) -> _Province:
        """The province of a unit's code, in the division the article is read against."""
        if era == "new":
            return _NEW[code]
        if self._new:
            return _NEW[_OLD_TO_NEW[code]]
        province = _OLD[code]
        old_name = self._old_names.get(code)
        return province._replace(name=old_name) if old_name else province

    # -- the article's main place ------------------------------------------------------
    def _main(self) -> PlaceMention | None:
        text = self.text
        title_end = text.find("\n")
        title_end = len(text) if title_end < 0 else title_end
        lead_end = text.find("\n", title_end + 1)
        lead_end = len(text) if lead_end < 0 else lead_end
        weights: dict[str, float] = defaultdict(float)
        spread_weights: dict[str, float] = defaultdict(float)  # every mention: how spread the story is
        first: dict[str, PlaceMention] = {}
        previous: PlaceMention | None = None
        for mention, role in zip(self.mentions, self._roles, strict=True):
            if role == "skip":
                continue
            chained = (
                previous is not None
                and previous.place == mention.place
                and text[previous.char_end : mention.char_start].strip(" ,-–(") == ""
            )
            previous = mention
            if mention.char_start < lead_end and role == "event":
                self._headline_places.add(mention.place)
            if mention.char_start < title_end:
                weight = _WEIGHTS["title"]
            elif mention.char_start < lead_end:
                weight = _WEIGHTS["lead"]
            else:
                weight = _WEIGHTS["body"]
            if role == "residence":
                weight *= _WEIGHTS["residence"]
            if mention.scope == "national" and _key(mention.text.lower()) in _NATIONAL_NAMES:
                weight *= _WEIGHTS["country_name"]
            if mention.scope == "foreign" and _key(mention.text.lower()) in _CITY_KEYS:
                weight *= _WEIGHTS["foreign_city"]  # "bay từ Seoul về TP HCM": the story is home
            spread_weights[mention.place] += weight
            if not chained:  # "xã Đại Đồng, huyện Vĩnh Tường, tỉnh Vĩnh Phúc": one address, one mention
                weights[mention.place] += weight
            first.setdefault(mention.place, mention)
        body = self._national_body()
        if not weights:
            return body
        if body is not None and body.char_start < lead_end and _VIETNAM not in weights:
            # "Thông tin từ Bộ Tài chính cho biết, …": a body of the country reports in the lead,
            # a province named once further on is a detail of the country's story
            weights[_VIETNAM] = spread_weights[_VIETNAM] = _WEIGHTS["lead"] * _WEIGHTS["national_body"]
            first[_VIETNAM] = body
        best = max(weights, key=lambda place: (weights[place], -first[place].char_start))
        provinces = {p: w for p, w in spread_weights.items() if first[p].scope == "province"}
        # spread over several provinces with nationwide words: a story of the country
        spread = provinces.get(best, 0.0) < _WEIGHTS["dominant_share"] * sum(provinces.values())
        if first[best].scope == "province" and _VIETNAM in weights and spread:
            return first[_VIETNAM]
        return first[best]

    def _national_body(self) -> PlaceMention | None:
        """The first body of the whole country the text names ("Bộ Công an"), as Việt Nam."""
        lowered = self._lowered
        firsts = []
        for body in _NATIONAL_BODIES:
            at = lowered.find(body)
            while at >= 0 and not self.text[at].isupper():
                at = lowered.find(body, at + 1)
            if at >= 0:
                firsts.append((at, at + len(body)))
        if not firsts:
            return None
        return self._country(*min(firsts))

    def _country(self, start: int, end: int) -> PlaceMention:
        """Việt Nam, named by text[start:end] (a body, a count of provinces, a list of them)."""
        return PlaceMention(start, end, self.text[start:end], _VIETNAM, "VN", "national", None, None, _VIETNAM)

    # -- a figure's place --------------------------------------------------------------
    def for_figure(
        self, char_start: int, char_end: int, item: str | None = None, value: float = 0.0
    ) -> PlaceMention | None:
        """The place a figure at text[char_start:char_end] applies to, or None; a count of
        two or more provinces of ours (`item`, `value`) is the country's."""
        place = self._figure_place(char_start, char_end)
        counts_ours = place is None or place.scope != "foreign"
        if counts_ours and value >= 2 and item is not None and _PROVINCE_COUNT.match(item.lower()):
            return self._country(char_start, char_end)
        return place

    def _figure_place(self, char_start: int, char_end: int) -> PlaceMention | None:
        sentence = self._finder.at(char_start)
        mention = self._in_span(sentence.start, sentence.end, char_start, char_end)
        if mention is not None:
            return mention
        if self._is_statute(sentence.start, sentence.end):
            return self._country(char_start, char_end)  # a statute quoted: the country's law, no province's
        line_start = self.text.rfind("\n", 0, char_start) + 1
        if sentence.start > line_start and _CONTINUATION.match(self.text, sentence.start, sentence.end):
            previous = self._finder.at(last_non_space(self.text, sentence.start, line_start + 1))
            mention = self._in_span(previous.start, previous.end, previous.end, previous.end)
            if mention is not None:
                return mention
        lead = self._finder.at(line_start)
        # a paragraph's opening sentence sets the scene for the next few; a body crawled as
        # one line has no paragraphs, and its first sentence does not set the whole text's
        if lead.start != sentence.start and char_start - lead.end <= _FIGURE_PLACE["paragraph_reach"]:
            mention = self._in_span(lead.start, lead.end, lead.end, lead.end)
            if mention is not None:
                return mention
        main = self.main
        if main is not None and main.scope == "foreign" and main.place not in self._headline_places:
            # a story abroad is of one country when its title or lead sets it there; named
            # only further on, or as a nationality ("siêu sao người Bồ Đào Nha"), the country
            # is the story's most named, not where its figures (goals, fees) apply
            return None
        return main

    def _is_statute(self, start: int, end: int) -> bool:
        """Whether the sentence at [start, end) is in a statute's words ([figure_place]
        statute_cues); once per sentence, however many figures it holds."""
        found = self._statutes.get(start)
        if found is None:
            found = self._statutes[start] = _STATUTE.search(self._lowered, start, end) is not None
        return found

    def _in_span(self, start: int, end: int, before: int, after: int) -> PlaceMention | None:
        """The event mention of text[start:end] nearest before `before`, else after `after`;
        of a list of our provinces ("tại các tỉnh: Hà Tĩnh, Quảng Bình, Quảng Trị và Thừa
        Thiên Huế"), the country: a figure there is of them all, no one province's."""
        low = bisect.bisect_left(self._starts, start)
        high = bisect.bisect_left(self._starts, end)
        nearest = None
        for i in range(low, high):
            if self._roles[i] != "event":
                continue
            mention = self.mentions[i]
            if mention.char_end <= before:
                nearest = i
            elif mention.char_start >= after:
                return self._of_list(nearest if nearest is not None else i, low, high)
        return None if nearest is None else self._of_list(nearest, low, high)

    def _of_list(self, i: int, low: int, high: int) -> PlaceMention:
        """Mention `i`, or the country when it stands in a list of two or more of our
        provinces joined by commas or "và" (the list's words as its text)."""
        mention = self.mentions[i]
        if mention.scope != "province":
            return mention
        first = last = i
        while first > low and self._joins(first - 1, first):
            first -= 1
        while last + 1 < high and self._joins(last, last + 1):
            last += 1
        names = {self.mentions[k].place for k in range(first, last + 1)}
        if len(names) < 2:
            return mention
        return self._country(self.mentions[first].char_start, self.mentions[last].char_end)

    def _joins(self, left: int, right: int) -> bool:
        """Whether mentions `left` and `right` are neighbours in a list of provinces."""
        a, b = self.mentions[left], self.mentions[right]
        if self._roles[left] != "event" or self._roles[right] != "event" or b.scope != "province":
            return False
        return _LIST_GAP.fullmatch(self._lowered, a.char_end, b.char_start) is not None
