"""Scheduled ingestion: the deployment and its schedule, prefect.yaml, and `winnow serve` for real."""

from __future__ import annotations

import inspect
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from tests.helpers import assert_accounting, rows
from winnow.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
WINNOW = str(Path(sys.executable).with_name("winnow"))


@pytest.mark.integration
def test_deployment_registers_with_its_schedule(prefect_harness: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from winnow.flows.schedule import DEPLOYMENT_NAME, build_deployment, make_schedule

    every = build_deployment(make_schedule(None, timedelta(minutes=15)), tmp_path / "raw", tmp_path / "w.db")
    cron = build_deployment(
        make_schedule("0 6 * * 1-5", None, "Europe/Paris"), tmp_path / "raw", tmp_path / "w.db", name="cron"
    )
    with get_client(sync_client=True) as client:
        got = client.read_deployment(every.apply())
        got_cron = client.read_deployment(cron.apply())
    (schedule,) = got.schedules
    assert schedule.active and schedule.schedule.interval == timedelta(minutes=15)  # type: ignore[union-attr]
    expected = {"raw": str(tmp_path / "raw"), "warehouse": str(tmp_path / "w.db"), "wait": False}
    assert got.parameters == expected
    assert got.name == DEPLOYMENT_NAME and not got.paused
    (schedule,) = got_cron.schedules
    assert schedule.schedule.cron == "0 6 * * 1-5"  # type: ignore[union-attr]
    assert schedule.schedule.timezone == "Europe/Paris"  # type: ignore[union-attr]


def test_schedule_options_are_checked() -> None:
    from winnow.flows.schedule import make_schedule

    from winnow.cli.serve import parse_interval

    assert parse_interval("15m") == timedelta(minutes=15)
    assert parse_interval("90") == timedelta(seconds=90)
    assert parse_interval("1.5h") == timedelta(minutes=90)
    for bad in ("soon", "10x", "0s", "-5m"):
        with pytest.raises(ConfigError):
            parse_interval(bad)
    with pytest.raises(ConfigError, match="invalid cron"):
        make_schedule("every day", None)
    with pytest.raises(ConfigError, match="not both"):
        make_schedule("* * * * *", timedelta(minutes=1))


def test_prefect_yaml_declares_the_served_deployment() -> None:
    from winnow.flows.ingest import ingest_flow
    from winnow.flows.schedule import DEPLOYMENT_NAME, make_schedule

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text("utf-8"))
    (deployment,) = spec["deployments"]
    # Its own name: `winnow serve` must not overwrite (or pause) the team's deployment.
    assert deployment["name"] == "scheduled" != DEPLOYMENT_NAME
    from prefect.flows import load_flow_from_entrypoint

    assert load_flow_from_entrypoint(deployment["entrypoint"]).fn is ingest_flow.fn
    assert set(deployment["parameters"]) == set(inspect.signature(ingest_flow.fn).parameters)
    (schedule,) = deployment["schedules"]
    make_schedule(schedule["cron"], None, schedule["timezone"])  # a valid cron expression and zone


def _runs(warehouse: Path) -> list[tuple[str, int]]:
    try:
        return [(s, n) for s, n in rows(warehouse, "SELECT status, loaded FROM runs ORDER BY started_at")]
    except Exception:  # not created yet, or a run holds it right now
        return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


@pytest.mark.slow
@pytest.mark.integration
def test_serve_runs_on_schedule_and_stops_cleanly(tmp_path: Path, sample_raw: Path) -> None:
    """Nothing configured: serve starts winnow's shared server (with its scheduler), runs on the
    schedule, stops on SIGTERM with 143; the server stays for the next command (ingest reuses it, in
    the same Prefect history) until `winnow server stop`."""
    from winnow.flows.local_server import read_state, stop_server

    warehouse = tmp_path / "wh" / "articles.duckdb"
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [WINNOW, "serve", "--interval", "3s", "--raw", str(sample_raw), "--warehouse", str(warehouse)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while len([r for r in _runs(warehouse) if r[0] == "completed"]) < 2:
            assert proc.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM, Path(log.name).read_text()
        output = Path(log.name).read_text()
        url = re.search(
            r"started the local Prefect server at\s+(http://127\.0\.0\.1:\d+)\s+\(pid\s+(\d+)\)", output
        )
        assert url, output
        state = read_state(home)
        assert state is not None and state.pid == int(url.group(2)) and _alive(state.pid)
        again = subprocess.run(
            [WINNOW, "ingest", "--raw", str(sample_raw), "--warehouse", str(warehouse)],
            env=env, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        assert again.returncode == 0, again.stdout + again.stderr
        assert "started the local Prefect server" not in again.stderr  # reused
        status = subprocess.run(
            [WINNOW, "server", "status"], env=env, capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 0 and str(state.pid) in " ".join(status.stdout.split())
        with urllib.request.urlopen(  # noqa: S310 - the local server
            urllib.request.Request(
                f"{state.api_url}/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"}
            ),
            timeout=10,
        ) as response:
            flow_runs = json.loads(response.read())
        ids = {r["id"] for r in flow_runs}
        assert {run_id for (run_id,) in rows(warehouse, "SELECT run_id FROM runs")} <= ids  # one history
        stopped = subprocess.run(
            [WINNOW, "server", "stop"], env=env, capture_output=True, text=True, timeout=60
        )
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert not _alive(state.pid)
        status = subprocess.run(
            [WINNOW, "server", "status"], env=env, capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 3
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        stop_server(home)
    with pytest.raises(OSError):  # the server is gone
        urllib.request.urlopen(f"{state.api_url}/health", timeout=2)
    completed = [r for r in _runs(warehouse) if r[0] == "completed"]
    assert completed[0] == ("completed", 6) and all(n == 0 for _, n in completed[1:])
    assert_accounting(sample_raw, warehouse)
