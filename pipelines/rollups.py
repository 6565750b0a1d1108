"""The one place that decides where a report reads from, and the SQL of each source.

Sources (migrations 0005–0008 create the rollups; docs/metrics.md explains the rules):

- `rollup_hourly/daily`: per UTC hour (and, for whole UTC days, per day) × dimension × value,
  uniq states and sums. Serves a panel when the site's local buckets fall on UTC hours
  (`Query.hour_aligned`) and there is no filter, or one filter on the panel's own dimension, or
  one event filter for the total.
- `sessions`: one row per visit and UTC day. Serves visit metrics (visits, bounce, duration,
  exits, retention) in any time zone and with any filter; page and device class filters pick
  the visits through raw events (`Plan.raw_filter`).
- `visitor_first_seen`: serves new vs returning unless the query forces raw events.
- `events`: everything else. Above `SAMPLE_EVENTS_ABOVE` estimated rows (`SAMPLE_VISITS_ABOVE`
  for sessions, `SAMPLE_VISITORS_ABOVE` for first-seen) a query reads `SAMPLE 1/n` of the
  visitors and scales counts by n: the report says `sampled = n` and its numbers are estimates.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pipelines.filters import (
    END,
    ENTRY_COLUMNS,
    FILTERS,
    START,
    Conditions,
    checked_filters,
    event_conditions,
    events_range,
    hourly_filter,
    needs_raw_visits,
    visit_conditions,
)
from pipelines.query import Query
from pipelines.store.base import Store

SAMPLE_EVENTS_ABOVE = 4_000_000
SAMPLE_VISITS_ABOVE = 1_000_000
SAMPLE_VISITORS_ABOVE = 2_000_000
# Visits are read from one UTC day before the range (a visit that began before it is not
# counted) to one day after it (a visit that began inside it keeps its later events).
MARGIN_DAYS = 1

# The visits' window on raw events: whole UTC days (the key's own terms, see
# filters.events_range), MARGIN_DAYS around the range.
EVENT_WINDOW = "site_id = {site:String} AND toDate(timestamp) BETWEEN {day_from:Date} AND {day_to:Date}"


class Source(StrEnum):
    HOURLY = "rollup_hourly/daily"
    SESSIONS = "sessions"
    FIRST_SEEN = "visitor_first_seen"
    EVENTS = "events"


@dataclass(frozen=True)
class Plan:
    source: Source
    sample: int = 1  # read 1/sample of the visitors; 1: everything, exact
    # Visits from the sessions rollup, narrowed by raw events (page / device class filters).
    raw_filter: bool = False

    @property
    def rollup(self) -> bool:
        return self.source is not Source.EVENTS

    def sample_sql(self) -> str:
        return f" SAMPLE 1/{self.sample}" if self.sample > 1 else ""


def base_params(query: Query) -> dict[str, Any]:
    """Parameters every source uses: the site, the UTC range and the margin days for visits."""
    start, end = query.bounds()
    return {
        "site": query.site_id,
        "start": start,
        "end": end,
        "day_from": (start.date() - timedelta(days=MARGIN_DAYS)).isoformat(),
        "day_to": (end.date() + timedelta(days=MARGIN_DAYS)).isoformat(),
        "tz": query.timezone,
    }


# -- planning ---------------------------------------------------------------------------------


# Row counts that only decide sampling are reused for a while, as a dashboard asks for many
# panels of the same range at once. Only large counts (at least half of their threshold, where
# sampling may start) are kept: small sites and tests are always planned from fresh counts.
ESTIMATE_SECONDS = 30.0
_estimates: weakref.WeakKeyDictionary[Store, dict[tuple[Any, ...], tuple[float, int]]] = (
    weakref.WeakKeyDictionary())


def _estimate(store: Store, sql: str, params: dict[str, Any], threshold: int) -> int:
    """A row count for the sampling decision against `threshold`; large ones are reused briefly.

    Cached per store object (a closed, collected store takes its entries with it), keyed by the
    statement and its parameters; at most ESTIMATE_SECONDS old, so inserts show up within that.
    """
    cache = _estimates.setdefault(store, {})
    key = (sql, tuple(sorted(params.items())))
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and now - cached[0] < ESTIMATE_SECONDS:
        return cached[1]
    value = int(store.scalar(sql, params) or 0)
    if len(cache) > 1000:
        cache.clear()
    if value * 2 >= threshold:
        cache[key] = (now, value)
    else:
        cache.pop(key, None)
    return value


def _require(query: Query, plan: Plan) -> Plan:
    if query.source == "rollup" and not plan.rollup:
        raise ValueError("no rollup can serve this query (filters or time zone): use source 'auto' or 'raw'")
    return plan


def plan_events(store: Store, query: Query, dimension: str) -> Plan:
    """Where a panel of event metrics grouped by `dimension` ('' for totals) reads from."""
    filters = checked_filters(query.filters)
    if query.source != "raw" and query.hour_aligned():
        if not filters:
            return Plan(Source.HOURLY)
        single = hourly_filter(filters)
        if single is not None:
            ((name, _),) = filters.items()
            if single[0] == dimension or (dimension == "" and FILTERS[name].kind == "event"):
                return Plan(Source.HOURLY)
    return _require(query, Plan(Source.EVENTS, _events_sample(store, query)))


def plan_visits(store: Store, query: Query) -> Plan:
    """Merged visits come from the sessions rollup, in any time zone and with every filter.

    Page and device class are per event: the visits that have such an event are then picked from
    raw events (`session_id IN (…)`), and the plan says so (`raw_filter`).
    """
    if query.source == "raw":
        return Plan(Source.EVENTS, _events_sample(store, query))
    raw_filter = needs_raw_visits(query.filters)
    sample = 1
    if query.sampling:
        rows = _estimate(store, "SELECT count() FROM sessions WHERE site_id = {site:String} "
                         "AND day BETWEEN {day_from:Date} AND {day_to:Date}", base_params(query), SAMPLE_VISITS_ABOVE)
        sample = _ratio(query, rows, SAMPLE_VISITS_ABOVE)
    if raw_filter:
        sample = max(sample, _events_sample(store, query))
    return Plan(Source.SESSIONS, sample, raw_filter)


def plan_first_seen(store: Store, query: Query) -> Plan:
    """First-seen times: the rollup, or (forced raw) the minimum over all of a visitor's events."""
    if query.source == "raw":
        return Plan(Source.EVENTS, _events_sample(store, query))
    if not query.sampling:
        return Plan(Source.FIRST_SEEN)
    rows = _estimate(store, "SELECT count() FROM visitor_first_seen WHERE site_id = {site:String}",
                     {"site": query.site_id}, SAMPLE_VISITORS_ABOVE)
    return Plan(Source.FIRST_SEEN, _ratio(query, rows, SAMPLE_VISITORS_ABOVE))


