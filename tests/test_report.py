"""The static report (transform/report.py): offline, escaped, bounded, and right in a real browser.

The browser tests drive Debian's headless Chromium (`/usr/bin/chromium`, which .ci/run
installs) with Playwright's Python API; they are skipped with a message when either is
missing. The seed report is built from the real seeds tables, made without Prefect as
tests/test_gold.py does.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.local import discover
from tests.conftest import shared_path
from transform import report
from transform.batch import process_batch
from transform.publish import publish_staged, stage_tables
from transform.report import write_report
from transform.taxonomy import load_taxonomy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
METRIC_COLUMNS = [
    "metric_id", "metric", "value", "value_max", "unit", "currency", "qualifier", "place", "place_code",
    "place_current", "period_start", "period_end", "period_source", "n_figures", "n_articles", "n_outlets",
    "first_published", "last_published", "figure_ids", "article_ids", "sentence", "conflict", "plausible",
]  # fmt: skip
# the seeds' facts the issue names: (metric, value as shown, place, period)
SEED_FACTS = [
    ("security_events", "2,834", "Hà Nội", "2025-01-01 – 2025-12-31"),
    ("drone_incidents", "283", "Hà Nội", "2025-01-01 – 2025-12-31"),
    ("communes_wards", "126", "Hà Nội", None),
]
EVIL = "<script>alert('x')</script><img src=https://example.com/x.png>"


def _write(folder: Path, name: str, df: pd.DataFrame) -> None:
    (folder / name).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / name / "part-0.parquet")


def _metrics_from_figures(figures: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """A stand-in for the metrics table (transform/facts.py builds the real one): one row per
    metric, value, unit, place and period among first mentions, counting articles and outlets.
    """
    published = articles.set_index("article_id")["published_date"]
    outlets = articles.set_index("article_id")["outlet"]
    firsts = figures[figures["metric"].notna() & figures["repeat_of"].isna()].copy()
    stated = firsts["period_start"].notna()
    day = firsts["article_id"].map(published)
    firsts["period_source"] = stated.map({True: "stated", False: "published"})
    firsts["period_start"] = firsts["period_start"].where(stated, day)
    firsts["period_end"] = firsts["period_end"].where(stated, day)
    keys = ["metric", "value", "unit", "place", "period_start", "period_end"]
    rows = []
    for n, (_, group) in enumerate(firsts.groupby(keys, dropna=False, sort=False)):
        first = group.iloc[0]
        ids = group["article_id"].tolist()
        days = [d for d in map(published.get, ids) if d is not None and pd.notna(d)]
        rows.append(
            {
                **{column: first.get(column) for column in METRIC_COLUMNS if column in first.index},
                "metric_id": f"m{n:04d}",
                "period_source": first["period_source"],
                "n_figures": len(group),
                "n_articles": len(set(ids)),
                "n_outlets": len({outlets.get(i) for i in ids}),
                "first_published": min(days) if days else None,
                "last_published": max(days) if days else None,
                "figure_ids": group["figure_id"].tolist(),
                "article_ids": ids,
                "conflict": False,
            }
        )
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


@pytest.fixture(scope="module")
def seed_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = shared_path()
    refs, _ = discover([shared / "corpus" / "seeds"])
    tables = process_batch(refs, load_taxonomy(), extracted_at=datetime.now(UTC))
    output = tmp_path_factory.mktemp("seeds") / "tables"
    publish_staged(stage_tables(tables, output), output)
    if not (output / "metrics").exists():  # until the flow publishes it (issue 12)
        try:
            from transform.facts import build_metrics
        except ImportError:  # before transform/facts.py: a stand-in of the same columns
            figures, articles = pd.read_parquet(output / "figures"), pd.read_parquet(output / "articles")
            _write(output, "metrics", _metrics_from_figures(figures, articles))
        else:
            read = {name: pq.read_table(output / name) for name in ("figures", "articles", "dates")}
            (output / "metrics").mkdir()
            metrics = build_metrics(read["figures"], read["articles"], read["dates"])
            pq.write_table(metrics, output / "metrics" / "part-0.parquet")
    return output


def _fact(n: int, **overrides: object) -> dict:
    row = {
        "metric_id": f"id{n}",
        "metric": "arrests",
        "value": float(n + 1),
        "value_max": None,
        "unit": None,
        "currency": None,
        "qualifier": "exact",
        "place": f"Tỉnh {n}",
        "place_code": f"{n:02d}",
        "place_current": f"Tỉnh {n}",
        "period_start": date(2017, 1 + n % 12, 1),
        "period_end": date(2017, 1 + n % 12, 28),
        "period_source": "stated",
        "n_figures": 1,
        "n_articles": 1,
        "n_outlets": 1,
        "first_published": date(2017, 1 + n % 12, 28),
        "last_published": date(2017, 1 + n % 12, 28),
        "figure_ids": [f"f{n}"],
        "article_ids": ["a1"],
        "sentence": f"Câu số {n}.",
        "conflict": False,
        "plausible": True,
    }
    row.update(overrides)
    return row


@pytest.fixture()
def hostile_tables(tmp_path: Path) -> Path:
    """Article text with markup in it, 30 places and 40 outlets: escaped and bounded."""
    tables = tmp_path / "tables"
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2"] + [f"o{i}" for i in range(40)],
            "source_uri": ["javascript:alert(1)", "https://example.com/tin.html"] + [f"/x/{i}.txt" for i in range(40)],
            "title": [EVIL, "Tin thường"] + [f"Bài {i}" for i in range(40)],
            "outlet": [EVIL, "Báo A"] + [f"Báo {i}" for i in range(40)],
            "published_date": [date(2017, 3, 1), None] + [date(2017, 1 + i % 12, 2) for i in range(40)],
        }
    )
    facts = [_fact(n) for n in range(30)]
    facts.append(_fact(30, sentence=f"Bắt {EVIL} 5 người", place=EVIL, value=1e9, conflict=True))
    facts.append(_fact(31, value=9e15, plausible=False, sentence="implausible typo"))
    facts.append(_fact(32, article_ids=["a2"], sentence="from a web page", metric="drone_incidents"))
    _write(tables, "articles", articles)
    _write(tables, "figures", pd.DataFrame({"figure_id": ["f1"], "article_id": ["a1"]}))
    _write(tables, "rejects", pd.DataFrame({"source_uri": ["/x/bad.bin"], "reason": ["binary"], "detail": [EVIL]}))
    _write(tables, "metrics", pd.DataFrame(facts, columns=METRIC_COLUMNS))
    return tables


# Without a browser

LOADING_TAGS = {"script", "link", "img", "iframe", "frame", "image", "source", "video", "audio", "object", "embed"}


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of the page with its attributes, as a browser's parser reads them."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

        handle_startendtag = handle_starttag

    Tags().feed(page)
    return found


def test_page_loads_nothing_and_escapes_article_text(hostile_tables: Path, tmp_path: Path) -> None:
    page = write_report(hostile_tables, tmp_path / "report").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    # no script, stylesheet, image or frame from anywhere: only links a reader follows
    tags = _tags(page)
    assert [t for t, _ in tags if t in LOADING_TAGS] == []
    loaded = [(t, k, v) for t, attrs in tags for k, v in attrs if k in ("src", "srcset", "xlink:href", "data")]
    assert loaded == []
    assert [(t, v) for t, attrs in tags for k, v in attrs if k == "href" and t != "a"] == []
    styles = re.findall(r"<style>(.*?)</style>", page, re.S) + [v for _, a in tags for k, v in a if k == "style"]
    assert not any(re.search(r"url\(|@import", style or "") for style in styles)
    assert 'href="javascript:' not in page.lower()
    assert 'href="https://example.com/tin.html"' in page  # a web source is linked


def test_page_is_bounded(hostile_tables: Path, tmp_path: Path) -> None:
    page = write_report(hostile_tables, tmp_path / "report").read_text(encoding="utf-8")
    arrests = page[page.index('id="m-arrests"') : page.index('id="m-drone_incidents"')]
    assert arrests.count('class="fact"') == report.MAX_FACTS
    assert "9,000,000,000,000,000" not in page  # an implausible value is left out
    assert "1 implausible left out" in page
    labels = re.findall(r'role-legend-label"[^>]*><text[^>]*>([^<]*)</text>', arrests)
    assert len(labels) == report.MAX_PLACES + 1 and labels[-1] == report.OTHER
    coverage = page[page.index('id="coverage"') :]
    assert report.OTHER in coverage and "Báo 39" not in coverage


def test_missing_metrics_is_said_and_the_rest_shown(hostile_tables: Path, tmp_path: Path) -> None:
    for part in (hostile_tables / "metrics").iterdir():
        part.unlink()
    (hostile_tables / "metrics").rmdir()
    page = write_report(hostile_tables, tmp_path / "report", validation_success=False).read_text(encoding="utf-8")
    assert 'id="no-metrics"' in page and "metrics table is missing" in page
    assert 'id="coverage"' in page and "binary" in page
    assert 'data-validation="failed"' in page


def test_validation_links_the_data_docs_relative_to_the_report(hostile_tables: Path, tmp_path: Path) -> None:
    docs = tmp_path / "validation" / "index.html"
    out = tmp_path / "report"
    page = write_report(hostile_tables, out, validation_index=str(docs), validation_success=True).read_text("utf-8")
    assert 'data-validation="passed"' in page
    assert 'href="../validation/index.html"' in page


# In a real browser


def _browser_page(path: Path, screenshot: Path | None = None) -> dict:
    """Open the report in headless Chromium; return its errors, charts' marks and fact rows."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            charts = page.eval_on_selector_all(
                "figure.chart svg",
                """svgs => svgs.map(svg => svg.querySelectorAll(
                    'g.role-mark path, g.role-mark rect, g.role-mark circle, g.role-mark line, g.role-mark text'
                ).length)""",
            )
            facts = page.eval_on_selector_all(
                "tr.fact",
                "rows => rows.map(r => [r.dataset.metric, r.dataset.value, r.dataset.place, r.dataset.period,"
                " r.innerText])",
            )
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"errors": errors, "charts": charts, "facts": facts, "requests": requests}


