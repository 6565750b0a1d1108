"""The store of a running `footfall serve`, reached through its admin endpoint.

The embedded engine lets one process open a data directory. While `footfall serve` holds it,
the CLI's commands (`sites add`, `tokens create`, `users add`, `surveys …`, `demo-data`) use this
store instead: every call goes to `POST /api/admin/store` on the server, which runs it on its
own store. The server's admin token (kept in `<data dir>/server.json`, readable only by its owner)
authorizes the calls, so whoever may read the data directory may use it — as they could anyway.

Query parameters travel as JSON with dates and times tagged; results and inserted batches travel
as Arrow IPC streams, so types survive the trip.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import httpx
import orjson
import pyarrow as pa

from pipelines.store.base import Params, Store, StoreError, StoreUnavailable

ENDPOINT = "/api/admin/store"
ARROW_STREAM = "application/vnd.apache.arrow.stream"


def encode_params(params: Params | None) -> Any:
    """Parameters as JSON: datetimes and dates tagged, tuples as lists, the rest as they are."""

    def encode(value: Any) -> Any:
        if isinstance(value, datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        if isinstance(value, list | tuple | set | frozenset):
            return [encode(item) for item in value]
        if isinstance(value, dict):
            return {str(key): encode(item) for key, item in value.items()}
        return value if value is None or isinstance(value, str | int | float | bool) else str(value)

    return {name: encode(value) for name, value in (params or {}).items()}


def decode_params(data: Any) -> dict[str, Any]:
    """What `encode_params` made, back into Python values."""

    def decode(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"$datetime"}:
                return datetime.fromisoformat(value["$datetime"])
            if set(value) == {"$date"}:
                return date.fromisoformat(value["$date"])
            return {key: decode(item) for key, item in value.items()}
        if isinstance(value, list):
            return [decode(item) for item in value]
        return value

    if not isinstance(data, dict):
        raise ValueError("params must be a JSON object")
    return {str(name): decode(value) for name, value in data.items()}


def arrow_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def arrow_table(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


class RemoteStore(Store):
    engine = "remote"

    def __init__(self, url: str, admin_token: str, database: str = "", timeout: float = 600) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self._client = httpx.Client(base_url=self.url, timeout=timeout,
                                    headers={"Authorization": f"Bearer {admin_token}"})

    def _post(self, op: str, content: bytes, **query: str) -> bytes:
        try:
            response = self._client.post(ENDPOINT, params={"op": op, **query}, content=content)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"could not reach the running server at {self.url}: {exc}") from exc
        if response.status_code != 200:
            try:
                message = str(response.json().get("error", response.text))
            except ValueError:
                message = response.text
            raise StoreError(f"the running server refused: {message}")
        return response.content

    def _statement(self, op: str, sql: str, params: Params | None, **extra: Any) -> bytes:
        return self._post(op, orjson.dumps({"sql": sql, "params": encode_params(params), **extra}))

    def query_arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        return arrow_table(self._statement("query", sql, params))

    def command(self, sql: str, params: Params | None = None) -> None:
        self._statement("command", sql, params)

    def insert(self, table: str, data: pa.Table, dedup_token: str | None = None) -> None:
        self._post("insert", arrow_bytes(data), table=table, **({"dedup_token": dedup_token} if dedup_token else {}))

    def raw(self, sql: str, fmt: str, params: Params | None = None, readonly: bool = False) -> bytes:
        return self._statement("raw", sql, params, format=fmt, readonly=readonly)

    def ping(self) -> bool:
        try:
            return self._post("ping", b"") == b"ok"
        except StoreError:
            return False

    def close(self) -> None:
        self._client.close()
