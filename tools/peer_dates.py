"""The peer for dates: `dateparser.search.search_dates` on the same stored article texts.

`make eval` scores it with the same scorer, beside solieu's own dates. dateparser gives a
datetime per match, so every match is a single day (it has no month or year granularity).
"""

from __future__ import annotations

import logging
import warnings
from datetime import datetime

import pandas as pd
import pyarrow as pa

from transform.schemas import DATES


def search_dates_table(articles: pd.DataFrame) -> pa.Table:
    """A `dates` table of what dateparser finds, relative to each article's publication date."""
    from dateparser.search import search_dates

    logging.getLogger("dateparser").setLevel(logging.ERROR)
    rows = []
    for article in articles.itertuples():
        published = article.published_date
        base = datetime(published.year, published.month, published.day) if pd.notna(published) else None
        settings = {"RELATIVE_BASE": base} if base else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = search_dates(article.text, languages=["vi"], settings=settings) or []
        cursor = 0
        for index, (quote, moment) in enumerate(found):
            start = article.text.find(quote, cursor)
            if start < 0:
                continue
            cursor = start + len(quote)
            rows.append(
                {
                    "date_id": f"{article.article_id}-peer-{index}",
                    "article_id": article.article_id,
                    "char_start": start,
                    "char_end": cursor,
                    "text": quote,
                    "start_date": moment.date(),
                    "end_date": moment.date(),
                    "granularity": "day",
                    "year_inferred": False,
                }
            )
    return pa.Table.from_pylist(rows, schema=DATES)
