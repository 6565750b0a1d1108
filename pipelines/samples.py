"""Samples of stored traffic, for tools that build on it (demo survey answers, benchmarks)."""

from __future__ import annotations

from typing import Any

from pipelines.store.base import Store


def sample_pageviews(store: Store, site_id: str, about: int, seed: int = 0) -> list[dict[str, Any]]:
    """About `about` page views of a site, picked by a hash of their ids (the same seed picks the
    same ones), oldest first: when, who, which visit, page, device, country and language."""
    total = int(store.scalar("SELECT count() FROM events WHERE site_id = {site:String} AND event_type = 'pageview'",
                             {"site": site_id}) or 0)
    if total == 0 or about <= 0:
        return []
    every = max(1, total // about)
    return store.query(
        "SELECT timestamp, visitor_id, session_id, path, device, country, language FROM events "
        "WHERE site_id = {site:String} AND event_type = 'pageview' "
        "AND cityHash64(event_id, {seed:UInt64}) % {every:UInt64} = 0 ORDER BY timestamp LIMIT {limit:UInt64}",
        {"site": site_id, "seed": seed, "every": every, "limit": about * 2},
    )
