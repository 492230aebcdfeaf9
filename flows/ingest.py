"""The ingest flow: discover -> process batches -> validate, dedup and load -> run report.

Batches are processed by a task runner: worker processes on this machine by default, or a Dask
cluster (`dask_address`) when one machine is not enough. Loading stays in the flow's own process,
the warehouse's single writer, which takes each batch's frames as its task finishes.
"""

from __future__ import annotations

import gc
import os
import signal
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

import duckdb
from prefect import Flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run, task_run
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote
from winnow.flows.lifetime import (
    Interrupted,
    guard_flow_signals,
    kill_pool,
    pool_worker_init,
    watch_supervisor,
)
from winnow.flows.progress import progress
from winnow.flows.report import publish_report
from winnow.flows.writer import fold_skipped, fold_skipped_done, skipped_run, take_writer_lock

from winnow.clean.rules import rules_for
from winnow.errors import WarehouseBusy, WarehouseLocked, WinnowError, is_transient, warehouse_failure
from winnow.memory import limit_malloc_arenas, return_free_memory
from winnow.read.sources import Plan
from winnow.records import RunSummary
from winnow.run import RunTally, finish_run, load_batch, plan_batches, plan_run, refused_batch
from winnow.settings import get_settings
from winnow.store.loader import Loader
from winnow.store.warehouse import open_warehouse, raw_path, rules_path, warehouse_path

if TYPE_CHECKING:  # the engine's batch path (polars, pandera, trafilatura...): imported by the task
    from winnow.batch import Batch
    from winnow.clean.learned import LearnedState
    from winnow.read.parts import Work

# Retries only where a retry is safe inside the one-transaction design: opening the warehouse
# (before the transaction) and processing a batch (pure reads of raw/). Loading and finishing
# write inside the transaction, so a failure there fails the run and rolls it all back.
RETRIES = 3
T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


def q(value: T) -> T:
    """Pass `value` to a task without Prefect walking into it (it would visit every element of
    100,000 file entries or content hashes on each call, looking for futures); the task gets
    `value` itself, unwrapped."""
    return cast(T, quote(value))


class Sealed(Generic[T]):
    """A batch task's input that Prefect hands over without walking into it, on any task runner.
    (quote() is a tuple, and Dask's graph packing unpacks tuples: the batch arrived as a plain
    tuple.) Prefect walks lists, tuples, dicts, dataclasses and models, not other objects."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


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
def open_task(target: str) -> duckdb.DuckDBPyConnection | WarehouseLocked:
    """The warehouse open for writing, or (not raised: no retries, no failed task) the reason it is
    held open by another process, which the flow handles: wait for it, or skip this run."""
    try:
        return open_warehouse(target)
    except WarehouseLocked as exc:
        return exc


@task(name="discover", cache_policy=NONE)
def discover_task(
    loader: Loader, raw_dir: str, tally: RunTally, warehouse: str
) -> tuple[Plan, dict[str, str]]:
    return plan_run(loader, raw_dir, tally, Path(warehouse))


@task(
    name="process-batch",
    cache_policy=NONE,
    retries=RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_transient,
)
def process_batch_task(
    raw_dir: str, entries: Sealed[list[Work]], learned: Sealed[LearnedState | None], rules_dir: str
) -> Batch:
    # Imported here, not at the top: a run with nothing to process never pays for the engine
    # (about 1 s of imports); a worker process pays it once, on its first batch.
    from winnow.batch import process_batch
    from winnow.prepare import prepare_batch

    # Before the last attempt an I/O error is raised (and retried); on it, the file is quarantined.
    last_attempt = (task_run.run_count or 1) > RETRIES
    batch = process_batch(
        raw_dir,
        entries.value,
        rules=rules_for(rules_dir),
        raise_io_errors=not last_attempt,
        learned=learned.value,
    )
    return prepare_batch(batch)  # validation and search terms here, not in the single writer


@task(name="load-batch", cache_policy=NONE)
def load_batch_task(loader: Loader, batch: Batch, known: dict[str, str], tally: RunTally) -> None:
    load_batch(loader, batch, known, tally)


@task(name="finish-run", cache_policy=NONE)
def finish_task(loader: Loader, plan: Plan, tally: RunTally, raw_dir: str) -> RunSummary:
    return finish_run(loader, plan, tally, raw_dir)


def scale(dask_address: str | None, workers: int | None) -> tuple[str | None, int]:
    """Where the batches run: the arguments, else the settings (dask_address, workers; 0 = a worker
    process per CPU core)."""
    settings = get_settings()
    return dask_address or settings.dask_address or None, workers or settings.workers or os.cpu_count() or 1


def batch_runner(dask_address: str | None, workers: int, batches: int) -> tuple[TaskRunner[Any] | None, int]:
    """The task runner for the batch tasks and how many batches may be in flight at once.

    None means run inline: one batch (tests, small incremental runs) is not worth starting
    worker processes for. In-flight batches are bounded so memory follows the batch, not the corpus.
    """
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address), max(2 * workers, 4)
    if workers > 1 and batches > 1:
        # The workers die with this process (winnow.flows.lifetime): a SIGKILLed ingest leaves none.
        runner = ProcessPoolTaskRunner(
            max_workers=min(workers, batches), initializer=pool_worker_init, initargs=(os.getpid(),)
        )
        return runner, 2 * workers
    return None, 1


@contextmanager
def api_url_for_workers() -> Iterator[None]:
    """Point spawned worker processes at this run's Prefect API. Without PREFECT_API_URL each
    worker would start a temporary server of its own (measured: ~10 CPU s and 200 MB each)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if os.environ.get("PREFECT_API_URL") or ctx is None:
        yield
        return
    os.environ["PREFECT_API_URL"] = str(ctx.client.api_url)
    try:
        yield
    finally:
        del os.environ["PREFECT_API_URL"]


