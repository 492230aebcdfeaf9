"""Reading the warehouse while an ingest may be writing it.

DuckDB lets one process hold a database file for writing, and refuses every other process, even
read-only ones, until it lets go. So a reader that finds the file locked either says so clearly or,
when asked to wait, retries until the writer has finished. This works whatever lock the writer
takes on top, because it relies on DuckDB's own refusal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import duckdb

from winnow.errors import ReadOnlyViolation, WarehouseLocked
from winnow.store.warehouse import open_warehouse

POLL_SECONDS = 0.5

# Statement kinds that cannot change the warehouse (the read-only connection is the hard guarantee:
# COPY ... FROM, for one, is refused by DuckDB itself).
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "SET", "CALL", "COPY"})


def open_reader(
    path: str | os.PathLike[str] | None = None,
    *,
    wait: bool = False,
    write: bool = False,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only (or writable with `write`). If a writer holds it: raise
    WarehouseLocked, or with `wait` retry until it is free (or `timeout` seconds have passed),
    calling `on_wait` once."""
    deadline = None if timeout is None else time.monotonic() + timeout
    told = False
    while True:
        try:
            return open_warehouse(path, read_only=not write)
        except WarehouseLocked as exc:
            if not wait:
                raise WarehouseLocked(f"{exc} (or pass --wait to wait for it)") from exc
            if deadline is not None and time.monotonic() >= deadline:
                raise WarehouseLocked(f"{exc}; gave up after waiting {timeout:g}s") from exc
            if on_wait and not told:
                on_wait(str(exc))
                told = True
            time.sleep(POLL_SECONDS)


def statement_kinds(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The kind of each statement in `sql` (SELECT, INSERT, CREATE, ...), without running it."""
    return [s.type.name for s in con.extract_statements(sql)]


def refuse_writes(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise ReadOnlyViolation if any statement in `sql` would write."""
    writes = [k for k in statement_kinds(con, sql) if k not in READ_STATEMENTS]
    if writes:
        raise ReadOnlyViolation(
            f"this SQL writes to the warehouse ({', '.join(sorted(set(writes)))} statement); "
            "`winnow query` is read-only unless you pass --write"
        )
