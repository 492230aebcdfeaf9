"""Read-only by default, and readers that meet a running ingest: a clear message, or --wait."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import winnow
from tests.search_helpers import article_row, load_rows
from winnow.cli.main import app
from winnow.errors import WarehouseLocked
from winnow.store.readonly import open_reader

# A writer mid-run: the warehouse open for writing, the run's transaction begun, then it waits.
HOLDER = """
import sys
from winnow.store.loader import Loader
from winnow.store.warehouse import open_warehouse
con = open_warehouse(sys.argv[1])
loader = Loader(con, "holder")
loader.begin()
print("holding", flush=True)
sys.stdin.readline()
loader.rollback()
con.close()
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "w.duckdb"
    load_rows(wh, [article_row("a.txt", "Harbour News", "The harbour was calm all week long.")])
    return wh


@pytest.fixture
def held(warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    yield proc
    if proc.poll() is None:
        proc.communicate("\n", timeout=60)


def test_query_refuses_writes_without_write(warehouse: Path) -> None:
    runner = CliRunner()
    for sql in (
        "DELETE FROM articles",
        "DROP TABLE runs",
        "CREATE TABLE t (a INT)",
        "INSERT INTO runs SELECT * FROM runs",
    ):
        result = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse)])
        assert result.exit_code == 1, sql
        assert "read-only unless you pass --write" in " ".join(result.output.split())
    assert winnow.connect(str(warehouse)).execute("SELECT count(*) FROM articles").fetchall() == [(1,)]
    # reading statements of every kind pass
    for sql in ("SELECT count(*) FROM articles", "DESCRIBE articles", "PRAGMA table_info('articles')"):
        assert runner.invoke(app, ["query", sql, "-w", str(warehouse)]).exit_code == 0, sql


def test_query_with_write_writes(warehouse: Path) -> None:
    result = CliRunner().invoke(
        app, ["query", "UPDATE articles SET publisher = 'The Post'", "--write", "-w", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    con = winnow.connect(str(warehouse))
    assert con.execute("SELECT publisher FROM articles").fetchall() == [("The Post",)]


def test_connect_is_read_only_by_default(warehouse: Path) -> None:
    con = winnow.connect(str(warehouse))
    try:
        assert con.execute("SELECT title FROM articles").fetchall() == [("Harbour News",)]
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM articles")
    finally:
        con.close()
    writable = winnow.connect(str(warehouse), read_only=False)
    try:
        writable.execute("DELETE FROM articles WHERE false")
    finally:
        writable.close()


@pytest.mark.slow
def test_reader_meets_a_running_ingest(warehouse: Path, held: subprocess.Popen[str]) -> None:
    with pytest.raises(WarehouseLocked, match="in use by another process.*--wait"):
        open_reader(warehouse)
    runner = CliRunner()
    for args in (
        ["query", "SELECT 1"],
        ["search", "harbour"],
        ["status"],
        ["show", "a.txt"],
        ["rejects"],
        ["export", str(warehouse.parent / "out.parquet")],
    ):
        result = runner.invoke(app, [*args, "--warehouse", str(warehouse)])
        assert result.exit_code == 1, (args, result.output)
        assert "in use by another process" in " ".join(result.output.split()), args
        assert result.exception is None or isinstance(result.exception, SystemExit), args


@pytest.mark.slow
def test_wait_waits_for_the_ingest_to_finish(warehouse: Path, held: subprocess.Popen[str]) -> None:
    def release() -> None:
        time.sleep(1.5)
        held.communicate("\n", timeout=60)

    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    started = time.monotonic()
    result = CliRunner().invoke(app, ["search", "harbour", "--wait", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "Harbour News" in result.output
    assert time.monotonic() - started >= 1.0
    # The holder lets go of the warehouse before its process exits: wait for the exit itself.
    releaser.join(timeout=60)
    assert held.returncode == 0


@pytest.mark.slow
def test_wait_gives_up_after_a_timeout(warehouse: Path, held: subprocess.Popen[str]) -> None:
    with pytest.raises(WarehouseLocked, match="gave up after waiting"):
        open_reader(warehouse, wait=True, timeout=1.0)
