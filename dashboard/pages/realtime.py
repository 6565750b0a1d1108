"""Realtime, `/s/{site_id}/realtime`: visitors in the last 5 and 30 minutes, the pages being read
now and the latest events. `static/realtime.js` refreshes it every 10 seconds from
`/s/{site_id}/realtime.json` (same session, same access rules), whose values are already
formatted in the user's language: the script only puts text into the page.

Filters in the URL (country=VN, …) narrow everything, as on the overview.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_time
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard.i18n import N_, babel_locale, gettext, number
from dashboard.params import ParamError, read_view, site_today
from dashboard.report_text import value_label
from dashboard.report_view import BAD_VIEW, Links, filter_chips
from dashboard.web import SECURITY_HEADERS, SignInRequired, SiteAccess, page_locale, render, require_site, store_of
from pipelines.queries import latest_events, realtime, realtime_pages
from pipelines.query import Query
from pipelines.store.base import Store

REFRESH_SECONDS = 10
SIGNED_OUT = N_("You were signed out. Reload the page to sign in again.")
EVENT_LABELS = {"pageview": N_("Page view"), "engagement": N_("Time on page"), "click": N_("Click")}


def _query(access: SiteAccess, filters: dict[str, str]) -> Query:
    """A query for the site with the URL's filters; the realtime reports set their own window."""
    today = site_today(access.site.timezone)
    return Query(access.site.site_id, today, today, access.site.timezone, "hour", filters)


def _fetch(store: Store, query: Query) -> dict[str, Any]:
    """The three realtime reports, one after another (the store serializes calls anyway)."""
    now = datetime.now(UTC)
    return {"now": realtime.run(store, query, now).rows[0], "pages": realtime_pages.run(store, query, now).rows,
            "events": latest_events.run(store, query, now).rows}


def _event_time(locale: str, value: Any, zone: ZoneInfo) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return str(format_time(moment.astimezone(zone), "medium", locale=babel_locale(locale)))


def shaped(locale: str, data: dict[str, Any], links: Links, zone: ZoneInfo) -> dict[str, Any]:
    """What the page and its JSON show, as text in the user's language."""
    events = []
    for row in data["events"]:
        kind = str(row["event_type"])
        label = gettext(locale, EVENT_LABELS[kind]) if kind in EVENT_LABELS else str(row["event_name"])
        events.append({"time": _event_time(locale, row["timestamp"], zone), "event": label, "page": row["page"],
                       "country": value_label(locale, "country", str(row["country"])) if row["country"] else "",
                       "device": value_label(locale, "device", str(row["device"])) if row["device"] else "",
                       "source": str(row["source"])})
    return {
        "visitors_5m": number(locale, data["now"]["visitors_5m"]),
        "visitors_30m": number(locale, data["now"]["visitors_30m"]),
        "pages": [{"page": row["page"], "visitors": number(locale, row["visitors"]),
                   "url": links.url(page=row["page"])} for row in data["pages"]],
        "events": events,
        "updated": str(format_time(datetime.now(zone), "medium", locale=babel_locale(locale))),
    }


async def _load(request: Request) -> tuple[SiteAccess, dict[str, Any]]:
    access = await require_site(request, request.path_params["site_id"])
    locale = page_locale(request, access.user)
    try:
        view = read_view(request.query_params)
    except ParamError as error:
        raise HTTPException(400, gettext(locale, BAD_VIEW, reason=str(error))) from None
    data = await run_in_threadpool(_fetch, store_of(request), _query(access, dict(view.filters)))
    # Rows link to the overview, filtered by that page, with the same filters as here.
    links = Links(f"/s/{access.site.site_id}", view)
    return access, shaped(locale, data, links, ZoneInfo(access.site.timezone))


async def realtime_json(request: Request) -> Response:
    """The page's numbers as JSON; errors as {"error": …} too, since a script reads them."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    try:
        _access, live = await _load(request)
    except SignInRequired:
        return JSONResponse({"error": gettext(page_locale(request), SIGNED_OUT)}, 401, headers=headers)
    except HTTPException as error:
        message = gettext(page_locale(request), str(error.detail))
        return JSONResponse({"error": message}, error.status_code, headers=headers)
    return JSONResponse(live, headers=headers)


async def realtime_page(request: Request) -> Response:
    access, live = await _load(request)
    view = read_view(request.query_params)  # _load checked it
    chips = filter_chips(page_locale(request, access.user), Links(f"/s/{access.site.site_id}/realtime", view))
    query = urlencode(list(request.query_params.multi_items()))
    source = f"/s/{access.site.site_id}/realtime.json" + (f"?{query}" if query else "")
    return render(request, "realtime.html", {"user": access.user, "access": access, "tab": "realtime",
                                             "live": live, "source": source, "refresh": REFRESH_SECONDS,
                                             "chips": chips})


def routes() -> list[Route]:
    return [Route("/s/{site_id}/realtime", realtime_page, methods=["GET"]),
            Route("/s/{site_id}/realtime.json", realtime_json, methods=["GET"])]
