"""`winnow serve`: run the ingest flow on a schedule, in the foreground, until stopped."""

from __future__ import annotations

import re
import signal
from datetime import timedelta
from typing import Annotated

import typer

from winnow.cli import preflight
from winnow.cli.app import RawOpt, WarehouseOpt, console, fail
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import ConfigError, WinnowError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)


def parse_interval(text: str) -> timedelta:
    """'15m', '90s', '2h', '1d' or plain seconds ('30')."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"cannot read the interval {text!r}: use a number with s, m, h or d, like 15m")
    seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < 1:
        raise ConfigError(f"the interval {text!r} is too short: at least 1s")
    return timedelta(seconds=seconds)


def serve(
    cron: Annotated[
        str | None, typer.Option("--cron", help='Cron schedule, e.g. "*/15 * * * *" (in --timezone).')
    ] = None,
    interval: Annotated[
        str | None, typer.Option("--interval", help="Run every 90s, 15m, 2h, 1d ... (default 15m).")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of the schedule.")] = "UTC",
    raw: RawOpt = None,
    warehouse: WarehouseOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Serve the ingest flow as a Prefect deployment on a schedule until Ctrl-C or SIGTERM.

    With PREFECT_API_URL set, registers with that server; otherwise uses winnow's shared local
    Prefect server (started if needed; it stays after serve stops, see `winnow server`)."""
    set_verbosity(quiet, verbose)
    if cron and interval:
        fail("give --cron or --interval, not both", preflight.USAGE)
    try:
        every = parse_interval(interval) if interval else None
    except WinnowError as exc:
        fail(str(exc), preflight.USAGE)
        return
    preflight.cron_expression(cron)
    preflight.time_zone(timezone)
    preflight.raw_folder(raw)
    preflight.warehouse_file(warehouse)
    preflight.settings_and_rules(raw)
    from winnow.cli.ingest import said_stopped, say_started, stopped
    from winnow.flows.lifetime import kill_children, stop_on_signals
    from winnow.flows.local_server import prefect_api

    def stop_runs(signum: int) -> None:
        kill_children(signal.SIGTERM)  # runs in flight roll back and record themselves cancelled

    what = "serving ended; a run in flight, if any, was rolled back and cancelled"
    try:
        with stop_on_signals(grace=4.0, on_signal=stop_runs, on_deadline=said_stopped):
            from winnow.flows.schedule import build_deployment, make_schedule
            from winnow.flows.schedule import serve as serve_deployment

            schedule = make_schedule(cron, every, timezone)  # a bad cron fails before any server starts
            with prefect_api() as server:
                say_started(server)
                deployment = build_deployment(schedule, raw, warehouse)
                where = (
                    f"the local Prefect server at {server[0].ui_url}"
                    if server
                    else "the PREFECT_API_URL server"
                )
                when = f"cron {cron!r} ({timezone})" if cron else f"every {interval or '15m'}"
                params = deployment.parameters
                console.print(
                    f"serving winnow-ingest/{deployment.name} {when} on {where}\n"
                    f"  raw: {params['raw']}\n  warehouse: {params['warehouse']}\n  stop with Ctrl-C",
                    highlight=False,
                )
                serve_deployment(deployment, poll_seconds=min(10.0, every.total_seconds()) if every else None)
    except KeyboardInterrupt as exc:
        stopped(exc, what)
    except WinnowError as exc:
        fail(str(exc), 2)
    except BaseException as exc:
        if type(exc).__name__ == "TerminationSignal":
            stopped(exc, what)
        raise
    console.print("stopped", highlight=False)
