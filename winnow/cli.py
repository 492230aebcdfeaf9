"""The `winnow` command line. Query-side commands talk to the warehouse directly; `ingest`
hands over to the Prefect flow (imported only when that command runs)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from winnow.errors import WinnowError

app = typer.Typer(
    name="winnow",
    help="Ingest scraped articles from raw/, clean and validate them, and query them in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

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
    err.print(f"[yellow]waiting:[/] {message}")


EXIT_SKIPPED = 75  # sysexits EX_TEMPFAIL: the warehouse was busy, try again later


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.command()
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
) -> None:
    """Ingest new and changed files under raw/ into the warehouse (a Prefect flow run)."""
    import duckdb

    from flows.ingest import run_ingest  # the CLI is the application shell: it may start flows
    from flows.progress import reporting_to
    from winnow.commands.progress_bar import progress_bar

    try:
        with progress_bar(err) as bar, reporting_to(bar):
            summary = run_ingest(raw, warehouse, wait=wait, dask_address=dask_address, workers=workers)
    except (WinnowError, FileNotFoundError) as exc:
        fail(str(exc))
        return
    except (duckdb.Error, OSError) as exc:
        fail(write_failure(exc))
        return
    if summary["status"] == "skipped":
        fail(summary.get("error") or "skipped: another ingest is writing", EXIT_SKIPPED)
    print_summary(summary)


def write_failure(exc: BaseException) -> str:
    """A failed write (disk full, read-only or vanished disk) as one sentence a person can act on."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lower = first.lower()
    if "no space left" in lower:
        cause = "the disk is full"
    elif "read-only file system" in lower:
        cause = "the warehouse folder is read-only"
    elif "permission denied" in lower:
        cause = "no permission to write the warehouse folder"
    else:
        cause = "a write failed"
    return (
        f"the run could not be saved: {cause} ({first}). It was rolled back: the warehouse holds "
        "what the last completed run loaded. Free space or fix the folder, then run `winnow ingest` again."
    )


def print_summary(summary: dict[str, Any]) -> None:
    console.print(
        f"[bold]run {summary.get('run_id', '')}[/] {summary['status']} in {summary['duration_s']:.1f}s"
    )
    console.print(
        f"  files: {summary['files_seen']} seen, {summary['files_new']} new, "
        f"{summary['files_changed']} changed, {summary['files_unchanged']} unchanged, "
        f"{summary['files_deleted']} deleted"
    )
    console.print(
        f"  articles: {summary['loaded']} loaded, {summary['duplicates']} duplicates, "
        f"{summary['rejected']} rejected; {summary['segments_removed']} boilerplate lines removed"
    )
    for check, n in summary.get("rejection_reasons", {}).items():
        console.print(f"  rejected ({check}): {n}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def render_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str | Table:
    if fmt == "json":
        return json.dumps(
            [{c: _jsonable(v) for c, v in zip(columns, r, strict=True)} for r in rows],
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for v in r])
        return buf.getvalue().rstrip("\n")
    table = Table(show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    return table


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the warehouse.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    write: Annotated[
        bool, typer.Option("--write", help="Allow statements that change the warehouse (opens it writable).")
    ] = False,
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Run SQL against the warehouse and print the result. Read-only unless --write is given."""
    import duckdb

    from winnow.reader import open_reader, refuse_writes

    if fmt not in ("table", "csv", "json"):
        fail(f"unknown format {fmt!r}: use table, csv or json", 2)
    try:
        con = open_reader(warehouse, wait=wait, write=write, on_wait=waiting)
    except WinnowError as exc:
        fail(str(exc))
        return
    try:
        if not write:
            refuse_writes(con, sql)
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or []]
        rows = cur.fetchall() if columns else []
    except WinnowError as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:
        fail(f"query failed: {exc}")
        return
    finally:
        con.close()
    out = render_rows(columns, rows, fmt)
    if isinstance(out, str):
        sys.stdout.write(out + "\n")
    else:
        console.print(out)


@app.command()
def preview(
    path: Annotated[Path, typer.Argument(help="A raw file to run through the pipeline.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Dry run on one file: metadata, clean body and each removed line with its rule. Writes nothing."""
    from winnow.preview import preview_file

    if not path.exists():
        fail(f"no such file: {path}")
    result = preview_file(path)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    for doc in result["documents"]:
        console.rule(f"{doc['source_path']} (record {doc['record']})")
        if doc["rejections"]:
            for r in doc["rejections"]:
                console.print(f"[red]REJECTED[/] [{r['stage']}/{r['check']}] {r['reason']}")
        for key in (
            "title",
            "authors",
            "published_at",
            "published_raw",
            "updated_at",
            "read_time_stated_min",
            "read_time_est_min",
            "word_count",
            "language",
            "language_prob",
            "publisher",
            "url",
            "encoding",
        ):
            console.print(f"[bold]{key}[/]: {doc.get(key)}", highlight=False)
        console.rule("removed")
        counts: Counter[str] = Counter()
        for seg in doc["removed"]:
            counts[seg["rule_id"]] += 1
            console.print(
                f"  line {seg['position']:>4}  [cyan]{seg['rule_id']}[/] "
                f"({seg['category']}): {seg['text'][:120]}",
                highlight=False,
                markup=True,
            )
        console.rule("body")
        console.print(doc["body"], highlight=False, markup=False)


def main() -> None:
    # Prefect's temporary server writes telemetry into its SQLite file while the flow starts, which
    # races on a fresh PREFECT_HOME ("database is locked"); winnow sends no telemetry anyway.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        app()
    except WinnowError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)


from winnow import commands  # noqa: E402,F401 - registers the command modules on `app`

if __name__ == "__main__":
    main()
