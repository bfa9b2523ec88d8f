"""The `metrics` dataset: one row per distinct reported fact (issue 12).

`figures` holds mentions: every number as written in every article. An analyst counting
"drone incidents handled in Hà Nội in 2025" must not count the same fact twice when the
title, the lead and the body repeat it, or when several outlets carry the same wire
story. `build_metrics` folds the mentions into facts:

- Only figures with a metric are facts.
- A figure repeated in one article (`figures.repeat_of`, set by transform/tables.py) joins
  its first mention: the pair adds to `n_figures`, not to `n_articles`. The repeat cluster
  takes the best period any of its mentions has (stated, then sentence date, then
  published) and the first place any of them names: a title rarely states either. A
  title's rounded figure ("Gần 700 vụ") that the body states ("694 vụ") is a repeat
  too, and takes the body's value and qualifier.
- The same fact is the same metric, normalized value (value, value_max rounded to 12
  significant digits; value_max equal to value is no range), unit, place and period
  (start, end). Wire copies, re-posts and syndicated texts thus become one row whose
  `n_articles` and `n_outlets` say how many carried it. A fact with no period at all
  also keys on its first mention's sentence (letters and digits, lower-cased): nothing
  says that "1 vụ" of two undated articles is one fact, but a re-posted sentence is.
- `conflict`: another article reports another value for the same metric, place and a
  period the text gives (stated, or its sentence's date); see `_conflicts`.

The period of a figure without one is the date of the event its sentence names (a
mention of `dates` inside the figure's sentence, a day, a month or a year, the nearest
before the figure, else the first after it), else the article's published day (a month or a year when
that is all the published date says), else none; `period_source` says which.

Two steps, so that a refresh costs what is new: `fact_mentions` does everything that
depends on one article only (repeats, periods, the fact key), for a group of batches at a
time, into the `fact_mentions` table; `metrics_from_mentions` folds every article's
mentions into facts (group-bys over a few columns, no text). `build_metrics` is both.

Pure pyarrow/pandas: no I/O, no Prefect. Time and memory are linear in the rows (sorts,
group-bys and binary searches).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from extract.figures import compares_with_same_period, frames_report, is_recurring, names_no_event, stated_duration

# the schema lives with the other tables' (pure pyarrow: worker processes import it
# without pandas); these names are this module's too
from transform.schemas import MENTIONS, METRICS, PERIOD_SOURCES

FIGURE_COLUMNS = [
    "figure_id",
    "repeat_of",
    "part_of",
    "article_id",
    "char_start",
    "char_end",
    "value",
    "value_max",
    "unit",
    "currency",
    "qualifier",
    "change",
    "metric",
    "plausible",
    "period_start",
    "period_end",
    "place",
    "place_code",
    "place_current",
    "sentence_start",
    "sentence_end",
]
# The figures' sentences are most of their bytes: the metrics read them only for the
# mentions that need one (undated clusters' keys, each fact's first mention).
SentenceLookup = Callable[[Sequence[str]], dict[str, str]]
_RANK = {source: rank for rank, source in enumerate(PERIOD_SOURCES)}
_OFFSET_BITS = 32  # article text offsets stay far below 2**32 (documents are capped in size)
# stands for null in a fact key (no real string holds it). Not NUL: a float column of nulls
# goes through NumPy's fixed-width strings in `where`, which drop trailing NULs, so "no
# value_max" keyed as "" in a group of one article and as NUL in a larger one: the same
# fact got two ids depending on which documents were validated together
_NULL = "\x1d"


def _pandas(table: pa.Table, columns: Iterable[str]) -> pd.DataFrame:
    # dates as datetime64 (NaT for null): vectorised comparisons and group-bys
    return table.select(list(columns)).to_pandas(date_as_object=False)


def _normalized(values: pd.Series) -> pd.Series:
    """Values rounded to 12 significant digits: "1,5 tỷ" and "1.500 triệu" are one value
    whatever the float arithmetic that scaled them."""
    unique = pd.unique(values.dropna())
    mapping = {v: float(f"{v:.12g}") for v in unique}
    return values.map(mapping)


def _roots(df: pd.DataFrame) -> pd.Series:
    """Each figure's first mention in its article (itself when it is none's repeat, or
    when its first mention has no metric and so is no fact)."""
    ids = df["figure_id"]
    parent = df["repeat_of"].where(df["repeat_of"].isin(ids), ids)
    up = pd.Series(parent.to_numpy(), index=ids.to_numpy())
    root = parent
    for _ in range(8):  # repeat_of points at a first mention; follow any chain a few steps
        following = root.map(up)
        if following.equals(root):
            break
        root = following
    return root


def _texts_of(articles: pa.Table, article_ids: pd.Series) -> dict[str, str]:
    """The stored text of each of `article_ids`, by id (`articles` carries `text`)."""
    wanted = pa.array(pd.unique(article_ids), pa.string())
    rows = articles.select(["article_id", "text"]).filter(pc.is_in(articles["article_id"], value_set=wanted))
    return dict(zip(rows["article_id"].to_pylist(), rows["text"].to_pylist(), strict=True))


def _sentence_spans(df: pd.DataFrame, articles: pa.Table, sentences: SentenceLookup) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each figure's sentence in its article's text (-1 where unknown):
    the figures' own `sentence_start`/`sentence_end`, else, when `articles` carries its
    text (tables built by hand), the occurrence of the sentence that holds the figure."""
    starts = df["sentence_start"].fillna(-1).to_numpy(dtype=np.int64) if "sentence_start" in df else None
    ends = df["sentence_end"].fillna(-1).to_numpy(dtype=np.int64) if "sentence_end" in df else None
    if starts is None or ends is None:
        starts = np.full(len(df), -1, dtype=np.int64)
        ends = starts.copy()
    missing = np.flatnonzero(starts < 0)
    if not len(missing) or "text" not in articles.column_names:
        return starts, ends
    texts = _texts_of(articles, df["article_id"].iloc[missing])
    found_sentences = sentences(df["figure_id"].iloc[missing].tolist())
    for i in missing:
        text, sentence = texts.get(df["article_id"].iat[i]), found_sentences.get(df["figure_id"].iat[i])
        if not text or not sentence:
            continue
        width = len(sentence)
        found = text.find(sentence, max(0, int(df["char_end"].iat[i]) - width), int(df["char_start"].iat[i]) + width)
        if found >= 0:
            starts[i], ends[i] = found, found + width
    return starts, ends


