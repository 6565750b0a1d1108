"""No acknowledged event is ever lost: kill -9, store outages and SIGTERM, over real HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn

from footfall.server import create_app
from footfall.settings import Settings
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from tests.conftest import free_port, start_server

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
HEADERS = {"content-type": "text/plain", "user-agent": CHROME}

pytestmark = pytest.mark.slow


def batch(size: int, path: str = "/load") -> list[dict[str, str]]:
    return [{"u": f"http://localhost{path}", "i": str(uuid.uuid4()), "v": uuid.uuid4().hex} for _ in range(size)]


def send_until_acknowledged(client: httpx.Client, url: str, events: list[dict[str, str]], deadline: float) -> None:
    """What a careful client does: retry the same events (same ids) until it gets a 2xx."""
    body = json.dumps(events)
    while time.monotonic() < deadline:
        try:
            if client.post(f"{url}/api/event", content=body, headers=HEADERS, timeout=10).status_code == 202:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("events were never acknowledged")


def test_kill_9_under_load_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    port = free_port()
    settings = {"FOOTFALL_RATE_LIMIT": "0"}
    server = start_server(tmp_path, port=port, **settings)
    batches = [batch(10) for _ in range(2100)]  # 21,000 events
    acked: list[int] = []
    deadline = time.monotonic() + 240

    def send(index: int) -> None:
        with httpx.Client() as client:
            send_until_acknowledged(client, server.url, batches[index], deadline)
        acked.append(index)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(send, i) for i in range(len(batches))]
        while len(acked) < len(batches) // 3:
            time.sleep(0.01)
        server.process.send_signal(signal.SIGKILL)  # mid-load, no chance to flush or answer
        server.process.wait()
        killed_at = len(acked)
        server = start_server(tmp_path, port=port, **settings)
        for future in futures:
            future.result()
    try:
        assert 0 < killed_at < len(batches)
        expected = {event["i"] for index in acked for event in batches[index]}
        assert len(expected) == 21_000
        server.wait_for_count(len(expected), timeout=60)
        response = httpx.post(f"{server.url}/api/admin/sql", json={
            "sql": "SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE path = '/load'",
            "format": "json"}, headers={"Authorization": f"Bearer {server.admin_token()}"}, timeout=60)
        assert response.json()["data"] == [{"rows": 21_000, "ids": 21_000}], "lost or duplicated events"
    finally:
        server.stop()


def test_sigterm_drains_the_spool_into_the_store(tmp_path: Path) -> None:
    server = start_server(tmp_path, FOOTFALL_RATE_LIMIT="0", FOOTFALL_FLUSH_INTERVAL_MS="60000",
                          FOOTFALL_FLUSH_ROWS="1000000")
    with httpx.Client() as client:
        for _ in range(30):
            assert client.post(f"{server.url}/api/event", content=json.dumps(batch(50, "/term")),
                               headers=HEADERS).status_code == 202
    # With a one-minute flush interval nothing is in the store yet: only SIGTERM's drain puts it there.
    assert server.count("path = '/term'") == 0
    # uvicorn re-raises SIGTERM after its graceful shutdown, so "terminated by SIGTERM" is a clean exit.
    assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert "Traceback" not in server.log()
    result = subprocess.run([sys.executable, "-m", "footfall", "sql",
                             "SELECT count() FROM events WHERE path = '/term'", "--format", "csv"],
                            env=server.env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "1500", result.stderr


@pytest.fixture
def in_process_server(tmp_path: Path, store: Store) -> Iterator[tuple[str, Store]]:
    """The real app on uvicorn in a thread, over a store this test can break and repair."""
    save_site(store, Site("localhost"))
    port = free_port()
    settings = Settings.from_env({
        "FOOTFALL_DATA_DIR": str(tmp_path / "data"), "FOOTFALL_SECRET_KEY": "s" * 8 + uuid.uuid4().hex * 2,
        "FOOTFALL_SPOOL_MAX_MB": "1", "FOOTFALL_RATE_LIMIT": "0", "FOOTFALL_FLUSH_INTERVAL_MS": "100",
    }, env_file=None)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store=store), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    yield url, store
    server.should_exit = True
    thread.join(30)


def test_store_outage_fills_the_spool_then_503_then_recovers(in_process_server: tuple[str, Store]) -> None:
    url, store = in_process_server
    store.command("DETACH TABLE events")
    acked = 0
    with httpx.Client() as client:
        for _ in range(200):
            refused = json.dumps(batch(100, "/outage"))
            response = client.post(f"{url}/api/event", content=refused, headers=HEADERS)
            if response.status_code == 503:
                break
            assert response.status_code == 202
            acked += 100
        assert response.status_code == 503, "the spool cap never pushed back"
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["reason"] == "spool_full"
        assert client.get(f"{url}/readyz").status_code == 503
        store.command("ATTACH TABLE events")
        deadline = time.monotonic() + 60
        while client.get(f"{url}/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        # The refused request, retried as is (same event ids), must now be stored, not taken for a duplicate.
        assert client.post(f"{url}/api/event", content=refused, headers=HEADERS).json() == {
            "accepted": 100, "dropped": 0}
    acked += 100
    deadline = time.monotonic() + 30
    while store.scalar("SELECT count() FROM events WHERE path = '/outage'") < acked and time.monotonic() < deadline:
        time.sleep(0.1)
    assert acked > 1000
    assert store.scalar("SELECT count() FROM events WHERE path = '/outage'") == acked
    assert store.scalar("SELECT uniqExact(event_id) FROM events WHERE path = '/outage'") == acked
