"""The ingest steps, in order. Each fills part of `event.row` or drops the event."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from collector.context import Context
from collector.geo import anonymize_ip
from collector.pipeline import DropReason, Event, Step
from collector.referrers import Referral, classify_referral
from collector.useragent import parse as parse_user_agent
from pipelines.sites import Site

MAX_CLIENT_AGE_MS = 24 * 3600 * 1000
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
BUILTIN_TYPES = {"pageview", "engagement", "click"}
URL_CACHE_SIZE = 10_000  # pages, and (referrer, page, site) triples, kept parsed
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def put_page(event: Event, context: Context) -> None:
    """Split the page URL; only http(s) pages with a hostname can be events."""
    try:
        event.row.update(_page_fields(event.payload["url"]))
    except ValueError as error:
        event.drop(DropReason.BAD_URL, str(error))


@lru_cache(maxsize=URL_CACHE_SIZE)
def _page_fields(url: str) -> Mapping[str, Any]:
    """The row fields of a page URL; ValueError says why it cannot be a page.

    Cached (read-only), because a site's visitors keep viewing the same few pages."""
    try:
        parts = urlsplit(url)
        hostname = (parts.hostname or "").lower()
    except ValueError:
        raise ValueError("the url cannot be parsed") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ValueError("the url must be an http(s) URL with a hostname")
    query = dict(parse_qsl(parts.query, keep_blank_values=False))
    fields = {
        "hostname": hostname,
        # The tracker sends a fragment only for hash-routed apps (data-hash): there it is the page.
        "path": (parts.path or "/") + (f"#{parts.fragment}" if parts.fragment.startswith("/") else ""),
        "query": parts.query[:2000],
        **{key: query.get(key, "")[:300] for key in UTM_KEYS},
    }
    # Empty fields are left out of the row: the store fills in the same empty value (see
    # pipelines/events.py), and every spooled byte is written, synced and parsed again.
    # A plain dict (never changed: callers only read it), so that `dict.update` copies it fast.
    return {key: value for key, value in fields.items() if value}


def gate_site(event: Event, context: Context) -> None:
    """Keep only events for a registered site, from one of its hostnames."""
    site = context.sites.find(event.payload.get("site"), event.row["hostname"])
    if site is None:
        event.drop(DropReason.UNKNOWN_SITE, f"no site is registered for {event.row['hostname']!r}")
        return
    event.site = site
    event.row["site_id"] = site.site_id
    if site.retention_days:
        event.row["retention_days"] = site.retention_days


def drop_bots(event: Event, context: Context) -> None:
    """Crawlers, headless browsers, empty user agents, and senders flagged as automated."""
    reason = _agent(event.user_agent)[0]
    if reason is None and event.payload.get("webdriver"):
        reason = "webdriver"
    if reason is not None:
        event.drop(DropReason.BOT, reason)


def put_user_agent(event: Event, context: Context) -> None:
    event.row.update(_agent(event.user_agent)[1])


@lru_cache(maxsize=URL_CACHE_SIZE)
def _agent(user_agent: str) -> tuple[str | None, Mapping[str, str]]:
    """The bot verdict and the row fields of a User-Agent (a plain dict, read-only as in
    `_page_fields`): parsed once, however many of its events come."""
    agent = parse_user_agent(user_agent)
    fields = {"browser": agent.browser, "browser_version": agent.browser_version, "os": agent.os,
              "os_version": agent.os_version, "device": agent.device_type}
    return agent.bot_reason, {key: value for key, value in fields.items() if value}


def put_geolocation(event: Event, context: Context) -> None:
    geo = context.geo.lookup(event.ip)
    row = event.row
    row["country"], row["region"], row["city"] = geo.country, geo.region, geo.city


def put_referrer(event: Event, context: Context) -> None:
    site = event.site
    assert site is not None
    payload = event.payload
    event.row.update(_referral_fields(payload.get("referrer", ""), payload["url"], site.site_id, site.hostnames))


