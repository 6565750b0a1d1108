"""What the heatmap panels share: they need a page, and read that page's raw events."""

from __future__ import annotations

from pipelines.filters import Conditions, FilterError
from pipelines.query import Query
from pipelines.rollups import Plan, events_where, plan_raw
from pipelines.store.base import Store

# Click-density grid: 20 columns of 5 % of the document width, rows of 50 CSS pixels.
GRID_COLUMNS = 20
GRID_ROW_PX = 50
SCROLL_STEP = 5


def page_events(store: Store, query: Query, event_type: str) -> tuple[Plan, Conditions]:
    """Plan and WHERE for one page's events of `event_type` (filter `device_class` optional)."""
    if "page" not in query.filters:
        raise FilterError("heatmaps need a page filter")
    plan = plan_raw(store, query)
    where = events_where(query, plan)
    where.sql.append("event_type = {event_type:String}")
    where.params["event_type"] = event_type
    return plan, where
