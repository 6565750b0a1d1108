"""Fixtures for the tracker's browser tests: one headless Chromium per session, a fresh context
per test, and a tiny HTTP server for the fixture pages in `pages/`.

The fixture pages are served from their own origin (another loopback port), so the tracker
loads cross-origin from the `server` fixture's `/t.js` and posts cross-origin to its
`/api/event`, as on a real site. `{{SERVER}}` in a page (and in its headers) becomes the
server's URL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningServer

PAGES = Path(__file__).parent / "pages"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROME_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
# Response headers per fixture page.
PAGE_HEADERS = {
    "csp.html": {
        "Content-Security-Policy": "default-src 'self'; script-src {{SERVER}}; connect-src {{SERVER}}",
    },
}
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium. Its contexts announce a desktop Chrome User-Agent (see `open_tab`)."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (`make test-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page in a fresh browser context that records what went wrong and what was posted."""

    page: Any
    errors: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)

    def sent(self) -> list[dict[str, Any]]:
        """The payloads posted to /api/event so far. (The sync API delivers browser events only
        while it talks to the browser, so talk to it first.)"""
        self.page.wait_for_timeout(0)
        return [json.loads(post) for post in self.posts]

    def goto(self, url: str, **kwargs: Any) -> None:
        self.page.goto(url, **kwargs)
        self.page.wait_for_function("typeof window.footfall === 'function' && window.footfall.loaded")


def console_error(tab: Tab, message: Any) -> None:
    # A browser's own favicon request is not the page's error (the demo page has no icon).
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        tab.errors.append(f"console: {message.text} ({message.location.get('url')})")


def record_post(tab: Tab, request: Any) -> None:
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
        tab.page.on("request", lambda request: record_post(tab, request))
        return tab

    yield open_one
    for context in contexts:
        context.close()


@dataclass
class FixturePages:
    url: str

    def __call__(self, name: str) -> str:
        return f"{self.url}/{name}"


@pytest.fixture
def pages(server: RunningServer) -> Iterator[FixturePages]:
    """Serve tests/tracker_js/pages/ on another loopback port, pointed at `server`."""

    def render(text: str) -> str:
        return text.replace("{{SERVER}}", server.url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].lstrip("/")
            if path == "favicon.ico":
                self.send_response(204)
                self.end_headers()
                return
            file = PAGES / path
            if "/" in path or file.suffix not in CONTENT_TYPES or not file.is_file():
                self.send_error(404)
                return
            body = render(file.read_text()).encode()
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES[file.suffix])
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in PAGE_HEADERS.get(path, {}).items():
                self.send_header(name, render(value))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield FixturePages(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.shutdown()
    httpd.server_close()
    thread.join()
