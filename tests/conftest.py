"""Shared fixtures: a temporary PREFECT_HOME, one Prefect test harness per session, fresh raw/
folders and warehouse files per test, and the shared samples when they are present."""

from __future__ import annotations

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

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"
CASES = Path(__file__).resolve().parent / "cases"
# Copies of the sample articles the repository ships in raw/: tests never read raw/ itself, which
# holds the user's own files once winnow is in use.
SHIPPED_SAMPLES = CASES / "samples"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


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
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
