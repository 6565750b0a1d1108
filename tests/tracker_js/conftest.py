"""Fixtures for the tracker's browser tests: one headless Chromium per session, a fresh context
per test, and a tiny HTTP server for the fixture pages in `pages/`.

The fixture pages are served from their own origin (another loopback port), so the tracker
loads cross-origin from the `server` fixture's `/t.js` (which loads `/t-clicks.js` from there
after the page's load event) and posts cross-origin to its `/api/event`, as on a real site.
In a page (and in its headers) `{{SERVER}}` becomes the server's URL and `{{UNREACHABLE}}` a
loopback address where nothing listens. `/files/<name>` on the pages' server answers with a small download.

Playwright keeps every page it drives visible and focused (it turns on DevTools focus
emulation, which also holds the page "visible"). Tests of time on page need real visibility
changes, so `real_tab` drives a tab over the raw DevTools protocol in a browser context
Playwright does not manage: there, opening another tab in the same window really hides it
(`document.visibilityState` becomes "hidden", `visibilitychange` and `blur` fire), activating
it again shows it, and closing it fires `pagehide`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import CHROME_USER_AGENT, RunningServer, free_port

if TYPE_CHECKING:
    from tests.tracker_js.survey_pages import SurveySite, SurveyTab

PAGES = Path(__file__).parent / "pages"
# Chromium and its one browser per test session live in tests/conftest.py (`browser`).
# Response headers per fixture page.
STRICT_CSP = {"Content-Security-Policy": "default-src 'self'; script-src {{SERVER}}; connect-src {{SERVER}}"}
PAGE_HEADERS = {"csp.html": STRICT_CSP}
CHUNK = "/t-clicks.js"  # the heatmap click collector that t.js loads
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript"}
COLUMNS = (
    "event_type, event_name, hostname, path, query, title, referrer, screen_width, screen_height, language, "
    "timezone, toString(visitor_id) AS visitor, props, engagement_ms, scroll_depth, click_x, click_y, "
    "click_selector, click_offset_x, click_offset_y, viewport_width, document_height, rage_click"
)


def query(server: RunningServer, sql: str) -> list[dict[str, Any]]:
    """Rows of `sql` through the running server's SQL endpoint (what `footfall sql` uses)."""
    response = httpx.post(f"{server.url}/api/admin/sql", json={"sql": sql, "format": "json"},
                          headers={"Authorization": f"Bearer {server.admin_token()}"}, timeout=60)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