@lru_cache(maxsize=URL_CACHE_SIZE)
def _referral_fields(referrer: str, url: str, site_id: str, hostnames: tuple[str, ...]) -> Mapping[str, str]:
    """The row fields of `classify_referral`, which is a pure function of these (the page's
    hostname and UTM tags come from `url`, the site's own hostnames from `site_id` and
    `hostnames`); the same referrer and page pairs keep coming back, so cached. Keyed by the
    site's id and hostnames rather than the Site, whose generated hash and equality go over all
    of its fields on every lookup. Empty fields are left out, as in `_page_fields`."""
    page = _page_fields(url)
    utm = {key: page[key] for key in UTM_KEYS if key in page}
    site = Site(site_id=site_id, hostnames=hostnames)  # all that `allows_hostname` reads
    referral: Referral = classify_referral(
        referrer, url, lambda host: site.allows_hostname(host) or host == page["hostname"], utm,
    )
    fields = {"referrer": referral.referrer, "referrer_source": referral.source,
              "referrer_medium": referral.medium, "search_term": referral.search_term}
    return {key: value for key, value in fields.items() if value}  # read-only, as in `_page_fields`


def put_identity(event: Event, context: Context) -> None:
    """Timestamp, visitor and visit (see collector/identity.py)."""
    site, payload = event.site, event.payload
    assert site is not None
    when = event.received_ms
    if event.trusted and "timestamp" in payload:
        # A server sender may backdate, but never into the future nor past a day.
        when = max(event.received_ms - MAX_CLIENT_AGE_MS, min(payload["timestamp"], event.received_ms))
    first_party = payload.get("visitor")
    if first_party and not site.cookieless:
        visitor = context.hasher.hash(b"id", site.site_id, first_party)
    else:
        today, yesterday = context.salts.for_time(when)
        visitor = context.hasher.hash(today, site.site_id, event.ip, event.user_agent)
        if yesterday is not None:
            # A visit that began before midnight continues under yesterday's hash.
            before = context.hasher.hash(yesterday, site.site_id, event.ip, event.user_agent)
            if context.sessions.active(before, when):
                visitor = before
    row = event.row
    row["timestamp"], row["visitor_id"] = when, visitor
    row["session_id"] = context.sessions.session_for(visitor, when)


def apply_privacy(event: Event, context: Context) -> None:
    """Drop DNT / GPC senders for sites that ask; store the IP only as the site allows."""
    assert event.site is not None
    if event.site.respect_dnt and event.do_not_track:
        event.drop(DropReason.DO_NOT_TRACK, "the browser sent DNT or Sec-GPC")
        return
    client_ip = anonymize_ip(event.ip, event.site.ip_storage)
    if client_ip:
        event.row["client_ip"] = client_ip


def drop_duplicates(event: Event, context: Context) -> None:
    """A retried event (same id) is acknowledged again but stored once."""
    event_id = _event_id(event.payload.get("id"))
    if context.recent_ids.seen_before(event_id):
        event.drop(DropReason.DUPLICATE, "this event id was already received")
        return
    event.row["event_id"] = event_id


# Payload fields stored as they are (validated and clamped by collector/request.py). One the
# event does not have is left out of the row, and the store fills in its zero value.
EVENT_FIELDS = (
    "title", "screen_width", "screen_height", "language", "timezone", "props", "engagement_ms",
    "scroll_depth", "click_x", "click_y", "click_selector", "click_offset_x", "click_offset_y",
    "viewport_width", "document_height", "rage_click",
)


_EVENT_FIELDS = frozenset(EVENT_FIELDS)


def put_event_fields(event: Event, context: Context) -> None:
    payload = event.payload
    name = payload["name"].strip()
    row = event.row
    row["event_type"] = name if name in BUILTIN_TYPES else "custom"
    row["event_name"] = name
    # Over the payload's few keys rather than all of EVENT_FIELDS, most of which an event lacks.
    for key, value in payload.items():
        if value and key in _EVENT_FIELDS:
            row[key] = value


def _event_id(raw: object) -> str:
    """The client's UUID when it sent a valid one (so retries match); else a fresh one."""
    if isinstance(raw, str):
        if _CANONICAL_UUID.fullmatch(raw):
            return raw  # as the tracker sends it: already what str(uuid.UUID(raw)) gives
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            pass
    return str(uuid.uuid4())


STEPS: tuple[Step, ...] = (
    put_page,
    gate_site,
    drop_bots,
    put_user_agent,
    put_geolocation,
    put_referrer,
    put_identity,
    apply_privacy,
    drop_duplicates,
    put_event_fields,
)
