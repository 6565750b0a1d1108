"""The load process of bench/ingest.py: closed-loop HTTP/1.1 over keep-alive connections.

    python bench/_load.py CONFIG.json     (prints one JSON object)

Each of `connections` connections sends a request, waits for the whole response, then sends the
next (no pipelining), so the offered load is whatever the server can take. Requests are built
from pre-rendered templates: a template is a list of byte chunks with a fresh event id between
each two, so every event ever sent carries its own UUID (`id_prefix` + a 12-digit hex counter).
Ids are written to `acked_path` (uint64 counters) only when a 2xx response says that all of the
request's events were accepted, which is what bench/ingest.py checks against the store.

Written on asyncio.Protocol with httptools' C parser (and uvloop), not on an HTTP client library:
it has to stay well under one core while the server uses the other.
"""

from __future__ import annotations

import array
import asyncio
import json
import pickle
import resource
import sys
import time
from typing import Any

import httptools
import orjson

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] brings it
    uvloop = None


class Run:
    """What every connection shares: the templates, the clock, and the tallies."""

    def __init__(self, config: dict[str, Any]) -> None:
        with open(config["templates"], "rb") as handle:
            self.templates: list[list[bytes]] = pickle.load(handle)
        self.prefix = config["id_prefix"].encode()
        self.counter = int(config["id_start"])
        self.next_template = 0
        now = time.perf_counter()
        self.measure_from = now + float(config["warmup_s"])
        self.stop_at = self.measure_from + float(config["duration_s"])
        self.acked = array.array("Q")
        self.latencies = array.array("d")
        self.window_requests = 0
        self.window_events = 0
        self.sent = 0
        self.ok = 0
        self.statuses: dict[int, int] = {}
        self.partial = 0  # 2xx responses that accepted fewer events than sent
        self.errors = 0

    def next_request(self) -> tuple[bytes, list[int]]:
        chunks = self.templates[self.next_template]
        self.next_template = (self.next_template + 1) % len(self.templates)
        ids = list(range(self.counter, self.counter + len(chunks) - 1))
        self.counter += len(ids)
        parts = [chunks[0]]
        for event_id, chunk in zip(ids, chunks[1:], strict=True):
            parts.append(b"%s%012x" % (self.prefix, event_id))
            parts.append(chunk)
        self.sent += 1
        return b"".join(parts), ids


class Connection(asyncio.Protocol):
    def __init__(self, run: Run, done: asyncio.Future[None]) -> None:
        self.run = run
        self.done = done
        self.parser = httptools.HttpResponseParser(self)
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.ids: list[int] = []
        self.body = bytearray()
        self.began = 0.0
        self.waiting = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        if time.perf_counter() >= self.run.stop_at:
            self.transport.close()
            return
        request, self.ids = self.run.next_request()
        self.body.clear()
        self.waiting = True
        self.began = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.run.errors += 1
            self.transport.close()

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        finished = time.perf_counter()
        self.waiting = False
        run = self.run
        status = self.parser.get_status_code()
        run.statuses[status] = run.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            run.ok += 1
            try:
                accepted = int(orjson.loads(bytes(self.body)).get("accepted", -1))
            except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
                accepted = -1
            if accepted == len(self.ids):
                run.acked.extend(self.ids)
            else:
                run.partial += 1
        if run.measure_from <= self.began and finished <= run.stop_at:
            run.window_requests += 1
            run.window_events += len(self.ids)
            run.latencies.append(finished - self.began)
        self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:  # a request that never got its answer
            self.run.errors += 1
        if not self.done.done():
            self.done.set_result(None)


async def drive(config: dict[str, Any]) -> dict[str, Any]:
    run = Run(config)
    loop = asyncio.get_running_loop()
    finished: list[asyncio.Future[None]] = []
    for _ in range(int(config["connections"])):
        done: asyncio.Future[None] = loop.create_future()
        try:
            await loop.create_connection(lambda d=done: Connection(run, d), config["host"], int(config["port"]))
        except OSError:
            run.errors += 1
            continue
        finished.append(done)
    # Bounded: every connection stops sending at stop_at; give in-flight requests time to end.
    grace = float(config.get("grace_s", 15))
    _, pending = await asyncio.wait(finished, timeout=run.stop_at - time.perf_counter() + grace)
    run.errors += len(pending)
    with open(config["acked_path"], "wb") as handle:
        run.acked.tofile(handle)
    latencies = sorted(run.latencies)
    duration = float(config["duration_s"])

    def percentile(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else 0.0

    usage = resource.getrusage(resource.RUSAGE_SELF)
    to_epoch = time.time() - time.perf_counter()
    return {
        "window": [run.measure_from + to_epoch, run.stop_at + to_epoch],
        "connections": int(config["connections"]),
        "seconds": duration,
        "requests": run.window_requests,
        "events": run.window_events,
        "req_per_s": round(run.window_requests / duration, 1),
        "events_per_s": round(run.window_events / duration, 1),
        "p50_ms": percentile(0.50),
        "p90_ms": percentile(0.90),
        "p99_ms": percentile(0.99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
        "sent": run.sent,
        "ok": run.ok,
        "statuses": {str(k): v for k, v in sorted(run.statuses.items())},
        "partial": run.partial,
        "errors": run.errors,
        "acked_events": len(run.acked),
        "loader_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    }


def main() -> int:
    with open(sys.argv[1]) as handle:
        config = json.load(handle)
    result = uvloop.run(drive(config)) if uvloop is not None else asyncio.run(drive(config))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
