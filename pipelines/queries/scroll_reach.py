"""Scroll reach of one page: the share of its page views whose reader scrolled to each 5 %.

A page view's depth is the deepest scroll_depth its engagement reports sent. Reports carry no
page-view id, so the page views of a page within one visit count as one (its deepest). Only page
views with a report are counted. Rows: depth 5 … 100, page_views reaching it, share.
Definition: docs/metrics.md, "scroll_reach".
"""

from __future__ import annotations

from pipelines.queries._common import Report, ratio, report, run_sql, scale
from pipelines.queries._heatmap import SCROLL_STEP, page_events
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "scroll_reach"


def run(store: Store, query: Query) -> Report:
    plan, where = page_events(store, query, "engagement")
    sql = (f"SELECT depth, {scale('countIf(deepest >= depth)', plan)} AS reached, {scale('count()', plan)} AS total "
           f"FROM (SELECT max(scroll_depth) AS deepest FROM events{plan.sample_sql()} WHERE {where.where()} "
           f"GROUP BY session_id) ARRAY JOIN range({SCROLL_STEP}, 101, {SCROLL_STEP}) AS depth "
           "GROUP BY depth ORDER BY depth")
    found = {int(r["depth"]): r for r in run_sql(store, NAME, sql, where.params)}
    rows = []
    for depth in range(SCROLL_STEP, 101, SCROLL_STEP):
        row = found.get(depth)
        reached, total = (int(row["reached"]), int(row["total"])) if row else (0, 0)
        rows.append({"depth": depth, "page_views": reached, "share": ratio(reached, total)})
    return report(NAME, rows, plan)
