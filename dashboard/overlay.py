"""The live-page heatmap overlay, server side: signed short-lived tokens and `GET /api/overlay`.

The heatmap page links to `https://{site}{path}#ff-overlay={token}`. On that page the tracker
sees the fragment (never sent to the site's server), fetches `/api/overlay?token=…` from us and
draws the click aggregates over the real elements. The token is the whole authorisation — the
request carries no cookie — so it is signed (HMAC, itsdangerous) with the server's secret, says
which site, page, device class and days it shows, and expires after `TOKEN_SECONDS`.

Answers (the contract overlay.js is written against; docs/dashboard.md, "The overlay API"):
- 200 {"page", "device", "selectors": [{"selector", "clicks", "share"}], "rage": [{"selector", "clicks"}]}
- 401 {"error": …} for an expired token, 403 for a forged, tampered or unreadable one or an
  Origin the site does not list, 404 when the site is gone.
`Access-Control-Allow-Origin` echoes the request's Origin only when its host is one of the
site's hostnames (`Site.allows_hostname`); credentials are never allowed.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.web import store_of
from footfall.settings import secret_problem
from pipelines.queries import heatmap_grid, heatmap_selectors, rage_clicks
from pipelines.query import Query
from pipelines.sites import Site, get_site
from pipelines.store.base import Store

TOKEN_SECONDS = 600
FRAGMENT = "ff-overlay"
DEVICE_CLASSES = ("mobile", "tablet", "desktop")
_SALT = "footfall.heatmap-overlay"
_MAX_TOKEN = 2048
_LOCAL_HOSTS = ("localhost", "127.0.0.1")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~?"  # a stored path keeps its own escapes; anything else is quoted


class BadToken(Exception):
    """Forged, tampered with or unreadable."""


class ExpiredToken(Exception):
    def __init__(self, claims: Claims) -> None:
        super().__init__("expired")
        self.claims = claims


@dataclass(frozen=True)
class Claims:
    """What a token allows: one page of one site, one device class, a range of the site's days."""

    site_id: str
    page: str
    device: str
    first: date
    last: date
    expires: int  # unix seconds


def signing_key(app: Starlette) -> str:
    """FOOTFALL_SECRET_KEY; like the session middleware, a weak or missing one is replaced by a
    random key that lives as long as the app (tokens then die with the process)."""
    key = getattr(app.state, "overlay_key", None)
    if not isinstance(key, str):
        secret: str = app.state.settings.secret_key
        key = secret if secret_problem(secret) is None else secrets.token_urlsafe(48)
        app.state.overlay_key = key
    return key


def _serializer(key: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT)


def make_token(key: str, claims: Claims) -> str:
    payload = [claims.site_id, claims.page, claims.device, claims.first.isoformat(), claims.last.isoformat(),
               claims.expires]
    return str(_serializer(key).dumps(payload))


def new_claims(site_id: str, page: str, device: str, first: date, last: date, now: float | None = None) -> Claims:
    return Claims(site_id, page, device, first, last, int(now if now is not None else time.time()) + TOKEN_SECONDS)


def read_token(key: str, token: str, now: float | None = None) -> Claims:
    """The token's claims; BadToken unless we signed it, ExpiredToken once it is too old."""
    if not token or len(token) > _MAX_TOKEN:
        raise BadToken
    try:
        site_id, page, device, first, last, expires = _serializer(key).loads(token)
        claims = Claims(str(site_id), str(page), str(device), date.fromisoformat(first), date.fromisoformat(last),
                        int(expires))
    except (BadSignature, ValueError, TypeError):
        raise BadToken from None
    if claims.device not in DEVICE_CLASSES:
        raise BadToken
    if (now if now is not None else time.time()) >= claims.expires:
        raise ExpiredToken(claims)
    return claims


def live_url(site: Site, page: str, token: str) -> str:
    """Where the owner's browser opens the page with the overlay on."""
    scheme = "http" if site.site_id in _LOCAL_HOSTS else "https"
    path = page if page.startswith("/") else "/" + page
    return f"{scheme}://{site.site_id}{quote(path, safe=_PATH_SAFE)}#{FRAGMENT}={token}"


def allowed_origin(site: Site, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    host = parts.hostname
    return parts.scheme in ("http", "https") and bool(host) and site.allows_hostname(str(host))


def overlay_data(store: Store, site: Site, claims: Claims) -> dict[str, Any]:
    query = Query(site.site_id, claims.first, claims.last, site.timezone,
                  filters={"page": claims.page, "device_class": claims.device})
    total = sum(row["clicks"] for row in heatmap_grid.run(store, query).rows)
    selectors = [{"selector": row["selector"], "clicks": row["clicks"],
                  "share": round(row["clicks"] / total, 4) if total else 0.0}
                 for row in heatmap_selectors.run(store, query).rows]
    rage = [{"selector": row["selector"], "clicks": row["rage_clicks"]} for row in rage_clicks.run(store, query).rows]
    return {"page": claims.page, "device": claims.device, "selectors": selectors, "rage": rage}


def _answer(body: dict[str, Any], status: int, origin: str | None, cors: bool) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Vary": "Origin"}
    if cors and origin:
        headers["Access-Control-Allow-Origin"] = origin
    return JSONResponse(body, status, headers=headers)


async def overlay(request: Request) -> JSONResponse:
    origin = request.headers.get("origin")
    key = signing_key(request.app)
    try:
        claims = read_token(key, request.query_params.get("token", ""))
        expired = False
    except BadToken:
        return _answer({"error": "invalid token"}, 403, origin, cors=False)
    except ExpiredToken as exc:
        claims, expired = exc.claims, True
    store = store_of(request)
    site = await run_in_threadpool(get_site, store, claims.site_id)
    if site is None:
        return _answer({"error": "no such site"}, 404, origin, cors=False)
    cors = allowed_origin(site, origin)
    if origin and not cors:
        return _answer({"error": "origin not allowed for this site"}, 403, origin, cors=False)
    if expired:
        return _answer({"error": "token expired: open the overlay again from the dashboard"}, 401, origin, cors)
    return _answer(await run_in_threadpool(overlay_data, store, site, claims), 200, origin, cors)


def routes() -> list[Route]:
    return [Route("/api/overlay", overlay, methods=["GET"])]
