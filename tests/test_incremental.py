"""What an incremental `winnow ingest` pays for (issue #17: an unchanged re-run in seconds): the
real command in a subprocess, a real flow run on the session's Prefect server, and the modules the
process had loaded when it exited. A run with nothing to process never loads the engine's batch
path (trafilatura, pandera, pyarrow: about 1 s of imports); a run with one new file does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_SAMPLES
from tests.helpers import cli_env

pytestmark = pytest.mark.integration

# Imported only when a batch is processed or loaded (or, for fastapi, when a parameter is not a
# plain JSON value): none of them on a run that finds nothing to do.
BATCH_ONLY = ("winnow.batch", "winnow.validate", "winnow.prepare", "trafilatura", "pandera", "pyarrow")
NEVER_FOR_PLAIN_PARAMETERS = ("fastapi",)

# The CLI's entry point, run as `winnow` runs it, writing the loaded module names on exit.
_PROBE = """
import atexit, json, sys
report = sys.argv[1]
atexit.register(lambda: open(report, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["winnow"] + sys.argv[2:]
from winnow.cli.main import main
main()
"""


def _ingest(raw: Path, warehouse: Path, report: Path) -> tuple[str, set[str]]:
    """`winnow ingest` in the default setup: no PREFECT_API_URL, so it finds the shared server of
    this PREFECT_HOME (the session's), leases it and points Prefect at it, as on a user's machine."""
    command = ["ingest", "--raw", str(raw), "--warehouse", str(warehouse)]
    env = {k: v for k, v in cli_env().items() if k != "PREFECT_API_URL"}
    env["PREFECT_LOGGING_LEVEL"] = "INFO"  # the session's WARNING would send no line to check
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), *command],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, set(json.loads(report.read_text("utf-8")))


def test_an_unchanged_rerun_loads_no_batch_engine(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, tmp_path: Path
) -> None:
    sample = sorted(SHIPPED_SAMPLES.glob("*.txt"))[0]
    shutil.copy(sample, raw_dir / sample.name)
    out, first = _ingest(raw_dir, warehouse_file, tmp_path / "first.json")
    assert "1 new" in out
    assert "winnow.batch" in first  # it processed a batch (the probe sees what a run loads)

    out, again = _ingest(raw_dir, warehouse_file, tmp_path / "again.json")
    assert "1 unchanged" in out and "0 new" in out
    assert [m for m in BATCH_ONLY + NEVER_FOR_PLAIN_PARAMETERS if m in again] == []
    assert "prefect" in again  # still a Prefect flow run, with its last log lines in Prefect
    logs = _logs(_run_id(out))
    assert any("Finished in state Completed" in line for line in logs), logs

    shutil.copy(sample, raw_dir / "copy.txt")  # one new file: the batch path, but no HTML reader
    out, added = _ingest(raw_dir, warehouse_file, tmp_path / "added.json")
    assert "1 new" in out
    assert {"winnow.batch", "winnow.validate", "pyarrow"} <= added
    assert "trafilatura" not in added  # text files only: the HTML reader is loaded when a page comes


def _run_id(out: str) -> str:
    found = re.search(r"run ([0-9a-f-]{36}) completed", out)
    assert found, out
    return found.group(1)


def _logs(run_id: str) -> list[str]:
    """The flow run's log lines in Prefect (sent by the command's exit handlers, after the flow)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[uuid.UUID(run_id)])))
    return [log.message for log in logs]


def test_the_flow_run_records_its_parameters(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    """The ingest flow hands plain parameters to Prefect as they are (no FastAPI encoder); Prefect's
    history holds them as before."""
    from prefect.client.orchestration import get_client
    from winnow.flows.ingest import ingest_flow, run_ingest

    summary = run_ingest(raw_dir, warehouse_file)
    with get_client(sync_client=True) as client:
        recorded = client.read_flow_run(summary.run_id).parameters
    assert recorded == {
        "raw": str(raw_dir),
        "warehouse": str(warehouse_file),
        "wait": False,
        "dask_address": None,
        "workers": None,
    }
    # A value that is not plain JSON still goes through Prefect's encoder.
    encoded = ingest_flow.serialize_parameters({"raw": Path("in/box"), "wait": True})
    assert encoded == {"raw": "in/box", "wait": True}
