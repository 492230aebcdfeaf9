"""Crash safety: SIGKILL a real `winnow ingest` at several points of a run; the warehouse opens,
holds exactly what the last completed run loaded, and the next run finishes the work once.

The kill points are the crash points of winnow/faults.py (a process holds there only when
WINNOW_TEST_HOLD_AT names the point): a kill timed from outside cannot land reliably inside
windows of a few milliseconds on a loaded 2-core machine, and a test that sometimes kills after
the commit would pass while proving nothing.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import article_text, assert_accounting, rows, run_flow
from winnow.faults import HOLD_ENV, POINTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TABLES = {
    "articles": "SELECT doc_id, source_path, title, body, content_hash, run_id FROM articles ORDER BY 1",
    "sources": "SELECT path, record, sha256, status, doc_id, last_run FROM sources ORDER BY 1, 2",
    "removed_segments": "SELECT doc_id, position, rule_id, run_id FROM removed_segments ORDER BY 1, 2",
    "rejections": 'SELECT path, sha256, "check", run_id FROM rejections ORDER BY 1, 3',
    "runs": "SELECT run_id, status, loaded FROM runs ORDER BY started_at",
    "search_docs": "SELECT doc_id, source_path, length FROM search_docs ORDER BY 1",
    "search_postings": "SELECT d.doc_id, p.term, p.tf FROM search_postings p "
    "JOIN search_docs d USING (doc_key) ORDER BY 1, 2",
}


def snapshot(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows(warehouse, sql) for name, sql in TABLES.items()}


def winnow_env(point: str | None) -> dict[str, str]:
    """The child talks to this session's Prefect test server instead of starting its own."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    env.pop(HOLD_ENV, None)
    if point:
        env[HOLD_ENV] = point
    return env


def winnow_cmd() -> list[str]:
    return [str(Path(sys.executable).parent / "winnow")]


def kill_at(point: str, raw: Path, warehouse: Path) -> None:
    """Start `winnow ingest`, wait until it holds at `point`, SIGKILL it."""
    kill_on(f"winnow: holding at {point}".encode(), 0.0, raw, warehouse, winnow_env(point))


