"""The metric taxonomy: a data file (`metrics.toml`) mapping figures to metric keys,
with the conditions a cue must meet and the values each metric can plausibly take."""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from extract.lexicon import no_vietnamese_syllable

DEFAULT_TAXONOMY = Path(__file__).with_name("metrics.toml")

# Fixed by ../shared/spec/EXTRACTION.md; a taxonomy file may not invent keys.
METRIC_KEYS = (
    "security_events",
    "drone_incidents",
    "communes_wards",
    "personnel",
    "cases",
    "suspects",
    "violations",
    "vehicles",
    "casualties",
    "money",
    "plans",
)

PERCENT = "%"  # a share, not a count: bounded by the percentage check, not by its metric's bounds
# "số vụ", "tổng số người chết": "the number of" before the counted noun (a share's base,
# "80% số vụ TNGT"); head cues are read after it
COUNT_OF_PREFIXES = ("tổng số ", "số ")
# "tăng 3 vụ (60%)": a share in brackets right after a count is a share of that count
_SHARE_OF_COUNT_BEFORE = re.compile(r"\d[\d.,]*\s+(?P<base>[^\W\d][^\d()]*?)\s*\(\s*$")
# the words after the item that a figure's `after_item` cues are looked for in: up to the
# next mark or number, at most this many words ("7 người trên xe ô tô chết")
AFTER_ITEM_WORDS = 8
# "tổ 20, 21 phường", "Tổ 4; 5; 6; 7; 8 phường": a number after another number and a list mark
# (not after a date: "đến ngày 2-6, hai xã"); "km 15+300 xã Tân Lập" is a road's chainage
_AFTER_NUMBER_IN_LIST = re.compile(r"(?<![\d/.\-])\d{1,4}\s*(?:[,;+]|\svà)\s*$")
# "xe tải BKS: 51C – 23817", "xe 29H1 – 4521": the number after a plate's province code and
# series and a dash or dot is the rest of the plate (matched on the words as written: the
# series is in capitals)
_AFTER_PLATE_CODE = re.compile(r"(?<!\w)\d{2}[A-ZĐ]{1,2}\d{0,2}\s*[-–.]\s*$")
# the word before the number, when another word stands before it in its clause ("thôn Bãi 3 xã":
# "Bãi"; not "Tại" of "Tại 17 phường", nor a word after a mark)
_WORD_BEFORE_NUMBER = re.compile(r"\w\s+([^\W\d_]+)\s+$")
# the figure's own number (or range) at its start; where its clause ends: a mark or the next
# number (what stands in brackets is read past: "120 trường hợp (chiếm 40%) chưa nộp phạt")
_OWN_NUMBER = re.compile(r"\d[\d.,]*(?:\s*[-–]\s*\d[\d.,]*)?")
_IN_BRACKETS = re.compile(r"\([^()]*\)")
_CLAUSE_END = re.compile(r"[,;:!?]|\.(?!\d)|(?<!\w)\d")
_AFTER_ITEM_END = re.compile(r"[,;:.!?()\[\]\d“”\"]| và | hoặc | trong khi ")


# a syllable's final "y" after a consonant is spelled "i" as well ("binh sỹ"/"binh sĩ", "tỷ"/
# "tỉ", "hy sinh"/"hi sinh"): one spelling for cues and text alike (blind set 36)
_FINAL_Y = re.compile(r"(?<=[bcdđghklmnpqrstvx])[yýỳỷỹỵ](?![^\W\d_])")
_Y_AS_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def _norm(text: str | None) -> str:
    folded = " ".join((text or "").casefold().split())
    return _FINAL_Y.sub(lambda m: m[0].translate(_Y_AS_I), folded)


_FIRST_WORD = re.compile(r"[^\W_]*")  # letters and digits, as `str.isalnum` counts them


def _first_word(text: str) -> str:
    return _FIRST_WORD.match(text)[0]  # type: ignore[index]  # matches always, maybe empty


