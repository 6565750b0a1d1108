"""Plotly figures of the report pages: the time series, the countries map, the hour × weekday
heatmap, search engine visits over time and the retention cohorts.

Each builder takes rows of a `pipelines.queries` report and the page's locale and returns the JSON
for `_chart.html` (figures.figure_json). Labels are translated here; bucket labels are already
formatted per locale, so axes are categories (Plotly's own date ticks would be English). Visitor
text (page paths, engine names) goes through `plain`. Layouts are lean (`template="none"`) to keep
the JSON small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from dashboard.countries import alpha3, country_name
from dashboard.figures import figure_json, plain
from dashboard.i18n import N_, babel_locale, gettext
from dashboard.report_text import weekday_names

ACCENT = "#3b5bdb"
SECOND = "#91a7ff"
THIRD = "#f59f00"
MUTED = "#98a2b3"
GRID = "rgba(127,127,127,0.18)"
SCALE = [[0, "rgba(59,91,219,0.06)"], [1, ACCENT]]
ENGINE_COLOURS = (ACCENT, THIRD, "#2b8a3e", "#c2255c", "#7048e8")
# Plotly fetches the map's shapes from here (vendored, see static/vendor/topojson/README.md).
TOPOJSON_URL = "/static/vendor/topojson/"
MAX_ENGINES = 5


def _layout(locale: str, **extra: Any) -> dict[str, Any]:
    """A quiet layout that reads on light and dark pages, with the locale's number separators."""
    symbols = babel_locale(locale).number_symbols["latn"]
    axis = {"gridcolor": GRID, "zeroline": False, "automargin": True}
    return {
        "template": "none",
        "separators": f"{symbols['decimal']}{symbols['group']}",
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": MUTED},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {**axis, "type": "category", "showgrid": False},
        "yaxis": {**axis, "rangemode": "tozero", "tickformat": ",d"},
        # Above the plot: below it, rotated date labels of narrow screens would run into it.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        "hoverlabel": {"namelength": -1},
        **extra,
    }


def _hover(locale: str, label: str) -> str:
    return f"{plain(gettext(locale, label))}: %{{y:,}}<extra></extra>"


def timeseries(locale: str, labels: list[str], rows: list[dict[str, Any]], new: list[int] | None,
               previous: list[int | None] | None) -> str:
    """Visitors as bars (new and returning stacked when `new` is given), page views as a line, and
    the comparison period's visitors as a dotted line."""
    visitors = [row["visitors"] for row in rows]
    traces: list[Any] = []
    if new is not None:
        returning = [max(total - fresh, 0) for total, fresh in zip(visitors, new, strict=True)]
        traces += [
            go.Bar(x=labels, y=new, name=gettext(locale, N_("New visitors")), marker_color=ACCENT,
                   hovertemplate=_hover(locale, N_("New visitors"))),
            go.Bar(x=labels, y=returning, name=gettext(locale, N_("Returning visitors")), marker_color=SECOND,
                   hovertemplate=_hover(locale, N_("Returning visitors"))),
        ]
    else:
        traces.append(go.Bar(x=labels, y=visitors, name=gettext(locale, N_("Visitors")), marker_color=ACCENT,
                             hovertemplate=_hover(locale, N_("Visitors"))))
    traces.append(go.Scatter(x=labels, y=[row["pageviews"] for row in rows], name=gettext(locale, N_("Page views")),
                             mode="lines+markers", line={"color": THIRD, "width": 2}, marker={"size": 4},
                             hovertemplate=_hover(locale, N_("Page views"))))
    if previous is not None:
        traces.append(go.Scatter(x=labels, y=previous, name=gettext(locale, N_("Visitors, comparison period")),
                                 mode="lines", line={"color": MUTED, "width": 2, "dash": "dot"},
                                 hovertemplate=_hover(locale, N_("Visitors, comparison period"))))
    layout = _layout(locale, barmode="stack", hovermode="x unified", bargap=0.25, height=300)
    _whole_ticks(layout, [*visitors, *(row["pageviews"] for row in rows), *(value or 0 for value in previous or [])])
    return figure_json(go.Figure(traces, layout))


def _whole_ticks(layout: dict[str, Any], values: list[int]) -> None:
    """Counts have no halves: with small numbers, tick every 1 (Plotly would tick 0.5)."""
    if max(values, default=0) <= 5:
        layout["yaxis"] = {**layout["yaxis"], "dtick": 1}


