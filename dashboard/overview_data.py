"""What the overview shows and how its reports are fetched.

The overview is cards of tabbed lists (pages, sources, locations, devices) around the headline
numbers, the time series and the hour × weekday heatmap. A tab is a plain link (`<card>_tab=<panel>`
in the URL), so only the open tab of each card is queried: about eight queries per page instead of
twenty.

Reports run in the threadpool in a few groups side by side. The embedded store serializes its
calls anyway, so groups cost nothing there; a ClickHouse server runs them in parallel. A report
that fails is logged and its card says so; the rest of the page still shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.concurrency import run_in_threadpool

from dashboard.i18n import N_
from pipelines.queries import panel
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

log = logging.getLogger("footfall.dashboard")

NEW_SERIES = "timeseries_new"  # the time series of new visitors (filter visitor_type=new)


@dataclass(frozen=True)
class Tab:
    panel: str  # a pipelines.queries panel
    label: str
    key: str  # the row's value column
    filter: str  # the pipelines/filters.py filter a click on a row sets
    columns: tuple[str, ...]  # metric columns shown, first one sorts


@dataclass(frozen=True)
class Card:
    name: str
    title: str
    tabs: tuple[Tab, ...]

    @property
    def param(self) -> str:
        """The URL parameter naming the open tab."""
        return f"{self.name}_tab"

    def tab(self, name: str | None) -> Tab:
        return next((tab for tab in self.tabs if tab.panel == name), self.tabs[0])


_VISITS = ("visitors", "visits")
_VIEWS = ("visitors", "pageviews")
CARDS = (
    Card("pages", N_("Pages"), (
        Tab("pages", N_("Top pages"), "page", "page", ("visitors", "pageviews", "time_on_page")),
        Tab("entry_pages", N_("Entry pages"), "page", "entry_page", _VISITS),
        Tab("exit_pages", N_("Exit pages"), "page", "page", ("visitors", "exits")),
    )),
    Card("sources", N_("Sources"), (
        Tab("sources", N_("Sources"), "source", "source", _VISITS),
        Tab("mediums", N_("Mediums"), "medium", "medium", _VISITS),
        Tab("search_engines", N_("Search engines"), "search_engine", "search_engine", _VISITS),
        Tab("keywords", N_("Keywords"), "keyword", "keyword", _VISITS),
        Tab("campaigns", N_("Campaigns"), "campaign", "utm_campaign", _VISITS),
    )),
    Card("locations", N_("Locations"), (
        Tab("countries", N_("Countries"), "country", "country", _VIEWS),
        Tab("regions", N_("Regions"), "region", "region", _VIEWS),
        Tab("cities", N_("Cities"), "city", "city", _VIEWS),
    )),
    Card("devices", N_("Devices"), (
        Tab("browsers", N_("Browsers"), "browser", "browser", _VIEWS),
        Tab("operating_systems", N_("Operating systems"), "os", "os", _VIEWS),
        Tab("devices", N_("Devices"), "device", "device", _VIEWS),
        Tab("screens", N_("Screen sizes"), "screen", "screen", _VIEWS),
    )),
)
CARD_PARAMS = tuple(card.param for card in CARDS)


def open_tabs(params: Mapping[str, str]) -> dict[str, Tab]:
    """Card name → the tab the URL opens (the first one when it names none or an unknown one)."""
    return {card.name: card.tab(params.get(card.param)) for card in CARDS}


@dataclass
class Overview:
    reports: dict[str, Report] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    def rows(self, name: str) -> list[dict[str, Any]]:
        found = self.reports.get(name)
        return found.rows if found else []

    @property
    def estimated(self) -> int:
        """The largest sampling factor of any report shown (1: every number is exact)."""
        return max((found.sampled for found in self.reports.values()), default=1)


Job = tuple[str, Callable[[Store, Query], Report], Query]


def _jobs(query: Query, tabs: Mapping[str, Tab]) -> list[list[Job]]:
    """Reports to run, in groups that run side by side (each group in one thread, in order)."""

    def job(name: str, on: Query = query) -> Job:
        return (name, panel(name).run, on)

    series = [job("timeseries")]
    if "visitor_type" not in query.filters:
        new_only = replace(query, comparison=None, filters={**query.filters, "visitor_type": "new"})
        series.append((NEW_SERIES, panel("timeseries").run, new_only))
    lists = [job(tabs["pages"].panel), job(tabs["sources"].panel)]
    if tabs["sources"].panel == "search_engines":
        lists.append(job("search_engine_visits", replace(query, comparison=None)))
    places = [job(tabs["locations"].panel), job(tabs["devices"].panel), job("hour_weekday")]
    if tabs["locations"].panel != "countries":
        places.append(job("countries"))  # the map
    return [[job("stats")], series, lists, places]


def _run_group(store: Store, group: list[Job]) -> list[tuple[str, Report | None]]:
    done: list[tuple[str, Report | None]] = []
    for name, run, query in group:
        try:
            done.append((name, run(store, query)))
        except Exception:
            log.exception("overview report %s failed for %s", name, query.site_id)
            done.append((name, None))
    return done


async def load(store: Store, query: Query, tabs: Mapping[str, Tab]) -> Overview:
    groups = await asyncio.gather(*(run_in_threadpool(_run_group, store, group) for group in _jobs(query, tabs)))
    overview = Overview()
    for name, found in (item for group in groups for item in group):
        if found is None:
            overview.failed.add(name)
        else:
            overview.reports[name] = found
    return overview
