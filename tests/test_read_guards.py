"""Read-side commands reach the warehouse and nothing else: DuckDB's own guards refuse every way
SQL has to read or write another file, or to undo the guards, each with one clear line."""

# ruff: noqa: S608 - the SQL here is the attack, built on purpose

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.search_helpers import article_row, load_rows
from winnow.cli.main import app
from winnow.store.lock import journal_path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "wh" / "articles.duckdb"
    wh.parent.mkdir()
    load_rows(wh, [article_row("a.txt", "Harbour News", "The harbour was calm all week long.")])
    return wh


def _query(warehouse: Path, sql: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["query", sql, "-w", str(warehouse), *args])
    return result.exit_code, " ".join(result.output.split())


def test_query_cannot_write_files(warehouse: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    journal = journal_path(warehouse)
    forged = (
        '{"run_id": "forged", "status": "completed", "started_at": "2025-01-01T00:00:00", '
        '"loaded": 999999}'
    )
    for sql in (
        f"COPY articles TO '{outside / 'stolen.csv'}'",
        f"COPY (SELECT '{forged}') TO '{journal}' (FORMAT csv, HEADER false, QUOTE '')",
        f"EXPORT DATABASE '{outside / 'dump'}'",
        f"PRAGMA profiling_output = '{outside / 'profile.json'}'",
        f"SET log_query_path = '{outside / 'queries.log'}'",
        f"ATTACH '{outside / 'other.duckdb'}' AS other",
    ):
        for extra in ((), ("--write",)):
            code, said = _query(warehouse, sql, *extra)
            assert code == 1, (sql, extra, said)
            assert said.startswith("error: refused:"), said
            assert "Traceback" not in said
    assert list(outside.iterdir()) == []
    assert not journal.exists()


def test_query_cannot_read_other_files(warehouse: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("user,password\nroot,hunter2\n")
    for sql in (
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM '{secret}'",
        f"SELECT * FROM read_text('{secret}')",
        f"SELECT * FROM read_blob('{secret}')",
        f"SELECT * FROM glob('{tmp_path}/*')",
        f"COPY articles FROM '{secret}'",
    ):
        code, said = _query(warehouse, sql)
        assert code == 1, (sql, said)
        assert "hunter2" not in said and str(tmp_path) in said  # the refusal names what it refused
        assert said.startswith("error: refused:"), said


def test_query_cannot_undo_the_guards(warehouse: Path) -> None:
    for sql in (
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "SET allowed_directories = ['/']",
        "PRAGMA enable_profiling",
    ):
        code, said = _query(warehouse, sql)
        assert code == 1, (sql, said)
        assert said.startswith("error: refused: the warehouse connection's settings are fixed"), said
    code, said = _query(warehouse, "SELECT title FROM articles")
    assert code == 0 and "Harbour News" in said


@pytest.mark.parametrize("sql", ["", ";", " ; ;", "/* only a comment */"])
def test_empty_query_is_one_line_exit_2(warehouse: Path, sql: str) -> None:
    code, said = _query(warehouse, sql)
    assert code == 2, said
    assert said == "error: no SQL statement given (the query is empty)"