def process_batches(
    raw_dir: str,
    batches: Iterable[list[Work]],
    runner: TaskRunner[Any] | None,
    in_flight: int,
    load: Callable[[Batch], None],
    learned: LearnedState | None = None,
    rules_dir: str = "",
) -> None:
    """Process every batch on the runner, loading results in order as they come back. `learned`
    (recurring-line counts, updated as batches load) goes with each batch."""
    if runner is None:
        for entries in batches:
            load(process_batch_task(raw_dir, Sealed(entries), Sealed(learned), rules_dir))
            return_free_memory()
        return

    def take(future: Any) -> None:
        load(future.result())
        # The finished future sits in reference cycles (Prefect's future chain, a traceback) that
        # hold the batch's frames until a full collection, which CPython seldom runs in a process
        # with this many live objects: the process grew with the corpus (measured 0.9 GB after
        # 10,000 files, 0.5 GB with this). Frozen objects (from before the loop) are not scanned.
        gc.collect()
        return_free_memory()  # what the batch freed goes back to the OS (winnow.memory)

    with api_url_for_workers(), runner:
        gc.freeze()
        try:
            pending: deque[Any] = deque()
            for entries in batches:
                # The runner walks and pickles parameters on a thread of its own while this one
                # adds loaded batches to `learned` (a race: "Failed to resolve inputs in parameter
                # 'learned'" at 10,000 files): each batch gets a copy taken now, sealed so the
                # runner does not walk its 100,000 entries (3.4 s a batch at 100,000 files).
                snapshot = learned.copy() if learned is not None else None
                params = {
                    "raw_dir": raw_dir,
                    "entries": Sealed(entries),
                    "learned": Sealed(snapshot),
                    "rules_dir": rules_dir,
                }
                try:
                    pending.append(runner.submit(process_batch_task, params))
                except OSError as exc:  # Dask connects on the first submit: a scheduler that does
                    # not answer is no fault of the warehouse (whose advice is "free space")
                    raise WinnowError(f"cannot reach the batch workers: {exc}", stage="process") from exc
                if len(pending) >= in_flight:
                    take(pending.popleft())
            while pending:
                take(pending.popleft())
        except BaseException:
            # Stopping (a signal, a failed load): the runner's exit would wait for every batch in
            # flight; the run is being rolled back, so their results are not wanted.
            kill_pool(runner)
            raise
        finally:
            gc.unfreeze()


