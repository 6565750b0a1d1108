"""The spool and flusher on real files and a real chDB store."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from collector.flusher import Flusher
from collector.spool import HEADER, Checkpoint, GroupCommit, Position, Spool, SpoolFull
from pipelines.events import EVENT_SCHEMA, events_batch
from pipelines.store.base import Store, StoreError

T0 = 1_780_000_000_000  # epoch ms


def rows(n: int, path: str = "/") -> list[dict[str, Any]]:
    return [{"site_id": "example.com", "timestamp": T0 + i, "event_id": str(uuid.uuid4()),
             "event_type": "pageview", "event_name": "pageview", "visitor_id": i + 1, "path": path}
            for i in range(n)]


def wait_until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def flush_all(spool: Spool, store: Store, batch_rows: int, interval: float = 0.05) -> None:
    """Run a flusher until the spool is empty, then stop it."""
    flusher = Flusher(spool, store, batch_rows=batch_rows, interval=interval)
    flusher.start()
    wait_until(lambda: spool.pending_bytes == 0)
    assert flusher.stop(drain_seconds=5)


def test_only_synced_records_are_readable(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20)
    spool.append(rows(3))
    assert spool.read(spool.checkpoint.done, 100)[0] == []
    spool.sync()
    read, end, consumed = spool.read(spool.checkpoint.done, 100)
    assert len(read) == 3 and consumed == end.offset > 0


def test_records_survive_a_crash_and_a_torn_tail_is_ignored(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20)
    first = rows(2, "/first")
    spool.append(first)
    spool.sync()
    # A crash mid-write leaves half a record at the end of the segment.
    segment = next(tmp_path.glob("*.seg"))
    with open(segment, "ab") as handle:
        handle.write(b"\x40\x00\x00\x00garbage")
    del spool  # no close(): as after kill -9
    reopened = Spool(tmp_path, max_bytes=1 << 20)
    reopened.append(rows(1, "/after"))
    reopened.sync()
    read, _, _ = reopened.read(reopened.checkpoint.done, 100)
    assert [r["path"] for r in read] == ["/first", "/first", "/after"]


def test_segments_rotate_and_are_trimmed_after_commit(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24, segment_bytes=2000)
    for _ in range(10):
        spool.append(rows(5))
    spool.sync()
    assert len(list(tmp_path.glob("*.seg"))) > 3
    read, end, consumed = spool.read(spool.checkpoint.done, 10_000)
    assert len(read) == 50
    spool.commit(Checkpoint(end), consumed)
    assert len(list(tmp_path.glob("*.seg"))) <= 2
    assert spool.pending_bytes == 0
    assert Spool(tmp_path, max_bytes=1 << 20).read(Spool(tmp_path, 1 << 20).checkpoint.done, 10)[0] == []


def test_appends_past_the_cap_are_refused(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=3000)
    spool.append(rows(5))
    with pytest.raises(SpoolFull):
        for _ in range(20):
            spool.append(rows(5))


def test_group_commit_acknowledges_after_fsync_with_few_fsyncs(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    syncs = 0
    original = spool.sync

    def counting_sync() -> Position:
        nonlocal syncs
        syncs += 1
        return original()

    spool.sync = counting_sync  # type: ignore[method-assign]

    async def many_requests() -> None:
        commit = GroupCommit(spool)
        commit.start()
        await asyncio.gather(*(commit.append(rows(1)) for _ in range(500)))
        await commit.stop()

    asyncio.run(many_requests())
    read, _, _ = spool.read(spool.checkpoint.done, 10_000)
    assert len(read) == 500
    assert syncs < 100, f"{syncs} fsyncs for 500 concurrent appends: group commit is not grouping"


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), ValueError("a bug")])
def test_a_failed_group_is_answered_with_an_error_and_the_committer_goes_on(
    tmp_path: Path, failure: Exception
) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    original = spool.write
    failures = [failure]

    def failing_once(records: list[bytes]) -> Position:
        if failures:
            raise failures.pop()
        return original(records)

    spool.write = failing_once  # type: ignore[method-assign]

    async def requests() -> list[BaseException | None]:
        commit = GroupCommit(spool)
        commit.start()
        first = await asyncio.gather(commit.append(rows(1)), return_exceptions=True)
        second = await asyncio.gather(*(commit.append(rows(1)) for _ in range(20)), return_exceptions=True)
        await commit.stop()
        return [*first, *second]

    answers = asyncio.run(requests())
    assert isinstance(answers[0], OSError)  # 503 for the client, which retries
    assert answers[1:] == [None] * 20
    read, _, _ = spool.read(spool.checkpoint.done, 10_000)
    assert len(read) == 20


def test_flusher_stores_every_row_once_and_trims(tmp_path: Path, store: Store) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24, segment_bytes=50_000)
    flusher = Flusher(spool, store, batch_rows=400, interval=0.1)
    flusher.start()
    for _ in range(30):
        spool.append(rows(40))
    spool.sync()
    wait_until(lambda: store.scalar("SELECT count() FROM events") == 1200)
    wait_until(lambda: spool.pending_bytes == 0)
    assert flusher.stop(drain_seconds=5)
    assert store.scalar("SELECT uniqExact(event_id) FROM events") == 1200
    assert len(list(tmp_path.glob("*.seg"))) <= 2


def test_a_batch_in_flight_at_a_crash_is_replayed_once(tmp_path: Path, store: Store) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    spool.append(rows(100))
    spool.sync()
    start = spool.checkpoint.done
    read, end, consumed = spool.read(start, 10_000)
    # The crash: the batch was inserted, but the process died before recording it as done.
    spool.commit(Checkpoint(start, inflight=end))
    token = f"spool-{start.segment}-{start.offset}-{end.segment}-{end.offset}-events"
    store.insert("events", events_batch(read), dedup_token=token)
    del spool
    restarted = Spool(tmp_path, max_bytes=1 << 24)
    restarted.append(rows(10, "/later"))
    restarted.sync()
    flush_all(restarted, store, batch_rows=10_000)
    assert store.scalar("SELECT count() FROM events") == 110
    assert store.scalar("SELECT uniqExact(event_id) FROM events") == 110


def test_a_store_outage_keeps_rows_in_the_spool_until_it_recovers(tmp_path: Path, store: Store) -> None:
    store.command("DETACH TABLE events")
    spool = Spool(tmp_path, max_bytes=1 << 24)
    flusher = Flusher(spool, store, batch_rows=100, interval=0.05)
    flusher.start()
    spool.append(rows(50))
    spool.sync()
    time.sleep(0.5)
    assert not flusher.store_healthy
    assert spool.pending_bytes > 0
    store.command("ATTACH TABLE events")
    wait_until(lambda: spool.pending_bytes == 0)
    assert flusher.store_healthy
    assert flusher.stop(drain_seconds=5)
    assert store.scalar("SELECT count() FROM events") == 50


def test_unflushed_rows_are_listed_for_duplicate_detection(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    batch = rows(7)
    spool.append(batch)
    spool.sync()
    assert [r["event_id"] for r in spool.unflushed_rows()] == [r["event_id"] for r in batch]


def test_stop_leaves_unwritable_rows_for_the_next_start(tmp_path: Path, store: Store) -> None:
    store.command("DETACH TABLE events")
    spool = Spool(tmp_path, max_bytes=1 << 24)
    flusher = Flusher(spool, store, batch_rows=100, interval=0.05)
    flusher.start()
    spool.append(rows(5))
    spool.sync()
    time.sleep(0.3)
    assert flusher.stop(drain_seconds=0.5) is False
    store.command("ATTACH TABLE events")
    restarted = Spool(tmp_path, max_bytes=1 << 24)
    assert restarted.checkpoint.inflight is not None
    again = Flusher(restarted, store, batch_rows=100, interval=0.05)
    again.start()
    wait_until(lambda: store.scalar("SELECT count() FROM events") == 5)
    assert again.stop(drain_seconds=5)
    assert os.listdir(tmp_path)  # the checkpoint stays


def test_rows_for_an_unknown_table_are_set_aside_not_lost(tmp_path: Path, store: Store) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    spool.append([{"_table": "no_such_table", "x": 1}])
    spool.append(rows(3, "/fine"))
    spool.sync()
    flusher = Flusher(spool, store, batch_rows=1, interval=0.05)
    flusher.start()
    wait_until(lambda: store.scalar("SELECT count() FROM events") == 3)
    assert flusher.stop(drain_seconds=5)
    [kept] = list((tmp_path / "rejected").iterdir())
    assert "no_such_table" in kept.read_text()


def test_records_are_json_lines_and_old_json_array_records_are_read(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20)
    spool.append(rows(3, "/lines"))
    spool.sync()
    segment = next(tmp_path.glob("*.seg"))
    length, _ = HEADER.unpack_from(segment.read_bytes())
    payload = segment.read_bytes()[HEADER.size:HEADER.size + length]
    assert [orjson.loads(line)["path"] for line in payload.split(b"\n")] == ["/lines"] * 3
    del spool
    # A segment left by an earlier build, whose records are JSON arrays.
    legacy = orjson.dumps(rows(2, "/array"))
    (tmp_path / f"{0:020d}.seg").write_bytes(HEADER.pack(len(legacy), zlib.crc32(legacy)) + legacy)
    reopened = Spool(tmp_path, max_bytes=1 << 20)
    payloads, _, _, count = reopened.read_payloads(reopened.checkpoint.done, 100)
    assert count == 5 and len(payloads) == 2
    read, _, _ = reopened.read(reopened.checkpoint.done, 100)
    assert [r["path"] for r in read] == ["/array"] * 2 + ["/lines"] * 3


def test_json_lines_and_arrow_inserts_store_the_same_rows(store: Store) -> None:
    assert store.json_lines_inserts
    odd = {"props": {"plan": "pro", "quote's\\": "line\nbreak \"q\"", "_table": "_table"},
           "title": "Über – \u2028 \x00", "rage_click": True, "click_x": 0.25, "screen_width": 1920}
    arrow_rows = [dict(row, **odd, event_id=str(uuid.uuid4())) for row in rows(3, "/same")]
    json_rows = [dict(row, event_id=str(uuid.uuid4())) for row in arrow_rows]
    store.insert("events", events_batch(arrow_rows))
    store.insert_json_lines("events", b"\n".join(map(orjson.dumps, json_rows)), EVENT_SCHEMA)
    columns = ", ".join(name for name in EVENT_SCHEMA.names if name != "event_id")
    stored = store.query(f"SELECT {columns} FROM events ORDER BY timestamp, event_id = {{id:String}}",
                         {"id": arrow_rows[0]["event_id"]})
    assert len(stored) == 6 and stored[0::2] == stored[1::2]


def test_a_json_lines_insert_is_deduplicated_with_arrow_inserts_of_the_same_token(store: Store) -> None:
    batch = rows(4, "/token")
    lines = b"\n".join(map(orjson.dumps, batch))
    store.insert_json_lines("events", lines, EVENT_SCHEMA, dedup_token="spool-1-0-1-99-events")
    store.insert_json_lines("events", lines, EVENT_SCHEMA, dedup_token="spool-1-0-1-99-events")
    store.insert("events", events_batch(batch), dedup_token="spool-1-0-1-99-events")
    assert store.scalar("SELECT count() FROM events") == 4
    assert store.scalar("SELECT count() FROM sessions") == store.scalar("SELECT uniqExact(visitor_id) FROM events")
    with pytest.raises(StoreError):
        store.insert_json_lines("events", orjson.dumps({"event_id": str(uuid.uuid4())}), EVENT_SCHEMA)
    assert store.scalar("SELECT count() FROM events") == 4
    assert not list((Path(store.data_dir) / "insert").iterdir())  # type: ignore[attr-defined]


def test_rows_the_store_refuses_as_json_go_as_arrow_or_are_set_aside(tmp_path: Path, store: Store) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 24)
    no_timestamp = rows(1, "/no-timestamp")[0]
    del no_timestamp["timestamp"]
    spool.append([no_timestamp])  # ClickHouse refuses it, and so does the Arrow builder
    spool.append(rows(3, "/fine"))
    spool.append([{**rows(1, "/wide")[0], "screen_width": 70_000}])  # UInt16: refused, never wrapped
    spool.sync()
    flush_all(spool, store, batch_rows=1)
    assert store.scalar("SELECT count() FROM events") == 3
    assert store.scalar("SELECT count() FROM events WHERE path = '/fine'") == 3
    kept = sorted(path.read_text() for path in (tmp_path / "rejected").iterdir())
    assert len(kept) == 2 and any("/no-timestamp" in text for text in kept)
    assert any("/wide" in text and "70000" in text for text in kept)
