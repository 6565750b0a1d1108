"""The stats API's one table of endpoints. Routes, the check of incoming parameters and
`/api/v1/openapi.json` are all made from `ENDPOINTS`.

Every endpoint is a GET with a bearer token (dashboard/api/auth.py) and answers JSON. A request
with a parameter the endpoint does not list, a parameter given twice, or a bad value gets 400
with a message that says how to fix it; nothing a caller sends makes a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.api import handlers
from dashboard.api.spec import (
    BREAKDOWN_METRICS,
    FILTER_PARAMS,
    INTERVAL,
    LIMIT,
    OFFSET,
    PROPERTY,
    SITE_ID,
    SURVEY_BY,
    SURVEY_ID,
    SURVEY_INTERVAL,
    SURVEY_VERSION,
    TIMESERIES_METRICS,
    VIEW,
    Param,
    metrics_param,
)
from pipelines.queries.stats import METRICS as AGGREGATE_METRICS

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Endpoint:
    path: str  # below PREFIX
    summary: str
    description: str
    params: tuple[Param, ...]
    handler: Callable[[handlers.Call], dict[str, Any]]
    example: dict[str, Any]

    @property
    def url(self) -> str:
        return PREFIX + self.path

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params if p.location == "query")


_QUERY: dict[str, Any] = {
    "site_id": "example.com", "date_from": "2026-11-14", "date_to": "2026-11-20", "timezone": "Asia/Ho_Chi_Minh",
    "interval": "day", "filters": {}, "compare": None, "sampled": 1,
}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "/stats/aggregate", "Headline numbers over a period",
        "Each metric's value; with `compare`, also the comparison period's value and the relative change "
        "(0.25 = +25 %). bounce_rate is a fraction (0.42), durations are seconds.",
        (SITE_ID, *VIEW, metrics_param(AGGREGATE_METRICS, "visitors"), *FILTER_PARAMS),
        handlers.aggregate,
        {"results": {"visitors": {"value": 1234}, "pageviews": {"value": 4321}}, "query": _QUERY},
    ),
    Endpoint(
        "/stats/timeseries", "Visitors, visits and page views per hour, day, week, month or year",
        "Every bucket of the range, in order, empty ones with zeros; with `compare`, each point also has "
        "the comparison period's point at the same position as `previous`.",
        (SITE_ID, *VIEW, INTERVAL, metrics_param(TIMESERIES_METRICS, "visitors"), *FILTER_PARAMS),
        handlers.timeseries,
        {"results": [{"date": "2026-11-14", "visitors": 120}, {"date": "2026-11-15", "visitors": 98}],
         "query": _QUERY},
    ),
    Endpoint(
        "/stats/breakdown", "Top values of one property (sources, pages, countries, …)",
        "The top 100 values of the property, by the first of its metrics, paged with `limit` and `offset`. "
        "Each property has its own metrics (docs/api.md); an empty value means none (e.g. direct visits).",
        (SITE_ID, PROPERTY, *VIEW, metrics_param(BREAKDOWN_METRICS, "all of the property's"), LIMIT, OFFSET,
         *FILTER_PARAMS),
        handlers.breakdown,
        {"results": [{"source": "Google", "visitors": 310, "visits": 402}], "property": "source", "offset": 0,
         "limit": 100, "query": _QUERY},
    ),
    Endpoint(
        "/stats/realtime", "Visitors in the last 5 and 30 minutes, and the pages being read",
        "Unique visitors with an event in the last 5 and 30 minutes, and the pages with an event in the last "
        "5 minutes (top 20).",
        (SITE_ID, *FILTER_PARAMS),
        handlers.realtime,
        {"results": {"visitors_5m": 3, "visitors_30m": 11, "pages": [{"page": "/", "visitors": 2}]},
         "query": {"site_id": "example.com", "filters": {}}},
    ),
    Endpoint(
        "/surveys/{survey_id}/results", "A survey's score, distribution and response rate",
        "Answers, impressions, dismissals, the score distribution, the score (CSAT %, NPS −100…100, CES mean, "
        "helpful %) and the response rate over the period; optionally the trend per day or week and a "
        "breakdown. Filters do not apply to surveys.",
        (SURVEY_ID, SITE_ID, *VIEW[:4], SURVEY_VERSION, SURVEY_INTERVAL, SURVEY_BY),
        handlers.survey,
        {"survey_id": "nps-checkout", "kind": "nps", "versions": [1],
         "results": {"answers": 40, "link_answers": 0, "impressions": 400, "dismissals": 12,
                     "distribution": {"0": 1, "9": 20, "10": 10}, "score": 42.5, "response_rate": 10.0},
         "query": {"site_id": "example.com", "date_from": "2026-10-22", "date_to": "2026-11-20",
                   "timezone": "UTC"}},
    ),
)
