"""What every command shares: the consoles, the common options, and how a command fails."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from winnow.cli.terminal import SafeConsole

# Every command's output goes through these (winnow.cli.terminal: control characters escaped).
console = SafeConsole()
err = SafeConsole(stderr=True)

WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        envvar="WINNOW_WAREHOUSE",
        help="DuckDB warehouse file [default: warehouse/articles.duckdb].",
    ),
]
RawOpt = Annotated[
    str | None,
    typer.Option("--raw", "-r", envvar="WINNOW_RAW", help="Folder of raw files [default: raw/]."),
]
WaitOpt = Annotated[
    bool,
    typer.Option("--wait", help="If an ingest is writing the warehouse, wait for it instead of failing."),
]


def waiting(message: str) -> None:
    err.print(f"[yellow]waiting:[/] {escape(message)}", soft_wrap=True)


EXIT_SKIPPED = 75  # sysexits EX_TEMPFAIL: the warehouse was busy, try again later


def fail(message: str, code: int = 1) -> None:
    # The message quotes what the user typed or a file held: text, not markup; one line.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)
