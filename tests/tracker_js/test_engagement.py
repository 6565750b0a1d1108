"""Time on page and scroll depth, in headless Chromium, asserted on what reaches the store.

Time on page is checked in a tab whose visibility is real (`real_tab`, see conftest): the test
keeps the page visible for a known time, really hides it (another tab in front), shows it
again, then closes it — the last page of a visit. The stored reports must add up to the visible
time (±10 %), not to the wall time, and each report carries only the time since the one before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.conftest import RunningServer
from tests.tracker_js.conftest import CdpTab, FixturePages, Tab, events, sent_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENGAGEMENT = "event_type = 'engagement'"
VISIBLE_SECONDS = 2.0
HIDDEN_SECONDS = 2.0


def wait_for_state(tab: CdpTab, state: tuple[str, bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while tab.state() != state:
        assert time.monotonic() < deadline, f"the tab is {tab.state()}, not {state}"
        time.sleep(0.01)


def test_time_on_page_counts_only_visible_time(server: RunningServer, pages: FixturePages,
                                               real_tab: Callable[[], CdpTab]) -> None:
    tab = real_tab()
    shown = tab.goto(pages("tall.html"))  # when the tracker started (and began to count)
    assert tab.state() == ("visible", True)
    time.sleep(VISIBLE_SECONDS - (time.monotonic() - shown))

    tab.hide()
    visible = time.monotonic() - shown
    wait_for_state(tab, ("hidden", False))
    [first] = events(server, 1, ENGAGEMENT)  # sent on visibilitychange -> hidden
    assert abs(first["engagement_ms"] - visible * 1000) <= 0.1 * visible * 1000, (first, visible)
    remaining = HIDDEN_SECONDS - (time.monotonic() - shown - visible)
    time.sleep(max(remaining, 0))

    tab.show()
    shown_again = time.monotonic()
    wait_for_state(tab, ("visible", True))
    time.sleep(VISIBLE_SECONDS)
    tab.close()  # the last page of the visit: visibilitychange -> hidden, then pagehide
    visible += time.monotonic() - shown_again

    rows = events(server, 2, ENGAGEMENT)
    total_ms = sum(row["engagement_ms"] for row in rows)
    # With the hidden stretch counted, the total would be about 6 s instead of about 4 s.
    assert abs(total_ms - visible * 1000) <= 0.1 * visible * 1000, (rows, visible)
    # One report per hiding: closing sends no second, zero-time one on pagehide.
    assert len(rows) == 2 and all(row["engagement_ms"] > 0 for row in rows)
    assert {row["path"] for row in rows} == {"/tall.html"}
    assert [row["event_type"] for row in events(server, 3)] == ["pageview", "engagement", "engagement"]


def test_scroll_depth_and_reports_belong_to_their_page_view(server: RunningServer, pages: FixturePages,
                                                            open_tab: Callable[..., Tab]) -> None:
    """A 4000 px page in a 720 px viewport: halfway down, an SPA navigation (the report goes for
    the page left, by its URL), then to the bottom, then away (pagehide)."""
    tab = open_tab()
    tab.goto(pages("tall.html"))
    assert tab.page.evaluate("[document.documentElement.scrollHeight, innerHeight]") == [4000, 720]
    tab.page.evaluate("scrollTo(0, 2000 - innerHeight)")  # the viewport's bottom at 50 %
    tab.page.wait_for_timeout(300)
    tab.page.evaluate("history.pushState({}, '', '/tall/second'); document.title = 'Second view'")
    events(server, 1, ENGAGEMENT)
    tab.page.evaluate("scrollTo(0, 4000)")
    tab.page.wait_for_timeout(300)
    tab.page.goto("about:blank")

    rows = events(server, 2, ENGAGEMENT)
    assert [(row["path"], row["scroll_depth"]) for row in rows] == [("/tall.html", 50), ("/tall/second", 100)]
    assert all(row["engagement_ms"] > 0 for row in rows)
    views = events(server, 2, "event_type = 'pageview'")
    assert [row["path"] for row in views] == ["/tall.html", "/tall/second"]
    # The report of the page left is sent before the next view, for the left page's URL.
    # (Playwright does not report the beacon sent while the page unloads: the store has it.)
    names = [(event["n"], event["u"].split("/", 3)[3]) for event in sent_events(tab)]
    assert names[:3] == [("pageview", "tall.html"), ("engagement", "tall.html"), ("pageview", "tall/second")]
    assert tab.errors == []


def test_short_page_is_read_to_the_end(server: RunningServer, pages: FixturePages,
                                       open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"))
    tab.page.wait_for_timeout(200)
    tab.page.goto("about:blank")

    [row] = events(server, 1, ENGAGEMENT)
    assert (row["path"], row["scroll_depth"]) == ("/basic.html", 100)
    assert 100 <= row["engagement_ms"] <= 10_000
