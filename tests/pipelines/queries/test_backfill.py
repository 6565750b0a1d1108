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


def _rollup_state(store: Store) -> list[dict[str, object]]:
    return [row for table in ("rollup_hourly", "rollup_daily") for row in store.query(
        "SELECT dimension, value, uniqCombinedMerge(14)(visitors) AS visitors, "
        "uniqCombinedMerge(14)(visits) AS visits, sum(events) AS events "
        f"FROM {table} GROUP BY dimension, value ORDER BY dimension, value")]


def test_finer_rollup_granules_keep_the_rows_and_survive_a_run_cut_short(make_store: Callable[..., Store]) -> None:
    """Migration 0012 copies the rollups into tables with 256-row granules; repeating any prefix
    of it (a run cut short) ends in the same tables, and new events still reach them."""
    store = make_store(migrated=False)
    migrate(store, [m for m in load_migrations() if m.version < 12])
    for rows in (FIRST_INSERT, SECOND_INSERT):
        store.insert("events", events_batch(rows))
    before = _rollup_state(store)
    (granules,) = [m for m in load_migrations() if m.version == 12]
    statements = granules.statements()
    exchanges = [i for i, sql in enumerate(statements) if sql.startswith("EXCHANGE")]
    for cut in (exchanges[0], exchanges[0] + 1, exchanges[1] + 1):  # before and after a swap
        for statement in statements[:cut]:
            store.command(statement)
        assert _rollup_state(store) == before  # the data is in one of the two tables all along
    assert 12 in [m.version for m in migrate(store)]
    assert _rollup_state(store) == before
    settings = store.query("SELECT name, engine_full FROM system.tables WHERE database = {db:String} "
                           "AND name IN ('rollup_hourly', 'rollup_daily')", {"db": store.database})
    assert len(settings) == 2 and all("index_granularity = 256" in row["engine_full"] for row in settings)
    assert not store.query("SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE '%_next'",
                           {"db": store.database})
    store.insert("events", events_batch(THIRD_INSERT))  # through the views made again
    query = make_query(comparison="previous")
    for module in (stats, countries):
        assert module.run(store, query).rows == module.run(store, replace(query, source="raw")).rows
