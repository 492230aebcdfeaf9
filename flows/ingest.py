"""The ingest flow: discover -> process batches -> validate, dedup and load -> run report."""

from __future__ import annotations

import traceback
import uuid
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from winnow.config import get_settings
from winnow.pipeline import Batch, process_batch
from winnow.run import RunTally, chunks, finish_run, load_batch, plan_run, refused_batch
from winnow.sources import FileEntry, Plan
from winnow.warehouse import Loader, open_warehouse, raw_path, warehouse_path


@task(name="discover", cache_policy=NONE)
def discover_task(loader: Loader, raw_dir: str, tally: RunTally) -> tuple[Plan, dict[str, str]]:
    return plan_run(loader, raw_dir, tally)


@task(name="process-batch", cache_policy=NONE, retries=2, retry_delay_seconds=[1, 5])
def process_batch_task(raw_dir: str, entries: list[FileEntry]) -> Batch:
    return process_batch(raw_dir, entries)


@task(name="load-batch", cache_policy=NONE)
def load_batch_task(loader: Loader, batch: Batch, known: dict[str, str], tally: RunTally) -> None:
    load_batch(loader, batch, known, tally)


@task(name="finish-run", cache_policy=NONE)
def finish_task(loader: Loader, plan: Plan, tally: RunTally, raw_dir: str) -> dict[str, Any]:
    return finish_run(loader, plan, tally, raw_dir)


@flow(name="winnow-ingest", log_prints=False)
def ingest_flow(raw: str | None = None, warehouse: str | None = None) -> dict[str, Any]:
    """Ingest every new or changed file under `raw` into the DuckDB `warehouse`, in one transaction."""
    logger = get_run_logger()
    raw_dir = str(raw_path(raw))
    target = warehouse_path(warehouse)
    run_id = str(flow_run.id or uuid.uuid4())
    settings = get_settings()
    con = open_warehouse(target)
    loader = Loader(con, run_id)
    tally = RunTally()
    try:
        loader.begin()
        plan, known = discover_task(loader, raw_dir, tally)
        logger.info(
            "raw/ %s: %d to process, %d unchanged, %d refused, %d deleted",
            raw_dir,
            len(plan.to_process),
            len(plan.unchanged),
            len(plan.refused),
            len(plan.deleted),
        )
        if plan.refused:
            load_batch_task(loader, refused_batch(plan.refused), known, tally)
        for entries in chunks(plan.to_process, settings.batch_size):
            batch = process_batch_task(raw_dir, entries)
            load_batch_task(loader, batch, known, tally)
        summary = finish_task(loader, plan, tally, raw_dir)
    except BaseException as exc:
        loader.rollback()
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        try:
            loader.record_run(tally.summary("failed", raw_dir, error=error))
        except Exception:  # the warehouse itself may be what failed
            logger.exception("could not record the failed run")
        raise
    finally:
        con.close()
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
    return summary


def run_ingest(raw: str | Path | None = None, warehouse: str | Path | None = None) -> dict[str, Any]:
    """Run the flow from plain Python (the CLI uses this)."""
    return ingest_flow(
        raw=str(raw) if raw is not None else None,
        warehouse=str(warehouse) if warehouse is not None else None,
    )
