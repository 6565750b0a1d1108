"""Who is this visitor, and which visit is this?

- With the tracker's first-party id: a keyed hash of site + id, the same for all time (that is
  what lets reports tell new from returning visitors).
- Cookieless: a keyed hash of a daily random salt + site + IP + user agent. Salts rotate at UTC
  midnight; yesterday's is kept so a visit crossing midnight continues, older ones are deleted,
  after which nobody (us included) can link the hashes back to an IP.
- Sessions: the same visitor after 30 minutes without any event starts a new visit.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipelines.store.base import Store, StoreError

log = logging.getLogger("footfall.collector")
SESSION_TIMEOUT_MS = 30 * 60 * 1000
DAY_MS = 24 * 3600 * 1000


class VisitorHasher:
    """Keyed BLAKE2b of the parts, each followed by a NUL byte; cached, since a visitor sends
    many events (the cache holds no more than the hashes' inputs already in memory)."""

    def __init__(self, secret_key: str, cache_size: int = 10_000) -> None:
        self._key = hashlib.sha256(b"footfall-visitor:" + secret_key.encode()).digest()
        self._cached = functools.lru_cache(maxsize=cache_size)(self._hash)

    def hash(self, *parts: str | bytes) -> int:
        return self._cached(*parts)

    def _hash(self, *parts: str | bytes) -> int:
        data = b"".join((part if isinstance(part, bytes) else part.encode("utf-8", "replace")) + b"\x00"
                        for part in parts)
        # Never 0: 0 means "no visitor" in survey_responses.
        return int.from_bytes(hashlib.blake2b(data, digest_size=8, key=self._key).digest(), "big") or 1


class Salts:
    """Today's and yesterday's salts, created on demand and shared through the store."""

    RETRY_SECONDS = 60.0

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salts: tuple[bytes, bytes | None] = (b"", None)
        self._retry_at = 0.0
        self._loaded: tuple[int, tuple[bytes, bytes | None]] = (-1, self._salts)  # days since 1970, salts

    def for_time(self, when_ms: int) -> tuple[bytes, bytes | None]:
        day_number = when_ms // DAY_MS
        loaded_day, salts = self._loaded  # one read: both from the same load
        if day_number == loaded_day:
            return salts  # the usual case, without the lock: the salts in hand are this day's
        day = datetime.fromtimestamp(when_ms / 1000, UTC).date()
        with self._lock:
            if day != self._day and time.monotonic() >= self._retry_at:
                try:
                    self._salts = self._load(day)
                    self._day = day
                    self._loaded = (day_number, self._salts)
                except StoreError as exc:
                    # Never fail an event over this: hash with a salt of our own for now (visitors
                    # may then count twice across collectors) and try the store again soon.
                    log.warning("could not load today's salt, using a temporary one: %s", exc)
                    if day != self._day:
                        self._salts = (secrets.token_bytes(32), None)
                    self._retry_at = time.monotonic() + self.RETRY_SECONDS
            return self._salts

    def _load(self, today: date) -> tuple[bytes, bytes | None]:
        yesterday = today - timedelta(days=1)
        if self._read(today) is None:
            self._store.command(
                "INSERT INTO salts (day, salt) VALUES ({day:Date}, {salt:String})",
                {"day": today.isoformat(), "salt": secrets.token_hex(32)},
            )
        self._store.command("DELETE FROM salts WHERE day < {day:Date}", {"day": yesterday.isoformat()})
        current = self._read(today)
        assert current is not None
        return current, self._read(yesterday)

    def _read(self, day: date) -> bytes | None:
        salt = self._store.scalar(
            "SELECT argMin(salt, created_at) FROM salts WHERE day = {day:Date} HAVING count() > 0",
            {"day": day.isoformat()},
        )
        return bytes.fromhex(salt) if salt else None


class Sessions:
    """The current visit of each recently active visitor, in memory."""

    def __init__(self, timeout_ms: int = SESSION_TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms
        self._visits: dict[int, tuple[int, int]] = {}  # visitor -> (session id, last event ms)
        self._pruned_at = 0

    def active(self, visitor_id: int, when_ms: int) -> bool:
        visit = self._visits.get(visitor_id)
        return visit is not None and when_ms - visit[1] < self.timeout_ms

    def session_for(self, visitor_id: int, when_ms: int) -> int:
        visit = self._visits.get(visitor_id)
        if visit is not None and when_ms - visit[1] < self.timeout_ms:
            session_id = visit[0]
        else:
            session_id = secrets.randbits(64) or 1
        last = max(when_ms, visit[1]) if visit is not None and visit[0] == session_id else when_ms
        self._visits[visitor_id] = (session_id, last)
        self._prune(when_ms)
        return session_id

    def seed(self, rows: Iterable[dict[str, Any]]) -> None:
        """Continue visits that were under way before a restart."""
        for row in rows:
            visitor, session, when = int(row["visitor_id"]), int(row["session_id"]), int(row["timestamp"])
            known = self._visits.get(visitor)
            if known is None or when > known[1]:
                self._visits[visitor] = (session, when)

    def _prune(self, now_ms: int) -> None:
        if now_ms - self._pruned_at < 60_000:
            return
        self._pruned_at = now_ms
        self._visits = {v: s for v, s in self._visits.items() if now_ms - s[1] < self.timeout_ms}

    def __len__(self) -> int:
        return len(self._visits)
