"""chDB: the ClickHouse engine inside this process, on a data directory.

chDB lets one process own a data directory (and one process use only one), so we take an
exclusive lock file first and fail with a clear message instead of chDB's bare BAD_ARGUMENTS.
Stores for several databases in the same directory may coexist in one process. Parameterized queries from several
threads on one connection race (UNKNOWN_QUERY_PARAMETER), so every call holds a lock.
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading
from pathlib import Path
from typing import IO, Any

import chdb
import pyarrow as pa

from pipelines.store.base import (
    Params,
    Store,
    StoreError,
    StoreUnavailable,
    checked_dedup_token,
    checked_identifier,
    param_text,
)

LOCK_FILE = "footfall.lock"


class DataDirInUse(StoreUnavailable):
    """Another process already holds the embedded data directory."""


_held_locks: dict[Path, tuple[IO[str], int]] = {}
_held_guard = threading.Lock()


def _lock_data_dir(data_dir: Path) -> Path:
    """Hold the data dir for this process; several stores in one process share the hold."""
    key = data_dir.resolve()
    with _held_guard:
        if key in _held_locks:
            handle, count = _held_locks[key]
            _held_locks[key] = (handle, count + 1)
            return key
        if _held_locks:
            # chDB binds one process to one data directory.
            raise StoreUnavailable(f"this process already uses the data directory {next(iter(_held_locks))}")
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(data_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held open for the store's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirInUse(
                f"the data directory {data_dir} is in use by another Footfall process (pid {owner}). "
                "Stop that process, or point FOOTFALL_DATA_DIR elsewhere."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _held_locks[key] = (handle, 1)
        return key


def _unlock_data_dir(key: Path) -> None:
    with _held_guard:
        handle, count = _held_locks[key]
        if count > 1:
            _held_locks[key] = (handle, count - 1)
            return
        del _held_locks[key]
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


_CLICKHOUSE_TYPES = {
    pa.string(): "String", pa.bool_(): "Bool", pa.float32(): "Float32", pa.float64(): "Float64",
    pa.uint8(): "UInt8", pa.uint16(): "UInt16", pa.uint32(): "UInt32", pa.uint64(): "UInt64",
    pa.int8(): "Int8", pa.int16(): "Int16", pa.int32(): "Int32", pa.int64(): "Int64",
    pa.map_(pa.string(), pa.string()): "Map(String, String)",
}


_NARROW_INTEGERS = frozenset({pa.uint8(), pa.uint16(), pa.uint32(), pa.int8(), pa.int16(), pa.int32()})


@functools.lru_cache(maxsize=16)
def _json_lines_shape(schema: pa.Schema) -> tuple[str, str, str, str]:
    """For `insert_json_lines`: the file's structure, the insert's columns, what to select and
    the check that required values are there."""
    structure, select, required = [], [], []
    for field in schema:
        name = checked_identifier(field.name)
        if pa.types.is_timestamp(field.type) and field.type.unit == "ms":
            # Required, as the batch builders require it: a row without one fails the insert.
            structure.append(f"{name} Nullable(Int64)")
            select.append(f"fromUnixTimestamp64Milli(assumeNotNull({name}))")  # by position, no alias
            required.append(f"throwIf(isNull({name}), 'a row has no {name}') = 0")
        elif field.type in _NARROW_INTEGERS:
            # Read wide, then cast with a check: a value out of range fails, as it does in Arrow,
            # instead of wrapping around.
            structure.append(f"{name} Int64")
            select.append(f"accurateCast({name}, '{_CLICKHOUSE_TYPES[field.type]}')")
        elif field.type in _CLICKHOUSE_TYPES:
            structure.append(f"{name} {_CLICKHOUSE_TYPES[field.type]}")
            select.append(name)
        else:
            raise ValueError(f"no JSON Lines insert for {field.name} of type {field.type}")
    where = " WHERE " + " AND ".join(required) if required else ""
    return ", ".join(structure), ", ".join(checked_identifier(f.name) for f in schema), ", ".join(select), where


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _clean(params: Params | None) -> dict[str, str]:
    return {name: param_text(value) for name, value in (params or {}).items()}


class EmbeddedStore(Store):
    engine = "chdb"

    def __init__(self, data_dir: Path, database: str, settings: dict[str, Any] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.database = checked_identifier(database)
        self._lock_key: Path | None = _lock_data_dir(self.data_dir)
        self._lock = threading.Lock()
        self._ro_lock = threading.Lock()
        self._settings = settings or {}
        self._path = str((self.data_dir / "clickhouse").resolve())
        try:
            self._conn = chdb.connect(self._connection_string())  # type: ignore[no-untyped-call]
            self._conn.query(f"CREATE DATABASE IF NOT EXISTS {self.database}")
            self._conn.query(f"USE {self.database}")
        except Exception as exc:
            self._release_lock()
            raise StoreUnavailable(f"could not open the embedded store in {self._path}: {exc}") from exc
        self._ro_conn: Any = None

    def _connection_string(self, **extra: Any) -> str:
        options = {**self._settings, **extra}
        query = "&".join(f"{key}={value}" for key, value in options.items())
        return f"{self._path}?{query}" if query else self._path

    def _run(self, sql: str, fmt: str, params: Params | None) -> Any:
        with self._lock:
            try:
                return self._conn.query(sql, fmt, params=_clean(params))
            except Exception as exc:  # chDB raises its own error types; keep ClickHouse's message
                raise StoreError(str(exc)) from exc

    def query_arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        result = self._run(sql, "ArrowTable", params)
        assert isinstance(result, pa.Table)
        return result

    def command(self, sql: str, params: Params | None = None) -> None:
        self._run(sql, "CSV", params)

    def insert(self, table: str, data: pa.Table, dedup_token: str | None = None) -> None:
        if data.num_rows == 0:
            return
        columns = ", ".join(checked_identifier(name) for name in data.column_names)
        # A retried batch that the table drops as a duplicate must not reach the rollups' views either.
        settings = " SETTINGS deduplicate_blocks_in_dependent_materialized_views = 1"
        if dedup_token is not None:
            settings += f", insert_deduplication_token = '{checked_dedup_token(dedup_token)}'"
        # chDB's Python() table function reads the local variable named `batch` by name.
        batch = data  # noqa: F841
        self.command(
            f"INSERT INTO {checked_identifier(table)} ({columns}){settings} "
            f"SELECT {columns} FROM Python(batch)"
        )

    json_lines_inserts = True

    def insert_json_lines(self, table: str, data: bytes, schema: pa.Schema, dedup_token: str | None = None) -> None:
        """ClickHouse parses the rows itself, from a scratch file (chDB reads local files, and a
        query cannot carry megabytes of data): no Python object per row or per value."""
        if not data.strip():
            return
        structure, columns, select, where = _json_lines_shape(schema)
        scratch = self.data_dir / "insert"
        scratch.mkdir(exist_ok=True)
        path = scratch / f"{checked_identifier(table)}-{threading.get_ident()}.jsonl"
        path.write_bytes(data)
        # One thread and no parallel parsing: the batch stays one block, so a retry with the same
        # token is recognised as the same block (and the collector keeps its CPU).
        settings = (" SETTINGS deduplicate_blocks_in_dependent_materialized_views = 1, max_threads = 1,"
                    " max_insert_threads = 1, input_format_parallel_parsing = 0,"
                    " input_format_skip_unknown_fields = 1")
        if dedup_token is not None:
            settings += f", insert_deduplication_token = '{checked_dedup_token(dedup_token)}'"
        try:
            self.command(
                f"INSERT INTO {checked_identifier(table)} ({columns}){settings} "
                f"SELECT {select} FROM file({_quoted(str(path))}, 'JSONEachRow', {_quoted(structure)}){where}"
            )
        finally:
            path.unlink(missing_ok=True)

    def raw(self, sql: str, fmt: str, params: Params | None = None, readonly: bool = False) -> bytes:
        if not readonly:
            return bytes(self._run(sql, fmt, params).bytes())
        with self._ro_lock:
            try:
                if self._ro_conn is None:
                    # A second connection on the same engine whose session ClickHouse keeps read-only.
                    self._ro_conn = chdb.connect(  # type: ignore[no-untyped-call]
                        self._connection_string(readonly=1)
                    )
                    self._ro_conn.query(f"USE {self.database}")
                return bytes(self._ro_conn.query(sql, fmt, params=_clean(params)).bytes())
            except Exception as exc:
                raise StoreError(str(exc)) from exc

    def ping(self) -> bool:
        try:
            return bool(self.scalar("SELECT 1") == 1)
        except StoreError:
            return False

    def _release_lock(self) -> None:
        if self._lock_key is not None:
            _unlock_data_dir(self._lock_key)
            self._lock_key = None

    def close(self) -> None:
        with self._lock:
            for conn in (self._ro_conn, getattr(self, "_conn", None)):
                if conn is not None:
                    conn.close()
            self._ro_conn = None
            self._conn = None
        self._release_lock()
