"""One writer at a time: a file lock beside the warehouse, and a journal of runs skipped because of it.

DuckDB allows one writing process per file; two ingests racing for it would make the second fail
half-way. The lock (filelock: an OS-level flock, released by the kernel if the holder dies) is
taken before the warehouse is opened. A run that may not wait records itself as `skipped` in a
small JSON-lines journal beside the warehouse, because the warehouse itself is held by the other
writer; the next run that holds the lock moves those records into `runs` in its own transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from winnow.errors import InvalidRecord, WarehouseBusy
from winnow.records import RunSummary


def is_own_file(path: Path, warehouse: Path) -> bool:
    """The warehouse itself or a file winnow keeps beside it (WAL, lock, holder, journal, staging):
    named after it, in its folder. Never input, even when the warehouse lives inside raw/."""
    real, home = os.path.realpath(path), os.path.realpath(warehouse)
    folder, name = os.path.split(home)
    if os.path.dirname(real) == folder:
        base = os.path.basename(real)
        return base.startswith(name) or base.startswith(f".{name}")
    rel = os.path.relpath(real, folder)
    return not rel.startswith("..") and rel.split(os.sep, 1)[0].startswith(f".{name}")


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def holder_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".writer.json")


def journal_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".skipped.jsonl")


def read_holder(warehouse: Path) -> dict[str, Any]:
    """Who holds the lock, as the holder wrote it (best effort: it may be mid-write or gone)."""
    try:
        data = json.loads(holder_path(warehouse).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_holder(holder: dict[str, Any]) -> str:
    if not holder:
        return "another ingest"
    return (
        f"run {holder.get('run_id', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"since {holder.get('since', '?')})"
    )


class WriterLock:
    """The warehouse's writer lock. `acquire(wait=False)` raises WarehouseBusy when it is held."""

    def __init__(self, warehouse: Path, run_id: str) -> None:
        self.warehouse = Path(warehouse)
        self.run_id = run_id
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(lock_path(self.warehouse)))

    def acquire(
        self,
        wait: bool,
        timeout: float | None = None,
        on_wait: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Take the lock. wait=False: fail at once if it is held. wait=True: block (up to `timeout`
        seconds if given), calling `on_wait(holder)` once so the caller can say what it waits for."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = read_holder(self.warehouse)
            if not wait:
                raise WarehouseBusy(
                    f"the warehouse {self.warehouse} is being written by {describe_holder(holder)}; "
                    "this run was skipped (use --wait to queue behind it)",
                    holder,
                ) from None
            if on_wait is not None:
                on_wait(holder)
            try:
                self._lock.acquire(timeout=-1 if timeout is None else timeout, poll_interval=0.2)
            except Timeout:
                raise WarehouseBusy(
                    f"gave up after {timeout:.0f}s waiting for {describe_holder(holder)} "
                    f"to finish writing {self.warehouse}",
                    holder,
                ) from None
        info = {
            "run_id": self.run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        holder_path(self.warehouse).write_text(json.dumps(info), "utf-8")

    def release(self) -> None:
        if not self._lock.is_locked:
            return
        with contextlib.suppress(OSError):
            holder_path(self.warehouse).unlink()
        self._lock.release()


def _journal_lock(warehouse: Path) -> FileLock:
    # A second, short-lived lock: the journal is written by runs that do NOT hold the writer lock.
    return FileLock(str(journal_path(warehouse)) + ".lock", timeout=30)


def note_skipped(warehouse: Path, summary: RunSummary) -> None:
    """Append a skipped run's summary to the journal beside the warehouse."""
    line = summary.to_json()
    with _journal_lock(warehouse), journal_path(warehouse).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def pending_skipped(warehouse: Path) -> list[RunSummary]:
    """Skipped runs not yet moved into `runs`. A line that is not a skipped run's summary is never
    trusted as one: it is passed over (and dropped with the others once they are recorded)."""
    path = journal_path(warehouse)
    if not path.exists():
        return []
    with _journal_lock(warehouse):
        lines = path.read_text("utf-8").splitlines()
    records = []
    for line in lines:
        with contextlib.suppress(InvalidRecord, TypeError):
            summary = RunSummary.from_json(line)
            if summary.status == "skipped":
                records.append(summary)
    return records


def forget_skipped(warehouse: Path, run_ids: set[str]) -> None:
    """Drop records that are now in `runs` (called after the commit that wrote them)."""
    path = journal_path(warehouse)
    if not run_ids or not path.exists():
        return
    with _journal_lock(warehouse):
        keep = []
        for line in path.read_text("utf-8").splitlines():
            try:
                run_id = json.loads(line).get("run_id")
            except (ValueError, AttributeError):
                continue
            if run_id not in run_ids:
                keep.append(line)
        if keep:
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(f"{line}\n" for line in keep), "utf-8")
            tmp.replace(path)
        else:
            path.unlink()
