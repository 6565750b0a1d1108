"""Demo traffic, checked with SQL on what chDB actually stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.referrers import classify_referral
from footfall.demo_data import generate_demo_events
from pipelines.store.base import Store

END = datetime(2024, 5, 15, 9, 30, tzinfo=UTC)
DAYS = 14
EVENTS = 20_000
ENGINES = {"Google", "Bing", "DuckDuckGo", "Yahoo", "Yandex", "Baidu", "Ecosia", "Cốc Cốc", "Naver", "Seznam"}

# Order-independent fingerprint of every stored row.
FINGERPRINT = """
SELECT count() AS rows, groupBitXor(cityHash64(event_id, timestamp, event_name, visitor_id, session_id, path,
       referrer, search_term, country, city, device, browser, engagement_ms, click_selector, click_y)) AS digest
FROM events
"""


@pytest.fixture
def filled(make_store: Callable[..., Store]) -> tuple[Store, int, list[int]]:
    store = make_store()
    batches: list[int] = []
    written = generate_demo_events(store, "example.com", EVENTS, DAYS, seed=7, end=END, batch_size=6_000,
                                   progress=batches.append)
    return store, written, batches


def one(store: Store, sql: str) -> dict[str, Any]:
    return store.query(sql)[0]


def test_writes_the_requested_number_of_rows_in_batches(filled: tuple[Store, int, list[int]]) -> None:
    store, written, batches = filled
    assert abs(written - EVENTS) <= EVENTS // 100
    assert store.scalar("SELECT count() FROM events") == written
    assert len(batches) >= 3 and sum(batches) == written
    assert store.scalar("SELECT uniqExact(event_id) FROM events") == written


def test_every_timestamp_lies_in_the_range(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, "SELECT min(timestamp) AS first, max(timestamp) AS last, uniqExact(toDate(timestamp)) AS days "
                     "FROM events")
    assert END - timedelta(days=DAYS) <= row["first"] and row["last"] < END
    assert row["days"] >= DAYS


def test_traffic_has_daily_and_weekly_cycles(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, "SELECT countIf(toHour(timestamp) BETWEEN 9 AND 16) / countIf(toHour(timestamp) BETWEEN 1 AND 4)"
                     " AS day_night, countIf(toDayOfWeek(timestamp) <= 5) / 5 / (countIf(toDayOfWeek(timestamp) > 5)"
                     " / 2) AS week_weekend FROM events")
    assert row["day_night"] > 3 * 2  # eight busy hours against four quiet ones
    assert row["week_weekend"] > 1.3


def test_about_thirty_percent_of_visitors_are_on_mobile(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, "SELECT uniqExactIf(visitor_id, device = 'mobile') / uniqExact(visitor_id) AS mobile, "
                     "uniqExactIf(visitor_id, device = 'tablet') / uniqExact(visitor_id) AS tablet FROM events")
    assert 0.25 <= row["mobile"] <= 0.35
    assert 0.02 <= row["tablet"] <= 0.08


def test_visitors_keep_their_device_and_place(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, "SELECT max(d) AS devices, max(b) AS browsers, max(c) AS cities, max(l) AS languages FROM ("
                     "SELECT uniqExact(device) d, uniqExact(browser, browser_version, os) b, "
                     "uniqExact(country, region, city, timezone) c, uniqExact(language) l "
                     "FROM events GROUP BY visitor_id)")
    assert row == {"devices": 1, "browsers": 1, "cities": 1, "languages": 1}


def test_some_visitors_return_on_other_days(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, "SELECT count() AS visitors, countIf(sessions = 1) AS once, countIf(sessions > 1 AND days > 1)"
                     " AS returning, max(sessions) AS most FROM (SELECT visitor_id, uniqExact(session_id) sessions,"
                     " uniqExact(toDate(timestamp)) days FROM events GROUP BY visitor_id)")
    assert row["once"] > row["visitors"] / 2  # most visitors come once ...
    assert row["returning"] > row["visitors"] / 20  # ... a fair share come back on another day
    assert row["most"] >= 5  # and a few are loyal


def test_pages_follow_a_skewed_popularity(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    views = [r["views"] for r in store.query(
        "SELECT path, count() AS views FROM events WHERE event_type = 'pageview' GROUP BY path ORDER BY views DESC")]
    assert len(views) > 100
    assert views[0] > 20 * views[len(views) // 2]
    row = one(store, "SELECT uniqExact(path, title) AS pairs, uniqExact(path) AS paths, "
                     "uniqExact(hostname) AS hosts, any(hostname) AS host FROM events")
    assert row["pairs"] == row["paths"] and (row["hosts"], row["host"]) == (1, "example.com")


def test_visitors_come_from_many_countries_with_matching_places(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    countries = {r["country"]: r["visitors"] for r in store.query(
        "SELECT country, uniqExact(visitor_id) AS visitors FROM events GROUP BY country")}
    assert len(countries) >= 12 and {"US", "VN", "CN", "DE", "GB", "IN", "FR", "JP", "BR"} <= set(countries)
    assert max(countries, key=lambda code: countries[code]) == "US"
    vn = {r["timezone"] for r in store.query("SELECT DISTINCT timezone FROM events WHERE country = 'VN'")}
    assert vn == {"Asia/Ho_Chi_Minh"}


def test_attribution_sits_on_the_first_page_view_of_each_visit(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    row = one(store, """
        SELECT countIf(landings != 1) AS without_one_landing, countIf(landed != first_view) AS landing_not_first
        FROM (
            SELECT session_id,
                   countIf(referrer_medium NOT IN ('', 'internal')) AS landings,
                   anyIf(timestamp, referrer_medium NOT IN ('', 'internal')) AS landed,
                   minIf(timestamp, event_type = 'pageview') AS first_view
            FROM events GROUP BY session_id)""")
    assert row == {"without_one_landing": 0, "landing_not_first": 0}
    row = one(store, "SELECT countIf(referrer != '' AND event_type != 'pageview') AS off_view, "
                     "countIf(referrer_medium = 'direct' AND (referrer != '' OR referrer_source != '')) AS bad_direct, "
                     "countIf(event_type != 'pageview' AND referrer_medium != '') AS medium_off_view FROM events")
    assert row == {"off_view": 0, "bad_direct": 0, "medium_off_view": 0}
    mediums = {r["referrer_medium"]: r["visits"] for r in store.query(
        "SELECT referrer_medium, count() AS visits FROM events "
        "WHERE referrer_medium NOT IN ('', 'internal') GROUP BY referrer_medium")}
    total = sum(mediums.values())
    assert set(mediums) == {"direct", "search", "social", "referral", "ai", "email", "paid"}
    assert 0.28 < mediums["direct"] / total < 0.42 and 0.28 < mediums["search"] / total < 0.42


def test_search_visits_name_their_engine_and_sometimes_the_keywords(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    engines = {r["referrer_source"] for r in store.query(
        "SELECT DISTINCT referrer_source FROM events WHERE referrer_medium = 'search'")}
    assert engines <= ENGINES and {"Google", "Bing", "Baidu"} <= engines
    row = one(store, "SELECT countIf(search_term != '') / count() AS with_term, countIf(referrer NOT LIKE 'https://%')"
                     " AS bad_url, countIf(search_term != '' AND referrer NOT LIKE '%?%') AS term_not_in_url "
                     "FROM events WHERE referrer_medium = 'search'")
    assert 0.1 < row["with_term"] < 0.6 and row["bad_url"] == row["term_not_in_url"] == 0
    google = {r["referrer"] for r in store.query(
        "SELECT DISTINCT referrer FROM events WHERE referrer_source = 'Google' AND search_term = ''")}
    assert google == {"https://www.google.com/"}
    assert store.scalar("SELECT countIf(search_term != '' AND referrer_medium != 'search') FROM events") == 0
    # Vietnamese and Chinese speakers search in their own language.
    local = store.scalar("SELECT countIf(length(search_term) != lengthUTF8(search_term)) FROM events "
                         "WHERE search_term != '' AND (language LIKE 'vi%' OR language LIKE 'zh%')")
    assert local > 0


def test_landings_are_what_the_collector_would_make_of_them(filled: tuple[Store, int, list[int]]) -> None:
    """Demo attribution must not drift from live attribution, or reports would mix two spellings."""
    store, _, _ = filled
    landings = store.query("SELECT DISTINCT referrer, path, query, referrer_source, referrer_medium, search_term "
                           "FROM events WHERE referrer_medium NOT IN ('', 'internal')")
    assert len(landings) > 100
    for row in landings:
        url = f"https://example.com{row['path']}" + (f"?{row['query']}" if row["query"] else "")
        live = classify_referral(row["referrer"], url, ["example.com"])
        assert (live.source, live.medium, live.search_term) == (
            row["referrer_source"], row["referrer_medium"], row["search_term"]), row


def test_campaign_visits_carry_utm_tags(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    rows = store.query("SELECT referrer_medium, utm_source, utm_medium, any(query) AS query FROM events "
                       "WHERE referrer_medium IN ('email', 'paid') GROUP BY ALL")
    assert {r["utm_medium"] for r in rows} == {"email", "cpc"}
    assert all(f"utm_source={r['utm_source']}" in r["query"] for r in rows)


def test_page_views_are_followed_by_engagement_clicks_and_custom_events(filled: tuple[Store, int, list[int]]) -> None:
    store, _, _ = filled
    counts = {r["event_name"]: r["rows"] for r in store.query(
        "SELECT event_name, count() AS rows FROM events GROUP BY event_name")}
    assert {"pageview", "engagement", "click", "Signup", "Outbound Link: Click", "File Download"} <= set(counts)
    assert 0.7 < counts["engagement"] / counts["pageview"] < 0.95
    row = one(store, "SELECT quantile(0.5)(engagement_ms) AS median_ms, min(engagement_ms) AS least, "
                     "max(scroll_depth) AS deepest FROM events WHERE event_type = 'engagement'")
    assert 5_000 < row["median_ms"] < 120_000 and row["least"] > 0 and row["deepest"] <= 100
    row = one(store, "SELECT countIf(click_selector = '') AS no_selector, countIf(click_x < 0 OR click_x > 1) AS off_x,"
                     " countIf(click_y >= document_height) AS below, countIf(viewport_width > screen_width) AS wide,"
                     " countIf(rage_click) / count() AS rage FROM events WHERE event_type = 'click'")
    assert row["no_selector"] == row["off_x"] == row["below"] == row["wide"] == 0
    assert 0 < row["rage"] < 0.1
    row = one(store, "SELECT countIf(event_type = 'engagement' AND engagement_ms = 0) AS empty_engagement, "
                     "countIf(event_type != 'click' AND click_selector != '') AS stray_clicks, "
                     "countIf(event_name = 'Outbound Link: Click' AND NOT startsWith(props['url'], 'https://'))"
                     " AS bad_links, countIf(event_type = 'custom' AND length(props) != 1) AS bad_props FROM events")
    assert row == {"empty_engagement": 0, "stray_clicks": 0, "bad_links": 0, "bad_props": 0}


def test_the_same_seed_gives_the_same_rows(make_store: Callable[..., Store]) -> None:
    fingerprints = []
    for seed in (3, 3, 4):
        store = make_store()
        generate_demo_events(store, "example.com", 3_000, 7, seed=seed, end=END, batch_size=1_000)
        fingerprints.append(one(store, FINGERPRINT))
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0]["digest"] != fingerprints[2]["digest"]


def test_refuses_nonsense_arguments(make_store: Callable[..., Store]) -> None:
    store = make_store()
    with pytest.raises(ValueError):
        generate_demo_events(store, "example.com", 10, 0)
    assert generate_demo_events(store, "example.com", 0, 1) == 0
