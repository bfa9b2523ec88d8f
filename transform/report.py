"""The static report beside the published tables: one index.html an analyst opens offline.

Reads the published tables (`articles`, `figures`, `rejects` and `metrics` Parquet
datasets under one folder) and writes `index.html`: a header with counts, for each
metric a chart of its facts over the months by place and its largest facts with their
sentence and a link to the source, coverage (articles by outlet and month, rejects by
reason) and the validation result with a link to the Data Docs.

Charts are Vega-Lite specs made with Altair and rendered to inline SVG by
vl-convert-python, with no data URL allowed: the page has no script, no stylesheet or
image from anywhere, and a Content-Security-Policy that forbids both. Every text that
comes from an article (sentences, titles, outlets, places, URIs) is HTML-escaped here,
and Vega escapes the labels it writes into the SVG. The page stays bounded whatever
the corpus: at most MAX_FACTS facts a metric, MAX_PLACES places a chart (the rest are
"khác", others), MAX_POINTS facts a chart, MAX_OUTLETS outlets in coverage.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

import altair as alt
import pandas as pd
import vl_convert as vlc

from transform.incremental import published_parts, table_of

MAX_FACTS = 10  # largest facts listed per metric
MAX_PLACES = 6  # places with their own colour per chart; the rest are OTHER
MAX_POINTS = 400  # facts drawn per chart (the most reported first)
MAX_OUTLETS = 12  # outlets with their own row in coverage; the rest are OTHER
MAX_MONTHS = 36  # coverage columns; a longer span is shown by year
MAX_SENTENCE = 600  # characters of a sentence shown (the table keeps it whole)
OTHER = "khác"  # "others": places or outlets past the bound
UNKNOWN = "không rõ"  # "unknown": no place, outlet or date

PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d"]
OTHER_COLOR = "#b0b0b0"
DATA = "rows"  # the name of a chart's inline dataset
TEMPLATE = Path(__file__).with_name("report_template.html")
TABLES = ("articles", "figures", "rejects", "metrics")
# What the page reads of each table (None: all of it): never the articles' text, nor the
# figures' rows, which it only counts; the page costs the same whatever the archive holds.
COLUMNS: dict[str, list[str] | None] = {
    "articles": ["article_id", "source_uri", "title", "outlet", "published_date"],
    "figures": [],  # counted only (from the version's list of parts when it has one)
    "rejects": ["source_uri", "reason", "detail"],
    "metrics": None,
}
_SCHEMES = {"http", "https", "file"}  # a source link is one of these, never javascript: or data:
_MARK_TAGS = re.compile(r"<script|<foreignObject|\son\w+\s*=", re.IGNORECASE)


def write_report(
    tables: Path | str,
    out: Path | str,
    *,
    validation_index: str | None = None,
    validation_success: bool | None = None,
) -> Path:
    """Write `out/index.html` from the published tables under `tables`; returns its path.

    `validation_index` is the Data Docs index (a path or URL) and `validation_success`
    the suites' result, both shown when given. A missing table is said so on the page.
    """
    tables = Path(tables)
    out = Path(out)
    frames = {name: _read(tables / name, COLUMNS[name]) for name in TABLES}
    made = datetime.now(UTC)
    body = "\n".join(
        [
            _nav(frames["metrics"]),
            _validation_section(validation_index, validation_success, out),
            _metrics_section(frames["metrics"], frames["articles"], tables),
            _coverage_section(frames["articles"], frames["rejects"]),
        ]
    )
    page = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title="solieu report",
        made=_esc(f"Made {made:%Y-%m-%d %H:%M} UTC from {tables.absolute()}"),
        summary=_summary(frames),
        body=body,
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    # written whole then renamed, so a reader never opens half a page
    partial = out / f".index.html.{os.getpid()}.tmp"
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target


def largest_facts(metrics: pd.DataFrame, per_metric: int = MAX_FACTS) -> pd.DataFrame:
    """The largest plausible facts of each metric, most articles first on equal values.

    Used by the page and handy for a flow's table artifact.
    """
    if metrics.empty:
        return metrics
    rows = metrics[metrics["metric"].notna() & _plausible(metrics)]
    rows = rows.sort_values(["metric", "value", "n_articles"], ascending=[True, False, False], kind="stable")
    return rows.groupby("metric", sort=False).head(per_metric).reset_index(drop=True)


# Reading


def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame | None:
    """A published dataset (`NAME/` or `NAME.parquet`), or None when it is not there. With
    no columns, a frame of its row count, taken from the version's `_PARTS.json` when it
    lists the table's parts: 2.7M figures are counted without opening 700 files."""
    if columns == [] and (rows := _listed_rows(path)) is not None:
        return pd.DataFrame(index=pd.RangeIndex(rows))
    for candidate in (path, path.with_name(path.name + ".parquet")):
        if candidate.exists():
            return pd.read_parquet(candidate, columns=columns)
    return None


