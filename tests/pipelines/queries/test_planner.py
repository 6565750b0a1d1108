"""The one place that picks rollups or raw events, the filter builder, and sampling."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines import rollups
from pipelines.filters import FILTERS, FilterError, checked_filters
from pipelines.queries import PANELS, countries, stats, timeseries
from pipelines.query import Query
from pipelines.rollups import Plan, Source, plan_events, plan_first_seen, plan_visits
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import FIRST_INSERT, insert, make_query, pv


@pytest.mark.parametrize(("options", "dimension", "expected"), [
    ({}, "", Source.HOURLY),
    ({}, "page", Source.HOURLY),
    ({"filters": {"page": "/"}}, "", Source.HOURLY),  # one event filter: its own rows hold the total
    ({"filters": {"page": "/"}}, "page", Source.HOURLY),
    ({"filters": {"page": "/"}}, "country", Source.EVENTS),  # two dimensions at once
    ({"filters": {"page": "/", "country": "DE"}}, "", Source.EVENTS),
    ({"filters": {"source": "Google"}}, "source", Source.HOURLY),
    ({"filters": {"source": "Google"}}, "", Source.EVENTS),  # whole visits, not landing rows
    ({"filters": {"visitor_type": "new"}}, "", Source.EVENTS),
    ({"filters": {"utm_term": "x"}}, "", Source.EVENTS),
    ({"timezone": "Asia/Kolkata"}, "", Source.EVENTS),  # +5:30: local days are not UTC hours
    ({"timezone": "America/New_York"}, "", Source.HOURLY),
    ({"source": "raw"}, "", Source.EVENTS),
])
def test_event_panels(store: Store, options: dict[str, object], dimension: str, expected: Source) -> None:
    assert plan_events(store, make_query(**options), dimension).source is expected


def test_a_range_that_does_not_start_on_the_hour_reads_raw_events(store: Store) -> None:
    query = Query("test.example", datetime(2025, 6, 10, 9, 30), datetime(2025, 6, 10, 17, 0), "UTC")
    assert plan_events(store, query, "").source is Source.EVENTS


@pytest.mark.parametrize(("filters", "raw_filter"), [
    ({}, False),
    ({"country": "DE", "source": "Google", "visitor_type": "new"}, False),
    ({"page": "/"}, True),  # visits with an event on the page: picked from raw events
    ({"device_class": "mobile"}, True),
])
def test_visit_panels(store: Store, filters: dict[str, str], raw_filter: bool) -> None:
    plan = plan_visits(store, make_query(filters=filters))
    assert (plan.source, plan.raw_filter) == (Source.SESSIONS, raw_filter)
    # Sessions carry exact times: any time zone works.
    assert plan_visits(store, make_query(filters=filters, timezone="Asia/Kolkata")).source is Source.SESSIONS
    assert plan_visits(store, make_query(filters=filters, source="raw")).source is Source.EVENTS


def test_forcing_a_rollup_that_cannot_serve_is_an_error(store: Store) -> None:
    with pytest.raises(ValueError, match="no rollup"):
        plan_events(store, make_query(timezone="Asia/Kolkata", source="rollup"), "")
    assert plan_first_seen(store, make_query(source="raw")).source is Source.EVENTS


def test_unknown_filters_are_refused() -> None:
    with pytest.raises(FilterError, match="unknown filter 'colour'"):
        checked_filters({"colour": "red"})
    with pytest.raises(FilterError, match="new, returning"):
        checked_filters({"visitor_type": "old"})
    with pytest.raises(FilterError):
        checked_filters({"page": 3})
    assert isinstance(FilterError("x"), ValueError)  # the dashboard answers 400


def test_every_filter_the_issue_names_exists() -> None:
    named = {"page", "entry_page", "source", "medium", "search_engine", "keyword", "utm_source", "utm_medium",
             "utm_campaign", "utm_term", "utm_content", "country", "region", "city", "browser", "os", "device",
             "screen", "visitor_type"}
    assert named <= set(FILTERS)


def test_filter_values_travel_as_parameters(site: Store) -> None:
    tricky = "x' OR 1=1 --"
    for name in ("page", "source", "keyword", "screen"):
        report = stats.run(site, make_query(filters={name: tricky}))
        assert {row["metric"]: row["value"] for row in report.rows}["visitors"] == 0


def test_every_panel_is_registered_with_a_module() -> None:
    assert list(PANELS)[:2] == ["stats", "timeseries"]
    assert all(callable(panel.run) for panel in PANELS.values())


def test_sampling_reads_a_share_of_visitors_and_flags_estimates(site: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollups, "SAMPLE_EVENTS_ABOVE", 4)
    monkeypatch.setattr(rollups, "SAMPLE_VISITS_ABOVE", 2)
    query = make_query(filters={"page": "/", "country": "US"})
    report = stats.run(site, query)
    assert report.sampled > 1 and report.estimated
    assert "SAMPLE 1/" in rollups.Plan(Source.EVENTS, report.sampled).sample_sql()
    exact = stats.run(site, make_query(filters={"page": "/", "country": "US"}, sampling=False))
    assert exact.sampled == 1
    assert {row["metric"]: row["value"] for row in exact.rows}["visitors"] == 2  # visitors 2 and 7
    # Rollup panels are never sampled by the events threshold.
    assert countries.run(site, make_query()).sampled == 1
    assert timeseries.run(site, make_query(source="raw")).sampled > 1


def test_sampled_counts_are_scaled(site: Store) -> None:
    plan = Plan(Source.EVENTS, 4)
    assert plan.sample_sql() == " SAMPLE 1/4"
    assert not Plan(Source.HOURLY).sample_sql()


def test_a_retried_batch_does_not_double_the_rollups(store: Store) -> None:
    insert(store, FIRST_INSERT, token="spool-1")
    before = stats.run(store, make_query(date(2025, 6, 1), date(2025, 6, 30))).rows
    insert(store, FIRST_INSERT, token="spool-1")  # the same batch again: deduplicated
    assert stats.run(store, make_query(date(2025, 6, 1), date(2025, 6, 30))).rows == before
    counts = store.query(
        "SELECT (SELECT count() FROM events) AS events, (SELECT sum(events) FROM rollup_hourly WHERE dimension = '') "
        "AS hourly, (SELECT sum(events) FROM rollup_daily WHERE dimension = '') AS daily, "
        "(SELECT sum(events) FROM sessions) AS sessions")
    assert counts == [{"events": len(FIRST_INSERT), "hourly": len(FIRST_INSERT), "daily": len(FIRST_INSERT),
                       "sessions": len(FIRST_INSERT)}]


def test_large_row_counts_are_reused_briefly_and_small_ones_never(site: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def expected(query: Query) -> int:  # the sampling the sessions rows in the range call for right now
        rows = site.scalar("SELECT count() FROM sessions WHERE site_id = {site:String} "
                           "AND day BETWEEN {day_from:Date} AND {day_to:Date}", rollups.base_params(query))
        return max(1, -(-int(rows) // rollups.SAMPLE_VISITS_ABOVE))

    def more_visits(offset: int) -> None:
        insert(site, [dict(row, session_id=row["session_id"] + offset) for row in FIRST_INSERT])

    june, month = make_query(), make_query(date(2025, 6, 1), date(2025, 6, 30))
    monkeypatch.setattr(rollups, "SAMPLE_VISITS_ABOVE", 4)  # the site's sessions rows are "large"
    sampled = plan_visits(site, june).sample
    assert sampled == expected(june) > 1
    more_visits(1000)
    assert plan_visits(site, june).sample == sampled < expected(june)  # reused for ESTIMATE_SECONDS
    monkeypatch.setattr(rollups, "ESTIMATE_SECONDS", 0.0)
    assert plan_visits(site, june).sample == expected(june)
    monkeypatch.setattr(rollups, "ESTIMATE_SECONDS", 3600.0)
    monkeypatch.setattr(rollups, "SAMPLE_VISITS_ABOVE", 10**6)  # small against its threshold: not kept
    assert plan_visits(site, month).sample == 1
    more_visits(2000)
    monkeypatch.setattr(rollups, "SAMPLE_VISITS_ABOVE", 4)
    assert plan_visits(site, month).sample == expected(month) > sampled  # counted afresh


def _granules_read(store: Store, where: str, params: dict[str, object]) -> tuple[int, int]:
    """(granules the primary key selects, granules of the parts) for a count over raw events."""
    explain = store.query(f"EXPLAIN indexes = 1 SELECT count() FROM events WHERE {where}", params)
    lines = [row["explain"].strip("│├└─ ") for row in explain]
    key = lines.index("PrimaryKey")
    selected, total = next(line for line in lines[key:] if line.startswith("Granules:")).split()[1].split("/")
    return int(selected), int(total)


def test_raw_event_ranges_let_the_primary_key_skip_other_days(store: Store) -> None:
    # Four days of 12k page views in one part (one month): 6 granules of 8192 rows, in day order.
    # Bounds on `timestamp` alone would select all of them; the stated days select the day's own.
    insert(store, [pv(f"06-{day} {minute // 60 % 24:02d}:{minute % 60:02d}", minute, minute)
                   for day in (10, 11, 12, 13) for minute in range(12_000)])
    query = make_query(date(2025, 6, 13), date(2025, 6, 13), timezone="UTC")
    where = rollups.events_where(query, Plan(Source.EVENTS))
    assert _granules_read(store, where.where(), where.params) == (2, 6)  # rows 36,000-47,999
    assert store.scalar(f"SELECT count() FROM events WHERE {where.where()}", where.params) == 12_000
    # The visits' window: the range and one margin day each side (rows 24,000-47,999).
    assert _granules_read(store, rollups.EVENT_WINDOW, rollups.base_params(query)) == (4, 6)
