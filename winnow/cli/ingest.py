"""`winnow ingest`: one Prefect flow run over raw/, and the summary it prints."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from winnow.cli import preflight
from winnow.cli.app import EXIT_SKIPPED, RawOpt, WarehouseOpt, console, err, fail
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import WinnowError

if TYPE_CHECKING:
    from winnow.records import RunSummary


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
    from winnow.flows.ingest import run_ingest  # the CLI is the application shell: it may start flows
    from winnow.flows.progress import reporting_to

    try:
        with progress_bar(err, enabled=not verbosity.quiet()) as bar, reporting_to(bar):
            summary = run_ingest(raw, warehouse, wait=wait, dask_address=dask_address, workers=workers)
    except WinnowError as exc:
        fail(str(exc))
        return
    if summary.status == "skipped":
        fail(summary.error or "skipped: another ingest is writing", EXIT_SKIPPED)
    if not verbosity.quiet():
        print_summary(summary)


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
