"""Devices: visitors and page views by desktop / mobile / tablet.

Definition: docs/metrics.md, "devices". Rollup: rollup_hourly dimension 'device'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "devices"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "device", "device", ("visitors", "pageviews"))