def _dates_of(df: pd.DataFrame, dates: pa.Table) -> pd.DataFrame:
    """The date rows of the articles of `df`'s figures, without those whose year is a guess:
    inferred in an article with no publication date (`extract.pipeline.latest_cited_day`),
    such a date is of no known year, and a fact dated by it would be summed in a wrong one."""
    ids = pa.array(pd.unique(df["article_id"]), pa.string())
    days = dates.filter(pc.is_in(dates["article_id"], value_set=ids))
    if "year_inferred" in days.column_names:
        undated = pa.array(pd.unique(df.loc[df["published_date"].isna(), "article_id"]), pa.string())
        guessed = pc.and_(pc.fill_null(days["year_inferred"], False), pc.is_in(days["article_id"], value_set=undated))
        days = days.filter(pc.invert(guessed))
    return _pandas(days, ["article_id", "char_start", "char_end", "start_date", "end_date"])


def _sentence_dates(
    df: pd.DataFrame, days: pd.DataFrame, spans: tuple[np.ndarray, np.ndarray]
) -> tuple[pd.Series, pd.Series]:
    """For each figure of `df`, the span of the date its sentence names (nearest before
    the figure, else first after it) among `days` (its articles' dates that name an event;
    `spans` its sentences' bounds), NaT when there is none. A month or a year counts as
    a day does: "năm 2016 cả nước xảy ra gần 8.000 vụ" is 2016's, not the publication
    month's (on the 2017 crawl, such facts dominated monthly sums)."""
    none = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ms]")
    if df.empty:
        return none, none.copy()
    if days.empty:
        return none, none.copy()
    s_start, s_end = spans

    # one number line over all articles: article code in the high bits, offset in the low
    codes = pd.Categorical(pd.concat([df["article_id"], days["article_id"]])).codes.astype(np.int64)
    fig_base = codes[: len(df)] << _OFFSET_BITS
    day_base = codes[len(df) :] << _OFFSET_BITS
    order = np.argsort(day_base + days["char_start"].to_numpy(), kind="stable")
    d_start = (day_base + days["char_start"].to_numpy())[order]
    d_end = (day_base + days["char_end"].to_numpy())[order]
    d_first = days["start_date"].to_numpy()[order]
    d_last = days["end_date"].to_numpy()[order]

    found = s_start >= 0
    low = fig_base + s_start
    high = fig_base + s_end
    at = fig_base + df["char_start"].to_numpy()
    before = np.searchsorted(d_start, at, side="left") - 1
    after = before + 1
    safe_before = before.clip(0, len(d_start) - 1)
    safe_after = after.clip(0, len(d_start) - 1)
    ok_before = found & (before >= 0) & (d_start[safe_before] >= low) & (d_end[safe_before] <= high)
    ok_after = found & ~ok_before & (after < len(d_start)) & (d_start[safe_after] < high) & (d_end[safe_after] <= high)
    pick = np.where(ok_before, safe_before, safe_after)
    chosen = ok_before | ok_after
    first = pd.Series(np.where(chosen, d_first[pick], np.datetime64("NaT")), index=df.index)
    last = pd.Series(np.where(chosen, d_last[pick], np.datetime64("NaT")), index=df.index)
    return first.astype("datetime64[ms]"), last.astype("datetime64[ms]")


