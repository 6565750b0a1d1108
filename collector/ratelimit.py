"""A token bucket per client IP: a flood from one address gets 429 instead of filling the spool."""

from __future__ import annotations

import math
import time


class RateLimiter:
    def __init__(self, per_second: float, burst: int, max_clients: int = 100_000) -> None:
        self.per_second = per_second
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # ip -> (tokens, updated)

    def allow(self, key: str, cost: float = 1.0) -> float:
        """0 when allowed; else the seconds to wait before a retry can pass (for Retry-After)."""
        if self.per_second <= 0:
            return 0.0
        now = time.monotonic()
        tokens, updated = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - updated) * self.per_second)
        if tokens >= cost:
            self._store(key, (tokens - cost, now))
            return 0.0
        self._store(key, (tokens, now))
        return (cost - tokens) / self.per_second

    def _store(self, key: str, value: tuple[float, float]) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_clients:
            self._forget_full_buckets()
        self._buckets[key] = value

    def _forget_full_buckets(self) -> None:
        """Drop clients whose bucket has refilled: they are as good as new."""
        now = time.monotonic()
        refill = self.burst / self.per_second
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
        if len(self._buckets) >= self.max_clients:  # all active: forget the oldest half
            keep = sorted(self._buckets.items(), key=lambda item: item[1][1])[len(self._buckets) // 2:]
            self._buckets = dict(keep)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
