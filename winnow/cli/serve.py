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


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop cleanly, exactly as on Ctrl-C


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

    With PREFECT_API_URL set, registers with that server; otherwise starts a local Prefect server
    (with its scheduler) for as long as this command runs."""
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
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        from winnow.flows.schedule import build_deployment, make_schedule, prefect_api
        from winnow.flows.schedule import serve as serve_deployment

        schedule = make_schedule(cron, every, timezone)  # a bad cron fails before any server starts
        with prefect_api() as started:
            deployment = build_deployment(schedule, raw, warehouse)
            local = f"a local Prefect server at {started.ui_url} (pid {started.pid})" if started else None
            when = f"cron {cron!r} ({timezone})" if cron else f"every {interval or '15m'}"
            params = deployment.parameters
            console.print(
                f"serving winnow-ingest/{deployment.name} {when} on {local or 'the PREFECT_API_URL server'}\n"
                f"  raw: {params['raw']}\n  warehouse: {params['warehouse']}\n  stop with Ctrl-C",
                highlight=False,
            )
            serve_deployment(deployment, poll_seconds=min(10.0, every.total_seconds()) if every else None)
    except KeyboardInterrupt:
        pass
    except WinnowError as exc:
        fail(str(exc), 2)
    console.print("stopped", highlight=False)
