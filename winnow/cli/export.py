"""`winnow export`: articles out to Parquet, CSV or JSON lines, for pandas, Polars, Spark or a lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.errors import WinnowError
from winnow.store.export import FORMATS, ExportRefused, check_target, export_articles, write_whole
from winnow.store.warehouse import warehouse_path


def export(
    out: Annotated[Path, typer.Argument(help="File to write (replaced if it exists).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet, csv or jsonl.")] = "parquet",
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
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: use {', '.join(FORMATS)}", 2)
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
    console.print(f"wrote {n} articles to {out} ({fmt})", highlight=False)
