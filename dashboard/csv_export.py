"""Report rows as CSV that spreadsheets open safely.

- UTF-8 with a byte order mark, so Excel reads Vietnamese and Chinese text as such.
- Formula injection (OWASP "CSV Injection"): a text cell starting with `=`, `+`, `-`, `@`, a tab
  or a carriage return could run as a formula in Excel or LibreOffice, so it gets a leading `'`.
  Only text is escaped: numbers (negative ones too) stay numbers, and text cells are always
  quoted (`csv.QUOTE_NONNUMERIC`), numbers never.
- Nested values (a comparison period's point) become `prefix_key` columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def escape_cell(value: Any) -> Any:
    """A cell's value as written: numbers as they are, text escaped against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A row with nested mappings spread into `prefix_key` columns and lists joined by commas."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}_"))
        elif isinstance(value, list | tuple):
            flat[name] = ", ".join(str(item) for item in value)
        else:
            flat[name] = value
    return flat


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    """Every column, in the order first seen (a row without a comparison point lacks some)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def csv_chunks(rows: Iterable[Mapping[str, Any]], header: list[str] | None = None) -> Iterator[str]:
    """The CSV text, BOM first, in chunks of a few hundred rows."""
    flat = [flatten(row) for row in rows]
    columns = header or columns_of(flat)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([escape_cell(name) for name in columns])
    yield BOM + _drain(buffer)
    for start in range(0, len(flat), ROWS_PER_CHUNK):
        for row in flat[start:start + ROWS_PER_CHUNK]:
            writer.writerow([escape_cell(row.get(name)) for name in columns])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
