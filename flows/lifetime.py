"""Process lifetime: stop on SIGINT/SIGTERM in bounded time, take every child along, never hang on
a closed terminal, and die with the parent.

- `stop_on_signals()`: the first SIGINT or SIGTERM raises `Interrupted` in the main thread, so the
  run rolls back through its ordinary `except` path; a watchdog makes sure the process is gone
  `grace` seconds later whatever it is blocked in (a DuckDB statement, a worker's result), after
  killing the children it started. A second signal exits at once. The warehouse is safe either
  way: a run is one transaction, and nothing uncommitted survives a process exit.
- `watch_parent(pid)`: for processes winnow starts (pool workers, serve's flow-run processes):
  when the parent is gone, go too (a thread polls getppid: no process outlives a SIGKILLed winnow).
- `safe_streams()`: a write to a closed stdout or stderr (`winnow ingest | head`) turns the
  stream into /dev/null instead of raising in the middle of a run (or in a logging handler,
  which is how a committed run once ended as "failed").
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

GRACE_S = 3.5  # the bound is 5 s from the signal to the exit; leave room for the exit itself
PARENT_ENV = "WINNOW_PARENT_PID"


class Interrupted(KeyboardInterrupt):  # noqa: N818 - it is a KeyboardInterrupt, named for what happened
    """SIGINT or SIGTERM arrived: stop, roll back, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def exit_code_for(exc: BaseException) -> int:
    signum = getattr(exc, "signum", None) or getattr(exc, "signal", None) or signal.SIGINT
    return 128 + int(signum)


STOPPED_BY: list[int] = []  # the signal that is stopping this process, once one arrived


def exit_now_if_stopped(code: object) -> None:
    """The command is ending because of a signal and has said so: exit now. The interpreter's own
    shutdown would wait on Prefect's background threads (its log and event workers flushing to
    the API), seconds on a loaded machine; the run is rolled back and its state recorded already."""
    if not STOPPED_BY:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(code if isinstance(code, int) else 128 + STOPPED_BY[0])


SPARE: set[int] = set()  # children that are not ours to stop: the shared Prefect server


def kill_pool(runner: object) -> None:
    """SIGKILL the worker processes of a task runner's process pool (Prefect's ProcessPoolTaskRunner
    keeps a ProcessPoolExecutor, whose exit would wait for every task in flight)."""
    executor = getattr(runner, "_executor", None)
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()


def child_pids() -> list[int]:
    """This process's direct children (Linux /proc; elsewhere the multiprocessing ones)."""
    me = os.getpid()
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return [p.pid for p in multiprocessing.active_children() if p.pid]
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat", "rb").read().rsplit(b")", 1)[1].split()  # noqa: SIM115
        except OSError:
            continue
        if int(stat[1]) == me:
            found.append(int(entry))
    return found


def kill_children(sig: int = signal.SIGKILL) -> None:
    """Stop the processes this process started (pool workers, flow-run processes), not the server."""
    for child in multiprocessing.active_children():
        if child.pid not in SPARE:
            with contextlib.suppress(Exception):
                child.kill()
    for pid in child_pids():
        if pid not in SPARE:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)


