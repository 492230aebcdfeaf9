"""A Prefect server of our own for `winnow serve` when no PREFECT_API_URL is configured.

Prefect's temporary server (what runs when PREFECT_API_URL is unset) has no scheduler, so a
served deployment on it never fires. This starts `prefect server start` in the foreground as our
child process (its own session, so a Ctrl-C meant for us does not kill it before we have paused
the schedule), on a free port, with a database of its own under PREFECT_HOME, and stops exactly
that process on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from winnow.errors import WinnowError


@dataclass(frozen=True)
class LocalServer:
    api_url: str
    pid: int
    log: Path

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


class ServerStartError(WinnowError):
    """The local Prefect server did not come up."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:  # noqa: S310 - our URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def local_prefect_server(home: Path, startup_timeout: float = 120, ui: bool = True) -> Iterator[LocalServer]:
    """Start a Prefect server with its scheduler (database and log under `home`, normally
    PREFECT_HOME); yield where it is; stop it on exit."""
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "winnow-serve-server.log"
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # A database of its own: the temporary servers of ad-hoc `winnow ingest` runs use
        # PREFECT_HOME/prefect.db, and two servers writing one SQLite file trip over its lock.
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'winnow-serve.db'}",
    }
    env.pop("PREFECT_API_URL", None)
    command = [
        sys.executable, "-m", "prefect", "server", "start",
        "--host", "127.0.0.1", "--port", str(port),
        "--scheduler", "--analytics-off", "--log-level", "WARNING",
        "--ui" if ui else "--no-ui",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + startup_timeout
        while not healthy(api_url):
            if process.poll() is not None:
                raise ServerStartError(
                    f"the local Prefect server exited with code {process.returncode}; see {log_path}"
                )
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"the local Prefect server was not healthy after {startup_timeout:.0f}s; see {log_path}"
                )
            time.sleep(0.25)
        yield LocalServer(api_url, process.pid, log_path)
    finally:
        _stop(process)
