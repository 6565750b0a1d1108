"""How fast demo traffic is written: `python bench/demo_data.py --events 2000000`.

Generates into a fresh embedded store in a temporary directory and prints one JSON line:
events, seconds, events_per_s, peak_rss_mb, and how much of the time went to inserting.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from footfall.demo_data import generate_demo_events
from pipelines.migrate import migrate
from pipelines.store.embedded import EmbeddedStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="footfall-bench-") as tmp:
        store = EmbeddedStore(Path(tmp), "bench")
        try:
            migrate(store)
            insert_seconds = _time_inserts(store)
            started = time.perf_counter()
            written = generate_demo_events(store, "example.com", args.events, args.days, seed=args.seed,
                                           batch_size=args.batch_size)
            seconds = time.perf_counter() - started
            stored = store.scalar("SELECT count() FROM events")
        finally:
            store.close()
    result = {
        "events": written,
        "stored": stored,
        "seconds": round(seconds, 2),
        "events_per_s": round(written / seconds),
        "insert_seconds": round(insert_seconds[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result))
    return 0


def _time_inserts(store: EmbeddedStore) -> list[float]:
    """Wrap the store's insert to add up the time spent in chDB (the rest is generating)."""
    total = [0.0]
    insert = store.insert

    def timed(table: str, data: pa.Table, dedup_token: str | None = None) -> Any:
        started = time.perf_counter()
        try:
            return insert(table, data, dedup_token)
        finally:
            total[0] += time.perf_counter() - started

    store.insert = timed  # type: ignore[method-assign]
    return total


if __name__ == "__main__":
    sys.exit(main())
