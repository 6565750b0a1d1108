"""A real `footfall serve` with surveys made through the CLI before it starts (the CLI cannot
open the embedded data directory while the server holds it), and helpers to talk to it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
_CREATED = re.compile(r"Created survey (\w+) ")


def footfall(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a separate process (never open a second chDB directory inside pytest)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env.update(FOOTFALL_DATA_DIR=str(data_dir), FOOTFALL_BASE_URL="https://stats.example.com")
    return subprocess.run([sys.executable, "-m", "footfall", *args], env=env, capture_output=True, text=True,
                          timeout=180, cwd=data_dir.parent)


def add_survey(data_dir: Path, *args: str) -> str:
    result = footfall(data_dir, "surveys", "add", *args)
    assert result.returncode == 0, result.stderr
    match = _CREATED.search(result.stdout)
    assert match, result.stdout
    return match.group(1)


@dataclass
class SurveyServer:
    server: RunningServer
    ids: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    def sql(self, query: str) -> list[dict[str, Any]]:
        response = httpx.post(f"{self.url}/api/admin/sql", json={"sql": query, "format": "json"},
                              headers={"Authorization": f"Bearer {self.server.admin_token()}"}, timeout=60)
        response.raise_for_status()
        return list(response.json()["data"])

    def responses(self, where: str, expected: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Rows of survey_responses matching `where`, polled until `expected` are there (flushes take ~0.1 s)."""
        query = f"SELECT *, toString(response_id) AS rid FROM survey_responses WHERE {where} ORDER BY timestamp"
        deadline = time.monotonic() + timeout
        while len(found := self.sql(query)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def post(self, payload: Any, ua: str = CHROME, ip: str = LONDON_IP, raw: bytes | None = None) -> httpx.Response:
        return httpx.post(f"{self.url}/api/survey", content=raw if raw is not None else json.dumps(payload),
                          headers={"content-type": "text/plain", "user-agent": ua, "x-forwarded-for": ip},
                          timeout=30)

    def dropped(self) -> dict[str, float]:
        text = httpx.get(f"{self.url}/metrics").text
        return {m[0]: float(m[1]) for m in re.findall(r'footfall_dropped_total\{reason="(\w+)"\} ([\d.e+]+)', text)}


@pytest.fixture(scope="package")
def surveys_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SurveyServer]:
    tmp = tmp_path_factory.mktemp("surveys")
    data_dir = tmp / "data"
    for site in (("shop.test",), ("other.test",), ("quiet.test", "--cookieless", "--respect-dnt")):
        assert footfall(data_dir, "sites", "add", *site).returncode == 0
    ids = {
        "nps": add_survey(data_dir, "shop.test", "--kind", "nps", "--path", "/pricing*", "--device", "desktop",
                          "--device", "mobile", "--trigger", "scroll:50", "--sample", "50", "--frequency", "days:30",
                          "--follow-up", "--question", "en=Would you recommend Shop?",
                          "--question", "vi=Bạn có giới thiệu Shop không?"),
        "csat": add_survey(data_dir, "shop.test", "--kind", "csat"),
        "helpful": add_survey(data_dir, "shop.test", "--kind", "helpful", "--visitors", "new",
                              "--trigger", "event:Signup", "--path-regex", "^/docs/"),
        "ces": add_survey(data_dir, "shop.test", "--kind", "ces", "--trigger", "exit"),
        "text": add_survey(data_dir, "shop.test", "--kind", "text", "--default-locale", "vi"),
        "paused": add_survey(data_dir, "shop.test", "--kind", "csat", "--paused"),
        "future": add_survey(data_dir, "shop.test", "--kind", "csat", "--from", "2999-01-01"),
        "other": add_survey(data_dir, "other.test", "--kind", "nps"),
        "quiet": add_survey(data_dir, "quiet.test", "--kind", "csat"),
    }
    geo_db = write_mmdb(tmp / "city.mmdb", "GeoLite2-City", NETWORKS)
    running = start_server(tmp, FOOTFALL_GEOIP_DB=str(geo_db), FOOTFALL_TRUSTED_PROXY_HEADER="X-Forwarded-For",
                           FOOTFALL_FLUSH_INTERVAL_MS="100")
    yield SurveyServer(running, ids)
    running.stop()
