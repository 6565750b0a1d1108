"""The user's own settings, `/account`: the dashboard's language and their password.

`POST /account/language` stores en, vi, zh or "" (follow the browser's Accept-Language) in
`users.locale`; every page after that speaks it (web.page_locale).

`POST /account/password` needs the current password (failures count towards the sign-in
slow-down of that e-mail and address). The new password ends every other session of the user;
this browser gets a fresh session and stays signed in.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.auth import MAX_PASSWORD_LENGTH, SignedIn, authenticate, start_session
from dashboard.i18n import LANGUAGE_NAMES, N_, gettext, negotiate
from dashboard.pages.signin import _throttle as login_throttle
from dashboard.web import page_locale, redirect, render, require_user, store_of
from pipelines.users import LOCALES, MIN_PASSWORD_LENGTH, save_user, set_locale

AUTOMATIC = N_("Automatic: the browser's language")
UNKNOWN_LANGUAGE = N_("Choose one of the languages listed.")
WRONG_PASSWORD = N_("The current password is wrong.")
PASSWORDS_DIFFER = N_("The two new passwords differ.")
TOO_SHORT = N_("The new password needs at least %(n)s characters.")
TOO_LONG = N_("The new password may have at most %(n)s characters.")
TOO_MANY = N_("Too many wrong passwords. Try again in %(minutes)s min.")
NOTICES = {"language": N_("Saved. The dashboard now speaks your choice."),
           "password": N_("Password changed. Every other session of yours has ended.")}


def _page(request: Request, user: SignedIn, problem: str = "", status: int = 200) -> Response:
    choices = [("", None), *((code, LANGUAGE_NAMES[code]) for code in LOCALES)]
    browser = LANGUAGE_NAMES[negotiate(request.headers.get("accept-language"))]
    notice = NOTICES.get(request.query_params.get("saved", "")) if not problem else None
    return render(request, "account.html", {
        "user": user, "choices": choices, "chosen": user.locale, "automatic": AUTOMATIC,
        "browser_language": browser, "notice": notice, "problem": problem, "min_length": MIN_PASSWORD_LENGTH,
    }, status)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return "" if value is None or isinstance(value, UploadFile) else str(value)


async def account_page(request: Request) -> Response:
    return _page(request, await require_user(request))


async def set_language(request: Request) -> Response:
    user = await require_user(request)
    async with request.form(max_files=0, max_fields=5) as form:
        locale = _text(form, "locale")
    if locale and locale not in LOCALES:
        return _page(request, user, UNKNOWN_LANGUAGE, 400)
    await run_in_threadpool(set_locale, store_of(request), user.user_id, locale)
    return redirect("/account?saved=language")


async def change_password(request: Request) -> Response:
    user = await require_user(request)
    locale = page_locale(request, user)
    async with request.form(max_files=0, max_fields=5) as form:
        current, new, again = (_text(form, name) for name in ("current", "new", "again"))
    address = request.client.host if request.client else ""
    throttle = login_throttle(request)
    wait = throttle.retry_after(user.email, address)
    if wait:
        response = _page(request, user, gettext(locale, TOO_MANY, minutes=(wait + 59) // 60), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    found = await run_in_threadpool(authenticate, store_of(request), user.email, current)
    if found is None or found.user_id != user.user_id:
        throttle.failed(user.email, address)
        return _page(request, user, gettext(locale, WRONG_PASSWORD), 400)
    throttle.succeeded(user.email, address)
    if new != again:
        return _page(request, user, gettext(locale, PASSWORDS_DIFFER), 400)
    if len(new) < MIN_PASSWORD_LENGTH:
        return _page(request, user, gettext(locale, TOO_SHORT, n=MIN_PASSWORD_LENGTH), 400)
    if len(new) > MAX_PASSWORD_LENGTH:  # sign-in refuses longer ones
        return _page(request, user, gettext(locale, TOO_LONG, n=MAX_PASSWORD_LENGTH), 400)
    saved = await run_in_threadpool(save_user, store_of(request), user.email, new)
    start_session(request.session, saved)
    return redirect("/account?saved=password")


def routes() -> list[Route]:
    return [Route("/account", account_page, methods=["GET"]),
            Route("/account/language", set_language, methods=["POST"]),
            Route("/account/password", change_password, methods=["POST"])]
