"""Clicks per element of one page: clicks, visitors, rage clicks and where inside the element.

offset_x / offset_y are the average click position inside the element (0-1 of its width and
height). Definition: docs/metrics.md, "heatmap_selectors".
"""

from __future__ import annotations

from pipelines.queries._common import DEFAULT_LIMIT, VISITORS_SQL, Report, report, run_sql, scale
from pipelines.queries._heatmap import page_events
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "heatmap_selectors"


def run(store: Store, query: Query) -> Report:
    plan, where = page_events(store, query, "click")
    sql = (f"SELECT click_selector AS selector, {scale('count()', plan)} AS clicks, "
           f"{scale(VISITORS_SQL, plan)} AS visitors, {scale('countIf(rage_click)', plan)} AS rage_clicks, "
           "round(avg(click_offset_x), 3) AS offset_x, round(avg(click_offset_y), 3) AS offset_y "
           f"FROM events{plan.sample_sql()} WHERE {where.where()} GROUP BY selector "
           f"ORDER BY clicks DESC, selector LIMIT {DEFAULT_LIMIT}")
    rows = [{"selector": r["selector"], "clicks": int(r["clicks"]), "visitors": int(r["visitors"]),
             "rage_clicks": int(r["rage_clicks"]), "offset_x": float(r["offset_x"]),
             "offset_y": float(r["offset_y"])} for r in run_sql(store, NAME, sql, where.params)]
    return report(NAME, rows, plan)
