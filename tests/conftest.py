"""Shared fixtures: a temporary PREFECT_HOME, one shared Prefect server per session, fresh raw/
folders and warehouse files per test, and the shared samples when they are present."""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads its home at import: point it somewhere temporary before anything imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="winnow-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)  # the session's own server (prefect_harness), never the user's
# A session that is killed leaves its server idle: it goes by itself after this.
os.environ.setdefault("WINNOW_SERVER_IDLE_MINUTES", "10")
# Derived data (the language model, winnow.cache) in a folder of the session's, not the user's.
os.environ.setdefault("WINNOW_CACHE_DIR", tempfile.mkdtemp(prefix="winnow-cache-"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"
CASES = Path(__file__).resolve().parent / "cases"
# Copies of the sample articles the repository ships in raw/: tests never read raw/ itself, which
# holds the user's own files once winnow is in use.
SHIPPED_SAMPLES = CASES / "samples"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """winnow's shared local Prefect server in this session's PREFECT_HOME (what `winnow ingest`
    uses on a user's machine), started once and stopped at the end of the session; this process
    and the `winnow` subprocesses of the tests (tests.helpers.cli_env) report to it."""
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync
    from winnow.flows.local_server import prefect_api, prefect_home, stop_server

    with prefect_api():
        yield

        async def drain() -> None:  # send the last logs while the server is still there
            with contextlib.suppress(RuntimeError):  # no log worker was started
                result = APILogWorker.instance().drain()
                if inspect.isawaitable(result):
                    await result

        run_coro_as_sync(drain())
    stop_server(prefect_home())


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    return folder


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "articles.duckdb"


@pytest.fixture
def sample_raw(raw_dir: Path) -> Path:
    """A fresh raw/ holding copies of the samples the project ships (never the user's raw/)."""
    for path in SHIPPED_SAMPLES.glob("*.txt"):
        shutil.copy(path, raw_dir / path.name)
    return raw_dir


def shared_sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"../shared/samples/{name} is not here (a user's clone has no ../shared)")
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from winnow.flows.local_server import stop_server

    stop_server(Path(_PREFECT_HOME))  # the session's shared server, if a test started it
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
