"""Survey responses over HTTP: the definitions the collector knows, and `POST /api/survey`.

- `POST /api/survey`: an impression, dismissal, answer or follow-up comment from the widget,
  validated against the survey's definition, enriched like an event (visitor, visit, device,
  country) and spooled; 2xx only once the row is on disk, as for events.
- What visitors see in their language — the widget's list `GET /api/surveys` and the link
  pages `/f/{survey}` — is in collector/survey_i18n.py, on top of this module.

Responses are spooled as `survey_responses` rows beside the events. One answer per visitor per
survey per frequency window: a later one is dropped (`duplicate_answer`) and the first stands.
Every refusal is counted in `footfall_dropped_total` by reason. The shapes are in docs/surveys.md.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from prometheus_client import Counter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from collector.geo import client_ip
from collector.pipeline import Event
from collector.ratelimit import retry_after_header
from collector.request import MAX_BODY_BYTES
from collector.service import Collector
from collector.spool import SpoolFull
from collector.steps import drop_bots, put_geolocation, put_identity, put_page, put_user_agent
from pipelines.sites import Site
from pipelines.store.base import StoreError
from pipelines.survey_responses import RESPONSE_KINDS
from pipelines.surveys import MAX_COMMENT, SCORE_RANGES, Survey, is_survey_id, list_surveys

log = logging.getLogger("footfall.surveys")

REFRESH_SECONDS = 5.0
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
TABLE = "survey_responses"
# Answers of the last 30 minutes (from the store) seed duplicate detection after a restart.
_RECENT = ("SELECT toString(response_id) AS id FROM survey_responses "
           "WHERE timestamp > now64(3) - INTERVAL 30 MINUTE AND kind != 'comment'")
_STORED_ANSWER = (
    "SELECT toUnixTimestamp64Milli(timestamp) AS ms, toString(response_id) AS id FROM survey_responses "
    "WHERE site_id = {site:String} AND survey_id = {survey:String} AND kind = 'answer' "
    "AND visitor_id = {visitor:UInt64} AND timestamp >= {since:DateTime64(3, 'UTC')} "
    "ORDER BY timestamp LIMIT 1"
)


@dataclass
class Refusal(Exception):
    """A response that cannot be stored: the status, the counted reason and a message."""

    status: int
    reason: str
    message: str
    headers: dict[str, str] | None = None


class SurveyState:
    """Survey definitions (refreshed from the store every few seconds) and recent answers."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self._lock = asyncio.Lock()
        self._loaded_at = float("-inf")
        self._seeded = False
        self.newest: dict[str, Survey] = {}
        self.versions: dict[tuple[str, int], Survey] = {}
        self.by_site: dict[str, list[Survey]] = {}
        # (survey, visitor) -> (answered at ms, response id): answers the store may not have yet.
        self.answers: dict[tuple[str, int], tuple[int, str]] = {}
        self.stored = Counter("footfall_survey_responses", "Survey responses spooled, by kind and channel",
                              ["kind", "channel"], registry=collector.metrics.registry)

    async def fresh(self) -> SurveyState:
        if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            async with self._lock:
                if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
                    await run_in_threadpool(self._load)
        return self

    def _load(self) -> None:
        store = self.collector.store
        try:
            surveys = list_surveys(store, all_versions=True)
            if not self._seeded:
                self.collector.context.recent_ids.remember(row["id"] for row in store.query(_RECENT))
                self._seeded = True
        except StoreError as exc:
            log.warning("could not refresh surveys, keeping the last known: %s", exc)
            self._loaded_at = time.monotonic()
            return
        newest: dict[str, Survey] = {}
        by_site: dict[str, list[Survey]] = {}
        for survey in surveys:  # the newest version of each survey comes first
            if newest.setdefault(survey.survey_id, survey) is survey:
                by_site.setdefault(survey.site_id, []).append(survey)
        self.newest, self.by_site = newest, by_site
        self.versions = {(s.survey_id, s.version): s for s in surveys}
        self._loaded_at = time.monotonic()

    def site(self, survey: Survey) -> Site | None:
        return self.collector.context.sites.find(survey.site_id, survey.site_id)

    def running(self, survey: Survey, site: Site) -> bool:
        return survey.running(datetime.now(ZoneInfo(site.timezone)).date())

    def open_survey(self, survey_id: object, version: object = None) -> tuple[Survey, Site]:
        """The survey (in the version asked for) if it exists and runs; else a 404 refusal."""
        newest = self.newest.get(survey_id) if isinstance(survey_id, str) and is_survey_id(survey_id) else None
        site = self.site(newest) if newest is not None else None
        if newest is None or site is None:
            raise Refusal(404, "unknown_survey", "no such survey")
        if not self.running(newest, site):
            raise Refusal(404, "inactive_survey", f"the survey is {newest.status} or outside its dates")
        if version in (None, 0):
            return newest, site
        found = self.versions.get((newest.survey_id, version)) if type(version) is int else None
        if found is None:
            raise Refusal(404, "unknown_survey", f"the survey has no version {version!r}")
        return found, site

    # -- one answer per visitor per survey per window ---------------------------------------

    @staticmethod
    def _since(survey: Survey, now_ms: int) -> int:
        """Start of the frequency window ending now, in ms (0: once per visitor, ever)."""
        window = survey.definition.frequency.window
        return 0 if window is None else max(0, now_ms - int(window.total_seconds() * 1000))

    def _in_memory(self, survey: Survey, visitor: int, now_ms: int) -> tuple[int, str] | None:
        found = self.answers.get((survey.survey_id, visitor))
        return found if found is not None and found[0] >= self._since(survey, now_ms) else None

    def _in_store(self, survey: Survey, visitor: int, now_ms: int) -> tuple[int, str] | None:
        since = datetime.fromtimestamp(self._since(survey, now_ms) / 1000, UTC)
        try:
            rows = self.collector.store.query(_STORED_ANSWER, {
                "site": survey.site_id, "survey": survey.survey_id, "visitor": visitor, "since": since})
        except StoreError as exc:
            # Never refuse an answer because the store is down: the in-memory answers still count.
            log.warning("could not check earlier answers: %s", exc)
            return None
        return (int(rows[0]["ms"]), str(rows[0]["id"])) if rows else None

    async def earlier_answer(self, survey: Survey, visitor: int, now_ms: int) -> tuple[int, str] | None:
        """The visitor's answer to `survey` within its window: in memory (still spooled), else stored."""
        if not visitor:
            return None
        found = self._in_memory(survey, visitor, now_ms)
        if found is None:
            found = await run_in_threadpool(self._in_store, survey, visitor, now_ms)
        # Checked again: another request of this visitor may have been answered meanwhile.
        return found or self._in_memory(survey, visitor, now_ms)

    def remember_answer(self, survey_id: str, visitor: int, now_ms: int, response_id: str) -> None:
        if len(self.answers) > 200_000:  # the store has everything older than a few flushes
            cutoff = now_ms - 3_600_000
            self.answers = {key: value for key, value in self.answers.items() if value[0] > cutoff}
        self.answers[(survey_id, visitor)] = (now_ms, response_id)


