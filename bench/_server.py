"""`footfall serve` plus one no-op route, `POST /api/noop`, as the baseline of bench/ingest.py.

    python bench/_server.py --host 127.0.0.1 --port 8123   (FOOTFALL_* settings from the environment)

It runs the real `footfall serve` command: the same settings, migrations, middleware, collector,
uvicorn options and signal handling. `footfall.server.create_app` is wrapped so the app it builds
also answers `POST /api/noop`, which reads the body and replies exactly as `/api/event` does to one
accepted event, without doing any of its work: the difference between the two routes is the cost
of ingesting, and nothing else. Production never ships the no-op route. `Spool.sync` is wrapped
to count the group commits, which `GET /api/bench-stats` reports with the time they took.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

import footfall.server  # noqa: E402
from collector.app import CORS_HEADERS  # noqa: E402
from collector.spool import Position, Spool  # noqa: E402
from footfall import cli  # noqa: E402

NOOP_PATH = "/api/noop"
STATS_PATH = "/api/bench-stats"
FSYNCS = [0, 0.0]  # group commits so far, and the seconds they took


async def noop(request: Request) -> Response:
    await request.body()
    # The bytes and headers /api/event answers an accepted event with (it renders with orjson).
    return Response(orjson.dumps({"accepted": 1, "dropped": 0}), 202, headers=CORS_HEADERS,
                    media_type="application/json")


async def stats(request: Request) -> Response:
    return Response(orjson.dumps({"fsyncs": FSYNCS[0], "fsync_seconds": FSYNCS[1]}), media_type="application/json")


def _counting_sync(spool: Spool) -> Position:
    began = time.perf_counter()
    try:
        return _spool_sync(spool)
    finally:
        FSYNCS[0] += 1
        FSYNCS[1] += time.perf_counter() - began


_create_app = footfall.server.create_app
_spool_sync = Spool.sync


def create_app_with_noop(*args: Any, **kwargs: Any) -> Starlette:
    app = _create_app(*args, **kwargs)
    # First, so no other route can shadow it; under /api/ like ingest, so CSRF treats it alike.
    app.router.routes.insert(0, Route(NOOP_PATH, noop, methods=["POST"]))
    app.router.routes.insert(1, Route(STATS_PATH, stats))
    return app


if __name__ == "__main__":
    # `serve` imports create_app from footfall.server when it runs, so it picks up the wrapper.
    footfall.server.create_app = create_app_with_noop  # type: ignore[assignment]
    Spool.sync = _counting_sync  # type: ignore[method-assign]
    cli.main(["serve", *sys.argv[1:]], prog_name="footfall")
