"""Retention: weekly cohorts of new visitors and the share of each that came back in week 1 … N.

A cohort is the new visitors whose first event ever falls in one local week (Monday-based) of
the range; week k is the k-th week after it. A visitor returns in week k when a visit of theirs
starts in that week (and passes the filters); week 0 is the cohort itself. Weeks after the end of
the range are not listed. Definition: docs/metrics.md, "retention". Rollups: visitor_first_seen
and sessions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from pipelines.filters import END, START
from pipelines.queries._common import UNIQ, Report, ratio, report, run_sql, scale
from pipelines.query import Query
from pipelines.rollups import Plan, Source, first_seen_sql, plan_visits, visits_sql
from pipelines.store.base import Store

NAME = "retention"
MAX_WEEKS = 12


def run(store: Store, query: Query) -> Report:
    plan = plan_visits(store, query)
    first_plan = Plan(Source.EVENTS if query.source == "raw" else Source.FIRST_SEEN, plan.sample)
    visits, params = visits_sql(query, plan)
    cohorts = (f"SELECT visitor_id, toMonday(first, {{tz:String}}) AS cohort FROM ({first_seen_sql(first_plan)}) "
               f"WHERE first >= {START} AND first < {END}")
    week_sql = "intDiv(toMonday(v.visit_start, {tz:String}) - c.cohort, 7)"
    sql = (f"SELECT toString(c.cohort) AS cohort, {week_sql} AS week, {scale(f'{UNIQ}(v.visitor)', plan)} AS visitors "
           f"FROM ({visits}) AS v INNER JOIN ({cohorts}) AS c ON v.visitor = c.visitor_id "
           f"GROUP BY cohort, week HAVING week BETWEEN 0 AND {MAX_WEEKS} ORDER BY cohort, week")
    counts: dict[str, dict[int, int]] = {}
    for row in run_sql(store, NAME, sql, params):
        counts.setdefault(row["cohort"], {})[int(row["week"])] = int(row["visitors"])
    # The last week of the range: later weeks have not happened (or are outside the query).
    last_monday = date.fromisoformat(replace(query, interval="week", comparison=None).buckets()[-1])
    rows = []
    for cohort, weeks in counts.items():
        size = weeks.get(0, 0)
        horizon = (last_monday - date.fromisoformat(cohort)).days // 7
        for week in range(0, min(horizon, MAX_WEEKS) + 1):
            returned = weeks.get(week, 0)
            rows.append({"cohort": cohort, "week": week, "visitors": returned, "cohort_size": size,
                         "share": ratio(returned, size)})
    return report(NAME, rows, plan, first_plan)
