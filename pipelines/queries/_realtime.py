"""The window the realtime panels look at: the last minutes before now, with the query's filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pipelines.query import Query

REALTIME_MINUTES = 30
NOW_MINUTES = 5


def window(query: Query, now: datetime | None, minutes: int = REALTIME_MINUTES) -> Query:
    """The query narrowed to [now − minutes, now) (raw events, never sampled, no comparison)."""
    end = (now or datetime.now(UTC)).astimezone(UTC)
    return replace(query, date_from=end - timedelta(minutes=minutes), date_to=end, comparison=None,
                   source="raw", sampling=False)
