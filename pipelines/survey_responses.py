"""The Arrow shape of a batch of `survey_responses` rows: what the collector spools and tests insert.

Rows carry `kind` impression, dismiss, answer or comment. A comment row holds a follow-up comment
sent after its answer and carries the *answer's* `response_id`; reports attach the newest
comment to its answer and never count comment rows as answers (docs/surveys.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

RESPONSE_KINDS = ("impression", "dismiss", "answer", "comment")
CHANNELS = ("widget", "link")

SURVEY_RESPONSE_SCHEMA = pa.schema(
    [
        ("site_id", pa.string()),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("response_id", pa.string()),
        ("survey_id", pa.string()),
        ("survey_version", pa.uint32()),
        ("kind", pa.string()),
        ("channel", pa.string()),
        ("visitor_id", pa.uint64()),
        ("session_id", pa.uint64()),
        ("path", pa.string()),
        ("locale", pa.string()),
        ("device", pa.string()),
        ("country", pa.string()),
        ("score", pa.int16()),
        ("comment", pa.string()),
    ]
)
_REQUIRED = ("site_id", "timestamp", "response_id", "survey_id", "survey_version", "kind")
_DEFAULTS: dict[str, Any] = {"channel": "widget", "visitor_id": 0, "session_id": 0, "path": "", "locale": "",
                             "device": "", "country": "", "score": None, "comment": ""}


def survey_responses_batch(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build an Arrow batch from response dicts (extra keys such as `_table` are ignored).

    `timestamp` is a timezone-aware datetime or epoch milliseconds; `score` may be None.
    """
    columns: dict[str, list[Any]] = {name: [] for name in SURVEY_RESPONSE_SCHEMA.names}
    for row in rows:
        for name in _REQUIRED:
            if row.get(name) is None:
                raise ValueError(f"survey response is missing {name!r}")
        if row["kind"] not in RESPONSE_KINDS:
            raise ValueError(f"unknown survey response kind {row['kind']!r}")
        for name, values in columns.items():
            values.append(row.get(name, _DEFAULTS.get(name)))
    return pa.table(columns, schema=SURVEY_RESPONSE_SCHEMA)
