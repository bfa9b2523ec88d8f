"""Great Expectations suites that gate publishing of the solieu tables.

Every table (articles, figures, dates, rejects) gets a suite: schema and dtypes,
required columns non-null, unique keys, value ranges, categorical sets, the offset
invariant (`articles.text[char_start:char_end] == text`) and referential integrity.

Checks that span rows or tables (offsets, foreign keys, finiteness) are computed in
pandas as boolean columns on a validation copy and expected to be True: GE 1.x has no
built-in cross-table expectation, and a derived column keeps the check vectorised and
visible in Data Docs like any other expectation.

A run validates a group of batches' rows at a time (`Validator.validate`), then checks
keys and references across every part on projections (`Validator.check_keys`), and
writes one Data Docs site of all of it; `validate_tables` does it in one go for a set of
tables in memory.

Great Expectations is imported when a `Validator` is made: the import takes seconds, and
most importers of this module (flows, tests of other parts) never validate.
"""

from __future__ import annotations

import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from extract.breakdowns import AMONG
from extract.breakdowns import RULES as PART_RULES
from extract.figures import CURRENCY_CODES, RULE_NAMES
from extract.numbers import parse_digits
from extract.places import SCOPES as PLACE_SCOPES
from extract.published import EVIDENCE_NAMES
from transform.facts import DERIVED as METRICS_DERIVED
from transform.facts import PERIOD_SOURCES
from transform.schemas import (
    CHANGES,
    GRANULARITIES,
    PRECISIONS,
    PUBLISHED,
    QUALIFIERS,
    REJECT_REASONS,
    TABLES,
)
from transform.tables import EARLIEST_PUBLISHED, latest_published
from transform.taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations import Expectation

# GX sends usage analytics unless told not to; it must be set before the import.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

__all__ = ["ExpectationFailure", "ValidationReport", "Validator", "validate_tables"]

MIN_DATE = date(1900, 1, 1)
FUTURE_YEARS = 10  # dates up to run_time + 10 years: plans and targets ("đến năm 2030")
MAX_OFFENDING_ROWS = 5
DOCS_SITE = "solieu"
# The days (since 1970-01-01) datetime64[ns] can hold: 1677-09-22 .. 2262-04-11.
_NS_FIRST_DAY = (pd.Timestamp.min.ceil("D").date() - date(1970, 1, 1)).days
_NS_LAST_DAY = (pd.Timestamp.max.floor("D").date() - date(1970, 1, 1)).days

# Columns that identify a row in each table: shown with every offending row.
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "figures": ("figure_id", "article_id"),
    "dates": ("date_id", "article_id"),
    "rejects": ("source_uri",),
    "fact_mentions": ("figure_id", "metric_id"),
    "metrics": ("metric_id",),
}

# ---------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectationFailure:
    """One failed expectation, with enough detail to find the bad rows."""

    table: str
    expectation: str  # e.g. "expect_column_values_to_not_be_null(value)"
    detail: str  # observed value / counts
    offending_rows: list[dict[str, Any]] = field(default_factory=list)  # up to 5


@dataclass(frozen=True)
class ValidationReport:
    success: bool
    failures: list[ExpectationFailure]
    expectations_run: int
    docs_index: Path | None  # Data Docs index.html when docs_dir was given


# ---------------------------------------------------------------------------
# Expectations as data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One expectation, as data: GE's snake_case type name and its arguments.

    `when` is a row condition `(column, value)`: the check applies only to rows where
    `column == value`. `shows` names extra columns worth printing with offending rows
    (for derived boolean columns, the inputs that explain the False).
    """

    type: str
    kwargs: Mapping[str, Any]
    notes: str = ""
    when: tuple[str, Any] | None = None
    shows: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns this check reads, in display order."""
        names = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        if self.when:
            names.append(self.when[0])
        return tuple(n for n in (*names, *self.shows) if isinstance(n, str))

    @property
    def label(self) -> str:
        """Readable name used in failures: type plus the columns it is about."""
        cols = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        args = ", ".join(c for c in cols if isinstance(c, str))
        if self.when:
            args += f" where {self.when[0]} == {self.when[1]!r}"
        return f"{self.type}({args})" if args else self.type


def not_null(column: str) -> Check:
    return Check("expect_column_values_to_not_be_null", {"column": column})


def unique(column: str) -> Check:
    return Check("expect_column_values_to_be_unique", {"column": column})


def in_set(column: str, values: Sequence[Any], notes: str = "") -> Check:
    """Nulls are ignored by GE's set check: nullability has its own expectation."""
    return Check("expect_column_values_to_be_in_set", {"column": column, "value_set": list(values)}, notes)


def between(column: str, low: Any, high: Any, notes: str = "", when: tuple[str, Any] | None = None) -> Check:
    return Check(
        "expect_column_values_to_be_between",
        {"column": column, "min_value": low, "max_value": high},
        notes,
        when,
    )


def a_after_b(a: str, b: str, *, or_equal: bool, notes: str = "") -> Check:
    return Check(
        "expect_column_pair_values_a_to_be_greater_than_b",
        {
            "column_A": a,
            "column_B": b,
            "or_equal": or_equal,
            "ignore_row_if": "either_value_is_missing",  # nulls are the not-null check's job
        },
        notes,
    )


