"""Browsers: visitors and page views by browser family.

Definition: docs/metrics.md, "browsers". Rollup: rollup_hourly dimension 'browser'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "browsers"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "browser", "browser", ("visitors", "pageviews"))
