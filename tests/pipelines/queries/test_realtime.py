"""Realtime panels: the minutes before `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipelines.queries import latest_events, realtime, realtime_pages
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import SITE, insert, make_query, pv


def test_visitors_pages_and_latest_events(store: Store) -> None:
    now = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)

    def ago(minutes: float) -> str:
        return (now - timedelta(minutes=minutes)).strftime("%m-%d %H:%M:%S")

    insert(store, [pv(ago(2), 1, 1, "/a", "direct"), pv(ago(4), 2, 2, "/a", "direct"),
                   pv(ago(10), 3, 3, "/b", "direct"), pv(ago(31), 4, 4, "/c", "direct"),
                   pv(ago(-1), 5, 5, "/future", "direct")])
    query = make_query()
    assert realtime.run(store, query, now=now).rows == [{"visitors_5m": 2, "visitors_30m": 3}]
    assert realtime_pages.run(store, query, now=now).rows == [{"page": "/a", "visitors": 2}]
    latest = latest_events.run(store, query, now=now).rows
    assert [row["page"] for row in latest] == ["/a", "/a", "/b"]
    assert latest[0]["timestamp"] == now - timedelta(minutes=2)
    filtered = realtime.run(store, make_query(filters={"page": "/b"}), now=now).rows
    assert filtered == [{"visitors_5m": 0, "visitors_30m": 1}]
    assert SITE == "test.example"
