"""The one column declaration (winnow.schemas.columns) is what a freshly migrated warehouse holds,
and everything that names columns derives from it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from winnow.schemas.article import article_schema
from winnow.schemas.columns import ARTICLE_FRAME, ARTICLES, RUNS, TABLES, names

from winnow.records import Document, RunSummary
from winnow.settings import get_settings
from winnow.store.warehouse import open_warehouse


@pytest.mark.parametrize("table", sorted(TABLES))
def test_declaration_matches_describe_of_a_fresh_warehouse(table: str, tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        described = [(r[0], r[1], r[2] == "YES") for r in con.execute(f"DESCRIBE {table}").fetchall()]
    finally:
        con.close()
    assert described == [(c.name, c.sql, c.nullable) for c in TABLES[table]]


def test_rows_frames_and_contract_derive_from_the_declaration() -> None:
    row = Document("a.txt", doc_id="x").article_row()
    assert tuple(row) == names(ARTICLES, "row") == tuple(ARTICLE_FRAME)
    assert tuple(article_schema(get_settings()).columns) == names(ARTICLES, "row")
    pl.DataFrame([row], schema=ARTICLE_FRAME)  # a row fits its frame


def test_a_run_summary_is_a_runs_row() -> None:
    from datetime import UTC, datetime

    summary = RunSummary("r", "completed", datetime.now(UTC))
    assert len(summary.row()) == len(RUNS)
    assert RunSummary.from_json(summary.to_json()) == summary


def test_a_process_validates_without_importing_hypothesis() -> None:
    """winnow.validate imports pandera with hypothesis hidden (pandera's strategies, unused, would
    import it: 0.1-0.2 s of every ingest where the dev tools are installed); the contract's
    answers are the same as in this process, which imported hypothesis first."""
    import json
    import subprocess
    import sys

    from tests.helpers import article_text
    from winnow.batch import process_batch
    from winnow.read.sources import FileEntry

    script = """
import json, sys
from pathlib import Path
from winnow.batch import process_batch
from winnow.read.sources import FileEntry
from winnow.validate import validate_articles
raw = Path(sys.argv[1])
entries = [FileEntry(p.name, p.stat().st_size, p.stat().st_mtime_ns, "txt") for p in sorted(raw.iterdir())]
batch = process_batch(raw, entries)
valid, invalid = validate_articles(batch.articles, batch.sources)
print(json.dumps([sorted(valid["doc_id"].to_list()), sorted(invalid["check"].to_list()),
                  "hypothesis" in sys.modules]))
"""
    import tempfile

    from winnow.validate import validate_articles

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        (raw / "good.txt").write_text(article_text(salt="good"), "utf-8")
        (raw / "short.txt").write_text("Short\n\nToo few words here to be an article at all.", "utf-8")
        done = subprocess.run(
            [sys.executable, "-c", script, str(raw)], capture_output=True, text=True, check=True
        )
        files = sorted(raw.iterdir())
        entries = [FileEntry(p.name, p.stat().st_size, p.stat().st_mtime_ns, "txt") for p in files]
        batch = process_batch(raw, entries)
        valid, invalid = validate_articles(batch.articles, batch.sources)
    there = json.loads(done.stdout)
    assert there == [sorted(valid["doc_id"].to_list()), sorted(invalid["check"].to_list()), False]
    assert there[0] and there[1]  # one passes, one fails the contract
