"""Survey results: the score of each kind, its distribution, trend, breakdowns and comments.

Formulas (docs/surveys.md), over the answers in the range, each answer counted once:

- CSAT: share of 4-5 answers among all 1-5 answers, in %.
- NPS: % promoters (9-10) − % detractors (0-6), from −100 to 100.
- CES: mean of the 1-7 answers.
- helpful: yes ÷ (yes + no), in %.
- response rate: widget answers ÷ widget impressions, in % (link answers have no impression).

With no answers every score is None. Versions are kept apart: a report reads one version, or
(by default) every version that has the newest version's kind — never two kinds at once.
The SQL returns counts per (group, kind, channel, score); the formulas run in Python on those
counts, so each is one small, tested function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.filters import END, START, events_range
from pipelines.store.base import Store
from pipelines.surveys import SCORE_RANGES

MAX_COMMENTS = 1000
INTERVALS = ("day", "week")
# Group keys of a breakdown; each expression is ours, chosen by name, never built from input.
_GROUPS = {
    "page": "r.path",
    "device": "r.device",
    "country": "r.country",
    "locale": "r.locale",
    "channel": "r.channel",
    "source": "entry.source",
    "visitor_type": ("multiIf(fv.visitor_id = 0, 'unknown', fv.first_session = r.session_id "
                     "OR fv.first_seen >= r.timestamp - INTERVAL 30 MINUTE, 'new', 'returning')"),
}
BREAKDOWNS = tuple(_GROUPS)
_BUCKETS = {
    "all": "''",
    "day": "toString(toDate(r.timestamp, {tz:String}))",
    "week": "toString(toStartOfWeek(r.timestamp, 1, {tz:String}))",
}
_FILTER = (
    "site_id = {site:String} AND survey_id = {survey:String} AND survey_version IN {versions:Array(UInt32)} "
    "AND timestamp >= {start:DateTime64(3, 'UTC')} AND timestamp < {end:DateTime64(3, 'UTC')}"
)
# Each response once (a replayed insert, should one slip through, counts once).
_RESPONSES = (
    "WITH r AS (SELECT response_id, kind, channel, visitor_id, session_id, path, locale, device, country, "
    f"score, timestamp FROM survey_responses WHERE {_FILTER} AND kind IN ('impression', 'dismiss', 'answer') "
    "ORDER BY timestamp LIMIT 1 BY response_id, kind) "
)
_JOINS = {
    # The referrer source of the visit's first page view (the entry page).
    "source": (
        "LEFT JOIN (SELECT session_id, argMin(referrer_source, timestamp) AS source FROM events "
        "WHERE site_id = {site:String} AND event_type = 'pageview' "
        "AND session_id IN (SELECT session_id FROM r WHERE session_id != 0) "
        f"AND {events_range(START + ' - INTERVAL 1 DAY', END)} "
        "GROUP BY session_id) AS entry ON entry.session_id = r.session_id "
    ),
    # The visitor's first event ever: new when it belongs to the answer's visit.
    "visitor_type": (
        "LEFT JOIN (SELECT visitor_id, min(timestamp) AS first_seen, argMin(session_id, timestamp) AS first_session "
        "FROM events WHERE site_id = {site:String} "
        "AND visitor_id IN (SELECT visitor_id FROM r WHERE visitor_id != 0) "
        "GROUP BY visitor_id) AS fv ON fv.visitor_id = r.visitor_id "
    ),
}


class SurveyNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Tally:
    """What happened in one group (the whole range, a day, a page…)."""

    kind: str
    answers: int = 0
    link_answers: int = 0  # of `answers`, those from e-mail / SMS links
    impressions: int = 0
    dismissals: int = 0
    distribution: dict[int, int] = field(default_factory=dict)  # score -> answers, every score of the scale

    @property
    def score(self) -> float | None:
        return score(self.kind, self.distribution)

    @property
    def response_rate(self) -> float | None:
        widget_answers = self.answers - self.link_answers
        return 100.0 * widget_answers / self.impressions if self.impressions else None

    def as_dict(self) -> dict[str, Any]:
        return {"answers": self.answers, "link_answers": self.link_answers, "impressions": self.impressions,
                "dismissals": self.dismissals, "distribution": self.distribution, "score": self.score,
                "response_rate": self.response_rate}


def score(kind: str, distribution: Mapping[int, int]) -> float | None:
    """The kind's score from answer counts by score; None without answers (and for open text)."""
    if kind not in SCORE_RANGES:
        return None
    low, high = SCORE_RANGES[kind]
    counts = {s: n for s, n in distribution.items() if low <= s <= high and n}
    total = sum(counts.values())
    if not total:
        return None
    if kind == "csat":
        return 100.0 * sum(n for s, n in counts.items() if s >= 4) / total
    if kind == "nps":
        promoters = sum(n for s, n in counts.items() if s >= 9)
        detractors = sum(n for s, n in counts.items() if s <= 6)
        return 100.0 * (promoters - detractors) / total
    if kind == "ces":
        return sum(s * n for s, n in counts.items()) / total
    return 100.0 * counts.get(1, 0) / total  # helpful: yes is 1


