"""Server-side tracking with `events:write` tokens, and the per-IP rate limit, over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.collector.test_geo import NETWORKS, write_mmdb
from tests.collector.test_ingest import CHROME, IPHONE, LONDON_IP, dropped, marker, rows
from tests.conftest import RunningServer, start_server

SITE = "server.test"
OTHER = "other.test"
DAY_MS = 24 * 3600 * 1000


def footfall(tmp: Path, *args: str) -> str:
    """Run the CLI on the data directory `start_server(tmp)` uses (before the server holds it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env["FOOTFALL_DATA_DIR"] = str(tmp / "data")
    result = subprocess.run([sys.executable, "-m", "footfall", *args], env=env, capture_output=True, text=True,
                            timeout=120, cwd=tmp)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Tokens:
    write: str
    read: str
    other_site: str


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Tokens]]:
    tmp = tmp_path_factory.mktemp("server-side")
    geo_db = write_mmdb(tmp / "city.mmdb", "GeoLite2-City", NETWORKS)
    footfall(tmp, "sites", "add", SITE, "--ip-storage", "full")
    footfall(tmp, "sites", "add", OTHER)
    tokens = Tokens(
        write=footfall(tmp, "tokens", "create", SITE, "--scope", "events:write"),
        read=footfall(tmp, "tokens", "create", SITE, "--scope", "stats:read"),
        other_site=footfall(tmp, "tokens", "create", OTHER, "--scope", "events:write"),
    )
    assert all(token.startswith("ff_") for token in vars(tokens).values())
    server = start_server(tmp, FOOTFALL_GEOIP_DB=str(geo_db), FOOTFALL_FLUSH_INTERVAL_MS="100")
    yield server, tokens
    server.stop()


def send(server: RunningServer, payload: Any, token: str | None = None, ua: str = "checkout-backend/2.1",
         headers: dict[str, str] | None = None) -> httpx.Response:
    auth = {"authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{server.url}/api/event", content=json.dumps(payload),
                      headers={"content-type": "application/json", "user-agent": ua, **auth, **(headers or {})},
                      timeout=30)


def stored(server: RunningServer, path: str) -> dict[str, Any]:
    assert server.wait_for_count(1, f"path = '{path}'") == 1
    [row] = rows(server, f"path = '{path}'",
                 "site_id, client_ip, country, city, browser, os, device, event_name, "
                 "toUnixTimestamp64Milli(timestamp) AS ts")
    row["ts"] = int(row["ts"])
    return row


def now_ms() -> int:
    return int(time.time() * 1000)


def test_with_a_token_the_payloads_ip_user_agent_and_time_are_used(tracked: tuple[RunningServer, Tokens]) -> None:
    server, tokens = tracked
    path, when = marker(), now_ms() - 2 * 3600 * 1000
    response = send(server, {"n": "Purchase", "u": f"https://{SITE}{path}", "s": SITE, "ip": LONDON_IP,
                             "ua": IPHONE, "ts": when, "i": str(uuid.uuid4())}, tokens.write)
    assert response.status_code == 202 and response.json() == {"accepted": 1, "dropped": 0}
    row = stored(server, path)
    assert (row["site_id"], row["client_ip"], row["country"], row["city"]) == (SITE, LONDON_IP, "GB", "London")
    assert (row["browser"], row["os"], row["device"]) == ("Mobile Safari", "iOS", "mobile")
    assert (row["event_name"], row["ts"]) == ("Purchase", when)


def test_the_long_key_names_work_too(tracked: tuple[RunningServer, Tokens]) -> None:
    server, tokens = tracked
    path, when = marker(), now_ms() - 60_000
    response = send(server, [{"name": "Refund", "url": f"https://{SITE}{path}", "ip": "216.160.83.58",
                              "user_agent": CHROME, "timestamp": when}], tokens.write)
    assert response.json() == {"accepted": 1, "dropped": 0}
    row = stored(server, path)
    assert (row["country"], row["city"], row["browser"], row["ts"]) == ("US", "Milton", "Chrome", when)


@pytest.mark.parametrize(("offset_ms", "expected_offset_ms"), [
    (10 * DAY_MS, 0),  # in the future: now
    (5 * 60_000, 0),
    (-3 * DAY_MS, -DAY_MS),  # older than a day: a day ago
    (-DAY_MS - 60_000, -DAY_MS),
])
def test_the_payload_time_is_clamped_to_the_last_day(tracked: tuple[RunningServer, Tokens], offset_ms: int,
                                                     expected_offset_ms: int) -> None:
    server, tokens = tracked
    path = marker()
    before = now_ms()
    response = send(server, {"u": f"https://{SITE}{path}", "ua": CHROME, "ts": before + offset_ms}, tokens.write)
    after = now_ms()
    assert response.status_code == 202 and response.json()["accepted"] == 1
    stamp = stored(server, path)["ts"]
    assert before + expected_offset_ms <= stamp <= after + expected_offset_ms