def _test_dates(
    days: pd.DataFrame, articles: pa.Table, test: Callable[[str, int, int], bool], *, to_end: bool
) -> pd.Series:
    """`test(window, start, end)` of each of the `days` (date rows): `window` is the
    lower-cased text from 16 characters before the date to 24 after its start (or, with
    `to_end`, to its end), start and end the date's offsets in it. False where `articles`
    carries no text."""
    flagged = pd.Series(False, index=days.index)
    if days.empty or "text" not in articles.column_names:
        return flagged
    texts = _texts_of(articles, days["article_id"])
    rows = zip(days.index, days["article_id"], days["char_start"], days["char_end"], strict=True)
    for at, article_id, start, end in rows:
        text = texts.get(article_id)
        if text:
            low = max(0, int(start) - 16)
            window = text[low : int(end) if to_end else int(start) + 24].lower()
            flagged[at] = test(window, int(start) - low, int(end) - low)
    return flagged


def _no_event(days: pd.DataFrame, articles: pa.Table) -> pd.Series:
    """Which of the `days` (date rows) are no day of what their sentence reports: a base
    a figure is compared with ("tăng 9% so với cùng kỳ năm 2016") or a bound of a tally
    ("Tính đến ngày 12/5, … 34 triệu lượt phương tiện"), so no figure's period. Read from
    the articles' text, when the table carries it (`extract.figures.names_no_event`)."""
    return _test_dates(days, articles, lambda window, start, _end: names_no_event(window, start), to_end=False)


def _offsets(df: pd.DataFrame, s_start: np.ndarray) -> pd.Series:
    """Each figure's offset in its sentence (None where the sentence is not placed)."""
    starts = df["char_start"].to_numpy(dtype=np.int64)
    offsets = [int(c - s) if s >= 0 else None for c, s in zip(starts, s_start, strict=True)]
    return pd.Series(offsets, index=df.index, dtype=object)


def _frames(days: pd.DataFrame, articles: pa.Table) -> pd.Series:
    """Which of the `days` (date rows of a lead) frame a report: a part of a year or a span,
    or a date after "trong" (`extract.figures.frames_report`)."""
    return _test_dates(days, articles, frames_report, to_end=True)


def _sentence_test(
    df: pd.DataFrame, among: pd.Series, sentence_of: pd.Series, offsets: pd.Series, test: Callable[..., object]
) -> pd.Series:
    """`test(sentence, offset)` of each figure `among`: its sentence and its offset in it
    (`sentence_of`, `offsets`); None for the others."""
    found = pd.Series(None, index=df.index, dtype=object)
    chosen = df.index[among]
    found.loc[chosen] = [test(sentence_of[k], offsets[k]) for k in chosen]
    return found


def _recurring(df: pd.DataFrame, among: pd.Series, sentence_of: pd.Series, offsets: pd.Series) -> pd.Series:
    """Which figures (of those `among`) their sentence gives as a rate, an average, a total
    over years, a stock or a toll of the past ("mỗi năm có khoảng 70.000 người chết", "trong
    hơn 10 năm qua", "hiện có 5,2 triệu xe máy"): of no one day, neither the one the sentence
    names nor the publication's (`extract.figures.is_recurring`)."""
    return _sentence_test(df, among, sentence_of, offsets, is_recurring).fillna(False).astype(bool)


def _trailing_starts(
    df: pd.DataFrame, among: pd.Series, sentence_of: pd.Series, offsets: pd.Series, end: pd.Series
) -> pd.Series:
    """For the figures `among`, the first day of the span up to `end` (the publication) that
    their sentence states with no date ("Trong 6 tháng, có hơn 2.000 vụ"), NaT where none
    (`extract.figures.stated_duration`)."""
    starts = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for k, span in _sentence_test(df, among & end.notna(), sentence_of, offsets, stated_duration).dropna().items():
        starts[k] = end[k] - pd.DateOffset(months=span.months, days=span.days - 1)
    return starts


# A report's frame stands in its title or lead: "Trong 6 tháng đầu năm 2017, công an thành
# phố đã …" opens a half-year report whose later figures, with no date of their own, are the
# half-year's. Spans of a month to a year; a day or a decade frames no report.
REPORT_LEAD_CHARS = 400
REPORT_MIN_DAYS, REPORT_MAX_DAYS = 28, 366


