"""Python tables (Arrow or polars) read by name in statements of the run's one transaction, without
DuckDB keeping them until it ends.

DuckDB 2.0 keeps every object passed to `register` alive until the transaction ends, `unregister`
or not (five 8 MB Arrow tables registered and unregistered inside one transaction: 40 MB held
until COMMIT). An ingest is one transaction, so each batch's registered tables stayed to the end:
main RSS 1,346 MB at 100,000 files, twice the 10,000 figure. A table that DuckDB finds by name in
the scope of the frame running the statement (its replacement scan) is let go once the statement
is done with it (tests/test_scan.py).

    with python_tables(_paths=frame, _keep=kept):
        execute(con, "DELETE FROM articles WHERE source_path IN (SELECT path FROM _paths) ...")

The names live in this module's globals for the `with` block only; `execute` runs here, so its
frame sees them. A real table of the same name would win over the Python one: names start with
an underscore and a module prefix, which no warehouse table has. One thread: the ingest's writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb


@contextmanager
def python_tables(**tables: Any) -> Iterator[None]:
    """Make these tables readable by name in `execute` for the block."""
    scope = globals()
    taken = sorted(set(tables) & scope.keys())
    if taken:
        raise ValueError(f"python table names in use: {', '.join(taken)}")
    scope.update(tables)
    try:
        yield
    finally:
        for name in tables:
            scope.pop(name, None)


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """con.execute, from a frame whose globals hold the tables of the enclosing python_tables."""
    return con.execute(sql, params)
