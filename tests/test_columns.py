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
