"""`winnow export` writes only regular files, never the warehouse's own, and --where is one
expression: each refusal is one line, and the warehouse and the target are left as they were."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.search_helpers import article_row, load_rows
from winnow.cli.main import app
from winnow.store.export import ExportRefused, check_target
from winnow.store.lock import journal_path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "wh" / "articles.duckdb"
    wh.parent.mkdir()
    load_rows(wh, [article_row("a.txt", "Harbour News", "The harbour was calm all week long.")])
    return wh


def _export(warehouse: Path, out: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (a traceback would show on its stderr)."""
    cmd = [sys.executable, "-m", "winnow.cli.main", "export", str(out), "-w", str(warehouse), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _articles(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else -1
    finally:
        con.close()


def _one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    said = " ".join(done.stderr.split())
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and said.startswith("error: "), said
    assert "wrote" not in done.stdout
    return said


def test_export_refuses_the_warehouse_and_its_files(warehouse: Path) -> None:
    journal_path(warehouse).write_text("")
    before = warehouse.read_bytes()
    for target in (
        warehouse,
        warehouse.parent / ".." / warehouse.parent.name / warehouse.name,  # the same file, another spelling
        warehouse.with_name(warehouse.name + ".wal"),
        warehouse.with_name(warehouse.name + ".lock"),
        journal_path(warehouse),
    ):
        said = _one_line_refusal(_export(warehouse, target, "--format", "csv"))
        assert "the warehouse or one of its files" in said
    assert warehouse.read_bytes() == before and _articles(warehouse) == 1
    assert journal_path(warehouse).read_text() == ""
    link = warehouse.parent / "hard.duckdb"
    os.link(warehouse, link)
    assert "the warehouse or one of its files" in _one_line_refusal(_export(warehouse, link))
    assert _articles(warehouse) == 1


def test_export_refuses_folders_links_and_devices(warehouse: Path, tmp_path: Path) -> None:
    folder = tmp_path / "somedir"
    folder.mkdir()
    assert "is a folder" in _one_line_refusal(_export(warehouse, folder))
    assert list(folder.iterdir()) == []
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line_refusal(_export(warehouse, fifo))
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not replaced by a file
    kept = tmp_path / "kept.csv"
    kept.write_text("precious\n")
    link = tmp_path / "link.csv"
    link.symlink_to(kept)
    assert "symbolic link" in _one_line_refusal(_export(warehouse, link))
    assert link.is_symlink() and kept.read_text() == "precious\n"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(warehouse)
    assert "symbolic link" in _one_line_refusal(_export(warehouse, dangling))
    assert _articles(warehouse) == 1


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="no /dev/null here")
def test_a_device_is_refused_before_anything_is_written(warehouse: Path) -> None:
    # check_target only looks (lstat); a real export to a device is the FIFO case above
    with pytest.raises(ExportRefused, match="not a regular file"):
        check_target(Path("/dev/null"), warehouse)


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="no /proc here")
def test_export_into_an_unwritable_place_is_one_line(warehouse: Path) -> None:
    said = _one_line_refusal(_export(warehouse, "/proc/version"))
    assert "cannot export to /proc/version" in said
    assert Path("/proc/version").read_text().strip()


def test_export_replaces_a_regular_file_whole(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    done = _export(warehouse, out, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "Harbour News" in out.read_text() and stat.S_ISREG(out.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_where_is_one_expression_never_spliced(warehouse: Path, tmp_path: Path) -> None:
    stolen = tmp_path / "stolen.csv"
    runner = CliRunner()
    for where in (
        f"1=1); COPY articles TO '{stolen}'; SELECT 1 FROM articles WHERE (1=1",  # noqa: S608
        "1=1) UNION ALL SELECT * FROM articles WHERE (1=1",
        "1=1; DELETE FROM articles",
        "true ORDER BY 1",
        "1=1 LIMIT 0",
        f"EXISTS (SELECT * FROM read_csv('{warehouse.parent / 'x.csv'}'))",  # noqa: S608 - an attack
    ):
        out = tmp_path / "x.csv"
        result = runner.invoke(app, ["export", str(out), "-w", str(warehouse), "--where", where, "-f", "csv"])
        assert result.exit_code == 1, (where, result.output)
        said = " ".join(result.output.split())
        assert said.startswith("error: export failed:") and "Traceback" not in said, said
        assert not out.exists()
    assert not stolen.exists() and _articles(warehouse) == 1
    out = tmp_path / "ok.csv"
    ok = runner.invoke(
        app, ["export", str(out), "-w", str(warehouse), "-f", "csv", "--where", "title LIKE 'Harbour%'"]
    )
    assert ok.exit_code == 0, ok.output
    assert "wrote 1 articles" in ok.output
