"""The Arrow shape of a batch of `events` rows: what the collector and demo data insert.

Kept beside the migrations that create the table; a test checks both name the same columns
with compatible types. Columns left out of a batch take their ClickHouse defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

_MAP = pa.map_(pa.string(), pa.string())
_TS = pa.timestamp("ms", tz="UTC")

EVENT_SCHEMA = pa.schema(
    [
        ("site_id", pa.string()),
        ("timestamp", _TS),
        ("event_id", pa.string()),
        ("event_type", pa.string()),
        ("event_name", pa.string()),
        ("visitor_id", pa.uint64()),
        ("session_id", pa.uint64()),
        ("hostname", pa.string()),
        ("path", pa.string()),
        ("query", pa.string()),
        ("title", pa.string()),
        ("referrer", pa.string()),
        ("referrer_source", pa.string()),
        ("referrer_medium", pa.string()),
        ("search_term", pa.string()),
        ("utm_source", pa.string()),
        ("utm_medium", pa.string()),
        ("utm_campaign", pa.string()),
        ("utm_term", pa.string()),
        ("utm_content", pa.string()),
        ("country", pa.string()),
        ("region", pa.string()),
        ("city", pa.string()),
        ("browser", pa.string()),
        ("browser_version", pa.string()),
        ("os", pa.string()),
        ("os_version", pa.string()),
        ("device", pa.string()),
        ("screen_width", pa.uint16()),
        ("screen_height", pa.uint16()),
        ("language", pa.string()),
        ("timezone", pa.string()),
        ("click_x", pa.float32()),
        ("click_y", pa.uint32()),
        ("click_selector", pa.string()),
        ("click_offset_x", pa.float32()),
        ("click_offset_y", pa.float32()),
        ("viewport_width", pa.uint16()),
        ("document_height", pa.uint32()),
        ("rage_click", pa.bool_()),
        ("engagement_ms", pa.uint32()),
        ("scroll_depth", pa.uint8()),
        ("props", _MAP),
        ("client_ip", pa.string()),
        ("retention_days", pa.uint16()),
    ]
)

_DEFAULTS: dict[str, Any] = {
    field.name: (
        {} if field.type == _MAP
        else False if field.type == pa.bool_()
        else 0 if pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
        else ""
    )
    for field in EVENT_SCHEMA
    if field.name != "timestamp"
}


def events_batch(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build an Arrow batch from event dicts; missing fields get the column's zero value.

    `timestamp` must be given (a timezone-aware datetime or epoch milliseconds); `props` is a
    dict of strings.
    """
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_SCHEMA.names}
    for row in rows:
        for name, values in columns.items():
            value = row.get(name)
            if value is None:
                value = _DEFAULTS.get(name)
                if value is None:
                    raise ValueError(f"event is missing {name!r}")
            if name == "props":
                value = list(value.items())
            values.append(value)
    return pa.table(columns, schema=EVENT_SCHEMA)
