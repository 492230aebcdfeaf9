"""`winnow watch`: ingest when files appear or change under raw/."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from winnow.cli import preflight, verbosity
from winnow.cli.app import RawOpt, WarehouseOpt, console, err, fail
from winnow.cli.ingest import print_summary
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import WinnowError


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
    target = preflight.warehouse_file(warehouse)
    preflight.settings_and_rules(raw)

    from winnow.cli.ingest import said_stopped, say_started, stopped, what_happened
    from winnow.flows.lifetime import stop_on_signals
    from winnow.flows.local_server import prefect_api

    def one_run() -> None:
        from winnow.flows.ingest import run_ingest

        try:
            summary = run_ingest(folder, warehouse, wait=True)
            if not verbosity.quiet():
                print_summary(summary)
        except WinnowError as exc:
            err.print(f"[bold red]error:[/] {exc}")
            raise

    console.print(f"watching {folder.resolve()} (Ctrl-C to stop)", highlight=False)
    try:
        with stop_on_signals(on_deadline=said_stopped), prefect_api() as server:
            say_started(server)
            from winnow.flows.watch import watch_and_ingest

            # Importing flows set up Prefect's logging, whose console handler prints our logger's lines too.
            logging.getLogger("winnow.watch").setLevel(verbosity.logging_level())
            watch_and_ingest(
                folder, one_run, debounce=debounce, initial_run=initial_run, polling=poll, own=target
            )
    except WinnowError as exc:  # the watcher itself failed
        fail(str(exc))
    except KeyboardInterrupt as exc:  # SIGINT or SIGTERM: a run in progress was rolled back
        stopped(exc, f"watching ended; {what_happened('no run was in progress')}")
    except BaseException as exc:
        if type(exc).__name__ == "TerminationSignal":
            stopped(exc, f"watching ended; {what_happened('no run was in progress')}")
        raise
