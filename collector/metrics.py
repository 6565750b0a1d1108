"""Prometheus metrics of one collector (a registry per app, so tests can run several)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

S = TypeVar("S", bound=Callable[..., Any])

_STEP_BUCKETS = (1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05)
_REQUEST_BUCKETS = Histogram.DEFAULT_BUCKETS[:-1]  # (.005 … 10.0), without +Inf


class LoopHistogram:
    """A Prometheus histogram for the ingest path, observed from the event loop only.

    prometheus_client's Histogram takes a lock and updates two locked values per observation
    (about 1.5 µs); ingest observes eleven times per event, which came to a third of the
    event loop's own work for an event. Here an observation is a bisect and two additions.
    Only the event loop observes, and /metrics is served on the event loop too, so a scrape
    never sees half an observation. Exposed exactly as a Histogram with the same buckets.
    """

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = (),
                 buckets: Sequence[float] = _REQUEST_BUCKETS, registry: CollectorRegistry | None = None) -> None:
        self.name = name
        self.documentation = documentation
        self._labelnames = tuple(labelnames)
        self.bounds = tuple(float(bound) for bound in buckets)
        self._children: dict[tuple[str, ...], LoopHistogramChild] = {}
        if not self._labelnames:
            self.labels()  # shown from the start, as prometheus_client shows an unlabelled one
        if registry is not None:
            registry.register(self)

    def labels(self, *values: str) -> LoopHistogramChild:
        key = tuple(str(value) for value in values)
        if len(key) != len(self._labelnames):
            raise ValueError(f"{self.name} takes the labels {self._labelnames}")
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = LoopHistogramChild(self.bounds)
        return child

    def observe(self, value: float) -> None:
        """For a histogram without labels."""
        self.labels().observe(value)

    def describe(self) -> list[Metric]:
        return [HistogramMetricFamily(self.name, self.documentation, labels=self._labelnames)]

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self._labelnames)
        edges = [floatToGoString(bound) for bound in self.bounds] + ["+Inf"]  # type: ignore[no-untyped-call]
        for key, child in self._children.items():
            cumulative, buckets = 0, []
            for edge, count in zip(edges, child.counts, strict=True):
                cumulative += count
                buckets.append((edge, float(cumulative)))
            family.add_metric(list(key), buckets, child.sum)
        yield family


class LoopHistogramChild:
    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one is +Inf
        self.sum = 0.0

    def observe(self, value: float) -> None:
        # bisect_left: the first bucket whose bound is >= value, as Prometheus' `le` means.
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.accepted = Counter("footfall_accepted", "Events accepted into the spool", registry=r)
        self.dropped = Counter("footfall_dropped", "Events or requests not stored, by reason", ["reason"], registry=r)
        self.step_seconds = LoopHistogram("footfall_step_seconds", "Time spent in each ingest step", ["step"],
                                          buckets=_STEP_BUCKETS, registry=r)
        self.request_seconds = LoopHistogram("footfall_ingest_request_seconds",
                                             "Ingest request time, including the fsync", registry=r)
        self.spool_bytes = Gauge("footfall_spool_bytes", "Bytes in the spool not yet in the store", registry=r)
        self.flush_seconds = Histogram("footfall_flush_seconds", "Time to write one batch to the store",
                                       registry=r)
        self.flushed_rows = Counter("footfall_flushed_rows", "Rows written from the spool to the store", registry=r)
        self.rejected_rows = Counter("footfall_rejected_rows",
                                     "Spooled rows set aside because they could not form a batch", registry=r)
        self.store_up = Gauge("footfall_store_up", "1 when the last write to the store succeeded", registry=r)
        # `.labels(...)` builds a key on every call: on the ingest path, which runs it for every
        # step of every event, the labelled children are looked up once.
        self._step_timers: dict[tuple[Any, ...], list[tuple[Any, LoopHistogramChild]]] = {}
        self._dropped_by: dict[str, Counter] = {}
        self._last_step_timers: tuple[Sequence[Any], list[tuple[Any, LoopHistogramChild]]] | None = None

    def step_timers(self, steps: Sequence[S]) -> list[tuple[S, LoopHistogramChild]]:
        """Each step with its `footfall_step_seconds` child (steps are named functions)."""
        last = self._last_step_timers
        if last is not None and last[0] is steps:
            return last[1]  # the same sequence as for the last event: no tuple to hash
        key = tuple(steps)
        timers = self._step_timers.get(key)
        if timers is None:
            timers = self._step_timers[key] = [(step, self.step_seconds.labels(step.__name__)) for step in key]
        self._last_step_timers = (steps, timers)
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
