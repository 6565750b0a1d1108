"""Numbered SQL migrations (`pipelines/migrations/NNNN_name.sql`) and the schema snapshot.

Applied versions are recorded in `schema_migrations` with a checksum; running again applies
only what is pending, and a migration edited after it was applied is refused. Every
statement is `IF NOT EXISTS`-safe, so a run cut short can simply be repeated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.store.base import Store

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SCHEMA_SNAPSHOT = Path(__file__).parent / "schema.sql"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_EARLIER_CHECKSUM = re.compile(r"^-- earlier checksum: ([0-9a-f]{64})[ \t]*$", re.MULTILINE)

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32 COMMENT 'Number of the applied migration file',
    name String COMMENT 'Name of the migration file',
    checksum String COMMENT 'SHA-256 of the file as applied',
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When it was applied'
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version
"""


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def earlier_checksums(self) -> set[str]:
        """Checksums of earlier texts of this migration that left a store in the same state.

        A migration is amended in place only to fix how it runs (one that failed on large stores),
        never what it makes; its file then names each earlier text's checksum on a line
        `-- earlier checksum: <sha256>`, so stores that applied that text stay up to date.
        """
        return set(_EARLIER_CHECKSUM.findall(self.sql))

    def statements(self) -> list[str]:
        """Statements end with `;` at the end of a line; comment-only chunks are skipped."""
        chunks = re.split(r";[ \t]*(?:\n|$)", self.sql)
        meaningful = []
        for chunk in chunks:
            code = "\n".join(line for line in chunk.splitlines() if not line.strip().startswith("--"))
            if code.strip():
                meaningful.append(chunk.strip())
        return meaningful


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_case_name.sql")
        migrations.append(Migration(int(match.group(1)), match.group(2), path.read_text()))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a number in {directory}")
    return migrations


def applied_checksums(store: Store) -> dict[int, str]:
    store.command(_CREATE_LEDGER)
    rows = store.query("SELECT version, checksum FROM schema_migrations FINAL")
    return {int(row["version"]): str(row["checksum"]) for row in rows}


def pending_migrations(store: Store, migrations: list[Migration] | None = None) -> list[Migration]:
    migrations = load_migrations() if migrations is None else migrations
    applied = applied_checksums(store)
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum and recorded not in migration.earlier_checksums:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} was edited after it was applied; "
                "add a new numbered migration instead of changing an applied one"
            )
    return [m for m in migrations if m.version not in applied]


def migrate(
    store: Store,
    migrations: list[Migration] | None = None,
    on_applied: Callable[[Migration], None] | None = None,
) -> list[Migration]:
    """Apply every pending migration in order; return the ones applied."""
    pending = pending_migrations(store, migrations)
    for migration in pending:
        for statement in migration.statements():
            store.command(statement)
        store.command(
            "INSERT INTO schema_migrations (version, name, checksum) "
            "VALUES ({version:UInt32}, {name:String}, {checksum:String})",
            {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
        )
        if on_applied is not None:
            on_applied(migration)
    return pending


def schema_snapshot(store: Store) -> str:
    """Every table's CREATE statement, without the database name, in a stable order."""
    tables = store.query(
        "SELECT name FROM system.tables WHERE database = {db:String} AND NOT is_temporary ORDER BY name",
        {"db": store.database},
    )
    parts = ["-- Generated by `footfall migrate --snapshot`; do not edit. Numbered migrations are the source."]
    for row in tables:
        create = store.scalar(
            "SELECT formatQuery(create_table_query) FROM system.tables "
            "WHERE database = {db:String} AND name = {t:String}",
            {"db": store.database, "t": row["name"]},
        )
        # Drop the database name wherever it qualifies a table (CREATE, views' TO and FROM).
        create = re.sub(rf"(?<![\w.`]){re.escape(store.database)}\.(?=[`\w])", "", str(create))
        parts.append(create.rstrip() + ";")
    return "\n\n".join(parts) + "\n"
