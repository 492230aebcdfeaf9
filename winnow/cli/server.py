"""`winnow server start|stop|status`: the shared local Prefect server that ingest, watch and serve use
when no PREFECT_API_URL is configured (they start it on demand; these commands manage it by hand)."""

from __future__ import annotations

from typing import Annotated

import typer

from winnow.cli.app import console, fail

server_app = typer.Typer(
    help="The local Prefect server winnow shares between commands (started on demand).", no_args_is_help=True
)


def describe(state: object) -> str:
    from winnow.flows.local_server import ServerState

    assert isinstance(state, ServerState)
    idle = f"stops after {state.idle_minutes:g} idle minutes" if state.idle_minutes else "no idle stop"
    return f"{state.ui_url} (pid {state.pid}, since {state.started_at}, {idle}; log {state.log})"


@server_app.command("start")
def start(
    idle_minutes: Annotated[
        float | None,
        typer.Option(
            "--idle-minutes", help="Stop after this long unused [default: server_idle_minutes, 30]."
        ),
    ] = None,
) -> None:
    """Start the shared server (if it is not running) and print where it is."""
    from winnow.errors import WinnowError
    from winnow.flows.local_server import ensure_server, prefect_home
    from winnow.settings import get_settings

    minutes = get_settings().server_idle_minutes if idle_minutes is None else idle_minutes
    try:
        state, started = ensure_server(prefect_home(), minutes)
    except WinnowError as exc:
        fail(str(exc))
        return
    console.print(f"{'started' if started else 'running'}: {describe(state)}", highlight=False)
    console.print(f"PREFECT_API_URL={state.api_url}", highlight=False)


@server_app.command("stop")
def stop() -> None:
    """Stop the shared server (flow runs in progress against it fail to report)."""
    from winnow.flows.local_server import prefect_home, stop_server

    state = stop_server(prefect_home())
    console.print(f"stopped the server at {state.ui_url} (pid {state.pid})" if state else "no server running",
                  highlight=False)  # fmt: skip


@server_app.command("status")
def status() -> None:
    """Say whether the shared server is running (exit 0) or not (exit 3)."""
    from winnow.flows.local_server import prefect_home, running_server

    state = running_server(prefect_home())
    if state is None:
        console.print(f"no server running (PREFECT_HOME {prefect_home()})", highlight=False)
        raise typer.Exit(3)
    console.print(f"running: {describe(state)}", highlight=False)
