"""What each stats API endpoint answers. Each handler takes a `Call` (the site, its validated
single-valued parameters) and returns a JSON-able dict; they run in a worker thread, since the
store blocks. Bad parameters raise `ParamError` (→ 400), an unknown survey `SurveyNotFound` (→ 404).

Shapes follow Plausible's Stats API v1 (`results`, `metrics`, `property`, `limit`);
docs/api.md lists the differences. Every answer also carries `query`: the range and filters that
were actually used, so a caller can see what a relative period meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.api.spec import (
    MAX_LIMIT,
    PROPERTIES,
    TIMESERIES_METRICS,
    Property,
)
from dashboard.params import ParamError, View, read_view, site_today
from pipelines.queries import PANELS
from pipelines.queries import survey_results as surveys
from pipelines.queries.stats import METRICS as AGGREGATE_METRICS
from pipelines.query import Query
from pipelines.sites import Site
from pipelines.store.base import Store

# Parameters every handler reads itself rather than through the view.
OWN_PARAMS = ("site_id", "metrics", "property", "limit", "offset", "version", "by")


@dataclass(frozen=True)
class Call:
    store: Store
    site: Site
    params: Mapping[str, str]
    path_params: Mapping[str, str]


def view_of(call: Call) -> View:
    return read_view(call.params, strict=True, extra=OWN_PARAMS)


def query_of(call: Call) -> Query:
    return view_of(call).query(call.site.site_id, call.site.timezone)


def described(query: Query, sampled: int = 1) -> dict[str, Any]:
    """The `query` block of every answer."""
    return {
        "site_id": query.site_id,
        "date_from": str(query.date_from),
        "date_to": str(query.date_to),
        "timezone": query.timezone,
        "interval": query.interval,
        "filters": dict(query.filters),
        "compare": query.comparison,
        "sampled": sampled,
    }


def metrics_of(call: Call, choices: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    raw = call.params.get("metrics", "")
    if not raw.strip():
        return default
    chosen = tuple(dict.fromkeys(m.strip() for m in raw.split(",") if m.strip()))
    unknown = [m for m in chosen if m not in choices]
    if unknown or not chosen:
        raise ParamError(f"unknown metric {(unknown or [raw])[0][:40]!r}: use metrics from {', '.join(choices)}")
    return chosen


def whole_number(call: Call, name: str, default: int, least: int = 1, most: int | None = None) -> int:
    raw = call.params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9 or int(raw) < least or (most is not None and int(raw) > most):
        bound = f"{least} to {most}" if most is not None else f"{least} or more"
        raise ParamError(f"{name}={raw[:40]!r} is not allowed: use a whole number from {bound}")
    return int(raw)


def aggregate(call: Call) -> dict[str, Any]:
    query = query_of(call)
    chosen = metrics_of(call, AGGREGATE_METRICS, ("visitors",))
    report = PANELS["stats"].run(call.store, query)
    by_metric = {row["metric"]: row for row in report.rows}
    results: dict[str, Any] = {}
    for metric in chosen:
        row = by_metric[metric]
        results[metric] = {"value": row["value"]}
        if query.comparison is not None:
            results[metric].update(previous=row["previous"], change=row["change"])
    return {"results": results, "query": described(query, report.sampled)}


def timeseries(call: Call) -> dict[str, Any]:
    query = query_of(call)
    chosen = metrics_of(call, TIMESERIES_METRICS, ("visitors",))
    report = PANELS["timeseries"].run(call.store, query)

    def point(row: Mapping[str, Any]) -> dict[str, Any]:
        return {"date": row["bucket"], **{metric: row[metric] for metric in chosen}}

    results = []
    for row in report.rows:
        item = point(row)
        if query.comparison is not None:
            item["previous"] = point(row["previous"]) if row.get("previous") else None
        results.append(item)
    return {"results": results, "query": described(query, report.sampled)}


def property_of(call: Call) -> Property:
    raw = call.params.get("property", "")
    name = raw.removeprefix("visit:").removeprefix("event:")
    if name not in PROPERTIES:
        raise ParamError(f"property={raw[:40]!r} is not allowed: use one of {', '.join(PROPERTIES)}")
    return PROPERTIES[name]


def breakdown(call: Call) -> dict[str, Any]:
    prop = property_of(call)
    chosen = metrics_of(call, prop.metrics, prop.metrics)
    limit = whole_number(call, "limit", MAX_LIMIT, most=MAX_LIMIT)
    offset = whole_number(call, "offset", 0, least=0)
    query = query_of(call)
    report = PANELS[prop.panel].run(call.store, query)
    rows = report.rows[offset:offset + limit]
    results = [{prop.name: row[prop.label], **{metric: row[metric] for metric in chosen}} for row in rows]
    return {"results": results, "property": prop.name, "offset": offset, "limit": limit,
            "query": described(query, report.sampled)}


def realtime(call: Call) -> dict[str, Any]:
    query = query_of(call)  # only filters matter: the window is the last minutes
    now = PANELS["realtime"].run(call.store, query).rows[0]
    pages = PANELS["realtime_pages"].run(call.store, query).rows
    return {"results": {"visitors_5m": now["visitors_5m"], "visitors_30m": now["visitors_30m"], "pages": pages},
            "query": {"site_id": query.site_id, "filters": dict(query.filters)}}


def survey(call: Call) -> dict[str, Any]:
    view = view_of(call)
    first, last = view.days(site_today(call.site.timezone))
    version = whole_number(call, "version", 0) or None
    if view.interval and view.interval not in surveys.INTERVALS:
        raise ParamError(f"interval={view.interval!r} is not allowed here: use day or week")
    by = call.params.get("by", "")
    if by and by not in surveys.BREAKDOWNS:
        raise ParamError(f"by={by[:40]!r} is not allowed: use one of {', '.join(surveys.BREAKDOWNS)}")
    survey_id = call.path_params["survey_id"]
    args = (call.store, call.site.site_id, survey_id, first, last, call.site.timezone)
    total = surveys.results(*args, version=version)
    answer: dict[str, Any] = {
        "survey_id": survey_id, "kind": total.kind, "versions": list(total.versions),
        "results": total.total.as_dict(),
        "query": {"site_id": call.site.site_id, "date_from": str(first), "date_to": str(last),
                  "timezone": call.site.timezone},
    }
    if view.interval:
        trend = surveys.trend(*args, interval=view.interval, version=version)
        answer["trend"] = [{"date": key, **tally.as_dict()} for key, tally in trend.groups]
    if by:
        split = surveys.breakdown(*args, by=by, version=version)
        answer["breakdown"] = [{by: key, **tally.as_dict()} for key, tally in split.groups]
    return answer