@dataclass(frozen=True)
class SurveyReport:
    survey_id: str
    kind: str
    versions: tuple[int, ...]
    total: Tally
    groups: list[tuple[str, Tally]] = field(default_factory=list)


def results(store: Store, site_id: str, survey_id: str, date_from: date, date_to: date, timezone: str,
            version: int | None = None) -> SurveyReport:
    """Score, distribution, answers, impressions, dismissals and response rate over the range."""
    return _report(store, site_id, survey_id, date_from, date_to, timezone, version, "all")


def trend(store: Store, site_id: str, survey_id: str, date_from: date, date_to: date, timezone: str,
          interval: str = "day", version: int | None = None) -> SurveyReport:
    """One group per day or week (weeks start on Monday), every bucket in the range present."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
    report = _report(store, site_id, survey_id, date_from, date_to, timezone, version, interval)
    found = dict(report.groups)
    first = date_from - timedelta(days=date_from.weekday()) if interval == "week" else date_from
    step = timedelta(days=7 if interval == "week" else 1)
    buckets, day = [], first
    while day <= date_to:
        buckets.append((day.isoformat(), found.get(day.isoformat(), Tally(report.kind))))
        day += step
    return SurveyReport(report.survey_id, report.kind, report.versions, report.total, buckets)


def breakdown(store: Store, site_id: str, survey_id: str, date_from: date, date_to: date, timezone: str,
              by: str, version: int | None = None, limit: int = 100) -> SurveyReport:
    """One group per page, device, country, locale, channel, source or visitor type (new, returning,
    unknown), most answers first."""
    if by not in _GROUPS:
        raise ValueError(f"breakdown by one of {', '.join(BREAKDOWNS)}")
    report = _report(store, site_id, survey_id, date_from, date_to, timezone, version, by)
    groups = sorted(report.groups, key=lambda g: (-g[1].answers, -g[1].impressions, g[0]))[:limit]
    return SurveyReport(report.survey_id, report.kind, report.versions, report.total, groups)


def _versions(store: Store, site_id: str, survey_id: str, version: int | None) -> tuple[str, tuple[int, ...]]:
    rows = store.query(
        "SELECT version, kind FROM surveys FINAL WHERE site_id = {site:String} AND survey_id = {survey:String} "
        "ORDER BY version", {"site": site_id, "survey": survey_id})
    kinds = {int(row["version"]): str(row["kind"]) for row in rows}
    if not kinds or (version is not None and version not in kinds):
        raise SurveyNotFound(f"no survey {survey_id!r}{f' version {version}' if version else ''} on {site_id}")
    kind = kinds[version if version is not None else max(kinds)]
    if version is not None:
        return kind, (version,)
    return kind, tuple(v for v, k in sorted(kinds.items()) if k == kind)


def _params(site_id: str, survey_id: str, versions: tuple[int, ...], date_from: date, date_to: date,
            timezone: str) -> dict[str, Any]:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    start = datetime.combine(date_from, time(), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(), zone).astimezone(UTC)
    return {"site": site_id, "survey": survey_id, "versions": list(versions), "start": start, "end": end,
            "tz": timezone}


def _report(store: Store, site_id: str, survey_id: str, date_from: date, date_to: date, timezone: str,
            version: int | None, group: str) -> SurveyReport:
    kind, versions = _versions(store, site_id, survey_id, version)
    params = _params(site_id, survey_id, versions, date_from, date_to, timezone)
    key = _BUCKETS.get(group) or _GROUPS[group]
    sql = (_RESPONSES + f"SELECT toString({key}) AS key, r.kind AS kind, r.channel AS channel, r.score AS score, "
           "count() AS n FROM r AS r " + _JOINS.get(group, "") + "GROUP BY key, kind, channel, score")
    rows = store.query(f"/* footfall:survey_results.{group} */ " + sql, params)
    counts: dict[str, dict[str, Any]] = {}
    total: dict[str, Any] = _empty(kind)
    for row in rows:
        for target in (counts.setdefault(str(row["key"]), _empty(kind)), total):
            _add(target, kind, row)
    return SurveyReport(survey_id, kind, versions, Tally(kind, **total),
                  [(name, Tally(kind, **tally)) for name, tally in sorted(counts.items())])


def _empty(kind: str) -> dict[str, Any]:
    low, high = SCORE_RANGES.get(kind, (1, 0))
    return {"answers": 0, "link_answers": 0, "impressions": 0, "dismissals": 0,
            "distribution": dict.fromkeys(range(low, high + 1), 0)}


def _add(tally: dict[str, Any], kind: str, row: Mapping[str, Any]) -> None:
    n = int(row["n"])
    if row["kind"] == "impression":
        tally["impressions"] += n
    elif row["kind"] == "dismiss":
        tally["dismissals"] += n
    else:
        tally["answers"] += n
        tally["link_answers"] += n if row["channel"] == "link" else 0
        if row["score"] is not None and row["score"] in tally["distribution"]:
            tally["distribution"][int(row["score"])] += n


@dataclass(frozen=True)
class CommentFilters:
    score_min: int | None = None
    score_max: int | None = None
    locale: str = ""
    device: str = ""
    search: str = ""  # case-insensitive substring of the comment
    limit: int = 100
    offset: int = 0


def comments(store: Store, site_id: str, survey_id: str, date_from: date, date_to: date, timezone: str,
             filters: CommentFilters | None = None, version: int | None = None) -> list[dict[str, Any]]:
    """Answers with a comment, newest first. A follow-up comment row replaces the answer's own
    comment (the newest one wins), so each answer appears once."""
    filters = filters or CommentFilters()
    _, versions = _versions(store, site_id, survey_id, version)
    params = _params(site_id, survey_id, versions, date_from, date_to, timezone) | {
        "score_min": -1000 if filters.score_min is None else filters.score_min,
        "score_max": 1000 if filters.score_max is None else filters.score_max,
        "scored": filters.score_min is not None or filters.score_max is not None,
        "locale": filters.locale.lower(), "device": filters.device.lower(), "q": filters.search,
        "limit": max(0, min(filters.limit, MAX_COMMENTS)), "offset": max(0, filters.offset),
    }
    sql = (
        "WITH a AS (SELECT response_id, timestamp, survey_version, channel, path, locale, device, country, "
        f"score, comment FROM survey_responses WHERE {_FILTER} AND kind = 'answer' "
        "ORDER BY timestamp LIMIT 1 BY response_id), "
        "later AS (SELECT response_id, argMax(comment, timestamp) AS text FROM survey_responses "
        "WHERE site_id = {site:String} AND survey_id = {survey:String} AND kind = 'comment' "
        "AND timestamp >= {start:DateTime64(3, 'UTC')} AND response_id IN (SELECT response_id FROM a) "
        "GROUP BY response_id) "
        "SELECT toString(a.response_id) AS response_id, a.timestamp AS timestamp, a.survey_version AS version, "
        "a.channel AS channel, a.path AS path, a.locale AS locale, a.device AS device, a.country AS country, "
        "a.score AS score, if(later.text != '', later.text, a.comment) AS text "
        "FROM a LEFT JOIN later ON later.response_id = a.response_id "
        "WHERE text != '' "
        "AND (NOT {scored:Bool} OR (a.score IS NOT NULL AND a.score BETWEEN {score_min:Int32} AND {score_max:Int32})) "
        "AND ({locale:String} = '' OR a.locale = {locale:String}) "
        "AND ({device:String} = '' OR a.device = {device:String}) "
        "AND ({q:String} = '' OR positionCaseInsensitiveUTF8(text, {q:String}) > 0) "
        "ORDER BY a.timestamp DESC, response_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}"
    )
    found = store.query("/* footfall:survey_results.comments */ " + sql, params)
    for row in found:
        row["comment"] = row.pop("text")
    return found
