"""What the report pages share: reading the view from the URL, the links that change it (period,
comparison, filters, open tabs — all kept in the URL so a view can be bookmarked) and the bar
above each report (date range, comparison, removable filter chips).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request

from dashboard.auth import SignedIn
from dashboard.i18n import N_, gettext
from dashboard.params import DEFAULT_PERIOD, ParamError, View, read_view
from dashboard.report_text import long_day, value_label
from dashboard.web import SiteAccess, page_locale
from pipelines.query import Query

PERIOD_LABELS = {
    "today": N_("Today"),
    "yesterday": N_("Yesterday"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    "month": N_("This month"),
    "last_month": N_("Last month"),
    "year": N_("This year"),
    "12mo": N_("Last 12 months"),
    "all": N_("All time"),
}
COMPARE_LABELS = {"none": N_("No comparison"), "previous": N_("Previous period"),
                  "year": N_("Same period last year")}
FILTER_LABELS = {
    "page": N_("Page"), "entry_page": N_("Entry page"), "source": N_("Source"), "medium": N_("Medium"),
    "search_engine": N_("Search engine"), "keyword": N_("Keyword"), "utm_source": N_("UTM source"),
    "utm_medium": N_("UTM medium"), "utm_campaign": N_("Campaign"), "utm_term": N_("UTM term"),
    "utm_content": N_("UTM content"), "country": N_("Country"), "region": N_("Region"), "city": N_("City"),
    "browser": N_("Browser"), "os": N_("Operating system"), "device": N_("Device"), "screen": N_("Screen size"),
    "device_class": N_("Device class"), "visitor_type": N_("Visitors"),
}
INTERVAL_LABELS = {"hour": N_("Hours"), "day": N_("Days"), "week": N_("Weeks"), "month": N_("Months")}
BAD_VIEW = N_("This address does not describe a report: %(reason)s")


@dataclass(frozen=True)
class Links:
    """URLs of one report page: its view and extra parameters (open tabs), changed as asked."""

    path: str
    view: View
    extra: Mapping[str, str] = field(default_factory=dict)
    # A page whose own default period is not params.DEFAULT_PERIOD writes that one out.
    default_period: str = DEFAULT_PERIOD

    def url(self, **changes: Any) -> str:
        """The page with `changes`: View fields (period, compare, …), filters (None removes one) or
        extra parameters."""
        extra = {**self.extra, **{key: changes.pop(key) for key in list(changes) if key in self.extra}}
        if changes.get("period", self.view.period) == DEFAULT_PERIOD != self.default_period:
            extra = {"period": DEFAULT_PERIOD, **extra}
        url = self.view.url(self.path, **changes)
        kept = urlencode({key: value for key, value in extra.items() if value})
        if not kept:
            return url
        return f"{url}{'&' if '?' in url else '?'}{kept}"

    def hidden_fields(self, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """(name, value) of what a GET form must carry to keep this view."""
        params = {**self.view.params(), **{key: value for key, value in self.extra.items() if value}}
        if self.view.period == DEFAULT_PERIOD != self.default_period:
            params["period"] = DEFAULT_PERIOD
        return [(key, value) for key, value in params.items() if key not in skip]


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class ViewBar:
    """The date range, comparison and filter chips above a report."""

    periods: list[tuple[str, str, bool]]  # (label, url, current)
    comparisons: list[tuple[str, str, bool]]
    chips: list[Chip]
    range_text: str
    custom_from: str
    custom_to: str
    hidden: list[tuple[str, str]]  # what the custom range form keeps
    clear_url: str


def read(request: Request, user: SignedIn, access: SiteAccess,
         defaults: Mapping[str, str] | None = None) -> tuple[View, Query]:
    """The view the URL asks for and its query on this site; 400 with the reason when it is bad."""
    params = {**(defaults or {}), **request.query_params}
    try:
        view = read_view(params)
        return view, view.query(access.site.site_id, access.site.timezone)
    except ParamError as error:
        locale = page_locale(request, user)
        raise HTTPException(400, gettext(locale, BAD_VIEW, reason=str(error))) from None


def filter_chips(locale: str, links: Links) -> list[Chip]:
    """The view's filters, each with the link that removes it."""
    return [Chip(gettext(locale, FILTER_LABELS.get(name, name)), value_label(locale, name, value),
                 links.url(**{name: None}))
            for name, value in links.view.filters.items()]


def view_bar(locale: str, links: Links, query: Query, show_compare: bool = True) -> ViewBar:
    view = links.view
    # A new range picks its own bucket size (a month of hours is too many).
    periods = [(gettext(locale, label), links.url(period=period, interval=""), view.period == period)
               for period, label in PERIOD_LABELS.items()]
    comparisons = [(gettext(locale, label), links.url(compare=compare), view.compare == compare)
                   for compare, label in COMPARE_LABELS.items()] if show_compare else []
    chips = filter_chips(locale, links)
    first, last = query.date_from, query.date_to
    assert isinstance(first, date) and isinstance(last, date)
    range_text = long_day(locale, first) if first == last else f"{long_day(locale, first)} – {long_day(locale, last)}"
    if view.period == "all":
        range_text = gettext(locale, N_("All time"))
    cleared = {name: None for name in view.filters}
    return ViewBar(periods, comparisons, chips, range_text, first.isoformat(), last.isoformat(),
                   links.hidden_fields(skip=("period", "from", "to", "date", "interval")), links.url(**cleared))


def intervals(locale: str, links: Links, query: Query) -> list[tuple[str, str, bool]]:
    """The graph's bucket sizes that suit the range: (label, url, current)."""
    first, last = query.date_from, query.date_to
    assert isinstance(first, date) and isinstance(last, date)
    days = (last - first).days + 1
    fits = {"hour": days <= 7, "day": 1 < days <= 731, "week": 14 <= days <= 7 * 2000, "month": days >= 60}
    shown = [(gettext(locale, label), links.url(interval=interval), query.interval == interval)
             for interval, label in INTERVAL_LABELS.items() if fits[interval] or query.interval == interval]
    return shown if len(shown) > 1 else []
