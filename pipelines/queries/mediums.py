"""Mediums: visits by the medium of their landing page view (search, social, email, direct, …).

Definition: docs/metrics.md, "mediums". Rollup: rollup_hourly dimension 'medium'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "mediums"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "medium", "medium", ("visitors", "visits"))