def events(server: RunningServer, count: int, where: str = "1", columns: str = COLUMNS,
           timeout: float = 15.0) -> list[dict[str, Any]]:
    """The stored events matching `where`, oldest first, once there are at least `count`
    (or when `timeout` runs out) — then once more after a pause, so extra events show too.
    Events reach the store about a second after the collector's 2xx."""
    sql = f"SELECT {columns} FROM events WHERE {where} ORDER BY timestamp"
    deadline = time.monotonic() + timeout
    while len(query(server, sql)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    return query(server, sql)


@dataclass
class Tab:
    """A page in a fresh browser context that records what went wrong and what was posted."""

    page: Any
    errors: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for

    def sent(self) -> list[dict[str, Any]]:
        """The payloads posted to /api/event so far. (The sync API delivers browser events only
        while it talks to the browser, so talk to it first.)"""
        self.page.wait_for_timeout(0)
        return [json.loads(post) for post in self.posts]

    def goto(self, url: str, **kwargs: Any) -> None:
        self.page.goto(url, **kwargs)
        self.page.wait_for_function("typeof window.footfall === 'function' && window.footfall.loaded")

    def clicks_ready(self) -> None:
        """Wait until t-clicks.js has started: it replaces t.js's `footfall._c` with 1."""
        # A function, not an expression: Playwright would eval() an expression, which CSP forbids.
        self.page.wait_for_function("() => window.footfall._c === 1", timeout=10_000)

    def chunk_requests(self) -> list[str]:
        self.page.wait_for_timeout(0)
        return [url for url in self.requests if url.split("?")[0].endswith(CHUNK)]


def sent_events(tab: Tab) -> list[dict[str, Any]]:
    """Every event posted so far, in order, with the batches (JSON arrays) unpacked."""
    return [event for payload in tab.sent() for event in (payload if isinstance(payload, list) else [payload])]


def console_error(tab: Tab, message: Any) -> None:
    # A browser's own favicon request is not the page's error (the demo page has no icon).
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        tab.errors.append(f"console: {message.text} ({message.location.get('url')})")


def record_request(tab: Tab, request: Any) -> None:
    tab.requests.append(request.url)
    if request.url.endswith("/api/event"):
        tab.posts.append(request.post_data or "")


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """open_tab(init_script=None) -> Tab; every console error and page error is kept in tab.errors."""
    contexts = []

    def open_one(init_script: str | None = None) -> Tab:
        # The collector drops "HeadlessChrome" as a bot; these tests are about the tracker.
        context = browser.new_context(user_agent=CHROME_USER_AGENT)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        tab = Tab(context.new_page())
        tab.page.on("console", lambda msg: console_error(tab, msg))
        tab.page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
        tab.page.on("request", lambda request: record_request(tab, request))
        return tab

    yield open_one
    for context in contexts:
        context.close()


@dataclass
class FixturePages:
    url: str
    requested: list[str] = field(default_factory=list)  # paths asked for, in order

    def __call__(self, name: str) -> str:
        return f"{self.url}/{name}"


def send_page(handler: BaseHTTPRequestHandler, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
    """Answer 200 with `body`, never cached, with extra `headers`."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serving(get: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A threaded HTTP server on a free loopback port whose GETs `get(handler)` answers; yields
    its URL. A favicon request gets an empty answer."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/favicon.ico":
                self.send_response(204)
                self.end_headers()
                return
            get(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def pages(server: RunningServer) -> Iterator[FixturePages]:
    """Serve tests/tracker_js/pages/ on another loopback port, pointed at `server`."""

    unreachable = f"http://127.0.0.1:{free_port()}"  # a free port: nothing listens there

    def render(text: str) -> str:
        return text.replace("{{SERVER}}", server.url).replace("{{UNREACHABLE}}", unreachable)

    served = FixturePages("")

    def get(handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0].lstrip("/")
        served.requested.append("/" + path)
        if path.startswith("files/"):  # a download: the page that links to it stays
            handler.send_response(200)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Disposition", "attachment")
            handler.send_header("Content-Length", "4")
            handler.end_headers()
            handler.wfile.write(b"%PDF")
            return
        file = PAGES / path
        if "/" in path or file.suffix not in CONTENT_TYPES or not file.is_file():
            handler.send_error(404)
            return
        headers = {name: render(value) for name, value in PAGE_HEADERS.get(path, {}).items()}
        send_page(handler, render(file.read_text()).encode(), CONTENT_TYPES[file.suffix], headers)

    with serving(get) as url:
        served.url = url
        yield served


class CdpTab:
    """A tab driven over the raw DevTools protocol, in a browser context of its own that
    Playwright does not manage, so nothing emulates focus or visibility for it. `hide()` opens
    (or activates) a second tab in the same window, which really hides this one; `show()`
    activates this one again; `close()` closes it (`pagehide`). The protocol session to the tab
    is not "flattened", so its messages travel through the browser session."""

    def __init__(self, browser: Any, user_agent: str = CHROME_USER_AGENT) -> None:
        self.cdp = browser.new_browser_cdp_session()
        self._ids = itertools.count(1)
        self._replies: dict[int, dict[str, Any]] = {}
        self.cdp.on("Target.receivedMessageFromTarget", self._received)
        self.context = self.cdp.send("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        self.target = self._new_tab(new_window=True)
        self.session = self.cdp.send("Target.attachToTarget", {"targetId": self.target, "flatten": False})["sessionId"]
        self.other: str | None = None
        # The collector drops "HeadlessChrome" as a bot (as with open_tab).
        self.call("Emulation.setUserAgentOverride", {"userAgent": user_agent})

    def _new_tab(self, new_window: bool) -> str:
        params = {"url": "about:blank", "browserContextId": self.context, "newWindow": new_window}
        return str(self.cdp.send("Target.createTarget", params)["targetId"])

    def _received(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._replies[message["id"]] = message

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """Send a command to the tab and wait for its reply. (The sync API delivers the reply
        event only while it talks to the browser, hence the cheap Browser.getVersion calls.)"""
        message_id = next(self._ids)
        message = json.dumps({"id": message_id, "method": method, "params": params or {}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": self.session, "message": message})
        deadline = time.monotonic() + timeout
        while message_id not in self._replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply to {method} within {timeout} s")
            self.cdp.send("Browser.getVersion")
        reply = self._replies.pop(message_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply["result"]
        return result

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str, timeout: float = 10.0) -> float:
        """Navigate and wait until the tracker has started. Returns when it started, on the
        time.monotonic() clock: a deferred script runs just before DOMContentLoaded, and the
        page's own clock says how long ago that was (polling over the protocol lags)."""
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        started = """typeof window.footfall === 'function' && window.footfall.loaded &&
            performance.now() - performance.getEntriesByType('navigation')[0].domContentLoadedEventStart"""
        while not (age_ms := self.evaluate(started)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the tracker did not start on {url}")
            time.sleep(0.02)
        return time.monotonic() - float(age_ms) / 1000

    def state(self) -> tuple[str, bool]:
        visibility, focused = self.evaluate("[document.visibilityState, document.hasFocus()]")
        return visibility, focused

    def hide(self) -> None:
        if self.other is None:
            self.other = self._new_tab(new_window=False)
        else:
            self.cdp.send("Target.activateTarget", {"targetId": self.other})

    def show(self) -> None:
        self.cdp.send("Target.activateTarget", {"targetId": self.target})

    def close(self) -> None:
        self.cdp.send("Target.closeTarget", {"targetId": self.target})

    def dispose(self) -> None:
        self.cdp.send("Target.disposeBrowserContext", {"browserContextId": self.context})
        self.cdp.detach()


@pytest.fixture
def real_tab(browser: Any) -> Iterator[Callable[[], CdpTab]]:
    """real_tab() -> CdpTab: a tab whose visibility and focus are real (see CdpTab)."""
    tabs: list[CdpTab] = []

    def open_one() -> CdpTab:
        tab = CdpTab(browser)
        tabs.append(tab)
        return tab

    yield open_one
    for tab in tabs:
        try:
            tab.dispose()
        except Exception:  # the browser may already have dropped a closed context
            pass


# The survey widget's tests (test_survey_widget.py). Their code is in survey_pages.py, imported
# here when used: it builds on this file.


@pytest.fixture(scope="module")
def survey_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SurveySite]:
    """A `footfall serve` with one survey per page path (survey_pages.SURVEYS) on the demo site,
    made with the CLI before it started, and a page server for `pages/survey.html` at /survey/…"""
    from tests.tracker_js.survey_pages import serve_survey_site

    yield from serve_survey_site(tmp_path_factory)


@pytest.fixture
def survey_tab(browser: Any) -> Iterator[Callable[..., SurveyTab]]:
    """survey_tab(locale='en-US', width=1280, height=800, init_script=None) -> SurveyTab, in a
    fresh context (a new visitor); console errors and page errors are kept in tab.errors."""
    from tests.tracker_js.survey_pages import open_survey_tabs

    yield from open_survey_tabs(browser)
