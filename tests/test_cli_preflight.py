"""Mistakes are caught before Prefect starts: one line on stderr, the right exit code (2 for a
usage error), no traceback, and Prefect never imported (its home stays empty)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_SAMPLES

WINNOW = str(Path(sys.executable).with_name("winnow"))


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WINNOW_"))}
    environ.update(PREFECT_HOME=str(home), **env)
    return subprocess.run(
        [WINNOW, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
        cwd=home.parent,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "prefect-home"
    folder.mkdir()
    return folder


def cases(tmp: Path) -> list[tuple[list[str], int, str]]:
    samples = str(SHIPPED_SAMPLES)
    wh = ["--warehouse", str(tmp / "w" / "a.duckdb")]
    (tmp / "not-duckdb.duckdb").write_text("a text file, not a warehouse")
    (tmp / "plain-file").write_text("x")
    return [
        (["ingest", "--raw", str(tmp / "missing"), *wh], 2, "does not exist"),
        (["ingest", "--raw", str(tmp / "plain-file"), *wh], 2, "is not a folder"),
        (["ingest", "--raw", samples, "--warehouse", str(tmp)], 2, "is a folder"),
        (["ingest", "--raw", samples, "--warehouse", str(tmp / "not-duckdb.duckdb")], 2, "not a DuckDB file"),
        (
            ["ingest", "--raw", samples, *wh, "--dask-address", f"tcp://127.0.0.1:{free_port()}"],
            1,
            "cannot reach",
        ),
        (["ingest", "--raw", samples, *wh, "--dask-address", "http://x:1"], 2, "not a scheduler address"),
        (
            ["serve", "--raw", samples, *wh, "--timezone", "Mars/Olympus"],
            2,
            "unknown time zone 'Mars/Olympus'",
        ),
        (["serve", "--raw", samples, *wh, "--cron", "61 * * * *"], 2, "invalid cron schedule"),
        (["serve", "--raw", samples, *wh, "--cron", "* * * * *", "--interval", "5m"], 2, "not both"),
        (["serve", "--raw", str(tmp / "missing"), *wh], 2, "does not exist"),
        (["watch", "--raw", str(tmp / "missing"), *wh], 2, "does not exist"),
        (["preview", samples], 2, "is a folder"),
        (["search"], 2, "Missing argument 'QUERY'"),  # click's own usage errors: one line too
        (["watch", "--debounce", "-1"], 2, "--debounce"),
        (["ingest", "--no-such-flag"], 2, "No such option"),
        (["preview", str(tmp / "nothing.txt")], 2, "no such file"),
    ]


def test_each_mistake_is_one_line_before_prefect_starts(tmp_path: Path, home: Path) -> None:
    for args, code, words in cases(tmp_path):
        done = run(args, home)
        assert done.returncode == code, (args, done.returncode, done.stderr)
        assert words in one_error_line(done), args
        assert list(home.iterdir()) == [], f"Prefect started for {args}"


def test_a_bad_setting_or_rule_pack_fails_before_prefect(tmp_path: Path, home: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    wh = str(tmp_path / "w.duckdb")
    done = run(["ingest", "--raw", str(raw), "--warehouse", wh], home, WINNOW_MIN_WORDS="many")
    assert done.returncode == 2 and "WINNOW_MIN_WORDS" in one_error_line(done)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.toml").write_text("[[rule]\nid = ")
    done = run(["ingest", "--raw", str(raw), "--warehouse", wh], home)
    assert done.returncode == 2 and "broken.toml" in one_error_line(done)
    assert list(home.iterdir()) == []


def test_a_held_writer_lock_skips_the_run_at_once(tmp_path: Path, home: Path) -> None:
    from winnow.store.lock import WriterLock, journal_path

    warehouse = tmp_path / "w" / "articles.duckdb"
    holder = WriterLock(warehouse, "the-other-run")
    holder.acquire(wait=False)
    try:
        done = run(["ingest", "--raw", str(SHIPPED_SAMPLES), "--warehouse", str(warehouse)], home)
    finally:
        holder.release()
    assert done.returncode == 75
    line = one_error_line(done)
    assert "the-other-run" in line and "--wait" in line
    assert list(home.iterdir()) == []
    journal = [json.loads(x) for x in journal_path(warehouse).read_text("utf-8").splitlines()]
    assert [j["status"] for j in journal] == ["skipped"]
    assert "the-other-run" in journal[0]["error"]


def test_version_and_completion(home: Path) -> None:
    from winnow.version import __version__

    done = run(["--version"], home)
    assert done.returncode == 0 and done.stdout.startswith(f"winnow {__version__} (DuckDB ")
    # Typer finds the shell among the process's ancestors, which a test runner need not have; its own
    # switch makes --show-completion take the shell as a value instead.
    script = run(["--show-completion", "bash"], home, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert script.returncode == 0 and "_WINNOW_COMPLETE" in script.stdout
    assert list(home.iterdir()) == []


def test_a_program_holding_the_warehouse_open_is_named_at_once(tmp_path: Path, home: Path) -> None:
    from winnow.store.warehouse import open_warehouse

    warehouse = tmp_path / "articles.duckdb"
    open_warehouse(warehouse).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = run(["ingest", "--raw", str(SHIPPED_SAMPLES), "--warehouse", str(warehouse)], home)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 75  # skipped and recorded, naming the holder (tests/test_lifetime.py)
    line = one_error_line(done)
    assert "held open by another program" in line and f"pid {holder.pid}" in line
    assert list(home.iterdir()) == []


# A notebook's read-only connection, left open.
HOLD_OPEN = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print('open', flush=True)\n"
    "time.sleep(120)\n"
)