async def survey_state(request: Request) -> SurveyState:
    state = getattr(request.app.state, "survey_state", None)
    if state is None:
        state = request.app.state.survey_state = SurveyState(request.app.state.collector)
    return await state.fresh()


def refuse(collector: Collector, refusal: Refusal) -> Response:
    collector.metrics.dropped.labels(refusal.reason).inc()
    return JSONResponse({"error": refusal.message, "reason": refusal.reason}, refusal.status,
                        headers={**CORS_HEADERS, **(refusal.headers or {})})


def request_meta(request: Request, collector: Collector) -> dict[str, Any]:
    headers = request.headers
    peer = request.client.host if request.client else ""
    return {
        "ip": client_ip(peer, headers, collector.settings.trusted_proxy_header or None),
        "user_agent": headers.get("user-agent", "")[:1000],
        "do_not_track": headers.get("dnt") == "1" or headers.get("sec-gpc") == "1",
    }


async def read_body(request: Request) -> bytes:
    """The body (gzip inflated), refused past MAX_BODY_BYTES before anything is parsed."""
    too_large = Refusal(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    if request.headers.get("content-encoding", "").lower() != "gzip":
        return bytes(body)
    try:
        plain = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bytes(body), MAX_BODY_BYTES + 1)
    except zlib.error:
        raise Refusal(400, "malformed_json", "the gzip body is corrupt") from None
    if len(plain) > MAX_BODY_BYTES:
        raise too_large
    return plain


