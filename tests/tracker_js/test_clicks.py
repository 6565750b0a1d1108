"""Clicks for heatmaps, in headless Chromium, asserted on what reaches the store. The pages load
plain `t.js` with its default options; it loads the click collector, `t-clicks.js`, by itself
after the page's load event. The stored selector finds the clicked element again — at another
screen width too — and the stored offsets put the click back where it was; clicks go in
batches; rage clicks are flagged; a second copy of the chunk changes nothing, and the chunk
alone does nothing; with data-heatmap="off" the chunk is never requested and no click is
stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import RunningServer
from tests.tracker_js.conftest import FixturePages, Tab, events, query, sent_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLICK = "event_type = 'click'"
# Where in each target's box the test clicks: (target, fraction of width, fraction of height).
TARGETS = [
    ('[data-name="signup"]', 0.25, 0.75),
    ('[data-name="two"]', 0.8, 0.3),
    ('[data-name="second-buy"]', 0.5, 0.5),
    ('[data-name="amount"]', 0.1, 0.6),
]


def click_at(tab: Tab, target: str, fx: float, fy: float) -> tuple[float, float]:
    """Click `target` at (fx, fy) of its box; the click's page coordinates."""
    box = tab.page.locator(target).bounding_box()
    assert box is not None
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    tab.page.mouse.click(x, y)
    scroll_x, scroll_y = tab.page.evaluate("[scrollX, scrollY]")
    return x + scroll_x, y + scroll_y


def relocate(tab: Tab, click: dict[str, Any]) -> dict[str, Any]:
    """What a heatmap does with a stored click: find the element by its selector, bring it into
    view, and put the point at the stored offsets inside its box. Returns the element's test
    name, how many elements the selector matches, and which element is at that point."""
    found: dict[str, Any] = tab.page.evaluate("""([selector, ox, oy]) => {
        const all = document.querySelectorAll(selector), el = all[0];
        el.scrollIntoView({block: 'center'});
        const box = el.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + ox * box.width, box.top + oy * box.height);
        return {name: el.dataset.name, matches: all.length, hit: hit && hit.dataset.name};
    }""", [click["click_selector"], click["click_offset_x"], click["click_offset_y"]])
    return found


def test_click_selector_and_offsets_find_the_element_again(server: RunningServer, pages: FixturePages,
                                                           open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("heatmap.html"))
    tab.clicks_ready()
    # The chunk again, as a classic script under another URL: it must not count every click twice.
    [chunk] = tab.chunk_requests()
    tab.page.add_script_tag(url=chunk + "?again")
    tab.page.focus("#signup")
    tab.page.keyboard.press("Enter")  # a keyboard "click" has no position: not a heatmap click
    points = []
    for target, fx, fy in TARGETS:
        if target == '[data-name="amount"]':
            tab.page.evaluate("scrollTo(0, 300)")  # page coordinates, not the viewport's
        points.append(click_at(tab, target, fx, fy))

    rows = events(server, len(TARGETS), CLICK, timeout=20)  # the batch goes 5 s after its first click
    assert len(rows) == len(TARGETS)
    width, height = tab.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    for row, (target, fx, fy), (x, y) in zip(rows, TARGETS, points, strict=True):
        name = target.split('"')[1]
        assert row["event_name"] == "click" and row["path"] == "/heatmap.html"
        assert len(row["click_selector"]) <= 200
        assert (row["click_offset_x"], row["click_offset_y"]) == (pytest.approx(fx, abs=0.02),
                                                                  pytest.approx(fy, abs=0.02))
        assert row["click_x"] == pytest.approx(x / width, abs=0.002)
        assert row["click_y"] == pytest.approx(y, abs=1)
        assert (row["viewport_width"], row["document_height"], row["rage_click"]) == (1280, height, False)
        assert relocate(tab, row) == {"name": name, "matches": 1, "hit": name}, row
    selectors = [row["click_selector"] for row in rows]
    assert selectors[0] == '[id="signup"]'  # a stable id
    assert "8f3a2b91" not in selectors[1]  # a generated-looking id is not used
    assert selectors[2].count("nth-of-type") >= 1  # its data-testid is shared by two rows
    assert selectors[3].startswith('[data-testid="price"]')

    # The same selectors and offsets on a narrow screen, where every box has moved and resized.
    tab.page.set_viewport_size({"width": 500, "height": 800})
    for row, (target, _, _) in zip(rows, TARGETS, strict=True):
        name = target.split('"')[1]
        assert relocate(tab, row) == {"name": name, "matches": 1, "hit": name}, row

    # One request for the whole batch: a JSON array.
    batches = [json.loads(post) for post in tab.posts if post.startswith("[")]
    assert [[event["n"] for event in batch] for batch in batches] == [["click"] * len(TARGETS)]
    assert tab.errors == []


def test_rage_clicks_are_flagged(server: RunningServer, pages: FixturePages,
                                 open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("heatmap.html"))
    tab.clicks_ready()
    for dx in (0, 8, 16):  # three within 1 s and 30 px: a rage click
        tab.page.mouse.click(100 + dx, 100)
    tab.page.wait_for_timeout(1100)
    tab.page.mouse.click(400, 300)  # then two, 1.2 s apart: not one
    tab.page.wait_for_timeout(1200)
    tab.page.mouse.click(405, 300)
    tab.page.goto("about:blank")  # pagehide sends the batch at once

    rows = events(server, 5, CLICK)
    assert [row["rage_click"] for row in rows] == [True, True, True, False, False]
    assert tab.errors == []


def test_no_clicks_and_no_chunk_with_heatmap_off(server: RunningServer, pages: FixturePages,
                                                 open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto(pages("heatmap-off.html"))  # goto waits for the load event: the chunk would be asked for
    tab.page.click("#signup")
    tab.page.mouse.click(400, 300)
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate("'_c' in footfall") is False
    tab.page.goto("about:blank")

    rows = events(server, 2)
    assert sorted((row["event_type"], row["path"]) for row in rows) == [
        ("engagement", "/heatmap-off.html"), ("pageview", "/heatmap-off.html")]
    assert [event for event in sent_events(tab) if event["n"] == "click"] == []
    assert tab.chunk_requests() == []
    assert tab.errors == []


def test_chunk_without_t_js_does_nothing(server: RunningServer, pages: FixturePages,
                                         open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.page.goto(pages("clicks-alone.html"))  # t-clicks.js twice, without t.js
    assert len(tab.chunk_requests()) == 2
    tab.page.click("#button")
    tab.page.mouse.click(400, 300)
    tab.page.goto("about:blank")  # pagehide: a batch, if there were one, would go now
    tab.page.wait_for_timeout(1500)

    assert tab.sent() == []
    assert int(query(server, "SELECT count() AS n FROM events")[0]["n"]) == 0
    assert tab.errors == []
