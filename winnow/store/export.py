"""Streaming articles out of the warehouse in Arrow batches, so memory stays bounded by the batch;
and where an export may land: a regular file (new or replaced whole), never the warehouse's own."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import duckdb

from winnow.errors import ConfigError, WinnowError
from winnow.schemas.columns import ARTICLES, names

FORMATS = ("parquet", "csv", "jsonl")
BATCH_ROWS = 20_000
COLUMNS = ", ".join(names(ARTICLES))  # every column, in the declared order


class ExportRefused(WinnowError):
    """The export's target is not a place an export may write (see `check_target`)."""


def check_target(out: Path, warehouse: Path) -> None:
    """Refuse a target that is the warehouse or one of its files (WAL, lock, journal: any name
    beginning with the warehouse's, beside it), a symlink, or anything but a regular file."""
    try:
        st = out.lstat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ExportRefused(f"cannot export to {out}: {exc.strerror}") from exc
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise ExportRefused(f"refused: {out} is a symbolic link; give the file itself")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ExportRefused(f"refused: {out} is a folder; give a file name, e.g. {out / 'articles.parquet'}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise ExportRefused(f"refused: {out} is not a regular file (a device, FIFO or socket)")
    wh = warehouse.resolve()
    target = out.parent.resolve() / out.name
    ours = target.parent == wh.parent and (target.name == wh.name or target.name.startswith(wh.name + "."))
    if st is not None and not ours and wh.exists():
        ours = os.path.samefile(out, wh)  # a hard link to the warehouse
    if ours:
        raise ExportRefused(f"refused: {out} is the warehouse or one of its files; export somewhere else")


def write_whole(out: Path, warehouse: Path, write: Callable[[Path], int]) -> int:
    """Run `write(tmp)` on a new file beside `out`, then rename it over `out` (a regular file, or
    nothing): the target appears whole or not at all, and is never anything but a regular file."""
    check_target(out, warehouse)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:
        raise ExportRefused(f"cannot export to {out}: {exc.strerror or exc}") from exc
    tmp = Path(name)
    try:
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the export is an ordinary file
        n = write(tmp)
        check_target(out, warehouse)  # again: it may have become a folder or a link meanwhile
        os.replace(tmp, out)
    except OSError as exc:
        raise ExportRefused(f"cannot export to {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return n


def export_articles(
    con: duckdb.DuckDBPyConnection,
    out: Path | BinaryIO,
    fmt: str,
    where: str | None = None,
    canonical: bool = False,
) -> int:
    """Write the articles matching `where` to `out` in `fmt`; with `canonical`, one per near-duplicate
    cluster. `where` is parsed by DuckDB as one expression (a filter on the articles relation), never
    spliced into SQL text, so it cannot end the statement or start another. Returns the count."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    columns = COLUMNS
    if fmt == "csv":  # CSV has no lists: authors become a JSON array
        columns = columns.replace("authors", "CAST(to_json(authors) AS VARCHAR) AS authors")
    rel = con.table("articles")
    if where and where.strip():
        rel = rel.filter(where)
    if canonical:
        from winnow.store.clusters import CANONICAL_ONLY

        rel = rel.filter(CANONICAL_ONLY)
    rel = rel.project(columns).order("published_at NULLS LAST, doc_id")
    # DuckDB 2 renamed fetch_arrow_reader to to_arrow_reader; 1.x has only the old name.
    reader = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader
    reader = reader(BATCH_ROWS)
    n = 0
    # Imported here: the CLI imports this module for every command (0.3 s of polars and pyarrow).
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    elif fmt == "csv":
        import pyarrow.csv as pa_csv

        with pa_csv.CSVWriter(out, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    else:
        import polars as pl

        with out.open("wb") if isinstance(out, Path) else contextlib.nullcontext(out) as fh:
            for batch in reader:
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                frame.write_ndjson(fh)
                n += batch.num_rows
    return n
