"""The hostile-input corpus (tests/badcorpus.py, tests/cases/bad/) through the real flow, together
with good files, with the network blocked: every file ends loaded or rejected with its specific
check, the run completes, raw/ is left untouched, and `winnow check` finds the books balanced."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.badcorpus import NEWLINE_NAME, SQL_NAME, WEIRD_NAME, build
from tests.guards import no_network, record_writes
from tests.helpers import assert_accounting, rows, run_flow
from winnow.store.warehouse import open_warehouse

pytestmark = pytest.mark.integration


def _snapshot(raw: Path) -> dict[str, tuple[int, int, str]]:
    """(size, mtime, sha of the first MB) of every entry: proves the run only read raw/."""
    out = {}
    for path in sorted(raw.rglob("*")):
        st = path.lstat()
        digest = ""
        if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK) and st.st_size < 1 << 20:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        out[str(path.relative_to(raw))] = (st.st_size, st.st_mtime_ns, digest)
    return out


def test_hostile_corpus_ends_loaded_or_rejected_with_a_reason(
    prefect_harness: None,
    tmp_path: Path,
    raw_dir: Path,
    warehouse_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    expected = build(raw_dir, scratch)
    before = _snapshot(raw_dir)
    with no_network(monkeypatch) as attempts, record_writes() as written:
        summary = run_flow(raw_dir, warehouse_file)
    assert attempts == [], attempts
    prefect_home = Path(os.environ["PREFECT_HOME"]).resolve()
    allowed = (prefect_home, warehouse_file.parent.resolve())
    # Relative names come from folder-relative operations (removing the run's Parquet staging
    # folder beside the warehouse); the listing of the warehouse folder below covers them.
    stray = [
        p
        for p in written
        if os.path.isabs(p) and not any(Path(p).resolve().is_relative_to(a) for a in allowed)
    ]
    assert str(warehouse_file.parent) in written  # the guard sees writes (it made this folder)
    assert stray == [], stray  # winnow itself writes only the warehouse (Prefect its own home)
    beside = {p.name for p in warehouse_file.parent.iterdir()}  # the file, its WAL, the writer lock
    assert "articles.duckdb" in beside
    assert beside <= {"articles.duckdb", "articles.duckdb.wal", "articles.duckdb.lock"}
    assert summary.status == "completed"
    assert _snapshot(raw_dir) == before  # read, never written

    key = "CASE WHEN record = 0 THEN path ELSE path || '#' || record END"
    status = dict(rows(warehouse_file, f"SELECT {key}, status FROM sources"))  # noqa: S608 - fixed text
    checks: dict[str, list[str]] = {}
    for path, check in rows(warehouse_file, f'SELECT {key}, "check" FROM current_rejections ORDER BY 2'):  # noqa: S608
        checks.setdefault(path, []).append(check)
    # Every path the corpus holds is accounted for, and nothing else appears.
    assert set(status) == set(expected)
    for path, want in expected.items():
        got = (status[path], tuple(sorted(set(checks.get(path, [])))))
        assert got == (want.status, want.checks), path
    assert_accounting(raw_dir, warehouse_file)
    result = CliRunner().invoke(_app(), ["check", "--raw", str(raw_dir), "--warehouse", str(warehouse_file)])
    assert result.exit_code == 0, result.output

    def article(path: str) -> dict[str, object]:
        cols = ["title", "authors", "body", "published_at", "published_raw", "language", "encoding"]
        got = rows(
            warehouse_file,
            "SELECT title, authors, body, published_at, published_raw, language, encoding "
            "FROM articles WHERE source_path = ?",
            [path],
        )
        assert len(got) == 1, path
        return dict(zip(cols, got[0], strict=True))

    # Text arrives as the author wrote it, whatever the encoding.
    assert "l’addition coûtait 12 €" in str(article("cp1252.txt")["body"])
    assert "Der Bürgermeister äußerte sich" in str(article("latin1.txt")["body"])
    assert article("mojibake.txt")["title"] == "The Café’s Owner Said the Naïve Résumé Was Fine"
    assert article("truncated-utf8.txt")["title"] == "Café Owners Say the Winter Was the Hardest Yet"
    assert article("utf16-no-bom.txt")["title"] == "A Headline Saved as UTF-16 Without a BOM"
    assert article("utf16-bom.txt")["encoding"] == "utf-16-le-bom"
    mixed = article("mixed-line-endings.txt")
    assert mixed["title"] == "Mixed Line Endings Do Not Confuse the Reader" and mixed["authors"] == [
        "Jane Doe"
    ]
    assert "\r" not in str(mixed["body"])
    rtl = article("rtl-zero-width.txt")
    assert rtl["language"] == "ar" and rtl["title"] == "الحكومة تزيد الإنفاق على المدارس"
    assert not set("\u200b\ufeff\u200f\u2067\u2069") & set(str(rtl["body"]))
    assert "\u200d" in str(rtl["body"])  # ZWJ is spelling, not junk: kept
    # An impossible date is kept as found, never invented.
    feb30 = article("date-feb-30.txt")
    assert feb30["published_at"] is None and feb30["published_raw"] == "February 30, 2024"
    # A 10,000-character first line is not a title: it stays text, the title stays empty.
    long_title = article("title-10000-chars.txt")
    assert long_title["title"] is None and str(long_title["body"]).startswith("Headline Headline")
    assert len(str(article("one-5mb-line.txt")["body"])) > 4_900_000
    # Names and contents that look like SQL are data.
    sql = article("sql-in-content.txt")
    assert sql["title"] == 'Robert\'); DROP TABLE articles;-- and "quotes" ; DELETE FROM sources'
    assert sql["authors"] == ["O'Brien"]
    for name in (WEIRD_NAME, NEWLINE_NAME, SQL_NAME, "folder.txt/inner.txt"):
        assert article(name)["title"]
    tables = "SELECT table_name FROM information_schema.tables ORDER BY 1"
    fresh = tmp_path / "fresh.duckdb"
    open_warehouse(fresh).close()
    assert rows(warehouse_file, tables) == rows(fresh, tables)  # nothing dropped, nothing added
    loaded = sum(1 for e in expected.values() if e.status == "loaded")
    assert rows(warehouse_file, "SELECT count(*) FROM articles") == [(loaded,)]
    # The file outside raw/ behind the symlink was never read.
    assert rows(
        warehouse_file, "SELECT count(*) FROM articles WHERE body LIKE '%Secret%' OR title LIKE '%Secret%'"
    ) == [(0,)]
    (detail,) = rows(warehouse_file, "SELECT detail FROM rejections WHERE path = 'link-outside.txt'")[0]
    assert json.loads(detail)["target"].endswith("outside-secret.txt")
    (reason,) = rows(warehouse_file, "SELECT reason FROM rejections WHERE path = 'huge-200mb.txt'")[0]
    assert "209715200 bytes is over the limit" in reason and "max_file_bytes" in reason

    # A second run finds nothing to do and changes nothing.
    articles_before = rows(warehouse_file, "SELECT doc_id, body FROM articles ORDER BY 1")
    again = run_flow(raw_dir, warehouse_file)
    assert again.rejected == again.loaded == again.files_new == again.files_changed == 0
    assert rows(warehouse_file, "SELECT doc_id, body FROM articles ORDER BY 1") == articles_before
    assert_accounting(raw_dir, warehouse_file)


def _app():  # type: ignore[no-untyped-def]
    from winnow.cli.main import app

    return app
