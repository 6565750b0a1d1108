"""Dashboard pages (first cut): sign-in, sign-out and the list of sites with their snippets.

The dashboard issue builds the reports; this module sets the ground rules they follow:
every page goes through `render` (autoescaped Jinja2, security headers, no caching of
signed-in pages), every page that shows data goes through `signed_in`, and every query takes
its values as typed parameters.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from dashboard.auth import LoginThrottle, SignedIn, authenticate, safe_next, session_user, start_session
from dashboard.csrf import CSRFMiddleware, origin_host
from footfall.settings import Settings, secret_problem
from pipelines.sites import Site, list_sites
from pipelines.store.base import Store

log = logging.getLogger("footfall.dashboard")

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "footfall_session"
SESSION_MAX_AGE = 14 * 24 * 60 * 60
BAD_CREDENTIALS = "Wrong e-mail or password."

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200, private: bool = True
) -> Response:
    context = {"demo": bool(request.app.state.settings.demo), **context}
    headers = dict(SECURITY_HEADERS)
    if private:
        headers["Cache-Control"] = "no-store"
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def redirect(url: str, status_code: int = 303) -> Response:
    return RedirectResponse(url, status_code, headers=SECURITY_HEADERS)


async def signed_in(request: Request) -> SignedIn | None:
    """The user behind the session cookie; a stale session (user gone, password changed) is dropped."""
    if not request.session:
        return None
    user = await run_in_threadpool(session_user, request.app.state.store, dict(request.session))
    if user is None:
        request.session.clear()
    return user


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect("/login?" + urlencode({"next": target}), 302)


def _throttle(request: Request) -> LoginThrottle:
    """One throttle per app, made on first use (the app state has no other hook for it)."""
    throttle = getattr(request.app.state, "login_throttle", None)
    if not isinstance(throttle, LoginThrottle):
        throttle = LoginThrottle()
        request.app.state.login_throttle = throttle
    return throttle


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return "" if value is None or isinstance(value, UploadFile) else str(value)


async def login(request: Request) -> Response:
    if request.method == "GET":
        target = safe_next(request.query_params.get("next"))
        if await signed_in(request) is not None:
            return redirect(target)
        return render(request, "login.html", {"next": target, "email": "", "error": None}, private=False)

    async with request.form(max_files=0, max_fields=10) as form:
        email, password, target = _field(form, "email"), _field(form, "password"), _field(form, "next")
    target = safe_next(target)
    context: dict[str, Any] = {"next": target, "email": email, "error": BAD_CREDENTIALS}
    address = request.client.host if request.client else ""
    throttle = _throttle(request)
    wait = throttle.retry_after(email, address)
    if wait:
        minutes = (wait + 59) // 60
        context["error"] = f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes != 1)}."
        response = render(request, "login.html", context, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = await run_in_threadpool(authenticate, request.app.state.store, email, password)
    if user is None:
        throttle.failed(email, address)
        log.warning("failed sign-in for %r from %s", email[:254], address)
        return render(request, "login.html", context, 401)
    throttle.succeeded(email, address)
    start_session(request.session, user)
    return redirect(target)


async def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/login")


@dataclass(frozen=True)
class SiteCard:
    site: Site
    last_24h: int
    total: int
    snippet: str

    @property
    def has_data(self) -> bool:
        return self.total > 0


def site_totals(store: Store, site_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Events per site: (in the last 24 hours, ever), for the sites that have any."""
    if not site_ids:
        return {}
    rows = store.query(
        "SELECT site_id, countIf(timestamp >= now64(3) - INTERVAL 1 DAY) AS last_24h, count() AS total "
        "FROM events WHERE site_id IN {site_ids:Array(String)} GROUP BY site_id",
        {"site_ids": site_ids},
    )
    return {str(row["site_id"]): (int(row["last_24h"]), int(row["total"])) for row in rows}


def public_origin(request: Request) -> str:
    """Where browsers reach this server: FOOTFALL_BASE_URL, else the request's own origin."""
    base_url: str = request.app.state.settings.base_url
    if base_url:
        return base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def snippet(origin: str, site_id: str) -> str:
    return f'<script defer src="{origin}/t.js" data-site="{site_id}"></script>'


def _site_cards(store: Store, origin: str) -> list[SiteCard]:
    sites = list_sites(store)
    totals = site_totals(store, [site.site_id for site in sites])
    return [
        SiteCard(site, *totals.get(site.site_id, (0, 0)), snippet=snippet(origin, site.site_id))
        for site in sites
    ]


async def home(request: Request) -> Response:
    user = await signed_in(request)
    if user is None:
        return _login_redirect(request)
    cards = await run_in_threadpool(_site_cards, request.app.state.store, public_origin(request))
    return render(request, "sites.html", {"user": user, "cards": cards})


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


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
