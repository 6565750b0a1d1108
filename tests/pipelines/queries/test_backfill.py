"""An existing install gets its rollups filled from the events it already has."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pipelines.events import events_batch
from pipelines.migrate import load_migrations, migrate
from pipelines.queries import countries, stats
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import FIRST_INSERT, SECOND_INSERT, THIRD_INSERT, make_query


def test_migrations_backfill_the_rollups(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    migrate(store, [m for m in load_migrations() if m.version < 5])
    for rows in (FIRST_INSERT, SECOND_INSERT, THIRD_INSERT):
        store.insert("events", events_batch(rows))
    applied = [m.version for m in migrate(store)]
    assert {5, 6, 7, 8} <= set(applied)
    query = make_query(comparison="previous")
    for module in (stats, countries):
        auto = module.run(store, query)
        assert "events" not in auto.sources
        assert auto.rows == module.run(store, replace(query, source="raw")).rows
    assert {row["metric"]: row["value"] for row in stats.run(store, query).rows}["new_visitors"] == 5
