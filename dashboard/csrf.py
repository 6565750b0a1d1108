"""Cross-site request forgery protection without tokens.

Browsers say where a request comes from. A state-changing request (POST, PUT, PATCH, DELETE)
passes when `Sec-Fetch-Site` is `same-origin` (our own page) or `none` (typed by the user).
A browser too old to send Sec-Fetch-Site still sends `Origin` (or at least `Referer`): its
host must equal the `Host` header, or the origin of FOOTFALL_BASE_URL. Anything else — a
cross-site or same-site fetch, `Origin: null`, or no hint at all — gets 403 before it reaches
a route or the session.

The collector's beacons are cross-origin by design and the admin SQL endpoint authenticates
with a bearer token, not a cookie, so every path under `EXEMPT_PREFIXES` is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT_PREFIXES: tuple[str, ...] = ("/api/",)
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})


def origin_host(url: str) -> str | None:
    """`host[:port]` of an absolute http(s) URL, lower-cased; None for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc or "@" in parts.netloc:
        return None
    return parts.netloc.lower()


def is_same_origin(headers: Headers, trusted_hosts: Iterable[str] = ()) -> bool:
    """Whether the request's own headers show it was sent by one of our pages."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in TRUSTED_FETCH_SITES
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return False
    host = origin_host(source)
    if host is None:
        return False
    expected = {h.lower() for h in trusted_hosts}
    if "host" in headers:
        expected.add(headers["host"].strip().lower())
    return host in expected


class CSRFMiddleware:
    """Refuse cross-site state-changing requests outside `exempt_prefixes`."""

    def __init__(
        self,
        app: ASGIApp,
        trusted_hosts: Iterable[str] = (),
        exempt_prefixes: tuple[str, ...] = EXEMPT_PREFIXES,
    ) -> None:
        self.app = app
        self.trusted_hosts = tuple(trusted_hosts)
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith(self.exempt_prefixes)
            or is_same_origin(Headers(scope=scope), self.trusted_hosts)
        ):
            await self.app(scope, receive, send)
            return
        response = PlainTextResponse(
            "Cross-site request refused: this form must be sent from a page of this server.", 403
        )
        await response(scope, receive, send)
