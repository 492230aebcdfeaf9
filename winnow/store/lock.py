"""One writer at a time: a file lock beside the warehouse, and a journal of runs skipped because of it.

DuckDB allows one writing process per file; two ingests racing for it would make the second fail
half-way. The lock (filelock: an OS-level flock, released by the kernel if the holder dies) is
taken before the warehouse is opened. A run that may not wait records itself as `skipped` in a
small JSON-lines journal beside the warehouse, because the warehouse itself is held by the other
writer; the next run that holds the lock moves those records into `runs` in its own transaction.

The journal is read back, so it is checked line by line: a line that is not a skipped run's summary
as winnow writes it (a forged `completed` run, a skipped run claiming work, `{"run_id": "poison"}`,
half a line) is never trusted as a run and never stops one. It is moved, with the reason, to a
set-aside file beside the journal and reported in the run's log. (Read-side connections cannot
write it: winnow.store.readonly closes them to every file but the warehouse.)
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import uuid
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


def set_aside_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".skipped-rejected.jsonl")


def read_holder(warehouse: Path) -> dict[str, Any]:
    """Who holds the lock, as the holder wrote it (best effort: it may be mid-write or gone). Only
    plain text and numbers are believed: a nested or odd value is dropped."""
    try:
        data = json.loads(holder_path(warehouse).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if type(v) in (str, int, float)}


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
    """Append a skipped run's summary to the journal beside the warehouse. InvalidRecord if the
    journal is not a regular file (a FIFO would block the run; a link would write elsewhere)."""
    line = summary.to_json()
    path = journal_path(warehouse)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with _journal_lock(warehouse):
        try:
            fd = os.open(path, flags, 0o666)
        except OSError as exc:
            raise InvalidRecord(f"cannot journal the skipped run in {path}: {exc.strerror}") from exc
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InvalidRecord(f"cannot journal the skipped run: {path} is not a regular file")
            fh.write(line + "\n")


def skipped_from_json(line: str) -> RunSummary:
    """A journal line as the skipped run that wrote it; InvalidRecord (with the reason) otherwise. A
    skipped run did nothing: no files, no articles, no timings of stages."""
    summary = RunSummary.from_json(line)
    if summary.status != "skipped":
        raise InvalidRecord(f"status {summary.status!r}: only skipped runs are journaled")
    try:
        uuid.UUID(summary.run_id)
    except ValueError:
        raise InvalidRecord(f"run_id {summary.run_id!r} is not a flow-run id") from None
    claims = [
        name
        for name in (
            "files_seen",
            "files_new",
            "files_changed",
            "files_unchanged",
            "files_deleted",
            "loaded",
            "duplicates",
            "rejected",
            "segments_removed",
            "stage_seconds",
            "rejection_reasons",
            "rejection_examples",
            "top_rules",
            "new_files",
            "changed_files",
        )  # fmt: skip
        if getattr(summary, name)
    ]
    if claims:
        raise InvalidRecord(f"a skipped run that claims work ({', '.join(claims)})")
    return summary


def read_journal(warehouse: Path) -> tuple[list[RunSummary], list[str]]:
    """Skipped runs not yet moved into `runs`, and one sentence per line that is not one. Those
    lines are moved to the set-aside file (with line number and reason) so they are neither lost
    nor read again."""
    path = journal_path(warehouse)
    if not path.exists() and not path.is_symlink():
        return [], []
    if path.is_symlink() or not path.is_file():  # a FIFO would block the run; a link leads elsewhere
        return [], [f"{path} is not a regular file; it is not read (remove it)"]
    records: list[RunSummary] = []
    good: list[str] = []
    bad: list[tuple[int, str, str]] = []
    with _journal_lock(warehouse):
        raw = path.read_bytes()
        for number, data in enumerate(raw.splitlines(), 1):
            line = data.decode("utf-8", "surrogateescape")
            if not line.strip():
                continue
            try:
                records.append(skipped_from_json(data.decode("utf-8")))
                good.append(line)
            except (InvalidRecord, UnicodeDecodeError, TypeError) as exc:
                bad.append((number, str(exc), line))
        if bad:
            aside = set_aside_path(warehouse)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            with aside.open("a", encoding="utf-8", errors="surrogateescape") as fh:
                for number, reason, line in bad:
                    entry = {"line": number, "reason": reason, "text": line, "set_aside_at": now}
                    fh.write(json.dumps(entry, ensure_ascii=True) + "\n")
            _rewrite(path, good)
    problems = [
        f"{path} line {number}: not a skipped run ({reason}); set aside in {set_aside_path(warehouse)}"
        for number, reason, _ in bad
    ]
    return records, problems


def pending_skipped(warehouse: Path) -> list[RunSummary]:
    """Skipped runs not yet moved into `runs` (a line that is not one is set aside: read_journal)."""
    return read_journal(warehouse)[0]


def _rewrite(path: Path, lines: list[str]) -> None:
    if lines:
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{line}\n" for line in lines), "utf-8", errors="surrogateescape")
        tmp.replace(path)
    else:
        path.unlink()


def forget_skipped(warehouse: Path, run_ids: set[str]) -> None:
    """Drop records that are now in `runs` (called after the commit that wrote them)."""
    path = journal_path(warehouse)
    if not run_ids or not path.exists():
        return
    with _journal_lock(warehouse):
        keep = []
        for line in path.read_text("utf-8", errors="surrogateescape").splitlines():
            try:
                run_id = json.loads(line).get("run_id")
            except (ValueError, AttributeError):
                run_id = None  # kept: the next read sets it aside with its reason
            if run_id not in run_ids:
                keep.append(line)
        _rewrite(path, keep)
