"""Two `winnow ingest` processes at once: never corrupt or double-load, and both are accounted for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import article_text, assert_accounting, cli_env, rows, run_flow
from winnow.store.lock import WriterLock, pending_skipped

pytestmark = [pytest.mark.slow, pytest.mark.integration]

WINNOW = str(Path(sys.executable).with_name("winnow"))
EXIT_SKIPPED = 75


def _corpus(raw: Path, n: int = 250) -> None:
    for i in range(n):
        (raw / f"doc-{i:04d}.txt").write_text(article_text(salt=f"doc {i}"))


def _two_ingests(raw: Path, warehouse: Path, *extra: str) -> list[subprocess.CompletedProcess[str]]:
    command = [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse), *extra]
    procs = [
        subprocess.Popen(command, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    done = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return done


def test_two_ingests_that_wait_load_every_file_once(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    _corpus(raw_dir)
    results = _two_ingests(raw_dir, warehouse_file, "--wait")
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    assert rows(warehouse_file, "SELECT count(*), count(DISTINCT source_path) FROM articles") == [(250, 250)]
    runs = rows(warehouse_file, "SELECT status, loaded, files_unchanged FROM runs ORDER BY started_at")
    assert runs == [("completed", 250, 0), ("completed", 0, 250)]
    assert_accounting(raw_dir, warehouse_file)
    for r in results:  # piped: a summary, and no progress bar
        assert "completed" in r.stdout and "━" not in r.stdout + r.stderr


def test_two_ingests_that_do_not_wait_are_both_accounted_for(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    _corpus(raw_dir)
    results = _two_ingests(raw_dir, warehouse_file)
    codes = sorted(r.returncode for r in results)
    print("exit codes", codes)
    # Usually one skips; on a slow machine the second may start after the first has finished.
    assert codes in ([0, 0], [0, EXIT_SKIPPED]), [r.stderr[-2000:] for r in results]
    skipped = [r for r in results if r.returncode == EXIT_SKIPPED]
    for r in skipped:
        message = " ".join(r.stderr.split())  # rich wraps long lines
        assert "is being written by" in message and "use --wait" in message
    assert rows(warehouse_file, "SELECT count(*), count(DISTINCT source_path) FROM articles") == [(250, 250)]
    run_flow(raw_dir, warehouse_file)  # whichever skip is still in the journal lands in runs now
    statuses = [s for (s,) in rows(warehouse_file, "SELECT status FROM runs ORDER BY started_at")]
    assert sorted(statuses) == sorted(["completed"] * (3 - len(skipped)) + ["skipped"] * len(skipped))
    assert pending_skipped(warehouse_file) == []
    assert_accounting(raw_dir, warehouse_file)


def test_ingest_exits_with_a_clear_message_when_the_warehouse_is_busy(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path
) -> None:
    holder = WriterLock(warehouse_file, "a-long-run")
    holder.acquire(wait=False)
    try:
        result = subprocess.run(
            [WINNOW, "ingest", "--raw", str(sample_raw), "--warehouse", str(warehouse_file)],
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.release()
    assert result.returncode == EXIT_SKIPPED, result.stderr
    message = " ".join(result.stderr.split())
    assert "being written by run a-long-run" in message and "use --wait" in message
    assert not warehouse_file.exists()  # it never opened the warehouse
    assert [r.status for r in pending_skipped(warehouse_file)] == ["skipped"]
