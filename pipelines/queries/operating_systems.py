"""Operating systems: visitors and page views by OS family.

Definition: docs/metrics.md, "operating_systems". Rollup: rollup_hourly dimension 'os'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "operating_systems"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "os", "os", ("visitors", "pageviews"))
