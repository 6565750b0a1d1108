"""The overview of one site, `/s/{site_id}`: headline numbers with their change against a
comparison period, the time series, tabbed cards (pages, sources, locations with a map, devices)
and the hour × weekday heatmap. A click on any row filters the whole page through the URL.

Which reports run and how: dashboard/overview_data.py. Figures: dashboard/report_charts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import report_charts
from dashboard.i18n import gettext, number
from dashboard.overview_data import CARDS, NEW_SERIES, Card, Overview, Tab, load, open_tabs
from dashboard.pages.assets import PLOTLY_URL
from dashboard.report_text import COLUMN_LABELS, bucket_label, duration, headlines, value_label
from dashboard.report_view import Links, intervals, read, view_bar
from dashboard.web import page_locale, render, require_site, store_of
from pipelines.query import Query

SHOWN_ROWS = 10  # rows a card shows before "more"


@dataclass(frozen=True)
class Row:
    label: str
    url: str | None  # None: an empty value, which no filter can select
    cells: list[str]
    bar: int  # share of the top row's first metric, 0–100 in steps of 5 (a CSS class)


@dataclass(frozen=True)
class CardView:
    card: Card
    tab: Tab
    title: str
    tabs: list[tuple[str, str, bool]]  # (label, url, open)
    columns: list[str]
    rows: list[Row]
    failed: bool
    estimated: bool
    csv_url: str
    chart: str | None = None  # a figure under the list (search engines over time)

    @property
    def shown(self) -> list[Row]:
        return self.rows[:SHOWN_ROWS]

    @property
    def more(self) -> list[Row]:
        return self.rows[SHOWN_ROWS:]


def _cell(locale: str, column: str, value: Any) -> str:
    return duration(locale, value) if column == "time_on_page" else number(locale, value)


def _rows(locale: str, tab: Tab, rows: list[dict[str, Any]], links: Links) -> list[Row]:
    top = max((float(row[tab.columns[0]]) for row in rows), default=0.0) or 1.0
    return [
        Row(value_label(locale, tab.filter, str(row[tab.key])),
            links.url(**{tab.filter: str(row[tab.key])}) if row[tab.key] != "" else None,
            [_cell(locale, column, row[column]) for column in tab.columns],
            int(round(float(row[tab.columns[0]]) / top * 20)) * 5)
        for row in rows
    ]


def card_view(locale: str, card: Card, tab: Tab, overview: Overview, links: Links, query: Query,
              site_path: str) -> CardView:
    found = overview.reports.get(tab.panel)
    chart = None
    if tab.panel == "search_engines" and overview.rows("search_engine_visits"):
        buckets = query.buckets()
        one_day = query.date_from == query.date_to
        labels = [bucket_label(locale, bucket, query.interval, one_day) for bucket in buckets]
        chart = report_charts.engine_visits(locale, buckets, labels, overview.rows("search_engine_visits"))
    return CardView(
        card, tab, gettext(locale, card.title),
        [(gettext(locale, other.label), links.url(**{card.param: other.panel}) + f"#card-{card.name}",
          other is tab) for other in card.tabs],
        [gettext(locale, COLUMN_LABELS[column]) for column in tab.columns],
        _rows(locale, tab, found.rows if found else [], links),
        tab.panel in overview.failed,
        bool(found and found.estimated),
        Links(f"{site_path}/export/{tab.panel}.csv", links.view).url(),
        chart,
    )


def _series(locale: str, query: Query, overview: Overview) -> str | None:
    rows = overview.rows("timeseries")
    if not rows:
        return None
    one_day = query.date_from == query.date_to
    labels = [bucket_label(locale, str(row["bucket"]), query.interval, one_day) for row in rows]
    new_rows = overview.rows(NEW_SERIES)
    new = [int(row["visitors"]) for row in new_rows] if len(new_rows) == len(rows) else None
    previous = None
    if query.comparison is not None:
        previous = [int(row["previous"]["visitors"]) if row.get("previous") else None
                    for row in rows]
    return report_charts.timeseries(locale, labels, rows, new, previous)


async def overview_page(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    view, query = read(request, access.user, access)
    tabs = open_tabs(request.query_params)
    site_path = f"/s/{access.site.site_id}"
    links = Links(site_path, view, {card.param: tabs[card.name].panel if tabs[card.name] is not card.tabs[0] else ""
                                    for card in CARDS})
    overview = await load(store_of(request), query, tabs)
    locale = page_locale(request, access.user)
    stats_rows = overview.rows("stats")
    totals = {str(row["metric"]): row["value"] for row in stats_rows}
    context = {
        "user": access.user,
        "access": access,
        "tab": "overview",
        "bar": view_bar(locale, links, query),
        "headlines": headlines(locale, stats_rows),
        "comparing": query.comparison is not None,
        "has_data": bool(totals.get("visitors") or totals.get("pageviews")),
        "stats_failed": "stats" in overview.failed,
        "series": _series(locale, query, overview),
        "intervals": intervals(locale, links, query),
        "cards": [card_view(locale, card, tabs[card.name], overview, links, query, site_path) for card in CARDS],
        "map": report_charts.countries_map(locale, overview.rows("countries"),
                                           lambda code: links.url(country=code)),
        "heatmap": report_charts.hour_weekday(locale, overview.rows("hour_weekday")),
        "sampled": overview.estimated,
        "plotly_url": PLOTLY_URL,
    }
    return render(request, "overview.html", context)


def routes() -> list[Route]:
    return [Route("/s/{site_id}", overview_page, methods=["GET"])]
