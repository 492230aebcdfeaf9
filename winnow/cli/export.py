"""`winnow export`: articles out to Parquet, CSV or JSON lines, for pandas, Polars, Spark or a lake."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.output import export_format


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
    OUT. The file appears whole or not at all."""
    if canonical:
        from winnow.store.clusters import CANONICAL_ONLY

        where = f"({where}) AND {CANONICAL_ONLY}" if where and where.strip() else CANONICAL_ONLY
    from winnow.store.export import FORMATS

    try:
        fmt = export_format(out, fmt, FORMATS)
    except ValueError as exc:
        fail(str(exc), 2)
        return
    if out == "-":
        if fmt == "parquet" and sys.stdout.isatty():
            fail("Parquet is binary: send it to a file or a pipe, not the terminal", 2)
        _to_stdout(warehouse, wait, fmt, where)
        return
    _to_file(Path(out), warehouse, wait, fmt, where)


def _to_stdout(warehouse: str | None, wait: bool, fmt: str, where: str | None) -> None:
    import duckdb

    from winnow.store.export import export_articles

    con = read_warehouse(warehouse, wait)
    try:
        sys.stdout.flush()
        export_articles(con, sys.stdout.buffer, fmt, where)
        sys.stdout.buffer.flush()
    except duckdb.Error as exc:
        fail(f"export failed: {exc}")
    except BrokenPipeError:  # `winnow export - | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        con.close()


def _to_file(out: Path, warehouse: str | None, wait: bool, fmt: str, where: str | None) -> None:
    import duckdb

    from winnow.store.export import export_articles

    out.parent.mkdir(parents=True, exist_ok=True)
    con = read_warehouse(warehouse, wait)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the export is an ordinary file
    try:
        n = export_articles(con, Path(tmp), fmt, where)
        os.replace(tmp, out)
    except duckdb.Error as exc:
        fail(f"export failed: {exc}")
    finally:
        con.close()
        Path(tmp).unlink(missing_ok=True)
    console.print(f"wrote {n} articles to {out} ({fmt})", highlight=False)
