"""Dashboard users with argon2id password hashes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines.store.base import Store

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    name: str
    is_admin: bool
    locale: str
    password_hash: str


def _normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise UserError(f"{email!r} is not an e-mail address")
    return email


def find_user(store: Store, email: str) -> User | None:
    rows = store.query(
        "SELECT toString(user_id) AS user_id, email, name, is_admin, locale, password_hash "
        "FROM users FINAL WHERE email = {email:String} AND NOT deleted ORDER BY updated_at DESC LIMIT 1",
        {"email": email.strip().lower()},
    )
    return User(**rows[0]) if rows else None


def save_user(store: Store, email: str, password: str, is_admin: bool = False, name: str = "") -> User:
    """Add a user, or set a new password for an existing one (which ends their sessions)."""
    email = _normalize_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    existing = find_user(store, email)
    user = User(
        user_id=existing.user_id if existing else str(uuid.uuid4()),
        email=email,
        name=name or (existing.name if existing else email.split("@")[0]),
        is_admin=is_admin or (existing.is_admin if existing else False),
        locale=existing.locale if existing else "",
        password_hash=_hasher.hash(password),
    )
    store.command(
        "INSERT INTO users (user_id, email, name, password_hash, is_admin, locale, password_changed_at, "
        "updated_at) VALUES ({user_id:UUID}, {email:String}, {name:String}, {password_hash:String}, "
        "{is_admin:Bool}, {locale:String}, now64(3), now64(3))",
        {
            "user_id": user.user_id,
            "email": user.email,
            "name": user.name,
            "password_hash": user.password_hash,
            "is_admin": user.is_admin,
            "locale": user.locale,
        },
    )
    return user


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def count_users(store: Store) -> int:
    return int(store.scalar("SELECT count() FROM users FINAL WHERE NOT deleted") or 0)


LOCALES = ("en", "vi", "zh")  # the dashboard's languages; "" means: from the browser


def set_locale(store: Store, user_id: str, locale: str) -> None:
    """Store the user's language (a new row version; everything else, the password too, unchanged)."""
    if locale and locale not in LOCALES:
        raise UserError(f"unknown language {locale!r}: use one of {', '.join(LOCALES)} or none")
    store.command(
        "INSERT INTO users (user_id, email, name, password_hash, is_admin, locale, password_changed_at, "
        "created_at, updated_at, deleted) SELECT user_id, email, name, password_hash, is_admin, {locale:String}, "
        "password_changed_at, created_at, now64(3), deleted FROM users FINAL "
        "WHERE user_id = {user_id:UUID} AND NOT deleted",
        {"user_id": user_id, "locale": locale},
    )
