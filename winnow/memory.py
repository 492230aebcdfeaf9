"""Handing freed memory back to the operating system, and keeping the allocators from hoarding it.

The ingest flow's process (the warehouse's single writer) frees each batch's frames, pickles and
query results, but three allocators keep what is freed for reuse:

- glibc's malloc keeps freed chunks and returns memory only from the top of its heaps, in the main
  heap and in one arena per thread that ever contended for it (up to 8 per core). Measured on
  30,000 generated files: the main heap's resident size grew from 88 to 140 MB over 50 batches
  while the bytes in use stayed near 110 MB. `malloc_trim` gives back every whole free page,
  anywhere in every arena; `limit_malloc_arenas` keeps the threads (Prefect's, the worker pool's
  result thread, DuckDB's) to a couple of shared arenas, so fewer half-empty heaps exist at all.
- DuckDB's own jemalloc keeps freed pages too (350 MB after creating and dropping a 3-million-row
  table, measured: `bench/memory_phases.py` shows it per phase); its exported `mallctl` purges
  them ("arena.<all>.purge").
- polars' jemalloc exports no `mallctl`; it reads `_RJEM_MALLOC_CONF` when polars loads
  (`configure_allocators`).

Elsewhere (musl, macOS, a DuckDB built without jemalloc) each step is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

M_ARENA_MAX = -8  # a mallopt parameter (glibc's malloc.h)
MALLOCTL_ARENAS_ALL = 4096  # jemalloc's "every arena" index in "arena.<i>.purge"

# polars' jemalloc: give freed pages back at once (its default keeps them for 10 s, longer than a
# batch takes), from its background thread. Read once, when polars loads.
POLARS_MALLOC_CONF = "background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0"


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    libc = _libc()
    try:
        trim = libc.malloc_trim if libc is not None else None
    except AttributeError:  # not glibc
        return None
    if trim is not None:
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
    return trim


@functools.cache
def _duckdb_mallctl() -> Callable[..., int] | None:
    """DuckDB's jemalloc `mallctl` (exported as duckdb_je_mallctl), if this DuckDB has one."""
    try:
        import duckdb
    except ImportError:
        return None
    path = getattr(getattr(duckdb, "_duckdb", None), "__file__", None)
    if not path:
        return None
    try:
        fn = ctypes.CDLL(path).duckdb_je_mallctl
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


def purge_duckdb_allocator() -> bool:
    """Give DuckDB's jemalloc's free pages back to the OS; True if it has one and it did."""
    mallctl = _duckdb_mallctl()
    if mallctl is None:
        return False
    return mallctl(f"arena.{MALLOCTL_ARENAS_ALL}.purge".encode(), None, None, None, 0) == 0


def return_free_memory() -> bool:
    """Give the heaps' free pages back to the OS (glibc's and DuckDB's); True if any was released."""
    trim = _malloc_trim()
    released = bool(trim(0)) if trim is not None else False
    return purge_duckdb_allocator() or released


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's arenas: threads started from now on share them instead of each growing a heap of
    its own that `malloc_trim` can only partly empty. True if this is glibc and it took the cap."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None or _malloc_trim() is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))


def configure_allocators() -> None:
    """For a process that will run the ingest flow, before its threads start and before polars is
    imported: cap glibc's arenas, and load polars with its jemalloc returning freed pages at once
    (unless the user set _RJEM_MALLOC_CONF). The setting is not left in the environment, so worker
    processes started later keep polars' default (their memory goes with them when they exit)."""
    limit_malloc_arenas()
    if "polars" in sys.modules or "_RJEM_MALLOC_CONF" in os.environ:
        return
    os.environ["_RJEM_MALLOC_CONF"] = POLARS_MALLOC_CONF
    try:
        import polars  # noqa: F401 - its jemalloc reads the setting as it loads
    finally:
        del os.environ["_RJEM_MALLOC_CONF"]
