"""Every panel gives the same rows from the rollups as from raw events, on the same data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from footfall.demo_data import generate_demo_events
from pipelines.queries import PANELS
from pipelines.query import Query
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import SITE, make_query

# Realtime panels and heatmaps read raw events only.
ROLLUP_PANELS = [p for p in PANELS.values() if not p.needs_page and not p.name.startswith(("realtime", "latest"))]

SCENARIOS: dict[str, dict[str, Any]] = {
    "berlin": {},
    "utc-whole-days": {"timezone": "UTC"},
    "by-hour": {"interval": "hour"},
    "month-by-week": {"date_from": date(2025, 6, 1), "date_to": date(2025, 6, 30), "interval": "week"},
    "country": {"filters": {"country": "DE"}},
    "source": {"filters": {"source": "Google"}},
    "page": {"filters": {"page": "/pricing"}},
    "page-and-country": {"filters": {"page": "/", "country": "US"}},
    "returning": {"filters": {"visitor_type": "returning"}},
    "comparison": {"comparison": "previous"},
    "new-york": {"timezone": "America/New_York", "comparison": "year"},
}


def _query(scenario: dict[str, Any]) -> Query:
    options = dict(scenario)
    return make_query(options.pop("date_from", date(2025, 6, 10)), options.pop("date_to", date(2025, 6, 11)),
                      **options)


def _mismatches(store: Store, query: Query, expect_rollups: bool) -> list[str]:
    problems = []
    for panel in ROLLUP_PANELS:
        auto = panel.run(store, query)
        raw = panel.run(store, replace(query, source="raw"))
        assert raw.sources == ("events",), panel.name
        if auto.rows != raw.rows:
            problems.append(f"{panel.name}: rollups {auto.rows} != raw {raw.rows}")
        if expect_rollups and "events" in auto.sources:
            problems.append(f"{panel.name} read raw events ({auto.sources}) where rollups serve")
    return problems


@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_hand_built_site(site: Store, scenario: str) -> None:
    assert _mismatches(site, _query(SCENARIOS[scenario]), expect_rollups=scenario == "berlin") == []


@pytest.fixture
def demo(store: Store) -> Store:
    generate_demo_events(store, SITE, 40_000, 14, seed=7, end=datetime(2025, 6, 15, tzinfo=UTC), batch_size=9_000)
    return store


def test_demo_traffic(demo: Store) -> None:
    """Thousands of visitors per value: the uniq states are past their exact small-set mode."""
    query = Query(SITE, date(2025, 6, 2), date(2025, 6, 14), "Europe/Berlin", comparison="previous")
    assert _mismatches(demo, query, expect_rollups=True) == []
