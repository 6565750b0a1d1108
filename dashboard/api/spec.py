"""The stats API's parameters and breakdown properties, declared once.

`dashboard/api/endpoints.py` lists the endpoints with these parameters; the routes, the strict
check of incoming parameters and `/api/v1/openapi.json` are all made from that one table, so the
documentation cannot drift from what the server accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.params import PERIODS
from pipelines.filters import FILTERS
from pipelines.queries.survey_results import BREAKDOWNS as SURVEY_BREAKDOWNS
from pipelines.query import COMPARISONS, INTERVALS

MAX_LIMIT = 100  # every breakdown panel keeps its top 100 rows


@dataclass(frozen=True)
class Param:
    """One request parameter: its name, where it goes, its JSON schema and an example value."""

    name: str
    description: str
    schema: dict[str, Any]
    example: str
    location: str = "query"  # or "path"
    required: bool = False

    def openapi(self) -> dict[str, Any]:
        return {"name": self.name, "in": self.location, "required": self.required or self.location == "path",
                "description": self.description, "schema": self.schema, "example": self.example}


@dataclass(frozen=True)
class Property:
    """A breakdown property: the panel behind it, the panel's label column and its metrics."""

    name: str
    panel: str
    label: str
    metrics: tuple[str, ...] = field(default=("visitors", "visits"))


def _enum(values: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_TRAFFIC = ("visitors", "pageviews")
PROPERTIES: dict[str, Property] = {
    p.name: p
    for p in (
        Property("source", "sources", "source"),
        Property("medium", "mediums", "medium"),
        Property("search_engine", "search_engines", "search_engine"),
        Property("keyword", "keywords", "keyword"),
        Property("utm_campaign", "campaigns", "campaign"),
        Property("page", "pages", "page", ("visitors", "pageviews", "time_on_page")),
        Property("entry_page", "entry_pages", "page"),
        Property("exit_page", "exit_pages", "page", ("visitors", "exits")),
        Property("country", "countries", "country", _TRAFFIC),
        Property("region", "regions", "region", _TRAFFIC),
        Property("city", "cities", "city", _TRAFFIC),
        Property("browser", "browsers", "browser", _TRAFFIC),
        Property("os", "operating_systems", "os", _TRAFFIC),
        Property("device", "devices", "device", _TRAFFIC),
        Property("screen", "screens", "screen", _TRAFFIC),
    )
}
BREAKDOWN_METRICS = tuple(dict.fromkeys(m for p in PROPERTIES.values() for m in p.metrics))
TIMESERIES_METRICS = ("visitors", "visits", "pageviews")

SITE_ID = Param("site_id", "The site, as registered (its main hostname). The token must belong to it.",
                {"type": "string"}, "example.com", required=True)
VIEW = (
    Param("period", "The date range, in the site's time zone. Default 30d. `custom` needs `from` and `to`.",
          _enum(PERIODS), "7d"),
    Param("date", "With a relative period, the last day it covers (default: today in the site's time zone).",
          {"type": "string", "format": "date"}, "2026-11-20"),
    Param("from", "First day of a custom period (included).", {"type": "string", "format": "date"}, "2026-11-01"),
    Param("to", "Last day of a custom period (included).", {"type": "string", "format": "date"}, "2026-11-20"),
    Param("compare", "Add the comparison period's numbers: the same length just before, or a year earlier.",
          _enum(("none", *COMPARISONS)), "previous"),
)
INTERVAL = Param("interval", "Bucket size of the series. Default: from the range's length.", _enum(INTERVALS), "day")
_FILTER_EXAMPLES = {"page": "/pricing", "entry_page": "/", "source": "Google", "medium": "search",
                    "search_engine": "Google", "country": "VN", "region": "Hà Nội", "city": "Hanoi",
                    "browser": "Firefox", "os": "Android", "device": "mobile", "screen": "1920x1080"}
FILTER_PARAMS = tuple(
    Param(name, f"Filter: keep only `{name}` = this value (docs/metrics.md, Filters).",
          _enum(spec.choices) if spec.choices else {"type": "string", "maxLength": 2000},
          spec.choices[0] if spec.choices else _FILTER_EXAMPLES.get(name, "newsletter"))
    for name, spec in FILTERS.items()
)


def metrics_param(choices: tuple[str, ...], default: str) -> Param:
    return Param("metrics", f"Comma-separated metrics, of: {', '.join(choices)}. Default: {default}.",
                 {"type": "string", "pattern": "^[a-z_]+(,[a-z_]+)*$"}, ",".join(choices[:2]))


PROPERTY = Param("property", "What to break down by. Plausible's `visit:` and `event:` prefixes are accepted.",
                 _enum(list(PROPERTIES)), "source", required=True)
LIMIT = Param("limit", f"Rows per page, 1–{MAX_LIMIT}. Default {MAX_LIMIT}.",
              {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "10")
# Not Plausible's `page`: here `page` is the page filter, as in dashboard URLs.
OFFSET = Param("offset", f"Rows to skip, for paging. Default 0. Only the top {MAX_LIMIT} rows exist.",
               {"type": "integer", "minimum": 0}, "10")
SURVEY_ID = Param("survey_id", "The survey's id (as in the dashboard and `footfall surveys list`).",
                  {"type": "string"}, "nps-checkout", location="path")
SURVEY_VERSION = Param("version", "Read one version of the survey. Default: every version of the newest one's kind.",
                       {"type": "integer", "minimum": 1}, "1")
SURVEY_BY = Param("by", "Also break the results down by this.", _enum(SURVEY_BREAKDOWNS), "device")
SURVEY_INTERVAL = Param("interval", "Also list the results per day or week (the trend).", _enum(("day", "week")),
                        "week")
