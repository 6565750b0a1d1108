"""Query: local dates to UTC ranges, comparison periods, buckets, hour alignment."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipelines.query import Query


def test_local_days_become_a_utc_range() -> None:
    start, end = Query("s", date(2025, 6, 10), date(2025, 6, 11), "Europe/Berlin").bounds()
    assert (start, end) == (datetime(2025, 6, 9, 22, tzinfo=UTC), datetime(2025, 6, 11, 22, tzinfo=UTC))
    start, end = Query("s", date(2025, 6, 10), date(2025, 6, 10), "Asia/Kolkata").bounds()
    assert (start, end) == (datetime(2025, 6, 9, 18, 30, tzinfo=UTC), datetime(2025, 6, 10, 18, 30, tzinfo=UTC))


def test_datetimes_are_instants_with_an_exclusive_end() -> None:
    query = Query("s", datetime(2025, 6, 10, 9), datetime(2025, 6, 10, 10), "Europe/Berlin")
    assert query.bounds() == (datetime(2025, 6, 10, 7, tzinfo=UTC), datetime(2025, 6, 10, 8, tzinfo=UTC))


def test_a_dst_day_has_23_hours() -> None:
    query = Query("s", date(2025, 3, 30), date(2025, 3, 30), "Europe/Berlin", interval="hour")
    start, end = query.bounds()
    assert end - start == (datetime(2025, 3, 30, 22, tzinfo=UTC) - datetime(2025, 3, 29, 23, tzinfo=UTC))
    assert len(query.buckets()) == 23
    assert query.hour_aligned()


def test_comparison_periods() -> None:
    query = Query("s", date(2025, 6, 10), date(2025, 6, 16), comparison="previous")
    previous = query.compared()
    assert previous is not None
    assert (previous.date_from, previous.date_to, previous.comparison) == (date(2025, 6, 3), date(2025, 6, 9), None)
    year = Query("s", date(2024, 2, 29), date(2024, 3, 1), comparison="year").compared()
    assert year is not None and (year.date_from, year.date_to) == (date(2023, 2, 28), date(2023, 3, 1))
    assert Query("s", date(2025, 6, 10), date(2025, 6, 10)).compared() is None


def test_buckets() -> None:
    assert Query("s", date(2025, 6, 30), date(2025, 7, 2)).buckets() == ["2025-06-30", "2025-07-01", "2025-07-02"]
    assert Query("s", date(2025, 6, 1), date(2025, 8, 10), interval="month").buckets() == [
        "2025-06-01", "2025-07-01", "2025-08-01"]
    assert Query("s", date(2025, 6, 11), date(2025, 6, 18), interval="week").buckets() == ["2025-06-09", "2025-06-16"]


def test_hour_alignment() -> None:
    assert Query("s", date(2025, 6, 10), date(2025, 6, 11), "America/New_York").hour_aligned()
    assert not Query("s", date(2025, 6, 10), date(2025, 6, 11), "Asia/Kolkata").hour_aligned()
    assert not Query("s", datetime(2025, 6, 10, 9, 15), datetime(2025, 6, 10, 10), "UTC").hour_aligned()


@pytest.mark.parametrize("bad", [
    {"timezone": "Mars/Olympus"}, {"interval": "minute"}, {"comparison": "last_week"}, {"source": "cache"},
    {"date_to": date(2025, 6, 9)},
])
def test_invalid_queries(bad: dict[str, object]) -> None:
    options: dict[str, object] = {"date_from": date(2025, 6, 10), "date_to": date(2025, 6, 11), **bad}
    with pytest.raises(ValueError):
        Query("s", **options)  # type: ignore[arg-type]