class PlainParametersFlow(Flow[P, R]):
    """A flow whose parameters are JSON values already (str, int, bool, None). Prefect passes every
    parameter through FastAPI's jsonable_encoder before creating the run, and importing FastAPI
    for that costs about 0.1 s of each ingest; for such values the encoder returns them as they are."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if all(value is None or type(value) in PLAIN for value in parameters.values()):
            return dict(parameters)
        return super().serialize_parameters(parameters)


PLAIN = (str, int, float, bool)  # exact types: a subclass (an enum, a path) goes to the encoder


def plain_flow(name: str) -> Callable[[Callable[P, R]], PlainParametersFlow[P, R]]:
    """@flow(name=..., log_prints=False), as a PlainParametersFlow."""

    def wrap(fn: Callable[P, R]) -> PlainParametersFlow[P, R]:
        return PlainParametersFlow(fn, name=name, log_prints=False)

    return wrap


@plain_flow("winnow-ingest")
def ingest_flow(
    raw: str | None = None,
    warehouse: str | None = None,
    wait: bool = False,
    dask_address: str | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Ingest every new or changed file under `raw` into the DuckDB `warehouse`, in one transaction.

    One writer at a time: if another ingest holds the warehouse, wait for it (`wait`) or record
    this run as skipped and return. `workers` local processes process the batches (default: the
    `workers` setting, 0 = one per core); with `dask_address` (or WINNOW_DASK_ADDRESS) the batches
    run on that Dask cluster."""
    raw_dir = str(raw_path(raw))
    target = warehouse_path(warehouse)
    run_id = str(flow_run.id or uuid.uuid4())
    current_run["id"] = run_id
    watch_supervisor()  # a flow-run process of `winnow serve` goes when serve goes
    try:
        with guard_flow_signals():
            return _ingest(raw_dir, target, run_id, wait, dask_address, workers)
    except (duckdb.Error, OSError) as exc:  # the warehouse, its folder or its lock failed us
        raise warehouse_failure(exc, target) from exc


current_run: dict[str, str] = {}  # the flow run this process runs now (for marking it cancelled)


