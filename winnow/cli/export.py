"""`winnow export`: articles out to Parquet, CSV or JSON lines, for pandas, Polars, Spark or a lake."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.output import export_format, known_extension
from winnow.errors import WinnowError
from winnow.store.export import FORMATS, ExportRefused, check_target, export_articles, write_whole
from winnow.store.warehouse import warehouse_path


def export(
    out: Annotated[
        str,
        typer.Argument(
            help="File to write (replaced if it exists), its format by its extension (.parquet, .csv, "
            ".jsonl); - writes JSON lines to standard output."
        ),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="parquet, csv or jsonl (instead of the extension's).")
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(help="SQL condition on articles, e.g. \"language = 'en' AND word_count > 500\"."),
    ] = None,
    canonical: Annotated[
        bool, typer.Option("--canonical", help="One article per near-duplicate cluster: the canonical one.")
    ] = False,
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write articles (all columns; authors as a list in Parquet and JSONL, a JSON array in CSV) to
    OUT, a new or regular file (never a folder, device, symlink or the warehouse's own files). The
    file appears whole or not at all. --where is one SQL expression over the articles' columns."""
    given = fmt
    try:
        fmt = export_format(out, fmt, FORMATS)
    except ValueError as exc:
        fail(str(exc), 2)
        return
    if out == "-":
        if fmt == "parquet" and sys.stdout.isatty():
            fail("Parquet is binary: send it to a file or a pipe, not the terminal", 2)
        _to_stdout(warehouse, wait, fmt, where, canonical)
        return
    unnamed = given is None and not known_extension(out)
    _to_file(Path(out), warehouse, wait, fmt, where, canonical, note=unnamed)


def _to_stdout(warehouse: str | None, wait: bool, fmt: str, where: str | None, canonical: bool) -> None:
    con = read_warehouse(warehouse, wait)
    try:
        sys.stdout.flush()
        export_articles(con, sys.stdout.buffer, fmt, where, canonical)
        sys.stdout.buffer.flush()
    except WinnowError as exc:
        fail(f"export failed: {exc}")
    except duckdb.Error as exc:
        fail(f"export failed: {str(exc).strip().splitlines()[0]}")
    except BrokenPipeError:  # `winnow export - | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        con.close()


def _to_file(
    out: Path, warehouse: str | None, wait: bool, fmt: str, where: str | None, canonical: bool, note: bool
) -> None:
    try:
        check_target(out, warehouse_path(warehouse))  # before the warehouse is even opened
    except ExportRefused as exc:
        fail(str(exc), 2)
    con = read_warehouse(warehouse, wait)
    try:
        n = write_whole(
            out, warehouse_path(warehouse), lambda tmp: export_articles(con, tmp, fmt, where, canonical)
        )
    except ExportRefused as exc:
        fail(str(exc), 2)
        return
    except WinnowError as exc:
        fail(f"export failed: {exc}")
        return
    except duckdb.Error as exc:
        fail(f"export failed: {str(exc).strip().splitlines()[0]}")
        return
    finally:
        con.close()
    # A name with no known extension gets Parquet, as always, but said.
    why = f"{fmt}: no .parquet, .csv or .jsonl extension" if note else fmt
    console.print(f"wrote {n} articles to {out} ({why})", highlight=False)
