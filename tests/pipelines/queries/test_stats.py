"""Headline numbers on the hand-built site (see conftest.py for the data and the periods)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pipelines.queries import stats
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import make_query


def _values(report: stats.Report) -> dict[str, object]:
    return {row["metric"]: row["value"] for row in report.rows}


def test_headline_numbers_with_the_previous_period(site: Store) -> None:
    report = stats.run(site, make_query(comparison="previous"))
    rows = {row["metric"]: row for row in report.rows}
    # In range: visitors 1-8. New: 2, 3, 4, 5 and 7 (first events inside the range); 1 (June 1),
    # 6 (first event 23:50 local on June 9) and 8 (first event June 5, inserted last) return.
    assert rows["visitors"]["value"] == 8
    assert rows["new_visitors"]["value"] == 5
    assert rows["returning_visitors"]["value"] == 3
    # Visits starting in range: s12 s21 s31 s41 s51 s71 s81 (s61 began on June 9, local time).
    assert rows["visits"]["value"] == 7
    assert rows["pageviews"]["value"] == 10
    # Page views in those visits: 2+1+1+1+2+1+1.
    assert rows["pages_per_visit"]["value"] == 1.29
    # Bounces: s21 (3 s), s71 (8 s, its report after the range still counts), s81 (no report).
    assert rows["bounce_rate"]["value"] == 0.4286
    # Durations 150 + 3 + 12 + 20 + 1800 + 600 + 0 = 2585 s over 7 visits.
    assert rows["visit_duration"]["value"] == 369.3
    # Visible time 5 + 20 + 3 + 12 s in range (s71's report is after it), over 10 page views.
    assert rows["time_on_page"]["value"] == 4.0
    # Previous period (June 8-9 local): visitors 6 and 9, both new; s61 (2 page views, 20 min)
    # and s91 (a bounce).
    assert rows["visitors"]["previous"] == 2
    assert rows["new_visitors"]["previous"] == 2
    assert rows["returning_visitors"]["previous"] == 0
    assert rows["visits"]["previous"] == 2
    assert rows["bounce_rate"]["previous"] == 0.5
    assert rows["visit_duration"]["previous"] == 600.0
    assert rows["pages_per_visit"]["previous"] == 1.5
    assert rows["visitors"]["change"] == 3.0
    assert rows["returning_visitors"]["change"] is None  # nothing to compare with
    assert not report.estimated


def test_rollups_serve_the_unfiltered_view(site: Store) -> None:
    report = stats.run(site, make_query())
    assert set(report.sources) == {"rollup_hourly/daily", "sessions", "visitor_first_seen"}


def test_same_period_last_year_has_no_data(site: Store) -> None:
    rows = {row["metric"]: row for row in stats.run(site, make_query(comparison="year")).rows}
    assert rows["visitors"]["previous"] == 0
    assert rows["visitors"]["change"] is None


def test_an_empty_range_is_all_zeros(site: Store) -> None:
    values = _values(stats.run(site, make_query(date(2024, 1, 1), date(2024, 1, 31))))
    assert values == {"visitors": 0, "new_visitors": 0, "returning_visitors": 0, "visits": 0, "pageviews": 0,
                      "pages_per_visit": 0.0, "bounce_rate": 0.0, "visit_duration": 0.0, "time_on_page": 0.0}


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_filtered_by_country(site: Store, source: str) -> None:
    values = _values(stats.run(site, make_query(filters={"country": "DE"}, source=source)))
    # DE: visitors 1, 5, 6 in range; visits s12, s51 start in range; of their visitors only 5 is new.
    assert values["visitors"] == 3
    assert values["pageviews"] == 5
    assert values["visits"] == 2
    assert values["new_visitors"] == 1
    assert values["returning_visitors"] == 2
    assert values["bounce_rate"] == 0.0


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_new_and_returning_filters(site: Store, source: str) -> None:
    new = _values(stats.run(site, make_query(filters={"visitor_type": "new"}, source=source)))
    assert (new["visitors"], new["pageviews"], new["new_visitors"]) == (5, 6, 5)
    # Their visits: s21 s31 s41 s51 s71; bounces s21 and s71.
    assert (new["visits"], new["bounce_rate"]) == (5, 0.4)
    returning = _values(stats.run(site, make_query(filters={"visitor_type": "returning"}, source=source)))
    assert (returning["visitors"], returning["pageviews"], returning["new_visitors"]) == (3, 4, 0)
    assert returning["visits"] == 2  # s12 and s81


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_filtered_by_source_keeps_whole_visits(site: Store, source: str) -> None:
    values = _values(stats.run(site, make_query(filters={"source": "Google"}, source=source)))
    # Visit s12 landed from Google: all of its events count, including /pricing.
    assert (values["visitors"], values["pageviews"], values["visits"]) == (1, 2, 1)
    assert values["visit_duration"] == 150.0


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_filtered_by_page(site: Store, source: str) -> None:
    values = _values(stats.run(site, make_query(filters={"page": "/pricing"}, source=source)))
    # Events on /pricing: visitors 1, 5, 8; visits including such an event: s12, s51, s81.
    assert (values["visitors"], values["pageviews"], values["visits"]) == (3, 3, 3)
    assert values["bounce_rate"] == round(1 / 3, 4)  # s81


def test_kolkata_falls_back_to_raw_events_but_keeps_visits_from_the_rollup(site: Store) -> None:
    report = stats.run(site, make_query(timezone="Asia/Kolkata"))
    assert "events" in report.sources and "sessions" in report.sources
    # Kolkata is UTC+5:30: June 10-11 local = UTC [06-09 18:30, 06-11 18:30).
    values = _values(report)
    assert values["visitors"] == 7  # visitor 7 (21:55 June 11) falls outside; visitor 6 inside
    assert values["visits"] == 7  # s61 now starts inside, s71 outside


@pytest.mark.parametrize("filters", [
    {"page": "/pricing", "country": "DE"},
    {"device_class": "mobile", "country": "US"},
    {"page": "/", "device": "desktop", "browser": "Firefox"},
    {"page": "/pricing", "device_class": "desktop"},  # two per-event filters: not joined
])
def test_page_filters_joined_to_visits_equal_raw_events(site: Store, filters: dict[str, str]) -> None:
    """With one page (or device class) filter, the event and visit parts come from one pass over
    raw events joined to the sessions rollup: the same numbers as from raw events alone."""
    query = make_query(filters=filters, comparison="previous")
    auto = stats.run(site, query)
    assert "sessions" in auto.sources
    assert auto.rows == stats.run(site, replace(query, source="raw")).rows