def is_true(column: str, notes: str, shows: tuple[str, ...] = ()) -> Check:
    """A derived boolean column must be True (NA = not applicable, e.g. a null input)."""
    return Check("expect_column_values_to_be_in_set", {"column": column, "value_set": [True]}, notes, shows=shows)


def of_type(column: str, type_: str) -> Check:
    return Check("expect_column_values_to_be_of_type", {"column": column, "type_": type_})


def column_set(columns: Sequence[str]) -> Check:
    return Check("expect_table_columns_to_match_set", {"column_set": list(columns), "exact_match": True})


# ---------------------------------------------------------------------------
# Derived columns: cross-row and cross-table checks, computed vectorised in pandas
# ---------------------------------------------------------------------------

Derive = Callable[[pd.DataFrame, Mapping[str, pd.DataFrame]], pd.Series]


def _na_bools(n: int) -> pd.Series:
    return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="boolean")


def _value_is_finite(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """inf/-inf are not figures; NaN is a null, which `not_null(value)` reports."""
    if "value" not in df:
        return _na_bools(len(df))
    value = pd.to_numeric(df["value"], errors="coerce")
    return pd.Series(np.isfinite(value.to_numpy(dtype="float64", na_value=np.nan)), dtype="boolean").mask(
        value.isna().to_numpy()
    )


def _repeat_is_earlier(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """A repeat points to a figure of its own article that comes before it."""
    if "repeat_of" not in df or "figure_id" not in df:
        return _na_bools(len(df))
    first = df.drop_duplicates("figure_id").set_index("figure_id")[["article_id", "char_start"]]
    target = df["repeat_of"]
    found = first.reindex(target.fillna("").to_numpy())
    same = (found["article_id"].to_numpy() == df["article_id"].to_numpy()) & (
        found["char_start"].to_numpy() < df["char_start"].to_numpy()
    )
    return pd.Series(same, dtype="boolean").mask(target.isna().to_numpy())


def _part_of_larger(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """A part points to a figure of its own article, of its metric and unit, with a larger
    value: the whole it breaks down, earlier in the text, or right after it when the part
    names its whole after itself (rule `among`: "2 trong số 5 nghi phạm")."""
    needed = {"part_of", "figure_id", "article_id", "char_start", "metric", "unit", "value"}
    if not needed <= set(df.columns):
        return _na_bools(len(df))
    columns = ["article_id", "char_start", "metric", "unit", "value"]
    first = df.drop_duplicates("figure_id").set_index("figure_id")[columns]
    target = df["part_of"]
    found = first.reindex(target.fillna("").to_numpy())
    same_unit = found["unit"].fillna("").to_numpy() == df["unit"].fillna("").to_numpy()
    values = (frame["value"].to_numpy(dtype="float64", na_value=np.nan) for frame in (found, df))
    whole_after = df["part_rule"].to_numpy() == AMONG if "part_rule" in df else np.zeros(len(df), dtype=bool)
    ordered = np.where(
        whole_after,
        found["char_start"].to_numpy() > df["char_start"].to_numpy(),
        found["char_start"].to_numpy() < df["char_start"].to_numpy(),
    )
    ok = (
        (found["article_id"].to_numpy() == df["article_id"].to_numpy())
        & ordered
        & (found["metric"].to_numpy() == df["metric"].to_numpy())
        & same_unit
        & np.greater(*values)
    )
    return pd.Series(ok, dtype="boolean").mask(target.isna().to_numpy())


def _article_exists(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Referential integrity: a row's article_id must be in articles."""
    if "article_id" not in df:
        return _na_bools(len(df))
    articles = tables.get("articles")
    known = articles["article_id"] if articles is not None and "article_id" in articles else pd.Series([], dtype=object)
    # object arrays hash faster than pandas' arrow strings here (0.25 s vs 0.8 s per million)
    ids = df["article_id"].to_numpy(dtype=object)
    exists = pd.Series(pd.Series(ids).isin(known.to_numpy(dtype=object)).to_numpy(), dtype="boolean")
    return exists.mask(df["article_id"].isna().to_numpy())


def _offsets(column: pd.Series) -> list[int | None]:
    """Offsets as Python ints for slicing; None where null or not a whole number."""
    if pd.api.types.is_integer_dtype(column) and not column.hasnans:
        return column.tolist()  # the normal int64 case: no per-row conversion
    num = pd.to_numeric(column, errors="coerce").astype("float64")
    whole = (num.notna() & (num % 1 == 0)).tolist()
    return [int(v) if ok else None for v, ok in zip(num.tolist(), whole, strict=True)]


def _span_matches_article_text(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """The offset invariant: articles.text[char_start:char_end] == text (Python indices).

    NA where the article is unknown or an input is null: those rows are reported by
    the referential-integrity and not-null checks, not twice. Rows are checked article
    by article, each body made a Python string once and dropped after: the bodies of a
    large corpus as Python strings would take several times their Arrow size.
    """
    needed = {"article_id", "char_start", "char_end", "text"}
    articles = tables.get("articles")
    if not needed <= set(df) or articles is None or not {"article_id", "text"} <= set(articles):
        return _na_bools(len(df))
    row_of_article = {a: i for i, a in enumerate(articles["article_id"].tolist())}
    bodies = articles["text"]
    starts, ends, texts = _offsets(df["char_start"]), _offsets(df["char_end"]), df["text"].tolist()
    flags: list[bool | None] = [None] * len(df)
    by_article: dict[int, list[int]] = {}
    for row, article_id in enumerate(df["article_id"].tolist()):
        index = row_of_article.get(article_id)
        if index is not None:
            by_article.setdefault(index, []).append(row)
    for index, rows in by_article.items():
        body = bodies.iat[index]
        if not isinstance(body, str):
            continue
        for row in rows:
            s, e, t = starts[row], ends[row], texts[row]
            if s is not None and e is not None and isinstance(t, str):
                # bounds first: negative or past-the-end indices slice "successfully" in Python
                flags[row] = 0 <= s <= e <= len(body) and body[s:e] == t
    return pd.Series(flags, dtype="boolean")


def _text_is_whole(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """An article's text is a string of `n_chars` characters. GE checks the bodies
    through this column: the bodies themselves are not handed to it (see ARTICLE_BODY)."""
    if not {"text", "n_chars"} <= set(df):
        return _na_bools(len(df))
    text = df["text"]
    if pd.api.types.is_string_dtype(text) and not pd.api.types.is_object_dtype(text):
        is_str = text.notna().to_numpy()  # a string column: every non-null value is a str
    else:
        is_str = np.array([isinstance(v, str) for v in text.tolist()], dtype=bool)
    lengths = text.where(is_str).str.len()
    n_chars = pd.to_numeric(df["n_chars"], errors="coerce")
    return pd.Series(is_str & (lengths == n_chars).fillna(False).to_numpy(dtype=bool), dtype="boolean")


_LEADING_NUMBER = re.compile(r"\d[\d.,]*")


def _written_value(text: object) -> float | None:
    """The number a figure's own text starts with, read in the press's notation."""
    match = _LEADING_NUMBER.search(text) if isinstance(text, str) else None
    return parse_digits(match[0].rstrip(".,")) if match else None


def _percent_plausible(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """A percentage is 0..100 unless the text says more: above 100 ("thuế suất 150%",
    "quá tải 290%") it must be exactly the number written in the figure's text, so a
    misread or mis-scaled value still fails. NA for rows that are not percentages."""
    if not {"unit", "value", "text"} <= set(df):
        return _na_bools(len(df))
    flags = [
        None if unit != "%" else (0 <= value <= 100) or (value > 100 and _written_value(text) == value)
        for unit, value, text in zip(df["unit"].tolist(), df["value"].tolist(), df["text"].tolist(), strict=True)
    ]
    return pd.Series(flags, dtype="boolean")


def _within_metric_bounds(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, taxonomy: Taxonomy) -> pd.Series:
    """Whether a figure marked plausible lies within its metric's bounds in its unit (0 ..
    the taxonomy's maximum, for value and value_max). NA for rows marked not plausible,
    without a metric, or without a value.

    The bound of each distinct (metric, unit) is looked up once: a corpus has a few hundred.
    """
    if not {"metric", "unit", "value", "value_max", "plausible"} <= set(df):
        return _na_bools(len(df))
    flags = pd.Series(pd.NA, index=pd.RangeIndex(len(df)), dtype="boolean")
    marked = df["plausible"].reset_index(drop=True).astype("boolean").fillna(False).to_numpy(dtype=bool)
    metric = df["metric"].reset_index(drop=True).astype(object)
    unit = df["unit"].reset_index(drop=True).astype(object)
    value = pd.to_numeric(df["value"], errors="coerce").reset_index(drop=True)
    value_max = pd.to_numeric(df["value_max"], errors="coerce").reset_index(drop=True)
    # a null value is the not-null check's to report, not this one's
    has_metric = marked & metric.notna().to_numpy() & value.notna().to_numpy()
    keys = list(zip(metric[has_metric], unit[has_metric].fillna(""), strict=True))
    highest = {key: taxonomy.maximum(key[0], key[1] or None) for key in set(keys)}
    high = np.full(len(df), np.inf)
    high[has_metric] = [np.inf if highest[key] is None else highest[key] for key in keys]
    values, maxima = value.to_numpy(dtype=float), value_max.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):  # NaN compares False: no upper end is no violation
        ok = (values >= 0) & ~(maxima < 0) & (values <= high) & ~(maxima > high)
    flags[has_metric] = ok[has_metric]
    return flags


def _reason_given(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """A figure marked not plausible says why (NA for plausible rows)."""
    if not {"plausible", "plausible_reason"} <= set(df):
        return _na_bools(len(df))
    implausible = df["plausible"].reset_index(drop=True).astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool)
    reason = df["plausible_reason"].reset_index(drop=True)
    given = reason.notna() & (reason.astype(object).map(lambda r: isinstance(r, str) and r.strip() != ""))
    return pd.Series(given.to_numpy(dtype=bool), dtype="boolean").where(implausible, pd.NA)


def _years_written(years: pd.Series, texts: pd.Series) -> pd.Series:
    """Whether each row's year is spelled in its text; NA where either is missing.

    One vectorised substring test per distinct year (a corpus has a few dozen): the
    texts (figure sentences) never become a million Python strings.
    """
    flags = pd.Series(pd.NA, index=texts.index, dtype="boolean")
    present = years.notna() & texts.notna()
    if not present.any():
        return flags.reset_index(drop=True)
    text_column = texts.astype("str") if pd.api.types.is_object_dtype(texts) else texts
    for year in pd.unique(years[present]):
        rows = present & (years == year)
        flags[rows] = text_column[rows].str.contains(str(int(year)), regex=False).to_numpy(dtype=bool)
    return flags.reset_index(drop=True)


def _span_year_written(starts: pd.Series, ends: pd.Series, texts: pd.Series) -> pd.Series:
    """Whether a span's end year is spelled in `texts` ("đến năm 2050"), or, for a decade
    ("những năm 2050", 2050–2059), its first year: the text may name plans far ahead; a
    far-future date that the extractor inferred would be a bug."""
    start_years, end_years = pd.to_datetime(starts).dt.year, pd.to_datetime(ends).dt.year
    written = _years_written(end_years, texts)
    decade = ((end_years - start_years == 9) & (start_years % 10 == 0)).reset_index(drop=True)
    if decade.any():
        written = written | (decade & _years_written(start_years, texts))
    return written


def _end_year_written(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Whether a date's end year is spelled in its own text (`_span_year_written`)."""
    if not {"start_date", "end_date", "text"} <= set(df):
        return _na_bools(len(df))
    return _span_year_written(df["start_date"], df["end_date"], df["text"])


def _period_year_written(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Whether a figure's period end year is spelled in its sentence (`_span_year_written`)."""
    if not {"period_start", "period_end", "sentence"} <= set(df):
        return _na_bools(len(df))
    return _span_year_written(df["period_start"], df["period_end"], df["sentence"])


# The article bodies are the bulk of the tables (120 MB for 35k articles). GE's per-value
# checks would copy them into Python objects several times over, so the validation copy
# of articles leaves them out: `text_is_whole` and the offset checks of figures and
# dates cover them.
ARTICLE_BODY = ("articles", "text")

# the tables validation knows: the extracted four, and the metrics derived from them
VALIDATED: dict[str, pa.Schema] = PUBLISHED

# table -> derived column -> how to compute it
DERIVED: dict[str, dict[str, Derive]] = {
    "articles": {"text_is_whole": _text_is_whole},
    "figures": {
        "value_is_finite": _value_is_finite,
        "span_matches_article_text": _span_matches_article_text,
        "article_exists": _article_exists,
        "repeat_is_earlier": _repeat_is_earlier,
        "part_of_larger": _part_of_larger,
        "percent_plausible": _percent_plausible,
        "period_year_written": _period_year_written,
        "within_metric_bounds": _within_metric_bounds,
        "reason_given": _reason_given,
    },
    "dates": {
        "span_matches_article_text": _span_matches_article_text,
        "article_exists": _article_exists,
        "end_year_written": _end_year_written,
    },
    "rejects": {},
    "fact_mentions": {},
    "metrics": METRICS_DERIVED,
}
# derived columns that read the taxonomy's bounds (given as the keyword `taxonomy`)
READS_TAXONOMY = {"within_metric_bounds"}

# ---------------------------------------------------------------------------
# The suites: table of contents
# ---------------------------------------------------------------------------


def schema_checks(table: str) -> list[Check]:
    """Columns exactly as in schemas.py, required columns non-null, dtypes where stable.

    dtype checks name what `Table.to_pandas()` produces with pandas 3: `str` for
    strings, `Timestamp` for tz-aware timestamps (GE checks tz-aware, not which zone),
    and `datetime64` for dates (dates are
    normalised from `datetime.date` objects on the validation copy). Nullable ints are
    skipped: pandas turns them into float64 as soon as one null appears.
    """
    schema = VALIDATED[table]
    fields = [f for f in schema if (table, f.name) != ARTICLE_BODY]
    checks = [column_set([*(f.name for f in fields), *DERIVED[table]])]
    checks += [not_null(f.name) for f in fields if not f.nullable]
    for f in fields:
        if pa.types.is_string(f.type):
            checks.append(of_type(f.name, "str"))
        elif pa.types.is_timestamp(f.type):
            checks.append(of_type(f.name, "Timestamp"))
        elif pa.types.is_date(f.type):
            checks.append(of_type(f.name, "datetime64"))
        elif pa.types.is_floating(f.type):
            checks.append(of_type(f.name, "float64"))
        elif (pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)) and not f.nullable:
            checks.append(of_type(f.name, np.dtype(f.type.to_pandas_dtype()).name))
    return checks


def span_checks() -> list[Check]:
    """Offsets of a figure or date mention into its article."""
    return [
        between("char_start", 0, None),
        a_after_b("char_end", "char_start", or_equal=False, notes="a mention is never empty"),
        is_true(
            "span_matches_article_text",
            "articles.text[char_start:char_end] == text, in Python string indices",
            shows=("char_start", "char_end", "text"),
        ),
        is_true("article_exists", "article_id exists in articles"),
    ]


def suites(
    metric_keys: Sequence[str], max_date: datetime, published_until: date | None = None
) -> dict[str, list[Check]]:
    """Table -> expectations. Dates are compared as naive datetimes (see _normalise_dates).

    `published_until` is the last possible publication day (`tables.latest_published` of
    the run time); without it, `max_date`.
    """
    low = datetime.combine(MIN_DATE, datetime.min.time())
    published_low = datetime.combine(EARLIEST_PUBLISHED, datetime.min.time())
    published_high = max_date if published_until is None else datetime.combine(published_until, datetime.min.time())

    def plausible(column: str, unless_written: str | None = None) -> list[Check]:
        """1900 .. run time + 10 years; past that only when the year is written in the text."""
        note = f"between {MIN_DATE} and run time + {FUTURE_YEARS} years"
        if unless_written is None:
            return [between(column, low, max_date, note)]
        return [
            between(column, low, None, f"from {MIN_DATE}"),
            between(column, low, max_date, note + ", unless the year is written", when=(unless_written, False)),
        ]

    return {
        "articles": [
            *schema_checks("articles"),
            is_true("text_is_whole", "text is a string of n_chars characters", shows=("n_chars",)),
            unique("article_id"),
            in_set("published_precision", PRECISIONS),
            in_set("published_evidence", EVIDENCE_NAMES, "an evidence rule of extract/published.py, window or none"),
            in_set("place_scope", PLACE_SCOPES, "province, national or foreign, or null"),
            between(
                "published_date",
                published_low,
                published_high,
                f"from {EARLIEST_PUBLISHED} to the run's day: no article is published later, or before online news",
            ),
        ],
        "figures": [
            *schema_checks("figures"),
            unique("figure_id"),
            *span_checks(),
            is_true("value_is_finite", "value is not inf/-inf", shows=("value",)),
            is_true("percent_plausible", "a percentage is 0..100 unless its sentence says more", shows=("value",)),
            is_true("repeat_is_earlier", "repeat_of names an earlier figure of the same article", shows=("repeat_of",)),
            is_true(
                "part_of_larger",
                "part_of names a larger figure of the same article, metric and unit, earlier (after it: rule among)",
                shows=("part_of",),
            ),
            in_set("part_rule", PART_RULES, "the breakdown rules of extract/breakdowns.py, or null"),
            in_set("qualifier", QUALIFIERS),
            in_set("change", CHANGES, "rise or fall for a change, null for a level"),
            in_set("metric", metric_keys, "metric keys of the taxonomy, or null"),
            in_set("rule", RULE_NAMES, "the attachment rules of extract/figures.py"),
            in_set("place_scope", PLACE_SCOPES, "province, national or foreign, or null"),
            in_set("currency", CURRENCY_CODES, "ISO 4217 codes of units.toml, or null"),
            is_true(
                "within_metric_bounds",
                "a figure marked plausible lies within its metric's bounds in its unit (metrics.toml)",
                shows=("metric", "unit", "value", "value_max"),
            ),
            is_true("reason_given", "a figure marked not plausible says why", shows=("plausible_reason",)),
            *plausible("period_start", unless_written="period_year_written"),
            *plausible("period_end", unless_written="period_year_written"),
        ],
        "dates": [
            *schema_checks("dates"),
            unique("date_id"),
            *span_checks(),
            in_set("granularity", GRANULARITIES),
            *plausible("start_date", unless_written="end_year_written"),
            *plausible("end_date", unless_written="end_year_written"),
            a_after_b("end_date", "start_date", or_equal=True),
        ],
        "rejects": [
            *schema_checks("rejects"),
            in_set("reason", REJECT_REASONS),
        ],
        "fact_mentions": [
            *schema_checks("fact_mentions"),
            unique("figure_id"),
            in_set("metric", metric_keys, "metric keys of the taxonomy"),
            in_set("qualifier", QUALIFIERS),
            in_set("change", CHANGES, "rise or fall for a change, null for a level"),
            in_set("period_source", PERIOD_SOURCES, "stated, sentence_date, report, published or none"),
            in_set("currency", CURRENCY_CODES, "ISO 4217 codes of units.toml, or null"),
            a_after_b("period_end", "period_start", or_equal=True),
        ],
        "metrics": [
            *schema_checks("metrics"),
            unique("metric_id"),
            between("n_figures", 1, None, "every fact was reported at least once"),
            between("n_articles", 1, None, "every fact comes from at least one article"),
            between("n_outlets", 0, None, "outlets that named themselves; 0 when none did"),
            in_set("metric", metric_keys, "metric keys of the taxonomy"),
            in_set("qualifier", QUALIFIERS),
            in_set("change", CHANGES, "rise or fall for a change, null for a level"),
            in_set("period_source", PERIOD_SOURCES, "stated, sentence_date, report, published or none"),
            in_set("currency", CURRENCY_CODES, "ISO 4217 codes of units.toml, or null"),
            is_true("figures_exist", "every figure_id is a row of figures", shows=("metric_id",)),
            is_true("articles_exist", "every article_id is a row of articles", shows=("metric_id",)),
            is_true("counts_agree", "n_figures and n_articles count their id lists", shows=("metric_id",)),
            is_true("whole_exists", "part_of names another fact of the same metric", shows=("part_of",)),
            a_after_b("period_end", "period_start", or_equal=True),
            a_after_b("last_published", "first_published", or_equal=True),
        ],
    }


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def _normalise_dates(column: pd.Series) -> pd.Series:
    """date32 columns arrive as `datetime.date` objects or datetime64: make both datetime64[ns].

    GE compares datetime64[ns] vectorised but other date representations one Python
    call per row (16 s on a million rows). Dates outside the ns range (before 1677 or
    after 2262) are clipped to its ends: they fail the 1900..run-time range check either
    way, and offending rows report the original value. A column that is not dates (say
    strings) is returned as is, for the dtype expectation to report.
    """
    try:
        arr = pa.array(column, from_pandas=True)  # type inferred: date32, timestamp, null or other
    except (pa.ArrowException, TypeError, ValueError):
        return column
    is_naive_timestamp = pa.types.is_timestamp(arr.type) and arr.type.tz is None
    if not (pa.types.is_date(arr.type) or pa.types.is_null(arr.type) or is_naive_timestamp):
        return column
    days = pc.cast(arr.cast(pa.date32()), pa.int32())
    days = pc.max_element_wise(days, pa.scalar(_NS_FIRST_DAY, pa.int32()), skip_nulls=False)
    days = pc.min_element_wise(days, pa.scalar(_NS_LAST_DAY, pa.int32()), skip_nulls=False)
    stamps = pc.cast(pc.cast(days, pa.date32()), pa.timestamp("ns"))
    return pd.Series(stamps.to_pandas(), index=column.index, name=column.name)


def _validation_copy(
    table: str, df: pd.DataFrame, tables: Mapping[str, pd.DataFrame], taxonomy: Taxonomy
) -> pd.DataFrame:
    """A shallow copy with a positional index, datetime64 dates and the derived columns."""
    copy = df.reset_index(drop=True)  # GE reports offending rows by index label
    for f in VALIDATED[table]:
        if pa.types.is_date(f.type) and f.name in copy:
            copy[f.name] = _normalise_dates(copy[f.name])
    for name, derive in DERIVED[table].items():
        if name in READS_TAXONOMY:
            derive = partial(derive, taxonomy=taxonomy)
        copy[name] = derive(copy, tables).to_numpy()
    if table == ARTICLE_BODY[0]:
        copy = copy.drop(columns=[ARTICLE_BODY[1]], errors="ignore")
    return copy


def _without_unread_lists(df: pd.DataFrame, checks: Sequence[Check]) -> pd.DataFrame:
    """`df` with its columns of lists that no check reads as placeholders of the same name
    (all null). GX fingerprints each batch by hashing the frame, and pickles it whole when
    a column holds lists: 2 s for the metrics of 350k articles. The column-set check still
    sees every name, the derived columns are already made, and offending rows are shown
    from the original rows."""
    read = {column for check in checks for column in check.columns}
    lists = [c for c in df.columns if c not in read and _holds_lists(df[c])]
    if not lists:
        return df
    return df.assign(**{c: pd.Series([None] * len(df), index=df.index, dtype=object) for c in lists})


def _holds_lists(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.ArrowDtype):
        return pa.types.is_list(column.dtype.pyarrow_dtype) or pa.types.is_large_list(column.dtype.pyarrow_dtype)
    if column.dtype != object:
        return False
    first = column.first_valid_index()
    return first is not None and isinstance(column[first], (list, tuple, np.ndarray))


def _add_years(moment: datetime, years: int) -> datetime:
    """Midnight of the same calendar day `years` later (28 Feb for 29 Feb)."""
    day = moment.date()
    try:
        day = day.replace(year=day.year + years)
    except ValueError:
        day = day.replace(year=day.year + years, day=28)
    return datetime.combine(day, datetime.min.time())


def _expectation(check: Check, check_id: int) -> Expectation:
    """The GE expectation for `check`; meta["check"] maps its result back to the Check."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    cls = getattr(gxe, "".join(part.capitalize() for part in check.type.split("_")))
    kwargs: dict[str, Any] = dict(check.kwargs)
    if check.when:
        kwargs["row_condition"] = Column(check.when[0]) == check.when[1]
    if check.notes:
        kwargs["notes"] = check.notes
    return cls(**kwargs, meta={"check": check_id})


def _plain(value: Any) -> Any:
    """Python scalars for reports: numpy scalars unwrapped, nulls as None, dates as dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tz is not None else value.date()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def _offending_rows(
    table: str, check: Check, result: Mapping[str, Any], original: pd.DataFrame, copy: pd.DataFrame
) -> list[dict[str, Any]]:
    """Up to 5 offending rows: id columns plus the columns the check reads."""
    positions = [i for i in result.get("partial_unexpected_index_list") or [] if isinstance(i, (int, np.integer))]
    columns = [c for c in dict.fromkeys((*ID_COLUMNS[table], *check.columns)) if c in copy]
    # original values (e.g. datetime.date as given) for real columns, the copy for derived
    frames = {c: original if c in original else copy for c in columns}
    return [{c: _plain(frames[c][c].iat[pos]) for c in columns} for pos in positions[:MAX_OFFENDING_ROWS]]


def _detail(
    check: Check, result: Mapping[str, Any], exception: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> str:
    """Counts and a sample of bad values, or the observed value, or the exception."""
    if exception.get("raised_exception"):
        return f"raised: {exception.get('exception_message')}"
    if "unexpected_count" in result:
        # the values as given, not as normalised for GE (dates, clipped dates)
        shown = [c for c in (check.kwargs.get(k) for k in ("column", "column_A", "column_B")) if c]
        if rows and shown and all(c in rows[0] for c in shown):
            sample = [row[shown[0]] if len(shown) == 1 else tuple(row[c] for c in shown) for row in rows]
        else:
            sample = [_plain(v) for v in (result.get("partial_unexpected_list") or [])[:MAX_OFFENDING_ROWS]]
        return f"{result['unexpected_count']} of {result.get('element_count')} rows unexpected; e.g. {sample}"
    mismatched = (result.get("details") or {}).get("mismatched")
    if mismatched:  # column sets: the difference, not every column (derived ones included)
        return f"unexpected columns {mismatched.get('unexpected')}, missing columns {mismatched.get('missing')}"
    return f"observed {result.get('observed_value')!r}"


def _exception_info(evr: ExpectationValidationResult) -> dict[str, Any]:
    """GE reports exceptions flat, or nested per metric: flatten to the first one raised."""
    info = evr.exception_info or {}
    if "raised_exception" in info:
        return dict(info)
    for nested in info.values():
        if isinstance(nested, Mapping) and nested.get("raised_exception"):
            return dict(nested)
    return {}


def _failures(
    table: str,
    checks: Sequence[Check],
    results: ExpectationSuiteValidationResult,
    original: pd.DataFrame,
    copy: pd.DataFrame,
) -> list[ExpectationFailure]:
    """Failed results as ExpectationFailures, in suite order (GE returns them shuffled)."""
    failures: dict[int, ExpectationFailure] = {}
    for evr in results.results:
        if evr.success:
            continue
        check_id = int((evr.expectation_config.meta or {})["check"])
        check = checks[check_id]
        result = dict(evr.result or {})
        rows = _offending_rows(table, check, result, original, copy)
        detail = _detail(check, result, _exception_info(evr), rows)
        failures[check_id] = ExpectationFailure(table, check.label, detail, rows)
    return [failures[i] for i in sorted(failures)]


ROW_ID_WIDTH = 16  # characters of the ids transform/tables.py makes (hex of a hash)
_FOLD = np.uint64(0x9E3779B97F4A7C15)  # an odd constant: the fold mixes both words


def _may_repeat(column: pa.ChunkedArray | pa.Array) -> bool:
    """Whether a value of `column` may occur twice; False is certain.

    Ids of ROW_ID_WIDTH characters are read as two 64-bit words folded into one, and the
    sorted folds compared: a fifth of the time of `count_distinct` on the 2.7M figure ids
    of 350k articles. Equal values fold alike, so no equal folds means no repeat; an equal
    pair (a repeat, or two ids that fold alike) sends the caller to count the values.
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    if n < 2:
        return False
    if array.null_count or not pa.types.is_string(array.type):
        return pc.count_distinct(array, mode="all").as_py() != n
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + n + 1]
    if not (np.diff(offsets) == ROW_ID_WIDTH).all():
        return pc.count_distinct(array, mode="all").as_py() != n
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    words = data.view("<u8").reshape(n, 2)
    folds = np.sort(words[:, 0] ^ (words[:, 1] * _FOLD))
    return bool((folds[1:] == folds[:-1]).any())


def _quiet_context() -> AbstractDataContext:
    """An in-memory GX context without progress bars, analytics or its temp docs site."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets INFO on some of its own loggers (the context announces its temporary docs
    # folder), which Prefect's console shows: quiet them all
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)  # the default writes into a fresh temp dir
    return context


class Validator:
    """Great Expectations over a run's tables, a set of rows at a time: a run validates
    each group of batches it extracted as they come (`validate`), the metrics, and
    table-wide checks of keys and references on projections of the whole version
    (`check_keys`), then writes one Data Docs site of every result (`finish`).

    `metric_keys` are the taxonomy's metric keys (figures.metric must be one or null).
    `run_time` anchors the upper date bounds and names the GE runs. `taxonomy` gives the
    plausible values of each metric (the default taxonomy file when not given).
    """

    def __init__(
        self,
        metric_keys: Sequence[str],
        *,
        run_time: datetime,
        docs_dir: Path | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.taxonomy = default_taxonomy() if taxonomy is None else taxonomy
        self.run_time = run_time
        self.docs_dir = docs_dir
        self.failures: list[ExpectationFailure] = []
        self.expectations_run = 0
        self._suites = suites(metric_keys, _add_years(run_time, FUTURE_YEARS), latest_published(run_time))
        self._definitions: dict[str, Any] = {}
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            # GX 1.x emits Deprecation/UserWarnings about its own internals on import and run
            warnings.simplefilter("ignore")
            import great_expectations  # noqa: F401  (seconds: imported once, here)

            self._context = _quiet_context()
            if docs_dir is not None:
                docs_dir.mkdir(parents=True, exist_ok=True)
                self._context.add_data_docs_site(
                    DOCS_SITE,
                    {
                        "class_name": "SiteBuilder",
                        "store_backend": {
                            "class_name": "TupleFilesystemStoreBackend",
                            "base_directory": str(docs_dir),
                        },
                        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    },
                )
            self._source = self._context.data_sources.add_pandas("solieu")

    def _definition(self, table: str) -> Any:
        """The table's validation definition, made once per run (suite and batch)."""
        if table not in self._definitions:
            import great_expectations as gx

            checks = self._suites[table]
            # built whole: add_expectation() re-serialises the suite on every call
            suite = self._context.suites.add(
                gx.ExpectationSuite(name=table, expectations=[_expectation(c, i) for i, c in enumerate(checks)])
            )
            batch = self._source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("rows")
            self._definitions[table] = self._context.validation_definitions.add(
                gx.ValidationDefinition(name=table, data=batch, suite=suite)
            )
        return self._definitions[table]

    def validate(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        label: str = "all rows",
        references: Mapping[str, pd.DataFrame] | None = None,
        required: Sequence[str] = (),
    ) -> list[ExpectationFailure]:
        """Validate each of `tables` (a set of rows: one group of batches, or the metrics)
        and return its failures, which are also kept for the report. Derived checks that
        reach into other tables (offsets into the articles' text, ids that must exist) see
        `tables`, then `references` (projections) for the tables not given. A table of
        `required` that is not given is a failure; an unknown table name is an error."""
        from great_expectations.core.run_identifier import RunIdentifier

        unknown = set(tables) - set(VALIDATED)
        if unknown:
            raise ValueError(f"unknown tables: {sorted(unknown)}")
        failures = [ExpectationFailure(t, "table_is_present", "table not given") for t in required if t not in tables]
        seen = {**(references or {}), **tables}
        run_id = RunIdentifier(run_name=f"solieu {label}", run_time=self.run_time)
        result_format = {
            "result_format": "SUMMARY",  # counts plus a few examples, not every bad row
            "partial_unexpected_count": MAX_OFFENDING_ROWS,
            "return_unexpected_index_query": False,
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for table, checks in self._suites.items():
                if table not in tables:
                    continue
                original = tables[table]
                clash = sorted(set(DERIVED[table]) & set(original.columns))
                if clash:  # would be overwritten by, and hidden behind, the derived column
                    failures.append(ExpectationFailure(table, "no_reserved_columns", f"unexpected columns {clash}"))
                copy = _without_unread_lists(_validation_copy(table, original, seen, self.taxonomy), checks)
                # Each definition runs directly: a Checkpoint passes one set of batch
                # parameters (one dataframe) to all of its definitions.
                results = self._definition(table).run(
                    batch_parameters={"dataframe": copy}, result_format=result_format, run_id=run_id
                )
                self.expectations_run += len(results.results)
                failures += _failures(table, checks, results, original, copy)
        self.failures += failures
        return failures

    def check_keys(self, keys: Mapping[str, pa.Table]) -> list[ExpectationFailure]:
        """Table-wide checks on projections of a whole version (`keys`: articles'
        article_id; figures' figure_id and article_id; dates' date_id and article_id;
        fact_mentions' figure_id and article_id; metrics' metric_id): ids unique across
        every part (and the metrics' across the rows a refresh kept and those it folded),
        and every figure, date and mention of an existing article.
        Each group of batches was validated alone; only these span them."""
        failures = []
        unique_keys = (("articles", "article_id"), ("figures", "figure_id"), ("dates", "date_id"))
        for table, key in (*unique_keys, ("fact_mentions", "figure_id"), ("metrics", "metric_id")):
            if table not in keys:
                continue
            column = keys[table][key]
            if not _may_repeat(column):
                continue  # the usual case, found without counting each value
            repeated = pc.filter(
                (counts := pc.value_counts(column)).field("values"), pc.greater(counts.field("counts"), 1)
            )
            if len(repeated):
                sample = repeated.to_pylist()[:MAX_OFFENDING_ROWS]
                detail = f"{len(repeated)} values of {len(column)} rows repeated across parts; e.g. {sample}"
                failures.append(ExpectationFailure(table, f"unique({key}) across parts", detail))
        if "articles" in keys:
            known = keys["articles"]["article_id"]
            for table in ("figures", "dates", "fact_mentions"):
                if table not in keys:
                    continue
                ids = keys[table]["article_id"]
                orphans = pc.filter(ids, pc.invert(pc.is_in(ids, value_set=known)))
                if len(orphans):
                    sample = pc.unique(orphans).to_pylist()[:MAX_OFFENDING_ROWS]
                    detail = f"{len(orphans)} of {len(ids)} rows name no article; e.g. {sample}"
                    failures.append(ExpectationFailure(table, "article_id exists in articles (all parts)", detail))
        self.failures += failures
        return failures

    def finish(self) -> ValidationReport:
        """The report of every validation so far, with its Data Docs built."""
        docs_index = None
        if self.docs_dir is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._context.build_data_docs(site_names=[DOCS_SITE])
            docs_index = self.docs_dir / "index.html"
        return ValidationReport(
            success=not self.failures,
            failures=list(self.failures),
            expectations_run=self.expectations_run,
            docs_index=docs_index,
        )


def validate_tables(
    tables: dict[str, pd.DataFrame],
    metric_keys: Sequence[str],
    *,
    run_time: datetime,
    docs_dir: Path | None = None,
    taxonomy: Taxonomy | None = None,
) -> ValidationReport:
    """Validate the four tables (and the metrics, when given) in one go with Great
    Expectations; optionally write Data Docs. A table of the four missing from `tables`
    is a failure; an unknown table name is a programming error."""
    validator = Validator(metric_keys, run_time=run_time, docs_dir=docs_dir, taxonomy=taxonomy)
    validator.validate(tables, required=list(TABLES))
    return validator.finish()