def _starts_with_word(text: str, cue: str) -> bool:
    return text.startswith(cue) and (len(text) == len(cue) or not text[len(cue)].isalnum())


@cache
def _as_word(cue: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(cue)}(?!\w)")


def _has_word(text: str, cue: str) -> bool:
    """Whether `cue` occurs in `text` as whole words; a substring test first rules out
    most cues at C speed (this runs for every cue of every metric for every figure)."""
    return cue in text and _as_word(cue).search(text) is not None


def _before_any(text: str, words: tuple[str, ...]) -> str:
    """`text` up to the first of `words` in it as whole words, unless a passive "bị" comes
    first: then they befell the item ("3 người bị đánh bị thương", "Ba thanh niên bị công
    an nổ súng bắn bị thương"), and all of `text` is kept."""
    end = len(text)
    for word in words:
        if word in text and (found := _as_word(word).search(text)) is not None:
            end = min(end, found.start())
    if end < len(text) and _has_word(text[:end], "bị"):
        return text
    return text[:end]


def _ends_with_word(text: str, cue: str) -> bool:
    return text.endswith(cue) and (len(text) == len(cue) or not text[-len(cue) - 1].isalnum())


def _begins_with_any(text: str, words: tuple[str, ...]) -> bool:
    return any(_starts_with_word(text, w) for w in words)


def _ends_with_cue(text: str, cue: str, fillers: tuple[str, ...]) -> bool:
    """Whether `cue` occurs in `text` with at most two words after it, each one of
    `fillers` (a qualifier's words: "bị thương 38", "làm chết hơn 19"): the cue governs
    the number that follows."""
    if cue not in text:
        return False
    for found in _as_word(cue).finditer(text):
        rest = text[found.end() :].split()
        if len(rest) <= 2 and all(word in fillers for word in rest):
            return True
    return False


def _after_item(sentence: str | None, context_before: str, item: str | None) -> str:
    """The words of the figure's clause after its item, normalised: up to the next mark or
    number, at most `AFTER_ITEM_WORDS` ("trên xe ô tô chết" of "7 người trên xe ô tô chết")."""
    if not sentence or not item:
        return ""
    at = sentence.find(context_before) if context_before else 0
    if at < 0:
        return ""
    rest = sentence[at + len(context_before) :]
    found = rest.find(item, 0, len(item) + 40)
    if found < 0:
        return ""
    after = rest[found + len(item) :]
    end = _AFTER_ITEM_END.search(after)
    return _norm(" ".join((after[: end.start()] if end else after).split()[:AFTER_ITEM_WORDS]))


def _occurs_not_followed_by(text: str, cue: str, words: tuple[str, ...], not_between: tuple[str, ...] = ()) -> bool:
    """Whether `cue` occurs as whole words in `text` at least once without one of `words`
    right after it ("bị bắt" in "bị bắt giữ", not in "bị bắt cóc") and, with `not_between`,
    without one of those anywhere after it ("khởi tố tài xế tông chết 3 người": the number
    is the object of "tông chết", not of "khởi tố")."""
    if cue not in text:
        return False
    for found in _as_word(cue).finditer(text):
        rest = text[found.end() :]
        if not _begins_with_any(rest.lstrip(), words) and not any(_has_word(rest, w) for w in not_between):
            return True
    return False


def _to_clause_end(sentence: str, context_before: str) -> str:
    """The figure's sentence up to the end of the figure's clause, normalised: the words
    before the figure and those after it up to the next mark or number. The words of a
    later clause or count are its own ("kiểm tra 300 trường hợp, xử phạt 40 trường hợp": the
    fines are the 40's; "có 25 trường hợp là người thân và 6 trường hợp vi phạm"). The whole
    sentence when the figure is not found in it."""
    at = sentence.find(context_before) if context_before else 0
    if at < 0:
        return _norm(sentence)
    start = at + len(context_before)
    own = _OWN_NUMBER.match(sentence, start)
    rest = _IN_BRACKETS.sub(" ", sentence[own.end() if own else start :])
    end = _CLAUSE_END.search(rest)
    return _norm(sentence[:start] + " " + (rest[: end.start()] if end else rest))