def kill_on(marker: bytes, delay: float, raw: Path, warehouse: Path, env: dict[str, str]) -> None:
    """Start `winnow ingest`, SIGKILL it `delay` seconds after `marker` appears on its stderr."""
    proc = subprocess.Popen(
        [*winnow_cmd(), "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    point = marker.decode()
    seen = b""
    deadline = time.monotonic() + 180
    try:
        while marker not in seen:
            assert proc.poll() is None, f"ingest ended before reaching {point}: {seen.decode()[-2000:]}"
            assert time.monotonic() < deadline, f"never reached {point}: {seen.decode()[-2000:]}"
            ready, _, _ = select.select([proc.stderr], [], [], 1.0)
            if ready:
                seen += os.read(proc.stderr.fileno(), 65536)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run ended before the kill: move the kill earlier"


def test_sigkill_at_any_point_loses_and_duplicates_nothing(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    for i in range(4):
        (raw_dir / f"first-{i}.txt").write_text(
            article_text(title=f"First Batch Story Number {i}", salt=f"f{i}")
        )
    (raw_dir / "bad.txt").write_bytes(b"\x00\x01 binary")
    (raw_dir / "gone.txt").write_text(article_text(title="A Story That Will Be Deleted", salt="gone"))
    first = run_flow(raw_dir, warehouse_file)
    assert first.loaded == 5 and first.rejected == 1
    committed = snapshot(warehouse_file)

    # The next run has new, changed and deleted files to handle.
    for i in range(3):
        (raw_dir / f"second-{i}.txt").write_text(article_text(title=f"Second Batch Story {i}", salt=f"s{i}"))
    (raw_dir / "first-0.txt").write_text(article_text(title="First Story, Revised", salt="revised"))
    os.utime(raw_dir / "first-0.txt", ns=(0, time.time_ns() + 10**9))
    (raw_dir / "gone.txt").unlink()

    for point in POINTS:
        kill_at(point, raw_dir, warehouse_file)
        assert snapshot(warehouse_file) == committed, f"killed at {point}"

    # The warehouse still opens for writing, and the next run completes the work exactly once.
    final = run_flow(raw_dir, warehouse_file)
    assert final.status == "completed"
    assert (final.files_new, final.files_changed, final.files_deleted) == (3, 1, 1)
    assert final.loaded == 4
    assert_accounting(raw_dir, warehouse_file)
    assert rows(
        warehouse_file, "SELECT count(*), count(DISTINCT doc_id), count(DISTINCT content_hash) FROM articles"
    ) == [(8, 8, 8)]
    assert rows(warehouse_file, "SELECT title FROM articles WHERE source_path = 'first-0.txt'") == [
        ("First Story, Revised",)
    ]
    assert rows(warehouse_file, "SELECT doc_id FROM search_docs ORDER BY 1") == rows(
        warehouse_file, "SELECT doc_id FROM articles ORDER BY 1"
    )  # the search index holds every article once, and nothing else
    assert rows(warehouse_file, "SELECT status FROM runs ORDER BY started_at") == [
        ("completed",),
        ("completed",),
    ]
    check = subprocess.run(
        [*winnow_cmd(), "check", "--raw", str(raw_dir), "--warehouse", str(warehouse_file)],
        env=winnow_env(None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


# What a run leaves, without the ids and times that differ between two runs of the same work.
CONTENT = {
    "articles": "SELECT doc_id, source_path, title, body, content_hash FROM articles ORDER BY 1",
    "sources": "SELECT path, record, sha256, status, doc_id, duplicate_of FROM sources ORDER BY 1, 2",
    "removed_segments": "SELECT doc_id, position, rule_id, text FROM removed_segments ORDER BY 1, 2",
    "rejections": 'SELECT path, sha256, "check" FROM rejections ORDER BY 1, 3',
    "runs": "SELECT status, files_seen, loaded, rejected FROM runs ORDER BY started_at",
    "search_docs": "SELECT doc_id, source_path, length FROM search_docs ORDER BY 1",
}


def content(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows(warehouse, sql) for name, sql in CONTENT.items()}


def test_sigkill_timed_from_the_run_log_leaves_before_or_after_never_between(
    prefect_harness: None, tmp_path: Path, raw_dir: Path
) -> None:
    """No crash points here: the kill is timed from the run's own log lines, so it lands wherever
    the run happens to be (inside DuckDB's commit included). Whatever the moment, the warehouse
    is exactly the state before the run or after it, and the next run ends in the same state."""
    for i in range(5):
        (raw_dir / f"old-{i}.txt").write_text(article_text(title=f"Old Story {i}", salt=f"old {i}"))
    pre_file = tmp_path / "pre.duckdb"
    run_flow(raw_dir, pre_file)
    for i in range(60):
        (raw_dir / f"new-{i}.txt").write_text(
            article_text(title=f"New Story {i}", salt=f"new {i}", paragraphs=12)
        )
    (raw_dir / "old-0.txt").unlink()
    post_file = tmp_path / "post.duckdb"
    shutil.copy(pre_file, post_file)
    run_flow(raw_dir, post_file)
    before, after = content(pre_file), content(post_file)
    assert before != after

    env = winnow_env(None)
    env["PREFECT_LOGGING_LEVEL"] = "INFO"  # the child logs each task as it finishes
    landed = {}
    for n, (marker, delay) in enumerate(
        [
            (b"to process", 0.5),  # processing the batch
            (b"Task run 'process-batch", 0.0),  # validating and loading it
            (b"Task run 'load-batch", 0.0),  # finishing: deleted marks, the run row, COMMIT
        ]
    ):
        target = tmp_path / f"killed-{n}.duckdb"
        shutil.copy(pre_file, target)
        try:
            kill_on(marker, delay, raw_dir, target, env)
        except AssertionError as exc:
            if "ended before the kill" not in str(exc):
                raise
        got = content(target)
        assert got in (before, after), marker
        landed[marker.decode()] = "before" if got == before else "after"
        run_flow(raw_dir, target)
        assert {k: v for k, v in content(target).items() if k != "runs"} == {
            k: v for k, v in after.items() if k != "runs"
        }
        assert_accounting(raw_dir, target)
    print("kills landed:", landed)
