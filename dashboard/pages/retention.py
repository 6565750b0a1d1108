"""Retention, `/s/{site_id}/retention`: weekly cohorts of new visitors and the share of each that
came back 1, 2, … weeks later (pipelines/queries/retention.py), as a heatmap and a table.

Without a period in the URL it shows the last 12 weeks: enough cohorts to compare, each with
room to come back. Filters and the period picker work as on the overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import report_charts
from dashboard.i18n import number, percent
from dashboard.pages.assets import PLOTLY_URL
from dashboard.params import site_today
from dashboard.report_text import long_day
from dashboard.report_view import Links, read, view_bar
from dashboard.web import page_locale, render, require_site, store_of
from pipelines.queries import retention

DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Cohort:
    label: str
    size: str
    cells: list[tuple[str, int] | None]  # (share as text, shade 0–100 in steps of 10); None: not yet


def cohorts(rows: list[dict[str, Any]]) -> tuple[list[str], int, dict[str, dict[int, dict[str, Any]]]]:
    """(cohort weeks in order, the last week number, cohort → week → row)."""
    table: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        table.setdefault(str(row["cohort"]), {})[int(row["week"])] = row
    weeks = max((week for by_week in table.values() for week in by_week), default=0)
    return sorted(table), weeks, table


def table_rows(locale: str, rows: list[dict[str, Any]]) -> tuple[list[Cohort], int]:
    order, weeks, table = cohorts(rows)
    shown = []
    for cohort in order:
        by_week = table[cohort]
        size = int(next(iter(by_week.values()))["cohort_size"])
        cells: list[tuple[str, int] | None] = []
        for week in range(weeks + 1):
            row = by_week.get(week)
            share = None if row is None else float(row["share"])
            cells.append(None if share is None else (percent(locale, share * 100, 0), int(round(share * 10)) * 10))
        shown.append(Cohort(long_day(locale, date.fromisoformat(cohort)), number(locale, size), cells))
    return shown, weeks


def figure(locale: str, rows: list[dict[str, Any]]) -> str | None:
    order, weeks, table = cohorts(rows)
    if not order:
        return None
    shares = [[None if (row := table[cohort].get(week)) is None else float(row["share"]) for week in range(weeks + 1)]
              for cohort in order]
    sizes = [int(next(iter(table[cohort].values()))["cohort_size"]) for cohort in order]
    labels = [long_day(locale, date.fromisoformat(cohort)) for cohort in order]
    return report_charts.retention(locale, labels, weeks, shares, sizes)


async def retention_page(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    today = site_today(access.site.timezone)
    defaults = {"period": "custom", "from": (today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)).isoformat(),
                "to": today.isoformat()}
    view, query = read(request, access.user, access, defaults if "period" not in request.query_params else None)
    links = Links(f"/s/{access.site.site_id}/retention", view, default_period="custom")
    found = await run_in_threadpool(retention.run, store_of(request), query)
    locale = page_locale(request, access.user)
    shown, weeks = table_rows(locale, found.rows)
    return render(request, "retention.html", {
        "user": access.user, "access": access, "tab": "retention",
        "bar": view_bar(locale, links, query, show_compare=False),
        "cohorts": shown, "weeks": list(range(weeks + 1)), "figure": figure(locale, found.rows),
        "sampled": found.sampled, "plotly_url": PLOTLY_URL,
        "csv_url": Links(f"/s/{access.site.site_id}/export/retention.csv", view).url(),
    })


def routes() -> list[Route]:
    return [Route("/s/{site_id}/retention", retention_page, methods=["GET"])]
