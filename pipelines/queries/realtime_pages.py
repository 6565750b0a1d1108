"""Pages being read now: pages with an event in the last 5 minutes, by unique visitors.

Definition: docs/metrics.md, "realtime_pages".
"""

from __future__ import annotations

from datetime import datetime

from pipelines.queries._common import VISITORS_SQL, Report, report, run_sql
from pipelines.queries._realtime import NOW_MINUTES, window
from pipelines.query import Query
from pipelines.rollups import Plan, Source, events_where
from pipelines.store.base import Store

NAME = "realtime_pages"
LIMIT = 20


def run(store: Store, query: Query, now: datetime | None = None) -> Report:
    plan = Plan(Source.EVENTS)
    where = events_where(window(query, now, NOW_MINUTES), plan)
    sql = (f"SELECT path AS page, {VISITORS_SQL} AS visitors FROM events WHERE {where.where()} "
           f"GROUP BY page ORDER BY visitors DESC, page LIMIT {LIMIT}")
    rows = run_sql(store, NAME, sql, where.params)
    return report(NAME, [{"page": r["page"], "visitors": int(r["visitors"])} for r in rows], plan)
