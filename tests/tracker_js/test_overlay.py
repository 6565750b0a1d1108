"""The live-page heatmap overlay end to end: clicks stored through /api/event, a token signed the
way the dashboard signs it (dashboard/overlay.py), the page opened with #ff-overlay=<token> in
Chromium; the survey checker loads overlay.js, which asks the real GET /api/overlay and draws.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from dashboard.overlay import make_token, new_claims
from tests.conftest import CHROME_USER_AGENT, RunningServer, start_server
from tests.tracker_js.conftest import PAGES, Tab, query, send_page, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "overlay-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PAGE = "/overlay/page"
BUY, LINK, PARAGRAPH = '[id="buy"]', "nav:nth-of-type(1)>a:nth-of-type(2)", "main>p:nth-of-type(2)"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
# selector -> (clicks, of which rage clicks)
CLICKS = {BUY: (6, 3), LINK: (3, 0), PARAGRAPH: (1, 0), '[id="gone"]': (2, 0), HOSTILE: (1, 0)}
TOTAL = sum(clicks for clicks, _ in CLICKS.values())


@pytest.fixture(scope="module")
def overlay_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    """A server with the clicks above on PAGE (desktop), and a page server for pages/overlay.html."""
    server = start_server(tmp_path_factory.mktemp("overlay"), FOOTFALL_SECRET_KEY=SECRET,
                          FOOTFALL_FLUSH_INTERVAL_MS="100")
    template = (PAGES / "overlay.html").read_text().replace("{{SERVER}}", server.url)

    def get(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.split("?")[0] != PAGE:
            handler.send_error(404)
            return
        send_page(handler, template.encode(), "text/html; charset=utf-8")

    try:
        with serving(get) as pages_url:
            events = [{"n": "click", "s": "localhost", "u": pages_url + PAGE, "cs": selector, "ox": 0.5, "oy": 0.5,
                       "cx": 0.5, "cy": 100, "vw": 1280, "dh": 2000, "w": 1280, "h": 800,
                       **({"rc": True} if i < rage else {})}
                      for selector, (clicks, rage) in CLICKS.items() for i in range(clicks)]
            answer = httpx.post(f"{server.url}/api/event", content=json.dumps(events),
                                headers={"content-type": "text/plain", "user-agent": CHROME_USER_AGENT}, timeout=30)
            assert answer.status_code == 202 and answer.json()["accepted"] == TOTAL, answer.text
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and int(query(server, "SELECT count() AS n FROM events")[0]["n"]) < TOTAL:
                time.sleep(0.1)
            yield server, pages_url
    finally:
        server.stop()


def token(now: float | None = None, page: str = PAGE) -> str:
    today = datetime.now(UTC).date()
    claims = new_claims("localhost", page, "desktop", today - timedelta(days=1), today + timedelta(days=1), now)
    return make_token(SECRET, claims)


def overlay_state(tab: Tab) -> dict[str, Any]:
    return dict(tab.page.evaluate("""() => {
        const root = document.querySelector('footfall-overlay').shadowRoot;
        const boxes = [...root.querySelectorAll('.b')].map((box) => {
            const r = box.getBoundingClientRect();
            return {badge: box.textContent, rage: box.classList.contains('r'),
                    rect: [r.left, r.top, r.width, r.height].map(Math.round)};
        });
        return {bar: root.querySelector('.p').textContent, boxes};
    }"""))


def rect(tab: Tab, selector: str) -> list[int]:
    return list(tab.page.evaluate("""(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return [r.left, r.top, r.width, r.height].map(Math.round) }""", selector))


def test_the_overlay_draws_each_elements_share_over_the_live_page(
        overlay_site: tuple[RunningServer, str], open_tab: Callable[..., Tab]) -> None:
    server, pages_url = overlay_site
    tab = open_tab()
    tab.goto(f"{pages_url}{PAGE}#ff-overlay={token()}")
    tab.page.wait_for_function(
        "() => document.querySelector('footfall-overlay')?.shadowRoot?.querySelector('.p')"
        "?.textContent.includes('Esc')")
    state = overlay_state(tab)
    assert state["bar"] == (f"Footfall heatmap · {PAGE} · desktop · 3 elements (2 not found on this page) · Esc hides")
    boxes = {box["badge"]: box for box in state["boxes"]}
    assert set(boxes) == {f"6 · {600 / TOTAL:.1f} % · rage 3", f"3 · {300 / TOTAL:.1f} %", f"1 · {100 / TOTAL:.1f} %"}
    assert boxes[f"6 · {600 / TOTAL:.1f} % · rage 3"]["rage"] and not boxes[f"3 · {300 / TOTAL:.1f} %"]["rage"]
    assert boxes[f"6 · {600 / TOTAL:.1f} % · rage 3"]["rect"] == rect(tab, BUY)
    assert boxes[f"3 · {300 / TOTAL:.1f} %"]["rect"] == rect(tab, LINK)
    assert boxes[f"1 · {100 / TOTAL:.1f} %"]["rect"] == rect(tab, PARAGRAPH)
    assert tab.page.evaluate("window.__pwned") is None  # a selector is text, never HTML

    # The boxes follow their elements; the page stays usable under the overlay.
    tab.page.evaluate("scrollTo(0, 120)")
    tab.page.wait_for_timeout(200)
    moved = {box["badge"]: box["rect"] for box in overlay_state(tab)["boxes"]}
    assert moved[f"6 · {600 / TOTAL:.1f} % · rage 3"] == rect(tab, BUY)
    tab.page.evaluate("scrollTo(0, 0)")
    tab.page.click(BUY)  # not intercepted by the overlay
    # Escape hides it and shows it again.
    display = "() => getComputedStyle(document.querySelector('footfall-overlay')).display"
    tab.page.keyboard.press("Escape")
    assert tab.page.evaluate(display) == "none"
    tab.page.keyboard.press("Escape")
    assert tab.page.evaluate(display) == "block"
    # An overlay session asks for no surveys.
    assert [url for url in tab.requests if "/api/surveys" in url] == []
    assert tab.errors == []


@pytest.mark.parametrize(("make", "message"), [
    (lambda: token(now=time.time() - 3600), "token expired: open the overlay again from the dashboard"),
    # A forged token's 403 carries no CORS header: to the page, a network error.
    (lambda: token()[:-3] + "abc", "the clicks could not be loaded; open the overlay again from the dashboard."),
])
def test_a_bad_token_says_why(overlay_site: tuple[RunningServer, str], open_tab: Callable[..., Tab],
                              make: Callable[[], str], message: str) -> None:
    _, pages_url = overlay_site
    tab = open_tab()
    tab.goto(f"{pages_url}{PAGE}#ff-overlay={make()}")
    bar = "() => document.querySelector('footfall-overlay')?.shadowRoot?.querySelector('.p')?.textContent"
    # Until the overlay has drawn its bar there is no text: keep waiting rather than throw.
    tab.page.wait_for_function(f"() => !(({bar})() ?? 'loading').includes('loading')")
    assert overlay_state(tab) == {"bar": f"Footfall heatmap: {message}", "boxes": []}
    # The browser itself logs the 401, and the 403 that lacks a CORS header; the page sees no error.
    assert [e for e in tab.errors if not any(net in e for net in ("status of 401", "CORS", "ERR_FAILED"))] == []


def test_without_the_fragment_there_is_no_overlay(overlay_site: tuple[RunningServer, str],
                                                  open_tab: Callable[..., Tab]) -> None:
    _, pages_url = overlay_site
    tab = open_tab()
    tab.goto(f"{pages_url}{PAGE}")
    tab.page.wait_for_function("() => window.footfall._s === 1")  # the checker ran
    tab.page.wait_for_timeout(300)
    assert [url for url in tab.requests if url.endswith("/overlay.js")] == []
    assert tab.page.evaluate("!!document.querySelector('footfall-overlay')") is False


def test_the_overlay_is_served_as_one_iife(overlay_site: tuple[RunningServer, str]) -> None:
    """Built as an ES module (for import.meta.url), yet one IIFE: no name at all outside it."""
    server, _ = overlay_site
    code = httpx.get(f"{server.url}/overlay.js").text
    assert code.startswith("(()=>{") and code.rstrip().endswith("})();")
