"""`winnow watch`: a run per burst of changes, none lost while a run works, and the real command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from winnow.flows.watch import watch_and_ingest

from tests.helpers import article_text, assert_accounting, cli_env, rows

WINNOW = str(Path(sys.executable).with_name("winnow"))


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Runs:
    """Counts the runs the watch loop starts; `hold` seconds per run simulates a slow ingest."""

    def __init__(self) -> None:
        self.count = 0
        self.running = threading.Event()
        self.hold = 0.0

    def __call__(self) -> None:
        self.running.set()
        time.sleep(self.hold)
        self.count += 1
        self.running.clear()

    def settled(self, quiet: float = 2.5) -> int:
        """The run count once no run has started or finished for `quiet` seconds."""
        last, since = self.count, time.monotonic()
        while time.monotonic() - since < quiet:
            time.sleep(0.1)
            if self.count != last or self.running.is_set():
                last, since = self.count, time.monotonic()
        return self.count


@pytest.fixture(params=["native"])
def watching(raw_dir: Path, request: pytest.FixtureRequest) -> Iterator[Runs]:
    runs = Runs()
    stop = threading.Event()
    loop = threading.Thread(
        target=watch_and_ingest,
        kwargs={
            "raw": raw_dir,
            "run": runs,
            "debounce": 0.5,
            "initial_run": False,
            "stop": stop,
            "polling": request.param == "polling",
        },
    )
    loop.start()
    try:
        # The watcher is live once a change makes a run (inotify setup takes a moment).
        deadline = time.monotonic() + 60
        while runs.count == 0:
            assert loop.is_alive(), "the watch loop stopped"
            assert time.monotonic() < deadline, "the watcher never saw a change"
            (raw_dir / "warmup.txt").write_text(str(time.monotonic()))
            time.sleep(0.5)
        runs.settled(quiet=1.5)
        yield runs
    finally:
        stop.set()
        loop.join(timeout=20)
    assert not loop.is_alive()


@pytest.mark.parametrize("watching", ["native", "polling"], indirect=True)
def test_a_burst_of_files_is_one_run(watching: Runs, raw_dir: Path) -> None:
    before = watching.count
    for i in range(300):
        (raw_dir / f"burst-{i}.txt").write_text(article_text(salt=str(i)))
    assert 1 <= watching.settled() - before <= 2


def test_changes_during_a_run_make_exactly_one_more_run(watching: Runs, raw_dir: Path) -> None:
    before = watching.count
    watching.hold = 2.0
    (raw_dir / "first.txt").write_text("one")
    _until(watching.running.is_set, 30, "the run to start")
    for i in range(10):  # arrive while the run works: it is not interrupted
        (raw_dir / f"during-{i}.txt").write_text(str(i))
        time.sleep(0.05)
    assert watching.running.is_set()
    assert watching.settled(quiet=3.0) - before == 2


def test_hidden_files_do_not_trigger_runs(watching: Runs, raw_dir: Path) -> None:
    before = watching.count
    (raw_dir / ".draft.txt.swp").write_text("editor noise")
    (raw_dir / ".partial").mkdir()
    (raw_dir / ".partial" / "incoming.txt").write_text("not yet")
    assert watching.settled() == before


def _articles(warehouse: Path, path: str) -> int:
    try:
        return int(rows(warehouse, "SELECT count(*) FROM articles WHERE source_path = ?", [path])[0][0])
    except Exception:  # not there yet, or the watcher's run holds the file right now
        return 0


def _run_count(warehouse: Path) -> int:
    try:
        return int(rows(warehouse, "SELECT count(*) FROM runs")[0][0])
    except Exception:
        return -1


@pytest.mark.slow
@pytest.mark.integration
def test_winnow_watch_ingests_new_files(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path, tmp_path: Path
) -> None:
    log = (tmp_path / "watch.log").open("w+")
    proc = subprocess.Popen(
        [WINNOW, "watch", "--raw", str(sample_raw), "--warehouse", str(warehouse_file), "--debounce", "1"],
        env=cli_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _until(lambda: _articles(warehouse_file, "nyt-style-transit.txt") == 1, 120, "the catch-up run")
        (sample_raw / "arrived.txt").write_text(article_text(salt="arrived"))
        _until(lambda: _articles(warehouse_file, "arrived.txt") == 1, 120, "the new file's article")
        _until(lambda: _run_count(warehouse_file) >= 2, 30, "the runs table")
        before = _run_count(warehouse_file)
        for i in range(40):
            (sample_raw / f"burst-{i}.txt").write_text(article_text(salt=f"burst {i}"))
        _until(lambda: _articles(warehouse_file, "burst-39.txt") == 1, 120, "the burst")
        time.sleep(3)  # room for a (wrong) extra run to show up
        assert 1 <= _run_count(warehouse_file) - before <= 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM  # stopped by SIGTERM (tests/test_lifetime.py)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        print(Path(log.name).read_text())
    assert_accounting(sample_raw, warehouse_file)
