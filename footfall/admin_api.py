"""The admin endpoints behind the CLI while the server holds the embedded data directory.

- `POST /api/admin/sql`: one read-only query (`footfall sql`).
- `POST /api/admin/store?op=…`: the store interface (query, command, insert, raw, ping) for the
  CLI's other commands, through `pipelines.store.remote.RemoteStore`.

Both need the admin token that the server writes to `<data dir>/server.json` (mode 0600).
"""

from __future__ import annotations

import hmac

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipelines.store.base import OUTPUT_FORMATS, Store, StoreError
from pipelines.store.remote import ARROW_STREAM, arrow_bytes, arrow_table, decode_params

MAX_SQL_BYTES = 100_000
MAX_STORE_BYTES = 256 * 1024 * 1024  # an Arrow batch of demo data is ~30 MB
STORE_OPS = ("query", "command", "insert", "raw", "ping")


def _authorized(request: Request) -> bool:
    expected: str | None = getattr(request.app.state, "admin_token", None)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.encode(), expected.encode())


async def sql_endpoint(request: Request) -> Response:
    if not _authorized(request):
        return JSONResponse({"error": "admin token required"}, 401, headers={"WWW-Authenticate": "Bearer"})
    body = await request.body()
    if len(body) > MAX_SQL_BYTES:
        return JSONResponse({"error": "query too long"}, 413)
    try:
        payload = await request.json()
        sql, fmt = str(payload["sql"]), str(payload.get("format", "table"))
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": 'send JSON {"sql": "...", "format": "csv|json|table|tsv"}'}, 400)
    if fmt not in OUTPUT_FORMATS:
        return JSONResponse({"error": f"format must be one of {', '.join(OUTPUT_FORMATS)}"}, 400)
    try:
        output = await run_in_threadpool(request.app.state.store.raw, sql, OUTPUT_FORMATS[fmt], None, True)
    except StoreError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return Response(output, media_type="text/plain; charset=utf-8")


def _run_store_call(store: Store, op: str, body: bytes, query: dict[str, str]) -> Response:
    if op == "ping":
        return Response(b"ok" if store.ping() else b"down", media_type="text/plain")
    if op == "insert":
        store.insert(query.get("table", ""), arrow_table(body), query.get("dedup_token") or None)
        return Response(b"", media_type="text/plain")
    payload = orjson.loads(body)
    sql, params = str(payload["sql"]), decode_params(payload.get("params") or {})
    if op == "query":
        return Response(arrow_bytes(store.query_arrow(sql, params)), media_type=ARROW_STREAM)
    if op == "command":
        store.command(sql, params)
        return Response(b"", media_type="text/plain")
    fmt = str(payload.get("format", "TabSeparated"))
    return Response(store.raw(sql, fmt, params, bool(payload.get("readonly"))), media_type="application/octet-stream")


async def store_endpoint(request: Request) -> Response:
    if not _authorized(request):
        return JSONResponse({"error": "admin token required"}, 401, headers={"WWW-Authenticate": "Bearer"})
    op = request.query_params.get("op", "")
    if op not in STORE_OPS:
        return JSONResponse({"error": f"op must be one of {', '.join(STORE_OPS)}"}, 400)
    body = await request.body()
    if len(body) > MAX_STORE_BYTES:
        return JSONResponse({"error": "request too large"}, 413)
    try:
        return await run_in_threadpool(_run_store_call, request.app.state.store, op, body,
                                       dict(request.query_params))
    except StoreError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    except (ValueError, KeyError, TypeError, OSError) as exc:  # a malformed body or Arrow stream
        return JSONResponse({"error": f"malformed request: {exc}"}, 400)


def routes() -> list[Route]:
    return [Route("/api/admin/sql", sql_endpoint, methods=["POST"]),
            Route("/api/admin/store", store_endpoint, methods=["POST"])]
