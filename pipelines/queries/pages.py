"""Top pages: visitors, page views and average visible time per page view, by path.

Definition: docs/metrics.md, "pages". Rollup: rollup_hourly dimension 'page'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "pages"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "page", "page", ("visitors", "pageviews", "time_on_page"))