def _open(target: Path, wait: bool) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing. Held open by another process (a reader, a notebook):
    raise WarehouseBusy naming it, or with `wait`, wait for it to let go."""
    opened = open_task(str(target))
    if not isinstance(opened, WarehouseLocked):
        return opened
    if not wait:
        raise WarehouseBusy(f"{opened}; this run was skipped", {"pid": opened.holder_pid}) from opened
    get_run_logger().warning("waiting: %s", opened)
    while True:
        time.sleep(0.5)
        try:
            return open_warehouse(target)
        except WarehouseLocked:
            continue


def _ingest(
    raw_dir: str, target: Path, run_id: str, wait: bool, dask_address: str | None, workers: int | None
) -> RunSummary:
    logger = get_run_logger()
    settings = get_settings()
    rules_dir = str(rules_path(raw_dir))
    rules = rules_for(rules_dir)  # a broken pack of the user's fails here, before anything is touched
    try:
        lock = take_writer_lock(target, run_id, wait)
    except WarehouseBusy as busy:
        summary = skipped_run(target, run_id, raw_dir, busy)
        publish_report(summary)
        return summary
    tally = RunTally(rules_version=rules.version)  # started once the lock is ours: waiting is not working
    try:
        con = _open(target, wait)
    except WarehouseBusy as busy:  # a process holds the file open: this run is skipped, not lost
        lock.release()
        summary = skipped_run(target, run_id, raw_dir, busy)
        publish_report(summary)
        return summary
    except BaseException:
        lock.release()
        raise
    loader = Loader(con, run_id, memory_limit=settings.memory_limit or None)
    try:
        loader.begin()
        recorded_skips = fold_skipped(loader, target)
        plan, known = discover_task(q(loader), raw_dir, q(tally), str(target))
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
            load_batch_task(q(loader), q(refused_batch(plan.refused)), q(known), q(tally))
            progress().advance(len(plan.refused))

        def load(batch: Batch) -> None:
            load_batch_task(q(loader), q(batch), q(known), q(tally))
            progress().advance(batch.files)

        # Batches come as they are planned: an archive is indexed when its turn comes, and its
        # records go out in parts (winnow.read.parts), so a large one is many batches.
        batches = plan_batches(loader, raw_dir, plan, settings, load)
        expected = len(plan.to_process) // max(1, settings.batch_size) + 1 if plan.to_process else 0
        expected += sum(1 for e in plan.to_process if e.format == "warc")
        runner, in_flight = batch_runner(*scale(dask_address, workers), expected)
        # The learned state is read only when there is something to process: an unchanged re-run
        # skips reading a million recurring-line keys; a run of one batch processed here reads
        # only the pairs its files ask about.
        learned = loader.learned_state(whole=runner is not None or expected > 1) if plan.to_process else None
        process_batches(raw_dir, batches, runner, in_flight, load, learned, rules_dir)
        recorded_skips |= fold_skipped(loader, target)  # runs skipped while this one worked
        summary = finish_task(q(loader), q(plan), q(tally), raw_dir)
    except BaseException as exc:
        if loader.committed:  # the run is in `runs` already: a later failure (a log write) cannot undo it
            current_run["committed"] = "yes"
            raise
        loader.rollback()
        interrupted = isinstance(exc, KeyboardInterrupt | TerminationSignal)
        if interrupted:
            error = f"stopped by {_signal_name(exc)}; rolled back"
        else:
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        failed = tally.summary(run_id, "cancelled" if interrupted else "failed", raw_dir, error=error)
        try:
            loader.record_run(failed)
        except BaseException:  # the warehouse itself may be what failed
            logger.exception("could not record the failed run")
        if not interrupted:
            publish_report(failed)
        raise
    finally:
        con.close()
        lock.release()
    fold_skipped_done(target, recorded_skips)
    logger.info(
        "run %s: %d loaded, %d duplicates, %d rejected, %d unchanged, %d deleted in %.1fs",
        run_id,
        summary.loaded,
        summary.duplicates,
        summary.rejected,
        summary.files_unchanged,
        summary.files_deleted,
        summary.duration_s,
    )
    publish_report(summary)
    return summary


def _signal_name(exc: BaseException) -> str:
    if isinstance(exc, Interrupted):
        return exc.name
    signum = getattr(exc, "signal", None)
    return signal.Signals(signum).name if isinstance(signum, int) else "SIGINT"


def mark_cancelled(run_id: str, why: str) -> None:
    """Record in Prefect that the flow run was cancelled (its engine calls an interrupt a crash)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run_id, Cancelled(message=why), force=True)


@contextmanager
def no_heartbeat() -> Iterator[None]:
    """Prefect's flow-run heartbeat thread sleeps in 1 s steps and the engine joins it at the end,
    which adds up to a second to every run; the run is one process we wait on, so turn it off."""
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def run_ingest(
    raw: str | Path | None = None,
    warehouse: str | Path | None = None,
    wait: bool = False,
    *,
    dask_address: str | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Run the flow from plain Python (the CLI uses this). Stopped by a signal, the flow run is
    marked Cancelled in Prefect and Interrupted (or Prefect's TerminationSignal) is raised."""
    current_run.clear()
    limit_malloc_arenas()  # before the flow's threads start (the CLI did it already, as it loaded)
    try:
        with no_heartbeat():
            summary = ingest_flow(
                raw=str(raw) if raw is not None else None,
                warehouse=str(warehouse) if warehouse is not None else None,
                wait=wait,
                dask_address=dask_address,
                workers=workers,
            )
        current_run.clear()  # finished: a stop from now on interrupts no run
        return summary
    except (KeyboardInterrupt, TerminationSignal) as exc:
        if current_run.get("id") and not current_run.get("committed"):
            try:
                mark_cancelled(current_run["id"], f"stopped by {_signal_name(exc)}; the run was rolled back")
            except Exception:  # the server may be going too; the run is rolled back either way
                get_logger_safe().debug("could not mark the flow run cancelled", exc_info=True)
        raise


def get_logger_safe() -> Any:
    import logging

    return logging.getLogger("winnow.ingest")
