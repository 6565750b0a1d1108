"""Visitors, visits, daily salts and duplicate event ids, over a real store."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector import identity
from collector.context import Context
from collector.dedup import RecentIds
from collector.identity import SESSION_TIMEOUT_MS, Salts, Sessions, VisitorHasher
from collector.pipeline import Event
from collector.steps import put_identity
from footfall.settings import Settings
from pipelines.sites import Site
from pipelines.store.base import Store

MINUTE_MS = 60_000
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def ms(day: date, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).timestamp() * 1000)


def salt_days(store: Store) -> list[str]:
    return [str(row["day"]) for row in store.query("SELECT toString(day) AS day FROM salts ORDER BY day")]


# -- Sessions ------------------------------------------------------------------------------


def test_the_same_visitor_within_30_minutes_stays_in_one_visit() -> None:
    sessions = Sessions()
    start = ms(date(2025, 3, 1), 12)
    first = sessions.session_for(7, start)
    # Each event extends the visit: 29 minutes after the *last* event still counts.
    assert sessions.session_for(7, start + 29 * MINUTE_MS) == first
    assert sessions.session_for(7, start + 58 * MINUTE_MS) == first
    assert sessions.active(7, start + 60 * MINUTE_MS)
    assert sessions.session_for(8, start) != first  # another visitor, another visit


def test_30_minutes_of_silence_start_a_new_visit() -> None:
    sessions = Sessions()
    start = ms(date(2025, 3, 1), 12)
    first = sessions.session_for(7, start)
    assert not sessions.active(7, start + SESSION_TIMEOUT_MS)
    second = sessions.session_for(7, start + SESSION_TIMEOUT_MS)
    assert second != first and second > 0
    assert sessions.session_for(7, start + SESSION_TIMEOUT_MS + MINUTE_MS) == second


def test_an_event_arriving_late_does_not_shorten_the_visit() -> None:
    sessions = Sessions()
    start = ms(date(2025, 3, 1), 12)
    first = sessions.session_for(7, start + 20 * MINUTE_MS)
    assert sessions.session_for(7, start + 10 * MINUTE_MS) == first  # older, reordered in flight
    assert sessions.session_for(7, start + 45 * MINUTE_MS) == first  # 25 min after the latest event


def test_seed_continues_a_visit_begun_before_a_restart() -> None:
    start = ms(date(2025, 3, 1), 12)
    sessions = Sessions()
    sessions.seed([
        {"visitor_id": "11", "session_id": "500", "timestamp": start - 20 * MINUTE_MS},
        {"visitor_id": 11, "session_id": 501, "timestamp": start - 5 * MINUTE_MS},  # the later row wins
        {"visitor_id": 11, "session_id": 499, "timestamp": start - 25 * MINUTE_MS},
        {"visitor_id": 12, "session_id": 600, "timestamp": start - 40 * MINUTE_MS},
    ])
    assert len(sessions) == 2
    assert sessions.session_for(11, start) == 501
    assert sessions.session_for(12, start) != 600  # that visit had already ended


# -- Salts -----------------------------------------------------------------------------------


def test_a_salt_is_made_once_a_day_and_shared_through_the_store(store: Store) -> None:
    day = date(2025, 3, 1)
    first, second = Salts(store), Salts(store)
    today, yesterday = first.for_time(ms(day, 9))
    assert len(today) == 32 and yesterday is None
    assert second.for_time(ms(day, 18)) == (today, None)
    assert first.for_time(ms(day, 23, 59)) == (today, None)
    assert salt_days(store) == ["2025-03-01"]


def test_the_next_day_brings_a_new_salt_and_keeps_yesterdays(store: Store) -> None:
    salts = Salts(store)
    day1 = date(2025, 3, 1)
    salt1, _ = salts.for_time(ms(day1, 12))
    salt2, kept = salts.for_time(ms(day1 + timedelta(days=1), 0, 1))
    assert salt2 != salt1 and kept == salt1
    assert Salts(store).for_time(ms(day1 + timedelta(days=1), 8)) == (salt2, salt1)


def test_salts_older_than_yesterday_are_deleted(store: Store) -> None:
    salts = Salts(store)
    day1 = date(2025, 3, 1)
    salt1, _ = salts.for_time(ms(day1))
    salts.for_time(ms(day1 + timedelta(days=1)))
    salt3, salt2 = salts.for_time(ms(day1 + timedelta(days=2)))
    assert salt_days(store) == ["2025-03-02", "2025-03-03"]
    assert salt1 not in (salt2, salt3)
    # Nobody can get the deleted salt back: a fresh instance for that day makes a new one.
    assert Salts(store).for_time(ms(day1 + timedelta(days=2))) == (salt3, salt2)


def test_when_two_collectors_race_the_earliest_salt_wins_for_both(store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    day = date(2025, 3, 1)
    both_looked = threading.Barrier(2)
    racers = [Salts(store), Salts(store)]
    for salts in racers:
        original, looked = salts._read, threading.Event()

        def read(when: date, original: Any = original, looked: threading.Event = looked) -> bytes | None:
            found = original(when)
            if not looked.is_set():
                looked.set()
                both_looked.wait(timeout=30)  # both find no salt before either inserts one
            return found

        monkeypatch.setattr(salts, "_read", read)
    results: list[tuple[bytes, bytes | None]] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.for_time(ms(day, 12)))) for s in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert store.scalar("SELECT count() FROM salts WHERE day = '2025-03-01'") == 2  # both inserted one
    earliest = store.scalar("SELECT argMin(salt, created_at) FROM salts WHERE day = '2025-03-01'")
    assert results == [(bytes.fromhex(earliest), None)] * 2


# -- VisitorHasher -------------------------------------------------------------------------


def test_visitor_hashes_are_deterministic_and_depend_on_the_secret() -> None:
    secret = "k" * 40
    parts = (b"salt", "site.test", "81.2.69.160", CHROME)
    assert VisitorHasher(secret).hash(*parts) == VisitorHasher(secret).hash(*parts)
    assert VisitorHasher(secret).hash(*parts) != VisitorHasher("j" * 40).hash(*parts)
    assert VisitorHasher(secret).hash(*parts) != VisitorHasher(secret).hash(b"other", *parts[1:])
    # Parts are separated: moving a byte from one part to the next changes the hash.
    assert VisitorHasher(secret).hash("ab", "c") != VisitorHasher(secret).hash("a", "bc")
    hashes = {VisitorHasher(secret).hash(b"id", "site.test", str(n)) for n in range(2000)}
    assert len(hashes) == 2000 and all(0 < h < 2**64 for h in hashes)


def test_a_visitor_hash_is_never_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    class ZeroDigest:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def update(self, data: bytes) -> None:
            pass

        def digest(self) -> bytes:
            return bytes(8)

    monkeypatch.setattr(identity.hashlib, "blake2b", ZeroDigest)
    assert VisitorHasher("k" * 40).hash("anything") == 1


# -- RecentIds -------------------------------------------------------------------------------


def test_the_second_sighting_of_an_id_is_a_duplicate() -> None:
    ids = RecentIds()
    event_id = str(uuid.uuid4())
    assert not ids.seen_before(event_id)
    assert ids.seen_before(event_id)
    assert ids.seen_before(event_id)
    assert not ids.seen_before(str(uuid.uuid4()))
    ids.remember(["seeded-at-start"])
    assert ids.seen_before("seeded-at-start")


def test_an_id_is_forgotten_after_two_windows() -> None:
    ids = RecentIds(window_seconds=0.05)
    assert not ids.seen_before("a")
    time.sleep(0.1)
    assert not ids.seen_before("b")  # rotates: "a" moves to the previous generation
    assert ids.seen_before("a")  # still within two windows
    time.sleep(0.1)
    assert not ids.seen_before("c")  # rotates again: "a" is gone
    assert not ids.seen_before("a")
    assert ids.seen_before("c")


def test_uuids_are_kept_as_numbers_and_other_ids_as_text() -> None:
    ids = RecentIds()
    event_id = str(uuid.uuid4())
    ids.remember([event_id, "not-a-uuid", event_id.upper()])
    assert ids.seen_before(event_id) and ids.seen_before("not-a-uuid")
    # The upper-case text is another id (the collector only ever passes canonical ones).
    assert ids.seen_before(event_id.upper())
    assert not ids.seen_before(event_id.replace("-", ""))
    assert {type(key) for key in ids._current} == {int, str}
    ids.forget([event_id, "not-a-uuid"])
    assert not ids.seen_before(event_id) and not ids.seen_before("not-a-uuid")


def test_max_ids_bounds_the_memory_used() -> None:
    ids = RecentIds(max_ids=100)
    for n in range(10_000):
        assert not ids.seen_before(f"id-{n}")
        assert len(ids) <= 200
    assert ids.seen_before("id-9999")
    assert not ids.seen_before("id-0")  # long forgotten


# -- Cookieless visitors at midnight, through the real step ---------------------------------


@pytest.fixture
def context(store: Store, tmp_path: Path) -> Context:
    settings = Settings.from_env({"FOOTFALL_DATA_DIR": str(tmp_path / "data"),
                                  "FOOTFALL_SECRET_KEY": "midnight-" + uuid.uuid4().hex * 2}, env_file=None)
    return Context.create(settings, store)


def identify(context: Context, site: Site, ip: str, when_ms: int, received_ms: int) -> dict[str, Any]:
    event = Event(payload={"url": f"https://{site.site_id}/", "name": "pageview", "timestamp": when_ms},
                  ip=ip, user_agent=CHROME, received_ms=received_ms, trusted=True, site=site)
    put_identity(event, context)
    assert event.dropped is None
    return event.row


def test_a_cookieless_visit_continues_across_midnight_under_yesterdays_hash(context: Context) -> None:
    site = Site("midnight.test", cookieless=True)
    midnight = ms(date(2025, 3, 2))
    received = midnight + 60 * MINUTE_MS  # a server sender relays both events an hour later
    before = identify(context, site, "81.2.69.160", midnight - 10 * MINUTE_MS, received)
    after = identify(context, site, "81.2.69.160", midnight + 5 * MINUTE_MS, received)
    newcomer = identify(context, site, "216.160.83.57", midnight + 5 * MINUTE_MS, received)

    assert (before["timestamp"], after["timestamp"]) == (midnight - 10 * MINUTE_MS, midnight + 5 * MINUTE_MS)
    today, yesterday = context.salts.for_time(midnight + 5 * MINUTE_MS)
    assert yesterday is not None and today != yesterday
    hasher = context.hasher
    assert before["visitor_id"] == hasher.hash(yesterday, site.site_id, "81.2.69.160", CHROME)
    assert (after["visitor_id"], after["session_id"]) == (before["visitor_id"], before["session_id"])
    assert after["visitor_id"] != hasher.hash(today, site.site_id, "81.2.69.160", CHROME)
    assert newcomer["visitor_id"] == hasher.hash(today, site.site_id, "216.160.83.57", CHROME)
    assert newcomer["session_id"] != before["session_id"]


def test_after_a_pause_past_midnight_the_visitor_gets_todays_hash(context: Context) -> None:
    site = Site("midnight.test", cookieless=True)
    midnight = ms(date(2025, 3, 2))
    received = midnight + 60 * MINUTE_MS
    before = identify(context, site, "81.2.69.160", midnight - 40 * MINUTE_MS, received)
    after = identify(context, site, "81.2.69.160", midnight + 5 * MINUTE_MS, received)
    today, _ = context.salts.for_time(midnight + 5 * MINUTE_MS)
    assert after["visitor_id"] == context.hasher.hash(today, site.site_id, "81.2.69.160", CHROME)
    assert after["visitor_id"] != before["visitor_id"] and after["session_id"] != before["session_id"]


def test_a_trusted_timestamp_is_clamped_to_the_last_day(context: Context) -> None:
    site = Site("clamp.test")
    received = ms(date(2025, 3, 2), 12)
    assert identify(context, site, "81.2.69.160", received + 3_600_000, received)["timestamp"] == received
    day_ago = received - 24 * 60 * MINUTE_MS
    assert identify(context, site, "81.2.69.160", received - 30 * 3_600_000, received)["timestamp"] == day_ago