# the name right after a head cue in the item ("thị trấn Woodville": "woodville")
_NAME_AFTER_CUE = re.compile(r" ([^\W\d_][\w'’-]*)")


def _names_abroad(rest: str) -> bool:
    """Whether the item after a head cue begins with a name no Vietnamese place has ("thị
    trấn Montefalco", "thị trấn Woodville"): a town abroad, not a commune-level unit."""
    found = _NAME_AFTER_CUE.match(rest)
    return found is not None and no_vietnamese_syllable(found[1])


def _after_name(sentence: str | None, context_before: str) -> bool:
    """Whether the figure's number is in digits right after a capitalised word inside its
    clause: the number ends a name ("thôn Bãi 3 xã Tân Lập", "giống lúa Hồng Hương 6 xã …"),
    it counts nothing. Capitals alone (UBND, HĐND) are no name: "UBND 10 phường" counts."""
    found = _WORD_BEFORE_NUMBER.search(context_before)
    if not found or not sentence:
        return False
    word = found[1]
    if not (word[0].isupper() and word[1:] == word[1:].lower()):
        return False
    at = sentence.find(context_before)
    return at >= 0 and sentence[at + len(context_before) : at + len(context_before) + 1].isdigit()


def _number_word(sentence: str | None, context_before: str, unit: str | None, item: str | None) -> str:
    """The figure's number when it is one word standing right before its unit (or, without
    one, its item): "một" of "một chiếc xe", of "một vụ tấn công"; "" for "một triệu
    đồng", "hai mươi người", or when the sentence does not show the figure."""
    head = _norm(unit or item)
    if not sentence or not head:
        return ""
    at = sentence.find(context_before) if context_before else 0
    if at < 0:
        return ""
    words = _norm(sentence[at + len(context_before) : at + len(context_before) + len(head) + 20]).split(" ", 1)
    if len(words) < 2 or not _starts_with_word(words[1], head):
        return ""
    return words[0]


@dataclass(frozen=True)
class Conditions:
    """What a cue (or every cue of a metric) must stand with. Empty tuples ask nothing."""

    not_followed_by: tuple[str, ...] = ()  # words that may not come right after the cue
    requires_context: tuple[str, ...] = ()  # one of them must be in the figure's sentence
    excludes_context: tuple[str, ...] = ()  # none of them may be in the figure's sentence
    not_after: tuple[str, ...] = ()  # words that may not end the words before the number
    # one of them must be in the figure's sentence up to the end of the figure's clause
    requires_to_clause_end: tuple[str, ...] = ()

    def context_allows(
        self, scope: Callable[[], str], context_n: str = "", ahead: Callable[[], str] | None = None
    ) -> bool:
        """Whether the conditions hold: `scope` gives the figure's sentence, `ahead` that
        sentence up to the end of the figure's clause (without it, `scope` stands in)."""
        if self.not_after and any(_ends_with_word(context_n, w) for w in self.not_after):
            return False
        if self.requires_to_clause_end:
            text = (ahead or scope)()
            if not any(_has_word(text, w) for w in self.requires_to_clause_end):
                return False
        if not (self.requires_context or self.excludes_context):
            return True
        text = scope()
        if self.requires_context and not any(_has_word(text, w) for w in self.requires_context):
            return False
        return not any(_has_word(text, w) for w in self.excludes_context)


NO_CONDITIONS = Conditions()


@dataclass(frozen=True)
class Bounds:
    """The values a metric can take: 0 .. `max`, or its unit's own maximum."""

    max: float | None = None
    max_by_unit: Mapping[str, float] = field(default_factory=dict)
    whole: bool = False  # a count of whole things: a fraction of one is no such count

    def maximum(self, unit: str | None) -> float | None:
        """The largest plausible value in `unit` (None: unbounded)."""
        unit_n = _norm(_amount_unit(unit))
        if unit_n in self.max_by_unit:
            return self.max_by_unit[unit_n]
        return None if unit_n == PERCENT else self.max


