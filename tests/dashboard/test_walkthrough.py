"""A site owner's walk through the dashboard in real Chromium, on `footfall demo-data`, at desktop
and phone widths: sign in → overview → filter by a row → heatmap of that page → survey results →
CSV export → sign out. Every page is checked for its key elements, for no console error or CSP
violation, and (on the phone) for no sideways scrolling; a full-page screenshot of each is saved
under `test-artifacts/screenshots/` (set FOOTFALL_TEST_ARTIFACTS to put them elsewhere)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, RunningServer
from tests.dashboard.conftest import Tab, demo_server, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(os.environ.get("FOOTFALL_TEST_ARTIFACTS", REPO / "test-artifacts")) / "screenshots"
# The pages off the walk's path, each checked and photographed too.
OTHER_PAGES = (
    ("8-realtime", "/s/localhost/realtime", ("main h1, main h2",)),
    ("9-retention", "/s/localhost/retention", ("main h1, main h2",)),
    ("10-settings", "/s/localhost/settings", ("input[name=name]", ".snippet")),
    ("11-survey-editor", "/s/localhost/surveys/new", ("main form",)),
    ("12-account", "/account", ("main form",)),
)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = demo_server(tmp_path_factory.mktemp("walk"), events=30000)
    yield server
    server.stop()


def snap(tab: Tab, width: str, name: str, must_show: tuple[str, ...]) -> None:
    """Check the page's key elements and layout, then save its screenshot."""
    page = tab.page
    page.wait_for_load_state("networkidle")
    for selector in must_show:
        assert page.locator(selector).first.is_visible(), f"{name} ({width}): {selector} is not shown"
    if width == "phone":
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow} px on a phone"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{width}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path} looks blank"
    assert tab.problems() == [], f"{name} ({width}): {tab.problems()}"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_walk_through_the_dashboard(demo: RunningServer, open_tab: Callable[..., Tab], width: str) -> None:
    tab = open_tab(viewport=WIDTHS[width], accept_downloads=True)
    page = tab.page
    page.goto(f"{demo.url}/login")
    snap(tab, width, "1-sign-in", ("input[name=email]", "input[name=password]"))
    sign_in(tab, demo.url)
    snap(tab, width, "2-sites", ("main h1",))

    page.goto(f"{demo.url}/s/localhost")
    snap(tab, width, "3-overview", ('[data-metric="visitors"]', ".js-plotly-plot", "#card-pages"))
    row = page.locator("#card-pages td.label a").nth(1)
    path = str(row.text_content()).strip()
    with page.expect_navigation():
        row.click()
    assert "page=" in page.url
    snap(tab, width, "4-overview-filtered", (".chip", '[data-metric="visitors"]'))

    page.goto(f"{demo.url}/s/localhost/heatmaps")
    page.fill("input[name=page]", path)
    with page.expect_navigation():
        page.click(".hm-chooser button[type=submit]")
    snap(tab, width, "5-heatmap", (".hm-chooser", ".js-plotly-plot"))

    page.goto(f"{demo.url}/s/localhost/surveys")
    snap(tab, width, "6-surveys", ("main table",))
    with page.expect_navigation():
        page.locator("main table a").first.click()
    snap(tab, width, "7-survey-results", (".sv-numbers", ".js-plotly-plot"))

    for name, url, must_show in OTHER_PAGES:
        page.goto(demo.url + url)
        snap(tab, width, name, must_show)

    page.goto(f"{demo.url}/s/localhost")
    with page.expect_download() as download:
        page.locator("#card-pages a.csv").first.click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) > 2 and download.value.suggested_filename.startswith("localhost-")

    page.locator("form[action='/logout'] button").first.click()
    page.wait_for_url("**/login*")
    page.goto(f"{demo.url}/s/localhost")
    assert "/login" in page.url, "signed out, the overview must ask to sign in again"


def test_screenshots_cover_every_step(demo: Any) -> None:
    """Runs after the walks (same module): both widths left a screenshot of every step."""
    names = {path.name for path in ARTIFACTS.glob("*.png")}
    for width in WIDTHS:
        for step in ("1-sign-in", "3-overview", "4-overview-filtered", "5-heatmap", "7-survey-results"):
            assert f"{width}-{step}.png" in names
