"""Process lifetime (issue 15): real `winnow` subprocesses, real signals at several points of a run.

SIGINT and SIGTERM stop ingest, watch and serve within 5 s with exit 130/143 and one line, roll
back, record the run `cancelled` in `runs` and Cancelled in Prefect, and leave no process behind;
a SIGKILL leaves no process and no lock; a closed output never hangs a run; one run has one
`runs` row; watch ignores its own warehouse; a reader never makes a scheduled run vanish.

The signal points are winnow/faults.py's hold points (a process announces it holds there, and
waits): a signal timed from outside cannot land reliably inside a given step.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.helpers import article_text, cli_env, rows, run_flow
from winnow.faults import HOLD_ENV

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WINNOW = str(Path(sys.executable).with_name("winnow"))
BOUND_S = 5.0  # the bound from the signal to the exit


class Cmd:
    """A `winnow` subprocess: its output (stdout and stderr together) read by a thread, and every
    process it starts remembered, so the test can check that none survives it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [WINNOW, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.out = bytearray()
        self.tree: dict[int, psutil.Process] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for chunk in iter(lambda: self.proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
            self.out += chunk

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    def note_tree(self) -> None:
        with_children = []
        try:
            root = psutil.Process(self.proc.pid)
            with_children = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
        for p in with_children:
            self.tree.setdefault(p.pid, p)

    def wait_for(self, marker: str, timeout: float = 240, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.text.count(marker) < count:
            self.note_tree()
            assert self.proc.poll() is None or self.text.count(marker) >= count, (
                f"exited ({self.proc.returncode}) before {marker!r}:\n{self.text[-3000:]}"
            )
            assert time.monotonic() < deadline, f"never saw {marker!r}:\n{self.text[-3000:]}"
            time.sleep(0.1)
        self.note_tree()

    def stop_with(self, sig: int) -> tuple[int | None, float]:
        """Send `sig`; wait (at most twice the bound, to report) for the exit; (code, seconds)."""
        self.note_tree()
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code: int | None = self.proc.wait(timeout=2 * BOUND_S)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.monotonic() - started

    def survivors(self, within: float = BOUND_S) -> list[str]:
        """Processes of its tree still running `within` seconds from now (zombies are gone)."""
        deadline = time.monotonic() + within
        while True:
            alive = []
            for p in self.tree.values():
                try:
                    if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                        alive.append(f"{p.pid} {' '.join(p.cmdline())[:150]}")
                except psutil.NoSuchProcess:
                    pass
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.2)

    def kill_all(self) -> None:
        self.note_tree()
        for p in [*self.tree.values()]:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)


@pytest.fixture
def spawn() -> Iterator[Any]:
    """Start `winnow` subprocesses; at the end, none of them, nor anything they started, survives
    (the test fails if one had to be killed here)."""
    started: list[Cmd] = []

    def start(args: list[str], env: dict[str, str]) -> Cmd:
        cmd = Cmd(args, env)
        started.append(cmd)
        return cmd

    yield start
    leftovers = []
    for cmd in started:
        leftovers += cmd.survivors(within=0)
        cmd.kill_all()
    assert not leftovers, f"processes left running: {leftovers}"


def env_with(hold: str | None = None, **extra: str) -> dict[str, str]:
    env = cli_env()  # this session's shared Prefect server
    env.pop(HOLD_ENV, None)
    if hold:
        env[HOLD_ENV] = hold
    env.update(extra)
    return env


def content(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "articles": rows(warehouse, "SELECT doc_id, title, body FROM articles ORDER BY 1"),
        "sources": rows(warehouse, "SELECT path, record, sha256, status FROM sources ORDER BY 1, 2"),
        "search": rows(warehouse, "SELECT doc_id FROM search_docs ORDER BY 1"),
    }


def runs(warehouse: Path) -> list[tuple[str, str, str | None]]:
    return rows(warehouse, "SELECT run_id, status, error FROM runs ORDER BY started_at")


def flow_run_state(run_id: str) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    return state.type.value if state else "?"


def lines_saying_stopped(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("stopped by SIG")]


def writer_lock_is_free(warehouse: Path) -> bool:
    from winnow.errors import WarehouseBusy
    from winnow.store.lock import WriterLock

    lock = WriterLock(warehouse, "probe")
    try:
        lock.acquire(wait=False)
    except WarehouseBusy:
        return False
    lock.release()
    return True


@pytest.fixture
def loaded(prefect_harness: None, raw_dir: Path, warehouse_file: Path) -> tuple[Path, Path]:
    """A warehouse with one completed run, and new and changed files waiting for the next."""
    for i in range(4):
        (raw_dir / f"first-{i}.txt").write_text(article_text(title=f"First Story Number {i}", salt=f"f{i}"))
    assert run_flow(raw_dir, warehouse_file).loaded == 4
    for i in range(6):
        (raw_dir / f"second-{i}.txt").write_text(article_text(title=f"Second Story Number {i}", salt=f"s{i}"))
    (raw_dir / "first-0.txt").write_text(article_text(title="First Story, Revised", salt="revised"))
    os.utime(raw_dir / "first-0.txt", ns=(0, time.time_ns() + 10**9))
    return raw_dir, warehouse_file


# (hold point, signal, extra environment): before the flow starts, in a batch on a pool worker,
# while loading, just before the commit.
SIGNAL_CASES = [
    ("before_flow", signal.SIGTERM, {}),
    ("read", signal.SIGINT, {"WINNOW_BATCH_SIZE": "2", "WINNOW_WORKERS": "2"}),
    ("load", signal.SIGTERM, {}),
    ("commit", signal.SIGINT, {}),
]


@pytest.mark.parametrize(
    ("point", "sig", "extra"), SIGNAL_CASES, ids=[f"{c[0]}-{c[1].name}" for c in SIGNAL_CASES]
)
def test_a_signal_stops_ingest_rolls_back_and_cancels(
    loaded: tuple[Path, Path], spawn: Any, point: str, sig: signal.Signals, extra: dict[str, str]
) -> None:
    raw, warehouse = loaded
    before, runs_before = content(warehouse), runs(warehouse)
    cmd = spawn(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)], env_with(point, **extra))
    cmd.wait_for(f"holding at {point}")
    code, seconds = cmd.stop_with(sig)
    assert code == 128 + sig, f"exit {code} after {seconds:.1f}s:\n{cmd.text[-3000:]}"
    assert seconds <= BOUND_S, f"took {seconds:.1f}s to stop"
    assert cmd.survivors() == []
    said = lines_saying_stopped(cmd.text)
    assert len(said) == 1 and said[0].startswith(f"stopped by {sig.name}"), cmd.text[-3000:]
    assert "Traceback" not in cmd.text, cmd.text[-3000:]
    assert content(warehouse) == before  # rolled back
    assert writer_lock_is_free(warehouse)
    new_runs = runs(warehouse)[len(runs_before) :]
    if point == "before_flow":
        assert new_runs == [] and "no run had started" in said[0]
    else:
        ((run_id, status, error),) = new_runs  # one run, one row
        assert status == "cancelled" and error and sig.name in error
        assert flow_run_state(run_id) == "CANCELLED"
    # The next run does the work, once.
    done = run_flow(raw, warehouse)
    assert done.status == "completed" and done.loaded == 7


