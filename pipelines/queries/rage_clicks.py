"""Rage clicks of one page: clicks the tracker flagged as part of a rage click, per element.

Definition: docs/metrics.md, "rage_clicks".
"""

from __future__ import annotations

from pipelines.queries._common import DEFAULT_LIMIT, VISITORS_SQL, Report, report, run_sql, scale
from pipelines.queries._heatmap import GRID_COLUMNS, GRID_ROW_PX, page_events
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "rage_clicks"


def run(store: Store, query: Query) -> Report:
    plan, where = page_events(store, query, "click")
    sql = (f"SELECT click_selector AS selector, {scale('count()', plan)} AS rage_clicks, "
           f"{scale(VISITORS_SQL, plan)} AS visitors, "
           f"least(toUInt32(floor(avg(click_x) * {GRID_COLUMNS})), {GRID_COLUMNS - 1}) AS column, "
           f"intDiv(toUInt32(avg(click_y)), {GRID_ROW_PX}) AS row "
           f"FROM events{plan.sample_sql()} WHERE {where.where()} AND rage_click GROUP BY selector "
           f"ORDER BY rage_clicks DESC, selector LIMIT {DEFAULT_LIMIT}")
    rows = [{"selector": r["selector"], "rage_clicks": int(r["rage_clicks"]), "visitors": int(r["visitors"]),
             "column": int(r["column"]), "row": int(r["row"])} for r in run_sql(store, NAME, sql, where.params)]
    return report(NAME, rows, plan)
