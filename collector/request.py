"""Parse and validate an ingest request body into event payloads with long keys.

The tracker sends short keys to stay small; server-side senders may use the long names. Both
map to one field. Strings are clamped to their limits, numbers to their ranges; a value of the
wrong type rejects the request with a message naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from collector.pipeline import DropReason

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH = 100
MAX_PROPS = 30
MAX_PROP_KEY = 100
MAX_PROP_VALUE = 500


@dataclass(frozen=True)
class Field:
    short: str
    long: str
    kind: str  # "str", "int", "float", "bool", "props", "time"
    limit: float = 0  # longest string, or largest number


FIELDS = (
    Field("n", "name", "str", 120),
    Field("s", "site", "str", 253),
    Field("u", "url", "str", 2000),
    Field("r", "referrer", "str", 2000),
    Field("t", "title", "str", 1000),
    Field("w", "screen_width", "int", 65535),
    Field("h", "screen_height", "int", 65535),
    Field("l", "language", "str", 35),
    Field("z", "timezone", "str", 64),
    Field("v", "visitor", "str", 128),
    Field("i", "id", "str", 64),
    Field("p", "props", "props"),
    Field("e", "engagement_ms", "int", 86_400_000),
    Field("d", "scroll_depth", "int", 100),
    Field("cx", "click_x", "float", 1),
    Field("cy", "click_y", "int", 4_000_000_000),
    Field("cs", "click_selector", "str", 200),
    Field("ox", "click_offset_x", "float", 1),
    Field("oy", "click_offset_y", "float", 1),
    Field("vw", "viewport_width", "int", 65535),
    Field("dh", "document_height", "int", 4_000_000_000),
    Field("rc", "rage_click", "bool"),
    # Senders other than our tracker can flag automated browsers; the tracker itself sends
    # nothing from them unless a test opts in with data-allow-webdriver.
    Field("b", "webdriver", "bool"),
    # Honoured only with a server API token (server-side tracking):
    Field("ts", "timestamp", "time"),
    Field("ip", "ip", "str", 45),
    Field("ua", "user_agent", "str", 1000),
)
BY_KEY = {f.short: f for f in FIELDS} | {f.long: f for f in FIELDS}
# What normalize_event needs of each key, unpacked once: (field, long name, kind, limit).
_SPECS = {key: (f, f.long, f.kind, int(f.limit)) for key, f in BY_KEY.items()}


@dataclass
class BadRequest(Exception):
    """A request that cannot be events: the status, the counted reason and a message."""

    status: int
    reason: DropReason
    message: str


def parse_body(body: bytes) -> list[dict[str, Any]]:
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, DropReason.TOO_LARGE, f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(400, DropReason.MALFORMED_JSON, f"the body is not valid JSON: {exc}") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_BATCH:
        raise BadRequest(400, DropReason.BAD_BATCH, f"send 1 to {MAX_BATCH} events per request")
    return [normalize_event(item) for item in items]


def normalize_event(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadRequest(400, DropReason.NOT_AN_OBJECT, "each event must be a JSON object")
    event: dict[str, Any] = {}
    for key, value in item.items():
        spec = _SPECS.get(key)
        if spec is None or value is None:
            continue  # unknown keys are ignored, so newer trackers work with older collectors
        field, long, kind, limit = spec
        # Most values are strings or whole numbers in range: taken here, without a call per value.
        if kind == "str" and type(value) is str:
            event[long] = value[:limit]
        elif kind == "int" and type(value) is int and 0 <= value <= limit:
            event[long] = value
        else:
            event[long] = _coerce(field, value)
    if not event.get("url"):
        raise BadRequest(400, DropReason.MISSING_URL, "each event needs the page URL (key 'u' or 'url')")
    event.setdefault("name", "pageview")
    if not event["name"].strip():
        raise BadRequest(400, DropReason.BAD_FIELD, "name must not be empty")
    return event


def _bad(field: Field, expected: str) -> BadRequest:
    return BadRequest(400, DropReason.BAD_FIELD, f"{field.long} ({field.short}) must be {expected}")


def _coerce(field: Field, value: Any) -> Any:
    if field.kind == "str":
        if not isinstance(value, str):
            raise _bad(field, "a string")
        return value[: int(field.limit)]
    if field.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN
            raise _bad(field, "a number")
        clamped = max(0.0, min(float(value), field.limit))
        return int(clamped) if field.kind == "int" else clamped
    if field.kind == "bool":
        if not isinstance(value, bool | int):
            raise _bad(field, "true or false")
        return bool(value)
    if field.kind == "time":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(field, "milliseconds since 1970-01-01 UTC")
        return int(value)
    return _props(field, value)


def _props(field: Field, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _bad(field, "an object of strings")
    props: dict[str, str] = {}
    for key, item in list(value.items())[:MAX_PROPS]:
        if isinstance(item, dict | list) or item is None:
            raise _bad(field, "an object whose values are strings, numbers or booleans")
        text = ("true" if item else "false") if isinstance(item, bool) else str(item)
        props[str(key)[:MAX_PROP_KEY]] = text[:MAX_PROP_VALUE]
    return props
