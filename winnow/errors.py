"""One exception root for everything winnow raises. Subclasses carry their context as attributes
(the file, the stage, the record); each is transient (worth a retry) or terminal.

Errors of the libraries winnow drives are translated into these in one place each: DuckDB's and
the operating system's errors about the warehouse in `warehouse_failure` below.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Any


class WinnowError(Exception):
    """Root of winnow's own errors."""

    transient = False

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        stage: str | None = None,
        record: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = str(path) if path is not None else None
        self.stage = stage
        self.record = record


class ConfigError(WinnowError):
    """A rule pack or setting is malformed."""


class WarehouseError(WinnowError):
    """The warehouse cannot be opened, migrated or written."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse file (DuckDB lets one process write, and none read meanwhile)."""

    transient = True

    def __init__(self, message: str, holder_pid: int | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.holder_pid = holder_pid


class WarehouseBusy(WarehouseError):
    """Another ingest holds the writer lock and this run was told not to wait."""

    transient = True

    def __init__(self, message: str, holder: dict[str, Any] | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.holder = holder or {}


class WarehouseWriteFailed(WarehouseError):
    """A write to the warehouse failed (disk full, read-only folder, no permission, out of memory, I/O
    error)."""

    def __init__(self, message: str, cause: str, **context: Any) -> None:
        super().__init__(message, **context)
        self.cause = cause  # disk_full | read_only | permission | memory | io


class SchemaVersionError(WarehouseError):
    """The warehouse was made by a newer winnow."""


class InvalidRecord(WinnowError):
    """A file winnow reads back (the skipped-run journal) holds something that is not what it wrote."""


class ReadOnlyViolation(WinnowError):
    """A write was attempted on a read-only connection or without --write."""


# errno values that say "try again" rather than "this will never work".
_TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EIO", "EAGAIN", "EBUSY", "EINTR", "ETIMEDOUT", "ESTALE", "ENETDOWN", "ECONNRESET")
    if hasattr(errno, name)
)


def is_transient(exc: BaseException | None) -> bool:
    """Worth retrying: our own transient errors and I/O errors that come and go (NFS, busy disks)."""
    if isinstance(exc, WinnowError):
        return exc.transient
    if isinstance(exc, TimeoutError):
        return True
    return isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS


# What DuckDB and the OS say (DuckDB reports I/O failures as message text, not errno), and what it means.
_WRITE_CAUSES = (
    ("no space left", errno.ENOSPC, "disk_full", "the disk is full"),
    ("read-only file system", errno.EROFS, "read_only", "the warehouse folder is read-only"),
    ("permission denied", errno.EACCES, "permission", "no permission to write the warehouse folder"),
)


def lock_holder_pid(message: str) -> int | None:
    """The PID DuckDB names in its lock error ("Conflicting lock is held in ... (PID 1234)")."""
    match = re.search(r"\(PID (\d+)\)", message)
    return int(match.group(1)) if match else None


def process_command(pid: int) -> str:
    """A process's command line, shortened (Linux /proc; else 'unknown command')."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown command"
    text = " ".join(" ".join(part.decode("utf-8", "replace").split()) for part in raw.split(b"\0") if part)
    return text if len(text) <= 120 else text[:117] + "..."


def _first_failure(exc: BaseException) -> BaseException:
    """The error that aborted the transaction, not a later "transaction is aborted" from clean-up
    code (an unregister in a `finally`) raised while it was being handled."""
    seen: BaseException = exc
    while "transaction is aborted" in str(seen).lower() and seen.__context__ is not None:
        seen = seen.__context__
    return seen


def warehouse_failure(
    exc: BaseException, path: str | Path | None, *, opening: bool = False
) -> WarehouseError:
    """A DuckDB or OS error about the warehouse as winnow's own error, with a sentence a person can act
    on. The one place that reads DuckDB's messages."""
    if isinstance(exc, WarehouseError):
        return exc
    exc = _first_failure(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lower = first.lower()
    if opening and "lock" in lower:
        pid = lock_holder_pid(first)
        who = f" (pid {pid}: {process_command(pid)})" if pid else ""
        return WarehouseLocked(
            f"the warehouse {path} is in use by another process{who} (an ingest writing it, or a "
            "program holding it open: a notebook, the DuckDB CLI, DBeaver); try again when it lets go",
            path=path,
            holder_pid=pid,
        )
    if opening and "database file with version number" in lower:
        import duckdb  # only here: errors.py is imported everywhere, DuckDB is not needed to build errors

        return WarehouseError(
            f"cannot open the warehouse {path}: a newer DuckDB made it ({first}); this winnow runs "
            f"DuckDB {duckdb.__version__}: upgrade DuckDB (`pip install -U duckdb`), or run "
            "`winnow convert` on it with winnow on a newer DuckDB to write it in the v1.4 format",
            path=path,
        )
    if opening:
        return WarehouseError(f"cannot open the warehouse {path}: {first}", path=path)
    if "out of memory" in lower:
        return WarehouseWriteFailed(
            f"the run ran out of DuckDB memory ({first}). It was rolled back: the warehouse holds what "
            "the last completed run loaded. Raise `memory_limit` (WINNOW_MEMORY_LIMIT, e.g. 1GB), or "
            "ingest a large raw/ in parts, then run `winnow ingest` again.",
            "memory",
            path=path,
        )
    cause, what = "io", "a write failed"
    for text, number, name, sentence in _WRITE_CAUSES:
        if text in lower or getattr(exc, "errno", None) == number:
            cause, what = name, sentence
            break
    return WarehouseWriteFailed(
        f"the run could not be saved: {what} ({first}). It was rolled back: the warehouse holds "
        "what the last completed run loaded. Free space or fix the folder, then run `winnow ingest` again.",
        cause,
        path=path,
    )
