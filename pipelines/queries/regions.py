"""Regions: visitors and page views by region of the IP address.

Definition: docs/metrics.md, "regions". Rollup: rollup_hourly dimension 'region'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "regions"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "region", "region", ("visitors", "pageviews"))
