"""Screen sizes ('1920x1080'): visitors and page views.

Definition: docs/metrics.md, "screens". Rollup: rollup_hourly dimension 'screen'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "screens"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "screen", "screen", ("visitors", "pageviews"))
