"""`winnow ingest`: one Prefect flow run over raw/, and the summary it prints."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from winnow.cli import preflight
from winnow.cli.app import EXIT_SKIPPED, RawOpt, WarehouseOpt, console, err, fail
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import WinnowError
from winnow.records import RunSummary

if TYPE_CHECKING:
    from winnow.flows.local_server import ServerState


def ingest(
    raw: RawOpt = None,
    warehouse: WarehouseOpt = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="If another ingest is writing to the warehouse, wait for it to finish "
            f"instead of skipping this run (a skip exits with code {EXIT_SKIPPED}).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Local worker processes for the batches (default: one per CPU core).", min=1),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(
            help="Run the batches on this Dask scheduler (tcp://host:8786); env WINNOW_DASK_ADDRESS.",
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Ingest new and changed files under raw/ into the warehouse (a Prefect flow run)."""
    set_verbosity(quiet, verbose)
    folder = preflight.raw_folder(raw)
    target = preflight.warehouse_file(warehouse)
    preflight.settings_and_rules(raw)
    preflight.dask_scheduler(dask_address or os.environ.get("WINNOW_DASK_ADDRESS"))
    preflight.writer_lock(target, folder, wait)

    from winnow.cli import verbosity
    from winnow.cli.progress_bar import progress_bar
    from winnow.flows.lifetime import stop_on_signals
    from winnow.flows.local_server import prefect_api

    try:
        with stop_on_signals(on_deadline=said_stopped), prefect_api(restore=False) as server:
            say_started(server)
            from winnow.faults import hold
            from winnow.flows.ingest import run_ingest  # the CLI is the application shell: it may start flows

            hold("before_flow")
            from winnow.flows.progress import reporting_to

            with progress_bar(err, enabled=not verbosity.quiet()) as bar, reporting_to(bar):
                summary = run_ingest(raw, warehouse, wait=wait, dask_address=dask_address, workers=workers)
    except WinnowError as exc:
        fail(str(exc))
        return
    except KeyboardInterrupt as exc:  # SIGINT or SIGTERM (winnow.flows.lifetime.Interrupted)
        stopped(exc, what_happened())
    except BaseException as exc:
        if type(exc).__name__ == "TerminationSignal":  # Prefect's own SIGTERM, raised before our handler
            stopped(exc, what_happened())
        raise
    if summary.status == "skipped":
        fail(summary.error or "skipped: another ingest is writing", EXIT_SKIPPED)
    if not verbosity.quiet():
        print_summary(summary)


def what_happened(idle: str = "no run had started") -> str:
    """What a stop did to the run in progress (winnow.flows.ingest.current_run), for the one line."""
    import sys

    ingest = sys.modules.get("winnow.flows.ingest")
    run = getattr(ingest, "current_run", {})
    if run.get("committed"):
        return f"run {run['id']} had been saved already"
    if run.get("id"):
        return f"run {run['id']} was rolled back and cancelled"
    return idle


def _signal_name(exc: BaseException) -> str:
    import signal

    signum = getattr(exc, "signum", None) or getattr(exc, "signal", None) or signal.SIGINT
    return signal.Signals(int(signum)).name


def stopped(exc: BaseException, what: str = "the run was rolled back and cancelled") -> None:
    """The one line a stopped command prints, and its exit code (130 for SIGINT, 143 for SIGTERM)."""
    from winnow.flows.lifetime import exit_code_for

    if not _said:
        _said.append(True)
        err.print(f"stopped by {_signal_name(exc)}: {what}", highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code_for(exc))


_said: list[bool] = []  # the one line is printed once, by whichever comes first


def said_stopped(signum: int) -> None:
    """When the grace period runs out (the process is about to exit from the watchdog)."""
    import signal

    if not _said:
        _said.append(True)
        name = signal.Signals(signum).name
        err.print(
            f"stopped by {name}: {what_happened()} (after the grace period)", highlight=False, soft_wrap=True
        )


def say_started(server: tuple[ServerState, bool] | None) -> None:
    """Tell the user once when a command started the shared Prefect server (it stays for the next)."""
    from winnow.cli import verbosity

    if server is None or verbosity.quiet():
        return
    state, started = server
    if started:
        err.print(
            f"started the local Prefect server at {state.ui_url} (pid {state.pid}); it stays for the next "
            f"commands and stops after {state.idle_minutes:g} idle minutes, or with `winnow server stop`",
            highlight=False,
        )


def print_summary(summary: RunSummary) -> None:
    console.print(f"[bold]run {summary.run_id}[/] {summary.status} in {summary.duration_s:.1f}s")
    console.print(
        f"  files: {summary.files_seen} seen, {summary.files_new} new, {summary.files_changed} changed, "
        f"{summary.files_unchanged} unchanged, {summary.files_deleted} deleted"
    )
    console.print(
        f"  articles: {summary.loaded} loaded, {summary.duplicates} duplicates, {summary.rejected} "
        f"rejected; {summary.segments_removed} boilerplate lines removed"
    )
    for check, n in summary.rejection_reasons.items():
        console.print(f"  rejected ({check}): {n}")
