"""The DuckDB warehouse: where it is, opening it, and its schema migrations (schemas/migrations).

Loading a run is winnow.store.loader's; reading it while an ingest may be writing is
winnow.store.readonly's.
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from winnow.errors import SchemaVersionError, WarehouseError, warehouse_failure
from winnow.store.files import (
    DEFAULT_RAW,
    DEFAULT_WAREHOUSE,
    STORAGE_NUMBER,
    STORAGE_VERSION,
    raw_path,
    rules_path,
    storage_number,
    warehouse_path,
)
from winnow.store.search import sync_index
from winnow.version import __version__

# Where things are, and the file's storage format: in winnow.store.files (no DuckDB import there,
# so the command line can check them before anything heavy loads); named here as before.
__all__ = [
    "DEFAULT_RAW",
    "DEFAULT_WAREHOUSE",
    "STORAGE_NUMBER",
    "STORAGE_VERSION",
    "raw_path",
    "rules_path",
    "storage_number",
    "warehouse_path",
]


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in schemas/migrations, in order."""
    folder = resources.files("winnow.schemas.migrations")
    found = []
    for item in folder.iterdir():
        m = re.match(r"^(\d+)_(.+)\.sql$", item.name)
        if m:
            found.append((int(m.group(1)), m.group(2), item.read_text("utf-8")))
    return sorted(found)


def latest_schema_version() -> int:
    return migrations()[-1][0]


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    new = not read_only and not path.exists()
    config: dict[str, str | bool | int | float | list[str]] = (
        {"storage_compatibility_version": STORAGE_VERSION} if new else {}
    )
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except (duckdb.Error, OSError) as exc:
        raise warehouse_failure(exc, path, opening=True) from exc


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    """Migrations not applied yet. By number, not by "above the highest": migration numbers are
    reserved per branch, so 004 can land before 002 and a warehouse made in between still needs 002."""
    if not current_version(con):
        return migrations()
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    return [m for m in migrations() if m[0] not in applied]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations, each in its own transaction. Refuse a newer warehouse."""
    version = current_version(con)
    latest = latest_schema_version()
    if version > latest:
        raise SchemaVersionError(
            f"this warehouse has schema version {version}, newer than this winnow "
            f"({__version__}) understands ({latest}); upgrade winnow to open it"
        )
    for number, name, sql in pending_migrations(con):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                "name VARCHAR, applied_at TIMESTAMPTZ NOT NULL, winnow_version VARCHAR)"
            )
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                [number, name, datetime.now(UTC), __version__],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return max(version, latest)


def open_warehouse(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating when writable) the warehouse."""
    target = warehouse_path(path)
    if read_only:
        if not target.exists():
            raise WarehouseError(f"no warehouse at {target}: run `winnow ingest` first")
        con = _connect(target, read_only=True)
        version = current_version(con)
        if version > latest_schema_version():
            con.close()
            raise SchemaVersionError(
                f"this warehouse has schema version {version}, newer than this winnow understands"
            )
        if pending_migrations(con):
            # Made by an older winnow: migrate it once (briefly writable), then read as asked. If it
            # cannot be opened for writing (read-only file system; or an ingest holds it, and will
            # migrate it), go on reading: the read-only connect below reports a lock clearly.
            con.close()
            with contextlib.suppress(WarehouseError):
                open_warehouse(target).close()
            con = _connect(target, read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        return con
    target.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(target, read_only=False)
    con.execute("SET TimeZone = 'UTC'")
    migrate(con)
    sync_index(con)  # index what an older winnow loaded before the search index existed
    return con
