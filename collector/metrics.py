"""Prometheus metrics of one collector (a registry per app, so tests can run several)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

S = TypeVar("S", bound=Callable[..., Any])

_STEP_BUCKETS = (1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.accepted = Counter("footfall_accepted", "Events accepted into the spool", registry=r)
        self.dropped = Counter("footfall_dropped", "Events or requests not stored, by reason", ["reason"], registry=r)
        self.step_seconds = Histogram("footfall_step_seconds", "Time spent in each ingest step", ["step"],
                                      buckets=_STEP_BUCKETS, registry=r)
        self.request_seconds = Histogram("footfall_ingest_request_seconds",
                                         "Ingest request time, including the fsync", registry=r)
        self.spool_bytes = Gauge("footfall_spool_bytes", "Bytes in the spool not yet in the store", registry=r)
        self.flush_seconds = Histogram("footfall_flush_seconds", "Time to write one batch to the store",
                                       registry=r)
        self.flushed_rows = Counter("footfall_flushed_rows", "Rows written from the spool to the store", registry=r)
        self.rejected_rows = Counter("footfall_rejected_rows",
                                     "Spooled rows set aside because they could not form a batch", registry=r)
        self.store_up = Gauge("footfall_store_up", "1 when the last write to the store succeeded", registry=r)
        # `.labels(...)` takes a lock and builds a key on every call: on the ingest path, which
        # runs it for every step of every event, the labelled children are looked up once.
        self._step_timers: dict[tuple[Any, ...], list[tuple[Any, Histogram]]] = {}
        self._dropped_by: dict[str, Counter] = {}

    def step_timers(self, steps: Sequence[S]) -> list[tuple[S, Histogram]]:
        """Each step with its `footfall_step_seconds` child (steps are named functions)."""
        key = tuple(steps)
        timers = self._step_timers.get(key)
        if timers is None:
            timers = self._step_timers[key] = [(step, self.step_seconds.labels(step.__name__)) for step in key]
        return timers

    def dropped_by(self, reason: str) -> Counter:
        """The `footfall_dropped_total` child of `reason`."""
        counter = self._dropped_by.get(reason)
        if counter is None:
            counter = self._dropped_by[reason] = self.dropped.labels(reason)
        return counter

    def observe_flush(self, name: str, value: float) -> None:
        """The flusher's callback."""
        if name == "flush_seconds":
            self.flush_seconds.observe(value)
        elif name == "flushed_rows":
            self.flushed_rows.inc(value)
        elif name == "rejected_rows":
            self.rejected_rows.inc(value)
