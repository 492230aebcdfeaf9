"""Where the ingest flow's own process (the warehouse's single writer) holds its memory, phase by phase.

Runs the real flow (`run_ingest`, worker processes and all) in this process, with a thread that
samples this process's RSS every 20 ms, and prints:

  - the peak RSS of each phase: discover, loading a batch (and its near-duplicate lookups),
    between batches (waiting for and unpickling the next one), the finish step's parts (flushing
    the staged Parquet, the near-duplicate index's move, the reclustering, the COMMIT);
  - every N loaded batches, and at the phase boundaries, a breakdown of this process's mappings
    (/proc/self/smaps): file-backed (shared libraries), glibc's main heap, glibc's thread arenas,
    other anonymous memory, with glibc's own accounting (mallinfo2), DuckDB's (duckdb_memory())
    and pyarrow's pool.

    python bench/memory_phases.py /tmp/r30k/raw               # a corpus made by bench/make_corpus.py
    python bench/memory_phases.py --n 30000                   # generate one first (into --workdir)
    python bench/memory_phases.py /tmp/r30k/raw --every 10 --json /tmp/phases.json

The warehouse is made fresh in --workdir (a cold run). Worker processes import this file again as
their __main__: everything runs under the `__main__` guard.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import functools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

MB = 1024 * 1024
ARENA = 64 * MB  # glibc's HEAP_MAX_SIZE on 64-bit: a thread arena's heap is a 64 MB-aligned mapping


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- /proc/self/smaps --------------------------------------------------------------------------
_HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")


def smaps() -> dict[str, int]:
    """Resident bytes of this process by kind of mapping."""
    out: dict[str, int] = {}
    kind = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            m = _HEADER.match(line)
            if m:
                start, end, name = int(m.group(1), 16), int(m.group(2), 16), m.group(4).strip()
                size = end - start
                if name.startswith("/"):
                    base = os.path.basename(name)
                    kind = "file: python" if base.startswith(("python", "libpython")) else "file"
                    if ".so" in base:
                        lib = base.split(".so")[0]
                        for known in ("polars", "duckdb", "arrow", "rensa", "lxml", "numpy"):
                            if known in lib or known in name:
                                kind = f"file: {known}"
                                break
                        else:
                            kind = "file: other .so"
                    elif "[" not in name:
                        kind = "file: data"
                elif name == "[heap]":
                    kind = "anon: glibc main heap (brk)"
                elif name.startswith("[stack"):
                    kind = "anon: stack"
                elif name:
                    kind = f"other {name}"
                elif start % ARENA == 0 and size <= ARENA:
                    kind = "anon: glibc thread arenas"
                elif size in (8 * MB, 8 * MB + 4096):
                    kind = "anon: 8 MB (thread stacks)"
                elif size < MB:
                    kind = "anon: < 1 MB mappings"
                elif size <= 64 * MB:
                    kind = "anon: 1-64 MB mappings"
                else:
                    kind = "anon: > 64 MB mappings"
            elif line.startswith("Rss:"):
                out[kind] = out.get(kind, 0) + int(line.split()[1]) * 1024
            elif line.startswith("LazyFree:"):  # freed with MADV_FREE: counted in RSS until reclaimed
                lazy = "(of which lazily freed)"
                out[lazy] = out.get(lazy, 0) + int(line.split()[1]) * 1024
    return out


# --- allocators' own accounting ----------------------------------------------------------------
class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def mallinfo() -> dict[str, int]:
    """glibc's own figures, all arenas: bytes taken from the OS (arena: heaps; hblkhd: mmapped
    chunks) and in use."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return {}
    libc.mallinfo2.restype = _Mallinfo2
    mi = libc.mallinfo2()
    return {
        "glibc heaps (all arenas)": mi.arena,
        "glibc mmapped chunks": mi.hblkhd,
        "glibc in use": mi.uordblks + mi.hblkhd,
        "glibc free in heaps": mi.fordblks,
    }


def arenas() -> int:
    """How many glibc arenas this process has (malloc_info's <heap nr=...> elements)."""
    libc = _libc()
    if libc is None:
        return 0
    import tempfile

    with tempfile.NamedTemporaryFile("r") as tmp:
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        fp = libc.fopen(tmp.name.encode(), b"w")
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        libc.malloc_info(0, fp)
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.fclose(fp)
        return len(re.findall(r"<heap nr=", tmp.read()))


def duckdb_memory(con: Any) -> dict[str, int]:
    if con is None:
        return {}
    try:
        rows = con.execute(
            "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()"
        ).fetchall()
    except Exception:  # noqa: BLE001 - a probe: a connection that is closing says nothing
        return {}
    used, temp = rows[0]
    return {"duckdb tracked": int(used or 0), "duckdb temp on disk": int(temp or 0)}


