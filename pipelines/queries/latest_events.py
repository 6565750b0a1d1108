"""The latest events (newest first) of the last 30 minutes: what, where, from which country.

Definition: docs/metrics.md, "latest_events".
"""

from __future__ import annotations

from datetime import datetime

from pipelines.queries._common import Report, report, run_sql
from pipelines.queries._realtime import window
from pipelines.query import Query
from pipelines.rollups import Plan, Source, events_where
from pipelines.store.base import Store

NAME = "latest_events"
LIMIT = 50


def run(store: Store, query: Query, now: datetime | None = None) -> Report:
    plan = Plan(Source.EVENTS)
    where = events_where(window(query, now), plan)
    sql = ("SELECT timestamp, event_type, event_name, path AS page, toString(country) AS country, "
           "toString(device) AS device, toString(referrer_source) AS source "
           f"FROM events WHERE {where.where()} ORDER BY timestamp DESC, event_id LIMIT {LIMIT}")
    return report(NAME, run_sql(store, NAME, sql, where.params), plan)
