"""Real Prefect flow runs against real DuckDB files: first run, re-run, change, delete, bad files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import article_text, assert_accounting, rows, run_flow

pytestmark = pytest.mark.integration


def test_samples_load_and_rerun_changes_nothing(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path
) -> None:
    n = len(list(sample_raw.glob("*.txt")))
    first = run_flow(sample_raw, warehouse_file)
    assert first.status == "completed"
    assert first.loaded == n and first.rejected == 0
    assert_accounting(sample_raw, warehouse_file)
    before = rows(warehouse_file, "SELECT doc_id, run_id, ingested_at, body FROM articles ORDER BY 1")
    second = run_flow(sample_raw, warehouse_file)
    assert second.files_unchanged == n
    assert second.loaded == second.files_new == second.files_changed == 0
    after = rows(warehouse_file, "SELECT doc_id, run_id, ingested_at, body FROM articles ORDER BY 1")
    assert before == after
    runs = rows(warehouse_file, "SELECT status, files_unchanged FROM runs ORDER BY started_at")
    assert runs == [("completed", 0), ("completed", n)]
    # every sample has a title, an author and a date; no ad marker survives
    assert rows(
        warehouse_file,
        "SELECT count(*) FROM articles WHERE title IS NULL OR len(authors) = 0 OR published_at IS NULL",
    ) == [(0,)]
    assert rows(
        warehouse_file,
        "SELECT count(*) FROM articles WHERE regexp_matches(body, '(?im)^advertisement$')",
    ) == [(0,)]


def test_changed_file_replaces_its_article(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    path = raw_dir / "story.txt"
    path.write_text(article_text(title="First Headline About the Parks Budget"))
    run_flow(raw_dir, warehouse_file)
    (doc_id,) = rows(warehouse_file, "SELECT doc_id FROM articles")[0]
    path.write_text(article_text(title="Second Headline About the Parks Budget", paragraphs=5))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.files_changed == 1 and summary.loaded == 1
    got = rows(warehouse_file, "SELECT doc_id, title FROM articles")
    assert got == [(doc_id, "Second Headline About the Parks Budget")]
    segs = rows(warehouse_file, "SELECT count(DISTINCT run_id) FROM removed_segments")
    assert segs == [(1,)]  # the old segments went with the old article
    assert_accounting(raw_dir, warehouse_file)


def test_touched_but_identical_file_is_unchanged(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    path = raw_dir / "story.txt"
    path.write_text(article_text())
    run_flow(raw_dir, warehouse_file)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.files_unchanged == 1 and summary.files_changed == 0
    assert rows(warehouse_file, "SELECT mtime_ns FROM sources") == [(st.st_mtime_ns + 5 * 10**9,)]


def test_deleted_file_is_marked_and_its_article_kept(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    (raw_dir / "a.txt").write_text(article_text(salt="alpha"))
    (raw_dir / "b.txt").write_text(article_text(salt="beta"))
    run_flow(raw_dir, warehouse_file)
    (raw_dir / "b.txt").unlink()
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.files_deleted == 1
    assert rows(warehouse_file, "SELECT path, status FROM sources ORDER BY 1") == [
        ("a.txt", "loaded"),
        ("b.txt", "deleted"),
    ]
    assert rows(warehouse_file, "SELECT count(*) FROM articles") == [(2,)]
    assert_accounting(raw_dir, warehouse_file)
    # and it comes back when the file does
    (raw_dir / "b.txt").write_text(article_text(salt="beta"))
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.files_new == 1
    assert rows(warehouse_file, "SELECT count(*) FROM articles") == [(2,)]
    assert_accounting(raw_dir, warehouse_file)


def test_bad_files_are_quarantined_and_good_ones_load(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    (raw_dir / "good.txt").write_text(article_text())
    (raw_dir / "nested").mkdir()
    (raw_dir / "nested" / "good2.txt").write_text(article_text(salt="nested"))
    (raw_dir / "empty.txt").write_bytes(b"")
    (raw_dir / "noise.txt").write_bytes(bytes(range(256)) * 20)
    (raw_dir / "short.txt").write_text("A Title\nBy Jane Doe\nToo short to be an article.\n")
    (raw_dir / "only-ads.txt").write_text("Advertisement\nADVERTISEMENT\nShare\n")
    (raw_dir / "future.txt").write_text(
        article_text().replace("Tue, December 23, 2025", "Tue, December 23, 2099")
    )
    (raw_dir / "old.txt").write_text(
        article_text(salt="old").replace("Tue, December 23, 2025", "Tue, December 23, 1985")
    )
    (raw_dir / "notes.pdf").write_bytes(b"%PDF-1.4 not supported")
    (raw_dir / "copy.txt").write_text(article_text())  # same text as good.txt
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.status == "completed"
    assert summary.loaded == 2 and summary.duplicates == 1
    checks = dict(
        rows(
            warehouse_file,
            'SELECT path, string_agg("check", \',\' ORDER BY "check") FROM rejections GROUP BY 1',
        )
    )
    assert checks["empty.txt"] == "empty"
    assert checks["noise.txt"] == "binary"
    assert "word_count.greater_than_or_equal_to" in checks["short.txt"]
    assert checks["only-ads.txt"] == "empty_after_cleaning"
    assert checks["future.txt"] == "published_at.not_in_future"
    assert checks["old.txt"] == "published_at.greater_than_or_equal_to"
    assert checks["notes.pdf"] == "unsupported_format"
    dup = rows(warehouse_file, "SELECT path, status, duplicate_of FROM sources WHERE status = 'duplicate'")
    original = rows(
        warehouse_file,
        "SELECT doc_id FROM sources WHERE path IN ('good.txt', 'copy.txt') AND status = 'loaded'",
    )
    assert len(dup) == 1 and dup[0][2] == original[0][0]
    assert_accounting(raw_dir, warehouse_file)
    # a second run does not re-reject unchanged bad files
    again = run_flow(raw_dir, warehouse_file)
    assert again.rejected == 0 and again.files_unchanged == summary.files_seen


def test_symlink_is_not_followed(
    prefect_harness: None, tmp_path: Path, raw_dir: Path, warehouse_file: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(article_text())
    (raw_dir / "link.txt").symlink_to(outside)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 0
    assert rows(warehouse_file, 'SELECT "check" FROM rejections') == [("symlink",)]
    assert_accounting(raw_dir, warehouse_file)


def test_failed_run_leaves_the_warehouse_as_it_was(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_flow(sample_raw, warehouse_file)
    before = rows(warehouse_file, "SELECT doc_id, body FROM articles ORDER BY 1")
    shutil.copy(sample_raw / "nyt-style-transit.txt", sample_raw / "zz-new.txt")
    (sample_raw / "zz-new.txt").write_text(article_text(salt="new"))

    import winnow.run

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(winnow.run, "finish_run", explode)
    monkeypatch.setattr("winnow.flows.ingest.finish_run", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_flow(sample_raw, warehouse_file)
    assert rows(warehouse_file, "SELECT doc_id, body FROM articles ORDER BY 1") == before
    statuses = rows(warehouse_file, "SELECT status, error FROM runs ORDER BY started_at")
    assert statuses[-1][0] == "failed" and "disk on fire" in statuses[-1][1]
    monkeypatch.undo()
    summary = run_flow(sample_raw, warehouse_file)
    assert summary.files_new == 1 and summary.loaded == 1
    assert_accounting(sample_raw, warehouse_file)