# -- building a row -------------------------------------------------------------------------


def check_comment(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Refusal(400, "bad_field", "comment must be a string")
    comment = raw.replace("\r\n", "\n").strip()
    if len(comment) > MAX_COMMENT:
        raise Refusal(413, "comment_too_long", f"the comment is over {MAX_COMMENT} characters")
    return comment


def check_score(survey: Survey, raw: object, comment: str) -> int | None:
    """The answer's score, which must fit the kind (open text: no score, a comment instead)."""
    if survey.kind == "text":
        if raw is not None:
            raise Refusal(400, "bad_score", "an open-text survey takes a comment, not a score")
        if not comment:
            raise Refusal(400, "empty_answer", "an open-text answer needs a comment")
        return None
    if isinstance(raw, bool) and survey.kind == "helpful":
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"-?[0-9]{1,4}", raw.strip()):
        raw = int(raw.strip())  # from a link or a form
    low, high = SCORE_RANGES[survey.kind]
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise Refusal(400, "bad_score", f"a {survey.kind} answer is a whole number from {low} to {high}")
    return raw


def as_uuid(raw: object) -> str | None:
    if isinstance(raw, str):
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            return None
    return None


def base_row(survey: Survey, kind: str, channel: str, response_id: str, dedup_key: str) -> dict[str, Any]:
    return {"_table": TABLE, "event_id": dedup_key, "site_id": survey.site_id, "response_id": response_id,
            "survey_id": survey.survey_id, "survey_version": survey.version, "kind": kind, "channel": channel,
            "timestamp": int(time.time() * 1000), "visitor_id": 0, "session_id": 0, "path": "", "locale": "",
            "device": "", "country": "", "score": None, "comment": ""}


def enrich(collector: Collector, site: Site, row: dict[str, Any], meta: dict[str, Any], url: str | None,
           visitor: str | None) -> bool:
    """Page, device, country, visitor and visit, as the ingest steps do for events.

    Widget rows (`url` given) are identified exactly like events; link rows only by the `v`
    reference in the link (else visitor 0). False for bots.
    """
    context = collector.context
    event = Event(payload={"url": url or "", "site": site.site_id, **({"visitor": visitor} if visitor else {})},
                  ip=meta["ip"], user_agent=meta["user_agent"], received_ms=row["timestamp"],
                  do_not_track=meta["do_not_track"])
    event.site = site
    if url is not None:
        put_page(event, context)
        if event.dropped is not None:
            raise Refusal(400, "bad_url", event.detail)
        if not site.allows_hostname(event.row["hostname"]):
            raise Refusal(400, "bad_url", f"the page is not on {site.site_id}, the survey's site")
    drop_bots(event, context)
    if event.dropped is not None:
        return False
    put_user_agent(event, context)
    put_geolocation(event, context)
    row.update(path=event.row.get("path", "")[:2000], device=event.row["device"], country=event.row["country"])
    if site.respect_dnt and event.do_not_track:
        return True  # stored, but not linked to the visitor
    if url is not None:
        put_identity(event, context)
        row.update(visitor_id=event.row["visitor_id"], session_id=event.row["session_id"])
    elif visitor:
        row["visitor_id"] = context.hasher.hash(b"id", site.site_id, visitor)
        row["session_id"] = context.sessions.session_for(row["visitor_id"], row["timestamp"])
    return True


