"""One module per report: a function over (store, Query) returning plain rows.

`PANELS` lists the dashboard's panels in display order; the dashboard and bench/queries.py
iterate it. Each module's `run(store, query)` returns a `Report` (rows, the tables read, and
whether the numbers are sampled estimates). Definitions of every metric: docs/metrics.md.
"""

from __future__ import annotations

from types import ModuleType

from pipelines.queries import (
    browsers,
    campaigns,
    cities,
    countries,
    devices,
    entry_pages,
    exit_pages,
    heatmap_grid,
    heatmap_selectors,
    hour_weekday,
    keywords,
    latest_events,
    mediums,
    operating_systems,
    pages,
    rage_clicks,
    realtime,
    realtime_pages,
    regions,
    retention,
    screens,
    scroll_reach,
    search_engine_visits,
    search_engines,
    sources,
    stats,
    timeseries,
)
from pipelines.queries._common import Panel, Report

__all__ = ["PANELS", "OVERVIEW", "Panel", "Report", "panel"]


def _panel(module: ModuleType, title: str, overview: bool = False, needs_page: bool = False) -> Panel:
    return Panel(module.NAME, title, module.run, overview=overview, needs_page=needs_page)


PANELS: dict[str, Panel] = {
    p.name: p
    for p in (
        _panel(stats, "Headline numbers", overview=True),
        _panel(timeseries, "Visitors over time", overview=True),
        _panel(sources, "Top sources", overview=True),
        _panel(mediums, "Mediums"),
        _panel(search_engines, "Search engines"),
        _panel(search_engine_visits, "Search engine visits over time"),
        _panel(keywords, "Search keywords"),
        _panel(campaigns, "UTM campaigns"),
        _panel(pages, "Top pages", overview=True),
        _panel(entry_pages, "Entry pages"),
        _panel(exit_pages, "Exit pages"),
        _panel(countries, "Countries", overview=True),
        _panel(regions, "Regions"),
        _panel(cities, "Cities"),
        _panel(browsers, "Browsers", overview=True),
        _panel(operating_systems, "Operating systems"),
        _panel(devices, "Devices", overview=True),
        _panel(screens, "Screen sizes"),
        _panel(hour_weekday, "Hour of day × weekday"),
        _panel(retention, "Retention"),
        _panel(realtime, "Visitors right now"),
        _panel(realtime_pages, "Pages being read now"),
        _panel(latest_events, "Latest events"),
        _panel(heatmap_grid, "Click heatmap", needs_page=True),
        _panel(heatmap_selectors, "Clicked elements", needs_page=True),
        _panel(rage_clicks, "Rage clicks", needs_page=True),
        _panel(scroll_reach, "Scroll reach", needs_page=True),
    )
}
# What the dashboard's first screen loads: the headline numbers with their comparison, the graph
# and the first tab of each card (sources, pages, countries, browsers, devices).
OVERVIEW = tuple(name for name, p in PANELS.items() if p.overview)


def panel(name: str) -> Panel:
    try:
        return PANELS[name]
    except KeyError:
        raise ValueError(f"unknown panel {name!r}; panels: {', '.join(PANELS)}") from None
