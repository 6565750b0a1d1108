"""Entry pages: visits that began on each path (their landing page view).

Definition: docs/metrics.md, "entry_pages". Rollup: rollup_hourly dimension 'entry_page'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "entry_pages"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "entry_page", "page", ("visitors", "visits"))
