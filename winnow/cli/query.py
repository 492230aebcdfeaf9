"""`winnow query`: SQL against the warehouse, printed as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail, waiting
from winnow.cli.terminal import emit, printable
from winnow.errors import WinnowError


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
    for c in columns:  # names and values are data, not rich markup (a value may read "[/]")
        table.add_column(Text(printable(c)), overflow="fold")
    for r in rows:
        table.add_row(*[Text("" if v is None else printable(str(v))) for v in r])
    return table


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

    from winnow.store.readonly import open_reader, refusal, statements

    if fmt not in ("table", "csv", "json"):
        fail(f"unknown format {fmt!r}: use table, csv or json", 2)
    if not sql.strip(" \t\r\n;"):
        fail("no SQL statement given (the query is empty)", 2)
    try:
        con = open_reader(warehouse, wait=wait, write=write, on_wait=waiting)
    except WinnowError as exc:
        fail(str(exc))
        return
    try:
        statements(con, sql)  # parses, and refuses SQL that holds no statement (only comments)
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or []] if cur is not None else []
        rows = cur.fetchall() if columns and cur is not None else []
    except WinnowError as exc:
        fail(str(exc), 2 if "no SQL statement" in str(exc) else 1)
        return
    except duckdb.Error as exc:
        fail(str(refusal(exc, write)))
        return
    finally:
        con.close()
    out = render_rows(columns, rows, fmt)
    if isinstance(out, str):
        emit(out + "\n", json=fmt == "json")
    else:
        console.print(out)
