"""`winnow export`: each format read back, authors as lists where the format has them, --where."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.search_helpers import article_row, load_rows
from winnow.cli.main import app


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row(
                "a.txt",
                'Café, "quotes" and commas',
                "Line one.\n\nLine two, with ünïcödé.",
                authors=["Ann Smith", "Bob Stone"],
                published_at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
            ),
            article_row("b.txt", "Second", "Body of the second article.", language="fr", published_at=None),
        ],
    )
    return wh


def export(warehouse: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["export", str(out), "--warehouse", str(warehouse), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_parquet_keeps_types_and_lists(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "articles.parquet"
    assert "wrote 2 articles" in export(warehouse, out, "--format", "parquet")
    con = duckdb.connect()
    rows = con.execute(
        "SELECT source_path, title, authors, published_at, body FROM read_parquet(?) ORDER BY 1", [str(out)]
    ).fetchall()
    assert rows[0][0] == "a.txt" and rows[0][1] == 'Café, "quotes" and commas'
    assert rows[0][2] == ["Ann Smith", "Bob Stone"]
    assert rows[0][3] == datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    assert rows[0][4] == "Line one.\n\nLine two, with ünïcödé."
    assert rows[1][0] == "b.txt" and rows[1][3] is None
    names = [r[0] for r in con.execute("SELECT name FROM parquet_schema(?)", [str(out)]).fetchall()]
    assert "authors" in names and "body" in names


def test_csv_round_trips_with_authors_as_json(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    export(warehouse, out, "--format", "csv")
    with out.open(newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: r["source_path"])
    assert [r["source_path"] for r in rows] == ["a.txt", "b.txt"]
    assert json.loads(rows[0]["authors"]) == ["Ann Smith", "Bob Stone"]
    assert rows[0]["title"] == 'Café, "quotes" and commas'
    assert rows[0]["body"] == "Line one.\n\nLine two, with ünïcödé."
    assert rows[0]["published_at"].startswith("2025-03-01 12:30:00")


def test_jsonl_one_object_per_line(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    export(warehouse, out, "--format", "jsonl")
    lines = out.read_text("utf-8").splitlines()
    objs = sorted((json.loads(line) for line in lines), key=lambda o: o["source_path"])
    assert len(objs) == 2
    assert objs[0]["authors"] == ["Ann Smith", "Bob Stone"]
    assert objs[0]["published_at"].startswith("2025-03-01T12:30:00")
    assert objs[1]["published_at"] is None and objs[1]["language"] == "fr"


def test_where_filters_and_a_bad_condition_leaves_no_file(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "fr.jsonl"
    assert "wrote 1 articles" in export(warehouse, out, "--format", "jsonl", "--where", "language = 'fr'")
    assert [json.loads(x)["source_path"] for x in out.read_text().splitlines()] == ["b.txt"]
    bad = tmp_path / "bad.parquet"
    result = CliRunner().invoke(
        app, ["export", str(bad), "-w", str(warehouse), "--where", "no_such_column = 1"]
    )
    assert result.exit_code == 1 and "export failed" in result.output
    assert list(tmp_path.glob("*bad*")) == []
    refused = CliRunner().invoke(app, ["export", str(bad), "-w", str(warehouse), "--format", "xlsx"])
    assert refused.exit_code == 2


def test_export_cannot_write_through_where(warehouse: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["export", str(tmp_path / "x.csv"), "-w", str(warehouse), "--where", "1=1; DELETE FROM articles"]
    )
    assert result.exit_code == 1
    assert duckdb.connect(str(warehouse), read_only=True).sql("SELECT count(*) FROM articles").fetchall() == [
        (2,)
    ]
