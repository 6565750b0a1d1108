"""The tracker in headless Chromium, asserted on what reaches the store: page views, SPA
navigation, custom events, the queue, the gates (which also keep the heatmap chunk from loading),
exclusions, hash mode, CSP, no globals, a collector that cannot be reached. (Time on page and
scroll depth: test_engagement.py; clicks for heatmaps: test_clicks.py; outbound links and
downloads: test_links.py.)

Fixture pages (pages/*.html) are served from their own loopback origin and load `/t.js` (which
loads `/t-clicks.js`) from a real `footfall serve`, so every event crosses origins as on a real site.
Playwright sets navigator.webdriver, which the tracker ignores unless the page opts in with
data-allow-webdriver (the fixture pages do) — or, for the demo page, an init script hides it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from tests.conftest import RunningServer
from tests.tracker_js.conftest import FixturePages, Tab, events, query, sent_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE_VIEW = "event_type = 'pageview'"
BASIC_COLUMNS = (
    "event_type, event_name, hostname, path, query, title, referrer, screen_width, "
    "screen_height, language, timezone, toString(visitor_id) AS visitor, props"
)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HIDE_WEBDRIVER = "Object.defineProperty(Navigator.prototype, 'webdriver', {get: () => false})"
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
DNT_ON = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})"


def assert_nothing_sent(tab: Tab, server: RunningServer) -> None:
    tab.page.evaluate("footfall('event', 'Should not arrive', {a: '1'})")
    tab.page.wait_for_timeout(1000)
    assert tab.sent() == []
    assert int(query(server, "SELECT count() AS n FROM events")[0]["n"]) == 0
    assert tab.chunk_requests() == []  # a visit that is not counted does not load the click collector
    assert tab.errors == []


def test_page_view_reaches_the_store(server: RunningServer, pages: FixturePages,
                                     open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"))

    [view] = events(server, 1, columns=BASIC_COLUMNS)
    assert view | {"visitor": "?"} == {
        "event_type": "pageview",
        "event_name": "pageview",
        "hostname": "127.0.0.1",
        "path": "/basic.html",
        "query": "",
        "title": "Tracker fixture: basic",
        "referrer": "",
        "screen_width": 1280,
        "screen_height": 720,
        "language": "en-US",
        "timezone": "UTC",
        "visitor": "?",
        "props": {},
    }
    visitor_id = tab.page.evaluate("localStorage.getItem('footfall_id')")
    assert UUID.match(visitor_id)
    [payload] = tab.sent()
    assert payload["v"] == visitor_id and payload["s"] == "localhost"
    # No event id: the tracker never sends an event twice, so the collector assigns the ids.
    assert "r" not in payload and "p" not in payload and "i" not in payload
    assert tab.errors == []


def test_spa_navigation_is_a_page_view_without_referrer(server: RunningServer, pages: FixturePages,
                                                        open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"), referer="https://news.example.com/story")
    events(server, 1, PAGE_VIEW)
    tab.page.evaluate("history.pushState({}, '', '/app/next?tab=2'); document.title = 'Next view'")
    tab.page.wait_for_url("**/app/next?tab=2")
    events(server, 2, PAGE_VIEW)
    tab.page.evaluate("history.replaceState({}, '', location.href)")  # same URL: not a new view
    tab.page.go_back()  # popstate

    first, spa, back = events(server, 3, PAGE_VIEW)
    assert (first["path"], first["referrer"]) == ("/basic.html", "https://news.example.com/story")
    assert (spa["path"], spa["query"], spa["title"], spa["referrer"]) == ("/app/next", "tab=2", "Next view", "")
    assert (back["path"], back["referrer"]) == ("/basic.html", "")
    assert first["visitor"] == spa["visitor"] == back["visitor"]
    assert tab.errors == []


def test_custom_event_with_props(server: RunningServer, pages: FixturePages,
                                 open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"))
    tab.page.evaluate("footfall('event', 'Signup', {plan: 'pro', seats: 3})")

    [event] = events(server, 1, "event_type = 'custom'")
    assert (event["event_name"], event["path"], event["props"]) == ("Signup", "/basic.html",
                                                                     {"plan": "pro", "seats": "3"})
    assert sorted(row["event_name"] for row in events(server, 2)) == ["Signup", "pageview"]
    assert tab.errors == []


def test_calls_queued_before_load_are_replayed(server: RunningServer, pages: FixturePages,
                                               open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("queue.html"))

    rows = events(server, 2)  # two beacons in flight at once: either may be stored first
    assert sorted((row["event_name"], row["props"]) for row in rows) == [
        ("Queued", {"when": "before load"}), ("pageview", {})]
    assert tab.errors == []


def test_public_api_never_throws(server: RunningServer, pages: FixturePages,
                                 open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"))
    tab.page.evaluate("""() => {
        footfall(); footfall('no such command'); footfall('toString'); footfall('event'); footfall('event', '');
        footfall('event', 'No props', null); footfall('event', 42, 'not an object');
        footfall('event', 'Nested', {a: {b: 1}, n: null});
    }""")

    names = sorted((row["event_name"], row["props"]) for row in events(server, 4))
    assert names == [("42", {}), ("Nested", {"a": "[object Object]", "n": "null"}), ("No props", {}),
                     ("pageview", {})]
    assert tab.errors == []


def test_webdriver_without_opt_in_sends_nothing(server: RunningServer, pages: FixturePages,
                                                open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("webdriver.html"))
    assert tab.page.evaluate("navigator.webdriver") is True
    assert_nothing_sent(tab, server)


@pytest.mark.parametrize("signal", [GPC_ON, DNT_ON], ids=["global-privacy-control", "do-not-track"])
def test_respect_dnt_sends_nothing_when_asked_not_to(server: RunningServer, pages: FixturePages,
                                                     open_tab: Callable[..., Tab], signal: str) -> None:
    tab = open_tab(signal)
    tab.goto(pages("dnt.html"))
    assert_nothing_sent(tab, server)


def test_respect_dnt_still_counts_visitors_without_the_signal(server: RunningServer, pages: FixturePages,
                                                              open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("dnt.html"))
    assert [row["path"] for row in events(server, 1)] == ["/dnt.html"]


def test_cookieless_stores_no_visitor_id(server: RunningServer, pages: FixturePages,
                                         open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("cookieless.html"))
    tab.page.evaluate("footfall('event', 'Cookieless event')")

    assert sorted(row["event_name"] for row in events(server, 2)) == ["Cookieless event", "pageview"]
    assert tab.page.evaluate("localStorage.length") == 0
    assert len(tab.sent()) == 2 and all("v" not in payload for payload in tab.sent())
    assert tab.errors == []


def test_strict_csp_page_works_without_errors(server: RunningServer, pages: FixturePages,
                                              open_tab: Callable[..., Tab]) -> None:
    """script-src and connect-src allow the Footfall server only: t.js, the click chunk it loads
    and every request still work, and nothing is reported to the console."""
    tab = open_tab()
    tab.goto(pages("csp.html"))
    tab.clicks_ready()
    tab.page.evaluate("footfall('event', 'Under CSP', {ok: 'yes'})")
    tab.page.click("h1")
    tab.page.evaluate("history.pushState({}, '', '/csp/next')")
    tab.page.wait_for_timeout(200)
    tab.page.goto("about:blank")  # pagehide: the engagement report and the click batch go

    rows = events(server, 6)
    assert sorted((row["event_name"], row["path"]) for row in rows) == sorted([
        ("Under CSP", "/csp.html"), ("click", "/csp.html"), ("engagement", "/csp.html"),
        ("engagement", "/csp/next"), ("pageview", "/csp.html"), ("pageview", "/csp/next")])
    assert tab.errors == []


def test_excluded_paths_send_nothing(server: RunningServer, pages: FixturePages,
                                     open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("exclude.html"))  # data-exclude="/private/**, /drafts/*"
    for path in ["/private/a/b", "/drafts/one", "/drafts/one/two"]:
        tab.page.evaluate(f"history.pushState({{}}, '', '{path}'); footfall('event', 'On {path}')")
        tab.page.wait_for_timeout(200)

    # Each navigation also reports the engagement of the page left: only /exclude.html's is sent.
    rows = events(server, 4)
    assert sorted((row["event_name"], row["path"]) for row in rows) == [
        ("On /drafts/one/two", "/drafts/one/two"), ("engagement", "/exclude.html"),
        ("pageview", "/drafts/one/two"), ("pageview", "/exclude.html")]
    assert tab.errors == []


def test_hash_changes_are_page_views_with_data_hash(server: RunningServer, pages: FixturePages,
                                                    open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("hash.html"))
    events(server, 1)
    tab.page.evaluate("location.hash = '#/settings'")

    assert len(events(server, 2, PAGE_VIEW)) == 2
    assert tab.sent()[-1]["u"].endswith("/hash.html#/settings")
    assert [payload["n"] for payload in tab.sent()] == ["pageview", "engagement", "pageview"]
    assert tab.errors == []


def test_hash_changes_are_not_page_views_by_default(server: RunningServer, pages: FixturePages,
                                                    open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("basic.html"))
    events(server, 1)
    tab.page.evaluate("location.hash = '#section'")
    tab.page.wait_for_timeout(500)

    assert len(events(server, 1)) == 1
    assert [payload["u"] for payload in tab.sent()] == [pages("basic.html")]


def test_tracker_defines_no_global_but_footfall(server: RunningServer, pages: FixturePages,
                                                open_tab: Callable[..., Tab]) -> None:
    """t.js and the click chunk it loads together add one global."""
    tab = open_tab("Object.defineProperty(window, '__before', {value: Object.getOwnPropertyNames(window)})")
    tab.goto(pages("heatmap.html"))
    tab.clicks_ready()
    added = tab.page.evaluate(
        "Object.getOwnPropertyNames(window).filter(name => !__before.includes(name) && name != '__before')")
    assert added == ["footfall"]


def test_local_pages_send_nothing_without_allow_local(server: RunningServer, pages: FixturePages,
                                                      open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("local.html"))  # served from 127.0.0.1, no data-allow-local
    assert_nothing_sent(tab, server)


def test_surveys_option_is_read_and_exposed(server: RunningServer, pages: FixturePages,
                                            open_tab: Callable[..., Tab]) -> None:
    """data-surveys is read at start and exposed as footfall.surveys, which the survey checker and
    widget read before showing anything (test_survey_widget.py has the rest)."""
    tab = open_tab()
    tab.goto(pages("basic.html"))
    assert tab.page.evaluate("footfall.surveys") is True
    tab.page.evaluate("""() => new Promise((resolve) => {
        const script = document.createElement('script');
        script.src = document.querySelector('script[data-site]').src;
        script.dataset.surveys = 'off';
        script.onload = resolve;
        delete window.footfall;
        document.head.append(script);
    })""")
    assert tab.page.evaluate("footfall.surveys") is False


def test_unreachable_collector_breaks_nothing(server: RunningServer, pages: FixturePages,
                                             open_tab: Callable[..., Tab]) -> None:
    """Every kind of event, sent to a port where nothing listens: the page sees no error. (The
    browser itself logs each refused request; that is the network, not the page.)"""
    tab = open_tab()
    tab.goto(pages("unreachable.html"))
    tab.clicks_ready()  # the chunk comes from the Footfall server, which is reachable
    tab.page.click("#button")
    assert tab.page.evaluate("footfall('event', 'Lost', {a: 1}) === undefined")
    tab.page.evaluate("history.pushState({}, '', '/elsewhere')")
    tab.page.wait_for_timeout(200)
    tab.page.goto(pages("basic.html"))  # pagehide: engagement and the click batch

    # What Playwright saw go out (it does not report the beacon sent while the page unloads,
    # which is when the click batch goes).
    sent = [(event["n"], event["u"].split("/", 3)[3]) for event in sent_events(tab)]
    assert sent[:4] == [("pageview", "unreachable.html"), ("Lost", "unreachable.html"),
                        ("engagement", "unreachable.html"), ("pageview", "elsewhere")]
    assert [error for error in tab.errors if "ERR_CONNECTION_REFUSED" not in error] == []
    assert [row["path"] for row in events(server, 1)] == ["/basic.html"]  # the next page is counted


def test_demo_page_visit_reaches_the_store(server: RunningServer, open_tab: Callable[..., Tab]) -> None:
    """The foundation's "done when": a visit to /demo is in the store, seen through `footfall sql`."""
    tab = open_tab(HIDE_WEBDRIVER)  # the demo page does not opt in to automated browsers
    tab.goto(f"{server.url}/demo")

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        result = server.footfall("sql", "SELECT count() FROM events", "--format", "csv")
        assert result.returncode == 0, result.stderr
        if int(result.stdout.split()[-1]) >= 1:
            break
        time.sleep(0.2)
    assert int(result.stdout.split()[-1]) >= 1
    assert tab.errors == []


def test_demo_page_buttons(server: RunningServer, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(HIDE_WEBDRIVER)
    tab.goto(f"{server.url}/demo")
    events(server, 1)
    tab.page.click("#spa-nav")
    tab.page.click("#signup")

    first, *later = events(server, 4)  # and the first view's engagement report, sent by the SPA navigation
    [signup] = [row for row in later if row["event_name"] == "Signup"]
    [spa] = [row for row in later if row["event_name"] == "pageview"]
    assert (first["event_name"], first["path"], first["query"]) == ("pageview", "/demo", "")
    assert (signup["path"], signup["props"]) == ("/demo", {"plan": "demo"})
    assert spa["path"] == "/demo" and spa["query"].startswith("page=spa-")
    assert spa["title"] == "Footfall demo (SPA view)"
    assert tab.errors == []
