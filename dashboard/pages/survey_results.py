"""One survey's results page: the score (gauge and trend), distribution, response rate,
breakdowns and comments, for one version or every version that asks the same kind.

URL parameters: the report view (period, date, from, to: dashboard.params), `version`,
`interval` (day or week for the trend) and the comment filters `c_min`, `c_max` (score),
`c_locale`, `c_device`, `q` (text) and `offset`. Comments are visitor text: they reach the page
only through autoescaped templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dashboard import survey_charts, survey_info
from dashboard.choice_labels import period_choices
from dashboard.i18n import N_
from dashboard.pages.assets import PLOTLY_URL
from dashboard.params import View, site_today
from dashboard.survey_forms import KIND_NAMES
from dashboard.web import SiteAccess, page_locale, public_origin, render, store_of
from pipelines.queries import survey_results as sr
from pipelines.store.base import Store
from pipelines.surveys import DEVICES, Survey, list_surveys

COMMENTS_PER_PAGE = 50
BREAKDOWN_ROWS = 10
BREAKDOWNS = (("page", N_("Pages")), ("device", N_("Devices")), ("country", N_("Countries")),
              ("source", N_("Referrer sources")), ("visitor_type", N_("New and returning visitors")))
GROUP_NAMES = {"device": {"desktop": N_("Desktop"), "mobile": N_("Mobile"), "tablet": N_("Tablet")},
               "visitor_type": {"new": N_("New visitors"), "returning": N_("Returning visitors"),
                                "unknown": N_("Unknown (link answers)")}}
UNKNOWN = N_("(unknown)")


@dataclass
class Results:
    survey: Survey
    versions: list[Survey]
    version: int | None
    total: sr.Tally
    trend: sr.SurveyReport
    breakdowns: list[tuple[str, str, list[tuple[str, sr.Tally]]]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    shown_versions: tuple[int, ...] = ()


def _int(params: QueryParams, name: str, low: int, high: int) -> int | None:
    raw = params.get(name, "")
    if not raw:
        return None
    try:
        number = int(raw)
    except ValueError:
        raise HTTPException(400, N_("A number in the address is not a whole number.")) from None
    if not low <= number <= high:
        raise HTTPException(400, N_("A number in the address is out of range."))
    return number


def comment_filters(params: QueryParams) -> sr.CommentFilters:
    device = params.get("c_device", "")
    return sr.CommentFilters(
        score_min=_int(params, "c_min", -1000, 1000), score_max=_int(params, "c_max", -1000, 1000),
        locale=params.get("c_locale", "")[:35], device=device if device in DEVICES else "",
        search=params.get("q", "")[:200], limit=COMMENTS_PER_PAGE + 1, offset=_int(params, "offset", 0, 10**6) or 0)


def gather(store: Store, access: SiteAccess, survey: Survey, first: date, last: date, version: int | None,
           interval: str, filters: sr.CommentFilters) -> Results:
    site_id, tz = access.site.site_id, access.site.timezone
    versions = [s for s in list_surveys(store, site_id, all_versions=True) if s.survey_id == survey.survey_id]
    args = (store, site_id, survey.survey_id, first, last, tz)
    try:
        trend = sr.trend(*args, interval=interval, version=version)
    except sr.SurveyNotFound:
        raise HTTPException(404, N_("This survey has no such version.")) from None
    shown = next((s for s in versions if s.version == version), survey) if version else survey
    results = Results(shown, versions, version, trend.total, trend, shown_versions=trend.versions)
    for name, label in BREAKDOWNS:
        report = sr.breakdown(*args, by=name, version=version, limit=BREAKDOWN_ROWS)
        results.breakdowns.append((name, label, report.groups))
    zone = ZoneInfo(tz)
    results.comments = sr.comments(*args, filters=filters, version=version)
    for row in results.comments:  # shown in the site's time zone, like every other day on the page
        row["timestamp"] = row["timestamp"].replace(tzinfo=row["timestamp"].tzinfo or UTC).astimezone(zone)
    return results


def group_label(by: str, key: str) -> tuple[str, bool]:
    """A breakdown row's label and whether it is a message to translate (devices, visitor types,
    unknown); other values are shown as sent (escaped by the template), never looked up."""
    if not key:
        return UNKNOWN, True
    name = GROUP_NAMES.get(by, {}).get(key)
    return (name, True) if name else (key, False)


async def page(request: Request, access: SiteAccess, survey: Survey, view: View, context: dict[str, Any]) -> Response:
    params = request.query_params
    site = access.site
    first, last = view.days(site_today(site.timezone))
    version = _int(params, "version", 1, 10**6)
    interval = params.get("interval") or ("week" if (last - first).days > 92 else "day")
    if interval not in sr.INTERVALS:
        raise HTTPException(400, N_("The trend is by day or by week."))
    filters = comment_filters(params)
    data = await run_in_threadpool(gather, store_of(request), access, survey, first, last, version, interval, filters)
    locale = page_locale(request, access.user)
    kind = data.trend.kind
    title = survey_info.title(data.survey)
    figures = {"trend": survey_charts.trend(data.trend, locale),
               "distribution": survey_charts.distribution(kind, data.total, locale) if data.total.distribution else ""}
    if kind in survey_charts.GAUGE_RANGES and data.total.score is not None:
        figures["gauge"] = survey_charts.gauge(kind, data.total.score)
    more = len(data.comments) > COMMENTS_PER_PAGE
    return render(request, "survey_results.html", {
        **context, "user": access.user, "access": access, "tab": "surveys", "survey": survey, "data": data,
        "kind": kind, "title": title, "view": view, "first": first, "last": last, "interval": interval,
        "periods": period_choices(view.period), "figures": figures, "filters": filters,
        "comments": data.comments[:COMMENTS_PER_PAGE], "more": more, "plotly_url": PLOTLY_URL,
        "state": survey_info.state(survey, site_today(site.timezone)), "state_names": survey_info.STATE_NAMES,
        "kind_names": KIND_NAMES, "score_names": survey_info.SCORE_NAMES, "group_label": group_label,
        "score": survey_info.score_text(locale, kind, data.total.score), "devices": DEVICES,
        "link": survey_info.link(public_origin(request), survey), "base": f"/s/{site.site_id}/surveys",
        "device_names": GROUP_NAMES["device"], "per_page": COMMENTS_PER_PAGE,
        "score_text": lambda kind, score: survey_info.score_text(locale, kind, score),
        "url_with": lambda **changes: _url_with(request, **changes),
    })


def _url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some parameters changed (None removes one)."""
    params = {key: value for key, value in request.query_params.items() if key != "saved"}
    params.update({key: str(value) for key, value in changes.items() if value is not None})
    for key in [key for key, value in changes.items() if value is None]:
        params.pop(key, None)
    return request.url.path + ("?" + urlencode(params) if params else "")
