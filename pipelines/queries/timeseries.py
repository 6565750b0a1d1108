"""The main graph: visitors, visits and page views per local hour, day, week, month or year.

Every bucket of the range is listed, empty ones with zeros. With a comparison, each row also
carries the comparison period's bucket at the same position. Visits here are visits with an
event in the bucket (a visit crossing midnight counts on both days). Definition: docs/metrics.md,
"timeseries". Rollup: rollup_hourly, the total row.
"""

from __future__ import annotations

from typing import Any

from pipelines.queries._common import (
    PAGEVIEWS_SQL,
    UNIQ_MERGE,
    VISITORS_SQL,
    VISITS_SQL,
    Report,
    bucket_sql,
    fill_buckets,
    report,
    run_sql,
    scale,
)
from pipelines.query import Query
from pipelines.rollups import Plan, Source, events_where, plan_events, rollup_source
from pipelines.store.base import Store

NAME = "timeseries"
ZERO = {"visitors": 0, "visits": 0, "pageviews": 0}


def series(store: Store, query: Query) -> tuple[list[dict[str, Any]], Plan]:
    plan = plan_events(store, query, "")
    if plan.source is Source.HOURLY:
        source, params = rollup_source(query, "", by_hour=True)
        sql = (f"SELECT {bucket_sql('hour', query.interval)} AS bucket, {UNIQ_MERGE}(visitors) AS visitors, "
               f"{UNIQ_MERGE}(visits) AS visits, sum(pageviews) AS pageviews FROM ({source}) "
               "GROUP BY bucket ORDER BY bucket")
    else:
        where = events_where(query, plan)
        params = where.params
        sql = (f"SELECT {bucket_sql('timestamp', query.interval)} AS bucket, "
               f"{scale(VISITORS_SQL, plan)} AS visitors, {scale(VISITS_SQL, plan)} AS visits, "
               f"{scale(PAGEVIEWS_SQL, plan)} AS pageviews FROM events{plan.sample_sql()} "
               f"WHERE {where.where()} GROUP BY bucket ORDER BY bucket")
    rows = [{"bucket": row["bucket"], **{key: int(row[key]) for key in ZERO}}
            for row in run_sql(store, NAME, sql, params)]
    return fill_buckets(query, rows, ZERO), plan



def run(store: Store, query: Query) -> Report:
    rows, plan = series(store, query)
    plans = [plan]
    compared = query.compared()
    if compared is not None:
        previous, previous_plan = series(store, compared)
        plans.append(previous_plan)
        for index, row in enumerate(rows):
            row["previous"] = previous[index] if index < len(previous) else None
    return report(NAME, rows, *plans)
