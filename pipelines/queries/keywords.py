"""Search keywords: visits from search engines by the search term ('' when the engine hides it).

Definition: docs/metrics.md, "keywords". Rollup: rollup_hourly dimension 'keyword'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "keywords"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "keyword", "keyword", ("visitors", "visits"))
