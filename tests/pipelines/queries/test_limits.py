"""Every report query runs under the per-query limits the settings ask for."""

from __future__ import annotations

import uuid
from pathlib import Path

from footfall.settings import Settings
from pipelines.store import query_limits
from pipelines.store.embedded import EmbeddedStore


def test_the_connection_carries_time_and_memory_limits(chdb_dir: Path) -> None:
    settings = Settings.from_env(environ={"FOOTFALL_QUERY_MAX_SECONDS": "7", "FOOTFALL_QUERY_MAX_MEMORY_MB": "300"},
                                 env_file=None)
    store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}", query_limits(settings))
    try:
        row = store.query("SELECT getSetting('max_execution_time') AS seconds, "
                          "getSetting('max_memory_usage') AS memory, "
                          "getSetting('max_bytes_before_external_group_by') AS spill_group_by, "
                          "getSetting('max_bytes_before_external_sort') AS spill_sort")
        # Big GROUP BYs and sorts go to disk at half the limit rather than fail.
        assert row == [{"seconds": 7.0, "memory": 300 * 1024 * 1024, "spill_group_by": 150 * 1024 * 1024,
                        "spill_sort": 150 * 1024 * 1024}]
    finally:
        store.command(f"DROP DATABASE IF EXISTS {store.database}")
        store.close()
