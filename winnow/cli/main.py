"""The `winnow` command line: the Typer app, assembled from one module per command.

Query-side commands talk to the warehouse directly; `ingest`, `watch` and `serve` hand over to the
Prefect flows (imported only when those commands run).
"""

from __future__ import annotations

import os
import sys

import typer

from winnow.cli import (
    check,
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
from winnow.errors import WinnowError
from winnow.flows.lifetime import exit_now_if_stopped, safe_streams

app = typer.Typer(
    name="winnow",
    help="Ingest scraped articles from raw/, clean and validate them, and query them in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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
):
    app.command()(command)
app.command("eval")(eval_command.evaluate)
app.add_typer(rules.rules_app, name="rules")
app.add_typer(server.server_app, name="server")


def main() -> None:
    # Prefect's temporary server writes telemetry into its SQLite file while the flow starts, which
    # races on a fresh PREFECT_HOME ("database is locked"); winnow sends no telemetry anyway.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    safe_streams()  # a closed stdout or stderr (`winnow ingest | head`) must not break a run
    try:
        app()
    except SystemExit as exc:
        exit_now_if_stopped(exc.code)  # stopped by a signal: the one line is out, go now
        raise
    except WinnowError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    main()
