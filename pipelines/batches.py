"""Which Arrow batch builder each spooled table uses.

The collector's spool carries rows for several tables; a row names its table in `_table`
(default `events`). The flusher groups rows by table and builds each batch here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyarrow as pa

from pipelines.events import events_batch
from pipelines.survey_responses import survey_responses_batch

TABLE_KEY = "_table"
DEFAULT_TABLE = "events"

BatchBuilder = Callable[[Iterable[Mapping[str, Any]]], pa.Table]

BUILDERS: dict[str, BatchBuilder] = {
    "events": events_batch,
    "survey_responses": survey_responses_batch,
}


def batches_by_table(rows: Iterable[Mapping[str, Any]]) -> dict[str, pa.Table]:
    """Group rows by their table and build one batch per table (raises on unknown tables)."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row.get(TABLE_KEY, DEFAULT_TABLE)), []).append(row)
    unknown = set(grouped) - set(BUILDERS)
    if unknown:
        raise ValueError(f"rows for unknown tables: {sorted(unknown)}")
    return {table: BUILDERS[table](table_rows) for table, table_rows in grouped.items()}
