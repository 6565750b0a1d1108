"""Move synced spool records into ClickHouse in batches, then trim the spool.

A batch is written when 5,000 rows are waiting or a second has passed. Before each insert the
batch's exact range is recorded as in flight, and the insert carries a deduplication token made
from that range: after a crash the same range is replayed with the same token, so ClickHouse
keeps it once. While the store fails, whatever the reason, the flusher retries with backoff and
the spool grows: an acknowledged event is never dropped for a store error.

Event rows go to a store that can parse JSON itself (the embedded chDB) as the spooled JSON lines,
unparsed: building Arrow batches row by row in Python held the GIL for about 15 µs per event,
time the event loop then waited for. Should the store refuse them, the batch is retried as Arrow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa

from collector.spool import Checkpoint, Position, Spool, decode
from pipelines.batches import DEFAULT_TABLE, TABLE_KEY, batches_by_table
from pipelines.events import EVENT_SCHEMA
from pipelines.store.base import Store, StoreError

log = logging.getLogger("footfall.flusher")

MAX_BACKOFF_SECONDS = 5.0
BAD_BATCH = (ValueError, TypeError, KeyError, pa.ArrowException)  # what building a batch raises for bad rows


class Flusher:
    def __init__(
        self,
        spool: Spool,
        store: Store,
        batch_rows: int = 5000,
        interval: float = 1.0,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        self.spool = spool
        self.store = store
        self.batch_rows = batch_rows
        self.interval = interval
        self._observe = observe or (lambda name, value: None)
        self._stop = threading.Event()
        self._drain_deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name="footfall-flusher", daemon=True)
        self._bytes_per_row = 500.0  # of spooled records, learnt from each read
        self.store_healthy = True

    def start(self) -> None:
        self._thread.start()

    def stop(self, drain_seconds: float) -> bool:
        """Flush what is spooled for up to `drain_seconds`; True when the spool is empty.

        Anything not flushed stays in the spool and is replayed at the next start.
        """
        self._drain_deadline = time.monotonic() + drain_seconds
        self._stop.set()
        self.spool.wake()
        self._thread.join(drain_seconds + 5)
        return self.spool.pending_bytes == 0

    def _run(self) -> None:
        checkpoint = self.spool.checkpoint
        if checkpoint.inflight is not None:
            payloads, _, consumed, count = self.spool.read_payloads(checkpoint.done, 0, end=checkpoint.inflight)
            if not self._write(checkpoint.done, checkpoint.inflight, payloads, count, consumed):
                return
        last_flush = time.monotonic()
        while True:
            self._gather(last_flush)
            start = self.spool.checkpoint.done
            payloads, end, consumed, count = self.spool.read_payloads(start, self.batch_rows)
            if not payloads:
                if self._stop.is_set():
                    return
                self.spool.wait_for_data(start, timeout=self.interval)
                continue
            self._bytes_per_row = max(1.0, consumed / max(1, count))
            if not self._write(start, end, payloads, count, consumed):
                return
            last_flush = time.monotonic()

    def _gather(self, last_flush: float) -> None:
        """Wait until a batch's worth of data is spooled, the interval is up, or we stop."""
        while not self._stop.is_set() and self.spool.pending_bytes < self.batch_rows * self._bytes_per_row:
            remaining = self.interval - (time.monotonic() - last_flush)
            if remaining <= 0:
                return
            self._stop.wait(min(remaining, 0.05))

    def _write(self, start: Position, end: Position, payloads: list[bytes], count: int, consumed: int) -> bool:
        """Insert one batch until it succeeds; False when shutting down with it unwritten."""
        as_json = self.store.json_lines_inserts
        batches = self._batches_or_set_aside(start, end, payloads, count, consumed, as_json)
        if batches is None:
            return True
        self.spool.commit(Checkpoint(start, inflight=end))
        token = f"spool-{start.segment}-{start.offset}-{end.segment}-{end.offset}"
        backoff = 0.1
        while True:
            began = time.perf_counter()
            try:
                # One token per table: after a partial success, the retry re-inserts every table
                # and ClickHouse drops the ones that already went in.
                for table, batch in batches.items():
                    if isinstance(batch, bytes):
                        self.store.insert_json_lines(table, batch, EVENT_SCHEMA, dedup_token=f"{token}-{table}")
                    else:
                        self.store.insert(table, batch, dedup_token=f"{token}-{table}")
            except StoreError as exc:
                if as_json:
                    # The store may be down, or it refused the rows themselves. From now on this
                    # batch goes as Arrow, built row by row in Python: rows that cannot be built are
                    # set aside, and the retries below are only ever about the store.
                    log.warning("store did not take %d rows as JSON lines, trying Arrow: %s", count, exc)
                    as_json = False
                    batches = self._batches_or_set_aside(start, end, payloads, count, consumed, as_json)
                    if batches is None:
                        return True
                    continue
                # Down, overloaded or a table detached: all pass, so retry and let the spool grow.
                self.store_healthy = False
                log.warning("store did not take %d rows (retrying in %.1fs): %s", count, backoff, exc)
                if self._stop.is_set() and time.monotonic() >= self._drain_deadline:
                    return False
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            self._observe("flush_seconds", time.perf_counter() - began)
            self._observe("flushed_rows", count)
            self.store_healthy = True
            self.spool.commit(Checkpoint(end), consumed)
            return True

    def _batches_or_set_aside(self, start: Position, end: Position, payloads: list[bytes], count: int,
                              consumed: int, as_json: bool) -> dict[str, pa.Table | bytes] | None:
        """The range's batches; None when its rows cannot form them, which retrying cannot change:
        then they are kept on disk (see `_set_aside`) and the spool moves past them."""
        try:
            return _batches(payloads, as_json)
        except BAD_BATCH as exc:
            self._set_aside(start, payloads, count, exc)
            self.spool.commit(Checkpoint(end), consumed)
            return None

    def _set_aside(self, start: Position, payloads: list[bytes], count: int, error: Exception) -> None:
        folder = self.spool.directory / "rejected"
        folder.mkdir(exist_ok=True)
        path = folder / f"{start.segment}-{start.offset}.json"
        try:
            kept: dict[str, Any] = {"rows": [row for payload in payloads for row in decode(payload)]}
        except ValueError:  # not even JSON: keep the records as they are
            kept = {"records": [payload.decode("utf-8", "replace") for payload in payloads]}
        path.write_bytes(orjson.dumps({"error": str(error), **kept}))
        self._observe("rejected_rows", count)
        log.error("%d spooled rows could not form a batch (%s); kept in %s", count, error, path)


def _batches(payloads: list[bytes], as_json: bool) -> dict[str, pa.Table | bytes]:
    """The batch of each table: Arrow tables, or with `as_json` the `events` rows as JSON lines.

    A record holds the rows of one request. A record of event rows is passed on as it is; one
    that may hold rows of other tables (or an old JSON array) is parsed, and its event rows
    are written out again as lines. Raises what the Arrow builders raise for impossible rows.
    """
    if not as_json:
        return dict(batches_by_table([row for payload in payloads for row in decode(payload)]))
    lines: list[bytes] = []
    others: list[dict[str, Any]] = []
    for payload in payloads:
        # Only rows of other tables carry the key; a props value may happen to look like it too,
        # in which case the record is merely parsed for nothing.
        if payload[:1] != b"[" and b'"_table"' not in payload:
            lines.append(payload)
            continue
        for row in decode(payload):
            if row.get(TABLE_KEY, DEFAULT_TABLE) == DEFAULT_TABLE:
                lines.append(orjson.dumps(row))
            else:
                others.append(row)
    batches: dict[str, pa.Table | bytes] = dict(batches_by_table(others))
    if lines:
        batches[DEFAULT_TABLE] = b"\n".join(lines)
    return batches
