"""A full disk or a read-only warehouse folder: a clear error, and the warehouse unchanged.

Both use a real filesystem: an 8 MB tmpfs mounted for the test (a warehouse with its first two
articles takes about 4 MB); the tests run as root here, and where mounting is not allowed they skip
and say why. Running `winnow ingest` as a real process shows the message a user sees.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import article_text, assert_accounting, run_flow
from tests.test_crash import snapshot, winnow_cmd, winnow_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "fs"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root/CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _ingest(raw: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*winnow_cmd(), "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=winnow_env(None),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _seed(raw: Path, warehouse: Path) -> None:
    for i in range(2):
        (raw / f"first-{i}.txt").write_text(article_text(title=f"First Story {i}", salt=f"first {i}"))
    assert run_flow(raw, warehouse).loaded == 2
    for i in range(150):
        (raw / f"more-{i}.txt").write_text(article_text(title=f"Another Story {i}", salt=f"more {i}"))


def test_disk_full_is_a_clear_error_and_changes_nothing(
    prefect_harness: None, tiny_fs: Path, raw_dir: Path
) -> None:
    warehouse = tiny_fs / "articles.duckdb"
    _seed(raw_dir, warehouse)
    before = snapshot(warehouse)
    filler = tiny_fs / "filler"
    with open(filler, "wb") as fh:  # take every free byte
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    done = _ingest(raw_dir, warehouse)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert "error: the run could not be saved: the disk is full" in said
    assert "No space left on device" in said and "It was rolled back" in said
    filler.unlink()
    assert snapshot(warehouse) == before
    summary = run_flow(raw_dir, warehouse)
    assert summary.loaded == 150
    assert_accounting(raw_dir, warehouse)


def test_read_only_warehouse_folder_is_a_clear_error_and_changes_nothing(
    prefect_harness: None, tiny_fs: Path, raw_dir: Path
) -> None:
    warehouse = tiny_fs / "articles.duckdb"
    _seed(raw_dir, warehouse)
    before = snapshot(warehouse)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    try:
        done = _ingest(raw_dir, warehouse)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_fs)], check=True)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    # The writer lock beside the warehouse or the warehouse itself: whichever is opened first.
    assert (
        "error: the run could not be saved: the warehouse folder is read-only" in said
        or "error: cannot open the warehouse" in said
    )
    assert "Read-only file system" in said
    assert snapshot(warehouse) == before
    assert run_flow(raw_dir, warehouse).loaded == 150


def test_running_out_of_duckdb_memory_is_a_clear_error_and_changes_nothing(
    prefect_harness: None, raw_dir: Path, tmp_path: Path
) -> None:
    """A run whose DuckDB work outgrows `memory_limit` says so and how to give it more (not "free
    space": the disk is fine), and leaves the warehouse as it was."""
    warehouse = tmp_path / "articles.duckdb"
    _seed(raw_dir, warehouse)
    before = snapshot(warehouse)
    done = subprocess.run(
        [*winnow_cmd(), "ingest", "--raw", str(raw_dir), "--warehouse", str(warehouse)],
        env={**winnow_env(None), "WINNOW_MEMORY_LIMIT": "2MB"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert "error: the run ran out of DuckDB memory" in said and "WINNOW_MEMORY_LIMIT" in said
    assert "Free space" not in said and "transaction is aborted" not in said.split("error:")[-1]
    after = snapshot(warehouse)
    runs = after.pop("runs")
    assert runs[:-1] == before.pop("runs") and runs[-1][1:] == ("failed", 0)  # the run says it failed
    assert after == before
    assert run_flow(raw_dir, warehouse).loaded == 150