def countries_map(locale: str, rows: list[dict[str, Any]], link: Callable[[str], str]) -> str:
    """A choropleth of visitors per country; each country carries the URL that filters by it
    (static/overview.js follows it on click)."""
    shown = [(row, code) for row in rows if (code := alpha3(str(row["country"])))]
    visitors = gettext(locale, N_("Visitors"))
    trace = go.Choropleth(
        locations=[code for _, code in shown],
        z=[row["visitors"] for row, _ in shown],
        text=[plain(country_name(locale, str(row["country"]))) for row, _ in shown],
        customdata=[link(str(row["country"])) for row, _ in shown],
        locationmode="ISO-3",
        colorscale=SCALE,
        showscale=False,
        marker={"line": {"color": "rgba(127,127,127,0.5)", "width": 0.5}},
        hovertemplate=f"%{{text}}<br>{plain(visitors)}: %{{z:,}}<extra></extra>",
    )
    geo = {"showframe": False, "showcoastlines": False, "showcountries": True, "countrycolor": GRID,
           "showland": True, "landcolor": "rgba(127,127,127,0.08)", "bgcolor": "rgba(0,0,0,0)",
           "projection": {"type": "natural earth"}, "lataxis": {"range": [-58, 85]}}
    layout = _layout(locale, geo=geo, height=280, dragmode=False)
    return figure_json(go.Figure([trace], layout), {"topojsonURL": TOPOJSON_URL, "scrollZoom": False})


def hour_weekday(locale: str, rows: list[dict[str, Any]]) -> str:
    """Visitors per local hour (columns) and weekday (rows, Monday first)."""
    z = [[0] * 24 for _ in range(7)]
    for row in rows:
        z[int(row["weekday"]) - 1][int(row["hour"])] = row["visitors"]
    days = weekday_names(locale)
    visitors = plain(gettext(locale, N_("Visitors")))
    trace = go.Heatmap(z=z, x=[f"{hour:02d}" for hour in range(24)], y=days, colorscale=SCALE, showscale=False,
                       xgap=2, ygap=2, hovertemplate=f"%{{y}} %{{x}}:00<br>{visitors}: %{{z:,}}<extra></extra>")
    layout = _layout(locale, height=240)
    layout["yaxis"] = {"type": "category", "autorange": "reversed", "automargin": True, "showgrid": False}
    layout["xaxis"] = {"type": "category", "automargin": True, "showgrid": False}
    return figure_json(go.Figure([trace], layout))


def engine_visits(locale: str, buckets: list[str], labels: list[str], rows: list[dict[str, Any]]) -> str:
    """Visits from the top search engines per bucket, one line each."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["search_engine"]] = totals.get(row["search_engine"], 0) + row["visits"]
    engines = sorted(totals, key=lambda name: (-totals[name], name))[:MAX_ENGINES]
    position = {bucket: index for index, bucket in enumerate(buckets)}
    traces = []
    for colour, engine in zip(ENGINE_COLOURS, engines, strict=False):
        visits = [0] * len(buckets)
        for row in rows:
            if row["search_engine"] == engine and row["bucket"] in position:
                visits[position[row["bucket"]]] = row["visits"]
        name = plain(engine) or gettext(locale, N_("(not set)"))
        traces.append(go.Scatter(x=labels, y=visits, name=name, mode="lines", line={"color": colour, "width": 2},
                                 hovertemplate=f"{name}: %{{y:,}}<extra></extra>"))
    layout = _layout(locale, height=200, hovermode="x unified")
    _whole_ticks(layout, [row["visits"] for row in rows])
    return figure_json(go.Figure(traces, layout))


def retention(locale: str, cohorts: list[str], weeks: int, shares: list[list[float | None]],
              sizes: list[int]) -> str:
    """Share of each weekly cohort (rows) seen again N weeks later (columns), as a heatmap."""
    week = gettext(locale, N_("Week %(n)s"), n="%{x}")
    returned = gettext(locale, N_("Returned"))
    cohort_label = gettext(locale, N_("Cohort"))
    new = gettext(locale, N_("New visitors"))
    trace = go.Heatmap(
        z=[[None if share is None else round(share * 100, 1) for share in row] for row in shares],
        x=list(range(weeks + 1)), y=cohorts, customdata=[[size] * (weeks + 1) for size in sizes],
        colorscale=SCALE, zmin=0, zmax=100, xgap=2, ygap=2, showscale=False,
        hovertemplate=(f"{plain(cohort_label)} %{{y}} (%{{customdata:,}} {plain(new)})<br>{plain(week)}: "
                       f"{plain(returned)} %{{z}}%<extra></extra>"),
    )
    layout = _layout(locale, height=max(200, 28 * len(cohorts) + 60))
    layout["xaxis"] = {"type": "category", "automargin": True, "side": "top", "showgrid": False,
                       "title": {"text": gettext(locale, N_("Weeks after the first visit"))}}
    layout["yaxis"] = {"type": "category", "autorange": "reversed", "automargin": True, "showgrid": False}
    return figure_json(go.Figure([trace], layout))
