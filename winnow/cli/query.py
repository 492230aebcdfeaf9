"""`winnow query`: SQL against the warehouse, every statement's result printed (table, csv, tsv,
json, jsonl or markdown). The SQL comes from the argument, standard input (`-`) or a file
(`--file`), with values bound as parameters (`--param name=value` for `$name`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail, waiting
from winnow.cli.output import ROW_FORMATS, render_rows
from winnow.cli.terminal import emit
from winnow.errors import WinnowError

# Statement kinds whose result is rows to show; others (CREATE, INSERT ...) answer with a count.
_ROWS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "EXECUTE", "RELATION"})


def read_sql(sql: str | None, file: Path | None) -> str:
    if sql is not None and file is not None:
        fail("give the SQL as an argument or with --file, not both", 2)
    if file is not None:
        try:
            return file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}", 2)
    if sql == "-":
        return sys.stdin.read()
    if sql is None:
        fail("give the SQL to run: an argument, - to read it from standard input, or --file FILE", 2)
    return sql or ""


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name:
            fail(f"--param {item!r}: use NAME=VALUE (and $NAME in the SQL)", 2)
        params[name] = value
    return params


def query(
    sql: Annotated[
        str | None,
        typer.Argument(help="SQL to run (several statements allowed); - reads it from standard input."),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the SQL from this file.")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A value for $NAME in the SQL, as NAME=VALUE (repeatable)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"{', '.join(ROW_FORMATS)}.")] = "table",
    write: Annotated[
        bool, typer.Option("--write", help="Allow statements that change the warehouse (opens it writable).")
    ] = False,
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Run SQL against the warehouse and print every statement's result. Read-only unless --write
    is given."""
    import duckdb

    from winnow.store.readonly import open_reader, refusal, statements

    if fmt not in ROW_FORMATS:
        fail(f"unknown format {fmt!r}: use {', '.join(ROW_FORMATS)}", 2)
    text = read_sql(sql, file)
    if not text.strip(" \t\r\n;"):
        fail("no SQL statement given (the query is empty)", 2)
    params = parse_params(param or [])
    try:
        con = open_reader(warehouse, wait=wait, write=write, on_wait=waiting)
    except WinnowError as exc:
        fail(str(exc))
        return
    results: list[tuple[list[str], list[tuple[Any, ...]]]] = []
    try:
        parsed = statements(con, text)  # parses, and refuses SQL that holds no statement (only comments)
        unused = set(params) - {n for s in parsed for n in s.named_parameters}
        if unused:
            fail(f"--param {', '.join(sorted(unused))}: no ${sorted(unused)[0]} in the SQL", 2)
        for statement in parsed:
            wanted = {n: params[n] for n in statement.named_parameters if n in params}
            missing = set(statement.named_parameters) - set(wanted)
            if missing:
                name = sorted(missing)[0]
                fail(f"the SQL uses ${name}: give it with --param {name}=VALUE", 2)
            cur = con.execute(statement, wanted) if wanted else con.execute(statement)
            columns = [d[0] for d in cur.description or []]
            if columns and (statement.type.name in _ROWS or columns != ["Count"]):
                results.append((columns, cur.fetchall()))
    except WinnowError as exc:
        fail(str(exc), 2 if "no SQL statement" in str(exc) else 1)
        return
    except duckdb.Error as exc:
        fail(str(refusal(exc, write)))
        return
    finally:
        con.close()
    for i, (columns, rows) in enumerate(results):
        out = render_rows(columns, rows, fmt)
        if isinstance(out, str):
            if i and fmt in ("csv", "tsv", "markdown"):
                emit("\n")  # results apart, as the DuckDB CLI prints them
            if out or fmt != "jsonl":
                emit(out + "\n", json=fmt in ("json", "jsonl"))
        else:
            if i:
                console.print()
            console.print(out)
