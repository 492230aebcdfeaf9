"""Schema versions: a warehouse made by the first schema is migrated (and its articles indexed for
search) on open; a warehouse from a newer winnow is refused with a clear message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import winnow
from winnow.cli.main import app
from winnow.errors import SchemaVersionError
from winnow.store.search import search
from winnow.store.warehouse import latest_schema_version, migrations, open_warehouse


def first_schema_warehouse(path: Path) -> None:
    """What winnow 0.1.0 made: migration 001 only, with an article, its source, a removed line, a run."""
    version, name, sql = migrations()[0]
    assert version == 1
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL, name VARCHAR, "
        "applied_at TIMESTAMPTZ NOT NULL, winnow_version VARCHAR)"
    )
    con.execute(sql)
    now = datetime(2025, 12, 1, tzinfo=UTC)
    con.execute("INSERT INTO schema_version VALUES (1, ?, ?, '0.1.0')", [name, now])
    con.execute(
        "INSERT INTO articles (doc_id, source_path, title, authors, published_at, word_count, language, "
        "body, content_hash, format, run_id, ingested_at) VALUES "
        "('d1', 'old.txt', 'Lighthouse Keepers Return', ['Ann Smith'], ?, 9, 'en', "
        "'The lighthouse keepers came back to the island after a long winter.', 'h1', 'txt', 'r1', ?)",
        [now, now],
    )
    con.execute(
        "INSERT INTO sources (path, sha256, status, doc_id, first_run, last_run, updated_at) "
        "VALUES ('old.txt', 's1', 'loaded', 'd1', 'r1', 'r1', ?)",
        [now],
    )
    con.execute("INSERT INTO removed_segments VALUES ('d1', 3, 'Advertisement', 'ad.marker', 'ad', 'r1')")
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, loaded) VALUES ('r1', ?, 'completed', 1)", [now]
    )
    con.close()


def _version(path: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    finally:
        con.close()


def test_first_schema_warehouse_is_migrated_and_indexed(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    first_schema_warehouse(path)
    con = open_warehouse(path)
    con.close()
    assert [v for v, _ in _version(path)] == [v for v, _, _ in migrations()]
    assert _version(path)[-1][0] == latest_schema_version() >= 2
    ro = winnow.connect(str(path))
    try:
        hits = search(ro, "lighthouse island")
        assert [h.doc_id for h in hits] == ["d1"]
        assert ro.execute("SELECT week_starting, articles FROM articles_per_week").fetchall() == [
            (datetime(2025, 12, 1).date(), 1)
        ]
        assert ro.execute("SELECT author, articles FROM articles_per_author").fetchall() == [("Ann Smith", 1)]
        assert ro.execute("SELECT count(*) FROM removed_by_rule").fetchall() == [(1,)]
        # the old data is intact
        assert ro.execute("SELECT title, authors FROM articles").fetchall() == [
            ("Lighthouse Keepers Return", ["Ann Smith"])
        ]
    finally:
        ro.close()
    open_warehouse(path).close()  # opening again changes nothing
    assert len(_version(path)) == len(migrations())


def test_read_only_open_migrates_an_older_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    first_schema_warehouse(path)
    result = CliRunner().invoke(app, ["search", "lighthouse", "--warehouse", str(path)])
    assert result.exit_code == 0, result.output
    assert "Lighthouse Keepers Return" in result.output
    assert _version(path)[-1][0] == latest_schema_version()


def test_newer_warehouse_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    open_warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO schema_version VALUES (?, 'from_the_future', now(), '9.9.9')",
        [latest_schema_version() + 1],
    )
    con.close()
    with pytest.raises(SchemaVersionError, match="newer than this winnow"):
        open_warehouse(path)
    with pytest.raises(SchemaVersionError, match="newer than this winnow"):
        winnow.connect(str(path))
    for args in (["status"], ["query", "SELECT 1"], ["search", "anything"]):
        result = CliRunner().invoke(app, [*args, "--warehouse", str(path)])
        assert result.exit_code == 1, args
        assert "newer than this winnow" in " ".join(result.output.split())


def test_a_skipped_lower_migration_is_still_applied(tmp_path: Path) -> None:
    """Migration numbers are reserved per branch: a warehouse made when 001 and 004 existed still
    gets 002 when it appears."""
    path = tmp_path / "gap.duckdb"
    first_schema_warehouse(path)
    # As a winnow without 002 would have done; one from before 010 too, which rewrites the names
    # in 002's search_docs (so it cannot have run without 002), and it comes after 002 on open.
    later = [m for m in migrations() if 2 < m[0] < 10]
    con = duckdb.connect(str(path))
    for number, name, sql in later:
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, ?, now(), '0.1.0')", [number, name])
    con.close()
    open_warehouse(path).close()
    assert [v for v, _ in _version(path)] == sorted(v for v, _, _ in migrations())
    ro = winnow.connect(str(path))
    try:
        assert [h.doc_id for h in search(ro, "lighthouse")] == ["d1"]
    finally:
        ro.close()
