"""The store's contract, on real chDB and (when FOOTFALL_TEST_CLICKHOUSE_URL is set) a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.events import EVENT_SCHEMA, events_batch
from pipelines.migrate import migrate
from pipelines.store.base import Store, StoreError

SERVER_URL = os.environ.get("FOOTFALL_TEST_CLICKHOUSE_URL", "")


@pytest.fixture(params=["embedded", "server"])
def any_store(request: pytest.FixtureRequest, make_store: Callable[..., Store]) -> Iterator[Store]:
    if request.param == "embedded":
        yield make_store()
        return
    if not SERVER_URL:
        pytest.skip("FOOTFALL_TEST_CLICKHOUSE_URL is not set: no ClickHouse server to test against here")
    from pipelines.store.server import ServerStore, parse_server_url

    store = ServerStore(parse_server_url(SERVER_URL, database=f"t_{uuid.uuid4().hex[:12]}"))
    migrate(store)
    yield store
    store.command(f"DROP DATABASE IF EXISTS {store.database}")
    store.close()


def _event(**overrides: object) -> dict[str, object]:
    return {"site_id": "example.com", "timestamp": datetime(2026, 3, 1, 12, tzinfo=UTC),
            "event_id": str(uuid.uuid4()), "event_type": "pageview", "event_name": "pageview",
            "visitor_id": 42, "path": "/", **overrides}


# Text that ClickHouse must get back exactly: quotes, backslashes, tabs, newlines, NUL, unicode.
tricky_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=tricky_text, items=st.lists(tricky_text, max_size=5))
def test_typed_parameters_come_back_unchanged(any_store: Store, text: str, items: list[str]) -> None:
    row = any_store.query("SELECT {s:String} AS s, {a:Array(String)} AS a", {"s": text, "a": items})[0]
    assert row == {"s": text, "a": items}


def test_sql_in_a_parameter_stays_a_value(any_store: Store) -> None:
    any_store.insert("events", events_batch([_event(path="/a"), _event(path="/b")]))
    hostile = "/a' OR 1=1 --"
    count = any_store.scalar("SELECT count() FROM events WHERE path = {p:String}", {"p": hostile})
    assert count == 0
    assert any_store.scalar("SELECT count() FROM events WHERE path = {p:String}", {"p": "/a"}) == 1


def test_insert_batch_round_trips_every_event_column(any_store: Store) -> None:
    full = _event(props={"plan": "pro", "ünïcode": "値"}, click_x=0.25, click_y=1200, rage_click=True,
                  engagement_ms=12_345, scroll_depth=80, country="VN", screen_width=390)
    any_store.insert("events", events_batch([full, _event()]))
    rows = any_store.query(
        "SELECT toString(event_id) AS event_id, props, click_x, click_y, rage_click, engagement_ms, "
        "scroll_depth, country, screen_width, timestamp FROM events ORDER BY rage_click DESC"
    )
    assert len(rows) == 2
    first = rows[0]
    assert first["event_id"] == full["event_id"]
    assert dict(first["props"]) == {"plan": "pro", "ünïcode": "値"}
    assert first["click_x"] == pytest.approx(0.25)
    assert (first["click_y"], first["rage_click"], first["engagement_ms"]) == (1200, True, 12_345)
    assert (first["scroll_depth"], first["country"], first["screen_width"]) == (80, "VN", 390)
    assert first["timestamp"] == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_event_schema_matches_the_events_table(any_store: Store) -> None:
    columns = {r["name"] for r in any_store.query(
        "SELECT name FROM system.columns WHERE database = {db:String} AND table = 'events'",
        {"db": any_store.database})}
    assert set(EVENT_SCHEMA.names) <= columns
    # Only columns filled by ClickHouse itself are left out of insert batches.
    assert columns - set(EVENT_SCHEMA.names) == {"ingested_at"}


def test_a_retried_batch_with_the_same_token_is_stored_once(any_store: Store) -> None:
    batch = events_batch([_event(), _event()])
    any_store.insert("events", batch, dedup_token="spool-batch-1")
    any_store.insert("events", batch, dedup_token="spool-batch-1")
    any_store.insert("events", events_batch([_event()]), dedup_token="spool-batch-2")
    assert any_store.scalar("SELECT count() FROM events") == 3


def test_an_empty_batch_is_a_no_op(any_store: Store) -> None:
    any_store.insert("events", pa.table({n: [] for n in EVENT_SCHEMA.names}, schema=EVENT_SCHEMA))
    assert any_store.scalar("SELECT count() FROM events") == 0


def test_readonly_raw_refuses_writes_but_reads(any_store: Store) -> None:
    any_store.insert("events", events_batch([_event()]))
    assert any_store.raw("SELECT count() FROM events", "CSV", readonly=True).strip() == b"1"
    for statement in ["DROP TABLE events", "INSERT INTO sites (site_id) VALUES ('x')",
                      "ALTER TABLE events DELETE WHERE 1", "SELECT 1 SETTINGS readonly=0"]:
        with pytest.raises(StoreError, match="readonly"):
            any_store.raw(statement, "CSV", readonly=True)
    assert any_store.scalar("SELECT count() FROM events") == 1


def test_errors_carry_clickhouse_message(any_store: Store) -> None:
    with pytest.raises(StoreError, match="UNKNOWN_TABLE|doesn't exist|does not exist"):
        any_store.query("SELECT * FROM no_such_table")


def test_parameterized_queries_from_many_threads_do_not_race(store: Store) -> None:
    wrong: list[tuple[int, object]] = []

    def worker(base: int) -> None:
        for i in range(40):
            got = store.scalar("SELECT {v:UInt32} * 2", {"v": base + i})
            if got != (base + i) * 2:
                wrong.append((base + i, got))

    threads = [threading.Thread(target=worker, args=(n * 1000,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_another_process_gets_a_clear_error_for_a_held_data_dir(chdb_dir: Path, store: Store) -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from pipelines.store.embedded import EmbeddedStore, DataDirInUse\n"
        "try:\n    EmbeddedStore(Path(sys.argv[1]), 'x')\n"
        "except DataDirInUse as exc:\n    print(exc); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(chdb_dir)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 3, result.stderr
    assert "in use by another Footfall process" in result.stdout
    assert f"pid {os.getpid()}" in result.stdout