class _Stopper:
    def __init__(
        self, grace: float, on_deadline: Callable[[int], None] | None, on_signal: Callable[[int], None] | None
    ) -> None:
        self.grace = grace
        self.on_deadline = on_deadline
        self.on_signal = on_signal
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:  # a second signal: no more waiting
            self._hard_exit(signum)
        self.signum = signum
        STOPPED_BY.append(signum)
        logging.disable(logging.CRITICAL)  # one line on the way out, ours, not a page of Prefect's
        threading.Thread(target=self._deadline, name="winnow-stop-deadline", daemon=True).start()
        if self.on_signal is not None:
            with contextlib.suppress(Exception):
                self.on_signal(signum)
        raise Interrupted(signum)

    def _deadline(self) -> None:
        time.sleep(self.grace)
        assert self.signum is not None
        self._hard_exit(self.signum)

    def _hard_exit(self, signum: int) -> None:
        kill_children()
        if self.on_deadline is not None:
            with contextlib.suppress(BaseException):
                self.on_deadline(signum)
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        os._exit(128 + signum)

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self.handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def stop_on_signals(
    grace: float = GRACE_S,
    on_deadline: Callable[[int], None] | None = None,
    on_signal: Callable[[int], None] | None = None,
) -> Iterator[None]:
    """SIGINT/SIGTERM raise Interrupted here (after `on_signal(signum)`); the process exits within
    `grace` seconds of the first signal in any case (after `on_deadline(signum)`, which should print
    the one line)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopper = _Stopper(grace, on_deadline, on_signal)
    stopper.install()
    try:
        yield
    finally:
        stopper.restore()


@contextlib.contextmanager
def guard_flow_signals() -> Iterator[None]:
    """Inside the flow body: Prefect's engine installs its own SIGTERM handler for the flow run;
    put ours back for the run's own work, if ours was installed (the CLI's), and restore Prefect's."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ours = signal.getsignal(signal.SIGINT)
    owner = getattr(ours, "__self__", None)
    if not isinstance(owner, _Stopper):
        yield
        return
    previous = signal.signal(signal.SIGTERM, ours)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- children that die with their parent ---------------------------------------------------------


def _parent_watch(parent: int, on_orphaned: Callable[[], None], poll: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll)
    on_orphaned()


def watch_parent(
    parent: int | None = None, on_orphaned: Callable[[], None] | None = None, poll: float = 0.5
) -> None:
    """Start a thread that calls `on_orphaned` (default: exit at once) when `parent` is no longer
    this process's parent. A worker process also ignores SIGINT: a Ctrl-C in the terminal reaches
    the whole process group, and the parent decides how its workers stop."""
    parent = parent or os.getppid()
    if os.getppid() != parent:
        (on_orphaned or _exit_now)()
        return
    threading.Thread(
        target=_parent_watch,
        args=(parent, on_orphaned or _exit_now, poll),
        name="winnow-parent-watch",
        daemon=True,
    ).start()


def _exit_now() -> None:
    os._exit(1)


def pool_worker_init(parent: int) -> None:
    """ProcessPoolExecutor initializer for the batch workers."""
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not: Linux /proc)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _supervisor_watch(pid: int, poll: float) -> None:
    while alive(pid) and os.getppid() != 1:
        time.sleep(poll)
    os.kill(os.getpid(), signal.SIGTERM)


def watch_supervisor(poll: float = 0.5) -> None:
    """In a flow-run process started by `winnow serve` (PARENT_ENV names serve's pid; Prefect may
    start the run through a process of its own in between): when serve is gone, stop this run as
    SIGTERM would (roll back, record it cancelled), within the grace period."""
    pid = os.environ.get(PARENT_ENV, "")
    if not pid.isdigit() or int(pid) in (os.getpid(), 0):
        return
    threading.Thread(
        target=_supervisor_watch, args=(int(pid), poll), name="winnow-serve-watch", daemon=True
    ).start()


# -- streams that a closed terminal cannot break ------------------------------------------------


class _SafeStream:
    """Wraps sys.stdout/sys.stderr: on EPIPE (or a closed descriptor), point the descriptor at
    /dev/null and carry on silently."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._dead = False

    def _drop(self) -> None:
        self._dead = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def _guarded(self, call: Callable[[], Any]) -> None:
        """Run a write or flush; a closed reader (EPIPE, EBADF, EIO) turns this stream off."""
        try:
            call()
        except (BrokenPipeError, ValueError):
            self._drop()
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.EBADF, errno.EIO):
                raise
            self._drop()

    def write(self, text: str) -> int:
        if not self._dead:
            self._guarded(lambda: self._stream.write(text))
        return len(text)

    def flush(self) -> None:
        if not self._dead:
            self._guarded(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def safe_streams() -> None:
    if not isinstance(sys.stdout, _SafeStream) and sys.stdout is not None:
        sys.stdout = _SafeStream(sys.stdout)
    if not isinstance(sys.stderr, _SafeStream) and sys.stderr is not None:
        sys.stderr = _SafeStream(sys.stderr)
