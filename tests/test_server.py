"""winnow's shared local Prefect server: one per PREFECT_HOME, started once by whichever command
needs it first (two at once start one, without Prefect's migration-race traceback), reused by the
next, stopped by `winnow server stop` or by itself when unused for `server_idle_minutes`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.helpers import article_text, rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WINNOW = str(Path(sys.executable).with_name("winnow"))


@pytest.fixture
def fresh_home(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A PREFECT_HOME no server has used, and the environment of a user with nothing configured.
    Whatever server a test starts there is stopped at the end."""
    from winnow.flows.local_server import read_state, stop_server

    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "WINNOW_TEST_HOLD_AT")}
    env["PREFECT_HOME"] = str(home)
    yield home, env
    state = read_state(home)
    stop_server(home)
    if state is not None:
        assert not psutil.pid_exists(state.pid) or psutil.Process(state.pid).status() == psutil.STATUS_ZOMBIE


def _ingest(raw: Path, warehouse: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_commands_on_a_fresh_home_start_one_server(
    fresh_home: tuple[Path, dict[str, str]], raw_dir: Path, tmp_path: Path
) -> None:
    from winnow.flows.local_server import read_state

    home, env = fresh_home
    (raw_dir / "a.txt").write_text(article_text(title="A Perfectly Ordinary Headline", salt="a"))
    both = [_ingest(raw_dir, tmp_path / f"wh{i}" / "articles.duckdb", env) for i in range(2)]
    outputs = [p.communicate(timeout=300) for p in both]
    for p, (out, err) in zip(both, outputs, strict=True):
        assert p.returncode == 0, out + err
        assert "Traceback" not in err and "database is locked" not in err, err
    started = [err for _, err in outputs if "started the local Prefect server" in err]
    assert len(started) == 1, [err for _, err in outputs]  # one started it, the other used it
    state = read_state(home)
    assert state is not None and f"pid {state.pid}" in started[0]
    for i in range(2):
        assert rows(tmp_path / f"wh{i}" / "articles.duckdb", "SELECT status FROM runs") == [("completed",)]
    # The next command reuses it: an unchanged re-run pays no start-up.
    again = _ingest(raw_dir, tmp_path / "wh0" / "articles.duckdb", env)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0 and "started the local Prefect server" not in err, out + err
    assert "0 new" in out and read_state(home) == state


def test_the_server_stops_itself_when_unused(fresh_home: tuple[Path, dict[str, str]]) -> None:
    """WINNOW_SERVER_IDLE_MINUTES: with no command holding a lease for that long, it goes."""
    from winnow.flows.local_server import read_state

    home, env = fresh_home
    env["WINNOW_SERVER_IDLE_MINUTES"] = "0.05"  # 3 s
    started = subprocess.run(
        [WINNOW, "server", "start"], env=env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stdout + started.stderr
    assert "stops after 0.05 idle minutes" in " ".join(started.stdout.split())
    state = read_state(home)
    assert state is not None
    process = psutil.Process(state.pid)
    process.wait(timeout=120)  # gone by itself; a server that stayed would time this out
    assert read_state(home) is None
    status = subprocess.run([WINNOW, "server", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 3


def test_a_lease_keeps_the_server_and_a_dead_holder_releases_it(
    fresh_home: tuple[Path, dict[str, str]],
) -> None:
    """A command using the server holds a lease; the kernel releases it however the command dies."""
    from winnow.flows.local_server import Lease, leases_held

    home, _ = fresh_home
    assert leases_held(home) == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from winnow.flows.local_server import Lease\n"
         f"with Lease(Path({str(home)!r})):\n    print('held', flush=True)\n    time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with Lease(home):
            assert leases_held(home) == 2
        assert leases_held(home) == 1
    finally:
        holder.kill()
        holder.wait()
    assert leases_held(home) == 0
    time.sleep(0)  # nothing to wait for: the kernel dropped the lock with the process
