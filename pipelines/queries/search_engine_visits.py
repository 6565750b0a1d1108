"""Visits per search engine over time: one row per (local bucket, engine) with visits.

Definition: docs/metrics.md, "search_engine_visits". Rollup: rollup_hourly dimension
'search_engine'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown_sql
from pipelines.queries._common import Report, report, run_sql
from pipelines.query import Query
from pipelines.rollups import plan_events
from pipelines.store.base import Store

NAME = "search_engine_visits"


def run(store: Store, query: Query) -> Report:
    plan = plan_events(store, query, "search_engine")
    sql, params = breakdown_sql(query, "search_engine", plan, ("visits", "visitors"), limit=None,
                                by_bucket=True)
    rows = [{"bucket": row["bucket"], "search_engine": row["value"], "visits": int(row["visits"]),
             "visitors": int(row["visitors"])} for row in run_sql(store, NAME, sql, params)]
    return report(NAME, rows, plan)