def _listed_rows(path: Path) -> int | None:
    """The rows the current version's `_PARTS.json` lists for the table, or None."""
    try:
        _, parts = published_parts(path.parent)
        listed = [p for p in parts or [] if table_of(p) == path.name]
        return sum(int(p["rows"]) for p in listed) if listed and path.is_dir() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _plausible(df: pd.DataFrame) -> pd.Series:
    if "plausible" not in df.columns:
        return pd.Series(True, index=df.index)
    return df["plausible"].fillna(True).astype(bool)


# Text


def _esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def _number(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    if value.is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _day(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _period(row: pd.Series) -> str:
    start, end = _day(row.get("period_start")), _day(row.get("period_end"))
    if not start and not end:
        return ""
    return start if start == end or not end else f"{start} – {end}"


def _href(uri: Any) -> str | None:
    """A link for a source: a URL of a safe scheme as it is, a local path as a file:// URI."""
    if not isinstance(uri, str) or not uri:
        return None
    scheme = urlsplit(uri).scheme.lower()
    if scheme in _SCHEMES:
        return uri
    if len(scheme) > 1:  # s3://, memory://, javascript:… cannot be opened from the page
        return None
    try:
        return Path(uri).resolve().as_uri()
    except ValueError:
        return None


def _link(uri: Any, label: str) -> str:
    href = _href(uri)
    if href is None:
        return _esc(label)
    return f'<a href="{_esc(href)}">{_esc(label)}</a>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], attrs: Iterable[str] | None = None) -> str:
    """An HTML table; the cells are HTML already (escaped by the caller)."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    attrs = list(attrs) if attrs is not None else None
    lines = []
    for i, cells in enumerate(rows):
        extra = f" {attrs[i]}" if attrs else ""
        lines.append(f"<tr{extra}>" + "".join(cells) + "</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>"


def _td(html_text: str, cls: str | None = None) -> str:
    return f'<td class="{cls}">{html_text}</td>' if cls else f"<td>{html_text}</td>"


def _slug(text: str) -> str:
    return "m-" + re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")


# Charts


def _svg(chart: alt.TopLevelMixin, values: list[dict[str, Any]]) -> str | None:
    """The chart as inline SVG, or None when it cannot be drawn safely.

    The rows go in as the spec's named dataset DATA after Altair has checked the spec
    (checking every row against the schema costs seconds at MAX_POINTS). No base URL is
    allowed: the data is inline, nothing is fetched.
    """
    spec = chart.to_dict()
    spec["datasets"] = {DATA: values}
    svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    if _MARK_TAGS.search(svg):  # Vega escapes labels; never inline anything active regardless
        return None
    return svg


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return f'<p class="note">{_esc(caption)} (chart not drawn)</p>'
    return f'<figure class="chart">{svg}<figcaption>{_esc(caption)}</figcaption></figure>'


def _bounded(labels: pd.Series, keep: int) -> tuple[pd.Series, list[str]]:
    """Labels past the `keep` most frequent become OTHER; returns them and the legend order."""
    labels = labels.fillna(UNKNOWN).astype(str).replace("", UNKNOWN)
    top = labels.value_counts(sort=True).index[:keep].tolist()
    bounded = labels.where(labels.isin(top), OTHER)
    order = top + ([OTHER] if (bounded == OTHER).any() else [])
    return bounded, order


def _metric_chart(rows: pd.DataFrame, metric: str) -> tuple[str | None, str] | None:
    """Facts of one metric over the months by place: a point at the month its period ends,
    a bar back to the month it starts (a yearly total spans the year; it is not a month's).

    Only the metric's commonest unit is drawn (money in đồng and in USD do not share an
    axis), and only levels: a rise or fall ("giảm 12 vụ so với cùng kỳ") is no month's
    count, so it would stand on the axis as one. None when no level is dated.
    """
    level = rows["change"].isna() if "change" in rows else pd.Series(True, index=rows.index)
    dated = rows[rows["period_end"].notna() & level]
    if dated.empty:
        return None
    changes = int((rows["period_end"].notna() & ~level).sum())
    units = dated["unit"].fillna("")
    unit = units.value_counts().index[0]
    dated = dated[units == unit]
    dated = dated.sort_values(["n_articles", "value"], ascending=False, kind="stable").head(MAX_POINTS)
    places, order = _bounded(dated["place"], MAX_PLACES)
    start = dated["period_start"].where(dated["period_start"].notna(), dated["period_end"])
    values = [
        {"start": _day(s), "end": _day(e), "value": float(v), "place": p}
        for s, e, v, p in zip(start, dated["period_end"], dated["value"], places, strict=True)
    ]
    positive = [v["value"] for v in values if v["value"] > 0]
    wide = len(positive) == len(values) and max(positive) / min(positive) >= 1000
    y = alt.Y(
        "value:Q",
        title=unit or "count",
        scale=alt.Scale(type="log") if wide else alt.Scale(zero=True),
        axis=alt.Axis(format=",.0f" if wide else ",~g", tickCount=6),  # 2,000,000,000 rather than 2e+9
    )
    # Vega's own category colours for the named places, grey for the rest
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(order))]
    if order and order[-1] == OTHER:
        palette[-1] = OTHER_COLOR
    color = alt.Color("place:N", title="place", scale=alt.Scale(domain=order, range=palette), sort=order)
    base = alt.Chart(alt.NamedData(name=DATA)).encode(y=y, color=color)
    spans = base.mark_rule(strokeWidth=3, opacity=0.45).encode(
        x=alt.X("start:T", timeUnit="yearmonth", title="month"),
        x2=alt.X2("end:T", timeUnit="yearmonth"),
    )
    points = base.mark_point(filled=True, size=70, opacity=0.9).encode(
        x=alt.X("end:T", timeUnit="yearmonth", title="month", axis=alt.Axis(format="%m/%Y")),
    )
    chart = (
        (spans + points)
        .properties(width=640, height=220, title=f"{metric} ({unit or 'count'}) by place")
        .configure_legend(symbolOpacity=1, labelLimit=220)
    )
    shown = len(values)
    caption = f"{shown} dated fact{'s' if shown != 1 else ''} in {unit or 'counts'}"
    if shown == MAX_POINTS:
        caption += f" (the {MAX_POINTS} most reported)"
    caption += f"; a point at the month a period ends, a bar back to its start; at most {MAX_PLACES} places"
    caption += f", the rest as “{OTHER}”" + ("; log scale" if wide else "")
    if changes:
        caption += f"; {changes} dated rise{'s' if changes != 1 else ''} or fall{'s' if changes != 1 else ''} left out"
    return _svg(chart, values), caption


def _coverage_chart(articles: pd.DataFrame) -> tuple[str | None, str, pd.DataFrame]:
    """Articles by outlet and month, as a heat map with the counts written in."""
    outlets, order = _bounded(articles["outlet"], MAX_OUTLETS)
    published = pd.to_datetime(articles["published_date"], errors="coerce")
    by_month = published.dt.strftime("%Y-%m")
    if by_month.nunique() > MAX_MONTHS:
        by_month = published.dt.strftime("%Y")
    when = by_month.fillna(UNKNOWN)
    counts = pd.DataFrame({"outlet": outlets, "month": when}).value_counts().rename("articles").reset_index()
    months = sorted(m for m in counts["month"].unique() if m != UNKNOWN) + (
        [UNKNOWN] if (counts["month"] == UNKNOWN).any() else []
    )
    values = counts.to_dict(orient="records")
    base = alt.Chart(alt.NamedData(name=DATA)).encode(
        x=alt.X("month:O", sort=months, title="month published", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("outlet:N", sort=order, title="outlet"),
    )
    cells = base.mark_rect().encode(color=alt.Color("articles:Q", title="articles", scale=alt.Scale(scheme="blues")))
    labels = base.mark_text(fontSize=10).encode(
        text="articles:Q",
        color=alt.condition(alt.datum.articles > counts["articles"].max() / 2, alt.value("white"), alt.value("black")),
    )
    chart = (cells + labels).properties(title="Articles by outlet and month", width=alt.Step(44), height=alt.Step(22))
    caption = f"at most {MAX_OUTLETS} outlets, the rest as “{OTHER}”; “{UNKNOWN}”: no outlet or no date"
    return _svg(chart, values), caption, counts


# Sections


def _summary(frames: dict[str, pd.DataFrame | None]) -> str:
    def count(name: str) -> str:
        df = frames[name]
        return "missing" if df is None else _number(len(df))

    items = [
        ("articles", count("articles")),
        ("figures", count("figures")),
        ("facts (metrics rows)", count("metrics")),
        ("rejects", count("rejects")),
    ]
    metrics = frames["metrics"]
    if metrics is not None and not metrics.empty:
        items.append(("metrics with facts", _number(metrics["metric"].nunique())))
    cells = ", ".join(f"<b>{_esc(v)}</b> {_esc(k)}" for k, v in items)
    return f'<p class="summary" id="summary">{cells}</p>'


def _nav(metrics: pd.DataFrame | None) -> str:
    links = ['<a href="#validation">validation</a>', '<a href="#metrics">metrics</a>']
    if metrics is not None and not metrics.empty:
        for metric in _metric_order(metrics):
            links.append(f'<a href="#{_slug(metric)}">{_esc(metric)}</a>')
    links.append('<a href="#coverage">coverage</a>')
    return "<nav>" + " ".join(links) + "</nav>"


def _validation_section(index: str | None, success: bool | None, out: Path) -> str:
    if success is None:
        verdict = '<span class="note">not given</span>'
    elif success:
        verdict = '<span class="passed" data-validation="passed">passed</span>'
    else:
        verdict = '<span class="failed" data-validation="failed">failed</span>'
    docs = ""
    if index:
        docs = f" — Data Docs: {_docs_link(index, out)}"
    return (
        f'<section id="validation"><h2>Validation</h2>\n<p>The published tables’ suites: {verdict}{docs}</p></section>'
    )


def _docs_link(index: str, out: Path) -> str:
    """A link to the Data Docs: a local index relative to the report, so both can move together."""
    if len(urlsplit(index).scheme) > 1:
        return _link(index, index)
    try:
        relative = Path(os.path.relpath(Path(index).resolve(), out.resolve())).as_posix()
    except ValueError:  # another drive
        return _link(index, index)
    return f'<a href="{_esc(relative)}" id="data-docs">{_esc(index)}</a>'


def _metric_order(metrics: pd.DataFrame) -> list[str]:
    return metrics["metric"].dropna().value_counts(sort=True).index.tolist()


def _metrics_section(metrics: pd.DataFrame | None, articles: pd.DataFrame | None, tables: Path) -> str:
    head = '<section id="metrics"><h2>Metrics</h2>'
    if metrics is None:
        return (
            f'{head}\n<p class="warn" id="no-metrics">The metrics table is missing '
            f"({_esc(tables / 'metrics')}): no facts to show. Coverage is below.</p></section>"
        )
    if metrics.empty:
        return f'{head}\n<p class="note" id="no-metrics">The metrics table has no rows.</p></section>'
    shown = {}
    for metric in _metric_order(metrics):
        rows = metrics[metrics["metric"] == metric]
        shown[metric] = rows, rows[_plausible(rows)]
    sources: dict[str, str] = {}
    titles: dict[str, Any] = {}
    if articles is not None and not articles.empty and shown:
        # only the articles the listed facts link to: not a dict of every article
        listed = pd.concat([largest_facts(good) for _, good in shown.values()])
        firsts = {ids[0] for ids in listed.get("article_ids", []) if ids is not None and len(ids)}
        linked = articles[articles["article_id"].isin(firsts)]
        sources = dict(zip(linked["article_id"], linked["source_uri"], strict=True))
        titles = dict(zip(linked["article_id"], linked["title"], strict=True))
    parts = [head, f'<p class="note">One row per distinct fact; at most {MAX_FACTS} largest per metric.</p>']
    for metric, (rows, good) in shown.items():
        parts.append(f'<section class="metric" id="{_slug(metric)}"><h3>{_esc(metric)}</h3>')
        implausible = len(rows) - len(good)
        note = f"{_number(len(rows))} fact" + ("s" if len(rows) != 1 else "")
        if implausible:
            note += f", {_number(implausible)} implausible left out of the chart and the list"
        parts.append(f'<p class="note">{_esc(note)}</p>')
        drawn = _metric_chart(good, metric) if not good.empty else None
        if drawn is None:
            parts.append('<p class="note">No dated fact to chart.</p>')
        else:
            parts.append(_figure(*drawn))
        parts.append(_facts_table(largest_facts(good), sources, titles))
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _facts_table(facts: pd.DataFrame, sources: dict[str, str], titles: dict[str, Any]) -> str:
    if facts.empty:
        return '<p class="note">No plausible fact.</p>'
    headers = ["value", "unit", "place", "period", "articles", "outlets", "sentence", "source"]
    rows, attrs = [], []
    for _, fact in facts.iterrows():
        value = _number(fact["value"])
        if pd.notna(fact.get("value_max")):
            value += f"–{_number(fact['value_max'])}"
        qualifier = fact.get("qualifier")
        if isinstance(qualifier, str) and qualifier not in ("", "exact"):
            value = f"{value} ({qualifier})"
        change = fact.get("change")
        if isinstance(change, str) and change:
            value = f"{'+' if change == 'rise' else '−'}{value}"
        unit = fact.get("unit")
        currency = fact.get("currency")
        unit_text = _esc(unit) + (f" ({_esc(currency)})" if isinstance(currency, str) and currency else "")
        source_source = fact.get("period_source")
        if _period(fact):
            period = _esc(_period(fact)) + (
                f' <span class="note">({_esc(source_source)})</span>' if isinstance(source_source, str) else ""
            )
        else:
            period = '<span class="note">no period</span>'

        sentence = str(fact.get("sentence") or "")
        if len(sentence) > MAX_SENTENCE:
            sentence = sentence[:MAX_SENTENCE] + "…"
        sentence_html = _esc(sentence)
        if bool(fact.get("conflict")) and pd.notna(fact.get("conflict")):
            sentence_html += (
                ' <span class="conflict">another value is reported for this metric, place and period</span>'
            )
        article_ids = list(fact.get("article_ids") if fact.get("article_ids") is not None else [])
        first = article_ids[0] if article_ids else None
        uri = sources.get(first) if first is not None else None
        label = titles.get(first) if isinstance(titles.get(first), str) and titles.get(first) else uri
        source = _link(uri, _shorten(label or "", 80)) if uri else ""
        place = fact.get("place")
        rows.append(
            [
                _td(_esc(value), "num"),
                _td(unit_text),
                _td(_esc(place)),
                _td(period),
                _td(_number(fact.get("n_articles")), "num"),
                _td(_number(fact.get("n_outlets")), "num"),
                _td(sentence_html, "sentence"),
                _td(source),
            ]
        )
        attrs.append(
            f'class="fact" data-metric="{_esc(fact["metric"])}" data-value="{_esc(_number(fact["value"]))}" '
            f'data-place="{_esc(place)}" data-period="{_esc(_period(fact))}"'
        )
    return _table(headers, rows, attrs)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _coverage_section(articles: pd.DataFrame | None, rejects: pd.DataFrame | None) -> str:
    parts = ['<section id="coverage"><h2>Coverage</h2>', "<h3>Articles by outlet and month</h3>"]
    if articles is None:
        parts.append('<p class="warn">The articles table is missing.</p>')
    elif articles.empty:
        parts.append('<p class="note">No article.</p>')
    else:
        svg, caption, _counts = _coverage_chart(articles)
        parts.append(_figure(svg, caption))
    parts.append("<h3>Rejects by reason</h3>")
    if rejects is None:
        parts.append('<p class="warn">The rejects table is missing.</p>')
    elif rejects.empty:
        parts.append('<p class="note" id="no-rejects">No document was rejected.</p>')
    else:
        grouped = rejects.groupby("reason", dropna=False)
        rows = []
        for reason, group in sorted(grouped, key=lambda item: -len(item[1])):
            example = group["source_uri"].iloc[0]
            detail = group["detail"].dropna()
            rows.append(
                [
                    _td(_esc(reason)),
                    _td(_number(len(group)), "num"),
                    _td(_esc(_shorten(str(example), 120))),
                    _td(_esc(_shorten(str(detail.iloc[0]), 200)) if not detail.empty else ""),
                ]
            )
        parts.append(_table(["reason", "documents", "for example", "detail"], rows))
    parts.append("</section>")
    return "\n".join(parts)
