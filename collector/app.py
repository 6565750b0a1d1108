"""The collector's routes: ingest, the tracker file, health.

This is the first thin cut (foundation issue): events are validated, gated by site, lightly
enriched and written synchronously in one batch per request, so a 2xx means stored.
The collector issue replaces the direct write with the durable spool and the full step list.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from user_agents import parse as parse_user_agent

from collector.request import BadRequest, parse_body
from pipelines.events import events_batch
from pipelines.sites import Site, list_sites
from pipelines.store.base import Store
from tracker_js import DIST

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
SITES_REFRESH_SECONDS = 5.0


class SiteDirectory:
    """Registered sites, re-read from the store at most every few seconds."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sites: list[Site] = []
        self._loaded_at = float("-inf")

    def sites(self) -> list[Site]:
        if time.monotonic() - self._loaded_at > SITES_REFRESH_SECONDS:
            self._sites = list_sites(self._store)
            self._loaded_at = time.monotonic()
        return self._sites

    def find(self, site_id: str | None, hostname: str) -> Site | None:
        for site in self.sites():
            if (site_id is None or site.site_id == site_id.lower()) and site.allows_hostname(hostname):
                return site
        return None


def _hash64(secret: str, *parts: str) -> int:
    key = hashlib.sha256(secret.encode()).digest()
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8, key=key).digest()
    return int.from_bytes(digest, "big")


def _external_referrer(referrer: str, site: Site) -> tuple[str, str, str]:
    """(referrer, source, medium) — a referrer from the site itself is not a source."""
    host = (urlsplit(referrer).hostname or "").lower()
    if not host:
        return "", "", "direct"
    if site.allows_hostname(host):
        return "", "", "internal"
    return referrer, host.removeprefix("www."), "referral"


def build_row(event: dict[str, Any], site: Site, request: Request, secret: str) -> dict[str, Any]:
    url = urlsplit(event["url"])
    user_agent = request.headers.get("user-agent", "")[:1000]
    agent = parse_user_agent(user_agent)
    now = datetime.now(UTC)
    visitor = event.get("visitor") or "ip:" + (request.client.host if request.client else "") + user_agent
    visitor_id = _hash64(secret, site.site_id, visitor)
    referrer, source, medium = _external_referrer(event.get("referrer", ""), site)
    name = str(event["name"])[:120]
    event_type = name if name in {"pageview", "engagement", "click"} else "custom"
    props = event.get("props") if isinstance(event.get("props"), dict) else {}
    return {
        "site_id": site.site_id,
        "timestamp": now,
        "event_id": str(event.get("id") or uuid.uuid4()),
        "event_type": event_type,
        "event_name": name,
        "visitor_id": visitor_id,
        "session_id": _hash64(secret, str(visitor_id), now.strftime("%Y-%m-%d")),
        "hostname": (url.hostname or "").lower(),
        "path": url.path or "/",
        "query": url.query,
        "title": event.get("title", ""),
        "referrer": referrer,
        "referrer_source": source,
        "referrer_medium": medium,
        "browser": agent.browser.family,
        "browser_version": agent.browser.version_string,
        "os": agent.os.family,
        "os_version": agent.os.version_string,
        "device": "mobile" if agent.is_mobile else "tablet" if agent.is_tablet else "desktop",
        "screen_width": _clamp_int(event.get("screen_width"), 65535),
        "screen_height": _clamp_int(event.get("screen_height"), 65535),
        "language": event.get("language", ""),
        "timezone": event.get("timezone", ""),
        "engagement_ms": _clamp_int(event.get("engagement_ms"), 86_400_000),
        "scroll_depth": _clamp_int(event.get("scroll_depth"), 100),
        "props": {str(k)[:100]: str(v)[:500] for k, v in list(props.items())[:30]},
        "retention_days": site.retention_days,
    }


def _clamp_int(value: Any, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, min(int(value), highest))


async def ingest(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=CORS_HEADERS)
    state = request.app.state
    try:
        events = parse_body(await request.body())
    except BadRequest as exc:
        return JSONResponse({"error": exc.message, "reason": exc.reason}, exc.status, headers=CORS_HEADERS)
    directory: SiteDirectory = state.sites
    rows = []
    for event in events:
        hostname = (urlsplit(event["url"]).hostname or "").lower()
        site = await run_in_threadpool(directory.find, event.get("site"), hostname)
        if site is not None:
            rows.append(build_row(event, site, request, state.settings.secret_key))
    if rows:
        await run_in_threadpool(state.store.insert, "events", events_batch(rows))
    return JSONResponse({"accepted": len(rows), "dropped": len(events) - len(rows)}, 202, headers=CORS_HEADERS)


async def tracker_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = DIST / f"{name}.js"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        return PlainTextResponse("not found", 404)
    headers = {"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"}
    return FileResponse(path, media_type="application/javascript", headers=headers)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    ready = await run_in_threadpool(request.app.state.store.ping)
    return PlainTextResponse("ready" if ready else "store unreachable", 200 if ready else 503)


def routes() -> list[Route]:
    return [
        Route("/api/event", ingest, methods=["POST", "OPTIONS"]),
        Route("/{name}.js", tracker_file, methods=["GET", "HEAD"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
