"""No visitor-sent text ever runs as script in the dashboard.

A corpus of XSS payloads (tests/dashboard/xss_corpus.py) goes through the real collector into
every tracked field — paths, titles, referrers, search terms, UTM tags, selectors, event names,
props, language and time-zone strings, the User-Agent — and into survey answers and comments;
then real Chromium opens every dashboard page (also filtered by the hostile values) and fails on
any dialog, any `window.__xss`, any Content-Security-Policy violation and any uncaught error,
and checks that the pages still render. The CSV export escapes formulas.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import RunningServer, start_server
from tests.dashboard.conftest import Tab, sign_in
from tests.dashboard.xss_corpus import PAYLOADS, SITE, events

pytestmark = pytest.mark.browser

HOSTILE_PATH = "/" + PAYLOADS[1]


def footfall(data_dir: Path, *args: str) -> str:
    env = {"FOOTFALL_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "footfall", *args], env=env, check=True, capture_output=True,
                          text=True, timeout=120).stdout


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A running server whose store holds the whole corpus; yields (server, survey id)."""
    tmp_path = tmp_path_factory.mktemp("xss")
    data_dir = tmp_path / "data"
    footfall(data_dir, "sites", "add", SITE, "--name", PAYLOADS[0])
    survey_id = footfall(data_dir, "surveys", "add", SITE, "--kind", "nps", "--follow-up", "--trigger", "delay:1",
                         "--question", f"en={PAYLOADS[2]}").split()[2]  # "Created survey ID (nps) …"
    server = start_server(tmp_path)
    try:
        send_corpus(server, survey_id)
        yield server, survey_id
    finally:
        server.stop()


def send_corpus(server: RunningServer, survey_id: str) -> None:
    batch = events()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for start in range(0, len(batch), 100):
            answer = client.post("/api/event", json=batch[start:start + 100],
                                 headers={"User-Agent": PAYLOADS[0] + " Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"})
            assert answer.status_code == 202, answer.text
        for number, payload in enumerate(PAYLOADS):
            body = {"survey": survey_id, "kind": "answer", "score": number % 11, "comment": payload,
                    "id": str(uuid.uuid4()), "v": f"xss-visitor-{number}", "u": f"https://{SITE}/{quote(payload)}",
                    "l": "en"}
            answered = client.post("/api/survey", json=body,
                                   headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"})
            assert answered.status_code == 202, answered.text
        linked = client.post(f"/f/{survey_id}", data={"score": "3", "comment": PAYLOADS[5]},
                             headers={"Sec-Fetch-Site": "same-origin"})
        assert linked.status_code < 400, linked.text
    assert server.wait_for_count(len(batch)) >= len(batch) * 0.9, "the corpus was not stored"


def pages(survey_id: str) -> list[str]:
    site = f"/s/{SITE}"
    hostile_filters = f"?period=7d&page={quote(HOSTILE_PATH)}&source={quote(PAYLOADS[3])}"
    return [
        "/", site, site + hostile_filters, site + "?period=7d&compare=previous", f"{site}/realtime",
        f"{site}/retention", f"{site}/heatmaps?page={quote(HOSTILE_PATH)}&device_class=desktop",
        f"{site}/surveys", f"{site}/surveys/{survey_id}", f"{site}/surveys/{survey_id}/edit", f"{site}/settings",
        "/account",
    ]


def check_page(tab: Tab, url: str) -> None:
    response = tab.page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    # Charts and tables are drawn: hover over every chart's plot area to raise hover labels too.
    for chart in tab.page.query_selector_all(".js-plotly-plot")[:8]:
        box = chart.bounding_box()
        if box:
            for fraction in (0.25, 0.5, 0.75):
                tab.page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.5)
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate("window.__xss") is None, f"a payload ran on {url}"
    assert tab.page.locator("main h1, main h2").count() >= 1, f"{url} did not render"


def test_no_payload_runs_on_any_page(hostile: Any, open_tab: Any) -> None:
    server, survey_id = hostile
    tab = open_tab(viewport={"width": 1280, "height": 900})
    sign_in(tab, server.url)
    for path in pages(survey_id):
        check_page(tab, server.url + path)
        assert not tab.problems(), f"{path}: {tab.problems()}"
    # The corpus is shown, as text, on the pages that list what visitors sent.
    for path in (f"/s/{SITE}?period=7d", f"/s/{SITE}/surveys/{survey_id}",
                 f"/s/{SITE}/heatmaps?page={quote(HOSTILE_PATH)}&device_class=desktop"):
        tab.page.goto(server.url + path, wait_until="networkidle")
        assert "window.__xss=1" in tab.page.inner_text("main"), f"{path} does not show the hostile values"


def test_csv_export_escapes_formulas(hostile: Any) -> None:
    server, _ = hostile
    with httpx.Client(base_url=server.url, headers={"Sec-Fetch-Site": "same-origin"}, timeout=60) as client:
        signed = client.post("/login", data={"email": "admin@localhost", "password": "demo-password-123"})
        assert signed.status_code == 303
        for panel in ("pages", "campaigns", "sources"):
            text = client.get(f"/s/{SITE}/export/{panel}.csv?period=7d").text.lstrip("\ufeff")
            cells = [cell.strip('"') for line in text.splitlines()[1:] for cell in line.split(",")]
            assert cells, f"{panel}.csv is empty"
            assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")], panel
