"""The read-only SQL endpoint behind `footfall sql` while the server holds the data dir."""

from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipelines.store.base import OUTPUT_FORMATS, StoreError

MAX_SQL_BYTES = 100_000


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


def routes() -> list[Route]:
    return [Route("/api/admin/sql", sql_endpoint, methods=["POST"])]
