"""Headline numbers, each with the comparison period's value and the change.

visitors, new_visitors, returning_visitors, visits, pageviews, pages_per_visit, bounce_rate,
visit_duration (seconds), time_on_page (seconds). Definitions: docs/metrics.md, "stats".

One statement joins three single-row parts, each from its own planned source:

- event part (visitors, page views, visible time): rollup_hourly or raw events;
- visit part (visits, bounces, durations): the sessions rollup or visits merged from raw events;
- new visitors: visitor_first_seen alone without filters; with filters, the new visitors among
  the filtered visits (a new visitor's first visit starts inside the period).
"""

from __future__ import annotations

from typing import Any

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
    END,
    START,
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


def _new_part(query: Query, plan: Plan) -> str:
    if query.filters:
        return "SELECT 0 AS unfiltered_new"
    return (f"SELECT {scale('count()', plan)} AS unfiltered_new FROM ({first_seen_sql(plan)}) "
            f"WHERE first >= {START} AND first < {END}")


def totals(store: Store, query: Query) -> tuple[dict[str, float], tuple[Plan, ...]]:
    """The metrics of one period (no comparison) and the plans that produced them."""
    event_plan = plan_events(store, query, "")
    visit_plan = plan_visits(store, query)
    if not query.filters:
        new_plan = plan_first_seen(store, query)
    else:  # new visitors among the filtered visits: first-seen sampled like the visits it meets
        new_plan = Plan(Source.EVENTS if query.source == "raw" else Source.FIRST_SEEN, visit_plan.sample)
    event_sql, event_params = _event_part(query, event_plan)
    visit_sql, visit_params = _visit_part(query, visit_plan, new_plan)
    new_sql = _new_part(query, new_plan)
    sql = f"SELECT * FROM ({event_sql}) AS e CROSS JOIN ({visit_sql}) AS v CROSS JOIN ({new_sql}) AS n"
    (row,) = run_sql(store, NAME, sql, {**event_params, **visit_params})
    visitors = int(row["visitors"])
    pageviews = int(row["pageviews"])
    visits = int(row["visits"])
    new = int(row["filtered_new"] if query.filters else row["unfiltered_new"])
    new = min(new, visitors)  # both may be estimates
    values = {
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
    plans = (event_plan, visit_plan) if query.filters else (event_plan, visit_plan, new_plan)
    return values, plans


def change(current: float, previous: float | None) -> float | None:
    """Relative change from the previous value (0.25 = +25 %); None without a base to compare."""
    if previous is None or previous == 0:
        return None
    return round((current - previous) / previous, 4)


def run(store: Store, query: Query) -> Report:
    current, plans = totals(store, query)
    compared = query.compared()
    previous: dict[str, float] | None = None
    if compared is not None:
        previous, previous_plans = totals(store, compared)
        plans += previous_plans
    rows = [
        {"metric": metric, "value": current[metric],
         "previous": None if previous is None else previous[metric],
         "change": None if previous is None else change(current[metric], previous[metric])}
        for metric in METRICS
    ]
    return report(NAME, rows, *plans)
