"""The conventions of sqlite-utils and the DuckDB CLI: query and search in csv, tsv, json, jsonl and
markdown; SQL from standard input or a file with bound parameters; every statement's result;
export's format from the extension and `-` for standard output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.search_helpers import article_row, load_rows

WINNOW = str(Path(sys.executable).with_name("winnow"))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row(
                "a.txt",
                "Grid | strain, in a heatwave",
                "Europe's power grids strain as the heatwave goes on.\n\nA second paragraph.",
                authors=["Ann Smith", "Bob Stone"],
                published_at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
            ),
            article_row("b.txt", "Second", "Body of the second article about rail.", language="fr"),
        ],
    )
    return wh


def winnow(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WINNOW, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def test_query_formats(warehouse: Path) -> None:
    sql = "SELECT source_path, title, authors FROM articles ORDER BY 1"
    got = {
        f: winnow("query", sql, "-w", str(warehouse), "-f", f)
        for f in ("csv", "tsv", "json", "jsonl", "markdown")
    }
    assert all(g.returncode == 0 for g in got.values()), {f: g.stderr for f, g in got.items()}
    rows = list(csv.reader(io.StringIO(got["csv"].stdout)))
    assert rows[0] == ["source_path", "title", "authors"] and rows[1][1] == "Grid | strain, in a heatwave"
    assert json.loads(rows[1][2]) == ["Ann Smith", "Bob Stone"]
    tsv = list(csv.reader(io.StringIO(got["tsv"].stdout), dialect="excel-tab"))
    assert tsv == rows
    assert json.loads(got["json"].stdout)[0]["authors"] == ["Ann Smith", "Bob Stone"]
    lines = [json.loads(x) for x in got["jsonl"].stdout.splitlines()]
    assert [x["source_path"] for x in lines] == ["a.txt", "b.txt"]
    md = got["markdown"].stdout.splitlines()
    assert md[0] == "| source_path | title | authors |" and md[1].startswith("| --- |")
    assert "Grid \\| strain" in md[2]  # a pipe in a value does not end the cell
    bad = winnow("query", sql, "-w", str(warehouse), "-f", "xml")
    assert bad.returncode == 2 and "jsonl" in bad.stderr


def test_sql_from_stdin_or_a_file_with_parameters(warehouse: Path, tmp_path: Path) -> None:
    sql = "SELECT source_path FROM articles WHERE language = $lang ORDER BY 1"
    piped = winnow("query", "-", "-w", str(warehouse), "-f", "jsonl", "--param", "lang=fr", stdin=sql)
    assert piped.returncode == 0, piped.stderr
    assert [json.loads(x) for x in piped.stdout.splitlines()] == [{"source_path": "b.txt"}]
    script = tmp_path / "q.sql"
    script.write_text(sql)
    from_file = winnow("query", "--file", str(script), "-w", str(warehouse), "-f", "csv", "-p", "lang=en")
    assert from_file.returncode == 0 and from_file.stdout.split() == ["source_path", "a.txt"]
    # A value is data, never SQL.
    hostile = winnow(
        "query", "--file", str(script), "-w", str(warehouse), "-f", "csv", "-p", "lang=x' OR '1'='1"
    )
    assert hostile.returncode == 0 and hostile.stdout.split() == ["source_path"]
    missing = winnow("query", "--file", str(script), "-w", str(warehouse))
    assert missing.returncode == 2 and "--param lang=" in missing.stderr
    unused = winnow("query", "SELECT 1", "-w", str(warehouse), "-p", "nope=1")
    assert unused.returncode == 2 and "nope" in unused.stderr


def test_every_statement_of_a_script_is_printed(warehouse: Path) -> None:
    script = "SELECT count(*) AS n FROM articles; -- a comment\nSELECT 'second' AS what;"
    done = winnow("query", script, "-w", str(warehouse), "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    assert [json.loads(x) for x in done.stdout.splitlines()] == [{"n": 2}, {"what": "second"}]
    table = winnow("query", script, "-w", str(warehouse))
    assert "second" in table.stdout and " n " in table.stdout


def test_search_formats(warehouse: Path) -> None:
    for fmt in ("jsonl", "tsv", "csv", "markdown", "table"):
        done = winnow("search", "heatwave", "-w", str(warehouse), "-f", fmt)
        assert done.returncode == 0, done.stderr
        assert "a.txt" in done.stdout and "b.txt" not in done.stdout
    first = json.loads(
        winnow("search", "heatwave", "-w", str(warehouse), "-f", "jsonl").stdout.splitlines()[0]
    )
    assert first["rank"] == 1 and first["authors"] == ["Ann Smith", "Bob Stone"]


def test_export_takes_the_format_from_the_extension(warehouse: Path, tmp_path: Path) -> None:
    for name, check in (
        ("out.csv", lambda p: next(csv.reader(p.open()))[0] == "doc_id"),
        ("out.jsonl", lambda p: json.loads(p.read_text().splitlines()[0])["doc_id"]),
        ("out.parquet", lambda p: pq.read_table(p).num_rows == 2),
    ):
        done = winnow("export", str(tmp_path / name), "-w", str(warehouse))
        assert done.returncode == 0, done.stderr
        assert check(tmp_path / name), name
    unknown = winnow("export", str(tmp_path / "out.data"), "-w", str(warehouse))
    assert unknown.returncode == 0 and "parquet: no .parquet, .csv or .jsonl extension" in unknown.stdout
    assert pq.read_table(tmp_path / "out.data").num_rows == 2


def test_export_dash_is_standard_output(warehouse: Path, tmp_path: Path) -> None:
    done = winnow("export", "-", "-w", str(warehouse), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(x)["source_path"] for x in done.stdout.splitlines()) == ["a.txt", "b.txt"]
    as_csv = winnow(
        "export", "-", "-f", "csv", "-w", str(warehouse), "--where", "language = 'fr'", cwd=tmp_path
    )
    assert as_csv.returncode == 0 and len(list(csv.reader(io.StringIO(as_csv.stdout)))) == 2
    assert not (tmp_path / "-").exists()


def test_closing_lines_are_not_folded_in_a_pipe(warehouse: Path, tmp_path: Path) -> None:
    # Rich folds lines at 80 columns when it is not writing to a terminal; a script reading the
    # closing line must get the path whole, however long.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    target = deep / "out.jsonl"
    done = winnow("export", str(target), "-w", str(warehouse))
    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout
