"""Plotly figures of the heatmap page: the click-density map and the scroll-reach chart.

Both are drawn in page coordinates with y growing downwards (the top of the page at the top):
x is the fraction of the document's width (0-1, as the tracker sends it), y CSS pixels from the
top. An uploaded screenshot, when there is one, is stretched under the map: its width over the
whole x range and its height scaled to CSS pixels with the clicks' median viewport width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from dashboard.figures import figure_json, plain
from dashboard.i18n import N_, gettext
from pipelines.queries._heatmap import GRID_COLUMNS, GRID_ROW_PX

MAX_ROWS = 400  # 20,000 px of page; clicks further down are drawn in the last row
PLOT_WIDTH = 800  # about how wide the map is drawn on a desktop screen
DEFAULT_WIDTH = 1280  # CSS width of a page whose clicks did not say
MIN_HEIGHT, MAX_HEIGHT = 420, 4000
# Transparent where nobody clicked, so a screenshot underneath stays visible.
_COLORSCALE = [[0.0, "rgba(255,255,178,0)"], [0.15, "rgba(254,204,92,0.55)"], [0.5, "rgba(253,141,60,0.7)"],
               [0.8, "rgba(240,59,32,0.8)"], [1.0, "rgba(189,0,38,0.9)"]]
_FONT = {"family": "system-ui, sans-serif", "size": 12}


@dataclass(frozen=True)
class Background:
    """A screenshot under the map: its URL (ours) and its size in image and CSS pixels."""

    url: str
    width: int
    height: int
    css_width: int  # the page's usual viewport width; 0 when unknown

    @property
    def css_height(self) -> float:
        return self.height * (self.css_width / self.width) if self.css_width else float(self.height)


def _layout(**extra: Any) -> dict[str, Any]:
    return {"template": "none", "font": _FONT, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            **extra}


def click_map(grid: list[dict[str, Any]], rage: list[dict[str, Any]], locale: str, page_width: int = 0,
              background: Background | None = None) -> str:
    """The click-density map as figure JSON; rage clicks as markers labelled with their element.

    The figure is about as tall as the page would be drawn `PLOT_WIDTH` px wide (`page_width`:
    the page's CSS width, e.g. the clicks' median viewport), so a screenshot is barely stretched;
    `layout.meta.page_aspect` (height ÷ width) lets the browser fit it to the real width.
    """
    rows = min(max((cell["row"] for cell in grid), default=0) + 1, MAX_ROWS)
    depth = max(rows * GRID_ROW_PX, int(background.css_height) if background else 0, 10 * GRID_ROW_PX)
    z: list[list[int]] = [[0] * GRID_COLUMNS for _ in range(rows)]
    for cell in grid:
        z[min(cell["row"], rows - 1)][cell["column"]] += cell["clicks"]
    clicks = plain(gettext(locale, N_("Clicks")))
    figure = go.Figure(go.Heatmap(
        z=z, x=[(c + 0.5) / GRID_COLUMNS for c in range(GRID_COLUMNS)],
        y=[r * GRID_ROW_PX + GRID_ROW_PX / 2 for r in range(rows)],
        # No colour bar: plotly.js draws it with inline styles, which the CSP refuses; the page says
        # in words what the colours mean. The gaps keep plotly.js on its CSP-clean drawing path too.
        colorscale=_COLORSCALE, zmin=0, showscale=False, xgap=1, ygap=1,
        hovertemplate=f"{clicks}: %{{z}}<extra></extra>",
    ))
    if rage:
        rage_label = plain(gettext(locale, N_("Rage clicks")))
        figure.add_trace(go.Scatter(
            x=[(row["column"] + 0.5) / GRID_COLUMNS for row in rage],
            y=[row["row"] * GRID_ROW_PX + GRID_ROW_PX / 2 for row in rage],
            mode="markers", name=rage_label, showlegend=False,
            marker={"symbol": "x", "size": 12, "color": "#c92a2a", "line": {"width": 1, "color": "#ffffff"}},
            text=[plain(row["selector"]) for row in rage], customdata=[row["rage_clicks"] for row in rage],
            hovertemplate=f"%{{text}}<br>{rage_label}: %{{customdata}}<extra></extra>",
        ))
    layout = _layout(
        height=min(max(round(depth * PLOT_WIDTH / (page_width or DEFAULT_WIDTH)), MIN_HEIGHT), MAX_HEIGHT),
        # static/heatmaps.js redoes the height for the width the map really gets (phones).
        meta={"page_aspect": round(depth / (page_width or DEFAULT_WIDTH), 4)},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"range": [0, 1], "tickformat": ".0%", "showgrid": False, "zeroline": False, "automargin": True,
               "title": {"text": plain(gettext(locale, N_("Width of the page")))}},
        yaxis={"range": [depth, 0], "showgrid": False, "zeroline": False, "ticksuffix": " px", "automargin": True,
               "title": {"text": plain(gettext(locale, N_("From the top of the page")))}},
    )
    if background:
        layout["images"] = [{"source": background.url, "xref": "x", "yref": "y", "x": 0, "y": 0, "sizex": 1,
                             "sizey": background.css_height, "sizing": "stretch", "xanchor": "left",
                             "yanchor": "top", "layer": "below", "opacity": 1}]
    figure.update_layout(**layout)
    return figure_json(figure)


def scroll_chart(rows: list[dict[str, Any]], locale: str) -> str:
    """Share of page views reaching each 5 % of the page, the top of the page at the top."""
    share = plain(gettext(locale, N_("Page views reaching this depth")))
    figure = go.Figure(go.Bar(
        x=[round(row["share"] * 100, 1) for row in rows], y=[row["depth"] for row in rows], orientation="h",
        marker={"color": "#3b5bdb"}, customdata=[row["page_views"] for row in rows],
        hovertemplate=f"%{{y}} %: %{{x}} % · {share}: %{{customdata}}<extra></extra>",
    ))
    figure.update_layout(**_layout(
        height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10}, bargap=0.15,
        xaxis={"range": [0, 100], "ticksuffix": " %", "automargin": True,
               "title": {"text": plain(gettext(locale, N_("Page views that scrolled this far")))}},
        yaxis={"autorange": "reversed", "ticksuffix": " %", "dtick": 10, "automargin": True,
               "title": {"text": plain(gettext(locale, N_("Depth of the page")))}},
    ))
    return figure_json(figure)
