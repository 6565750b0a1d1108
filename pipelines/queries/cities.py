"""Cities: visitors and page views by city of the IP address.

Definition: docs/metrics.md, "cities". Rollup: rollup_hourly dimension 'city'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "cities"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "city", "city", ("visitors", "pageviews"))
