"""The floor: the least any ingester must do with raw/ -- read every file, sha256 it, and
bulk-insert path, hash and raw text into a fresh DuckDB file. Prints one JSON line.

    python bench/floor.py RAW_DIR OUT.duckdb
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

CHUNK = 5_000  # files per bulk insert: memory bounded by the chunk, as in winnow


def walk(root: str) -> Iterator[str]:
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry.path


def floor(raw: Path, target: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    # Same storage choice as winnow's articles.body: zstd, not DuckDB's slow default for long text.
    con.execute("CREATE TABLE raw_files (path VARCHAR, sha256 VARCHAR, text VARCHAR USING COMPRESSION zstd)")
    con.execute("BEGIN TRANSACTION")
    files = size = 0
    paths: list[str] = []
    hashes: list[str] = []
    texts: list[str] = []

    def flush() -> None:
        con.register("batch", pa.table({"path": paths, "sha256": hashes, "text": texts}))
        con.execute("INSERT INTO raw_files SELECT * FROM batch")
        con.unregister("batch")
        paths.clear()
        hashes.clear()
        texts.clear()

    prefix = len(str(raw)) + 1
    for path in walk(str(raw)):
        with open(path, "rb") as fh:
            data = fh.read()
        paths.append(path[prefix:])
        hashes.append(hashlib.sha256(data).hexdigest())
        texts.append(data.decode("utf-8", errors="replace"))
        files += 1
        size += len(data)
        if len(paths) >= CHUNK:
            flush()
    if paths:
        flush()
    con.execute("COMMIT")
    con.close()
    return {"files": files, "bytes": size, "seconds": time.perf_counter() - t0}


if __name__ == "__main__":
    print(json.dumps(floor(Path(sys.argv[1]), Path(sys.argv[2]))))
