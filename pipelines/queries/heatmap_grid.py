"""Click-density grid of one page: clicks per cell of 5 % of the width × 50 px of the height.

Cells are from page coordinates (click_x, a fraction of the document width; click_y, pixels from
the top), so the grid lines up with the page however it was scrolled; filter `device_class`
(mobile < 768 px ≤ tablet < 1024 px ≤ desktop, by viewport width) keeps layouts apart. Only
cells with clicks are listed. Definition: docs/metrics.md, "heatmap_grid".
"""

from __future__ import annotations

from pipelines.queries._common import Report, report, run_sql, scale
from pipelines.queries._heatmap import GRID_COLUMNS, GRID_ROW_PX, page_events
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "heatmap_grid"


def run(store: Store, query: Query) -> Report:
    plan, where = page_events(store, query, "click")
    sql = (f"SELECT least(toUInt32(floor(click_x * {GRID_COLUMNS})), {GRID_COLUMNS - 1}) AS column, "
           f"intDiv(click_y, {GRID_ROW_PX}) AS row, {scale('count()', plan)} AS clicks "
           f"FROM events{plan.sample_sql()} WHERE {where.where()} GROUP BY row, column ORDER BY row, column")
    rows = [{"column": int(r["column"]), "row": int(r["row"]),
             "x_from": round(int(r["column"]) / GRID_COLUMNS, 2), "y_from_px": int(r["row"]) * GRID_ROW_PX,
             "clicks": int(r["clicks"])} for r in run_sql(store, NAME, sql, where.params)]
    return report(NAME, rows, plan)
