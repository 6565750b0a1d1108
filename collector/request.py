"""Parse and validate an ingest request body into raw event dicts with long keys.

The tracker sends one-letter keys to stay small; server-side senders may use the long names.
Both map to the same field. Lengths are clamped here, before any step sees the event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH = 100

# short key -> (long key, longest accepted length for strings)
FIELDS: dict[str, tuple[str, int]] = {
    "n": ("name", 120),
    "s": ("site", 253),
    "u": ("url", 2000),
    "r": ("referrer", 2000),
    "t": ("title", 1000),
    "w": ("screen_width", 0),
    "h": ("screen_height", 0),
    "l": ("language", 35),
    "z": ("timezone", 64),
    "v": ("visitor", 64),
    "i": ("id", 36),
    "p": ("props", 0),
    "e": ("engagement_ms", 0),
    "d": ("scroll_depth", 0),
}
LONG_KEYS = {long: (long, limit) for long, limit in FIELDS.values()}


@dataclass
class BadRequest(Exception):
    """A request that cannot be an event; `reason` is the counted drop reason."""

    status: int
    reason: str
    message: str


def parse_body(body: bytes) -> list[dict[str, Any]]:
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, "too_large", f"body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(400, "malformed_json", f"body is not JSON: {exc}") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_BATCH:
        raise BadRequest(400, "bad_batch", f"send 1 to {MAX_BATCH} events per request")
    return [normalize_event(item) for item in items]


def normalize_event(item: Any) -> dict[str, Any]:
    """Long keys, clamped strings; unknown keys are ignored."""
    if not isinstance(item, dict):
        raise BadRequest(400, "not_an_object", "each event must be a JSON object")
    event: dict[str, Any] = {}
    for key, value in item.items():
        long_key, limit = FIELDS.get(key) or LONG_KEYS.get(key) or (None, 0)
        if long_key is None or value is None:
            continue
        if limit:
            if not isinstance(value, str):
                raise BadRequest(400, "bad_field", f"{long_key} must be a string")
            value = value[:limit]
        event[long_key] = value
    if not event.get("url"):
        raise BadRequest(400, "missing_url", "each event needs a url (key 'u' or 'url')")
    event.setdefault("name", "pageview")
    return event
