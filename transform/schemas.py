"""Explicit pyarrow schemas of the published tables: the contract analysts rely on."""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

# Where a figure applies, or an article's main place (extract/places.py): a province of
# the article's time, "Việt Nam" (national) or a foreign country.
PLACE_FIELDS = [
    pa.field("place", pa.string()),  # "Hà Nội", "TP Hồ Chí Minh", "Việt Nam", "Nhật Bản"
    pa.field("place_code", pa.string()),  # the official province code; ISO 3166 alpha-2 for a country
    pa.field("place_current", pa.string()),  # today's province (after the 2025 merger), for series across it
    pa.field("place_text", pa.string()),  # the words that named it: "huyện Đông Anh", "cả nước"
    pa.field("place_scope", pa.string()),  # province | national | foreign
    pa.field("latitude", pa.float64()),
    pa.field("longitude", pa.float64()),
]

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("outlet", pa.string()),
        pa.field("author", pa.string()),
        pa.field("published_date", pa.date32()),
        pa.field("published_precision", pa.string(), nullable=False),
        # the evidence rule that fixed the date (extract/published.py), "window", or "none"
        pa.field("published_evidence", pa.string(), nullable=False),
        pa.field("published_year", pa.int32()),  # partition key of figures/dates at scale
        # the window its source bounds the date with ("2017-01-01/2017-12-31": declared in
        # sources.yaml or implied by the source's own documents), else null
        pa.field("published_window", pa.string()),
        *PLACE_FIELDS,
        pa.field("text", pa.string(), nullable=False),
        pa.field("n_chars", pa.int64(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("extracted_at", TIMESTAMP, nullable=False),
        pa.field("extractor_version", pa.string(), nullable=False),
        pa.field("taxonomy_version", pa.string(), nullable=False),  # digest of the metric taxonomy file
    ]
)

