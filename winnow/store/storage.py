"""The warehouse file's DuckDB storage format: which DuckDB clients can open it, and rewriting an
older winnow's file (DuckDB 2.0's own format) in the format DuckDB 1.4 and later read."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import duckdb

from winnow.errors import WarehouseBusy, WarehouseError, warehouse_failure
from winnow.store.files import STORAGE_NUMBER, STORAGE_VERSION, storage_number, warehouse_path
from winnow.store.lock import WriterLock

# Header numbers DuckDB releases write (and the oldest release that reads each); 999 is DuckDB 2.0's.
_READ_SINCE = {64: "0.10", 65: "1.1", 66: "1.2", 67: "1.4", 68: "1.5", 999: "2.0"}


def readable_since(number: int | None) -> str | None:
    """The oldest DuckDB release that opens a file with this header number (None: unknown)."""
    if number is None:
        return None
    return _READ_SINCE.get(number, "2.0" if number > STORAGE_NUMBER else None)


def describe_storage(path: str | os.PathLike[str]) -> str:
    number = storage_number(path)
    since = readable_since(number)
    if number is None:
        return "not a DuckDB file"
    if number <= STORAGE_NUMBER:
        return f"storage version {number}: DuckDB {since or '1.x'} or later can open it"
    return (
        f"storage version {number}: only DuckDB {since or 'newer than 1.5'} or later can open it "
        "(`winnow convert` rewrites it for DuckDB 1.4 and later)"
    )


def convert_storage(path: str | os.PathLike[str] | None = None) -> tuple[int | None, int | None]:
    """Rewrite the warehouse in STORAGE_VERSION's format, whole or not at all: copied into a new
    file beside it under the writer lock (no ingest runs meanwhile), then renamed over it. Returns
    the header numbers before and after; a file already readable by DuckDB 1.4 is left alone."""
    target = warehouse_path(path)
    if not target.exists():
        raise WarehouseError(f"no warehouse at {target}: run `winnow ingest` first", path=target)
    before = storage_number(target)
    if before is not None and before <= STORAGE_NUMBER:
        return before, before
    lock = WriterLock(target, f"convert-{uuid.uuid4()}")
    try:
        lock.acquire(wait=False)
    except WarehouseBusy as busy:
        raise WarehouseBusy(f"{str(busy).split(';')[0]}; convert it when that run has finished") from None
    tmp = target.with_name(f".{target.name}.convert-{os.getpid()}")
    try:
        con = duckdb.connect()
        try:
            con.execute("ATTACH ? AS old (READ_ONLY)", [str(target)])
            con.execute("ATTACH ? AS new (STORAGE_VERSION ?)", [str(tmp), STORAGE_VERSION])
            con.execute("COPY FROM DATABASE old TO new")
            con.execute("DETACH new")
        finally:
            con.close()
        os.replace(tmp, target)
    except (duckdb.Error, OSError) as exc:
        raise warehouse_failure(exc, target, opening=True) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
        with contextlib.suppress(OSError):
            Path(str(tmp) + ".wal").unlink()
        lock.release()
    return before, storage_number(target)