def _amount_unit(unit: str | None) -> str | None:
    """A rate's amount ("đồng" of "đồng/kg", "%" of "%/năm"): what its metric and bounds
    go by. "km/h" is a unit of its own."""
    if unit is None or "/" not in unit or unit == "km/h":
        return unit
    return unit.split("/", 1)[0]


@dataclass(frozen=True)
class Metric:
    key: str
    description: str
    head: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    context_heads: tuple[str, ...] = ()
    context_adjacent: bool = False  # a context cue must end right before the number (a qualifier between)
    context_fillers: tuple[str, ...] = ()  # the words that may stand between an adjacent cue and the number
    after_item: tuple[str, ...] = ()  # cues in the clause's words after the item, with a context head
    context_not_between: tuple[str, ...] = ()  # words that may not stand between a context cue and the number
    # words after the item that end where its `after_item` cues are sought: "30 người đã hành
    # hung khiến anh Vĩnh bị thương" hurt him, they are not hurt
    after_item_not_between: tuple[str, ...] = ()
    # words before the number after which its `after_item` cues are the part's: "2 người trong
    # số 3 bệnh nhân đó đã tử vong" (the 2 died, the 3 were patients)
    after_item_not_after: tuple[str, ...] = ()
    conditions: Conditions = NO_CONDITIONS  # the metric's own: they hold for every cue
    cue_conditions: Mapping[str, Conditions] = field(default_factory=dict)
    not_items: tuple[str, ...] = ()  # items the metric never takes (by their first words)
    # items that begin with a not_item but name something else ("thuyền viên" are a boat's crew)
    not_items_except: tuple[str, ...] = ()
    not_within: tuple[str, ...] = ()  # words its items never hold
    not_units: tuple[str, ...] = ()  # units the metric never takes
    unit_decides: bool = False  # one of its units settles the metric whatever the item says
    indefinite: Conditions = NO_CONDITIONS  # what a figure whose number is an article ("một chiếc xe") must stand with
    not_after_number_list: bool = False  # a number that ends a list of numbers names, it does not count
    not_after_code: bool = False  # a number after a plate's code and a dash ("51C – 23817") counts nothing
    not_after_name: bool = False  # a number in digits after a capitalised word ends a name ("thôn Bãi 3")
    not_foreign_names: bool = False  # a head cue followed by a name no Vietnamese place has is a town abroad
    # head cues that count only as written in lower case ("500 công an" are officers, "8 Công an tỉnh" units)
    lowercase_heads: tuple[str, ...] = ()
    # the unit a figure of these extraction rules, with no unit of its own, is read in
    # ("thu hơn 11.000 tỷ", rule scaled_alone: đồng)
    rule_units: Mapping[str, str] = field(default_factory=dict)
    bounds: Bounds = field(default_factory=Bounds)

    def cue_allows(
        self, cue: str, scope: Callable[[], str], context_n: str = "", ahead: Callable[[], str] | None = None
    ) -> bool:
        return self.cue_conditions.get(cue, NO_CONDITIONS).context_allows(scope, context_n, ahead)

    def not_followed_by(self, cue: str) -> tuple[str, ...]:
        return self.cue_conditions.get(cue, NO_CONDITIONS).not_followed_by

    def excludes(self, unit_n: str, item_n: str) -> bool:
        return (
            unit_n in self.not_units
            or (_begins_with_any(item_n, self.not_items) and not _begins_with_any(item_n, self.not_items_except))
            or any(_has_word(item_n, w) for w in self.not_within)
        )


@dataclass(frozen=True)
class _Candidate:
    """A metric that a figure's unit and item make possible, before its sentence is read."""

    order: int  # the metric's place in the file: the earlier wins a tie of cue lengths
    metric: Metric
    cues: tuple[str, ...]  # the head, within and unit cues the unit and item match
    with_context: bool  # the item starts with a context head: context and after-item cues may match too


