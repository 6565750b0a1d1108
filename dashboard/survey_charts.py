"""Plotly figures of a survey's results: the score gauge, its trend and the score distribution.

Scores per kind (pipelines/queries/survey_results.py): CSAT and helpful in % (0-100), NPS from
-100 to 100, CES the mean of 1-7. Open-text surveys have no score: only answers are drawn.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures import figure_json, plain
from dashboard.i18n import N_, gettext
from pipelines.queries.survey_results import SurveyReport, Tally

GAUGE_RANGES = {"csat": (0, 100), "nps": (-100, 100), "ces": (1, 7), "helpful": (0, 100)}
_PERCENT_KINDS = ("csat", "helpful")
_ACCENT = "#3b5bdb"
_FONT = {"family": "system-ui, sans-serif", "size": 12}
# Gauge bands, worst to best, as fractions of the range.
_BANDS = ((0.0, 0.5, "rgba(240,59,32,0.18)"), (0.5, 0.75, "rgba(253,174,97,0.22)"), (0.75, 1.0, "rgba(43,138,62,0.2)"))


def _layout(**extra: Any) -> dict[str, Any]:
    return {"template": "none", "font": _FONT, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            **extra}


def _whole_step(most: int) -> int:
    """Ticks on whole answers only, about four of them."""
    return max(1, -(-most // 4))


def gauge(kind: str, score: float) -> str:
    """The score on its scale (the card around it names the score)."""
    low, high = GAUGE_RANGES[kind]
    span = high - low
    figure = go.Figure(go.Indicator(
        mode="gauge+number", value=round(score, 1),
        number={"suffix": "%" if kind in _PERCENT_KINDS else "", "valueformat": ".1f" if kind != "nps" else "+.0f"},
        gauge={"axis": {"range": [low, high]}, "bar": {"color": _ACCENT},
               "steps": [{"range": [low + a * span, low + b * span], "color": color} for a, b, color in _BANDS]},
    ))
    figure.update_layout(**_layout(height=220, margin={"l": 25, "r": 25, "t": 20, "b": 10}))
    return figure_json(figure)


def trend(report: SurveyReport, locale: str) -> str:
    """Answers per day or week as bars, and the score as a line over them (scored kinds)."""
    labels = [name for name, _ in report.groups]
    answers_label = plain(gettext(locale, N_("Answers")))
    figure = go.Figure(go.Bar(x=labels, y=[tally.answers for _, tally in report.groups], name=answers_label,
                              marker={"color": "rgba(59,91,219,0.25)"}, yaxis="y2",
                              hovertemplate=f"%{{x}}: %{{y}} {answers_label}<extra></extra>"))
    most = max((tally.answers for _, tally in report.groups), default=0)
    layout = _layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False, bargap=0.2,
                     xaxis={"automargin": True},
                     yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False,
                             "dtick": _whole_step(most), "automargin": True,
                             "title": {"text": answers_label}})
    if report.kind in GAUGE_RANGES:
        score_label = plain(gettext(locale, N_("Score")))
        figure.add_trace(go.Scatter(
            x=labels, y=[tally.score for _, tally in report.groups], mode="lines+markers", name=score_label,
            connectgaps=True, line={"color": _ACCENT, "width": 2},
            hovertemplate=f"%{{x}}: {score_label} %{{y:.1f}}<extra></extra>"))
        layout["yaxis"] = {"range": list(GAUGE_RANGES[report.kind]), "automargin": True,
                           "title": {"text": score_label}}
    else:
        layout["yaxis"] = {"visible": False}
    figure.update_layout(**layout)
    return figure_json(figure)


def distribution(kind: str, tally: Tally, locale: str) -> str:
    """Answers per score; helpful's 0 and 1 read No and Yes."""
    names = {0: gettext(locale, N_("No")), 1: gettext(locale, N_("Yes"))} if kind == "helpful" else {}
    scores = sorted(tally.distribution)
    answers_label = plain(gettext(locale, N_("Answers")))
    figure = go.Figure(go.Bar(
        x=[plain(names.get(score, str(score))) for score in scores], y=[tally.distribution[s] for s in scores],
        marker={"color": _ACCENT}, hovertemplate=f"%{{x}}: %{{y}} {answers_label}<extra></extra>"))
    figure.update_layout(**_layout(
        height=240, margin={"l": 10, "r": 10, "t": 10, "b": 10}, bargap=0.2,
        xaxis={"type": "category", "automargin": True, "title": {"text": plain(gettext(locale, N_("Score given")))}},
        yaxis={"rangemode": "tozero", "automargin": True, "title": {"text": answers_label},
               "dtick": _whole_step(max(tally.distribution.values(), default=0))}))
    return figure_json(figure)