def plan_raw(store: Store, query: Query) -> Plan:
    """Panels only raw events can answer (heatmaps, scroll reach): raw, sampled when huge."""
    if query.source == "rollup":
        raise ValueError("no rollup serves this panel: use source 'auto' or 'raw'")
    return Plan(Source.EVENTS, _events_sample(store, query))


def estimated_events(store: Store, query: Query) -> int:
    """Events in the range, from the hourly rollup's totals (hours overlapping the range)."""
    return _estimate(store, "SELECT sum(events) FROM rollup_hourly WHERE site_id = {site:String} "
                     "AND dimension = '' AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) "
                     "AND hour < {end:DateTime64(3, 'UTC')}", base_params(query), SAMPLE_EVENTS_ABOVE)


def _events_sample(store: Store, query: Query) -> int:
    if not query.sampling:
        return 1
    return _ratio(query, estimated_events(store, query), SAMPLE_EVENTS_ABOVE)


def _ratio(query: Query, rows: int, threshold: int) -> int:
    return max(1, math.ceil(rows / threshold)) if query.sampling else 1


# -- sources as SQL -----------------------------------------------------------------------------


def first_seen_sql(plan: Plan) -> str:
    """A subquery of (visitor_id, first) for the query's site: every visitor's first event."""
    if plan.source is Source.FIRST_SEEN:
        return (f"SELECT visitor_id, finalizeAggregation(first_seen) AS first FROM visitor_first_seen FINAL"
                f"{plan.sample_sql()} WHERE site_id = {{site:String}}")
    return (f"SELECT visitor_id, min(timestamp) AS first FROM events{plan.sample_sql()} "
            f"WHERE site_id = {{site:String}} AND timestamp < {END} GROUP BY visitor_id")


def events_where(query: Query, plan: Plan) -> Conditions:
    """WHERE conditions on raw events: the site, the range and every filter."""
    first_seen = first_seen_sql(_first_seen_plan(query, plan))
    filters = event_conditions(query.filters, "toDateTime64({day_from:Date}, 3, 'UTC')", first_seen,
                               plan.sample_sql())
    sql = ["site_id = {site:String}", events_range(START, END), *filters.sql]
    return Conditions(sql, {**base_params(query), **filters.params})


def _first_seen_plan(query: Query, plan: Plan) -> Plan:
    """Only a visitor_type filter needs first-seen times; match the plan's sampling."""
    if "visitor_type" not in query.filters:
        return plan
    if query.source == "raw":
        return Plan(Source.EVENTS, plan.sample)
    return Plan(Source.FIRST_SEEN, plan.sample)


ROLLUP_COLUMNS = "value, visitors, visits, pageviews, events, engagement_ms"


