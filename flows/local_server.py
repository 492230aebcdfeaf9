"""winnow's shared local Prefect server: started once, reused by every command, never orphaned.

Without PREFECT_API_URL, Prefect would start a temporary server in every process (8-10 s each,
left running when that process is SIGKILLed, and two of them racing to migrate one SQLite file on
a fresh PREFECT_HOME). Instead `ingest`, `watch` and `serve` use one server per PREFECT_HOME:

- `ensure_server` starts it when none is running, under a start lock (two commands starting at
  once start one server), and waits until /api/health answers. It runs as a detached daemon
  (flows/server_daemon.py: uvicorn and Prefect's API app in one process, with the scheduler), so
  a Ctrl-C or a kill meant for a command never reaches it.
- Its state file (pid, port, API URL) lives under PREFECT_HOME; a state whose process is gone or
  does not answer is stale and replaced.
- Each command holds a *lease* while it uses the server: a file it keeps flock-ed, which the
  kernel unlocks when the command dies however it dies. The daemon stops itself once no lease has
  been held for `server_idle_minutes`; `stop_server` stops it at once.

This module does not import Prefect (the CLI uses it before Prefect reads its settings).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock
from winnow.flows.lifetime import SPARE, alive

from winnow.errors import WinnowError

DAEMON_MODULE = "winnow.flows.server_daemon"


class ServerStartError(WinnowError):
    """The local Prefect server did not come up."""


@dataclass(frozen=True)
class ServerState:
    pid: int
    port: int
    api_url: str
    started_at: str
    idle_minutes: float
    log: str

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect resolves it by default (environment, else ~/.prefect)."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def state_path(home: Path) -> Path:
    return home / "winnow-server.json"


def log_path(home: Path) -> Path:
    return home / "winnow-server.log"


def leases_dir(home: Path) -> Path:
    return home / "winnow-server-leases"


def _start_lock(home: Path) -> FileLock:
    return FileLock(str(home / "winnow-server.start.lock"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(api_url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:  # noqa: S310 - our URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def read_state(home: Path) -> ServerState | None:
    try:
        data = json.loads(state_path(home).read_text("utf-8"))
        return ServerState(**{k: data[k] for k in ServerState.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(home: Path, state: ServerState) -> None:
    tmp = state_path(home).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(state)), "utf-8")
    tmp.replace(state_path(home))


def clear_state(home: Path, pid: int) -> None:
    """Remove the state file if it still describes process `pid` (a newer server may own it)."""
    state = read_state(home)
    if state is not None and state.pid == pid:
        with contextlib.suppress(OSError):
            state_path(home).unlink()


def running_server(home: Path) -> ServerState | None:
    """The server recorded under `home`, if its process is alive and answers."""
    state = read_state(home)
    if state is None or not alive(state.pid) or not healthy(state.api_url):
        return None
    return state


def _log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    return ""


def _spawn(home: Path, port: int, idle_minutes: float) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    with log_path(home).open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", DAEMON_MODULE, "--home", str(home), "--port", str(port),
             "--idle-minutes", str(idle_minutes)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own session: a Ctrl-C or a kill of the caller's group misses it
            close_fds=True,
        )  # fmt: skip
    SPARE.add(process.pid)  # shared: a command that stops takes its own children, not this one
    return process


def ensure_server(home: Path, idle_minutes: float, timeout: float = 120) -> tuple[ServerState, bool]:
    """The running server under `home`, started if needed. Returns (state, started_now)."""
    home.mkdir(parents=True, exist_ok=True)
    state = running_server(home)
    if state is not None:
        return state, False
    with _start_lock(home):
        state = running_server(home)  # another command may have started it while we waited
        if state is not None:
            return state, False
        stale = read_state(home)
        if stale is not None and alive(stale.pid):  # alive but not answering: still starting, or stuck
            state = _wait_healthy(home, stale.pid, None, min(timeout, 60))
            if state is not None:
                return state, False
            _terminate(stale.pid, 10)
        with contextlib.suppress(OSError):
            state_path(home).unlink()
        process = _spawn(home, free_port(), idle_minutes)
        state = _wait_healthy(home, process.pid, process, timeout)
        if state is None:
            _terminate(process.pid, 10)
            raise ServerStartError(
                f"the local Prefect server was not healthy after {timeout:.0f}s; see {log_path(home)}\n"
                + _log_tail(log_path(home))
            )
        return state, True


def _wait_healthy(
    home: Path, pid: int, process: subprocess.Popen[bytes] | None, timeout: float
) -> ServerState | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerStartError(
                f"the local Prefect server exited with code {process.returncode}; see {log_path(home)}\n"
                + _log_tail(log_path(home))
            )
        if process is None and not alive(pid):
            return None
        state = read_state(home)
        if state is not None and state.pid == pid and healthy(state.api_url, timeout=1):
            return state
        time.sleep(0.1)
    return None


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM `pid` (uvicorn's graceful stop), SIGKILL after `timeout`. True if it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
            return not alive(pid)
        time.sleep(0.1)
    return True


def stop_server(home: Path, timeout: float = 15) -> ServerState | None:
    """Stop the server recorded under `home`; returns what was stopped (None if nothing ran)."""
    state = read_state(home)
    if state is None:
        return None
    if not alive(state.pid):
        clear_state(home, state.pid)
        return None
    _terminate(state.pid, timeout)
    clear_state(home, state.pid)
    return state


# -- leases -------------------------------------------------------------------------------------


class Lease:
    """Held by a command while it uses the server: a file it keeps flock-ed (released by the kernel
    when the command dies, however it dies)."""

    def __init__(self, home: Path) -> None:
        folder = leases_dir(home)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.lease"
        self._fd: int | None = None

    def __enter__(self) -> Lease:
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, " ".join(sys.argv).encode("utf-8", "replace")[:500])
        self._fd = fd
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)
            self._fd = None


def leases_held(home: Path) -> int:
    """How many leases are held now; removes those whose holder is gone."""
    held = 0
    folder = leases_dir(home)
    with contextlib.suppress(FileNotFoundError):
        for path in folder.iterdir():
            try:
                fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held += 1
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
            finally:
                os.close(fd)
    return held


@contextlib.contextmanager
def shared_server(home: Path | None = None, idle_minutes: float = 30) -> Iterator[tuple[ServerState, bool]]:
    """The shared server for the duration (started if needed), with a lease held on it."""
    home = home or prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    with Lease(home):  # taken first, so the server cannot idle out between start and use
        yield ensure_server(home, idle_minutes)


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment, else from the active Prefect profile (read from
    profiles.toml without importing Prefect: Prefect must first see the URL we set, see below)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def _point_prefect_at(url: str | None) -> None:
    """Set (or unset) PREFECT_API_URL for this process and the ones it starts. Prefect reads its
    settings once, at import, into a global context its background threads use (the log and event
    workers, the pool's message forwarder): an import made before the URL was set would make them
    start a temporary server of their own (seen: one left running after its command). So set the
    environment before Prefect is imported, and refresh that context if it already was."""
    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


@contextlib.contextmanager
def prefect_api(
    idle_minutes: float | None = None, *, restore: bool = True
) -> Iterator[tuple[ServerState, bool] | None]:
    """Where this command's flow runs report: the configured Prefect server (PREFECT_API_URL, from the
    environment or the active profile), else winnow's shared local server, started if needed and
    leased for the duration. Yields (server, started_now), or None when a configured one is used.

    `restore=False` for a command whose process ends with it (`winnow ingest`): the URL stays set
    on the way out, so Prefect's exit handlers (the last logs and events) still reach the server,
    and its settings are not rebuilt for nothing (0.1 s of every run)."""
    if configured_api_url():
        yield None
        return
    from winnow.settings import get_settings

    minutes = get_settings().server_idle_minutes if idle_minutes is None else idle_minutes
    with shared_server(prefect_home(), minutes) as (state, started):
        _point_prefect_at(state.api_url)
        try:
            yield state, started
        finally:
            if restore:
                _point_prefect_at(None)
