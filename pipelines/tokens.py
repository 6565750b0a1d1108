"""API tokens: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from pipelines.store.base import Store

SCOPES = ("stats:read", "events:write")
TOKEN_PREFIX = "ff_"


@dataclass(frozen=True)
class ApiToken:
    site_id: str
    scope: str
    name: str
    token_prefix: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, site_id: str, scope: str = "stats:read", name: str = "") -> str:
    """Make a token for one site and scope; return the token, which is never stored."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    store.command(
        "INSERT INTO api_tokens (token_hash, token_prefix, site_id, scope, name, updated_at) "
        "VALUES ({h:String}, {p:String}, {site:String}, {scope:String}, {name:String}, now64(3))",
        {"h": _digest(token), "p": token[:10], "site": site_id, "scope": scope, "name": name},
    )
    return token


def find_token(store: Store, token: str) -> ApiToken | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    rows = store.query(
        "SELECT site_id, scope, name, token_prefix FROM api_tokens FINAL "
        "WHERE token_hash = {h:String} AND NOT revoked",
        {"h": _digest(token)},
    )
    return ApiToken(**rows[0]) if rows else None


def list_tokens(store: Store, site_id: str) -> list[dict[str, Any]]:
    """A site's live tokens, newest first: prefix, name, scope and when each was created."""
    return store.query(
        "SELECT token_prefix, name, scope, created_at FROM api_tokens FINAL "
        "WHERE site_id = {site:String} AND NOT revoked ORDER BY created_at DESC, token_prefix",
        {"site": site_id},
    )


def revoke_token(store: Store, token_prefix: str, site_id: str | None = None) -> int:
    """Revoke every token whose shown prefix matches (only the site's, when `site_id` is given);
    return how many."""
    rows = store.query(
        "SELECT token_hash, token_prefix, site_id, scope, name, created_at FROM api_tokens FINAL "
        "WHERE token_prefix = {p:String} AND NOT revoked AND ({site:String} = '' OR site_id = {site:String})",
        {"p": token_prefix, "site": site_id or ""},
    )
    for row in rows:
        store.command(
            "INSERT INTO api_tokens (token_hash, token_prefix, site_id, scope, name, created_at, revoked, "
            "updated_at) VALUES ({token_hash:String}, {token_prefix:String}, {site_id:String}, {scope:String}, "
            "{name:String}, {created_at:DateTime64(3, 'UTC')}, true, now64(3))",
            row,
        )
    return len(rows)