def test_a_signal_after_the_commit_records_the_run_once(loaded: tuple[Path, Path], spawn: Any) -> None:
    """The committed run stays `completed`: nothing records it again as failed or cancelled (once,
    a log write to a closed pipe after the commit added a second, `failed`, row)."""
    raw, warehouse = loaded
    before = runs(warehouse)
    cmd = spawn(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)], env_with("committed"))
    cmd.wait_for("holding at committed")
    code, seconds = cmd.stop_with(signal.SIGTERM)
    assert code == 143 and seconds <= BOUND_S, (code, seconds, cmd.text[-3000:])
    assert cmd.survivors() == []
    new_runs = runs(warehouse)[len(before) :]
    assert [status for _, status, _ in new_runs] == ["completed"], new_runs
    assert "had been saved already" in lines_saying_stopped(cmd.text)[0]
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(10,)]


def test_sigkill_leaves_no_process_and_no_lock(loaded: tuple[Path, Path], spawn: Any) -> None:
    """SIGKILL while pool workers process batches: the workers and the resource tracker go with it,
    the writer lock is free, and the next run does the work."""
    raw, warehouse = loaded
    env = env_with("read", WINNOW_BATCH_SIZE="2", WINNOW_WORKERS="2")
    cmd = spawn(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)], env)
    cmd.wait_for("holding at read")
    time.sleep(0.5)  # let the second worker start too
    cmd.note_tree()
    assert len(cmd.tree) >= 3, cmd.tree  # winnow, its workers (and the resource tracker)
    code, _ = cmd.stop_with(signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert cmd.survivors() == []
    assert writer_lock_is_free(warehouse)
    assert run_flow(raw, warehouse).loaded == 7


def test_a_closed_output_never_hangs_a_run(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, tmp_path: Path
) -> None:
    """`winnow ingest 2>&1 | head -3`: head goes after three lines; the run still finishes, once."""
    for i in range(24):
        (raw_dir / f"story-{i}.txt").write_text(article_text(title=f"A Story Numbered {i}", salt=f"x{i}"))
    env = env_with(WINNOW_BATCH_SIZE="4", WINNOW_WORKERS="2", PREFECT_LOGGING_LEVEL="INFO")
    status = tmp_path / "status"
    script = (
        f"'{WINNOW}' ingest --raw '{raw_dir}' --warehouse '{warehouse_file}' 2>&1 | head -3; "
        f"echo ${{PIPESTATUS[0]}} > '{status}'"
    )
    shell = subprocess.Popen(["bash", "-c", script], env=env, stdout=subprocess.PIPE, start_new_session=True)
    try:
        out, _ = shell.communicate(timeout=240)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
    assert status.read_text().strip() == "0", out
    ((_, state, _),) = runs(warehouse_file)  # one run, one row
    assert state == "completed"
    assert rows(warehouse_file, "SELECT count(*) FROM articles") == [(24,)]


def test_watch_ignores_its_own_warehouse_and_stops_on_sigint(
    prefect_harness: None, raw_dir: Path, spawn: Any
) -> None:
    """The warehouse inside raw/: one run, not a loop on its own writes (once: 49 runs in 75 s); and
    Ctrl-C after the first run stops watch (once it ran on for 460 s)."""
    (raw_dir / "a.txt").write_text(article_text(title="The Only Story Here Today", salt="a"))
    warehouse = raw_dir / "wh" / "articles.duckdb"
    cmd = spawn(
        ["watch", "--raw", str(raw_dir), "--warehouse", str(warehouse), "--debounce", "0.2"], env_with()
    )
    cmd.wait_for(" completed in ")
    time.sleep(6)  # a loop would have started its next runs by now
    code, seconds = cmd.stop_with(signal.SIGINT)
    assert code == 130 and seconds <= BOUND_S, (code, seconds, cmd.text[-3000:])
    assert cmd.survivors() == []
    assert cmd.text.count(" completed in ") == 1, cmd.text[-3000:]
    assert len(runs(warehouse)) == 1
    assert len(lines_saying_stopped(cmd.text)) == 1


def test_watch_sigterm_mid_run_rolls_back(
    prefect_harness: None, raw_dir: Path, tmp_path: Path, spawn: Any
) -> None:
    (raw_dir / "a.txt").write_text(article_text(title="The Only Story Here Today", salt="a"))
    warehouse = tmp_path / "wh" / "articles.duckdb"
    cmd = spawn(["watch", "--raw", str(raw_dir), "--warehouse", str(warehouse)], env_with("load"))
    cmd.wait_for("holding at load")
    code, seconds = cmd.stop_with(signal.SIGTERM)
    assert code == 143 and seconds <= BOUND_S, (code, seconds, cmd.text[-3000:])
    assert cmd.survivors() == []
    ((run_id, status, _),) = runs(warehouse)
    assert status == "cancelled" and rows(warehouse, "SELECT count(*) FROM articles") == [(0,)]
    assert flow_run_state(run_id) == "CANCELLED"


def _reader(warehouse: Path) -> subprocess.Popen[str]:
    """A process holding the warehouse open read-only (a notebook, the DuckDB CLI) until told."""
    code = (
        "# notebook-reader\n"
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(warehouse)!r}, read_only=True)\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
        "con.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def test_a_reader_never_makes_a_run_vanish(loaded: tuple[Path, Path], spawn: Any) -> None:
    """A scheduled run (no --wait) that meets an open connection is recorded `skipped`, naming the
    holder's PID and command; with --wait it waits for the reader and then runs."""
    raw, warehouse = loaded
    before = runs(warehouse)
    reader = _reader(warehouse)
    try:
        skipped = subprocess.run(
            [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
            env=env_with(), capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        message = " ".join((skipped.stdout + skipped.stderr).split())
        assert skipped.returncode == 75, message
        assert f"pid {reader.pid}" in message and "notebook-reader" in message, message
        waiting = spawn(["ingest", "--wait", "--raw", str(raw), "--warehouse", str(warehouse)], env_with())
        waiting.wait_for("waiting")
        assert waiting.proc.poll() is None
    finally:
        reader.communicate("\n", timeout=60)
    assert waiting.proc.wait(timeout=240) == 0, waiting.text[-3000:]
    new_runs = runs(warehouse)[len(before) :]
    assert sorted(status for _, status, _ in new_runs) == ["completed", "skipped"], new_runs
    (error,) = [e for _, s, e in new_runs if s == "skipped"]
    assert error and f"pid {reader.pid}" in error


def test_serve_sigkill_leaves_nothing_and_one_row_per_run(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, spawn: Any
) -> None:
    """SIGKILL of serve while its flow run loads: the flow-run process goes with it (once it stayed,
    holding the writer lock and the warehouse for ever), and no run has two rows."""
    (raw_dir / "a.txt").write_text(article_text(title="The Only Story Here Today", salt="a"))
    cmd = spawn(["serve", "--interval", "2s", "--raw", str(raw_dir), "--warehouse", str(warehouse_file)],
                env_with("load"))  # fmt: skip
    cmd.wait_for("holding at load")
    code, _ = cmd.stop_with(signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert cmd.survivors() == []
    assert writer_lock_is_free(warehouse_file)
    if warehouse_file.exists():
        ids = [run_id for run_id, _, _ in runs(warehouse_file)]
        assert len(ids) == len(set(ids))
        assert all(status != "completed" for _, status, _ in runs(warehouse_file))


def test_serve_stops_on_sigterm_with_its_own_deployment(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, spawn: Any
) -> None:
    """serve registers `winnow-ingest/serve`, leaves prefect.yaml's `scheduled` as it was (once it
    overwrote its cron and paused it), runs in the same Prefect history as ingest, and SIGTERM stops
    it within the bound."""
    from datetime import timedelta

    from prefect.client.orchestration import get_client
    from winnow.flows.schedule import DEPLOYMENT_NAME, build_deployment, make_schedule

    theirs = build_deployment(make_schedule("0 6 * * 1-5", None), raw_dir, warehouse_file, name="scheduled")
    theirs_id = theirs.apply()
    (raw_dir / "a.txt").write_text(article_text(title="The Only Story Here Today", salt="a"))
    cmd = spawn(
        ["serve", "--interval", "2s", "--raw", str(raw_dir), "--warehouse", str(warehouse_file)], env_with()
    )
    deadline = time.monotonic() + 600  # the scheduler's first run, on a loaded 2-core machine
    while not warehouse_file.exists() or not any(s == "completed" for _, s, _ in _quiet_runs(warehouse_file)):
        assert cmd.proc.poll() is None and time.monotonic() < deadline, cmd.text[-3000:]
        time.sleep(0.5)
    cmd.note_tree()
    code, seconds = cmd.stop_with(signal.SIGTERM)
    assert code == 143 and seconds <= BOUND_S, (code, seconds, cmd.text[-3000:])
    assert cmd.survivors() == []
    assert len(lines_saying_stopped(cmd.text)) == 1
    manual = run_flow(raw_dir, warehouse_file)  # an ingest, in the same history
    with get_client(sync_client=True) as client:
        scheduled = client.read_deployment(theirs_id)
        served = client.read_deployment_by_name(f"winnow-ingest/{DEPLOYMENT_NAME}")
        # Both in the one history: the scheduled runs (their ids are in `runs`) and the manual one.
        ids = [run_id for run_id, in rows(warehouse_file, "SELECT run_id FROM runs")]
        recorded = [client.read_flow_run(run_id) for run_id in ids]
    assert DEPLOYMENT_NAME != "scheduled"
    assert not scheduled.paused
    (schedule,) = scheduled.schedules
    assert schedule.schedule.cron == "0 6 * * 1-5"  # type: ignore[union-attr]
    assert served.paused  # its own schedule, paused on exit: nobody serves it now
    assert served.schedules[0].schedule.interval == timedelta(seconds=2)  # type: ignore[union-attr]
    assert served.id in {r.deployment_id for r in recorded}
    assert manual.run_id in {str(r.id) for r in recorded}


def _quiet_runs(warehouse: Path) -> list[tuple[str, str, str | None]]:
    try:
        return runs(warehouse)
    except Exception:  # a run holds the file right now
        return []
