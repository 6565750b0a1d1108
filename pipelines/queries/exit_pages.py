"""Exit pages: visits whose last page view was on each path, and the visitors behind them.

Visits are counted in the period where they start (docs/metrics.md, "exit_pages"). Rollup:
sessions (argMax of the page views' path hashes, named from rollup_daily's pages).
"""

from __future__ import annotations

from pipelines.queries._common import DEFAULT_LIMIT, UNIQ, Report, report, run_sql, scale
from pipelines.query import Query
from pipelines.rollups import page_names_sql, plan_visits, visits_sql
from pipelines.store.base import Store

NAME = "exit_pages"


def run(store: Store, query: Query) -> Report:
    plan = plan_visits(store, query)
    visits, params = visits_sql(query, plan, exit=True)
    exits = (f"SELECT exit_hash, {scale(f'{UNIQ}(visitor)', plan)} AS visitors, {scale('count()', plan)} AS exits "
             f"FROM ({visits}) WHERE visit_pageviews > 0 GROUP BY exit_hash")
    sql = (f"SELECT n.value AS page, e.visitors AS visitors, e.exits AS exits FROM ({exits}) AS e "
           f"INNER JOIN ({page_names_sql(plan)}) AS n ON e.exit_hash = n.hash "
           "ORDER BY exits DESC, page LIMIT {limit:UInt32}")
    rows = run_sql(store, NAME, sql, {**params, "limit": DEFAULT_LIMIT})
    return report(NAME, [{"page": r["page"], "visitors": int(r["visitors"]), "exits": int(r["exits"])} for r in rows],
                  plan)
