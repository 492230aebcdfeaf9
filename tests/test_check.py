"""`winnow check` on real warehouses: silent on a healthy one, names every breach on a broken one."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.helpers import article_text, run_flow
from winnow.cli.main import app

pytestmark = pytest.mark.integration


def check(raw: Path, warehouse: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(
        app, ["check", "--raw", str(raw), "--warehouse", str(warehouse), "--format", "json"]
    )
    return result.exit_code, json.loads(result.stdout)


def test_check_passes_a_healthy_warehouse_and_names_each_breach(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    for name in ("a", "b", "c"):
        (raw_dir / f"{name}.txt").write_text(article_text(title=f"Story {name.upper()} Headline", salt=name))
    (raw_dir / "copy.txt").write_text(article_text(title="Story A Headline", salt="a"))
    (raw_dir / "bad.txt").write_bytes(b"")
    run_flow(raw_dir, warehouse_file)
    code, report = check(raw_dir, warehouse_file)
    assert code == 0 and report["breaches"] == []
    assert report["counts"] == {"loaded": 3, "duplicate": 1, "rejected": 1, "articles": 3}

    # Break the books in every way the invariant names, one clause at a time.
    (raw_dir / "new.txt").write_text(article_text(salt="never ingested"))
    (raw_dir / "c.txt").unlink()
    con = duckdb.connect(str(warehouse_file))
    con.execute("DELETE FROM articles WHERE source_path = 'a.txt'")  # a loaded source loses its article
    con.execute("DELETE FROM rejections WHERE path = 'bad.txt'")
    con.execute("INSERT INTO sources SELECT * FROM sources WHERE path = 'b.txt'")
    con.execute(
        "INSERT INTO articles SELECT * REPLACE ('zzz' AS doc_id, 'ghost.txt' AS source_path) "
        "FROM articles WHERE source_path = 'b.txt'"
    )
    con.close()
    # a.txt's article is gone but still indexed; ghost.txt's article was never indexed.
    code, report = check(raw_dir, warehouse_file)
    assert code == 1
    found = {(b["rule"], b["path"]) for b in report["breaches"]}  # type: ignore[attr-defined]
    assert found == {
        ("loaded_has_one_article", "a.txt"),
        ("duplicate_names_an_article", "copy.txt"),  # it repeated a.txt's article, now gone
        ("rejected_has_a_reason", "bad.txt"),
        ("one_row_per_source", "b.txt"),
        ("loaded_has_one_article", "b.txt"),  # two rows, each joined to one article: counted twice
        ("article_has_a_source", "ghost.txt"),
        ("article_is_indexed_once", "ghost.txt"),
        ("index_entry_has_an_article", "a.txt"),
        ("file_has_a_source", "new.txt"),
        ("source_has_a_file", "c.txt"),
    }
    result = CliRunner().invoke(app, ["check", "--raw", str(raw_dir), "--warehouse", str(warehouse_file)])
    assert result.exit_code == 1 and "breach(es) of the accounting invariant" in result.stdout


def test_check_without_a_warehouse_is_a_clear_error(raw_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["check", "--raw", str(raw_dir), "--warehouse", str(tmp_path / "none.duckdb")]
    )
    assert result.exit_code == 1
    assert "no warehouse at" in result.output
