"""The collector's moving parts and their lifecycle: steps → spool → flusher → store."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from starlette.concurrency import run_in_threadpool

from collector.context import SITES_REFRESH_SECONDS, Context
from collector.dedup import MAX_IDS
from collector.flusher import Flusher
from collector.geo import parse_ip
from collector.metrics import Metrics
from collector.pipeline import DropReason, Event, run_steps
from collector.spool import GroupCommit, Spool
from collector.steps import STEPS
from footfall.settings import Settings
from pipelines.store.base import Store, StoreError

log = logging.getLogger("footfall.collector")

# Rows the store received in the last minutes: a client retrying after a crash finds its
# event ids here (together with whatever is still in the spool). No more than one generation
# of duplicate detection holds, the newest: after a busy half hour there may be millions.
_RECENT_ROWS = f"""
SELECT toString(event_id) AS event_id, visitor_id, session_id, toUnixTimestamp64Milli(timestamp) AS timestamp
FROM events
WHERE timestamp > now64(3) - INTERVAL 25 HOUR AND ingested_at > now64(3) - INTERVAL 30 MINUTE
ORDER BY ingested_at DESC
LIMIT {MAX_IDS}
"""


_SEED_CHUNK = 10_000
_DUPLICATE = DropReason.DUPLICATE.value  # an enum's .value is a slow property, and this is per request


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


class Collector:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.metrics = Metrics()
        self.context = Context.create(settings, store, self.metrics)
        self.spool = Spool(settings.data_dir / "spool", max_bytes=settings.spool_max_mb * 1024 * 1024)
        self.commit = GroupCommit(self.spool)
        self.flusher = Flusher(
            self.spool, store, batch_rows=settings.flush_rows,
            interval=settings.flush_interval_ms / 1000, observe=self.metrics.observe_flush,
        )
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await run_in_threadpool(self._seed)
        self.commit.start()
        self.flusher.start()
        self._refresher = asyncio.get_running_loop().create_task(self._refresh_sites())
        # Garbage collection, tuned for ingest. A request allocates a few dozen objects that
        # live until its fsync, so at the default threshold (700 net new objects) a collection
        # ran every few requests and promoted enough to trigger full ones, each walking the whole
        # heap (chDB, pyarrow, the caches) for a good part of a second while every request in
        # flight waited. Nearly all of ingest's garbage is freed by reference counting anyway.
        # So what is alive after start-up is frozen out of collections, and a collection waits
        # for 50,000 net new objects.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000)

    def _seed(self) -> None:
        """Restore duplicate detection and open visits from the spool and the store."""
        self.context.sites.refresh()
        try:
            recent = self.store.query_arrow(_RECENT_ROWS)
        except StoreError as exc:
            log.warning("store unavailable at start; duplicate detection covers only the spool: %s", exc)
        else:
            self._remember(row for batch in recent.to_batches(_SEED_CHUNK) for row in batch.to_pylist())
        # The spool may hold hundreds of megabytes: its rows pass through, a chunk at a time.
        unflushed = self._remember(self.spool.unflushed_rows())
        if unflushed:
            log.warning("replaying %d events left in the spool", unflushed)

    def _remember(self, rows: Iterable[dict[str, Any]]) -> int:
        """Seed duplicate detection and open visits with `rows`; return how many there were."""
        count = 0
        iterator = iter(rows)
        while chunk := list(islice(iterator, _SEED_CHUNK)):
            self.context.recent_ids.remember(row["event_id"] for row in chunk)
            self.context.sessions.seed(chunk)
            count += len(chunk)
        return count

    async def _refresh_sites(self) -> None:
        while True:
            await asyncio.sleep(SITES_REFRESH_SECONDS)
            await run_in_threadpool(self.context.sites.refresh)

    async def stop(self) -> None:
        """Finish acknowledging, then write the spool to the store for up to the drain time."""
        if self._refresher is not None:
            self._refresher.cancel()
        await self.commit.stop()
        drained = await run_in_threadpool(self.flusher.stop, float(self.settings.drain_seconds))
        self.spool.close()
        if not drained:
            log.warning("%d spooled bytes not yet in the store; they are written at the next start",
                        self.spool.pending_bytes)

    def process(
        self, payloads: list[dict[str, Any]], meta: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], IngestResult]:
        """Run every event through the steps; return the rows to spool and the tally."""
        result = IngestResult()
        rows = []
        received = int(time.time() * 1000)
        ip, user_agent, do_not_track, trusted = meta["ip"], meta["user_agent"], meta["do_not_track"], meta["trusted"]
        for payload in payloads:
            # By position: a keyword call that unpacks `meta` costs more than some of the steps.
            event = Event(payload, ip, user_agent, received, do_not_track, trusted)
            if trusted:
                # Server-side tracking: the sender relays its visitor's address and browser.
                relayed = parse_ip(payload.get("ip", ""))
                event.ip = str(relayed) if relayed is not None else event.ip
                event.user_agent = payload.get("user_agent", event.user_agent)
            run_steps(event, self.context, STEPS)
            if event.dropped is None:
                rows.append(event.row)
            else:
                result.dropped[event.dropped.value] = result.dropped.get(event.dropped.value, 0) + 1
        # Duplicates were stored before: acknowledged again, as the client expects.
        result.accepted = len(rows) + result.dropped.get(_DUPLICATE, 0)
        return rows, result

    @property
    def ready(self) -> bool:
        return self.flusher.store_healthy and self.spool.pending_bytes < self.spool.max_bytes * 0.9
