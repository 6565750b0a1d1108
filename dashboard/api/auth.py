"""Who may call the stats API: a per-site bearer token with the `stats:read` scope.

- no `Authorization: Bearer …` header → 401 with `WWW-Authenticate: Bearer realm="footfall"`;
- an unknown or revoked token → 401 with `error="invalid_token"` (RFC 6750);
- a token of another scope (`events:write`) → 403 with `error="insufficient_scope"`;
- a token of site A asking for site B → 403.

Tokens are looked up on every request (no cache), so revoking one takes effect at once. Each token
has its own token bucket (60 requests at once, then 1 per second: 3,600 an hour); each client
address may fail to authenticate 30 times, then once every 2 seconds — enough for scripts, and a
guesser of tokens (2^256 of them) gets nowhere.
"""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from collector.ratelimit import RateLimiter, retry_after_header
from dashboard.web import store_of
from pipelines.tokens import ApiToken, find_token

SCOPE = "stats:read"
REALM = 'Bearer realm="footfall"'
TOKEN_RATE, TOKEN_BURST = 1.0, 60
FAILURE_RATE, FAILURE_BURST = 0.5, 30


class ApiLimits:
    """The API's rate limiters, one set per app."""

    def __init__(self) -> None:
        self.tokens = RateLimiter(TOKEN_RATE, TOKEN_BURST, max_clients=10_000)
        self.failures = RateLimiter(FAILURE_RATE, FAILURE_BURST, max_clients=10_000)


def limits_of(request: Request) -> ApiLimits:
    limits = getattr(request.app.state, "api_limits", None)
    if not isinstance(limits, ApiLimits):
        limits = ApiLimits()
        request.app.state.api_limits = limits
    return limits


def _too_many(wait: float, message: str) -> HTTPException:
    return HTTPException(429, message, headers={"Retry-After": retry_after_header(wait)})


def bearer(request: Request) -> str:
    """The token of the Authorization header; 401 when there is none."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "send a token: Authorization: Bearer ff_… (create one in the site's settings "
                                 "or with `footfall tokens create SITE`)", headers={"WWW-Authenticate": REALM})
    return token.strip()


async def authenticate(request: Request) -> ApiToken:
    """The request's valid stats:read token, within its rate limit."""
    limits = limits_of(request)
    address = request.client.host if request.client else ""
    token = bearer(request)
    found = await run_in_threadpool(find_token, store_of(request), token)
    if found is None:
        wait = limits.failures.allow(address)
        if wait:
            raise _too_many(wait, "too many requests with bad tokens from this address: wait and retry")
        raise HTTPException(401, "this token is unknown or revoked: create a new one in the site's settings",
                            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    if found.scope != SCOPE:
        raise HTTPException(403, f"this token's scope is {found.scope}; the stats API needs a {SCOPE} token",
                            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{SCOPE}"'})
    wait = limits.tokens.allow(hashlib.sha256(token.encode()).hexdigest())
    if wait:
        raise _too_many(wait, f"rate limit: {TOKEN_BURST} requests at once, then {TOKEN_RATE:g} per second per token")
    return found


def check_site(token: ApiToken, site_id: str) -> None:
    if site_id.strip().lower() != token.site_id:
        raise HTTPException(403, f"this token may read only site_id={token.site_id}")
