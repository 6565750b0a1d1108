"""Search engines: visits that landed from a search engine, by engine.

Definition: docs/metrics.md, "search_engines". Rollup: rollup_hourly dimension 'search_engine'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "search_engines"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "search_engine", "search_engine", ("visitors", "visits"))