@dataclass(frozen=True)
class _Reading:
    """What a figure's unit and item alone say about its metric. It does not depend on the
    sentence, so it is worked out once per distinct (unit, item) and reused."""

    unit_n: str
    item_n: str
    decided_by_unit: tuple[Metric, ...]  # `unit_decides` metrics of this unit; their sentence conditions remain
    candidates: tuple[_Candidate, ...]  # in file order; metrics that exclude the item are left out


READINGS_KEPT = 1 << 16  # distinct (unit, item) readings memoised before the memo starts afresh


@dataclass(frozen=True)
class Taxonomy:
    metrics: tuple[Metric, ...]
    source: str
    version: str  # digest of the file: tables made with another taxonomy are recomputed
    # "một" is also the article "a": a figure whose number is one of these words, right
    # before its unit or item, counts only where `indefinite_not_after` and each metric's
    # `indefinite` conditions allow ("Gita là một chiếc xe tự hành" describes, counts nothing)
    indefinite_numbers: tuple[str, ...] = ()
    indefinite_not_after: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        # only the fields travel to a worker process: indexes and memo are rebuilt there
        return {f.name: self.__dict__[f.name] for f in fields(self)}

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.metrics]

    @cached_property
    def by_key(self) -> dict[str, Metric]:
        return {m.key: m for m in self.metrics}

    @cached_property
    def _rule_units(self) -> dict[str, str]:
        """The unit a unitless figure of an extraction rule is read in (the first metric's)."""
        found: dict[str, str] = {}
        for metric in self.metrics:
            for rule, unit in metric.rule_units.items():
                found.setdefault(rule, unit)
        return found

    @cached_property
    def _heads_by_first_word(self) -> dict[str, list[tuple[int, str]]]:
        """(metric order, cue) of every head cue, by the cue's first word: an item can only
        start with the cues that share its first word (a lookup, not 90 comparisons)."""
        return self._by_first_word(lambda metric: metric.head)

    @cached_property
    def _context_heads_by_first_word(self) -> dict[str, list[tuple[int, str]]]:
        """The same for the context heads of metrics that have context or after-item cues."""
        return self._by_first_word(lambda m: m.context_heads if (m.context or m.after_item) else ())

    def _by_first_word(self, cues_of: Callable[[Metric], tuple[str, ...]]) -> dict[str, list[tuple[int, str]]]:
        index: dict[str, list[tuple[int, str]]] = {}
        for order, metric in enumerate(self.metrics):
            for cue in cues_of(metric):
                index.setdefault(_first_word(cue), []).append((order, cue))
        return index

    @cached_property
    def _unit_cues(self) -> dict[str, list[tuple[int, str]]]:
        index: dict[str, list[tuple[int, str]]] = {}
        for order, metric in enumerate(self.metrics):
            for cue in metric.unit:
                index.setdefault(cue, []).append((order, cue))
        return index

    @cached_property
    def _any_within(self) -> re.Pattern[str] | None:
        """One pattern for every within cue: most items hold none, and one search says so."""
        cues = sorted({c for m in self.metrics for c in m.within}, key=len, reverse=True)
        return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, cues))})(?!\w)") if cues else None

    @cached_property
    def _readings(self) -> dict[tuple[str | None, str | None], _Reading]:
        return {}

    def _reading(self, unit: str | None, item: str | None) -> _Reading:
        memo = self._readings
        found = memo.get((unit, item))
        if found is None:
            if len(memo) >= READINGS_KEPT:
                memo.clear()
            found = memo[unit, item] = self._read(unit, item)
        return found

    def _read(self, unit: str | None, item: str | None) -> _Reading:
        item_n, unit_n = _norm(item), _norm(_amount_unit(unit))
        decided = tuple(
            metric
            for metric in self.metrics
            if metric.unit_decides
            and unit_n in metric.unit
            and not self._followed(metric, unit_n, item_n)
            and not metric.excludes(unit_n, item_n)
        )
        cues: dict[int, list[str]] = {}
        head_n = next((item_n[len(p) :] for p in COUNT_OF_PREFIXES if item_n.startswith(p)), item_n)
        for order, cue in self._heads_by_first_word.get(_first_word(head_n), []) if head_n else []:
            metric, rest = self.metrics[order], head_n[len(cue) :]
            if (
                _starts_with_word(head_n, cue)
                and not self._followed(metric, cue, rest)
                and not (metric.not_foreign_names and _names_abroad(rest))
                and not (cue in metric.lowercase_heads and not _written_lower(item, len(item_n) - len(head_n), cue))
            ):
                cues.setdefault(order, []).append(cue)
        if item_n and self._any_within is not None and self._any_within.search(item_n):
            for order, metric in enumerate(self.metrics):
                for cue in metric.within:
                    if _occurs_not_followed_by(item_n, cue, metric.not_followed_by(cue)):
                        cues.setdefault(order, []).append(cue)
        for order, cue in self._unit_cues.get(unit_n, []):
            if not self._followed(self.metrics[order], cue, item_n):
                cues.setdefault(order, []).append(cue)
        with_context = {
            order
            for order, head in self._context_heads_by_first_word.get(_first_word(item_n), [])
            if _starts_with_word(item_n, head)
        }
        candidates = tuple(
            _Candidate(order, self.metrics[order], tuple(cues.get(order, ())), order in with_context)
            for order in sorted(cues.keys() | with_context)
            if not self.metrics[order].excludes(unit_n, item_n)
        )
        return _Reading(unit_n, item_n, decided, candidates)

    def metric_for(
        self,
        unit: str | None,
        item: str | None,
        context_before: str = "",
        sentence: str | None = None,
        rule: str | None = None,
    ) -> str | None:
        """The metric key of a figure, or None. The longest matching cue wins.

        A cue counts only when its conditions hold: the words after it, and the words of
        the figure's `sentence` (the sentence holds the item and the words before the
        number; without a sentence, those two are the context searched). `rule` is the
        extraction rule that made the figure: a unitless one may be read in the unit a
        metric's `rule_units` gives it.
        """
        if unit is None and item is None and rule is not None:
            unit = self._rule_units.get(rule)
        reading = self._reading(unit, item)
        unit_n, item_n = reading.unit_n, reading.item_n
        if unit_n == PERCENT and not item_n and (share := _SHARE_OF_COUNT_BEFORE.search(context_before)):
            # "tăng 3 vụ (60%)" is a share of cases: the count before the bracket decides
            return self.metric_for(None, share["base"], context_before[: share.start()], sentence)
        if not (reading.decided_by_unit or reading.candidates):
            return None
        context_n = _norm(context_before)
        indefinite = bool(self.indefinite_numbers) and (
            _number_word(sentence, context_before, unit, item) in self.indefinite_numbers
        )
        if (indefinite or rule == "part_of_whole") and any(
            _ends_with_word(context_n, w) for w in self.indefinite_not_after
        ):
            # "đây là một vụ tấn công", "xã là 1 trong 3 xã nông thôn mới": it classifies
            # what another figure counts
            return None
        scope_text: list[str] = []

        def scope() -> str:  # normalised once, and only when a condition asks for it
            if not scope_text:
                scope_text.append(_norm(sentence) if sentence is not None else f"{context_n} {item_n}")
            return scope_text[0]

        ahead_text: list[str] = []

        def ahead() -> str:  # the sentence to the figure's clause end: read only when a condition asks
            if not ahead_text:
                ahead_text.append(_to_clause_end(sentence, context_before) if sentence is not None else scope())
            return ahead_text[0]

        for metric in reading.decided_by_unit:
            if (
                metric.conditions.context_allows(scope, context_n, ahead)
                and metric.cue_allows(unit_n, scope, context_n, ahead)
                and not (indefinite and not metric.indefinite.context_allows(scope, context_n, ahead))
                and not (metric.not_after_code and _AFTER_PLATE_CODE.search(context_before))
                and not (metric.not_after_name and _after_name(sentence, context_before))
            ):
                return metric.key
        after_text: list[str] = []
        best: tuple[int, int, str] | None = None  # (cue length, -file order, key)
        for candidate in reading.candidates:
            metric = candidate.metric
            matched = list(candidate.cues)
            if candidate.with_context:
                if metric.context_adjacent:
                    matched += [c for c in metric.context if _ends_with_cue(context_n, c, metric.context_fillers)]
                else:
                    unless = metric.not_followed_by
                    between = metric.context_not_between
                    matched += [c for c in metric.context if _occurs_not_followed_by(context_n, c, unless(c), between)]
                if metric.after_item and not any(_ends_with_word(context_n, w) for w in metric.after_item_not_after):
                    if not after_text:
                        after_text.append(_after_item(sentence, context_before, item))
                    after = _before_any(after_text[0], metric.after_item_not_between)
                    if after and not any(_has_word(after, w) for w in metric.not_within):
                        matched += [c for c in metric.after_item if _has_word(after, c)]
            if not matched or not metric.conditions.context_allows(scope, context_n, ahead):
                continue
            if indefinite and not metric.indefinite.context_allows(scope, context_n, ahead):
                continue
            if metric.not_after_number_list and _AFTER_NUMBER_IN_LIST.search(context_before):
                continue
            if metric.not_after_code and _AFTER_PLATE_CODE.search(context_before):
                continue
            if metric.not_after_name and _after_name(sentence, context_before):
                continue
            lengths = [len(c) for c in matched if metric.cue_allows(c, scope, context_n, ahead)]
            if lengths:
                ranked = (max(lengths), -candidate.order, metric.key)
                if best is None or ranked > best:
                    best = ranked
        return best[2] if best else None

    @staticmethod
    def _followed(metric: Metric, cue: str, rest: str) -> bool:
        """Whether `rest` (the item after a head cue, or the item of a unit cue) begins
        with a word the cue may not be followed by ("tên" + "lửa")."""
        words = metric.not_followed_by(cue)
        return bool(words) and _begins_with_any(rest.lstrip(), words)

    def maximum(self, metric: str | None, unit: str | None) -> float | None:
        """The largest plausible value of `metric` in `unit`; None when unbounded."""
        found = self.by_key.get(metric) if metric else None
        return found.bounds.maximum(unit) if found else None

    def implausible(self, metric: str | None, unit: str | None, value: float, value_max: float | None) -> str | None:
        """Why a figure's value cannot be true for its metric, or None when it can."""
        highest = self.maximum(metric, unit)
        found = self.by_key.get(metric) if metric else None
        whole = found is not None and found.bounds.whole and _norm(_amount_unit(unit)) != PERCENT
        for name, number in (("value", value), ("value_max", value_max)):
            if number is None:
                continue
            if number < 0:
                return f"{name} {number:g} is negative: {metric} counts or amounts are never below 0"
            if highest is not None and (math.isnan(number) or number > highest):
                return f"{name} {number:g} above the bound {highest:g} for {metric} in {unit or 'no unit'}"
            if whole and not math.isnan(number) and number != math.floor(number):
                return f"{name} {number:g} is no whole number: {metric} counts whole units"
        return None


