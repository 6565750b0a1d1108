from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.migrate import (
    SCHEMA_SNAPSHOT,
    Migration,
    MigrationError,
    load_migrations,
    migrate,
    schema_snapshot,
)
from pipelines.store.base import Store


def test_fresh_store_matches_the_checked_in_snapshot(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    migrate(store)
    assert schema_snapshot(store) == SCHEMA_SNAPSHOT.read_text(), (
        "the schema changed: run `footfall migrate --snapshot` and commit pipelines/schema.sql"
    )


def test_migrating_twice_applies_nothing_new(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    first = migrate(store)
    assert [m.version for m in first] == [m.version for m in load_migrations()]
    assert migrate(store) == []
    assert store.scalar("SELECT count() FROM schema_migrations FINAL") == len(first)


def test_a_run_cut_short_can_be_repeated(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    migrations = load_migrations()
    # Apply the first migration's statements without recording it, as if the process died.
    for statement in migrations[0].statements():
        store.command(statement)
    assert [m.version for m in migrate(store)] == [m.version for m in migrations]


def test_an_applied_migration_edited_later_is_refused(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    original = Migration(1, "things", "CREATE TABLE IF NOT EXISTS things (a UInt8) ENGINE = MergeTree ORDER BY a;")
    migrate(store, [original])
    edited = Migration(1, "things", original.sql.replace("UInt8", "UInt16"))
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(store, [edited])


def test_an_amended_migration_naming_the_applied_text_is_up_to_date(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    original = Migration(1, "things", "CREATE TABLE IF NOT EXISTS things (a UInt8) ENGINE = MergeTree ORDER BY a;")
    migrate(store, [original])
    amended = Migration(1, "things", f"-- earlier checksum: {original.checksum}\n"
                        + original.sql.replace("ORDER BY a", "ORDER BY a SETTINGS index_granularity = 8192"))
    assert migrate(store, [amended]) == []  # not applied again, not refused
    other = Migration(1, "things", f"-- earlier checksum: {'0' * 64}\n{original.sql} ")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(store, [other])


def test_new_migrations_apply_in_order(make_store: Callable[..., Store]) -> None:
    store = make_store(migrated=False)
    one = Migration(1, "a", "CREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = MergeTree ORDER BY x;")
    two = Migration(2, "b", "-- adds a column\nALTER TABLE a ADD COLUMN IF NOT EXISTS y String;\n")
    migrate(store, [one])
    assert [m.version for m in migrate(store, [one, two])] == [2]
    columns = [r["name"] for r in store.query(
        "SELECT name FROM system.columns WHERE database = {db:String} AND table = 'a' ORDER BY position",
        {"db": store.database})]
    assert columns == ["x", "y"]


def test_statements_split_on_semicolons_at_line_ends_and_skip_comments() -> None:
    sql = "-- header\nCREATE TABLE a (s String DEFAULT 'x;y') ENGINE = Memory;\n\n-- only a comment;\nSELECT 1;"
    statements = Migration(9, "x", sql).statements()
    assert len(statements) == 2
    assert "'x;y'" in statements[0]
    assert statements[1] == "SELECT 1"


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_events.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_case_name.sql"):
        load_migrations(tmp_path)


def test_duplicate_numbers_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="share a number"):
        load_migrations(tmp_path)
