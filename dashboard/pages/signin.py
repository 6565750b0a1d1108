"""Signing in and out: the form, the slow-down for guessers, the session it starts."""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.auth import LoginThrottle, authenticate, safe_next, start_session
from dashboard.i18n import N_, gettext
from dashboard.web import page_locale, redirect, render, signed_in, store_of

log = logging.getLogger("footfall.dashboard")

BAD_CREDENTIALS = N_("Wrong e-mail or password.")


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
    locale = page_locale(request)
    context: dict[str, Any] = {"next": target, "email": email, "error": gettext(locale, BAD_CREDENTIALS)}
    address = request.client.host if request.client else ""
    throttle = _throttle(request)
    wait = throttle.retry_after(email, address)
    if wait:
        minutes = (wait + 59) // 60
        context["error"] = gettext(locale, "Too many failed sign-ins. Try again in %(minutes)s min.", minutes=minutes)
        response = render(request, "login.html", context, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = await run_in_threadpool(authenticate, store_of(request), email, password)
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


def routes() -> list[Route]:
    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
