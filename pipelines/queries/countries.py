"""Countries (ISO codes; '' when unknown): visitors and page views.

Definition: docs/metrics.md, "countries". Rollup: rollup_hourly dimension 'country'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "countries"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "country", "country", ("visitors", "pageviews"))
