"""Pages with clicks: the heatmap page's list to choose from, most clicked first.

Unlike the other heatmap panels it needs no page filter (with one, it answers for that page
only). `width` is the median viewport width of the clicks (CSS pixels): the dashboard scales an
uploaded screenshot to it, since click_y is in CSS pixels and a screenshot's pixels may not be.
Not in PANELS: it is the heatmap page's chooser, not a report. Definition: docs/metrics.md,
"heatmap_pages".
"""

from __future__ import annotations

from pipelines.queries._common import VISITORS_SQL, Report, report, run_sql, scale
from pipelines.query import Query
from pipelines.rollups import events_where, plan_raw
from pipelines.store.base import Store

NAME = "heatmap_pages"
LIMIT = 50


def run(store: Store, query: Query, limit: int = LIMIT) -> Report:
    plan = plan_raw(store, query)
    where = events_where(query, plan)
    where.sql.append("event_type = 'click'")
    sql = (f"SELECT path, {scale('count()', plan)} AS clicks, {scale(VISITORS_SQL, plan)} AS visitors, "
           "toUInt32(quantileExact(0.5)(viewport_width)) AS width "
           f"FROM events{plan.sample_sql()} WHERE {where.where()} GROUP BY path "
           f"ORDER BY clicks DESC, path LIMIT {int(limit)}")
    rows = [{"page": r["path"], "clicks": int(r["clicks"]), "visitors": int(r["visitors"]), "width": int(r["width"])}
            for r in run_sql(store, NAME, sql, where.params)]
    return report(NAME, rows, plan)