def _report_frames(
    df: pd.DataFrame, days: pd.DataFrame, articles: pa.Table, published_end: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """For each figure of `df`, the period its article's lead frames (the first date mention
    in its first REPORT_LEAD_CHARS characters that spans a month to a year, frames a report
    and is over by the publication, whose last day is `published_end`), NaT where none.
    `days` are the articles' dates that name an event (no base compared with, no bound)."""
    none = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if df.empty or days.empty:
        return none, none.copy()
    days = days[days["char_start"] < REPORT_LEAD_CHARS]
    if days.empty:
        return none, none.copy()
    length = (days["end_date"] - days["start_date"]).dt.days + 1
    days = days[(length >= REPORT_MIN_DAYS) & (length <= REPORT_MAX_DAYS)]
    days = days[_frames(days, articles)]
    frames = days.sort_values(["article_id", "char_start"], kind="stable").drop_duplicates("article_id")
    frames = frames.set_index("article_id")
    start = pd.Series(frames["start_date"].reindex(df["article_id"]).to_numpy(), index=df.index)
    end = pd.Series(frames["end_date"].reindex(df["article_id"]).to_numpy(), index=df.index)
    start, end = start.astype("datetime64[ns]"), end.astype("datetime64[ns]")
    # a span not over when the article was written is a target ("trong 6 tháng cuối năm, … phải
    # kéo giảm"), not the report's
    ahead = published_end.isna() | (end > published_end.astype("datetime64[ns]"))
    return start.mask(ahead), end.mask(ahead)


def _same_period_tallies(df: pd.DataFrame, among: pd.Series, sentence_of: pd.Series, offsets: pd.Series) -> pd.Series:
    """Which figures (of those `among`) a sentence compares with the same period of another
    year ("tăng 27% so với cùng kỳ"): tallies over a period, so of no publication day."""
    found = _sentence_test(df, among, sentence_of, offsets, lambda sentence, _at: compares_with_same_period(sentence))
    return found.fillna(False).astype(bool)


def _published_spans(published: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The days the published date covers: the day, its month or its year by precision."""
    day = published.dt.to_period("D").dt.start_time
    month = published.dt.to_period("M")
    year = published.dt.to_period("Y")
    start = pd.Series(pd.NaT, index=published.index, dtype="datetime64[ns]")
    end = start.copy()
    for name, first, last in (
        ("day", day, day),
        ("month", month.dt.start_time, month.dt.end_time.dt.normalize()),
        ("year", year.dt.start_time, year.dt.end_time.dt.normalize()),
    ):
        where = (precision == name) & published.notna()
        start = start.mask(where, first)
        end = end.mask(where, last)
    return start, end


def _resolve_periods(df: pd.DataFrame, articles: pa.Table, dates: pa.Table, sentences: SentenceLookup) -> pd.DataFrame:
    """Each figure's own period and its source (stated, sentence date, report, published, none)."""
    pub_start, pub_end = _published_spans(df["published_date"], df["published_precision"])
    start = df["period_start"].fillna(df["period_end"]).astype("datetime64[ns]")
    end = df["period_end"].astype("datetime64[ns]")
    # an open span ("từ tháng 4/2017", no end stated) runs to the article's publication
    opened = df["period_start"].notna() & end.isna()
    end = end.mask(opened, pub_end.astype("datetime64[ns]")).fillna(start)
    end = end.mask(end < start, start)  # a span said to start after the article ("từ tháng 7" in June)
    source = pd.Series("none", index=df.index, dtype=object).mask(start.notna(), "stated")

    unstated = source == "none"
    spans = _sentence_spans(df, articles, sentences)
    # the sentences of the figures with no stated period, read once for every test below
    found_sentences = sentences(df.loc[unstated, "figure_id"].tolist())
    sentence_of = df["figure_id"].map(lambda figure_id: found_sentences.get(figure_id) or "")
    offsets = _offsets(df, spans[0])
    # a rate, a stock or a running total is of no one day, whatever the date its sentence names
    no_day = _recurring(df, unstated, sentence_of, offsets)
    days = _dates_of(df, dates)
    days = days[~_no_event(days, articles)]  # once, for the sentence dates and the frames
    kept = (unstated & ~no_day).to_numpy()
    first, last = _sentence_dates(df[kept], days, (spans[0][kept], spans[1][kept]))
    found = first.notna()
    idx = first.index[found]
    start.loc[idx] = first[found].astype("datetime64[ns]")
    end.loc[idx] = last[found].astype("datetime64[ns]")
    source.loc[idx] = "sentence_date"

    # the period the article's lead frames ("Trong 6 tháng đầu năm 2017, …"), for figures with
    # no date of their own and no span up to now stated in their sentence
    undated = (source == "none") & ~no_day
    # the span ends on the publication day: of a published month or year, on one of its days,
    # so the span covers from its length before the first of them to the last ("trong tuần
    # qua" of an article of 2017 is no week of December)
    trailing = _trailing_starts(df, undated & pub_start.notna(), sentence_of, offsets, pub_start)
    frame_start, frame_end = _report_frames(df, days, articles, pub_end)
    framed = undated & trailing.isna() & frame_start.notna()
    start = start.mask(framed, frame_start)
    end = end.mask(framed, frame_end)
    source = source.mask(framed, "report")

    # a tally compared with the same period of another year is of no publication day
    tally = _same_period_tallies(df, (source == "none") & ~no_day, sentence_of, offsets)
    usable = (source == "none") & pub_start.notna() & ~no_day & (~tally | trailing.notna())
    start = start.mask(usable, pub_start)
    end = end.mask(usable, pub_end)
    # "Trong 6 tháng, …" in an article of 4 July: the six months up to that day, not the day
    start = start.mask(usable & trailing.notna(), trailing)
    source = source.mask(usable, "published")
    return pd.DataFrame({"p_start": start, "p_end": end, "p_rank": source.map(_RANK)}, index=df.index)


def _plain_words(sentences: pd.Series) -> list[str]:
    """Sentences lower-cased, with only their letters and digits (RE2 in Arrow: fast, and
    its classes know Vietnamese letters): a re-post that changes punctuation or case
    still keys the same."""
    text = pc.utf8_lower(pa.array(sentences.to_numpy(dtype=object), pa.string()))
    text = pc.replace_substring_regex(text, r"[^\pL\pN]+", " ")
    return pc.utf8_trim_whitespace(text).to_pylist()


def _cluster_best(df: pd.DataFrame, sentences: SentenceLookup) -> pd.DataFrame:
    """Per repeat cluster (`root`), the best period of its mentions and the first place
    any of them names; every member takes them. A cluster left without any period keys
    on its first mention's sentence (`key_sentence`, lower-cased, punctuation dropped):
    no period says that two undated "1 vụ" of two articles are one fact, but a re-posted
    sentence does."""
    by_rank = df.sort_values(["root", "p_rank", "char_start"], kind="stable").drop_duplicates("root")
    period = by_rank.set_index("root")[["p_start", "p_end", "p_rank"]]
    first = df.sort_values(["root", "char_start"], kind="stable").drop_duplicates("root").set_index("root")
    undated = period["p_rank"] == _RANK["none"]
    period["key_sentence"] = pd.Series(None, index=period.index, dtype=object)
    first_ids = first.loc[period.index[undated], "figure_id"]
    found = sentences(first_ids.tolist())
    period.loc[undated, "key_sentence"] = _plain_words(first_ids.map(found).fillna(""))
    named = df[df["place"].notna()].sort_values(["root", "char_start"], kind="stable").drop_duplicates("root")
    place = named.set_index("root")[["place", "place_code", "place_current"]]
    out = df.drop(columns=["p_start", "p_end", "p_rank", "place", "place_code", "place_current"])
    return _precise_values(out.join(period, on="root").join(place, on="root"))


def _precise_values(df: pd.DataFrame) -> pd.DataFrame:
    """A title's rounded figure ("Gần 700 vụ") repeated by the body's "694 vụ" takes the
    value, range and qualifier of its cluster's first exact mention (else its first): the
    fact is the body's number. Members of the cluster's own value keep their qualifier."""
    inexact = df["qualifier"].fillna("exact").ne("exact")
    order = df.assign(_inexact=inexact).sort_values(["root", "_inexact", "char_start"], kind="stable")
    precise = order.drop_duplicates("root").set_index("root")[["value", "value_max", "qualifier"]]
    best = precise.reindex(df["root"].to_numpy())
    differs = df["value"].to_numpy() != best["value"].to_numpy()
    if not differs.any():
        return df
    df = df.copy()
    for name in ("value", "value_max", "qualifier"):
        df.loc[differs, name] = best[name].to_numpy()[differs]
    return df


def _key_part(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_float_dtype(column):
        text = column.map(repr, na_action="ignore")
    else:
        text = column.astype(object)
    return text.where(column.notna(), _NULL).astype(str)


def _fact_ids(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A stable id per distinct key: 16 hex digits of the SHA-1 of its parts."""
    key = _key_part(df[columns[0]])
    for name in columns[1:]:
        key = key + "\x1f" + _key_part(df[name])
    ids = {k: hashlib.sha1(k.encode("utf-8")).hexdigest()[:16] for k in pd.unique(key)}
    return key.map(ids)


def _qualifiers(df: pd.DataFrame) -> pd.Series:
    """The most common qualifier of each fact; ties go to the one mentioned first."""
    counted = (
        df.groupby(["metric_id", "qualifier"], sort=False)
        .agg(n=("order", "size"), first=("order", "min"))
        .reset_index()
        .sort_values(["metric_id", "n", "first"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("metric_id")
    )
    return counted.set_index("metric_id")["qualifier"]


def _lists(groups: pd.Series, values: pd.Series, n: int) -> pa.ListArray:
    """`values` (sorted by their group number 0..n-1) as one list per group."""
    counts = np.bincount(groups.to_numpy(), minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.to_numpy(dtype=object), pa.string()))


def _conflicts(facts: pd.DataFrame, pairs: pd.DataFrame) -> pd.Series:
    """Whether another article reports another value for the fact's metric, place, period
    and change (a level, a rise or a fall): the articles of all values of that scope
    outnumber the fact's own. Two values of one article are a breakdown ("50 đối tượng ma
    túy, 30 đối tượng trộm cắp"), not a disagreement. Only a period the text gives (stated
    or its sentence's date) and a known place can be "the same": a published day is when
    the article appeared, not when its figure held. `pairs`: each fact's (g, article_id)."""
    scope_key = ["metric", "place", "period_start", "period_end", "direction"]
    conflict = pd.Series(False, index=facts.index)
    known = facts["place"].notna() & facts["period_source"].isin(["stated", "sentence_date"])
    # a rise or fall and a level of one scope are different quantities, not two answers
    scope = facts.loc[known, [*scope_key[:-1], "n_articles"]].assign(
        direction=facts.loc[known, "change"].fillna("level")
    )
    if scope.empty:
        return conflict
    reports = pairs.join(scope[scope_key], on="g", how="inner").drop_duplicates([*scope_key, "article_id"])
    reporting = reports.groupby(scope_key).size().rename("n_reporting")
    counted = scope.join(reporting, on=scope_key)
    conflict.loc[counted.index] = counted["n_reporting"] > counted["n_articles"]
    return conflict


_FACT_KEY = ["metric", "value_n", "value_max_n", "unit", "change", "place", "p_start", "p_end", "key_sentence"]


def _sentences_of(figures: pa.Table) -> SentenceLookup:
    """A lookup of sentences by figure id in `figures` itself."""

    def lookup(ids: Sequence[str]) -> dict[str, str]:
        rows = figures.select(["figure_id", "sentence"])
        rows = rows.filter(pc.is_in(rows["figure_id"], value_set=pa.array(list(ids), pa.string())))
        return dict(zip(rows["figure_id"].to_pylist(), rows["sentence"].to_pylist(), strict=True))

    return lookup


def fact_mentions(
    figures: pa.Table, articles: pa.Table, dates: pa.Table, *, sentences: SentenceLookup | None = None
) -> pa.Table:
    """One row per figure with a metric (MENTIONS): the fact it reports (`metric_id`) and
    what the fact row takes from it. Everything here depends on the figure's own article
    only (its repeats, dates and publication), so each batch makes the mentions of its
    own figures, and a refresh aggregates them (`metrics_from_mentions`) without reading
    the figures again.

    `figures` needs the columns of FIGURE_COLUMNS and `articles` its id, outlet and
    published date; `sentences` gives the sentence of figure ids (by default from
    `figures.sentence`).
    """
    sentences = sentences or _sentences_of(figures)
    columns = [c for c in FIGURE_COLUMNS if c in figures.column_names]
    df = _pandas(figures.filter(pc.is_valid(figures["metric"])), columns)
    if df.empty:
        return MENTIONS.empty_table()
    if "change" not in df:  # figures written before changes were told apart: all levels
        df["change"] = None
    meta = _pandas(articles, ["article_id", "outlet", "published_date", "published_precision"])
    meta = meta.drop_duplicates("article_id")
    df = df.merge(meta, on="article_id", how="left", validate="many_to_one")
    df["published_date"] = df["published_date"].astype("datetime64[ns]")

    df = df.join(_resolve_periods(df, articles, dates, sentences))
    df["root"] = _roots(df)
    df = _cluster_best(df, sentences)

    df["value_n"] = _normalized(df["value"])
    value_max = _normalized(df["value_max"])
    df["value_max_n"] = value_max.mask(value_max == df["value_n"])
    df["metric_id"] = _fact_ids(df, _FACT_KEY)
    if "part_of" not in df:  # figures written before breakdowns were told apart: no parts
        df["part_of"] = None
    # a part names its whole's fact; a repeat of a part is a part too (of its root's whole)
    whole_of = pd.Series(df["part_of"].to_numpy(), index=df["figure_id"].to_numpy())
    whole = df["part_of"].where(df["part_of"].notna(), df["root"].map(whole_of))
    df["part_of"] = whole.map(pd.Series(df["metric_id"].to_numpy(), index=df["figure_id"].to_numpy()))
    df["part_of"] = df["part_of"].where(df["part_of"] != df["metric_id"], None)
    df = df.drop(columns=["value", "value_max", "period_start", "period_end"])
    df = df.rename(columns={"value_n": "value", "value_max_n": "value_max", "p_start": "period_start"})
    df = df.rename(columns={"p_end": "period_end"})
    df["period_source"] = df["p_rank"].map(dict(enumerate(PERIOD_SOURCES)))
    for name in ("period_start", "period_end", "published_date"):
        df[name] = df[name].dt.date.where(df[name].notna(), None)
    return pa.Table.from_pandas(df[MENTIONS.names], schema=MENTIONS, preserve_index=False)


def metrics_from_mentions(mentions: pa.Table, sentences: SentenceLookup) -> pa.Table:
    """The metrics table from the mentions of every article (see the module doc and
    `fact_mentions`); `sentences` gives the first mention's sentence of each fact.

    `n_outlets` counts distinct non-null `articles.outlet` values: an article whose outlet
    is unknown adds to `n_articles` only (so n_outlets may be 0, and never exceeds
    n_articles). `first_published`/`last_published` are null when no article of the fact
    has a published date. Rows are sorted by metric, place, period and value.
    """
    if not mentions.num_rows:
        return METRICS.empty_table()
    df = _pandas(mentions, MENTIONS.names)
    df["p_rank"] = df["period_source"].map(_RANK)
    # mentions in reading order: earliest article first (undated last), then by offset;
    # facts numbered (`g`) in the order of their first mention
    df = df.sort_values(["published_date", "article_id", "char_start"], na_position="last", kind="stable")
    df["order"] = np.arange(len(df))
    df["g"] = pd.factorize(df["metric_id"])[0]
    df = df.sort_values(["g", "order"], kind="stable")
    # a fact's key columns are equal on all its rows; the rest come from its first mention
    facts = df.drop_duplicates("g").set_index("g")
    groups = df.groupby("g", sort=True)
    stats = groups.agg(
        p_rank=("p_rank", "min"),
        n_figures=("figure_id", "size"),
        n_articles=("article_id", "nunique"),
        n_outlets=("outlet", "nunique"),
        first_published=("published_date", "min"),
        last_published=("published_date", "max"),
        plausible=("plausible", "min"),  # all of them
    )
    facts = facts.drop(columns=["p_rank", "plausible"]).join(stats)
    facts["sentence"] = facts["figure_id"].map(sentences(facts["figure_id"].tolist()))
    facts["qualifier"] = _qualifiers(df).reindex(facts["metric_id"]).to_numpy()
    facts["period_source"] = facts["p_rank"].map(dict(enumerate(PERIOD_SOURCES)))
    pairs = df.drop_duplicates(["g", "article_id"])[["g", "article_id"]]
    figure_ids = _lists(df["g"], df["figure_id"], len(facts))
    article_ids = _lists(pairs["g"], pairs["article_id"], len(facts))
    facts["conflict"] = _conflicts(facts, pairs)

    facts = facts.sort_values(["metric", "place", "period_start", "value", "metric_id"], kind="stable")
    for name in ("period_start", "period_end", "first_published", "last_published"):
        facts[name] = facts[name].dt.date.where(facts[name].notna(), None)
    scalars = [name for name in METRICS.names if name not in ("figure_ids", "article_ids")]
    table = pa.Table.from_pandas(
        facts[scalars], schema=pa.schema([METRICS.field(n) for n in scalars]), preserve_index=False
    )
    rows = pa.array(facts.index.to_numpy())
    columns = {name: table[name] for name in scalars}
    columns["figure_ids"] = figure_ids.take(rows)
    columns["article_ids"] = article_ids.take(rows)
    return pa.table([columns[name] for name in METRICS.names], schema=METRICS)


def build_metrics(
    figures: pa.Table, articles: pa.Table, dates: pa.Table, *, sentences: SentenceLookup | None = None
) -> pa.Table:
    """The metrics table: one row per distinct fact of `figures` (see the module doc),
    in one go: `metrics_from_mentions` of `fact_mentions`."""
    sentences = sentences or _sentences_of(figures)
    return metrics_from_mentions(fact_mentions(figures, articles, dates, sentences=sentences), sentences)


# ---------------------------------------------------------------------------
# Derived columns for the validation of `metrics` (the signature of
# transform.validate.Derive: the table, all tables by name -> one boolean per row).
# ---------------------------------------------------------------------------


def _all_known(df: pd.DataFrame, column: str, known: pd.Series | None) -> pd.Series:
    """Whether every id in the list column `column` is in `known` (and the list is not empty)."""
    if column not in df:
        return pd.Series(pd.NA, index=pd.RangeIndex(len(df)), dtype="boolean")
    lists = pa.array(df[column].to_list(), pa.list_(pa.string()))
    # an Arrow-backed column (the run's projections of a whole version) is taken as it is
    values = pa.array([] if known is None else known, pa.string(), from_pandas=True)
    ids = lists.flatten()
    if len(ids) * 8 < len(values):
        # a refresh's few facts against millions of figure ids: hashing the few and probing
        # the many costs a tenth of hashing the many
        values = pc.unique(values.filter(pc.is_in(values, value_set=ids)))
    found = pc.is_in(ids, value_set=values).to_numpy(zero_copy_only=False)
    rows = lists.value_parent_indices().to_numpy()
    missing = np.bincount(rows[~found], minlength=len(df))
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    return pd.Series((missing == 0) & (lengths > 0), dtype="boolean")


def figures_exist(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Every figure_id of a metrics row is in figures."""
    figures = tables.get("figures")
    return _all_known(df, "figure_ids", None if figures is None else figures["figure_id"])


def articles_exist(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Every article_id of a metrics row is in articles."""
    articles = tables.get("articles")
    return _all_known(df, "article_ids", None if articles is None else articles["article_id"])


def counts_agree(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """n_figures and n_articles are the lengths of the id lists, and n_outlets <= n_articles."""
    needed = {"figure_ids", "article_ids", "n_figures", "n_articles", "n_outlets"}
    if not needed <= set(df):
        return pd.Series(pd.NA, index=pd.RangeIndex(len(df)), dtype="boolean")
    n_figures = df["figure_ids"].map(len, na_action="ignore").to_numpy()
    n_articles = df["article_ids"].map(len, na_action="ignore").to_numpy()
    agree = (
        (n_figures == df["n_figures"].to_numpy())
        & (n_articles == df["n_articles"].to_numpy())
        & (df["n_outlets"].to_numpy() <= df["n_articles"].to_numpy())
    )
    return pd.Series(agree, dtype="boolean")


def whole_exists(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """A part's whole is another fact of the table, of the same metric (null: no part)."""
    if "part_of" not in df or "metric_id" not in df:
        return pd.Series(pd.NA, index=pd.RangeIndex(len(df)), dtype="boolean")
    metric_of = pd.Series(df["metric"].to_numpy(), index=df["metric_id"].to_numpy())
    metric_of = metric_of[~metric_of.index.duplicated()]
    whole = df["part_of"].reset_index(drop=True)
    ok = whole.map(metric_of).to_numpy() == df["metric"].to_numpy()
    ok &= whole.to_numpy() != df["metric_id"].to_numpy()
    return pd.Series(ok, dtype="boolean").mask(whole.isna().to_numpy())


DERIVED = {
    "figures_exist": figures_exist,
    "articles_exist": articles_exist,
    "counts_agree": counts_agree,
    "whole_exists": whole_exists,
}


# ---------------------------------------------------------------------------
# A refresh folds again only the facts its mentions touch.
# ---------------------------------------------------------------------------

# What `_conflicts` compares facts within: a fact's row depends on its own mentions and,
# through `conflict`, on every fact of its (metric, place, period).
SCOPE = ["metric", "place", "period_start", "period_end"]
# The columns of the staged mentions `facts_to_refold` reads: a few of every mention.
SCOPE_COLUMNS = ["figure_id", "metric_id", *SCOPE]
# The order of the metrics rows (`metrics_from_mentions` sorts them so).
METRICS_ORDER = ["metric", "place", "period_start", "value", "metric_id"]


def _scope_keys(table: pa.Table) -> pa.ChunkedArray:
    """One string per row of its SCOPE; null when it has no place or no period, since such
    a fact never conflicts (`_conflicts`), so nothing else depends on it."""
    parts = [pc.cast(table[name], pa.string()) for name in SCOPE]
    return pc.binary_join_element_wise(*parts, "\x1f", null_handling="emit_null")


def facts_to_refold(previous: pa.Table, mentions: pa.Table, fresh_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The metric ids whose rows a refresh must fold again from their mentions.

    `previous` is the last version's metrics, `mentions` the staged version's mentions
    (SCOPE_COLUMNS) and `fresh_ids` the metric ids of the mentions this run wrote. A fact
    is folded again when it has a new mention or lost one (a figure of its `figure_ids` is
    no longer staged), and so is every fact of the same metric, place and period as one
    of those: its `conflict` counts their articles. Every other row stays as it was.
    """
    figure_lists = previous["figure_ids"].combine_chunks()
    gone = pc.invert(pc.is_in(pc.list_flatten(figure_lists), value_set=mentions["figure_id"]))
    lost = pc.unique(pc.list_parent_indices(figure_lists).filter(gone))
    changed = pc.unique(pa.chunked_array([pa.array(fresh_ids, pa.string()), previous["metric_id"].take(lost)]))
    scopes = pa.chunked_array(
        [
            _scope_keys(mentions.filter(pc.is_in(mentions["metric_id"], value_set=changed))),
            _scope_keys(previous.filter(pc.is_in(previous["metric_id"], value_set=changed))),
        ],
        pa.string(),
    )
    touched = pc.unique(pc.drop_null(scopes))
    sharing = mentions["metric_id"].filter(pc.is_in(_scope_keys(mentions), value_set=touched))
    return pc.unique(pa.chunked_array([changed, sharing.combine_chunks()], pa.string()))


def merged_metrics(previous: pa.Table, refolded: pa.Table, refold: pa.Array) -> pa.Table:
    """The last version's metrics with the rows of `refold` replaced by `refolded` (made by
    `metrics_from_mentions` from all the staged mentions of those facts), in the order
    `metrics_from_mentions` gives a whole table."""
    kept = previous.filter(pc.invert(pc.is_in(previous["metric_id"], value_set=refold)))
    table = pa.concat_tables([kept.select(METRICS.names).cast(METRICS), refolded.cast(METRICS)])
    order = pc.sort_indices(table, sort_keys=[(name, "ascending", "at_end") for name in METRICS_ORDER])
    return table.take(order).combine_chunks()
