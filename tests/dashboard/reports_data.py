"""Hand-built events for the report pages' tests (overview, realtime, retention, account), and a
signed-in TestClient on a real chDB store.

June 2025 on site `shop.example` (time zone Asia/Ho_Chi_Minh, UTC+7):

| visitor | first seen | June visit | from | country | browser / device |
|---|---|---|---|---|---|
| 1 | June 10 | `/`, `/pricing` (30 s visible) | Google, "analytics" | VN (Ho Chi Minh City) | Chrome / desktop |
| 2 | May 20 (visit `/`) | `/blog` | Twitter (social) | US | Firefox / mobile |
| 3 | June 15 | `/` (a bounce) | direct | VN (Hanoi) | Safari / mobile |
| 4 | June 20 | HOSTILE path | HOSTILE source | DE | Chrome / desktop |

So June: 4 visitors, 3 new, 1 returning, 4 visits, 5 page views; May: 1 visitor, 1 page view.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from footfall.server import create_app
from pipelines.events import events_batch
from pipelines.migrate import migrate
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

SITE = "shop.example"
ZONE = "Asia/Ho_Chi_Minh"
HOSTILE = '<img src=x onerror=alert(1)>"</script>'
JUNE = "period=custom&from=2025-06-01&to=2025-06-30"


def pageview(visitor: int, session: int, when: datetime, path: str, **fields: Any) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": when, "event_id": str(uuid.uuid4()), "event_type": "pageview",
            "event_name": "pageview", "visitor_id": visitor, "session_id": session, "hostname": SITE,
            "path": path, **fields}


def at(day: int, hour: int = 10, month: int = 6) -> datetime:
    """A UTC instant; 10:00 UTC is 17:00 in Ho Chi Minh City, the same local day."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


def june_events() -> list[dict[str, Any]]:
    chrome = {"browser": "Chrome", "os": "Windows", "device": "desktop", "screen_width": 1920, "screen_height": 1080}
    mobile = {"os": "iOS", "device": "mobile", "screen_width": 390, "screen_height": 844}
    google = {"referrer_source": "Google", "referrer_medium": "search", "search_term": "analytics"}
    one = {"country": "VN", "region": "Ho Chi Minh", "city": "Ho Chi Minh City", **chrome}
    return [
        pageview(1, 11, at(10), "/", **google, **one),
        pageview(1, 11, at(10).replace(minute=1), "/pricing", referrer_medium="internal", **one),
        {**pageview(1, 11, at(10).replace(minute=2), "/pricing", **one), "event_type": "engagement",
         "event_name": "engagement", "engagement_ms": 30_000},
        pageview(2, 21, at(20, month=5), "/", country="US", browser="Firefox", **mobile),
        pageview(2, 22, at(12), "/blog", referrer_source="Twitter", referrer_medium="social", country="US",
                 browser="Firefox", **mobile),
        pageview(3, 31, at(15), "/", referrer_medium="direct", country="VN", region="Hanoi", city="Hanoi",
                 browser="Safari", **mobile),
        pageview(4, 41, at(20), HOSTILE, referrer_source=HOSTILE, referrer_medium="referral", country="DE",
                 **chrome),
    ]


def fill(store: Store) -> None:
    save_site(store, Site(SITE, name="Shop", timezone=ZONE))
    store.insert("events", events_batch(june_events()))


def signed_in_client(store: Store, tmp_path: Path, email: str = EMAIL, password: str = PASSWORD,
                     **headers: str) -> TestClient:
    client = TestClient(create_app(make_settings(tmp_path), store=store), follow_redirects=False,
                        headers=headers or None)
    client.__enter__()
    response = client.post("/login", data={"email": email, "password": password}, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """The demo admin, signed in, with the June data on `shop.example` (a store of its own: for
    tests that change users, roles or the session)."""
    fill(store)
    test_client = signed_in_client(store, tmp_path)
    yield test_client
    test_client.__exit__(None, None, None)


@contextmanager
def shared_client(chdb_dir: Path, tmp_dir: Path, extra: list[dict[str, Any]] | None = None) -> Iterator[TestClient]:
    """A signed-in client on a store of its own with the June data and `extra` events, for a
    module's tests that only read (a store and a sign-in cost seconds each)."""
    store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}")
    migrate(store)
    fill(store)
    if extra:
        store.insert("events", events_batch(extra))
    test_client = signed_in_client(store, tmp_dir)
    try:
        yield test_client
    finally:
        test_client.__exit__(None, None, None)
        store.command(f"DROP DATABASE IF EXISTS {store.database}")
        store.close()


@pytest.fixture(scope="module")
def reader(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Like `client`, shared by a module's tests that only read."""
    with shared_client(chdb_dir, tmp_path_factory.mktemp("reader")) as test_client:
        yield test_client
