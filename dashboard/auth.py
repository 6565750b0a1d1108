"""Signing in: password check, the session it leaves, a slow-down for guessers, safe redirects.

The session lives in a signed cookie (Starlette's SessionMiddleware). It holds the user's id
and e-mail, a random nonce that is new at every sign-in, and a fingerprint of the password
hash: setting a new password (`footfall users add`) ends every session of that user.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher

from pipelines.store.base import Store
from pipelines.users import User, find_user, verify_password

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
MAX_TRACKED_KEYS = 10_000
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class SignedIn:
    """Who the session belongs to."""

    user_id: str
    email: str
    name: str
    is_admin: bool
    locale: str = ""


class LoginThrottle:
    """Failed sign-ins per (e-mail, client address) in a sliding window, kept in memory.

    After `max_failures` within `window` seconds that pair is refused — even with the right
    password — until the oldest failure leaves the window. A success clears the pair.
    Memory is bounded: expired entries go first, then the least recently failed.
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = FAILURE_WINDOW_SECONDS,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, email: str, address: str, now: float | None = None) -> int:
        """Seconds until this pair may try again; 0 when it may try now."""
        now = time.monotonic() if now is None else now
        key = (email.strip().lower(), address)
        times = self._recent(key, now)
        if not times:
            self._failures.pop(key, None)
            return 0
        if len(times) < self.max_failures:
            return 0
        return max(1, int(times[0] + self.window - now + 0.999))

    def failed(self, email: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        key = (email.strip().lower(), address)
        times = self._recent(key, now)
        times.append(now)
        self._failures.pop(key, None)
        self._failures[key] = times  # most recent failure last, for eviction
        if len(self._failures) > self.max_keys:
            self._prune(now)

    def succeeded(self, email: str, address: str) -> None:
        self._failures.pop((email.strip().lower(), address), None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) > self.max_keys:
            del self._failures[next(iter(self._failures))]


@cache
def _decoy() -> User:
    """A user nobody can sign in as: checking against it costs as much as a real check."""
    return User("", "", "", False, "", PasswordHasher().hash(secrets.token_urlsafe(32)))


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None (spending the same time either way)."""
    if not email or len(email) > MAX_EMAIL_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        verify_password(_decoy(), password[:MAX_PASSWORD_LENGTH])
        return None
    user = find_user(store, email)
    if user is None:
        verify_password(_decoy(), password)
        return None
    return user if verify_password(user, password) else None


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does (every save draws a new salt)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(session: dict[str, Any], user: User) -> None:
    """Replace whatever the session held (no fixation) with a fresh one for `user`."""
    session.clear()
    session.update(
        user_id=user.user_id,
        email=user.email,
        nonce=secrets.token_urlsafe(16),
        pw=password_fingerprint(user),
    )


def session_user(store: Store, session: dict[str, Any]) -> SignedIn | None:
    """The signed-in user, if the session is intact and the user and password are unchanged."""
    user_id, email, fingerprint = session.get("user_id"), session.get("email"), session.get("pw")
    if not (isinstance(user_id, str) and isinstance(email, str) and isinstance(fingerprint, str)):
        return None
    user = find_user(store, email)
    if user is None or user.user_id != user_id or password_fingerprint(user) != fingerprint:
        return None
    return SignedIn(user.user_id, user.email, user.name, user.is_admin, user.locale)


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this server, else `default` (no open redirect).

    Refuses absolute and scheme-relative URLs (`//evil`, `/\\evil`, which browsers read as
    `//evil`), and control characters that browsers strip before parsing.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return default
    if target.startswith(("//", "/\\")) or "\\" in target:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
