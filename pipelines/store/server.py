"""A ClickHouse server reached over HTTP(S) with clickhouse-connect.

The same `{name:Type}` SQL as the embedded store: clickhouse-connect sends those parameters
to the server for binding, so no value is ever formatted into SQL text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from pipelines.store.base import (
    Params,
    Store,
    StoreError,
    StoreUnavailable,
    checked_dedup_token,
    checked_identifier,
)


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    username: str
    password: str
    database: str
    secure: bool


def parse_server_url(
    url: str, user: str = "", password: str = "", database: str = "footfall", secure: str = ""
) -> ServerAddress:
    """Split `http(s)://user:pass@host:port/db`; explicit settings override what the URL says."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            f"FOOTFALL_CLICKHOUSE_URL must look like https://user:pass@host:8443/footfall, got {url!r}"
        )
    use_tls = parts.scheme == "https" if secure == "" else secure.lower() in {"1", "true", "yes", "on"}
    path_db = parts.path.strip("/")
    return ServerAddress(
        host=parts.hostname,
        port=parts.port or (8443 if use_tls else 8123),
        username=user or unquote(parts.username or "") or "default",
        password=password or unquote(parts.password or ""),
        database=checked_identifier(path_db or database),
        secure=use_tls,
    )


class ServerStore(Store):
    engine = "clickhouse-server"

    def __init__(self, address: ServerAddress, settings: dict[str, Any] | None = None) -> None:
        self.address = address
        self.database = address.database
        # clickhouse-connect clients are not safe for concurrent queries on one session.
        self._lock = threading.Lock()
        try:
            admin = self._client(database="default", settings=settings)
            admin.command(f"CREATE DATABASE IF NOT EXISTS {self.database}")
            admin.close()
            self._client_ = self._client(database=self.database, settings=settings)
        except (OperationalError, DatabaseError) as exc:
            raise StoreUnavailable(
                f"cannot reach ClickHouse at {address.host}:{address.port}: {exc}. "
                "Check FOOTFALL_CLICKHOUSE_URL and that the server is running."
            ) from exc

    def _client(self, database: str, settings: dict[str, Any] | None) -> Any:
        return clickhouse_connect.get_client(
            host=self.address.host,
            port=self.address.port,
            username=self.address.username,
            password=self.address.password,
            database=database,
            secure=self.address.secure,
            settings=settings or {},
            autogenerate_session_id=False,
        )

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                return getattr(self._client_, method)(*args, **kwargs)
            except OperationalError as exc:
                raise StoreUnavailable(str(exc)) from exc
            except DatabaseError as exc:
                raise StoreError(str(exc)) from exc

    def query_arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        return self._call("query_arrow", sql, parameters=dict(params or {}))

    def command(self, sql: str, params: Params | None = None) -> None:
        self._call("command", sql, parameters=dict(params or {}))

    def insert(self, table: str, data: pa.Table, dedup_token: str | None = None) -> None:
        if data.num_rows == 0:
            return
        # A retried batch that the table drops as a duplicate must not reach the rollups' views either.
        settings: dict[str, Any] = {"deduplicate_blocks_in_dependent_materialized_views": 1}
        if dedup_token is not None:
            settings["insert_deduplication_token"] = checked_dedup_token(dedup_token)
        self._call("insert_arrow", checked_identifier(table), data, settings=settings)

    def raw(self, sql: str, fmt: str, params: Params | None = None, readonly: bool = False) -> bytes:
        settings = {"readonly": 1} if readonly else {}
        result = self._call("raw_query", sql, parameters=dict(params or {}), settings=settings, fmt=fmt)
        return bytes(result)

    def ping(self) -> bool:
        with self._lock:
            return bool(self._client_.ping())

    def close(self) -> None:
        with self._lock:
            self._client_.close()
