"""`winnow watch`: ingest when files appear or change under raw/."""

from __future__ import annotations

import contextlib
import logging
import signal
from typing import Annotated

import typer

from winnow.cli import preflight, verbosity
from winnow.cli.app import RawOpt, WarehouseOpt, console, err, fail
from winnow.cli.ingest import print_summary
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import WinnowError


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def watch(
    raw: RawOpt = None,
    warehouse: WarehouseOpt = None,
    debounce: Annotated[
        float, typer.Option("--debounce", min=0, help="Seconds raw/ must be quiet before a run starts.")
    ] = 1.0,
    poll: Annotated[
        bool, typer.Option("--poll", help="Poll for changes (network file systems give no file events).")
    ] = False,
    initial_run: Annotated[
        bool, typer.Option("--initial-run/--no-initial-run", help="Ingest once at start to catch up.")
    ] = True,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Watch raw/ and ingest whenever files appear or change, until Ctrl-C or SIGTERM.

    A burst of files is one run; a run in progress is never interrupted, and changes made during
    it trigger one more run afterwards. If another ingest is writing, the run waits for it."""
    set_verbosity(quiet, verbose)
    folder = preflight.raw_folder(raw)
    preflight.warehouse_file(warehouse)
    preflight.settings_and_rules(raw)

    from winnow.flows.ingest import run_ingest
    from winnow.flows.watch import watch_and_ingest

    # Importing flows set up Prefect's logging, whose console handler prints our logger's lines too.
    logging.getLogger("winnow.watch").setLevel(verbosity.logging_level())

    def one_run() -> None:
        try:
            summary = run_ingest(folder, warehouse, wait=True)
            if not verbosity.quiet():
                print_summary(summary)
        except WinnowError as exc:
            err.print(f"[bold red]error:[/] {exc}")
            raise

    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    console.print(f"watching {folder.resolve()} (Ctrl-C to stop)", highlight=False)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            watch_and_ingest(folder, one_run, debounce=debounce, initial_run=initial_run, polling=poll)
    except WinnowError as exc:  # the watcher itself failed
        fail(str(exc))
    console.print("stopped", highlight=False)
