"""Result rows as text, in the formats `query` and `search` print: a table for people; csv, tsv,
json, jsonl and markdown for programs and documents (the set sqlite-utils and the DuckDB CLI offer)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from rich.table import Table
from rich.text import Text

from winnow.cli.terminal import printable

ROW_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    """A value in one text cell: lists and structs as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(jsonable(value))


def _markdown_cell(value: Any) -> str:
    return _cell(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def render_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str | Table:
    """`rows` under `columns` in `fmt` (one of ROW_FORMATS): a rich Table for `table`, else text."""
    if fmt == "json":
        return json.dumps(
            [{c: jsonable(v) for c, v in zip(columns, r, strict=True)} for r in rows],
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "jsonl":
        return "\n".join(
            json.dumps({c: jsonable(v) for c, v in zip(columns, r, strict=True)}, ensure_ascii=False)
            for r in rows
        )
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, dialect="excel-tab" if fmt == "tsv" else "excel")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(v) for v in r])
        return buf.getvalue().rstrip("\r\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(_markdown_cell(c) for c in columns) + " |"]
        lines.append("|" + "|".join(" --- " for _ in columns) + "|")
        lines += ["| " + " | ".join(_markdown_cell(v) for v in r) + " |" for r in rows]
        return "\n".join(lines)
    table = Table(show_lines=False)
    for c in columns:  # names and values are data, not rich markup (a value may read "[/]")
        table.add_column(Text(printable(c)), overflow="fold")
    for r in rows:
        table.add_row(*[Text(printable(_cell(v))) for v in r])
    return table


# `winnow export`: the format from --format, else from OUT's extension (`-` is standard output).
EXPORT_EXTENSIONS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
STDOUT_EXPORT_FORMAT = "jsonl"  # text a pipe can read line by line
DEFAULT_EXPORT_FORMAT = "parquet"


def known_extension(out: str) -> bool:
    return any(out.lower().endswith(ext) for ext in EXPORT_EXTENSIONS)


def export_format(out: str, fmt: str | None, formats: tuple[str, ...]) -> str:
    """The format to export in, or a ValueError saying why none can be chosen."""
    if fmt is not None:
        if fmt not in formats:
            raise ValueError(f"unknown format {fmt!r}: use {', '.join(formats)}")
        return fmt
    if out == "-":
        return STDOUT_EXPORT_FORMAT
    name = out.lower()
    for ext, found in EXPORT_EXTENSIONS.items():
        if name.endswith(ext):
            return found
    return DEFAULT_EXPORT_FORMAT  # no extension it knows: Parquet, as always (the caller says so)
