"""One raw/ holding every scraper format, through real flow runs: every record accounted for, and
re-runs that keep unchanged records of changed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CASES
from tests.helpers import assert_accounting, rows, run_flow
from tests.warc_helpers import crawl
from winnow.store.accounting import find_breaches

pytestmark = pytest.mark.integration


def breaches(raw: Path, warehouse: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [f"{b.rule}: {b.path}: {b.detail}" for b in find_breaches(con, raw)]
    finally:
        con.close()


def test_every_format_every_record_accounted_for(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    for path in (CASES / "scrapers").iterdir():
        shutil.copy(path, raw_dir / path.name)
    crawl(raw_dir / "crawl.warc.gz", range(3))
    crawl(raw_dir / "site.warc", range(10, 12), extra=False)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary["status"] == "completed"
    assert breaches(raw_dir, warehouse_file) == []
    assert_accounting(raw_dir, warehouse_file)
    by_file = dict(rows(warehouse_file, "SELECT path, list(status ORDER BY record) FROM sources GROUP BY 1"))
    assert by_file["newsapi-everything.json"] == ["loaded", "loaded", "loaded", "rejected"]
    assert by_file["crawl.warc.gz"] == ["loaded"] * 4 and by_file["site.warc"] == ["loaded"] * 2
    assert by_file["headlines.csv"] == ["rejected"] and by_file["newsapi-error.json"] == ["rejected"]
    # every record of every archive: a source row, or a skipped row with its reason
    written = {"crawl.warc.gz": 1 + 3 * 2 + 3, "site.warc": 4}
    for name, total in written.items():
        [(n,)] = rows(warehouse_file, "SELECT count(*) FROM sources WHERE path = ?", [name])
        [(skipped,)] = rows(warehouse_file, "SELECT count(*) FROM skipped_records WHERE path = ?", [name])
        assert n + skipped == total, name
    teasers = rows(
        warehouse_file, "SELECT source_path, record, full_chars FROM articles WHERE truncated ORDER BY 1, 2"
    )
    assert ("newsapi-everything.json", 0, 2622 + 196) in [(p, r, c) for p, r, c in teasers] or any(
        p == "newsapi-everything.json" and r == 0 and c for p, r, c in teasers
    )
    again = run_flow(raw_dir, warehouse_file)
    assert again["loaded"] == 0 and again["files_changed"] == 0


def test_appended_records_are_processed_and_the_others_kept(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from winnow.settings import get_settings

    monkeypatch.setenv("WINNOW_BATCH_SIZE", "2")  # archives go out in parts of two records
    get_settings.cache_clear()
    try:
        crawl(raw_dir / "crawl.warc.gz", range(5), extra=False)
        text = (CASES / "scrapers" / "scraped_articles.csv").read_text("utf-8")
        (raw_dir / "articles.csv").write_text(text, "utf-8")
        first = run_flow(raw_dir, warehouse_file)
        assert first["loaded"] == 7 and breaches(raw_dir, warehouse_file) == []
        before = dict(rows(warehouse_file, "SELECT doc_id, run_id FROM articles"))
        crawl(raw_dir / "crawl.warc.gz", range(5, 8), extra=False)  # the crawler appends
        extra = json.dumps("The ferry timetable changes on Monday. " * 20)
        (raw_dir / "articles.csv").write_text(
            text + f'"Ferry timetable changes",Sam Ortiz,2024-03-05,https://example.org/ferry,{extra}\n',
            "utf-8",
        )
        second = run_flow(raw_dir, warehouse_file)
        assert second["status"] == "completed" and breaches(raw_dir, warehouse_file) == []
        after = dict(rows(warehouse_file, "SELECT doc_id, run_id FROM articles"))
        assert {d: after[d] for d in before} == before  # kept, not processed again
        assert second["loaded"] == 4 and len(after) == len(before) + 4
        [(stale,)] = rows(
            warehouse_file,
            "SELECT count(*) FROM sources s "
            "WHERE s.sha256 <> (SELECT max(sha256) FROM sources t WHERE t.path = s.path)",
        )
        assert stale == 0  # every row of a file carries its current bytes' hash
    finally:
        get_settings.cache_clear()