def test_without_a_token_ip_user_agent_and_time_are_ignored(tracked: tuple[RunningServer, Tokens]) -> None:
    server, _ = tracked
    path = marker()
    before = now_ms()
    response = send(server, {"u": f"https://{SITE}{path}", "ip": LONDON_IP, "ua": IPHONE,
                             "ts": before - 3600 * 1000}, ua=CHROME)
    after = now_ms()
    assert response.status_code == 202 and response.json() == {"accepted": 1, "dropped": 0}
    row = stored(server, path)
    # The connection's address (loopback: no location) and the request's own browser.
    assert (row["client_ip"], row["country"], row["browser"]) == ("127.0.0.1", "", "Chrome")
    assert before <= row["ts"] <= after


def test_without_a_token_a_user_agent_in_the_payload_cannot_hide_a_bot(tracked: tuple[RunningServer, Tokens]) -> None:
    server, _ = tracked
    response = send(server, {"u": f"https://{SITE}{marker()}", "ua": CHROME}, ua="Googlebot/2.1")
    assert response.json() == {"accepted": 0, "dropped": 1}


@pytest.mark.parametrize(("which", "status"), [("read", 401), ("unknown", 401), ("garbage", 401),
                                               ("other_site", 403)])
def test_a_wrong_token_is_refused_and_counted(tracked: tuple[RunningServer, Tokens], which: str,
                                              status: int) -> None:
    server, tokens = tracked
    token = {"read": tokens.read, "unknown": "ff_" + uuid.uuid4().hex, "garbage": "not a token",
             "other_site": tokens.other_site}[which]
    path = marker()
    before = dropped(server).get("bad_token", 0)
    events = [{"u": f"https://{SITE}{path}", "s": SITE, "ip": LONDON_IP, "ua": CHROME}] * 2
    response = send(server, events, token)
    assert response.status_code == status
    assert response.json()["reason"] == "bad_token" and response.json()["error"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert dropped(server)["bad_token"] == before + 2  # every event of the request
    assert server.count(f"path = '{path}'") == 0


def test_a_token_cannot_send_for_another_site_by_leaving_out_the_site(tracked: tuple[RunningServer, Tokens]) -> None:
    """The token is for other.test; the event names no site but has a server.test URL. It must
    not be stored for server.test (where this token could otherwise backdate events and choose
    the visitor's IP)."""
    server, tokens = tracked
    path = marker()
    response = send(server, {"u": f"https://{SITE}{path}", "ip": LONDON_IP, "ua": CHROME,
                             "ts": now_ms() - 20 * 3600 * 1000}, tokens.other_site)
    assert response.status_code == 403 or response.json() == {"accepted": 0, "dropped": 1}
    time.sleep(0.5)  # a stored event would be in the store by now
    assert server.count(f"path = '{path}'") == 0


# -- the rate limit --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("rate-limit"), sites=(("limit.test",),),
                          FOOTFALL_RATE_LIMIT="1", FOOTFALL_RATE_BURST="3",
                          FOOTFALL_TRUSTED_PROXY_HEADER="X-Forwarded-For")
    yield server
    server.stop()


def test_the_fourth_quick_request_from_one_ip_gets_429(limited: RunningServer) -> None:
    before = dropped(limited).get("rate_limited", 0)
    answers = []
    with httpx.Client() as client:
        for _ in range(4):
            answers.append(client.post(
                f"{limited.url}/api/event", content=json.dumps([{"u": "https://limit.test/"}] * 2),
                headers={"user-agent": CHROME, "x-forwarded-for": "203.0.113.9"}))
        other = client.post(f"{limited.url}/api/event", content=json.dumps({"u": "https://limit.test/"}),
                            headers={"user-agent": CHROME, "x-forwarded-for": "198.51.100.7, 10.0.0.1"})
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert refused.json()["reason"] == "rate_limited" and refused.json()["error"]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["access-control-allow-origin"] == "*"
    assert dropped(limited)["rate_limited"] == before + 2  # both events of the refused request
    assert other.status_code == 202 and other.json() == {"accepted": 1, "dropped": 0}
    assert limited.wait_for_count(7) == 7
