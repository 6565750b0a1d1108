"""The ingest steps, in order. Each fills part of `event.row` or drops the event."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
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
    return MappingProxyType({
        "hostname": hostname,
        # The tracker sends a fragment only for hash-routed apps (data-hash): there it is the page.
        "path": (parts.path or "/") + (f"#{parts.fragment}" if parts.fragment.startswith("/") else ""),
        "query": parts.query[:2000],
        **{key: query.get(key, "")[:300] for key in UTM_KEYS},
    })


def gate_site(event: Event, context: Context) -> None:
    """Keep only events for a registered site, from one of its hostnames."""
    site = context.sites.find(event.payload.get("site"), event.row["hostname"])
    if site is None:
        event.drop(DropReason.UNKNOWN_SITE, f"no site is registered for {event.row['hostname']!r}")
        return
    event.site = site
    event.row.update(site_id=site.site_id, retention_days=site.retention_days)


def drop_bots(event: Event, context: Context) -> None:
    """Crawlers, headless browsers, empty user agents, and senders flagged as automated."""
    reason = parse_user_agent(event.user_agent).bot_reason
    if reason is None and event.payload.get("webdriver"):
        reason = "webdriver"
    if reason is not None:
        event.drop(DropReason.BOT, reason)


def put_user_agent(event: Event, context: Context) -> None:
    agent = parse_user_agent(event.user_agent)
    event.row.update(
        browser=agent.browser, browser_version=agent.browser_version,
        os=agent.os, os_version=agent.os_version, device=agent.device_type,
    )


def put_geolocation(event: Event, context: Context) -> None:
    geo = context.geo.lookup(event.ip)
    event.row.update(country=geo.country, region=geo.region, city=geo.city)


def put_referrer(event: Event, context: Context) -> None:
    assert event.site is not None
    referral = _referral(event.payload.get("referrer", ""), event.payload["url"], event.site)
    event.row.update(
        referrer=referral.referrer, referrer_source=referral.source,
        referrer_medium=referral.medium, search_term=referral.search_term,
    )


@lru_cache(maxsize=URL_CACHE_SIZE)
def _referral(referrer: str, url: str, site: Site) -> Referral:
    """`classify_referral` is a pure function of these three (the page's hostname and UTM tags
    come from `url`), and the same referrer and page pairs keep coming back: cached."""
    page = _page_fields(url)
    utm = {key: page[key] for key in UTM_KEYS if page[key]}
    return classify_referral(
        referrer, url, lambda host: site.allows_hostname(host) or host == page["hostname"], utm,
    )


def put_identity(event: Event, context: Context) -> None:
    """Timestamp, visitor and visit (see collector/identity.py)."""
    assert event.site is not None
    when = event.received_ms
    if event.trusted and "timestamp" in event.payload:
        # A server sender may backdate, but never into the future nor past a day.
        when = max(event.received_ms - MAX_CLIENT_AGE_MS, min(event.payload["timestamp"], event.received_ms))
    first_party = event.payload.get("visitor")
    if first_party and not event.site.cookieless:
        visitor = context.hasher.hash(b"id", event.site.site_id, first_party)
    else:
        today, yesterday = context.salts.for_time(when)
        visitor = context.hasher.hash(today, event.site.site_id, event.ip, event.user_agent)
        if yesterday is not None:
            # A visit that began before midnight continues under yesterday's hash.
            before = context.hasher.hash(yesterday, event.site.site_id, event.ip, event.user_agent)
            if context.sessions.active(before, when):
                visitor = before
    event.row.update(
        timestamp=when, visitor_id=visitor, session_id=context.sessions.session_for(visitor, when),
    )


def apply_privacy(event: Event, context: Context) -> None:
    """Drop DNT / GPC senders for sites that ask; store the IP only as the site allows."""
    assert event.site is not None
    if event.site.respect_dnt and event.do_not_track:
        event.drop(DropReason.DO_NOT_TRACK, "the browser sent DNT or Sec-GPC")
        return
    event.row["client_ip"] = anonymize_ip(event.ip, event.site.ip_storage)


def drop_duplicates(event: Event, context: Context) -> None:
    """A retried event (same id) is acknowledged again but stored once."""
    event_id = _event_id(event.payload.get("id"))
    if context.recent_ids.seen_before(event_id):
        event.drop(DropReason.DUPLICATE, "this event id was already received")
        return
    event.row["event_id"] = event_id


def put_event_fields(event: Event, context: Context) -> None:
    payload = event.payload
    name = payload["name"].strip()
    event.row.update(
        event_type=name if name in BUILTIN_TYPES else "custom",
        event_name=name,
        title=payload.get("title", ""),
        screen_width=payload.get("screen_width", 0),
        screen_height=payload.get("screen_height", 0),
        language=payload.get("language", ""),
        timezone=payload.get("timezone", ""),
        props=payload.get("props", {}),
        engagement_ms=payload.get("engagement_ms", 0),
        scroll_depth=payload.get("scroll_depth", 0),
        click_x=payload.get("click_x", 0.0),
        click_y=payload.get("click_y", 0),
        click_selector=payload.get("click_selector", ""),
        click_offset_x=payload.get("click_offset_x", 0.0),
        click_offset_y=payload.get("click_offset_y", 0.0),
        viewport_width=payload.get("viewport_width", 0),
        document_height=payload.get("document_height", 0),
        rage_click=payload.get("rage_click", False),
    )


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
