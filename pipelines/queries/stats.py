"""Headline numbers, each with the comparison period's value and the change.

visitors, new_visitors, returning_visitors, visits, pageviews, pages_per_visit, bounce_rate,
visit_duration (seconds), time_on_page (seconds). Definitions: docs/metrics.md, "stats".

One statement answers both periods (a row each, UNION ALL). A period's row joins single-row
parts, each from its own planned source:

- event part (visitors, page views, visible time): rollup_hourly or raw events;
- visit part (visits, bounces, durations): the sessions rollup or visits merged from raw events;
- new visitors: without filters, visitor_first_seen alone, in one pass for both periods; with
  filters, the new visitors among the filtered visits (a new visitor's first visit starts inside
  the period).
"""

from __future__ import annotations

import re
from typing import Any

from pipelines.filters import END, FILTERS, START, checked_filters, event_conditions
from pipelines.queries._common import (
    ENGAGEMENT_SQL,
    PAGEVIEWS_SQL,
    UNIQ_IF,
    UNIQ_MERGE,
    VISITORS_SQL,
    Report,
    ratio,
    report,
    run_sql,
    scale,
    seconds_per,
)
from pipelines.query import Query
from pipelines.rollups import (
    EVENT_WINDOW,
    Plan,
    Source,
    events_where,
    first_seen_sql,
    plan_events,
    plan_first_seen,
    plan_visits,
    rollup_source,
    visits_sql,
)
from pipelines.store.base import Store

NAME = "stats"
BOUNCE_ENGAGEMENT_MS = 10_000
METRICS = ("visitors", "new_visitors", "returning_visitors", "visits", "pageviews", "pages_per_visit",
           "bounce_rate", "visit_duration", "time_on_page")


def _event_part(query: Query, plan: Plan) -> tuple[str, dict[str, Any]]:
    if plan.source is Source.HOURLY:
        source, params = rollup_source(query, "")
        return (f"SELECT {UNIQ_MERGE}(visitors) AS visitors, sum(pageviews) AS pageviews, "
                f"sum(engagement_ms) AS engagement_ms FROM ({source})", params)
    where = events_where(query, plan)
    columns = ", ".join(f"{scale(expression, plan)} AS {name}" for expression, name in (
        (VISITORS_SQL, "visitors"),
        (PAGEVIEWS_SQL, "pageviews"),
        (ENGAGEMENT_SQL, "engagement_ms"),
    ))
    return f"SELECT {columns} FROM events{plan.sample_sql()} WHERE {where.where()}", where.params


def _visit_part(query: Query, plan: Plan, new_plan: Plan) -> tuple[str, dict[str, Any]]:
    visits, params = visits_sql(query, plan)
    new = "0"
    if query.filters:
        new_set = f"SELECT visitor_id FROM ({first_seen_sql(new_plan)}) WHERE first >= {START} AND first < {END}"
        new = scale(f"{UNIQ_IF}(visitor, visitor IN ({new_set}))", plan)
    bounce = f"visit_pageviews = 1 AND visit_interactions = 0 AND visit_engagement_ms < {BOUNCE_ENGAGEMENT_MS}"
    columns = ", ".join(f"{scale(expression, plan)} AS {name}" for expression, name in (
        ("count()", "visits"),
        (f"countIf({bounce})", "bounces"),
        ("sum(dateDiff('millisecond', visit_start, visit_end))", "duration_ms"),
        ("sum(visit_pageviews)", "pages_in_visits"),
    ))
    return f"SELECT {columns}, {new} AS filtered_new FROM ({visits})", params


def _joins_page_visits(query: Query, visit_plan: Plan) -> bool:
    """Whether the joined form serves this filtered query: event filters only (no visit or visitor
    filter), exactly one of them per event (page or device class), the rest visitor attributes."""
    filters = checked_filters(query.filters)
    per_event = [name for name in filters if FILTERS[name].session_column is None]
    return (visit_plan.source is Source.SESSIONS and len(per_event) == 1
            and all(FILTERS[name].kind == "event" for name in filters))


def _joined_part(query: Query, plan: Plan, new_plan: Plan) -> tuple[str, dict[str, Any]]:
    """Both parts in one pass over raw events, for a page (or device class) filter.

    The filtered events of the visits' window are read once, summed per visit: their share inside
    the period gives the event part, and the visits having such an event are the visits from the
    sessions rollup (filtered by the visitor attributes) that they join. Equal to the two parts
    apart: a visitor attribute is the same on every event of a visit, so a visit passing it has an
    event on the page exactly when it has one passing every filter. One sampling (`plan.sample`)
    serves both sides, so that they hold the same visitors.
    """
    sample = plan.sample_sql()
    conditions = event_conditions(query.filters, "", first_seen_sql(new_plan), sample)
    inside = f"timestamp >= {START} AND timestamp < {END}"
    events = (f"SELECT session_id, any(visitor_id) AS visitor, countIf({inside}) AS period_events, "
              f"countIf(event_type = 'pageview' AND {inside}) AS period_pageviews, "
              f"sumIf(engagement_ms, event_type = 'engagement' AND {inside}) AS period_engagement_ms "
              f"FROM events{sample} WHERE {EVENT_WINDOW}{conditions.and_()} GROUP BY session_id")
    visits, params = visits_sql(query, plan, per_event=False)
    new_set = f"SELECT visitor_id FROM ({first_seen_sql(new_plan)}) WHERE first >= {START} AND first < {END}"
    bounce = (f"v.visit_pageviews = 1 AND v.visit_interactions = 0 "
              f"AND v.visit_engagement_ms < {BOUNCE_ENGAGEMENT_MS}")
    columns = ", ".join(f"{scale(expression, plan)} AS {name}" for expression, name in (
        (f"{UNIQ_IF}(e.visitor, e.period_events > 0)", "visitors"),
        ("sum(e.period_pageviews)", "pageviews"),
        ("sum(e.period_engagement_ms)", "engagement_ms"),
        ("countIf(v.visit)", "visits"),
        (f"countIf(v.visit AND {bounce})", "bounces"),
        ("sumIf(dateDiff('millisecond', v.visit_start, v.visit_end), v.visit)", "duration_ms"),
        ("sumIf(v.visit_pageviews, v.visit)", "pages_in_visits"),
        (f"{UNIQ_IF}(v.visitor, v.visit AND v.visitor IN ({new_set}))", "filtered_new"),
    ))
    sql = (f"SELECT {columns} FROM (SELECT *, 1 AS visit FROM ({visits})) AS v "
           f"RIGHT JOIN ({events}) AS e ON v.session_id = e.session_id")
    return sql, {**params, **conditions.params}


