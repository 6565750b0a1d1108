"""Outbound links and file downloads, in headless Chromium, asserted on what reaches the store:
named custom events with the link's URL, and the navigation (or download) still happens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import RunningServer
from tests.tracker_js.conftest import FixturePages, Tab, events

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_outbound_links_and_downloads(server: RunningServer, pages: FixturePages,
                                      open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("links.html"))
    # Links to this site or to mail are not events (kept from navigating, to stay on the page).
    tab.page.evaluate("for (const id of ['internal', 'mail']) "
                      "document.getElementById(id).addEventListener('click', (e) => e.preventDefault())")
    tab.page.click("#internal")
    tab.page.click("#mail")
    tab.page.click("#out", button="right")  # the context menu: not a visit
    with tab.page.context.expect_page() as opened:
        tab.page.click("#out", button="middle")  # a new tab: counted
    opened.value.close()
    with tab.page.expect_download():
        tab.page.click("#pdf")
    assert "/files/report.pdf" in pages.requested
    tab.page.click("#out")
    tab.page.wait_for_url(f"{server.url}/healthz")  # navigation is not held up

    rows = events(server, 3, "event_type = 'custom'")
    assert [(row["event_name"], row["props"], row["path"]) for row in rows] == [
        ("Outbound Link: Click", {"url": f"{server.url}/healthz"}, "/links.html"),
        ("File Download", {"url": pages("files/report.pdf")}, "/links.html"),
        ("Outbound Link: Click", {"url": f"{server.url}/healthz"}, "/links.html"),
    ]
    assert tab.errors == []
