"""Weekly cohorts of new visitors on the hand-built site (conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.queries import retention
from pipelines.store.base import Store
from tests.pipelines.queries.conftest import make_query


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_weekly_cohorts(site: Store, source: str) -> None:
    report = retention.run(site, make_query(date(2025, 6, 2), date(2025, 6, 22), source=source))
    rows = [(r["cohort"], r["week"], r["visitors"], r["cohort_size"], r["share"]) for r in report.rows]
    # Week of June 2 (local): visitors 8 (first event June 5) and 9 (June 8); 8 is back on June 11.
    # Week of June 9: visitors 2, 3, 4, 5, 6 (23:50 local on Monday June 9) and 7; 2 is back on June 17.
    # Visitor 1 was first seen on June 1, before the range: in no cohort. The range ends in the
    # week of June 16, so the June 9 cohort has one week to show.
    assert rows == [
        ("2025-06-02", 0, 2, 2, 1.0),
        ("2025-06-02", 1, 1, 2, 0.5),
        ("2025-06-02", 2, 0, 2, 0.0),
        ("2025-06-09", 0, 6, 6, 1.0),
        ("2025-06-09", 1, 1, 6, 0.1667),
    ]


def test_cohorts_respect_filters(site: Store) -> None:
    rows = retention.run(site, make_query(date(2025, 6, 2), date(2025, 6, 22), filters={"country": "US"})).rows
    # US: visitor 9 (June 2 cohort, never back); 2, 3 and 7 (June 9 cohort, 2 back).
    assert [(r["cohort"], r["week"], r["visitors"]) for r in rows] == [
        ("2025-06-02", 0, 1), ("2025-06-02", 1, 0), ("2025-06-02", 2, 0),
        ("2025-06-09", 0, 3), ("2025-06-09", 1, 1),
    ]


def test_no_new_visitors_no_cohorts(site: Store) -> None:
    assert retention.run(site, make_query(date(2025, 6, 16), date(2025, 6, 30))).rows == []
