"""Recently seen event ids, so a client's retry of an acknowledged event is not stored twice.

Two generations of ids, swapped every `window` seconds: an id is remembered for between one
and two windows. Retries come within seconds to minutes of the first try, and the collector
seeds this at start from the spool and from the store's most recent rows, so a retry after a
crash is caught too.

An id is kept as the 128-bit number of its UUID (48 bytes) rather than as its 36-character
text (88 bytes): at thousands of events a second these sets are most of the collector's memory.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

MAX_IDS = 1_000_000  # per generation (about 80 MB), however many events arrive


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _key(event_id: str) -> int | str:
    """The number of a canonical UUID (the collector's ids are), else the text: one key per id."""
    if _CANONICAL_UUID.fullmatch(event_id):
        return int(event_id.replace("-", ""), 16)
    return event_id


class RecentIds:
    def __init__(self, window_seconds: float = 600.0, max_ids: int = MAX_IDS) -> None:
        self.window = window_seconds
        self.max_ids = max_ids  # per generation; bounds memory under a flood
        self._current: set[int | str] = set()
        self._previous: set[int | str] = set()
        self._rotated_at = time.monotonic()

    def seen_before(self, event_id: str) -> bool:
        """True if `event_id` was already seen; otherwise remember it and return False."""
        now = time.monotonic()
        if now - self._rotated_at > self.window or len(self._current) >= self.max_ids:
            self._previous, self._current = self._current, set()
            self._rotated_at = now
        key = _key(event_id)
        if key in self._current or key in self._previous:
            return True
        self._current.add(key)
        return False

    def remember(self, event_ids: Iterable[str]) -> None:
        self._current.update(map(_key, event_ids))

    def forget(self, event_ids: Iterable[str]) -> None:
        """Un-see ids whose events were refused after all (spool full), so a retry is stored."""
        for key in map(_key, event_ids):
            self._current.discard(key)
            self._previous.discard(key)

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)
