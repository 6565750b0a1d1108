"""The user's own settings, `/account`: the dashboard's language.

`POST /account/language` stores en, vi, zh or "" (follow the browser's Accept-Language) in
`users.locale`; every page after that speaks it (web.page_locale).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.auth import SignedIn
from dashboard.i18n import LANGUAGE_NAMES, N_, negotiate
from dashboard.web import redirect, render, require_user, store_of
from pipelines.users import LOCALES, set_locale

AUTOMATIC = N_("Automatic: the browser's language")
UNKNOWN_LANGUAGE = N_("Choose one of the languages listed.")


def _page(request: Request, user: SignedIn, saved: bool = False, problem: str | None = None) -> Response:
    choices = [("", None), *((code, LANGUAGE_NAMES[code]) for code in LOCALES)]
    browser = LANGUAGE_NAMES[negotiate(request.headers.get("accept-language"))]
    return render(request, "account.html", {"user": user, "choices": choices, "chosen": user.locale,
                                            "automatic": AUTOMATIC, "browser_language": browser,
                                            "saved": saved, "problem": problem}, 400 if problem else 200)


async def account_page(request: Request) -> Response:
    user = await require_user(request)
    return _page(request, user, saved=request.query_params.get("saved") == "1")


async def set_language(request: Request) -> Response:
    user = await require_user(request)
    form = await request.form()
    value = form.get("locale")
    locale = "" if value is None or isinstance(value, UploadFile) else str(value)
    if locale and locale not in LOCALES:
        return _page(request, user, problem=UNKNOWN_LANGUAGE)
    await run_in_threadpool(set_locale, store_of(request), user.user_id, locale)
    return redirect("/account?saved=1")


def routes() -> list[Route]:
    return [Route("/account", account_page, methods=["GET"]),
            Route("/account/language", set_language, methods=["POST"])]
