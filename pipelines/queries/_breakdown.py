"""Top-N lists of one dimension (pages, sources, countries, …): the query every list panel shares.

From `rollup_hourly` the dimension's rows are merged over the range; from raw events the same
rows are selected with the same rule the rollup's view uses (landing page views for entry page
and attribution, medium 'search' for engines and keywords, non-empty utm_campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.filters import LANDING_SQL, SCREEN_SQL
from pipelines.queries._common import (
    DEFAULT_LIMIT,
    ENGAGEMENT_SQL,
    PAGEVIEWS_SQL,
    UNIQ_MERGE,
    VISITORS_SQL,
    VISITS_SQL,
    Report,
    bucket_sql,
    report,
    run_sql,
    scale,
    seconds_per,
)
from pipelines.query import Query
from pipelines.rollups import Plan, Source, events_where, plan_events, rollup_source
from pipelines.store.base import Store


@dataclass(frozen=True)
class Dimension:
    name: str  # as in rollup_hourly.dimension
    sql: str  # its value on a raw event
    rows: str = "1"  # which raw events carry it


DIMENSIONS = {
    dimension.name: dimension
    for dimension in (
        Dimension("page", "path"),
        Dimension("entry_page", "path", LANDING_SQL),
        Dimension("source", "toString(referrer_source)", LANDING_SQL),
        Dimension("medium", "toString(referrer_medium)", LANDING_SQL),
        Dimension("search_engine", "toString(referrer_source)", f"{LANDING_SQL} AND referrer_medium = 'search'"),
        Dimension("keyword", "search_term", f"{LANDING_SQL} AND referrer_medium = 'search'"),
        Dimension("utm_campaign", "utm_campaign", f"{LANDING_SQL} AND utm_campaign != ''"),
        Dimension("country", "toString(country)"),
        Dimension("region", "toString(region)"),
        Dimension("city", "city"),
        Dimension("browser", "toString(browser)"),
        Dimension("os", "toString(os)"),
        Dimension("device", "toString(device)"),
        Dimension("screen", SCREEN_SQL),
    )
}

RAW_METRICS = {
    "visitors": VISITORS_SQL,
    "visits": VISITS_SQL,
    "pageviews": PAGEVIEWS_SQL,
    "engagement_ms": ENGAGEMENT_SQL,
}
ROLLUP_METRICS = {
    "visitors": f"{UNIQ_MERGE}(visitors)",
    "visits": f"{UNIQ_MERGE}(visits)",
    "pageviews": "sum(pageviews)",
    "engagement_ms": "sum(engagement_ms)",
}


def breakdown_sql(query: Query, dimension: str, plan: Plan, metrics: tuple[str, ...],
                  limit: int | None = DEFAULT_LIMIT, by_bucket: bool = False) -> tuple[str, dict[str, object]]:
    """SQL of value and `metrics` (of visitors, visits, pageviews, engagement_ms) for `dimension`.

    Ordered by the first metric, descending, then value; with `by_bucket`, per local bucket of
    the query's interval first.
    """
    spec = DIMENSIONS[dimension]
    if plan.source is Source.HOURLY:
        source, params = rollup_source(query, dimension, by_hour=by_bucket)
        select = ", ".join(ROLLUP_METRICS[metric] + f" AS {metric}" for metric in metrics)
        value = "value"
        time_column = "hour"
        source, where = f"({source})", "1"
    else:
        conditions = events_where(query, plan)
        params = dict(conditions.params)
        select = ", ".join(f"{scale(RAW_METRICS[metric], plan)} AS {metric}" for metric in metrics)
        value = f"{spec.sql} AS value"
        time_column = "timestamp"
        source, where = f"events{plan.sample_sql()}", f"{conditions.where()} AND {spec.rows}"
    keys = f"{bucket_sql(time_column, query.interval)} AS bucket, {value}" if by_bucket else value
    order = f"{metrics[0]} DESC, value"
    sql = (f"SELECT {keys}, {select} FROM {source} WHERE {where} "
           f"GROUP BY {'bucket, ' if by_bucket else ''}value ORDER BY {'bucket, ' if by_bucket else ''}{order}")
    if limit is not None:
        sql += " LIMIT {limit:UInt32}"
        params["limit"] = limit
    return sql, params


def breakdown(store: Store, query: Query, name: str, dimension: str, label: str,
              metrics: tuple[str, ...], limit: int = DEFAULT_LIMIT) -> Report:
    """Run the top list of `dimension`, naming the value column `label` and keeping `metrics`.

    `time_on_page` is derived: visible time ÷ page views, in seconds.
    """
    plan = plan_events(store, query, dimension)
    stored = tuple(dict.fromkeys(
        part for metric in metrics
        for part in (("pageviews", "engagement_ms") if metric == "time_on_page" else (metric,))))
    sql, params = breakdown_sql(query, dimension, plan, stored, limit=limit)
    rows = []
    for row in run_sql(store, name, sql, params):
        shaped: dict[str, Any] = {label: row["value"]}
        for metric in metrics:
            if metric == "time_on_page":
                shaped[metric] = seconds_per(row["engagement_ms"], row["pageviews"])
            else:
                shaped[metric] = int(row[metric])
        rows.append(shaped)
    return report(name, rows, plan)
