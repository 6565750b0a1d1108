"""The one filter builder: dashboard filters → SQL conditions with typed parameters.

Every filter is declared once in `FILTERS`, with one clause per shape of data it can apply to:

- raw events (`event_conditions`),
- merged visits, from the `sessions` rollup or from raw events (`visit_conditions`),
- the hourly rollup (`hourly_dimension`), when it is the only filter.

Three kinds of filter (see docs/metrics.md, "Filters"):

- *event* filters keep events with that value (page, country, browser, …);
- *visit* filters keep whole visits by their landing page view (entry page, source, medium,
  search engine, keyword, utm_*): on raw events, the events of visits whose landing page view
  (a page view whose medium is not 'internal') has that value;
- the *visitor* filter `visitor_type` keeps new or returning visitors, through first-seen times.

A name not in `FILTERS` raises `FilterError` (a ValueError; the dashboard answers 400). Values
only ever travel as `{f_name:String}` parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["event", "visit", "visitor"]
MAX_VALUE_LENGTH = 2000

# Device class of a heatmap: the viewport width of a click (screen width for other events).
DEVICE_CLASS_SQL = (
    "multiIf(if(viewport_width > 0, viewport_width, screen_width) < 768, 'mobile', "
    "if(viewport_width > 0, viewport_width, screen_width) < 1024, 'tablet', 'desktop')"
)
SCREEN_SQL = "concat(toString(screen_width), 'x', toString(screen_height))"
LANDING_SQL = "event_type = 'pageview' AND referrer_medium != 'internal'"


# The query's UTC range as typed parameters (rollups.base_params fills them).
START = "{start:DateTime64(3, 'UTC')}"
END = "{end:DateTime64(3, 'UTC')}"


def events_range(start: str, end: str) -> str:
    """Raw events with `start` <= timestamp < `end` (SQL expressions of UTC times).

    `events` is sorted by toDate(timestamp), but ClickHouse (26.9) derives no range of that key
    from bounds on the DateTime64 `timestamp` itself: it reads every granule of each month
    touched (a "today" view read the whole month). So the range states its UTC days too.
    """
    return (f"toDate(timestamp) BETWEEN toDate({start}) AND toDate({end}) "
            f"AND timestamp >= {start} AND timestamp < {end}")
# A visit's entry: argMin over its events of each field's cityHash64, page views first
# (migration 0007 keeps these states in `sessions`). Entry field → events column.
ENTRY_COLUMNS = {
    "entry_page": "path",
    "entry_source": "referrer_source",
    "entry_medium": "referrer_medium",
    "entry_keyword": "search_term",
    "entry_utm_source": "utm_source",
    "entry_utm_medium": "utm_medium",
    "entry_utm_campaign": "utm_campaign",
    "entry_utm_term": "utm_term",
    "entry_utm_content": "utm_content",
}


class FilterError(ValueError):
    """An unknown filter or a value it does not accept."""


@dataclass(frozen=True)
class FilterSpec:
    name: str
    kind: Kind
    # event: an expression over `events` compared with the value; visit: a condition on the
    # landing page view's row with {p} standing for the parameter.
    event_sql: str | None
    # event filters: the `sessions` column holding the visit's value (None: visits must come
    # from raw events); visit filters: (entry field, SQL value) pairs, {p} for the parameter.
    session_column: str | None = None
    entry: tuple[tuple[str, str], ...] = ()
    hourly_dimension: str | None = None
    choices: tuple[str, ...] = ()


def _event(name: str, column: str, session_column: str | None, dimension: str | None) -> FilterSpec:
    return FilterSpec(name, "event", column, session_column, hourly_dimension=dimension)


def _visit(name: str, landing: str, entry: tuple[tuple[str, str], ...], dimension: str | None) -> FilterSpec:
    return FilterSpec(name, "visit", landing, entry=entry, hourly_dimension=dimension)


_SEARCH = ("entry_medium", "'search'")

FILTERS: dict[str, FilterSpec] = {
    spec.name: spec
    for spec in (
        # The page filter keeps events on the page; a visit qualifies when it has one.
        _event("page", "path", None, "page"),
        _visit("entry_page", "path = {p}", (("entry_page", "{p}"),), "entry_page"),
        _visit("source", "referrer_source = {p}", (("entry_source", "{p}"),), "source"),
        _visit("medium", "referrer_medium = {p}", (("entry_medium", "{p}"),), "medium"),
        _visit("search_engine", "referrer_medium = 'search' AND referrer_source = {p}",
               (_SEARCH, ("entry_source", "{p}")), "search_engine"),
        _visit("keyword", "referrer_medium = 'search' AND search_term = {p}",
               (_SEARCH, ("entry_keyword", "{p}")), "keyword"),
        _visit("utm_source", "utm_source = {p}", (("entry_utm_source", "{p}"),), None),
        _visit("utm_medium", "utm_medium = {p}", (("entry_utm_medium", "{p}"),), None),
        _visit("utm_campaign", "utm_campaign = {p}", (("entry_utm_campaign", "{p}"),), "utm_campaign"),
        _visit("utm_term", "utm_term = {p}", (("entry_utm_term", "{p}"),), None),
        _visit("utm_content", "utm_content = {p}", (("entry_utm_content", "{p}"),), None),
        _event("country", "country", "country", "country"),
        _event("region", "region", "region", "region"),
        _event("city", "city", "city", "city"),
        _event("browser", "browser", "browser", "browser"),
        _event("os", "os", "os", "os"),
        _event("device", "device", "device", "device"),
        _event("screen", SCREEN_SQL, "screen", "screen"),
        FilterSpec("device_class", "event", DEVICE_CLASS_SQL, choices=("mobile", "tablet", "desktop")),
        FilterSpec("visitor_type", "visitor", None, choices=("new", "returning")),
    )
}


def checked_filters(filters: Mapping[str, Any]) -> dict[str, str]:
    """The filters, validated: known names, string values, allowed choices."""
    checked = {}
    for name, value in filters.items():
        spec = FILTERS.get(name)
        if spec is None:
            raise FilterError(f"unknown filter {name!r}; known filters: {', '.join(FILTERS)}")
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            raise FilterError(f"filter {name!r} needs a string value of at most {MAX_VALUE_LENGTH} characters")
        if spec.choices and value not in spec.choices:
            raise FilterError(f"filter {name!r} must be one of {', '.join(spec.choices)}")
        checked[name] = value
    return checked


def param_name(name: str) -> str:
    return f"f_{name}"


def _bind(template: str, name: str) -> str:
    return template.replace("{p}", f"{{{param_name(name)}:String}}")


@dataclass(frozen=True)
class Conditions:
    """SQL conditions joined with AND (empty: no condition) and the parameters they use."""

    sql: list[str]
    params: dict[str, Any]

    def where(self) -> str:
        return " AND ".join(self.sql) if self.sql else "1"

    def and_(self) -> str:
        return "".join(f" AND {condition}" for condition in self.sql)


def first_seen_set(visitor_type: str, first_seen_sql: str) -> str:
    """`visitor_id IN (…)` for new (first seen inside [start, end)) or returning visitors."""
    bound = f"first >= {START}" if visitor_type == "new" else f"first < {START}"
    if visitor_type == "new":
        bound += f" AND first < {END}"
    return f"visitor_id IN (SELECT visitor_id FROM ({first_seen_sql}) WHERE {bound})"


def event_conditions(filters: Mapping[str, str], landing_from: str, first_seen_sql: str,
                     sample: str = "") -> Conditions:
    """Conditions on raw `events` rows for every filter.

    Visit filters become `session_id IN (landing page views …)`, looking back to `landing_from`
    (a parameter expression) for visits that began before the range.
    """
    checked = checked_filters(filters)
    sql: list[str] = []
    landing: list[str] = []
    params: dict[str, Any] = {}
    for name, value in checked.items():
        spec = FILTERS[name]
        params[param_name(name)] = value
        if spec.kind == "event":
            assert spec.event_sql is not None
            sql.append(f"{spec.event_sql} = {{{param_name(name)}:String}}")
        elif spec.kind == "visit":
            assert spec.event_sql is not None
            landing.append(_bind(spec.event_sql, name))
        else:
            sql.append(first_seen_set(value, first_seen_sql))
    if landing:
        sql.append(
            f"session_id IN (SELECT session_id FROM events{sample} WHERE site_id = {{site:String}} "
            f"AND {events_range(landing_from, END)} "
            f"AND {LANDING_SQL} AND {' AND '.join(landing)})"
        )
    return Conditions(sql, params)


def needs_raw_visits(filters: Mapping[str, str]) -> bool:
    """Page and device class: only raw events know which visits had such an event."""
    return any(FILTERS[name].kind == "event" and FILTERS[name].session_column is None
               for name in checked_filters(filters))


def visit_conditions(filters: Mapping[str, str], first_seen_sql: str, raw: bool,
                     entry_sql: Callable[[str], str]) -> tuple[Conditions, Conditions]:
    """(before merging, after merging) conditions for visits (pipelines.rollups.visits_sql).

    Event filters on visitor attributes apply to rows before they are merged (they are the same on
    every event of a visit): on `events` columns when `raw`, else on `sessions` columns. Visit
    filters compare the merged entry, `entry_sql(field)`, with the value's cityHash64. Page and
    device class have no clause here (see `needs_raw_visits`).
    """
    checked = checked_filters(filters)
    before: list[str] = []
    after: list[str] = []
    params: dict[str, Any] = {}
    for name, value in checked.items():
        spec = FILTERS[name]
        params[param_name(name)] = value
        if spec.kind == "visitor":
            before.append(first_seen_set(value, first_seen_sql))
        elif spec.kind == "visit":
            after += [f"{entry_sql(field)} = cityHash64({_bind(value_sql, name)})" for field, value_sql in spec.entry]
        elif spec.session_column is not None:
            assert spec.event_sql is not None
            column = spec.event_sql if raw else spec.session_column
            before.append(f"{column} = {{{param_name(name)}:String}}")
    return Conditions(before, params), Conditions(after, {})


def hourly_filter(filters: Mapping[str, str]) -> tuple[str, str] | None:
    """(dimension, value) of the one filter the hourly rollup can apply, else None."""
    checked = checked_filters(filters)
    if len(checked) != 1:
        return None
    ((name, value),) = checked.items()
    dimension = FILTERS[name].hourly_dimension
    return None if dimension is None else (dimension, value)
