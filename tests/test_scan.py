"""Python tables read by name inside one transaction are let go statement by statement
(winnow/store/scan.py), where DuckDB 2.0 keeps a registered one until the transaction ends."""

from __future__ import annotations

import gc
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from winnow.store.scan import execute, python_tables

ROWS = 500_000  # 4 MB of int64 per table


def _table(offset: int) -> pa.Table:
    return pa.table({"a": pa.array(range(offset, offset + ROWS), pa.int64())})


def _held_after(tmp_path: Path, insert: object) -> int:
    """Arrow bytes still allocated after ten inserts in one open transaction."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE t (a BIGINT)")
    gc.collect()
    before = pa.total_allocated_bytes()
    con.execute("BEGIN TRANSACTION")
    for i in range(10):
        insert(con, _table(i * ROWS))  # type: ignore[operator]
    gc.collect()
    held = pa.total_allocated_bytes() - before
    con.execute("COMMIT")
    assert con.execute("SELECT count(*), count(DISTINCT a) FROM t").fetchall() == [(10 * ROWS, 10 * ROWS)]
    con.close()
    return held


def test_a_transaction_does_not_keep_the_tables_its_statements_read(tmp_path: Path) -> None:
    def by_name(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
        with python_tables(_scan_rows=table):
            execute(con, "INSERT INTO t SELECT a FROM _scan_rows WHERE a >= ?", [0])

    def registered(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
        con.register("_scan_rows", table)
        con.execute("INSERT INTO t SELECT a FROM _scan_rows")
        con.unregister("_scan_rows")

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert _held_after(tmp_path / "a", by_name) < 1_000_000
    # what the module is for: registered, the ten 4 MB tables stay until COMMIT
    assert _held_after(tmp_path / "b", registered) >= 9 * 8 * ROWS


def test_tables_are_readable_only_inside_the_block(tmp_path: Path) -> None:
    con = duckdb.connect()
    frame = pl.DataFrame({"x": [1, 2, 3]})
    with python_tables(_scan_frame=frame, _scan_arrow=frame.to_arrow()):
        got = execute(con, "SELECT sum(f.x) + sum(a.x) FROM _scan_frame f JOIN _scan_arrow a USING (x)")
        assert got.fetchall() == [(12,)]
        with pytest.raises(ValueError, match="in use"), python_tables(_scan_frame=frame):
            pass
    with pytest.raises(duckdb.CatalogException):
        execute(con, "SELECT * FROM _scan_frame")
