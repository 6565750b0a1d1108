"""The ingest API end to end: a real `footfall serve`, real HTTP, rows read back from chDB."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.collector.test_geo import NETWORKS, write_mmdb
from tests.conftest import RunningServer, start_server

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
LONDON_IP = "81.2.69.160"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("ingest")
    geo_db = write_mmdb(tmp / "city.mmdb", "GeoLite2-City", NETWORKS)
    running = start_server(
        tmp,
        sites=(("shop.test", "--hostname", "*.shop.test"), ("dnt.test", "--respect-dnt"),
               ("cookieless.test", "--cookieless"), ("ip.test", "--ip-storage", "truncated")),
        FOOTFALL_GEOIP_DB=str(geo_db), FOOTFALL_TRUSTED_PROXY_HEADER="X-Forwarded-For",
        FOOTFALL_FLUSH_INTERVAL_MS="100",
    )
    yield running
    running.stop()


def post(server: RunningServer, payload: Any, ua: str = CHROME, ip: str = LONDON_IP,
         headers: dict[str, str] | None = None, raw: bytes | None = None) -> httpx.Response:
    return httpx.post(f"{server.url}/api/event", content=raw if raw is not None else json.dumps(payload),
                      headers={"content-type": "text/plain", "user-agent": ua, "x-forwarded-for": ip,
                               **(headers or {})}, timeout=30)


def rows(server: RunningServer, where: str, columns: str = "*") -> list[dict[str, Any]]:
    response = httpx.post(f"{server.url}/api/admin/sql", json={
        "sql": f"SELECT {columns} FROM events WHERE {where} ORDER BY timestamp", "format": "json"},
        headers={"Authorization": f"Bearer {server.admin_token()}"}, timeout=60)
    response.raise_for_status()
    return list(response.json()["data"])


def marker() -> str:
    return "/t-" + uuid.uuid4().hex[:10]


def dropped(server: RunningServer) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics").text
    return {m[0]: float(m[1]) for m in re.findall(r'footfall_dropped_total\{reason="(\w+)"\} ([\d.e+]+)', text)}


def test_a_page_view_is_stored_enriched(server: RunningServer) -> None:
    path = marker()
    url = f"https://www.shop.test{path}?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    response = post(server, {"n": "pageview", "u": url, "r": "https://www.bing.com/search?q=red+shoes",
                             "t": "Red shoes", "w": 390, "h": 844, "l": "vi-VN", "z": "Asia/Ho_Chi_Minh",
                             "v": "abc123"}, ua=IPHONE)
    assert response.status_code == 202 and response.json() == {"accepted": 1, "dropped": 0}
    assert response.headers["access-control-allow-origin"] == "*"
    server.wait_for_count(1, f"path = '{path}'")
    [row] = rows(server, f"path = '{path}'")
    assert row["site_id"] == "shop.test" and row["hostname"] == "www.shop.test"
    assert (row["event_type"], row["event_name"], row["title"]) == ("pageview", "pageview", "Red shoes")
    assert (row["browser"], row["os"], row["device"]) == ("Mobile Safari", "iOS", "mobile")
    assert (row["country"], row["region"], row["city"]) == ("GB", "England", "London")
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"]) == ("newsletter", "email", "spring")
    assert (row["referrer_source"], row["referrer_medium"]) == ("newsletter", "email")
    assert row["search_term"] == ""  # the campaign tags win over the search engine
    assert (row["screen_width"], row["screen_height"], row["language"]) == (390, 844, "vi-VN")
    assert row["client_ip"] == "" and row["query"].startswith("utm_source=")
    assert int(row["visitor_id"]) > 0 and int(row["session_id"]) > 0


def test_search_engine_referrer_and_internal_referrer(server: RunningServer) -> None:
    path = marker()
    post(server, {"u": f"https://shop.test{path}", "r": "https://www.google.com.vn/"})
    post(server, {"u": f"https://shop.test{path}", "r": "https://sub.shop.test/elsewhere"})
    post(server, {"u": f"https://shop.test{path}", "r": "https://coccoc.com/search?query=gi%C3%A0y+th%E1%BB%83+thao"})
    server.wait_for_count(3, f"path = '{path}'")
    first, second, third = rows(server, f"path = '{path}'")
    assert (first["referrer_source"], first["referrer_medium"]) == ("Google", "search")
    assert (second["referrer"], second["referrer_source"], second["referrer_medium"]) == ("", "", "internal")
    assert (third["referrer_source"], third["referrer_medium"], third["search_term"]) == (
        "Cốc Cốc", "search", "giày thể thao")


def test_click_engagement_and_custom_fields(server: RunningServer) -> None:
    path = marker()
    url = f"https://shop.test{path}"
    events = [
        {"n": "click", "u": url, "cx": 0.25, "cy": 1200, "cs": "main > button#buy", "ox": 0.5, "oy": 0.1,
         "vw": 1280, "dh": 4000, "rc": True},
        {"n": "engagement", "u": url, "e": 42_000, "d": 75},
        {"n": "Signup", "u": url, "p": {"plan": "pro", "seats": 3, "trial": True}},
    ]
    assert post(server, events).json() == {"accepted": 3, "dropped": 0}
    server.wait_for_count(3, f"path = '{path}'")
    by_type = {r["event_type"]: r for r in rows(server, f"path = '{path}'")}
    click = by_type["click"]
    assert (click["click_x"], click["click_y"], click["click_selector"]) == (0.25, 1200, "main > button#buy")
    assert (click["viewport_width"], click["document_height"], click["rage_click"]) == (1280, 4000, True)
    assert (by_type["engagement"]["engagement_ms"], by_type["engagement"]["scroll_depth"]) == (42_000, 75)
    assert by_type["custom"]["event_name"] == "Signup"
    assert by_type["custom"]["props"] == {"plan": "pro", "seats": "3", "trial": "true"}


def test_same_visitor_same_visit_and_cookieless_hashing(server: RunningServer) -> None:
    path = marker()
    post(server, {"u": f"https://shop.test{path}", "v": "visitor-1"})
    post(server, {"u": f"https://shop.test{path}", "v": "visitor-1"})
    post(server, {"u": f"https://shop.test{path}", "v": "visitor-2"})
    for ua, ip in ((CHROME, "216.160.83.57"), (CHROME, "216.160.83.57"), (IPHONE, "216.160.83.57")):
        # A cookieless site ignores any id the page sends.
        post(server, {"u": f"https://cookieless.test{path}", "v": str(uuid.uuid4())}, ua=ua, ip=ip)
    server.wait_for_count(6, f"path = '{path}'")
    found = rows(server, f"path = '{path}'", "site_id, visitor_id, session_id")
    shop = [r for r in found if r["site_id"] == "shop.test"]
    assert shop[0]["visitor_id"] == shop[1]["visitor_id"] != shop[2]["visitor_id"]
    assert shop[0]["session_id"] == shop[1]["session_id"] != shop[2]["session_id"]
    cookieless = [r for r in found if r["site_id"] == "cookieless.test"]
    assert cookieless[0]["visitor_id"] == cookieless[1]["visitor_id"] != cookieless[2]["visitor_id"]


def test_ip_is_stored_only_when_the_site_opts_in(server: RunningServer) -> None:
    path = marker()
    post(server, {"u": f"https://ip.test{path}"}, ip="203.0.113.77")
    post(server, {"u": f"https://ip.test{path}"}, ip="2001:db8:1234:5678::1")
    server.wait_for_count(2, f"path = '{path}'")
    assert [r["client_ip"] for r in rows(server, f"path = '{path}'")] == ["203.0.113.0", "2001:db8:1234::"]


@pytest.mark.parametrize(("site", "headers", "stored"), [
    ("dnt.test", {"DNT": "1"}, False),
    ("dnt.test", {"Sec-GPC": "1"}, False),
    ("dnt.test", {}, True),
    ("shop.test", {"DNT": "1", "Sec-GPC": "1"}, True),  # this site does not ask to honour them
])
def test_dnt_and_gpc_for_sites_that_ask(server: RunningServer, site: str, headers: dict[str, str],
                                        stored: bool) -> None:
    path = marker()
    before = dropped(server).get("do_not_track", 0)
    response = post(server, {"u": f"https://{site}{path}"}, headers=headers)
    assert response.status_code == 202 and response.json()["accepted"] == int(stored)
    if stored:
        assert server.wait_for_count(1, f"path = '{path}'") == 1
    else:
        assert dropped(server)["do_not_track"] == before + 1


@pytest.mark.parametrize(("payload", "ua", "reason"), [
    ({"u": "https://unknown.example/x"}, CHROME, "unknown_site"),
    ({"u": "https://evil-shop.test/x", "s": "shop.test"}, CHROME, "unknown_site"),
    ({"u": "https://shop.test/x"}, "Googlebot/2.1 (+http://www.google.com/bot.html)", "bot"),
    ({"u": "https://shop.test/x"}, "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36", "bot"),
    ({"u": "https://shop.test/x"}, "", "bot"),
    ({"u": "https://shop.test/x", "b": True}, CHROME, "bot"),
    ({"u": "javascript:alert(1)"}, CHROME, "bad_url"),
    ({"u": "ftp://shop.test/file"}, CHROME, "bad_url"),
])
def test_dropped_events_are_acknowledged_and_counted(server: RunningServer, payload: dict[str, Any], ua: str,
                                                     reason: str) -> None:
    before = dropped(server).get(reason, 0)
    response = post(server, payload, ua=ua)
    assert response.status_code == 202
    assert response.json() == {"accepted": 0, "dropped": 1}
    assert dropped(server)[reason] == before + 1


@pytest.mark.parametrize(("raw", "status", "reason"), [
    (b"{not json", 400, "malformed_json"),
    (b"", 400, "malformed_json"),
    (b"[]", 400, "bad_batch"),
    (json.dumps([{"u": "https://shop.test/"}] * 101).encode(), 400, "bad_batch"),
    (b"[1, 2]", 400, "not_an_object"),
    (b'{"t": "no url"}', 400, "missing_url"),
    (b'{"u": "https://shop.test/", "w": "wide"}', 400, "bad_field"),
    (b'{"u": "https://shop.test/", "p": {"nested": {"a": 1}}}', 400, "bad_field"),
    (b'{"u": "https://shop.test/", "n": "   "}', 400, "bad_field"),
    (b'{"u": "' + b"a" * 70_000 + b'"}', 413, "too_large"),
])
def test_bad_requests_get_a_clear_4xx_and_a_counted_reason(server: RunningServer, raw: bytes, status: int,
                                                           reason: str) -> None:
    before = dropped(server).get(reason, 0)
    response = post(server, None, raw=raw)
    assert response.status_code == status
    assert response.json()["reason"] == reason and response.json()["error"]
    assert dropped(server)[reason] == before + 1


def test_a_gzip_bomb_is_refused_before_parsing(server: RunningServer) -> None:
    bomb = gzip.compress(b'{"u": "https://shop.test/", "t": "' + b"x" * 10_000_000 + b'"}')
    assert len(bomb) < 64 * 1024
    response = post(server, None, raw=bomb, headers={"content-encoding": "gzip"})
    assert response.status_code == 413
    small = gzip.compress(json.dumps({"u": f"https://shop.test{marker()}"}).encode())
    assert post(server, None, raw=small, headers={"content-encoding": "gzip"}).json()["accepted"] == 1


def test_a_retried_event_is_stored_once(server: RunningServer) -> None:
    path, event_id = marker(), str(uuid.uuid4())
    for _ in range(3):
        assert post(server, {"u": f"https://shop.test{path}", "i": event_id}).json()["accepted"] == 1
    server.wait_for_count(1, f"path = '{path}'")
    assert [r["event_id"] for r in rows(server, f"path = '{path}'")] == [event_id]


def test_long_fields_are_clamped(server: RunningServer) -> None:
    path = marker()
    post(server, {"u": f"https://shop.test{path}", "t": "T" * 5000, "cs": "s" * 900, "n": "click",
                  "p": {f"k{i}": "v" * 900 for i in range(50)}})
    server.wait_for_count(1, f"path = '{path}'")
    [row] = rows(server, f"path = '{path}'", "title, click_selector, props")
    assert (len(row["title"]), len(row["click_selector"])) == (1000, 200)
    assert len(row["props"]) == 30 and all(len(v) == 500 for v in row["props"].values())


def test_cors_preflight_and_health(server: RunningServer) -> None:
    preflight = httpx.options(f"{server.url}/api/event", headers={"origin": "https://shop.test",
                                                                   "access-control-request-method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["access-control-allow-methods"]
    assert httpx.get(f"{server.url}/healthz").text == "ok"
    assert httpx.get(f"{server.url}/readyz").status_code == 200
    metrics = httpx.get(f"{server.url}/metrics").text
    for name in ("footfall_accepted_total", "footfall_spool_bytes", "footfall_flush_seconds_bucket",
                 'footfall_step_seconds_bucket{le="1e-05",step="put_user_agent"}', "footfall_store_up 1.0"):
        assert name in metrics


def test_tracker_file_is_cached_compressed_and_revalidated(server: RunningServer) -> None:
    first = httpx.get(f"{server.url}/t.js", headers={"accept-encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert first.headers["content-type"].startswith("application/javascript")
    assert "max-age" in first.headers["cache-control"] and first.headers["etag"]
    assert first.content == (Path(__file__).parents[2] / "tracker_js/dist/t.js").read_bytes()
    again = httpx.get(f"{server.url}/t.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(f"{server.url}/nope.js").status_code == 404
