"""Streaming articles out of the warehouse in Arrow batches, so memory stays bounded by the batch."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

import duckdb
import polars as pl
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from winnow.errors import ConfigError
from winnow.schemas.columns import ARTICLES, names

FORMATS = ("parquet", "csv", "jsonl")
BATCH_ROWS = 20_000
COLUMNS = ", ".join(names(ARTICLES))  # every column, in the declared order


def export_articles(
    con: duckdb.DuckDBPyConnection, out: Path | BinaryIO, fmt: str, where: str | None = None
) -> int:
    """Write the articles matching `where` (an SQL condition, by design: the connection is read-only)
    to `out` (a path, or a binary stream such as standard output) in `fmt`. Returns the number of
    articles written."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    columns = COLUMNS
    if fmt == "csv":  # CSV has no lists: authors become a JSON array
        columns = columns.replace("authors", "CAST(to_json(authors) AS VARCHAR) AS authors")
    condition = f"WHERE ({where})" if where and where.strip() else ""
    rel = con.sql(
        f"SELECT {columns} FROM articles {condition} ORDER BY published_at NULLS LAST, doc_id"  # noqa: S608
    )
    # DuckDB 2 renamed fetch_arrow_reader to to_arrow_reader; 1.x has only the old name.
    reader = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader
    reader = reader(BATCH_ROWS)
    n = 0
    if fmt == "parquet":
        with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    elif fmt == "csv":
        with pa_csv.CSVWriter(out, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    else:
        with out.open("wb") if isinstance(out, Path) else contextlib.nullcontext(out) as fh:
            for batch in reader:
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                frame.write_ndjson(fh)
                n += batch.num_rows
    return n
