"""Traffic by local hour of day × weekday: visitors and page views in each of the 168 cells.

weekday is 1 (Monday) … 7 (Sunday), hour 0 … 23, both in the site's time zone; cells without
traffic are listed with zeros. Visitors in a cell are unique within that cell over the whole
range. Definition: docs/metrics.md, "hour_weekday". Rollup: rollup_hourly, the total row.
"""

from __future__ import annotations

from pipelines.queries._common import PAGEVIEWS_SQL, UNIQ_MERGE, VISITORS_SQL, Report, report, run_sql, scale
from pipelines.query import Query
from pipelines.rollups import Source, events_where, plan_events, rollup_source
from pipelines.store.base import Store

NAME = "hour_weekday"


def _cell(column: str) -> str:
    return f"toDayOfWeek({column}, 0, {{tz:String}}) AS weekday, toHour({column}, {{tz:String}}) AS hour_of_day"


def run(store: Store, query: Query) -> Report:
    plan = plan_events(store, query, "")
    if plan.source is Source.HOURLY:
        source, params = rollup_source(query, "", by_hour=True)
        sql = (f"SELECT {_cell('hour')}, "
               f"{UNIQ_MERGE}(visitors) AS visitors, sum(pageviews) AS pageviews FROM ({source}) "
               "GROUP BY weekday, hour_of_day")
    else:
        where = events_where(query, plan)
        params = where.params
        sql = (f"SELECT {_cell('timestamp')}, "
               f"{scale(VISITORS_SQL, plan)} AS visitors, {scale(PAGEVIEWS_SQL, plan)} AS pageviews "
               f"FROM events{plan.sample_sql()} WHERE {where.where()} GROUP BY weekday, hour_of_day")
    found = {(int(r["weekday"]), int(r["hour_of_day"])): r for r in run_sql(store, NAME, sql, params)}
    rows = []
    for weekday in range(1, 8):
        for hour in range(24):
            cell = found.get((weekday, hour))
            rows.append({"weekday": weekday, "hour": hour,
                         "visitors": int(cell["visitors"]) if cell else 0,
                         "pageviews": int(cell["pageviews"]) if cell else 0})
    return report(NAME, rows, plan)