def _words(spec: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    values = spec.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{where}: {name} must be a list of strings")
    return tuple(_norm(v) for v in values)


_CONDITION_NAMES = ("not_followed_by", "requires_context", "excludes_context", "not_after", "requires_to_clause_end")


def _conditions(spec: Mapping[str, Any], where: str, *, only: bool = False) -> Conditions:
    """The conditions in `spec`; with `only` (a cue's or the indefinite's own table) any
    other key is an error: a bound written there would bound nothing."""
    if only and (unknown := sorted(set(spec) - set(_CONDITION_NAMES))):
        raise ValueError(f"{where}: unknown keys {unknown}; a cue's table holds only {', '.join(_CONDITION_NAMES)}")
    return Conditions(**{name: _words(spec, name, where) for name in _CONDITION_NAMES})


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{where}: a bound must be a number >= 0, not {value!r}")
    return float(value)


def _written_lower(item: str | None, offset: int, cue: str) -> bool:
    """Whether the item, as written, spells the head cue found at `offset` of its normal form
    in lower case."""
    written = " ".join((item or "").split())[offset : offset + len(cue)]
    return written == written.lower()


def _metric(path: Path, key: str, spec: Mapping[str, Any]) -> Metric:
    where = f"{path}: [metrics.{key}]"
    cue = {
        name: _words(spec, name, where) for name in ("head", "within", "unit", "context", "context_heads", "after_item")
    }
    lowercase_heads = _words(spec, "lowercase_heads", where)
    cue["head"] = (*cue["head"], *lowercase_heads)
    listed = {c for cues in cue.values() for c in cues}
    cue_conditions = {}
    for text, cue_spec in spec.get("cue", {}).items():
        if _norm(text) not in listed:
            raise ValueError(f"{where}: conditions for {text!r}, which is none of its cues")
        cue_conditions[_norm(text)] = _conditions(cue_spec, f"{where} cue {text!r}", only=True)
    highest = spec.get("max")
    bounds = Bounds(
        max=None if highest is None else _number(highest, where),
        max_by_unit={_norm(u): _number(v, where) for u, v in spec.get("max_by_unit", {}).items()},
        whole=bool(spec.get("whole", False)),
    )
    return Metric(
        key=key,
        description=spec.get("description", ""),
        **cue,
        conditions=_conditions(spec, where),
        cue_conditions=cue_conditions,
        not_items=_words(spec, "not_items", where),
        not_items_except=_words(spec, "not_items_except", where),
        not_within=_words(spec, "not_within", where),
        not_units=_words(spec, "not_units", where),
        unit_decides=bool(spec.get("unit_decides", False)),
        indefinite=_conditions(spec.get("indefinite", {}), f"{where} indefinite", only=True),
        context_not_between=_words(spec, "context_not_between", where),
        after_item_not_between=_words(spec, "after_item_not_between", where),
        after_item_not_after=_words(spec, "after_item_not_after", where),
        not_after_number_list=bool(spec.get("not_after_number_list", False)),
        not_after_code=bool(spec.get("not_after_code", False)),
        not_after_name=bool(spec.get("not_after_name", False)),
        not_foreign_names=bool(spec.get("not_foreign_names", False)),
        lowercase_heads=lowercase_heads,
        rule_units={str(rule): str(unit) for rule, unit in spec.get("rule_units", {}).items()},
        context_adjacent=bool(spec.get("context_adjacent", False)),
        context_fillers=_words(spec, "context_fillers", where),
        bounds=bounds,
    )


def load_taxonomy(path: Path | str = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and check a taxonomy file: every key must be one of `METRIC_KEYS`."""
    path = Path(path)
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    metrics = []
    for key, spec in data.get("metrics", {}).items():
        if key not in METRIC_KEYS:
            raise ValueError(f"{path}: unknown metric key {key!r}; keys are fixed: {', '.join(METRIC_KEYS)}")
        metrics.append(_metric(path, key, spec))
    if not metrics:
        raise ValueError(f"{path}: no [metrics.*] tables")
    indefinite = data.get("indefinite", {})
    return Taxonomy(
        tuple(metrics),
        str(path),
        hashlib.sha256(raw).hexdigest()[:16],
        indefinite_numbers=_words(indefinite, "numbers", f"{path}: [indefinite]"),
        indefinite_not_after=_words(indefinite, "not_after", f"{path}: [indefinite]"),
    )


@cache
def default_taxonomy() -> Taxonomy:
    return load_taxonomy()
