"""Reading the warehouse while an ingest may be writing it, and only the warehouse.

DuckDB lets one process hold a database file for writing, and refuses every other process, even
read-only ones, until it lets go. So a reader that finds the file locked either says so clearly or,
when asked to wait, retries until the writer has finished. This works whatever lock the writer
takes on top, because it relies on DuckDB's own refusal.

A reader's connection is also closed to everything but the warehouse, by DuckDB's own guards rather
than a list of statements: `enable_external_access = false` refuses COPY TO/FROM a file, read_csv,
read_text, glob, ATTACH, EXPORT DATABASE and extension loading, and `lock_configuration = true`
refuses every SET or PRAGMA that would undo that or write a file (profiling_output, log paths).
No read-side command needs a directory of its own (export writes through Arrow, not COPY), so
there is no allow-list to open.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import duckdb

from winnow.errors import ReadOnlyViolation, WarehouseLocked, WinnowError
from winnow.store.warehouse import open_warehouse

POLL_SECONDS = 0.5

# Run before the configuration is locked: the last settings a reader's connection may take.
_GUARDS = ("SET enable_external_access = false", "SET lock_configuration = true")


def open_reader(
    path: str | os.PathLike[str] | None = None,
    *,
    wait: bool = False,
    write: bool = False,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only (or writable with `write`), closed to every other file (see the
    module's note). If a writer holds it: raise WarehouseLocked, or with `wait` retry until it is
    free (or `timeout` seconds have passed), calling `on_wait` once."""
    deadline = None if timeout is None else time.monotonic() + timeout
    told = False
    while True:
        try:
            con = open_warehouse(path, read_only=not write)
            for guard in _GUARDS:
                con.execute(guard)
            return con
        except WarehouseLocked as exc:
            if not wait:
                raise WarehouseLocked(f"{exc} (or pass --wait to wait for it)") from exc
            if deadline is not None and time.monotonic() >= deadline:
                raise WarehouseLocked(f"{exc}; gave up after waiting {timeout:g}s") from exc
            if on_wait and not told:
                on_wait(str(exc))
                told = True
            time.sleep(POLL_SECONDS)


def statements(con: duckdb.DuckDBPyConnection, sql: str) -> list[duckdb.Statement]:
    """The statements in `sql`, parsed by DuckDB; WinnowError if it does not parse or holds none
    (an empty string, or only `;` and comments)."""
    try:
        found = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise WinnowError(f"query failed: {_first_line(exc)}") from exc
    if not found:
        raise WinnowError("no SQL statement given (the query is empty)")
    return found


def refusal(exc: duckdb.Error, write: bool = False) -> WinnowError:
    """DuckDB's refusal of a statement on a reader's connection as one line a person can act on."""
    first = _first_line(exc)
    if isinstance(exc, duckdb.PermissionException) or "file system operations are disabled" in first:
        return ReadOnlyViolation(
            f"refused: winnow reads only the warehouse; this SQL reads or writes another file ({first})"
        )
    if "configuration has been locked" in first:
        return ReadOnlyViolation(f"refused: the warehouse connection's settings are fixed ({first})")
    if not write and "read-only mode" in first:
        return ReadOnlyViolation(
            f"refused: this SQL writes to the warehouse; `winnow query` is read-only unless you pass "
            f"--write ({first})"
        )
    return WinnowError(f"query failed: {first}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
