"""The realtime page and its JSON on real chDB: recent visitors, pages being read, latest events,
filters, escaping, languages, and the same access rules as every page of a site."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pipelines.members import Role, grant
from pipelines.store.base import Store
from pipelines.users import save_user
from tests.dashboard import reports_data
from tests.dashboard.reports_data import HOSTILE, SITE, shared_client
from tests.dashboard.test_pages import SAME_ORIGIN

PAGE = f"/s/{SITE}/realtime"

client = reports_data.client  # fixture


def recent(visitor: int, minutes_ago: float, path: str, **fields: Any) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": datetime.now(UTC) - timedelta(minutes=minutes_ago),
            "event_id": str(uuid.uuid4()), "event_type": "pageview", "event_name": "pageview",
            "visitor_id": visitor, "session_id": visitor, "hostname": SITE, "path": path, **fields}


def recent_events() -> list[dict[str, Any]]:
    """Two visitors in the last 5 minutes (with minutes to spare for a slow run), three in 30."""
    return [
        recent(1, 0.5, "/pricing", country="VN", device="desktop"),
        recent(2, 0.6, HOSTILE, country="DE", device="mobile"),
        recent(3, 20, "/", country="VN", device="mobile"),
        recent(4, 90, "/old"),  # outside the 30 minutes
        {**recent(1, 0.2, "/pricing"), "event_type": "custom", "event_name": "signup <b>now</b>"},
    ]


@pytest.fixture(scope="module")
def now_client(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with shared_client(chdb_dir, tmp_path_factory.mktemp("live"), recent_events()) as test_client:
        yield test_client


def test_realtime_json_counts_recent_visitors_pages_and_events(now_client: TestClient) -> None:
    response = now_client.get(f"{PAGE}.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    live = response.json()
    assert (live["visitors_5m"], live["visitors_30m"]) == ("2", "3")
    assert {row["page"]: row["visitors"] for row in live["pages"]} == {"/pricing": "1", HOSTILE: "1"}
    pricing = next(row for row in live["pages"] if row["page"] == "/pricing")
    assert pricing["url"] == f"/s/{SITE}?page=%2Fpricing"
    events = live["events"]
    assert len(events) == 4 and events[0]["event"] == "signup <b>now</b>"  # newest first, as text
    assert events[1] == {**events[1], "event": "Page view", "page": "/pricing", "country": "Vietnam",
                         "device": "Desktop"}
    assert {"time", "source", "updated"} <= set(events[1]) | set(live)


def test_realtime_filters_and_language(now_client: TestClient) -> None:
    live = now_client.get(f"{PAGE}.json?country=VN", headers={"Accept-Language": "vi"}).json()
    assert (live["visitors_5m"], live["visitors_30m"]) == ("1", "2")
    assert {event["country"] for event in live["events"]} == {"Việt Nam"}
    assert "Lượt xem trang" in {event["event"] for event in live["events"]}
    assert now_client.get(f"{PAGE}.json?visitor_type=maybe").json()["error"].startswith(
        "This address does not describe a report")
    assert now_client.get(f"{PAGE}.json?visitor_type=maybe").status_code == 400


def test_realtime_page_renders_the_same_numbers_and_escapes(now_client: TestClient) -> None:
    page = now_client.get(f"{PAGE}?country=DE")
    assert page.status_code == 200
    html = page.text
    assert f'data-source="/s/{SITE}/realtime.json?country=DE"' in html
    assert re.search(r'<span>Country: <strong>Germany</strong></span>\s*<a href="/s/shop\.example/realtime"', html)
    assert '<p class="headline-value" data-field="visitors_5m">1</p>' in html
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script src="/static/realtime.js"></script>' in html and "<script>" not in html
    empty = now_client.get(f"{PAGE}?country=FR").text
    assert "Nobody is reading a page right now." in empty
    script = now_client.get("/static/realtime.js").text
    assert "innerHTML" not in script and "textContent" in script


def test_realtime_access(client: TestClient, store: Store) -> None:
    viewer = save_user(store, "viewer@example.com", "viewer-password-123")
    grant(store, "localhost", viewer.user_id, Role.VIEWER)
    client.post("/logout", headers=SAME_ORIGIN)
    signed_out = client.get(f"{PAGE}.json")
    assert signed_out.status_code == 401 and "signed out" in signed_out.json()["error"]
    assert client.get(PAGE).status_code == 302
    client.post("/login", data={"email": "viewer@example.com", "password": "viewer-password-123"},
                headers=SAME_ORIGIN)
    assert client.get(PAGE).status_code == 404
    other = client.get(f"{PAGE}.json")
    assert other.status_code == 404 and other.json() == {"error": "No such site, or you may not see it."}
    assert client.get("/s/localhost/realtime.json").status_code == 200
