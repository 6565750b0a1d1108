"""The one interface every part of Footfall uses to reach ClickHouse.

Two engines implement it with the same SQL: `EmbeddedStore` (chDB in this process) and
`ServerStore` (a ClickHouse server through clickhouse-connect). SQL text is always written by
us; values from users travel only as typed `{name:Type}` parameters.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

Params = Mapping[str, Any]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_DEDUP_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")

# Output formats the `sql` command offers, by the names users type.
OUTPUT_FORMATS = {"csv": "CSVWithNames", "json": "JSON", "table": "PrettyCompactMonoBlock", "tsv": "TSVWithNames"}


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def param_text(value: Any, nested: bool = False) -> str:
    """A parameter value in ClickHouse's text form, as the server's HTTP binding expects it.

    Strings are TSV-escaped, and also quoted inside arrays and maps.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, list | tuple):
        return "[" + ",".join(param_text(item, nested=True) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{param_text(k, True)}:{param_text(v, True)}" for k, v in value.items())
        return "{" + ",".join(pairs) + "}"
    if value is None:
        return "NULL" if nested else "\\N"
    if isinstance(value, str):
        # Parameters arrive in TSV-escaped text; quoted inside arrays and maps.
        escaped = value.translate(_ESCAPES)
        return "'" + escaped.replace("'", "\\'") + "'" if nested else escaped
    return str(value)


class StoreError(Exception):
    """ClickHouse rejected a statement; the message is ClickHouse's own."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (server down, data directory held by another process)."""


def checked_identifier(name: str) -> str:
    """Table and database names are ours, but check them anyway before they enter SQL text."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid ClickHouse identifier: {name!r}")
    return name


def checked_dedup_token(token: str) -> str:
    if not _DEDUP_TOKEN.match(token):
        raise ValueError(f"not a valid insert deduplication token: {token!r}")
    return token


class Store(ABC):
    """A ClickHouse database holding Footfall's tables."""

    engine: str
    database: str

    @abstractmethod
    def query_arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        """Run a SELECT and return its result as an Arrow table."""

    def query(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a SELECT and return plain rows, one dict per row."""
        return self.query_arrow(sql, params).to_pylist()  # type: ignore[no-any-return]

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        table = self.query_arrow(sql, params)
        if table.num_rows == 0:
            return None
        return table.column(0)[0].as_py()

    @abstractmethod
    def command(self, sql: str, params: Params | None = None) -> None:
        """Run a statement that returns nothing (DDL, ALTER, INSERT … SELECT)."""

    @abstractmethod
    def insert(self, table: str, data: pa.Table, dedup_token: str | None = None) -> None:
        """Append a columnar batch. Never call this once per event: batch rows first.

        Column names of `data` must be columns of `table`; omitted columns take their defaults.
        A `dedup_token` makes a retried insert of the same batch a no-op.
        """

    #: Whether `insert_json_lines` is available: rows already in JSON reach the store without
    #: being parsed and rebuilt as Arrow in Python (which holds the GIL the whole time).
    json_lines_inserts = False

    def insert_json_lines(self, table: str, data: bytes, schema: pa.Schema, dedup_token: str | None = None) -> None:
        """Append rows given as JSON Lines (one JSON object per line), typed by the Arrow `schema`.

        Timestamps are epoch milliseconds. Keys that `schema` does not name are ignored; a
        missing key takes the zero value of its type, as the Arrow batch builders do. Raises
        StoreError when the store refuses the data or is unreachable; the caller can then try
        the same rows as an Arrow batch with the same `dedup_token`.
        """
        raise NotImplementedError(f"{type(self).__name__} takes Arrow batches only")

    @abstractmethod
    def raw(self, sql: str, fmt: str, params: Params | None = None, readonly: bool = False) -> bytes:
        """Run any statement and return ClickHouse's own output in format `fmt`.

        With `readonly=True` ClickHouse itself refuses writes, DDL and setting changes.
        """

    @abstractmethod
    def ping(self) -> bool:
        """True when the store answers a trivial query."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (and, for the embedded engine, the data directory)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
