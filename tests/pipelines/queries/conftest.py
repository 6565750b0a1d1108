"""A small hand-built site whose every number is worked out by hand in tests/pipelines/queries.

Site time zone Europe/Berlin (UTC+2 in June). All times below are UTC.
R = local 2025-06-10..11 = UTC [06-09 22:00, 06-11 22:00); P (previous) = UTC [06-07 22:00, 06-09 22:00).

visitor  visit  events (UTC)                                                     country device
1        s11    06-01 10:00 pv /                                                  DE desktop
1        s12    06-10 08:00 pv / (Google, search, "analytics"), 08:00:30 eng / 5 s,
                08:01 pv /pricing, 08:02 click /pricing, 08:02:30 eng /pricing 20 s
2        s21    06-10 12:00 pv / (direct), 12:00:03 eng / 3 s  — a bounce        US mobile
2        s22    06-17 10:00 pv /pricing                                           (retention)
3        s31    06-10 13:00 pv /blog (Facebook, social), 13:00:12 eng 12 s       US desktop
4        s41    06-10 14:00 pv / (Newsletter, email, utm_campaign june),
                14:00:20 custom Signup                                            FR tablet
5        s51    06-10 23:50 pv /docs, 06-11 00:20 pv /pricing (crosses UTC midnight;
                second page view in a later insert)                               DE desktop
6        s61    06-09 21:50 pv / (local 23:50 Jun 9), 22:10 pv /about (local Jun 10) DE mobile
7        s71    06-11 21:55 pv / (local 23:55), 22:05 eng / 8 s (local Jun 12)    US desktop
8        s81    06-11 09:00 pv /pricing; s80 06-05 09:00 pv / inserted afterwards VN desktop
9        s91    06-08 10:00 pv / (Google, search)                                 US mobile
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipelines.events import events_batch
from pipelines.query import Query
from pipelines.store.base import Store

SITE = "test.example"
TZ = "Europe/Berlin"

_VISITOR = {1: ("DE", "desktop"), 2: ("US", "mobile"), 3: ("US", "desktop"), 4: ("FR", "tablet"),
            5: ("DE", "desktop"), 6: ("DE", "mobile"), 7: ("US", "desktop"), 8: ("VN", "desktop"),
            9: ("US", "mobile")}
_SCREEN = {"desktop": (1920, 1080), "mobile": (390, 844), "tablet": (820, 1180)}


def at(text: str) -> datetime:
    """'06-10 08:00:30' → that UTC time in 2025."""
    month_day, clock = text.split(" ")
    parts = [int(p) for p in clock.split(":")] + [0]
    return datetime(2025, int(month_day[:2]), int(month_day[3:]), parts[0], parts[1], parts[2], tzinfo=UTC)


def event(when: str, kind: str, visitor: int, session: int, path: str = "/", **fields: Any) -> dict[str, Any]:
    country, device = _VISITOR.get(visitor, ("", "desktop"))
    width, height = _SCREEN[device]
    name = fields.pop("name", kind)
    row = {"site_id": SITE, "timestamp": at(when), "event_id": str(uuid.uuid4()), "event_type": kind,
           "event_name": name, "visitor_id": visitor, "session_id": session, "hostname": SITE, "path": path,
           "country": country, "device": device, "screen_width": width, "screen_height": height,
           "browser": "Firefox" if device == "desktop" else "Mobile Safari"}
    if kind == "pageview":
        row["referrer_medium"] = fields.pop("medium", "internal")
    row.update(fields)
    return row


def pv(when: str, visitor: int, session: int, path: str = "/", medium: str = "internal",
       **fields: Any) -> dict[str, Any]:
    return event(when, "pageview", visitor, session, path, medium=medium, **fields)


def eng(when: str, visitor: int, session: int, path: str, ms: int, depth: int = 50) -> dict[str, Any]:
    return event(when, "engagement", visitor, session, path, engagement_ms=ms, scroll_depth=depth)


FIRST_INSERT = [
    pv("06-01 10:00", 1, 11, "/", "direct"),
    pv("06-10 08:00", 1, 12, "/", "search", referrer_source="Google", search_term="analytics",
       referrer="https://www.google.com/"),
    eng("06-10 08:00:30", 1, 12, "/", 5000, 40),
    pv("06-10 08:01", 1, 12, "/pricing"),
    event("06-10 08:02", "click", 1, 12, "/pricing", click_x=0.52, click_y=130, click_selector="button.buy",
          click_offset_x=0.5, click_offset_y=0.25, viewport_width=1280, document_height=2000),
    eng("06-10 08:02:30", 1, 12, "/pricing", 20000, 80),
    pv("06-10 12:00", 2, 21, "/", "direct"),
    eng("06-10 12:00:03", 2, 21, "/", 3000, 30),
    pv("06-17 10:00", 2, 22, "/pricing", "direct"),
    pv("06-10 13:00", 3, 31, "/blog", "social", referrer_source="Facebook"),
    eng("06-10 13:00:12", 3, 31, "/blog", 12000, 100),
    pv("06-10 14:00", 4, 41, "/", "email", referrer_source="Newsletter", utm_source="newsletter",
       utm_medium="email", utm_campaign="june"),
    event("06-10 14:00:20", "custom", 4, 41, "/", name="Signup", props={"plan": "pro"}),
    pv("06-10 23:50", 5, 51, "/docs", "direct"),
    pv("06-09 21:50", 6, 61, "/", "direct"),
    pv("06-09 22:10", 6, 61, "/about"),
    pv("06-11 21:55", 7, 71, "/", "direct"),
    eng("06-11 22:05", 7, 71, "/", 8000, 60),
    pv("06-11 09:00", 8, 81, "/pricing", "direct"),
    pv("06-08 10:00", 9, 91, "/", "search", referrer_source="Google"),
]
# Later inserts: the rest of visit s51 (its rows must merge with the first part), and visitor 8's
# first-ever event arriving after a later one (first-seen must move back).
SECOND_INSERT = [pv("06-11 00:20", 5, 51, "/pricing")]
THIRD_INSERT = [pv("06-05 09:00", 8, 80, "/", "direct")]


def insert(store: Store, rows: list[dict[str, Any]], token: str | None = None) -> None:
    store.insert("events", events_batch(rows), dedup_token=token)


@pytest.fixture
def site(store: Store) -> Store:
    """The store with the hand-built site's events, inserted in three batches."""
    for rows in (FIRST_INSERT, SECOND_INSERT, THIRD_INSERT):
        insert(store, rows)
    return store


def make_query(date_from: date = date(2025, 6, 10), date_to: date = date(2025, 6, 11), **options: Any) -> Query:
    return Query(SITE, date_from, date_to, options.pop("timezone", TZ), **options)


QueryFactory = Callable[..., Query]
