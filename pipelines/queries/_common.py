"""What report modules share: the result shape, running a named query, local-time buckets."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.query import Query
from pipelines.rollups import Plan, Source
from pipelines.store.base import Params, Store

log = logging.getLogger("footfall.queries")

DEFAULT_LIMIT = 100
# The same counts on raw events as the rollups keep.
UNIQ = "uniqCombined(14)"  # the rollups' uniq states are this function's: raw queries must match
UNIQ_MERGE = "uniqCombinedMerge(14)"
UNIQ_IF = "uniqCombinedIf(14)"
VISITORS_SQL = f"{UNIQ}(visitor_id)"
VISITS_SQL = f"{UNIQ}(session_id)"
PAGEVIEWS_SQL = "countIf(event_type = 'pageview')"
ENGAGEMENT_SQL = "sumIf(engagement_ms, event_type = 'engagement')"


@dataclass
class Report:
    """A panel's answer: plain rows, where they came from, and whether they are estimates.

    `sampled` is n when the query read 1/n of the visitors and scaled counts by n (the numbers are
    then estimates); 1 means exact. `sources` names the tables read, e.g. ('rollup_hourly',).
    """

    name: str
    rows: list[dict[str, Any]]
    sources: tuple[str, ...] = ()
    sampled: int = 1

    @property
    def estimated(self) -> bool:
        return self.sampled > 1


def report(name: str, rows: list[dict[str, Any]], *plans: Plan) -> Report:
    names = [name for plan in plans for name in (str(plan.source), "events" if plan.raw_filter else "")]
    sources = tuple(dict.fromkeys(name for name in names if name))
    return Report(name, rows, sources, max((plan.sample for plan in plans), default=1))


def run_sql(store: Store, name: str, sql: str, params: Params) -> list[dict[str, Any]]:
    """Run one report query, tagged with its name (visible in system.query_log) and timed."""
    started = time.perf_counter()
    rows = store.query(f"/* footfall:{name} */ {sql}", params)
    log.debug("query %s: %d rows in %.1f ms", name, len(rows), (time.perf_counter() - started) * 1000)
    return rows


def bucket_sql(column: str, interval: str) -> str:
    """SQL for the label of the local bucket holding `column` (a UTC time), as Query.buckets() prints."""
    if interval == "hour":
        return f"formatDateTime(toStartOfHour({column}, {{tz:String}}), '%Y-%m-%d %H:00', {{tz:String}})"
    start = {"day": "toDate({c}, {{tz:String}})", "week": "toMonday({c}, {{tz:String}})",
             "month": "toStartOfMonth({c}, {{tz:String}})", "year": "toStartOfYear({c}, {{tz:String}})"}[interval]
    return f"toString({start.format(c=column)})"


def fill_buckets(query: Query, rows: Iterable[dict[str, Any]], zero: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per bucket of the range, in order: buckets without data get `zero`'s values."""
    found = {row["bucket"]: row for row in rows}
    return [found.get(label, {"bucket": label, **zero}) for label in query.buckets()]


def scale(expression: str, plan: Plan) -> str:
    """A count from sampled rows, scaled back up to an estimate of the whole."""
    return f"({expression}) * {plan.sample}" if plan.sample > 1 else expression


def seconds_per(milliseconds: float | int | None, count: float | int | None) -> float:
    """Average seconds, one decimal: total milliseconds ÷ how many."""
    if not count:
        return 0.0
    return round(float(milliseconds or 0) / float(count) / 1000, 1)


def ratio(part: float | int | None, whole: float | int | None, digits: int = 4) -> float:
    if not whole:
        return 0.0
    return round(float(part or 0) / float(whole), digits)


@dataclass(frozen=True)
class Panel:
    """A registered report: the dashboard and the benchmark iterate these."""

    name: str
    title: str
    run: Callable[[Store, Query], Report]
    overview: bool = False  # loaded with the dashboard's first screen
    needs_page: bool = False  # heatmaps: only meaningful with a page filter


def is_rollup(plan: Plan) -> bool:
    return plan.source is not Source.EVENTS
