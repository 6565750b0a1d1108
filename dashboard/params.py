"""The one place that turns URL parameters into a report `Query` — for pages, CSV exports and
the stats API alike — and back into URLs, so every view can be bookmarked.

Parameters (all optional):
- `period`: today, yesterday, 7d, 30d (default), month, last_month, year, 12mo, all, custom;
  `custom` takes `from` and `to` (YYYY-MM-DD, both days included). Days are the site's days.
- `date`: with a relative period, the day it ends on (default: today in the site's time zone).
- `interval`: hour, day, week, month, year; default from the range's length.
- `compare`: previous (the same length just before), year (a year earlier) or none (default).
- every filter name of `pipelines/filters.py` (page, source, country, …) as `name=value`.

Anything else in the URL is ignored by pages; `strict=True` (the API) refuses unknown names.
Bad values raise `ParamError` with a message that says how to fix them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pipelines.filters import FILTERS, FilterError, checked_filters
from pipelines.query import COMPARISONS, INTERVALS, Comparison, Interval, Query

PERIODS = ("today", "yesterday", "7d", "30d", "month", "last_month", "year", "12mo", "all", "custom")
DEFAULT_PERIOD = "30d"
FIRST_DAY = date(2000, 1, 1)  # "all time" starts here: before any site could have sent data
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2199, 12, 31)  # what `date`, `from`, `to` accept
VIEW_KEYS = ("period", "date", "from", "to", "interval", "compare")


class ParamError(ValueError):
    """A URL parameter that cannot make a report; the message says which and how to fix it."""


@dataclass(frozen=True)
class View:
    """What a report page shows, as read from its URL."""

    period: str = DEFAULT_PERIOD
    anchor: date | None = None  # `date`
    custom_from: date | None = None
    custom_to: date | None = None
    interval: str = ""  # empty: chosen from the range
    compare: str = "none"
    filters: dict[str, str] = field(default_factory=dict)

    def days(self, today: date) -> tuple[date, date]:
        """The first and last day shown (both included)."""
        end = self.anchor or today
        match self.period:
            case "today":
                return end, end
            case "yesterday":
                return end - timedelta(days=1), end - timedelta(days=1)
            case "7d":
                return end - timedelta(days=6), end
            case "30d":
                return end - timedelta(days=29), end
            case "month":
                return end.replace(day=1), end
            case "last_month":
                last = end.replace(day=1) - timedelta(days=1)
                return last.replace(day=1), last
            case "year":
                return end.replace(month=1, day=1), end
            case "12mo":
                return end - timedelta(days=364), end
            case "all":
                return FIRST_DAY, end
        assert self.custom_from is not None and self.custom_to is not None
        return self.custom_from, self.custom_to

    def chosen_interval(self, today: date) -> Interval:
        if self.interval:
            return cast(Interval, self.interval)
        first, last = self.days(today)
        span = (last - first).days + 1
        if span <= 2:
            return "hour"
        if span <= 92:
            return "day"
        if span <= 731:
            return "week" if span <= 190 else "month"
        return "month" if self.period != "all" else "year"

    def query(self, site_id: str, timezone: str, today: date | None = None) -> Query:
        today = today or site_today(timezone)
        first, last = self.days(today)
        comparison = None if self.compare == "none" else cast(Comparison, self.compare)
        try:
            return Query(site_id, first, last, timezone, self.chosen_interval(today), self.filters, comparison)
        except ValueError as error:
            raise ParamError(str(error)) from None

    def params(self) -> dict[str, str]:
        """The URL parameters of this view (defaults left out)."""
        values: dict[str, str] = {}
        if self.period != DEFAULT_PERIOD:
            values["period"] = self.period
        if self.anchor:
            values["date"] = self.anchor.isoformat()
        if self.period == "custom" and self.custom_from and self.custom_to:
            values["from"], values["to"] = self.custom_from.isoformat(), self.custom_to.isoformat()
        if self.interval:
            values["interval"] = self.interval
        if self.compare != "none":
            values["compare"] = self.compare
        return {**values, **self.filters}

    def url(self, path: str, **changes: Any) -> str:
        """`path` with this view's parameters, changed by `changes` (a filter set to None is removed)."""
        filter_changes = {name: changes.pop(name) for name in list(changes) if name in FILTERS}
        view = replace(self, **changes) if changes else self
        filters = {**view.filters, **filter_changes}
        view = replace(view, filters={name: value for name, value in filters.items() if value is not None})
        query = urlencode(view.params())
        return f"{path}?{query}" if query else path


def site_today(timezone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()


def _day(name: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ParamError(f"{name}={value[:40]!r} is not a date: write it as YYYY-MM-DD") from None
    # ClickHouse times cannot hold year 1 or 9999 (and Python overflows a day past them).
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ParamError(f"{name}={value[:40]!r} is out of range: use a day from {EARLIEST_DAY} to {LATEST_DAY}")
    return day


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ParamError(f"{name}={value[:40]!r} is not allowed: use one of {', '.join(choices)}")
    return value


def read_view(params: Mapping[str, str], strict: bool = False, extra: tuple[str, ...] = ()) -> View:
    """The view a URL asks for. `strict` refuses parameters that are neither view keys, filters
    nor one of `extra`."""
    if strict:
        unknown = [key for key in params if key not in VIEW_KEYS and key not in FILTERS and key not in extra]
        if unknown:
            raise ParamError(f"unknown parameter {unknown[0]!r}: use {', '.join(VIEW_KEYS)} or a filter "
                             f"({', '.join(FILTERS)})")
    period = _choice("period", params.get("period") or DEFAULT_PERIOD, PERIODS)
    anchor = _day("date", params["date"]) if params.get("date") else None
    custom_from = custom_to = None
    if period == "custom":
        if not params.get("from") or not params.get("to"):
            raise ParamError("period=custom needs from=YYYY-MM-DD and to=YYYY-MM-DD")
        custom_from, custom_to = _day("from", params["from"]), _day("to", params["to"])
        if custom_to < custom_from:
            raise ParamError("to must not be before from")
    interval = _choice("interval", params["interval"], INTERVALS) if params.get("interval") else ""
    compare = _choice("compare", params.get("compare") or "none", ("none", *COMPARISONS))
    try:
        filters = checked_filters({key: value for key, value in params.items() if key in FILTERS and value})
    except FilterError as error:
        raise ParamError(str(error)) from None
    return View(period, anchor, custom_from, custom_to, interval, compare, filters)
