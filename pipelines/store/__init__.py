"""Open the store the settings ask for: embedded chDB by default, a ClickHouse server by URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipelines.store.base import OUTPUT_FORMATS, Store, StoreError, StoreUnavailable

if TYPE_CHECKING:
    from footfall.settings import Settings

__all__ = ["OUTPUT_FORMATS", "Store", "StoreError", "StoreUnavailable", "open_store", "query_limits"]


def query_limits(settings: Settings) -> dict[str, Any]:
    """Per-query limits so one heavy report cannot starve the collector.

    A GROUP BY or ORDER BY that outgrows half of the memory limit continues on disk (ClickHouse's
    external aggregation and sorting) instead of failing: slower, but an answer.
    """
    memory = settings.query_max_memory_mb * 1024 * 1024
    return {
        "max_execution_time": settings.query_max_seconds,
        "max_memory_usage": memory,
        "max_bytes_before_external_group_by": memory // 2,
        "max_bytes_before_external_sort": memory // 2,
    }


def open_store(settings: Settings) -> Store:
    if settings.clickhouse_url:
        from pipelines.store.server import ServerStore, parse_server_url

        address = parse_server_url(
            settings.clickhouse_url,
            user=settings.clickhouse_user,
            password=settings.clickhouse_password,
            database=settings.clickhouse_database,
            secure=settings.clickhouse_secure,
        )
        return ServerStore(address, query_limits(settings))
    from pipelines.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir, settings.clickhouse_database, query_limits(settings))