@functools.cache
def _duckdb_mallctl() -> Any:
    """DuckDB's own jemalloc (it exports its prefixed mallctl; polars' jemalloc exports none)."""
    import duckdb

    path = getattr(getattr(duckdb, "_duckdb", None), "__file__", None)
    try:
        fn = ctypes.CDLL(path).duckdb_je_mallctl if path else None
    except (OSError, AttributeError):
        return None
    if fn is not None:
        fn.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        fn.restype = ctypes.c_int
    return fn


def duckdb_jemalloc() -> dict[str, int]:
    mallctl = _duckdb_mallctl()
    if mallctl is None:
        return {}
    epoch = ctypes.c_uint64(1)
    mallctl(b"epoch", None, None, ctypes.byref(epoch), ctypes.sizeof(epoch))
    out = {}
    for name in ("allocated", "resident"):
        value, size = ctypes.c_size_t(0), ctypes.c_size_t(ctypes.sizeof(ctypes.c_size_t))
        if mallctl(f"stats.{name}".encode(), ctypes.byref(value), ctypes.byref(size), None, 0) == 0:
            out[f"duckdb jemalloc {name}"] = value.value
    return out


def pymalloc() -> dict[str, int]:
    """Python's object allocator: its arenas (1 MB mappings each) and the bytes in its blocks, from
    sys._debugmallocstats (which writes to the C stderr)."""
    import tempfile

    debug = getattr(sys, "_debugmallocstats", None)
    if debug is None:
        return {}
    with tempfile.TemporaryFile("w+") as tmp:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            debug()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read()
    out = {}
    arenas = re.search(r"# arenas allocated current\s*=\s*([\d,]+)", text)
    used = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    size = re.search(r"(\d+) arenas \* (\d+) bytes/arena", text)
    if arenas and size:
        out["pymalloc arenas"] = int(size.group(1).replace(",", "")) * int(size.group(2))
    if used:
        out["pymalloc in use"] = int(used.group(1).replace(",", ""))
    return out


def arrow_pool() -> dict[str, int]:
    import pyarrow as pa

    return {f"pyarrow pool ({pa.default_memory_pool().backend_name})": pa.total_allocated_bytes()}


