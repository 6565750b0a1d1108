"""Top lists, the graph and hour × weekday on the hand-built site (conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.queries import (
    countries,
    entry_pages,
    exit_pages,
    hour_weekday,
    keywords,
    mediums,
    pages,
    search_engine_visits,
    search_engines,
    sources,
    timeseries,
)
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import make_query


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_timeseries_by_local_day(site: Store, source: str) -> None:
    rows = timeseries.run(site, make_query(source=source)).rows
    # Local June 10 (UTC 06-09 22:00 …): visitors 6 (/about at 00:10 local), 1, 2, 3, 4.
    # Local June 11: visitor 5 (both page views, across UTC midnight), 8 and 7 (23:55 local).
    assert rows == [
        {"bucket": "2025-06-10", "visitors": 5, "visits": 5, "pageviews": 6},
        {"bucket": "2025-06-11", "visitors": 3, "visits": 3, "pageviews": 4},
    ]


def test_timeseries_lists_empty_buckets_and_compares(site: Store) -> None:
    rows = timeseries.run(site, make_query(date(2025, 6, 8), date(2025, 6, 11), comparison="previous")).rows
    assert [row["bucket"] for row in rows] == ["2025-06-08", "2025-06-09", "2025-06-10", "2025-06-11"]
    assert rows[0]["visitors"] == 1  # visitor 9
    assert rows[1]["visitors"] == 1  # visitor 6 at 23:50 local
    # The previous four days (June 4-7) hold visitor 8's first event, on June 5.
    assert [row["previous"]["visitors"] for row in rows] == [0, 1, 0, 0]
    assert rows[1]["previous"]["bucket"] == "2025-06-05"


def test_timeseries_by_hour_uses_local_hours(site: Store) -> None:
    rows = timeseries.run(site, make_query(date(2025, 6, 10), date(2025, 6, 10), interval="hour")).rows
    assert len(rows) == 24
    busy = {row["bucket"]: row["pageviews"] for row in rows if row["pageviews"]}
    assert busy == {"2025-06-10 00:00": 1, "2025-06-10 10:00": 2, "2025-06-10 14:00": 1,
                    "2025-06-10 15:00": 1, "2025-06-10 16:00": 1}


def test_timeseries_by_week_and_month(site: Store) -> None:
    weeks = timeseries.run(site, make_query(date(2025, 6, 1), date(2025, 6, 30), interval="week")).rows
    assert [row["bucket"] for row in weeks] == ["2025-05-26", "2025-06-02", "2025-06-09", "2025-06-16",
                                                "2025-06-23", "2025-06-30"]
    # Week of June 2 (local): visitors 8 (June 5) and 9; visitor 1's June 1 is in the week before.
    assert [row["visitors"] for row in weeks] == [1, 2, 8, 1, 0, 0]
    months = timeseries.run(site, make_query(date(2025, 6, 1), date(2025, 6, 30), interval="month")).rows
    assert months == [{"bucket": "2025-06-01", "visitors": 9, "visits": 12, "pageviews": 15}]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_pages(site: Store, source: str) -> None:
    assert pages.run(site, make_query(source=source)).rows == [
        {"page": "/", "visitors": 4, "pageviews": 4, "time_on_page": 2.0},
        {"page": "/pricing", "visitors": 3, "pageviews": 3, "time_on_page": 6.7},
        {"page": "/about", "visitors": 1, "pageviews": 1, "time_on_page": 0.0},
        {"page": "/blog", "visitors": 1, "pageviews": 1, "time_on_page": 12.0},
        {"page": "/docs", "visitors": 1, "pageviews": 1, "time_on_page": 0.0},
    ]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_entry_and_exit_pages(site: Store, source: str) -> None:
    query = make_query(source=source)
    assert entry_pages.run(site, query).rows == [
        {"page": "/", "visitors": 4, "visits": 4},
        {"page": "/blog", "visitors": 1, "visits": 1},
        {"page": "/docs", "visitors": 1, "visits": 1},
        {"page": "/pricing", "visitors": 1, "visits": 1},
    ]
    # Last page views of s12 s21 s31 s41 s51 s71 s81.
    assert exit_pages.run(site, query).rows == [
        {"page": "/", "visitors": 3, "exits": 3},
        {"page": "/pricing", "visitors": 3, "exits": 3},
        {"page": "/blog", "visitors": 1, "exits": 1},
    ]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_sources_mediums_engines_keywords(site: Store, source: str) -> None:
    query = make_query(source=source)
    assert sources.run(site, query).rows == [
        {"source": "", "visitors": 4, "visits": 4},
        {"source": "Facebook", "visitors": 1, "visits": 1},
        {"source": "Google", "visitors": 1, "visits": 1},
        {"source": "Newsletter", "visitors": 1, "visits": 1},
    ]
    assert [(r["medium"], r["visits"]) for r in mediums.run(site, query).rows] == [
        ("direct", 4), ("email", 1), ("search", 1), ("social", 1)]
    assert search_engines.run(site, query).rows == [{"search_engine": "Google", "visitors": 1, "visits": 1}]
    assert keywords.run(site, query).rows == [{"keyword": "analytics", "visitors": 1, "visits": 1}]
    assert search_engine_visits.run(site, query).rows == [
        {"bucket": "2025-06-10", "search_engine": "Google", "visits": 1, "visitors": 1}]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_countries(site: Store, source: str) -> None:
    assert countries.run(site, make_query(source=source)).rows == [
        {"country": "DE", "visitors": 3, "pageviews": 5},
        {"country": "US", "visitors": 3, "pageviews": 3},
        {"country": "FR", "visitors": 1, "pageviews": 1},
        {"country": "VN", "visitors": 1, "pageviews": 1},
    ]


def test_a_filter_on_the_lists_own_dimension_stays_on_the_rollup(site: Store) -> None:
    report = countries.run(site, make_query(filters={"country": "US"}))
    assert report.sources == ("rollup_hourly/daily",)
    assert report.rows == [{"country": "US", "visitors": 3, "pageviews": 3}]
    other = pages.run(site, make_query(filters={"country": "US"}))
    assert other.sources == ("events",)
    assert [row["page"] for row in other.rows] == ["/", "/blog"]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_hour_of_day_by_weekday(site: Store, source: str) -> None:
    rows = hour_weekday.run(site, make_query(source=source)).rows
    assert len(rows) == 168
    busy = {(row["weekday"], row["hour"]): (row["visitors"], row["pageviews"]) for row in rows if row["visitors"]}
    # June 10, 2025 is a Tuesday (2). Visitor 1 at 10:00 local, 2 at 14:00, 3 at 15:00, 4 at 16:00,
    # 6 at 00:10; Wednesday: 5 at 01:50 and 02:20, 8 at 11:00, 7 at 23:55.
    assert busy == {(2, 0): (1, 1), (2, 10): (1, 2), (2, 14): (1, 1), (2, 15): (1, 1), (2, 16): (1, 1),
                    (3, 1): (1, 1), (3, 2): (1, 1), (3, 11): (1, 1), (3, 23): (1, 1)}


def test_lists_of_an_empty_range_are_empty(site: Store) -> None:
    query = make_query(date(2024, 1, 1), date(2024, 1, 2))
    for module in (pages, entry_pages, exit_pages, sources, countries, keywords):
        assert module.run(site, query).rows == []
    assert [row["visitors"] for row in timeseries.run(site, query).rows] == [0, 0]
