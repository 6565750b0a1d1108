"""Referrer sources: visits by the source of their landing page view (Google, Facebook, newsletter, …).

Definition: docs/metrics.md, "sources". Rollup: rollup_hourly dimension 'source'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "sources"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "source", "source", ("visitors", "visits"))