# --- the probe ---------------------------------------------------------------------------------
@dataclass
class Probe:
    every: int
    stack: list[str] = field(default_factory=lambda: ["start"])
    peaks: dict[str, int] = field(default_factory=dict)
    first_seen: list[str] = field(default_factory=list)
    timeline: list[tuple[float, str, int]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    con: Any = None
    batches: int = 0
    t0: float = field(default_factory=time.perf_counter)
    done: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        phase, now = self.stack[-1], rss()
        if phase not in self.peaks:
            self.first_seen.append(phase)
        self.peaks[phase] = max(self.peaks.get(phase, 0), now)

    def run(self) -> None:
        last = 0.0
        while not self.done.is_set():
            self.sample()
            t = time.perf_counter() - self.t0
            if t - last >= 1.0:
                self.timeline.append((round(t, 1), self.stack[-1], rss()))
                last = t
            self.done.wait(0.02)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.sample()
        self.stack.append(name)
        try:
            yield
        finally:
            self.sample()
            self.stack.pop()

    def snapshot(self, label: str) -> None:
        self.sample()
        snap: dict[str, Any] = {"label": label, "t": round(time.perf_counter() - self.t0, 1), "rss": rss()}
        snap["smaps"] = smaps()
        snap["alloc"] = {
            **mallinfo(),
            **duckdb_memory(self.con),
            **duckdb_jemalloc(),
            **pymalloc(),
            **arrow_pool(),
        }
        snap["glibc arenas"] = arenas()
        self.snapshots.append(snap)
        print(format_snapshot(snap), flush=True)


def format_snapshot(snap: dict[str, Any]) -> str:
    parts = sorted(snap["smaps"].items(), key=lambda kv: -kv[1])
    file_total = sum(v for k, v in parts if k.startswith("file"))
    anon_total = sum(v for k, v in parts if k.startswith("anon"))
    lines = [
        f"[{snap['t']:>7.1f}s] {snap['label']}: RSS {snap['rss'] / MB:,.0f} MB "
        f"(file-backed {file_total / MB:,.0f}, anonymous {anon_total / MB:,.0f}; "
        f"{snap['glibc arenas']} glibc arenas)",
        "    " + ", ".join(f"{k} {v / MB:,.0f}" for k, v in parts if v >= MB // 2),
        "    " + ", ".join(f"{k} {v / MB:,.0f}" for k, v in snap["alloc"].items()),
    ]
    return "\n".join(lines)


def wrap(owner: Any, name: str, probe: Probe, phase: str, after: Callable[..., None] | None = None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before := BEFORE.get(phase):
            before(probe, *args)
        with probe.phase(phase):
            result = original(*args, **kwargs)
        if after is not None:
            after(probe, *args)
        return result

    setattr(owner, name, wrapped)


def _before_load(probe: Probe, *_args: Any) -> None:
    # between batches: the previous one is freed (gc, malloc_trim) and the next one not yet unpickled
    if probe.batches % probe.every == 0:
        probe.snapshot(f"before loading batch {probe.batches + 1}")
    probe.batches += 1


BEFORE: dict[str, Callable[..., None]] = {"load batch": _before_load}


def instrument(probe: Probe) -> None:
    import winnow.flows.ingest as ingest

    import winnow.store.neardup as neardup
    from winnow.store.loader import Loader
    from winnow.store.neardup import NearDuplicates

    original_init = Loader.__init__

    def init(self: Loader, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        probe.con = self.con

    Loader.__init__ = init  # type: ignore[method-assign]
    wrap(ingest, "plan_run", probe, "discover", after=lambda p, *a: p.snapshot("after discover"))
    wrap(ingest, "load_batch", probe, "load batch")
    wrap(ingest, "finish_run", probe, "finish", after=lambda p, *a: p.snapshot("after finish (committed)"))
    wrap(NearDuplicates, "lookup", probe, "near-dup lookup")
    for part, label in (
        ("_capped", "lookup: bucket caps"),
        ("_candidates", "lookup: candidate join"),
        ("_score", "lookup: scoring"),
        ("_stored", "lookup: stored signatures"),
        ("_keep", "lookup: staging"),
    ):
        wrap(NearDuplicates, part, probe, label)
    wrap(NearDuplicates, "finish", probe, "finish: near-dup index move + recluster")
    wrap(neardup, "recluster", probe, "finish: recluster")
    wrap(Loader, "flush_staged", probe, "finish: insert staged Parquet")
    wrap(Loader, "commit", probe, "finish: commit")
    wrap(Loader, "mark_deleted", probe, "mark deleted")


def row_counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}  # noqa: S608
    finally:
        con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("raw", type=Path, nargs="?", help="the raw/ folder (default: generate --n files)")
    parser.add_argument("--n", type=int, default=30_000, help="files to generate when no raw/ is given")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/winnow-memory-phases"))
    parser.add_argument("--every", type=int, default=20, help="a smaps breakdown every N loaded batches")
    parser.add_argument("--workers", type=int, help="winnow --workers (default: one per core)")
    parser.add_argument(
        "--default-allocators", action="store_true", help="leave the allocators as they come (a baseline)"
    )
    parser.add_argument("--json", type=Path, help="also write the peaks, snapshots and timeline here")
    parser.add_argument("--counts", action="store_true", help="print every table's row count at the end")
    args = parser.parse_args(argv)

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    raw = args.raw
    if raw is None:
        from bench.make_corpus import generate

        raw = work / f"raw-{args.n}"
        if not raw.exists():
            generate(raw, args.n)
    warehouse = work / "warehouse.duckdb"
    for stale in work.glob("warehouse.duckdb*"):
        stale.unlink()
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))  # a server of its own, kept
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    probe = Probe(every=args.every)
    sampler = threading.Thread(target=probe.run, daemon=True)
    sampler.start()
    probe.snapshot("start (nothing imported but the probe)")
    if not args.default_allocators:  # as the command line does when it loads (winnow/cli/__init__.py)
        from winnow.memory import configure_allocators

        configure_allocators()
    from winnow.flows.ingest import run_ingest
    from winnow.flows.local_server import prefect_api

    instrument(probe)
    probe.snapshot("flow imported")
    # the shared server, leased for the run (it would idle out under a long run)
    with prefect_api(), probe.phase("flow start"):
        summary = run_ingest(raw, warehouse, workers=args.workers)
    probe.done.set()
    sampler.join()
    probe.con = None
    probe.snapshot("flow returned")
    print()
    print(
        f"run: {summary.loaded} loaded, {summary.duplicates} duplicates, {summary.rejected} rejected of "
        f"{summary.files_seen} files in {summary.duration_s:.1f}s; {probe.batches} batches loaded"
    )
    print("peak RSS by phase (MB; a phase's samples include the phases it calls only when not nested):")
    for phase in probe.first_seen:
        print(f"  {phase:<45} {probe.peaks[phase] / MB:>8,.0f}")
    print(f"  {'whole run':<45} {max(probe.peaks.values()) / MB:>8,.0f}")
    counts = row_counts(warehouse) if args.counts or args.json else {}
    if args.counts:
        print("rows:", json.dumps(counts, sort_keys=True))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "peaks": probe.peaks,
                    "snapshots": probe.snapshots,
                    "timeline": probe.timeline,
                    "rows": counts,
                    "summary": {"loaded": summary.loaded, "duplicates": summary.duplicates},
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
