"""The collector's HTTP surface: ingest, the tracker files, health and metrics.

A 2xx from `/api/event` means the events are on disk (see collector/spool.py).
"""

from __future__ import annotations

import gzip
import hashlib
import time
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from collector.geo import MAX_HEADER, client_ip
from collector.pipeline import DropReason
from collector.ratelimit import retry_after_header
from collector.request import MAX_BODY_BYTES, BadRequest, parse_body
from collector.service import Collector
from collector.spool import SpoolFull
from pipelines.store.base import StoreError
from tracker_js import DIST

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}
TRACKER_CACHE_SECONDS = 3600


class _JSON(JSONResponse):
    """Starlette's JSONResponse, rendered by orjson: the same compact UTF-8 bytes, a few times
    faster, and ingest renders one for every page view."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _collector(request: Request) -> Collector:
    return request.app.state.collector  # type: ignore[no-any-return]


def _refuse(collector: Collector, error: BadRequest, count: int = 1, headers: dict[str, str] | None = None) -> Response:
    collector.metrics.dropped_by(error.reason.value).inc(count)
    return _JSON({"error": error.message, "reason": error.reason.value}, error.status,
                 headers={**CORS_HEADERS, **(headers or {})})


_INGEST_HEADERS = frozenset({b"content-length", b"content-encoding", b"user-agent", b"dnt", b"sec-gpc",
                             b"authorization"})


@lru_cache(maxsize=4)
def _wanted_headers(trusted_header: str | None) -> frozenset[bytes]:
    return _INGEST_HEADERS | {trusted_header.lower().encode("latin-1")} if trusted_header else _INGEST_HEADERS


def _headers(request: Request, trusted_header: str | None) -> dict[str, str]:
    """The headers ingest reads (and the trusted proxy's), by lower-case name, decoded once; of a
    repeated header the first, as `request.headers.get` gives. Each `request.headers.get`
    would scan and decode the whole list again."""
    wanted = _wanted_headers(trusted_header)
    found: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        if name in wanted:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found


async def _read_body(request: Request, headers: dict[str, str]) -> bytes:
    """The body, decompressed, refused past the limit before anything is parsed."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(413, DropReason.TOO_LARGE, f"the body is over {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(413, DropReason.TOO_LARGE, f"the body is over {MAX_BODY_BYTES} bytes")
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)  # a beacon arrives in one piece
    if headers.get("content-encoding", "").lower() == "gzip":
        # Inflate at most one byte past the limit, so a gzip bomb costs us nothing.
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            plain = inflater.decompress(body, MAX_BODY_BYTES + 1)
        except zlib.error:
            raise BadRequest(400, DropReason.MALFORMED_JSON, "the gzip body is corrupt") from None
        if len(plain) > MAX_BODY_BYTES:
            raise BadRequest(413, DropReason.TOO_LARGE, f"the body inflates to over {MAX_BODY_BYTES} bytes")
        return plain
    return body


def _request_meta(request: Request, headers: dict[str, str], collector: Collector, trusted: bool) -> dict[str, Any]:
    client = request.scope.get("client")
    trusted_header = collector.settings.trusted_proxy_header or None
    forwarded = headers.get(trusted_header.lower()) if trusted_header else None
    return {
        "ip": _client_ip(client[0] if client else "", forwarded and forwarded[:MAX_HEADER], trusted_header),
        "user_agent": headers.get("user-agent", "")[:1000],
        "do_not_track": headers.get("dnt") == "1" or headers.get("sec-gpc") == "1",
        "trusted": trusted,
    }


@lru_cache(maxsize=10_000)
def _client_ip(peer: str, forwarded: str | None, trusted_header: str | None) -> str:
    """`client_ip` of one peer and proxy header value (it reads no more than MAX_HEADER of it):
    cached, since a visitor sends many events and parsing an address costs more than the rest
    of the request's headers."""
    return client_ip(peer, {trusted_header.lower(): forwarded} if trusted_header and forwarded else {}, trusted_header)


async def ingest(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=CORS_HEADERS)
    collector = _collector(request)
    began = time.perf_counter()
    headers = _headers(request, collector.settings.trusted_proxy_header or None)
    try:
        body = await _read_body(request, headers)
        payloads = parse_body(body)
    except BadRequest as error:
        return _refuse(collector, error)
    meta = _request_meta(request, headers, collector, trusted=False)
    wait = collector.context.rate_limiter.allow(meta["ip"])
    if wait:
        return _refuse(collector, BadRequest(429, DropReason.RATE_LIMITED, "too many requests from this address"),
                       len(payloads), {"Retry-After": retry_after_header(wait)})
    token = headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token:
        try:
            meta = _server_side_meta(collector, token, payloads, meta)
        except BadRequest as error:
            return _refuse(collector, error, len(payloads))
    rows, result = collector.process(payloads, meta)
    if rows:
        try:
            await collector.commit.append(rows)
        except (SpoolFull, OSError):
            # Not on disk, so not acknowledged: forget the ids, or the client's retry would be
            # taken for a duplicate of an event we never stored.
            collector.context.recent_ids.forget(row["event_id"] for row in rows)
            full = BadRequest(503, DropReason.SPOOL_FULL, "the collector is catching up; retry later")
            return _refuse(collector, full, len(rows), {"Retry-After": "5"})
    collector.metrics.accepted.inc(len(rows))
    collector.metrics.request_seconds.observe(time.perf_counter() - began)
    # A duplicate is a retry of a stored event: acknowledged as accepted, so not also as dropped.
    dropped = sum(result.dropped.values()) - result.dropped.get(DropReason.DUPLICATE.value, 0)
    return _JSON({"accepted": result.accepted, "dropped": dropped}, 202, headers=CORS_HEADERS)


def _server_side_meta(collector: Collector, token: str, payloads: list[dict[str, Any]],
                      meta: dict[str, Any]) -> dict[str, Any]:
    """With an `events:write` token for the events' site, the payload's ip, user agent and
    timestamp are used instead of the request's."""
    try:
        found = collector.context.tokens.find(token)
    except StoreError:
        raise BadRequest(503, DropReason.BAD_TOKEN, "cannot check the token right now; retry later") from None
    if found is None or found.scope != "events:write":
        raise BadRequest(401, DropReason.BAD_TOKEN, "the token is unknown, revoked or not an events:write token")
    for payload in payloads:
        payload.setdefault("site", found.site_id)  # so the page must be on one of the token's hostnames
    if any(p["site"].lower() != found.site_id for p in payloads):
        raise BadRequest(403, DropReason.BAD_TOKEN, f"this token may only send events for {found.site_id}")
    return {**meta, "trusted": True}


@lru_cache(maxsize=8)
def _tracker_asset(path: Path, mtime: float) -> tuple[bytes, bytes, str]:
    raw = path.read_bytes()
    return raw, gzip.compress(raw, 9, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


async def tracker_file(request: Request) -> Response:
    """`/t.js` and the other built tracker files, with ETag/304 and gzip."""
    name = request.path_params["name"]
    path = DIST / f"{name}.js"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        return PlainTextResponse("not found", 404)
    raw, compressed, etag = _tracker_asset(path, path.stat().st_mtime)
    headers = {
        "Cache-Control": f"public, max-age={TRACKER_CACHE_SECONDS}",
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    media = "application/javascript; charset=utf-8"
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(compressed, media_type=media, headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, media_type=media, headers=headers)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    collector = _collector(request)
    if collector.ready:
        return PlainTextResponse("ready")
    why = "store unreachable" if not collector.flusher.store_healthy else "spool nearly full"
    return PlainTextResponse(why, 503)


async def metrics(request: Request) -> Response:
    collector = _collector(request)
    collector.metrics.spool_bytes.set(collector.spool.pending_bytes)
    collector.metrics.store_up.set(1 if collector.flusher.store_healthy else 0)
    return Response(generate_latest(collector.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def routes() -> list[Route]:
    return [
        Route("/api/event", ingest, methods=["POST", "OPTIONS"]),
        Route("/{name}.js", tracker_file, methods=["GET", "HEAD"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
    ]