def _new_part(periods: list[tuple[Query, str]], plan: Plan) -> str:
    """Unfiltered new visitors of every period (`new_0`, `new_1`) in one pass over first-seen times.

    `periods` pairs each period's query with the prefix of its parameters.
    """
    columns = ", ".join(
        _renamed(f"{scale(f'countIf(first >= {START} AND first < {END})', plan)} AS new_{index}", {}, prefix)[0]
        for index, (_, prefix) in enumerate(periods))
    return f"SELECT {columns} FROM ({first_seen_sql(plan)})"


def period_sql(store: Store, query: Query) -> tuple[str, dict[str, Any], tuple[Plan, ...], Plan]:
    """One period's single-row statement of event and visit parts, its parameters, the plans behind
    it and the plan for its new visitors (read by `_new_part` when there is no filter)."""
    event_plan = plan_events(store, query, "")
    visit_plan = plan_visits(store, query)
    if not query.filters:
        new_plan = plan_first_seen(store, query)
    else:  # new visitors among the filtered visits: first-seen sampled like the visits it meets
        new_plan = Plan(Source.EVENTS if query.source == "raw" else Source.FIRST_SEEN, visit_plan.sample)
    if query.filters and event_plan.source is Source.EVENTS and _joins_page_visits(query, visit_plan):
        sql, params = _joined_part(query, visit_plan, new_plan)
        return sql, params, (Plan(Source.EVENTS, visit_plan.sample), visit_plan), new_plan
    event_sql, event_params = _event_part(query, event_plan)
    visit_sql, visit_params = _visit_part(query, visit_plan, new_plan)
    sql = f"SELECT * FROM ({event_sql}) AS e CROSS JOIN ({visit_sql}) AS v"
    return sql, {**event_params, **visit_params}, (event_plan, visit_plan), new_plan


def metrics(query: Query, row: dict[str, Any], new_column: str) -> dict[str, float]:
    visitors = int(row["visitors"])
    pageviews = int(row["pageviews"])
    visits = int(row["visits"])
    new = int(row["filtered_new"] if query.filters else row[new_column])
    new = min(new, visitors)  # both may be estimates
    return {
        "visitors": visitors,
        "new_visitors": new,
        "returning_visitors": visitors - new,
        "visits": visits,
        "pageviews": pageviews,
        "pages_per_visit": ratio(row["pages_in_visits"], visits, 2),
        "bounce_rate": ratio(row["bounces"], visits),
        "visit_duration": seconds_per(row["duration_ms"], visits),
        "time_on_page": seconds_per(row["engagement_ms"], pageviews),
    }


def _renamed(sql: str, params: dict[str, Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """The same statement with every parameter renamed `prefix` + name, to sit beside another."""
    if not prefix:
        return sql, params
    renamed = re.sub(r"\{(\w+):", lambda match: "{" + prefix + match.group(1) + ":", sql)
    return renamed, {prefix + name: value for name, value in params.items()}


def change(current: float, previous: float | None) -> float | None:
    """Relative change from the previous value (0.25 = +25 %); None without a base to compare."""
    if previous is None or previous == 0:
        return None
    return round((current - previous) / previous, 4)


def run(store: Store, query: Query) -> Report:
    """Both periods in one statement: their rows (UNION ALL), then, without filters, one pass over
    first-seen times counting the new visitors of both."""
    compared = query.compared()
    periods = [(query, "")] if compared is None else [(query, ""), (compared, "previous_")]
    selects: list[str] = []
    params: dict[str, Any] = {}
    plans: list[Plan] = []
    new_plan: Plan | None = None
    for index, (period, prefix) in enumerate(periods):
        sql, period_params, period_plans, period_new_plan = period_sql(store, period)
        sql, period_params = _renamed(sql, period_params, prefix)
        selects.append(f"SELECT {index} AS period, * FROM ({sql})")
        params.update(period_params)
        plans.extend(period_plans)
        new_plan = new_plan or period_new_plan  # first-seen is site-wide: one plan serves both
    sql = " UNION ALL ".join(selects)
    if not query.filters and new_plan is not None:
        sql = f"SELECT * FROM ({sql}) AS p CROSS JOIN ({_new_part(periods, new_plan)}) AS n"
        plans.append(new_plan)
    found = {int(row["period"]): row for row in run_sql(store, NAME, sql, params)}
    current = metrics(query, found[0], "new_0")
    previous = None if compared is None else metrics(compared, found[1], "new_1")
    rows = [
        {"metric": metric, "value": current[metric],
         "previous": None if previous is None else previous[metric],
         "change": None if previous is None else change(current[metric], previous[metric])}
        for metric in METRICS
    ]
    return report(NAME, rows, *plans)
