"""The flow's side of "one writer at a time": take the lock, record a skipped run, and fold the
skipped runs that others journaled into `runs` (see winnow/store/lock.py for the why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger

from winnow.errors import InvalidRecord, WarehouseBusy
from winnow.records import RunSummary
from winnow.run import RunTally
from winnow.store.loader import Loader
from winnow.store.lock import WriterLock, describe_holder, forget_skipped, note_skipped, read_journal


def take_writer_lock(target: Path, run_id: str, wait: bool) -> WriterLock:
    """The writer lock, or WarehouseBusy when it is held and we may not wait."""
    logger = get_run_logger()
    lock = WriterLock(target, run_id)

    def waiting(holder: dict[str, Any]) -> None:
        logger.info("waiting for %s to finish writing %s", describe_holder(holder), target)

    lock.acquire(wait=wait, on_wait=waiting)
    return lock


def skipped_run(target: Path, run_id: str, raw_dir: str, busy: WarehouseBusy) -> RunSummary:
    """Journal this run as skipped (the warehouse is someone else's right now) and summarise it."""
    summary = RunTally().summary(run_id, "skipped", raw_dir, error=str(busy))
    try:
        note_skipped(target, summary)
    except InvalidRecord as exc:  # the journal is not a file we may write: say so, still skip
        get_run_logger().warning("%s", exc)
    get_run_logger().warning("%s", busy)
    return summary


def fold_skipped(loader: Loader, target: Path) -> set[str]:
    """Inside the run's transaction: move journaled skipped runs into `runs` (once each); report
    each journal line that is not one (it was set aside, never trusted)."""
    runs, problems = read_journal(target)
    for problem in problems:
        get_run_logger().warning("%s", problem)
    return loader.record_skipped(runs)


def fold_skipped_done(target: Path, run_ids: set[str]) -> None:
    """After the commit: those journal lines are in `runs` now."""
    forget_skipped(target, run_ids)
