"""Recently seen event ids, so a client's retry of an acknowledged event is not stored twice.

Two generations of ids, swapped every `window` seconds: an id is remembered for between one
and two windows. Retries come within seconds to minutes of the first try, and the collector
seeds this at start from the spool and from the store's most recent rows, so a retry after a
crash is caught too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable


class RecentIds:
    def __init__(self, window_seconds: float = 600.0, max_ids: int = 2_000_000) -> None:
        self.window = window_seconds
        self.max_ids = max_ids  # per generation; bounds memory under a flood
        self._current: set[str] = set()
        self._previous: set[str] = set()
        self._rotated_at = time.monotonic()

    def seen_before(self, event_id: str) -> bool:
        """True if `event_id` was already seen; otherwise remember it and return False."""
        now = time.monotonic()
        if now - self._rotated_at > self.window or len(self._current) >= self.max_ids:
            self._previous, self._current = self._current, set()
            self._rotated_at = now
        if event_id in self._current or event_id in self._previous:
            return True
        self._current.add(event_id)
        return False

    def remember(self, event_ids: Iterable[str]) -> None:
        self._current.update(event_ids)

    def forget(self, event_ids: Iterable[str]) -> None:
        """Un-see ids whose events were refused after all (spool full), so a retry is stored."""
        for event_id in event_ids:
            self._current.discard(event_id)
            self._previous.discard(event_id)

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)
