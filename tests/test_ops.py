"""Operations: run reports (artifact and `runs`), the writer lock and skipped runs, progress,
retries of transient I/O, quarantine of a step that crashes, and no print() in the engine."""

from __future__ import annotations

import ast
import errno
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from tests.helpers import article_text, assert_accounting, rows, run_flow
from winnow.errors import WarehouseBusy, WarehouseLocked, is_transient
from winnow.store.lock import WriterLock, journal_path, pending_skipped

REPO = Path(__file__).resolve().parent.parent


def test_engine_and_flows_never_print() -> None:
    offenders = []
    for folder in ("winnow", "flows"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, f"use a logger (or the CLI's rich console), not print(): {offenders}"


def test_transient_errors_are_told_apart() -> None:
    assert is_transient(OSError(errno.EIO, "I/O error"))
    assert is_transient(TimeoutError())
    assert is_transient(WarehouseLocked("held"))
    assert not is_transient(FileNotFoundError(errno.ENOENT, "gone"))
    assert not is_transient(PermissionError(errno.EACCES, "no"))
    assert not is_transient(ValueError("bug"))
    assert not is_transient(None)


def test_a_step_that_crashes_quarantines_only_its_file(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import winnow.batch as pipeline
    from winnow.read.sources import discover

    (raw_dir / "fine.txt").write_text(article_text(salt="fine"))
    (raw_dir / "boom.txt").write_text(article_text(salt="boom"))
    real_parse = pipeline.parse_text

    def parse_or_explode(base, text, max_line_chars, *args, **kwargs):  # type: ignore[no-untyped-def]
        if base.source_path == "boom.txt":
            raise ValueError("parser bug on this input")
        return real_parse(base, text, max_line_chars, *args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_text", parse_or_explode)
    batch = pipeline.process_batch(raw_dir, discover(raw_dir, {}).to_process)
    assert batch.articles["source_path"].to_list() == ["fine.txt"]
    (rejection,) = batch.rejections.to_dicts()
    assert (rejection["path"], rejection["check"]) == ("boom.txt", "crashed")
    assert "ValueError: parser bug on this input" in rejection["reason"]
    assert "parse_or_explode" in json.loads(rejection["detail"])["traceback"]


def test_io_errors_are_raised_for_retry_or_quarantined_on_the_last_try(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import winnow.batch as pipeline
    from winnow.read.sources import discover

    (raw_dir / "flaky.txt").write_text(article_text())

    def eio(path: Path, max_bytes: int) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(pipeline, "read_bytes", eio)
    entries = discover(raw_dir, {}).to_process
    with pytest.raises(OSError):
        pipeline.process_batch(raw_dir, entries, raise_io_errors=True)
    batch = pipeline.process_batch(raw_dir, entries, raise_io_errors=False)
    assert batch.rejections["check"].to_list() == ["io_error"]

    def erofs(path: Path, max_bytes: int) -> bytes:
        raise OSError(errno.EROFS, "Read-only file system")  # will not get better by retrying

    monkeypatch.setattr(pipeline, "read_bytes", erofs)
    batch = pipeline.process_batch(raw_dir, entries, raise_io_errors=True)
    assert batch.rejections["check"].to_list() == ["io_error"]


@pytest.mark.integration
def test_transient_read_errors_are_retried_then_quarantined(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import winnow.batch as pipeline

    (raw_dir / "a-flaky.txt").write_text(article_text(salt="flaky"))  # read first in each attempt
    (raw_dir / "broken.txt").write_text(article_text(salt="broken"))
    real_read = pipeline.read_bytes
    calls: dict[str, int] = {"a-flaky.txt": 0, "broken.txt": 0}

    def failing_reads(path: Path, max_bytes: int) -> bytes:
        calls[path.name] += 1
        if path.name == "broken.txt" or calls[path.name] == 1:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(path, max_bytes)

    monkeypatch.setattr(pipeline, "read_bytes", failing_reads)
    summary = run_flow(raw_dir, warehouse_file)
    # The batch task is retried 3 times with backoff; on its last attempt the file that still
    # fails is quarantined instead of failing the run, and the one that recovered is loaded.
    assert summary.status == "completed" and summary.loaded == 1
    assert calls == {"a-flaky.txt": 4, "broken.txt": 3}  # 4 attempts; the first failed on a-flaky
    assert rows(warehouse_file, 'SELECT path, "check" FROM rejections') == [("broken.txt", "io_error")]
    assert_accounting(raw_dir, warehouse_file)


@pytest.mark.integration
def test_warehouse_held_by_another_process_is_waited_for_with_wait(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path
) -> None:
    run_flow(sample_raw, warehouse_file)  # create it
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('holding', flush=True); time.sleep(2.5)",
            str(warehouse_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        from winnow.flows.ingest import run_ingest

        # DuckDB refuses until the holder exits; with --wait the run waits for it (without, it is
        # recorded skipped naming the holder: tests/test_lifetime.py)
        summary = run_ingest(sample_raw, warehouse_file, wait=True)
        assert summary.status == "completed"
    finally:
        holder.kill()
        holder.wait()
    assert [r[0] for r in rows(warehouse_file, "SELECT status FROM runs")] == ["completed", "completed"]


@pytest.mark.integration
def test_run_report_is_an_artifact_and_a_runs_row(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    (raw_dir / "good.txt").write_text(article_text())
    (raw_dir / "short.txt").write_text("A Title\nBy Jane Doe\nToo short to be an article.\n")
    (raw_dir / "notes.pdf").write_bytes(b"%PDF-1.4")
    summary = run_flow(raw_dir, warehouse_file)
    ((reasons, examples, top_rules, new_files, changed),) = rows(
        warehouse_file,
        "SELECT rejection_reasons, rejection_examples, top_rules, new_files, changed_files FROM runs",
    )
    assert {"unsupported_format", "word_count.greater_than_or_equal_to"} <= set(json.loads(reasons))
    assert {e["path"] for e in json.loads(examples)} == {"short.txt", "notes.pdf"}
    assert json.loads(top_rules) == summary.top_rules and summary.top_rules
    assert sorted(json.loads(new_files)) == ["good.txt", "notes.pdf", "short.txt"]
    assert json.loads(changed) == []
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(summary.run_id)]))
        )
    (artifact,) = artifacts
    assert artifact.type == "markdown" and artifact.key == "winnow-run-report"
    text = str(artifact.data)
    assert "| articles loaded | 1 |" in text and "| rejected | 2 |" in text
    assert "`short.txt`" in text and "unsupported_format" in text
    assert next(iter(summary.top_rules)) in text


@pytest.mark.integration
def test_busy_warehouse_skips_the_run_and_the_skip_is_recorded(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path
) -> None:
    run_flow(sample_raw, warehouse_file)
    (sample_raw / "late.txt").write_text(article_text(salt="late"))
    other = WriterLock(warehouse_file, "someone-else")
    other.acquire(wait=False)
    try:
        with pytest.raises(WarehouseBusy, match="someone-else"):
            WriterLock(warehouse_file, "probe").acquire(wait=False)
        skipped = run_flow(sample_raw, warehouse_file)
    finally:
        other.release()
    assert skipped.status == "skipped" and "someone-else" in skipped.error
    assert [r.run_id for r in pending_skipped(warehouse_file)] == [skipped.run_id]
    assert rows(warehouse_file, "SELECT count(*) FROM articles WHERE source_path = 'late.txt'") == [(0,)]
    done = run_flow(sample_raw, warehouse_file)  # the next writer folds the journal into runs
    assert done.files_new == 1
    got = rows(warehouse_file, "SELECT run_id, status FROM runs ORDER BY started_at")
    assert [s for _, s in got] == ["completed", "skipped", "completed"]
    assert got[1][0] == skipped.run_id
    assert not journal_path(warehouse_file).exists()
    assert_accounting(sample_raw, warehouse_file)


@pytest.mark.integration
def test_wait_queues_behind_the_writer(prefect_harness: None, sample_raw: Path, warehouse_file: Path) -> None:
    from winnow.flows.ingest import run_ingest

    held = threading.Event()
    released: list[datetime] = []

    def hold_for_two_seconds() -> None:  # another writer, in its own thread as it would be
        other = WriterLock(warehouse_file, "someone-else")
        other.acquire(wait=False)
        held.set()
        time.sleep(2)
        released.append(datetime.now(UTC))
        other.release()

    thread = threading.Thread(target=hold_for_two_seconds)
    thread.start()
    try:
        assert held.wait(10)
        summary = run_ingest(sample_raw, warehouse_file, wait=True)
    finally:
        thread.join()
    assert summary.status == "completed" and summary.loaded == 6
    assert summary.started_at >= released[0]


@pytest.mark.integration
def test_progress_is_reported_for_every_file(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path
) -> None:
    from winnow.flows.progress import reporting_to

    (sample_raw / "notes.pdf").write_bytes(b"%PDF")

    class Recorder:
        def __init__(self) -> None:
            self.total = -1
            self.done = 0

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, files: int) -> None:
            self.done += files

    recorder = Recorder()
    with reporting_to(recorder):
        run_flow(sample_raw, warehouse_file)
    assert recorder.total == recorder.done == 7
