"""Survey results on hand-computed data: each formula, its edge cases, trend, breakdowns (joining
the traffic that produced the answers) and the comment list."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pipelines.events import events_batch
from pipelines.queries.survey_results import (
    CommentFilters,
    SurveyNotFound,
    Tally,
    breakdown,
    comments,
    results,
    score,
    trend,
)
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.survey_responses import survey_responses_batch
from pipelines.surveys import Survey, parse_definition, save_survey

NOON = datetime(2025, 6, 10, 12, tzinfo=UTC)
JUNE = (date(2025, 6, 1), date(2025, 6, 30))

Insert = Callable[..., list[str]]


@pytest.fixture
def shop(store: Store) -> Store:
    save_site(store, Site("shop.test"))
    return store


def new_survey(store: Store, kind: str, **data: Any) -> Survey:
    return save_survey(store, "shop.test", parse_definition({"kind": kind, **data}))


def insert(store: Store, survey: Survey, kind: str, scores: Iterable[int | None] = (None,), **fields: Any) -> list[str]:
    """One row per score; returns the response ids."""
    rows = [{"site_id": "shop.test", "timestamp": NOON, "response_id": str(uuid.uuid4()),
             "survey_id": survey.survey_id, "survey_version": survey.version, "kind": kind, "score": s,
             "visitor_id": 1, "session_id": 1, **fields} for s in scores]
    store.insert("survey_responses", survey_responses_batch(rows))
    return [str(row["response_id"]) for row in rows]


def answers(store: Store, survey: Survey, *scores: int, **fields: Any) -> list[str]:
    return insert(store, survey, "answer", scores, **fields)


def impressions(store: Store, survey: Survey, count: int, **fields: Any) -> None:
    insert(store, survey, "impression", [None] * count, **fields)


def total(store: Store, survey: Survey, **options: Any) -> Tally:
    return results(store, "shop.test", survey.survey_id, *JUNE, "UTC", **options).total


# -- the formulas ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "distribution", "expected"), [
    ("csat", {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}, 50.0),  # 3 of 6 answered 4-5
    ("csat", {5: 1}, 100.0),
    ("csat", {3: 4}, 0.0),
    ("nps", {10: 2, 9: 1, 8: 1, 7: 1, 6: 1, 0: 1}, 100 * (3 - 2) / 7),
    ("nps", {7: 3, 8: 5}, 0.0),  # all passives
    ("nps", {6: 1}, -100.0),  # a single detractor
    ("nps", {9: 1, 10: 1}, 100.0),
    ("ces", {1: 1, 7: 1, 4: 2}, 4.0),
    ("ces", {3: 1}, 3.0),
    ("helpful", {1: 2, 0: 1}, 100 * 2 / 3),
    ("helpful", {0: 4}, 0.0),
    ("csat", {}, None),  # no answers
    ("nps", {0: 0, 10: 0}, None),
    ("text", {}, None),
    ("csat", {0: 5, 6: 5, 5: 1}, 100.0),  # scores outside the scale never count
])
def test_score_formulas(kind: str, distribution: dict[int, int], expected: float | None) -> None:
    found = score(kind, distribution)
    assert found == (None if expected is None else pytest.approx(expected))


def test_csat_with_impressions_dismissals_and_a_replayed_row(shop: Store) -> None:
    survey = new_survey(shop, "csat")
    ids = answers(shop, survey, 5, 4, 3, 2, 1, 5)
    replayed = {"site_id": "shop.test", "timestamp": NOON, "response_id": ids[0], "survey_id": survey.survey_id,
                "survey_version": 1, "kind": "answer", "score": 5}
    shop.insert("survey_responses", survey_responses_batch([replayed]))
    impressions(shop, survey, 8)
    insert(shop, survey, "dismiss", [None, None])
    tally = total(shop, survey)
    assert (tally.answers, tally.impressions, tally.dismissals) == (6, 8, 2)
    assert tally.distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}
    assert tally.score == pytest.approx(50.0)
    assert tally.response_rate == pytest.approx(75.0)
    assert tally.as_dict()["score"] == tally.score


def test_nps_edge_cases(shop: Store) -> None:
    empty = new_survey(shop, "nps")
    tally = total(shop, empty)
    assert (tally.answers, tally.score, tally.response_rate) == (0, None, None)
    assert tally.distribution == dict.fromkeys(range(11), 0)
    passives = new_survey(shop, "nps")
    answers(shop, passives, 7, 8, 7, 8)
    assert total(shop, passives).score == 0.0
    single = new_survey(shop, "nps")
    answers(shop, single, 6)
    assert total(shop, single).score == -100.0
    mixed = new_survey(shop, "nps")
    answers(shop, mixed, 10, 9, 8, 7, 6, 0, 10)
    assert total(shop, mixed).score == pytest.approx(100 / 7)


def test_ces_helpful_and_open_text(shop: Store) -> None:
    ces, helpful, text = new_survey(shop, "ces"), new_survey(shop, "helpful"), new_survey(shop, "text")
    answers(shop, ces, 1, 7, 4, 4)
    answers(shop, helpful, 1, 1, 0)
    insert(shop, text, "answer", [None, None], comment="words")
    assert total(shop, ces).score == 4.0
    assert total(shop, helpful).score == pytest.approx(200 / 3)
    assert total(shop, helpful).distribution == {0: 1, 1: 2}
    assert (total(shop, text).answers, total(shop, text).score, total(shop, text).distribution) == (2, None, {})


def test_response_rate_counts_widget_answers_over_impressions(shop: Store) -> None:
    survey = new_survey(shop, "csat")
    impressions(shop, survey, 4)
    answers(shop, survey, 5, 4)
    answers(shop, survey, 1, 2, 3, channel="link", visitor_id=0, session_id=0)
    tally = total(shop, survey)
    assert (tally.answers, tally.link_answers, tally.response_rate) == (5, 3, 50.0)
    assert tally.score == pytest.approx(40.0)
    links_only = new_survey(shop, "csat")
    answers(shop, links_only, 5, channel="link")
    assert total(shop, links_only).response_rate is None


def test_versions_are_kept_apart_and_kinds_never_mix(shop: Store) -> None:
    first = new_survey(shop, "nps")
    answers(shop, first, 10, 10)
    second = save_survey(shop, "shop.test", parse_definition({"kind": "nps", "texts": {"en": {"question": "Q?"}}}),
                         first.survey_id)
    answers(shop, second, 0)
    report = results(shop, "shop.test", first.survey_id, *JUNE, "UTC")
    assert (report.kind, report.versions, report.total.answers) == ("nps", (1, 2), 3)
    assert report.total.score == pytest.approx(100 / 3)
    assert total(shop, first, version=1).score == 100.0
    assert total(shop, first, version=2).score == -100.0
    third = save_survey(shop, "shop.test", parse_definition({"kind": "csat"}), first.survey_id)
    answers(shop, third, 5)
    now = results(shop, "shop.test", first.survey_id, *JUNE, "UTC")
    assert (now.kind, now.versions, now.total.answers, now.total.score) == ("csat", (3,), 1, 100.0)
    assert results(shop, "shop.test", first.survey_id, *JUNE, "UTC", version=2).kind == "nps"
    with pytest.raises(SurveyNotFound):
        results(shop, "shop.test", first.survey_id, *JUNE, "UTC", version=9)
    with pytest.raises(SurveyNotFound):
        results(shop, "other.test", first.survey_id, *JUNE, "UTC")


def test_the_range_is_in_the_sites_time_zone(shop: Store) -> None:
    survey = new_survey(shop, "csat")
    answers(shop, survey, 5, timestamp=datetime(2025, 6, 10, 20, tzinfo=UTC))  # June 11th in Tokyo
    day = date(2025, 6, 11)
    assert results(shop, "shop.test", survey.survey_id, day, day, "Asia/Tokyo").total.answers == 1
    assert results(shop, "shop.test", survey.survey_id, day, day, "UTC").total.answers == 0
    with pytest.raises(ValueError, match="time zone"):
        results(shop, "shop.test", survey.survey_id, day, day, "Mars/Olympus")


def test_daily_and_weekly_trend_fill_every_bucket(shop: Store) -> None:
    survey = new_survey(shop, "nps")
    answers(shop, survey, 10, 0, timestamp=datetime(2025, 6, 1, 9, tzinfo=UTC))  # a Sunday
    answers(shop, survey, 9, timestamp=datetime(2025, 6, 3, 9, tzinfo=UTC))
    impressions(shop, survey, 2, timestamp=datetime(2025, 6, 3, 8, tzinfo=UTC))
    daily = trend(shop, "shop.test", survey.survey_id, date(2025, 6, 1), date(2025, 6, 4), "UTC")
    assert [(day, t.answers, t.score, t.response_rate) for day, t in daily.groups] == [
        ("2025-06-01", 2, 0.0, None), ("2025-06-02", 0, None, None), ("2025-06-03", 1, 100.0, 50.0),
        ("2025-06-04", 0, None, None)]
    assert daily.total.answers == 3
    weekly = trend(shop, "shop.test", survey.survey_id, date(2025, 6, 1), date(2025, 6, 8), "UTC", "week")
    assert [(week, t.answers) for week, t in weekly.groups] == [("2025-05-26", 2), ("2025-06-02", 1)]
    with pytest.raises(ValueError, match="interval"):
        trend(shop, "shop.test", survey.survey_id, *JUNE, "UTC", "month")


def test_breakdown_by_page_device_and_country(shop: Store) -> None:
    survey = new_survey(shop, "csat")
    answers(shop, survey, 5, 4, path="/pricing", device="mobile", country="VN")
    answers(shop, survey, 1, path="/checkout", device="desktop", country="VN")
    impressions(shop, survey, 4, path="/pricing", device="mobile", country="CN")

    def groups(by: str) -> list[tuple[str, int, int, float | None]]:
        report = breakdown(shop, "shop.test", survey.survey_id, *JUNE, "UTC", by)
        return [(key, t.answers, t.impressions, t.score) for key, t in report.groups]

    assert groups("page") == [("/pricing", 2, 4, 100.0), ("/checkout", 1, 0, 0.0)]
    assert groups("device") == [("mobile", 2, 4, 100.0), ("desktop", 1, 0, 0.0)]
    assert groups("country") == [("VN", 3, 0, pytest.approx(200 / 3)), ("CN", 0, 4, None)]
    with pytest.raises(ValueError, match="breakdown by"):
        breakdown(shop, "shop.test", survey.survey_id, *JUNE, "UTC", "browser; DROP TABLE events")


def test_breakdown_by_source_and_new_or_returning_joins_the_traffic(shop: Store) -> None:
    survey = new_survey(shop, "nps")

    def event(visitor: int, session: int, when: datetime, source: str = "") -> dict[str, Any]:
        return {"site_id": "shop.test", "timestamp": when, "event_id": str(uuid.uuid4()), "event_type": "pageview",
                "event_name": "pageview", "visitor_id": visitor, "session_id": session, "referrer_source": source}

    shop.insert("events", events_batch([
        event(1, 100, NOON - timedelta(days=10), "Google"),  # visitor 1 came before: returning
        event(1, 101, NOON - timedelta(minutes=3), "Bing"),  # ... and entered this visit from Bing
        event(1, 101, NOON - timedelta(minutes=1), "Bing"),
        event(2, 200, NOON - timedelta(minutes=5)),  # visitor 2's first visit, direct: new
        event(4, 400, NOON - timedelta(hours=2), "Newsletter"),  # a long first visit: still new
        event(9, 900, NOON, "Elsewhere"),  # another site's visit that answered nothing
    ]))
    shop.insert("events", events_batch([{**event(1, 101, NOON, "Spam"), "site_id": "other.test"}]))
    answers(shop, survey, 10, visitor_id=1, session_id=101)
    impressions(shop, survey, 2, visitor_id=1, session_id=101)
    answers(shop, survey, 0, visitor_id=2, session_id=200)
    answers(shop, survey, 9, visitor_id=4, session_id=400)
    answers(shop, survey, 7, visitor_id=0, session_id=0, channel="link")

    def groups(by: str) -> dict[str, tuple[int, int, float | None]]:
        report = breakdown(shop, "shop.test", survey.survey_id, *JUNE, "UTC", by)
        return {key: (t.answers, t.impressions, t.score) for key, t in report.groups}

    assert groups("source") == {"Bing": (1, 2, 100.0), "": (2, 0, -50.0), "Newsletter": (1, 0, 100.0)}
    assert groups("visitor_type") == {"new": (2, 0, 0.0), "returning": (1, 2, 100.0), "unknown": (1, 0, 0.0)}
    assert groups("channel") == {"widget": (3, 2, pytest.approx(100 / 3)), "link": (1, 0, 0.0)}


def test_comments_with_filters(shop: Store) -> None:
    survey = new_survey(shop, "nps")
    later = NOON + timedelta(minutes=1)
    answers(shop, survey, 9, comment="Great service", locale="vi", device="mobile", timestamp=NOON)
    answers(shop, survey, 3, comment="Slow checkout", locale="en", device="desktop",
            timestamp=NOON + timedelta(hours=1))
    [followed] = answers(shop, survey, 5, locale="en", device="mobile", timestamp=NOON + timedelta(hours=2))
    insert(shop, survey, "comment", response_id=followed, comment="first draft", timestamp=later + timedelta(hours=2))
    insert(shop, survey, "comment", response_id=followed, comment="Checkout was fine",
           timestamp=later + timedelta(hours=3))
    answers(shop, survey, 10)  # no comment: not listed
    insert(shop, survey, "comment", response_id=str(uuid.uuid4()), comment="orphan")  # no answer: not listed

    def texts(**filters: Any) -> list[str]:
        rows = comments(shop, "shop.test", survey.survey_id, *JUNE, "UTC", CommentFilters(**filters))
        return [str(row["comment"]) for row in rows]

    assert texts() == ["Checkout was fine", "Slow checkout", "Great service"]
    assert texts(score_min=5) == ["Checkout was fine", "Great service"]
    assert texts(score_max=5) == ["Checkout was fine", "Slow checkout"]
    assert texts(score_min=9, score_max=10) == ["Great service"]
    assert texts(locale="VI") == ["Great service"]
    assert texts(device="mobile") == ["Checkout was fine", "Great service"]
    assert texts(search="CHECKOUT") == ["Checkout was fine", "Slow checkout"]
    assert texts(search="'; DROP TABLE events; --") == []
    assert texts(limit=1, offset=1) == ["Slow checkout"]
    [row] = comments(shop, "shop.test", survey.survey_id, *JUNE, "UTC", CommentFilters(search="great"))
    assert (row["score"], row["locale"], row["device"], row["version"], row["channel"]) == (9, "vi", "mobile", 1,
                                                                                             "widget")
