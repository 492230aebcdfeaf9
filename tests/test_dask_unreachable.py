"""An unreachable Dask scheduler met inside the flow (the CLI checks it first; a scheduled or
watched run meets it here) fails the run with a sentence about the scheduler, not the disk."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.helpers import article_text
from winnow.errors import WinnowError

pytestmark = pytest.mark.integration


def test_unreachable_scheduler_is_named(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from winnow.flows.ingest import run_ingest

    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")
    for i in range(3):
        (raw_dir / f"a{i}.txt").write_text(article_text(salt=f"dask {i}"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(WinnowError) as failed:
        run_ingest(raw_dir, warehouse_file, dask_address=f"tcp://127.0.0.1:{port}")
    message = str(failed.value)
    assert "batch workers" in message and "Free space" not in message
