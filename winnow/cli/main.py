"""The `winnow` command line: the Typer app, assembled from one module per command.

Query-side commands talk to the warehouse directly; `ingest`, `watch` and `serve` hand over to the
Prefect flows (imported only when those commands run, after their arguments have been checked).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.markup import escape
from typer import _click as click  # Typer's own click, whose exceptions its commands raise

from winnow.cli import (
    check,
    convert,
    export,
    ingest,
    preview,
    query,
    rejects,
    rules,
    search,
    serve,
    server,
    show,
    status,
    watch,
)
from winnow.cli import eval as eval_command
from winnow.cli.app import err
from winnow.cli.helptext import tidy_help
from winnow.cli.verbosity import QuietOpt, VerboseOpt, set_verbosity
from winnow.errors import WinnowError
from winnow.flows.lifetime import exit_now_if_stopped, safe_streams
from winnow.version import __version__

app = typer.Typer(
    name="winnow",
    help="Ingest scraped articles from raw/, clean and validate them, and query them in DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        import duckdb

        from winnow.store.warehouse import STORAGE_VERSION

        typer.echo(
            f"winnow {__version__} (DuckDB {duckdb.__version__}; new warehouses in DuckDB's "
            f"{STORAGE_VERSION} storage format)"
        )
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Ingest scraped articles from raw/, clean and validate them, and query them in DuckDB."""
    set_verbosity(quiet, verbose)


for command in (
    ingest.ingest,
    query.query,
    preview.preview,
    serve.serve,
    watch.watch,
    search.search,
    show.show,
    status.status,
    rejects.rejects,
    export.export,
    check.check,
    convert.convert,
):
    app.command()(command)
app.command("eval")(eval_command.evaluate)
app.add_typer(rules.rules_app, name="rules")
app.add_typer(server.server_app, name="server")


def main() -> None:
    # Prefect's temporary server writes telemetry into its SQLite file while the flow starts, which
    # races on a fresh PREFECT_HOME ("database is locked"); winnow sends no telemetry anyway.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    set_verbosity(False, False)  # the default before any option is read: see winnow.cli.verbosity
    safe_streams()  # a closed stdout or stderr (`winnow ingest | head`) must not break a run
    command = tidy_help(typer.main.get_command(app))
    try:
        code = command.main(prog_name="winnow", standalone_mode=False)
    except SystemExit as exc:
        exit_now_if_stopped(exc.code)  # stopped by a signal: the one line is out, go now
        raise
    except click.exceptions.ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `winnow` alone: the help, as asked
            exc.show()
        else:  # a usage error: one line, as winnow's own errors, not a framed panel
            ctx = getattr(exc, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            err.print(f"[bold red]error:[/] {escape(exc.format_message())}{hint}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:  # Ctrl-C
        exit_now_if_stopped(130)
        sys.exit(130)
    except WinnowError as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
