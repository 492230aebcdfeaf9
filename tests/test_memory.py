"""winnow.memory: freed heap pages go back to the OS (measured in a fresh process, by its RSS)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from winnow.memory import _malloc_trim, return_free_memory

PROBE = r"""
import json, sys
import psutil
from winnow.memory import return_free_memory

def rss():
    return psutil.Process().memory_info().rss

base = rss()
# 200 MB in 1 KB chunks (past pymalloc's 512 bytes: glibc's malloc), then every chunk but one in
# a hundred freed: the survivors pin the heap's top, so free() alone gives almost nothing back.
chunks = [bytes(1024) for _ in range(200_000)]
full = rss()
kept = chunks[::100]
del chunks
freed = rss()
released = return_free_memory()
trimmed = rss()
print(json.dumps(dict(base=base, full=full, freed=freed, trimmed=trimmed, released=released, kept=len(kept))))
"""


@pytest.mark.skipif(platform.system() != "Linux" or _malloc_trim() is None, reason="glibc's malloc_trim")
def test_freed_pages_leave_the_process() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    m = json.loads(out.stdout)
    grown = m["full"] - m["base"]
    assert grown > 150 * 2**20  # the chunks were resident
    assert m["freed"] - m["base"] > grown / 2  # free() alone kept most of them
    assert m["released"] is True
    assert m["trimmed"] - m["base"] < grown / 4  # malloc_trim gave them back


def test_callable_anywhere() -> None:
    assert return_free_memory() in (True, False)  # a no-op where malloc is not glibc's


DUCKDB_PROBE = r"""
import json
import duckdb
import psutil
from winnow.memory import purge_duckdb_allocator

def rss():
    return psutil.Process().memory_info().rss

con = duckdb.connect()
base = rss()
con.execute("CREATE TABLE t AS SELECT range::VARCHAR || repeat('x', 100) AS s FROM range(3000000)")
con.execute("DROP TABLE t")
dropped = rss()
purged = purge_duckdb_allocator()
after = rss()
print(json.dumps(dict(base=base, dropped=dropped, after=after, purged=purged)))
"""


def _duckdb_has_jemalloc() -> bool:
    from winnow.memory import _duckdb_mallctl

    return _duckdb_mallctl() is not None


@pytest.mark.skipif(not _duckdb_has_jemalloc(), reason="a DuckDB built with its jemalloc")
def test_duckdb_allocator_gives_freed_pages_back() -> None:
    out = subprocess.run([sys.executable, "-c", DUCKDB_PROBE], capture_output=True, text=True, check=True)
    m = json.loads(out.stdout)
    kept = m["dropped"] - m["base"]
    assert kept > 100 * 2**20  # DuckDB's allocator kept the dropped table's pages
    assert m["purged"] is True
    assert m["after"] - m["base"] < kept / 4


POLARS_PROBE = r"""
import json, os, sys
import psutil
from winnow.memory import configure_allocators

def rss():
    return psutil.Process().memory_info().rss

if sys.argv[1] == "configured":
    configure_allocators()
import polars as pl
base = rss()
frame = pl.DataFrame({"a": [str(i) * 20 for i in range(2_000_000)]})
full = rss()
del frame
freed = rss()
print(json.dumps(dict(base=base, full=full, freed=freed, env=os.environ.get("_RJEM_MALLOC_CONF"))))
"""


@pytest.mark.skipif(platform.system() != "Linux", reason="polars ships jemalloc on Linux")
def test_configured_polars_gives_freed_pages_back() -> None:
    def run(mode: str) -> dict[str, int]:
        env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
        out = subprocess.run(
            [sys.executable, "-c", POLARS_PROBE, mode], capture_output=True, text=True, check=True, env=env
        )
        return json.loads(out.stdout)

    default, configured = run("default"), run("configured")
    for m in (default, configured):
        assert m["full"] - m["base"] > 100 * 2**20  # the frame was resident
    assert default["freed"] - default["base"] > (default["full"] - default["base"]) / 2  # polars kept it
    assert configured["freed"] - configured["base"] < (configured["full"] - configured["base"]) / 4
    assert configured["env"] is None  # worker processes started later keep polars' default


ARENA_PROBE = r"""
import ctypes, json, re, sys, tempfile, threading
from winnow.memory import limit_malloc_arenas

limited = limit_malloc_arenas(2) if sys.argv[1] == "limited" else None
go = threading.Barrier(8)

def churn():
    go.wait()
    for _ in range(200):
        blocks = [bytearray(4096) for _ in range(200)]
        del blocks

threads = [threading.Thread(target=churn) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
with tempfile.NamedTemporaryFile("r") as tmp:
    fp = libc.fopen(tmp.name.encode(), b"w")
    libc.malloc_info(0, fp)
    libc.fclose(fp)
    arenas = len(re.findall(r"<heap nr=", tmp.read()))
print(json.dumps(dict(limited=limited, arenas=arenas)))
"""


@pytest.mark.skipif(platform.system() != "Linux" or _malloc_trim() is None, reason="glibc's mallopt")
def test_threads_share_capped_arenas() -> None:
    def run(mode: str) -> dict[str, int]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_ARENA")}
        out = subprocess.run(
            [sys.executable, "-c", ARENA_PROBE, mode], capture_output=True, text=True, check=True, env=env
        )
        return json.loads(out.stdout)

    default, limited = run("default"), run("limited")
    assert limited["limited"] is True
    assert limited["arenas"] <= 2
    assert default["arenas"] > 2  # eight threads allocating at once do make arenas of their own
