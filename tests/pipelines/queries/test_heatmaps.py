"""Heatmaps: grid bucketing, device classes, selectors, rage clicks and scroll reach."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipelines.filters import FilterError
from pipelines.queries import heatmap_grid, heatmap_selectors, rage_clicks, scroll_reach
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import eng, event, insert, make_query

DAY = date(2025, 6, 10)


def click(x: float, y: int, viewport: int, selector: str = "a.cta", visitor: int = 1, rage: bool = False,
          offset: tuple[float, float] = (0.5, 0.5)) -> dict[str, Any]:
    return event("06-10 10:00", "click", visitor, visitor * 10, "/pricing", click_x=x, click_y=y,
                 viewport_width=viewport, click_selector=selector, rage_click=rage, document_height=3000,
                 click_offset_x=offset[0], click_offset_y=offset[1])


@pytest.fixture
def clicks(store: Store) -> Store:
    insert(store, [
        # Columns are 5 % of the width: 0.049 is still column 0, 1.0 stays in the last column.
        click(0.0, 0, 1280), click(0.049, 49, 1280), click(0.05, 50, 1280), click(0.999, 130, 1280),
        click(1.0, 130, 1024),
        # Device classes: mobile < 768 ≤ tablet < 1024 ≤ desktop.
        click(0.5, 10, 767, "nav a", visitor=2), click(0.5, 10, 500, "nav a", visitor=3),
        click(0.5, 10, 768, "nav a", visitor=4), click(0.5, 10, 1023, "nav a", visitor=4),
        # Rage: three flagged clicks on one button.
        *[click(0.3, 400, 1280, "button.buy", visitor=5, rage=True, offset=(0.2, 0.6)) for _ in range(3)],
        # Another page's click never shows.
        event("06-10 10:00", "click", 1, 10, "/", click_x=0.5, click_y=5, viewport_width=1280),
    ])
    return store


def test_grid_cells(clicks: Store) -> None:
    rows = heatmap_grid.run(clicks, make_query(DAY, DAY, filters={"page": "/pricing",
                                                                  "device_class": "desktop"})).rows
    cells = {(row["column"], row["row"]): row["clicks"] for row in rows}
    assert cells == {(0, 0): 2, (1, 1): 1, (19, 2): 2, (6, 8): 3}
    assert {row["x_from"] for row in rows if row["column"] == 19} == {0.95}
    assert {row["y_from_px"] for row in rows if row["row"] == 8} == {400}


def test_device_classes(clicks: Store) -> None:
    def total(device_class: str) -> int:
        rows = heatmap_grid.run(clicks, make_query(DAY, DAY, filters={"page": "/pricing",
                                                                      "device_class": device_class})).rows
        return sum(row["clicks"] for row in rows)

    assert (total("mobile"), total("tablet"), total("desktop")) == (2, 2, 8)


def test_selectors_with_offsets_and_rage(clicks: Store) -> None:
    rows = heatmap_selectors.run(clicks, make_query(DAY, DAY, filters={"page": "/pricing"})).rows
    assert rows[0] == {"selector": "a.cta", "clicks": 5, "visitors": 1, "rage_clicks": 0, "offset_x": 0.5,
                       "offset_y": 0.5}
    assert rows[1]["selector"] == "nav a" and (rows[1]["clicks"], rows[1]["visitors"]) == (4, 3)
    assert rows[2] == {"selector": "button.buy", "clicks": 3, "visitors": 1, "rage_clicks": 3, "offset_x": 0.2,
                       "offset_y": 0.6}
    rage = rage_clicks.run(clicks, make_query(DAY, DAY, filters={"page": "/pricing"})).rows
    assert rage == [{"selector": "button.buy", "rage_clicks": 3, "visitors": 1, "column": 6, "row": 8}]


def test_scroll_reach(store: Store) -> None:
    insert(store, [
        eng("06-10 10:00", 1, 10, "/docs", 1000, 30), eng("06-10 10:01", 1, 10, "/docs", 1000, 55),
        eng("06-10 11:00", 2, 20, "/docs", 1000, 100),
        eng("06-10 12:00", 3, 30, "/docs", 1000, 0),
        eng("06-10 12:00", 4, 40, "/", 1000, 100),
    ])
    rows = scroll_reach.run(store, make_query(DAY, DAY, filters={"page": "/docs"})).rows
    shares = {row["depth"]: (row["page_views"], row["share"]) for row in rows}
    assert len(rows) == 20
    assert shares[5] == (2, round(2 / 3, 4))
    assert shares[55] == (2, round(2 / 3, 4))
    assert shares[60] == (1, round(1 / 3, 4))
    assert shares[100] == (1, round(1 / 3, 4))


def test_heatmaps_need_a_page(clicks: Store) -> None:
    with pytest.raises(FilterError, match="page"):
        heatmap_grid.run(clicks, make_query(DAY, DAY))
    with pytest.raises(FilterError, match="device_class"):
        heatmap_grid.run(clicks, make_query(DAY, DAY, filters={"page": "/", "device_class": "watch"}))