def test_seed_report_in_a_real_browser(seed_tables: Path, tmp_path: Path) -> None:
    index = write_report(seed_tables, tmp_path / "report", validation_success=True)
    seen = _browser_page(index, tmp_path / "report.png")
    assert seen["errors"] == []
    assert seen["charts"] and all(marks > 0 for marks in seen["charts"]), seen["charts"]
    assert [url for url in seen["requests"] if not url.startswith("file://")] == []
    for metric, value, place, period in SEED_FACTS:
        matches = [f for f in seen["facts"] if f[0] == metric and f[1] == value and f[2] == place]
        assert matches, f"{metric} {value} {place} missing from the page"
        if period is not None:
            assert any(f[3] == period for f in matches), (metric, [f[3] for f in matches])
        assert all(value in f[4] for f in matches)  # shown, not only in an attribute


def test_hostile_report_in_a_real_browser(hostile_tables: Path, tmp_path: Path) -> None:
    seen = _browser_page(write_report(hostile_tables, tmp_path / "report"))
    assert seen["errors"] == []  # the escaped <script> never ran, nothing was blocked
    assert seen["charts"] and all(marks > 0 for marks in seen["charts"])
    assert [url for url in seen["requests"] if not url.startswith("file://")] == []
    assert any(EVIL in f[4] for f in seen["facts"])  # shown as text


def test_the_chart_draws_levels_and_leaves_rises_and_falls_out() -> None:
    """A fall ("giảm 12 vụ so với cùng kỳ") is no month's count: the chart leaves it out
    and says so; the facts list still shows it, signed."""
    facts = pd.DataFrame(
        [_fact(0, value=120.0), _fact(1, value=12.0, change="fall"), _fact(2, value=7.0, change="rise")],
        columns=[*METRIC_COLUMNS, "change"],
    )
    drawn = report._metric_chart(facts, "arrests")
    assert drawn is not None
    _svg, caption = drawn
    assert caption.startswith("1 dated fact in counts")
    assert "2 dated rises or falls left out" in caption
    only_changes = report._metric_chart(facts[facts["change"].notna()], "arrests")
    assert only_changes is None  # no level to draw
    listed = report._facts_table(facts, {}, {})
    assert "−12" in listed and "+7" in listed and "+120" not in listed
