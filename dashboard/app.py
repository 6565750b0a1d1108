"""The dashboard app: its routes (one module per area under `dashboard/pages/`), its middleware
and how it answers errors. `footfall.server` mounts it beside the collector.

Areas add themselves to `AREAS`; `dashboard/web.py` holds what every page shares.
"""

from __future__ import annotations

import logging
import secrets

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ExceptionHandler

from dashboard import api, overlay
from dashboard.csrf import CSRFMiddleware, origin_host
from dashboard.pages import (
    account,
    assets,
    exports,
    heatmaps,
    overview,
    realtime,
    retention,
    signin,
    site_members,
    site_settings,
    sites,
    surveys,
)
from dashboard.web import SECURITY_HEADERS, STATIC_DIR, SignInRequired, login_redirect, render, signed_in
from footfall.settings import Settings, secret_problem

log = logging.getLogger("footfall.dashboard")

__all__ = ["STATIC_DIR", "SECURITY_HEADERS", "SESSION_COOKIE", "routes", "middleware", "exception_handlers"]

SESSION_COOKIE = "footfall_session"
SESSION_MAX_AGE = 14 * 24 * 60 * 60
AREAS = (
    assets,
    signin,
    sites,
    heatmaps,
    overlay,
    surveys,
    site_settings,
    site_members,
    exports,
    api,
    overview,
    realtime,
    retention,
    account,
)


def routes() -> list[BaseRoute]:
    return [route for area in AREAS for route in area.routes()]


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    return login_redirect(request)


async def _http_error(request: Request, exc: Exception) -> Response:
    """API paths answer JSON; pages answer a page in the user's language."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)
    user = await signed_in(request) if "session" in request.scope else None
    response = render(request, "error.html", {"user": user, "status": exc.status_code, "detail": exc.detail},
                      exc.status_code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def exception_handlers() -> dict[type[Exception] | int, ExceptionHandler]:
    return {SignInRequired: _sign_in_first, HTTPException: _http_error}


def middleware(settings: Settings) -> list[Middleware]:
    """CSRF checks outermost (a refused request never reaches the session), then the session."""
    secret = settings.secret_key
    if secret_problem(secret) is not None:
        # `footfall serve` refuses to start without a good key; an app built directly (tests,
        # embedding) still never signs with a weak one — it gets a key that lives as long as it.
        log.warning("FOOTFALL_SECRET_KEY is missing or weak: sessions end when the server stops")
        secret = secrets.token_urlsafe(48)
    base_host = origin_host(settings.base_url) if settings.base_url else None
    return [
        Middleware(CSRFMiddleware, trusted_hosts=(base_host,) if base_host else ()),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE,
            same_site="lax",
            https_only=settings.base_url.lower().startswith("https://"),
        ),
    ]
