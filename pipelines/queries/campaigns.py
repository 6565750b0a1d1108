"""UTM campaigns: visits by the utm_campaign of their landing URL (tagged visits only).

Definition: docs/metrics.md, "campaigns". Rollup: rollup_hourly dimension 'utm_campaign'.
"""

from __future__ import annotations

from pipelines.queries._breakdown import breakdown
from pipelines.queries._common import Report
from pipelines.query import Query
from pipelines.store.base import Store

NAME = "campaigns"


def run(store: Store, query: Query) -> Report:
    return breakdown(store, query, NAME, "utm_campaign", "campaign", ("visitors", "visits"))
