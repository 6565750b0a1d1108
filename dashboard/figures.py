"""Plotly figures into pages without inline scripts.

A page puts each figure's JSON in a `<script type="application/json" data-figure>` block (data,
not code, so the Content-Security-Policy needs no 'unsafe-inline'); `static/charts.js` draws
every such block into the element just before it. `figure_json` makes that JSON safe inside
HTML: `<`, `>` and `&` become \\u escapes, so a visitor's `</script>` in a page path cannot end
the block. Hover text is plain text in Plotly unless it contains its own HTML-ish tags, so
visitor text put in hover labels or tick labels goes through `plain` first.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

# Plotly renders a few tags (<b>, <br>, <a href>) inside text and hover labels; visitor text must
# show those characters instead of being read as markup.
_TEXT_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                               "\u2029": "\\u2029"})

CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def plain(text: Any) -> str:
    """Visitor-sent text for a Plotly label: shown as typed, never read as Plotly's HTML subset."""
    return str(text).translate(_TEXT_ESCAPES) if text is not None else ""


def figure_json(figure: go.Figure, config: dict[str, Any] | None = None) -> str:
    """The figure and its config as JSON that is safe to put inside a <script> element."""
    payload = {"data": figure.to_plotly_json()["data"], "layout": figure.to_plotly_json()["layout"],
               "config": {**CONFIG, **(config or {})}}
    text = json.dumps(payload, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_JSON_ESCAPES)


class _Encoder(json.JSONEncoder):
    def default(self, value: Any) -> Any:
        from plotly.utils import PlotlyJSONEncoder

        return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))