def rollup_source(query: Query, dimension: str, by_hour: bool = False) -> tuple[str, dict[str, Any]]:
    """A subquery of rollup rows for `dimension` in the range, narrowed by the one filter it serves.

    Columns: ROLLUP_COLUMNS (uniq states and sums, to merge), plus `hour` when `by_hour`. Whole UTC
    days inside the range come from rollup_daily, the hours at its ends from rollup_hourly.
    """
    params: dict[str, Any] = {**base_params(query), "dimension": dimension}
    single = hourly_filter(query.filters)
    if single is None:
        narrow = "dimension = {dimension:String}"
    else:
        params["filter_dimension"], params["filter_value"] = single
        narrow = "dimension = {filter_dimension:String} AND value = {filter_value:String}"
    hourly = f"SELECT {ROLLUP_COLUMNS}{', hour' if by_hour else ''} FROM rollup_hourly " \
             f"WHERE site_id = {{site:String}} AND {narrow} AND "
    start, end = query.bounds()
    first_day = start.date() if start.time() == datetime.min.time() else start.date() + timedelta(days=1)
    last_day = end.date()  # exclusive
    if by_hour or first_day >= last_day:
        return f"{hourly}hour >= {START} AND hour < {END}", params
    params["whole_from"], params["whole_to"] = first_day.isoformat(), last_day.isoformat()
    daily = (f"SELECT {ROLLUP_COLUMNS} FROM rollup_daily WHERE site_id = {{site:String}} AND {narrow} "
             "AND day >= {whole_from:Date} AND day < {whole_to:Date}")
    edges = (f"{hourly}((hour >= {START} AND hour < toDateTime({{whole_from:Date}}, 'UTC')) "
             f"OR (hour >= toDateTime({{whole_to:Date}}, 'UTC') AND hour < {END}))")
    return f"{daily} UNION ALL {edges}", params


VISIT_COLUMNS = ("session_id, visitor, visit_start, visit_end, visit_pageviews, visit_interactions, "
                 "visit_engagement_ms, exit_hash")
# Entry: the first page view (other events only when a visit has none); exit: the last one.
ENTRY_KEY = "toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)"
EXIT_KEY = "toUnixTimestamp64Milli(timestamp) - if(event_type = 'pageview', 0, 1000000000000000)"


def visits_sql(query: Query, plan: Plan, exit: bool = False, per_event: bool = True) -> tuple[str, dict[str, Any]]:
    """A subquery of the visits that start in the range and pass the filters, one row each.

    Columns: VISIT_COLUMNS. `exit_hash` (cityHash64 of the last page view's path) is only computed
    when asked for, else 0. `per_event=False` leaves out the page and device class conditions
    (the visit must have such an event): the caller then applies them itself.
    """
    first_seen = first_seen_sql(_first_seen_plan(query, plan))
    raw = plan.source is not Source.SESSIONS
    sample = plan.sample_sql()
    # Page and device class: the visit must have such an event in the same window.
    having_event = event_conditions(
        {name: value for name, value in query.filters.items()
         if FILTERS[name].kind == "event" and FILTERS[name].session_column is None}, "", first_seen, sample)
    if not raw:
        def entry(field: str) -> str:
            return f"argMinMerge({field})"

        source = f"sessions{sample}"
        where = "site_id = {site:String} AND day BETWEEN {day_from:Date} AND {day_to:Date}"
        columns = ("min(start) AS visit_start, max(end) AS visit_end, sum(pageviews) AS visit_pageviews, "
                   "sum(interactions) AS visit_interactions, sum(engagement_ms) AS visit_engagement_ms")
        exit_sql = "argMaxMerge(exit_page)"
    else:
        def entry(field: str) -> str:
            return f"argMin(cityHash64({ENTRY_COLUMNS[field]}), {ENTRY_KEY})"

        source = f"events{sample}"
        where = EVENT_WINDOW
        columns = ("min(timestamp) AS visit_start, max(timestamp) AS visit_end, "
                   "countIf(event_type = 'pageview') AS visit_pageviews, "
                   "countIf(event_type IN ('click', 'custom')) AS visit_interactions, "
                   "sumIf(engagement_ms, event_type = 'engagement') AS visit_engagement_ms")
        exit_sql = f"argMax(cityHash64(path), {EXIT_KEY})"
    for condition in having_event.sql if per_event else []:
        where += f" AND session_id IN (SELECT session_id FROM events{sample} WHERE {EVENT_WINDOW} AND {condition})"
    extra = having_event.params if per_event else {}
    before, after = visit_conditions(query.filters, first_seen, raw, entry)
    params = {**base_params(query), **before.params, **extra}
    sql = (
        f"SELECT session_id, any(visitor_id) AS visitor, {columns}, {exit_sql if exit else '0'} AS exit_hash "
        f"FROM {source} WHERE {where}{before.and_()} GROUP BY session_id "
        f"HAVING visit_start >= {START} AND visit_start < {END}{after.and_()}"
    )
    return sql, params


def page_names_sql(plan: Plan) -> str:
    """(value, hash) of every path with events in the visits' window, to name exit hashes."""
    if plan.source is Source.SESSIONS:
        return ("SELECT DISTINCT value, cityHash64(value) AS hash FROM rollup_daily WHERE site_id = {site:String} "
                "AND dimension = 'page' AND day BETWEEN {day_from:Date} AND {day_to:Date}")
    return (f"SELECT DISTINCT path AS value, cityHash64(path) AS hash FROM events WHERE {EVENT_WINDOW} "
            "AND event_type = 'pageview'")