FIGURES = pa.schema(
    [
        pa.field("figure_id", pa.string(), nullable=False),
        # the first mention of the same fact in the article (title, lead, body), else null:
        # count the rows where it is null to count each fact once
        pa.field("repeat_of", pa.string()),
        # the figure of the same article and metric this one breaks down ("bắt 70 đối tượng,
        # trong đó 30 …": the 30's part_of is the 70), else null: a sum counts the rows where
        # it is null; `part_rule` is the rule that linked them (extract/breakdowns.py)
        pa.field("part_of", pa.string()),
        pa.field("part_rule", pa.string()),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("char_end", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("value_max", pa.float64()),
        pa.field("unit", pa.string()),  # a rate keeps its "per" part: "đồng/kg"
        pa.field("currency", pa.string()),  # ISO 4217 of a money unit ("VND", "GBP"), else null
        pa.field("item", pa.string()),
        pa.field("qualifier", pa.string(), nullable=False),
        # "rise"/"fall" when the number is a change ("giảm 12 vụ so với cùng kỳ"), null for a
        # level: a sum of levels keeps the rows where it is null
        pa.field("change", pa.string()),
        pa.field("metric", pa.string()),
        # false when the value cannot be true for its metric (the taxonomy's bounds), with why
        pa.field("plausible", pa.bool_(), nullable=False),
        pa.field("plausible_reason", pa.string()),
        pa.field("period_start", pa.date32()),
        pa.field("period_end", pa.date32()),
        *PLACE_FIELDS,
        pa.field("sentence", pa.string(), nullable=False),
        # where `sentence` lies in articles.text: articles.text[sentence_start:sentence_end]
        pa.field("sentence_start", pa.int64()),
        pa.field("sentence_end", pa.int64()),
        pa.field("rule", pa.string(), nullable=False),  # the attachment rule that made it (extract.figures.RULES)
    ]
)

DATES = pa.schema(
    [
        pa.field("date_id", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("char_end", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("start_date", pa.date32(), nullable=False),
        pa.field("end_date", pa.date32(), nullable=False),
        pa.field("granularity", pa.string(), nullable=False),
        pa.field("year_inferred", pa.bool_(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("content_sha256", pa.string()),  # of the raw bytes, when they could be read
        pa.field("seen_at", TIMESTAMP, nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "figures": FIGURES,
    "dates": DATES,
    "rejects": REJECTS,
}

# Values the validation suites accept for categorical columns (metric keys come
# from the taxonomy file, not from here).
PRECISIONS = ["day", "month", "year", "none"]
GRANULARITIES = ["day", "month", "year"]
QUALIFIERS = ["exact", "approx", "over", "under", "at_least", "at_most"]
CHANGES = ["rise", "fall"]
REJECT_REASONS = [
    "not_utf8",
    "empty",
    "binary",
    "too_large",
    "not_vietnamese",
    "unreadable",
    "extract_error",
    "duplicate",
    "fetch_error",
    "http_error",
    "not_html",
    "not_feed",
    "not_a_file",  # a FIFO, socket or device where a document was expected
    "broken_link",  # a symbolic link to nothing, or to itself
    "too_deep",  # a folder nested past discovery's depth limit
]

# how a fact's period was found, best first: stated by its sentence, the date its sentence
# names, the period its article's lead frames (a report's), the publication's, none
PERIOD_SOURCES = ["stated", "sentence_date", "report", "published", "none"]

METRICS = pa.schema(
    [
        # a stable hash of the fact key (metric, value, value_max, unit, change, place, period):
        # the same fact gets the same id in every run and every refresh
        pa.field("metric_id", pa.string(), nullable=False),
        pa.field("metric", pa.string(), nullable=False),  # taxonomy key (transform/metrics.toml)
        pa.field("value", pa.float64(), nullable=False),
        pa.field("value_max", pa.float64()),  # upper end of a range ("3-5 vụ"), else null
        pa.field("unit", pa.string()),
        pa.field("currency", pa.string()),  # ISO 4217 of a money unit, else null
        # the most common qualifier of its figures (ties: the first mention's)
        pa.field("qualifier", pa.string(), nullable=False),
        # "rise"/"fall": the fact is a change by `value`, not a level; null for a level. Part
        # of the key: "giảm 12 vụ" and "12 vụ" are two facts. Sum levels only.
        pa.field("change", pa.string()),
        pa.field("place", pa.string()),  # province of the article's time, "Việt Nam" or a country
        pa.field("place_code", pa.string()),
        pa.field("place_current", pa.string()),  # today's province: series across the 2025 merger
        pa.field("period_start", pa.date32()),  # first day the fact covers, inclusive
        pa.field("period_end", pa.date32()),  # last day, inclusive
        pa.field("period_source", pa.string(), nullable=False),  # one of PERIOD_SOURCES
        pa.field("n_figures", pa.int64(), nullable=False),  # mentions, repeats within an article included
        pa.field("n_articles", pa.int64(), nullable=False),  # distinct articles that report it
        pa.field("n_outlets", pa.int64(), nullable=False),  # distinct named outlets (0 when none is named)
        pa.field("first_published", pa.date32()),  # earliest published_date of those articles
        pa.field("last_published", pa.date32()),
        pa.field("figure_ids", pa.list_(pa.string()), nullable=False),  # join to figures.figure_id
        pa.field("article_ids", pa.list_(pa.string()), nullable=False),  # join to articles.article_id
        # one representative: the first mention's sentence in the earliest article
        pa.field("sentence", pa.string(), nullable=False),
        # another article reports another value for the same metric, place and period
        # (false without a place, or for a period that is only the published date or none)
        pa.field("conflict", pa.bool_(), nullable=False),
        pa.field("plausible", pa.bool_(), nullable=False),  # all its figures are plausible
        # the fact this one breaks down in its first mention's article (metric_id), else
        # null: "bắt 70 đối tượng, trong đó 30 đối tượng nữ" — sum the rows where it is null
        pa.field("part_of", pa.string()),
    ]
)


# One row per figure with a metric: the fact it reports and what the fact's row takes
# from it (transform/facts.py `fact_mentions`). Each batch writes the mentions of its own
# figures; a refresh aggregates them into the metrics without reading the figures again.
MENTIONS = pa.schema(
    [
        pa.field("figure_id", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("metric_id", pa.string(), nullable=False),  # join to metrics.metric_id
        pa.field("metric", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),  # normalized (12 significant digits)
        pa.field("value_max", pa.float64()),  # null when it is no range
        pa.field("unit", pa.string()),
        pa.field("currency", pa.string()),
        pa.field("qualifier", pa.string(), nullable=False),
        pa.field("change", pa.string()),
        pa.field("place", pa.string()),  # the first place its repeats name
        pa.field("place_code", pa.string()),
        pa.field("place_current", pa.string()),
        pa.field("period_start", pa.date32()),  # the period the fact takes: stated, sentence date, published
        pa.field("period_end", pa.date32()),
        pa.field("period_source", pa.string(), nullable=False),
        pa.field("plausible", pa.bool_(), nullable=False),
        pa.field("outlet", pa.string()),  # its article's
        pa.field("published_date", pa.date32()),
        pa.field("part_of", pa.string()),  # the metric_id of the fact its figure breaks down
    ]
)

# What a run publishes: the four tables above, the mentions of facts, and the metrics
# derived from them (transform/facts.py)
PUBLISHED: dict[str, pa.Schema] = {**TABLES, "fact_mentions": MENTIONS, "metrics": METRICS}
