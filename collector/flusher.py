"""Move synced spool records into ClickHouse in batches, then trim the spool.

A batch is written when 5,000 rows are waiting or a second has passed. Before each insert the
batch's exact range is recorded as in flight, and the insert carries a deduplication token made
from that range: after a crash the same range is replayed with the same token, so ClickHouse
keeps it once. While the store fails, whatever the reason, the flusher retries with backoff and
the spool grows: an acknowledged event is never dropped for a store error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa

from collector.spool import Checkpoint, Position, Spool
from pipelines.batches import batches_by_table
from pipelines.store.base import Store, StoreError

log = logging.getLogger("footfall.flusher")

MAX_BACKOFF_SECONDS = 5.0


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
            rows, _, consumed = self.spool.read(checkpoint.done, 0, end=checkpoint.inflight)
            if not self._write(checkpoint.done, checkpoint.inflight, rows, consumed):
                return
        last_flush = time.monotonic()
        while True:
            self._gather(last_flush)
            start = self.spool.checkpoint.done
            rows, end, consumed = self.spool.read(start, self.batch_rows)
            if not rows:
                if self._stop.is_set():
                    return
                self.spool.wait_for_data(start, timeout=self.interval)
                continue
            if not self._write(start, end, rows, consumed):
                return
            last_flush = time.monotonic()

    def _gather(self, last_flush: float) -> None:
        """Wait until a batch's worth of data is spooled, the interval is up, or we stop."""
        full_batch_bytes = self.batch_rows * 200  # rough bytes per spooled row
        while not self._stop.is_set() and self.spool.pending_bytes < full_batch_bytes:
            remaining = self.interval - (time.monotonic() - last_flush)
            if remaining <= 0:
                return
            self._stop.wait(min(remaining, 0.05))

    def _write(self, start: Position, end: Position, rows: list[dict[str, Any]], consumed: int) -> bool:
        """Insert one batch until it succeeds; False when shutting down with it unwritten."""
        try:
            batches = batches_by_table(rows)
        except (ValueError, TypeError, KeyError, pa.ArrowException) as exc:
            # Rows that cannot even become a batch will never insert: keep them on disk, move on.
            self._set_aside(start, rows, exc)
            self.spool.commit(Checkpoint(end), consumed)
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
                    self.store.insert(table, batch, dedup_token=f"{token}-{table}")
            except StoreError as exc:
                # Down, overloaded or a table detached: all pass, so retry and let the spool grow.
                self.store_healthy = False
                log.warning("store did not take %d rows (retrying in %.1fs): %s", len(rows), backoff, exc)
                if self._stop.is_set() and time.monotonic() >= self._drain_deadline:
                    return False
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            self._observe("flush_seconds", time.perf_counter() - began)
            self._observe("flushed_rows", len(rows))
            self.store_healthy = True
            self.spool.commit(Checkpoint(end), consumed)
            return True

    def _set_aside(self, start: Position, rows: list[dict[str, Any]], error: Exception) -> None:
        folder = self.spool.directory / "rejected"
        folder.mkdir(exist_ok=True)
        path = folder / f"{start.segment}-{start.offset}.json"
        path.write_bytes(orjson.dumps({"error": str(error), "rows": rows}))
        self._observe("rejected_rows", len(rows))
        log.error("%d spooled rows could not form a batch (%s); kept in %s", len(rows), error, path)