async def submit(state: SurveyState, survey: Survey, row: dict[str, Any]) -> tuple[str, str]:
    """Spool `row` once: ('stored' | 'duplicate' | 'duplicate_answer', the response id that stands)."""
    collector = state.collector
    if collector.context.recent_ids.seen_before(row["event_id"]):
        collector.metrics.dropped.labels("duplicate").inc()
        return "duplicate", row["response_id"]
    key = (survey.survey_id, row["visitor_id"])
    if row["kind"] == "answer":
        earlier = await state.earlier_answer(survey, row["visitor_id"], row["timestamp"])
        if earlier is not None:
            collector.metrics.dropped.labels("duplicate_answer").inc()
            return "duplicate_answer", earlier[1]
        if row["visitor_id"]:
            state.remember_answer(survey.survey_id, row["visitor_id"], row["timestamp"], row["response_id"])
    try:
        await collector.commit.append([row])
    except SpoolFull:
        collector.context.recent_ids.forget([row["event_id"]])
        if row["kind"] == "answer" and state.answers.get(key, (0, ""))[1] == row["response_id"]:
            del state.answers[key]
        raise Refusal(503, "spool_full", "the collector is catching up; retry later", {"Retry-After": "5"}) from None
    state.stored.labels(row["kind"], row["channel"]).inc()
    return "stored", row["response_id"]


# -- POST /api/survey ----------------------------------------------------------------------


async def record(request: Request) -> Response:
    """`POST /api/survey`: one impression, dismissal, answer or follow-up comment (text/plain JSON)."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=CORS_HEADERS)
    state = await survey_state(request)
    collector = state.collector
    try:
        payload = orjson.loads(await read_body(request))
    except orjson.JSONDecodeError as exc:
        return refuse(collector, Refusal(400, "malformed_json", f"the body is not valid JSON: {exc}"))
    except Refusal as refusal:
        return refuse(collector, refusal)
    meta = request_meta(request, collector)
    wait = collector.context.rate_limiter.allow(meta["ip"])
    if wait:
        return refuse(collector, Refusal(429, "rate_limited", "too many requests from this address",
                                         {"Retry-After": retry_after_header(wait)}))
    try:
        row, survey = widget_row(state, payload, meta)
        if row is None:
            collector.metrics.dropped.labels("bot").inc()
            return JSONResponse({"accepted": 0, "dropped": 1, "reason": "bot"}, 202, headers=CORS_HEADERS)
        outcome, response_id = await submit(state, survey, row)
    except Refusal as refusal:
        return refuse(collector, refusal)
    if outcome == "duplicate_answer":
        body = {"accepted": 0, "dropped": 1, "reason": outcome, "id": response_id}
    else:
        body = {"accepted": 1, "dropped": 0, "id": response_id}
    return JSONResponse(body, 202, headers=CORS_HEADERS)


def widget_row(state: SurveyState, payload: Any, meta: dict[str, Any]) -> tuple[dict[str, Any] | None, Survey]:
    if not isinstance(payload, dict):
        raise Refusal(400, "not_an_object", "the body must be one JSON object")
    kind = payload.get("kind")
    if kind not in RESPONSE_KINDS:
        raise Refusal(400, "bad_kind", f"kind must be one of {', '.join(RESPONSE_KINDS)}")
    survey, site = state.open_survey(payload.get("survey"), payload.get("version"))
    comment = check_comment(payload.get("comment")) if kind in ("answer", "comment") else ""
    score = check_score(survey, payload.get("score"), comment) if kind == "answer" else None
    request_id = as_uuid(payload.get("id")) or str(uuid.uuid4())
    response_id = request_id
    if kind == "comment":
        answer = as_uuid(payload.get("answer"))
        if answer is None:
            raise Refusal(400, "bad_field", "a comment needs `answer`, the id of the answer it follows")
        if not comment:
            raise Refusal(400, "empty_answer", "the comment is empty")
        response_id = answer
    url = payload.get("u")
    if not isinstance(url, str) or not url:
        raise Refusal(400, "missing_url", "send the page URL as `u`")
    visitor, locale = payload.get("v"), payload.get("l")
    row = base_row(survey, kind, "widget", response_id, request_id)
    row.update(score=score, comment=comment, locale=locale.strip().lower()[:35] if isinstance(locale, str) else "")
    stored = enrich(state.collector, site, row, meta, url[:2000], visitor[:128] if isinstance(visitor, str) else None)
    return (row if stored else None), survey


def routes() -> list[Route]:
    from collector import survey_i18n  # builds on this module

    return [
        *survey_i18n.routes(),
        Route("/api/survey", record, methods=["POST", "OPTIONS"]),
    ]
