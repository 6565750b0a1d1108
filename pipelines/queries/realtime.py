"""Realtime: unique visitors in the last 5 and the last 30 minutes (one row).

Always raw events (the newest rows are not worth a rollup). Definition: docs/metrics.md,
"realtime".
"""

from __future__ import annotations

from datetime import datetime

from pipelines.queries._common import UNIQ_IF, VISITORS_SQL, Report, report, run_sql
from pipelines.queries._realtime import NOW_MINUTES, window
from pipelines.query import Query
from pipelines.rollups import Plan, Source, events_where
from pipelines.store.base import Store

NAME = "realtime"


def run(store: Store, query: Query, now: datetime | None = None) -> Report:
    recent = window(query, now)
    plan = Plan(Source.EVENTS)
    where = events_where(recent, plan)
    recent_5m = f"timestamp >= {{end:DateTime64(3, 'UTC')}} - INTERVAL {NOW_MINUTES} MINUTE"
    sql = (f"SELECT {UNIQ_IF}(visitor_id, {recent_5m}) AS visitors_5m, {VISITORS_SQL} AS visitors_30m "
           f"FROM events WHERE {where.where()}")
    (row,) = run_sql(store, NAME, sql, where.params)
    return report(NAME, [{"visitors_5m": int(row["visitors_5m"]), "visitors_30m": int(row["visitors_30m"])}], plan)
