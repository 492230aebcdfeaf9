"""The ingest flow: discover -> process batches -> validate, dedup and load -> run report."""

from __future__ import annotations

import traceback
import uuid
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run, task_run
from prefect.tasks import exponential_backoff

from flows.progress import progress
from flows.report import publish_report
from flows.writer import fold_skipped, fold_skipped_done, skipped_run, take_writer_lock
from winnow.config import get_settings
from winnow.errors import WarehouseBusy, is_transient
from winnow.pipeline import Batch, process_batch
from winnow.run import RunTally, chunks, finish_run, load_batch, plan_run, refused_batch
from winnow.sources import FileEntry, Plan
from winnow.warehouse import Loader, open_warehouse, raw_path, warehouse_path

# Retries only where a retry is safe inside the one-transaction design: opening the warehouse
# (before the transaction) and processing a batch (pure reads of raw/). Loading and finishing
# write inside the transaction, so a failure there fails the run and rolls it all back.
RETRIES = 3


def _transient(_task: Any, _run: Any, state: Any) -> bool:
    """Retry only what may succeed next time (winnow.errors.is_transient); a bug fails at once."""
    return is_transient(state.result(raise_on_failure=False))


@task(
    name="open-warehouse",
    cache_policy=NONE,
    retries=RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_transient,
)
def open_task(target: str) -> duckdb.DuckDBPyConnection:
    return open_warehouse(target)


@task(name="discover", cache_policy=NONE)
def discover_task(loader: Loader, raw_dir: str, tally: RunTally) -> tuple[Plan, dict[str, str]]:
    return plan_run(loader, raw_dir, tally)


@task(
    name="process-batch",
    cache_policy=NONE,
    retries=RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_transient,
)
def process_batch_task(raw_dir: str, entries: list[FileEntry]) -> Batch:
    # Before the last attempt an I/O error is raised (and retried); on it, the file is quarantined.
    last_attempt = (task_run.run_count or 1) > RETRIES
    return process_batch(raw_dir, entries, raise_io_errors=not last_attempt)


@task(name="load-batch", cache_policy=NONE)
def load_batch_task(loader: Loader, batch: Batch, known: dict[str, str], tally: RunTally) -> None:
    load_batch(loader, batch, known, tally)


@task(name="finish-run", cache_policy=NONE)
def finish_task(loader: Loader, plan: Plan, tally: RunTally, raw_dir: str) -> dict[str, Any]:
    return finish_run(loader, plan, tally, raw_dir)


@flow(name="winnow-ingest", log_prints=False)
def ingest_flow(raw: str | None = None, warehouse: str | None = None, wait: bool = False) -> dict[str, Any]:
    """Ingest every new or changed file under `raw` into the DuckDB `warehouse`, in one transaction.

    One writer at a time: if another ingest holds the warehouse, wait for it (`wait`) or record
    this run as skipped and return."""
    logger = get_run_logger()
    raw_dir = str(raw_path(raw))
    target = warehouse_path(warehouse)
    run_id = str(flow_run.id or uuid.uuid4())
    settings = get_settings()
    try:
        lock = take_writer_lock(target, run_id, wait)
    except WarehouseBusy as busy:
        summary = skipped_run(target, run_id, raw_dir, busy)
        publish_report(summary)
        return summary
    tally = RunTally()  # started once the lock is ours: waiting is not working
    try:
        con = open_task(str(target))
    except BaseException:
        lock.release()
        raise
    loader = Loader(con, run_id)
    try:
        loader.begin()
        recorded_skips = fold_skipped(loader, target)
        plan, known = discover_task(loader, raw_dir, tally)
        logger.info(
            "raw/ %s: %d to process, %d unchanged, %d refused, %d deleted",
            raw_dir,
            len(plan.to_process),
            len(plan.unchanged),
            len(plan.refused),
            len(plan.deleted),
        )
        progress().start(len(plan.to_process) + len(plan.refused))
        if plan.refused:
            load_batch_task(loader, refused_batch(plan.refused), known, tally)
            progress().advance(len(plan.refused))
        for entries in chunks(plan.to_process, settings.batch_size):
            batch = process_batch_task(raw_dir, entries)
            load_batch_task(loader, batch, known, tally)
            progress().advance(len(entries))
        recorded_skips |= fold_skipped(loader, target)  # runs skipped while this one worked
        summary = finish_task(loader, plan, tally, raw_dir)
    except BaseException as exc:
        loader.rollback()
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        try:
            loader.record_run(tally.summary("failed", raw_dir, error=error))
        except Exception:  # the warehouse itself may be what failed
            logger.exception("could not record the failed run")
        publish_report({**tally.summary("failed", raw_dir, error=error), "run_id": run_id})
        raise
    finally:
        con.close()
        lock.release()
    fold_skipped_done(target, recorded_skips)
    summary["run_id"] = run_id
    logger.info(
        "run %s: %d loaded, %d duplicates, %d rejected, %d unchanged, %d deleted in %.1fs",
        run_id,
        summary["loaded"],
        summary["duplicates"],
        summary["rejected"],
        summary["files_unchanged"],
        summary["files_deleted"],
        summary["duration_s"],
    )
    publish_report(summary)
    return summary


def run_ingest(
    raw: str | Path | None = None, warehouse: str | Path | None = None, wait: bool = False
) -> dict[str, Any]:
    """Run the flow from plain Python (the CLI uses this)."""
    return ingest_flow(
        raw=str(raw) if raw is not None else None,
        warehouse=str(warehouse) if warehouse is not None else None,
        wait=wait,
    )
