"""Replay a warehouse's near-duplicate signatures into a fresh one: the near-duplicate index's own
memory and time, without the rest of the ingest, on real articles.

    python bench/neardup_replay.py WAREHOUSE [--batch 500] [--out pairs.parquet]

The signatures of WAREHOUSE (a warehouse an ingest made: bench/memory_phases.py leaves one in its
--workdir) are added in their arrival order (sig_key), --batch at a time as the loader does, to a
fresh warehouse in one transaction (winnow.store.neardup.NearDuplicates, staging and all), then
committed. Prints the peak RSS of this process in each step of the lookups (sampled every 20 ms
by bench/memory_phases.py's probe), the time, and the pairs found; --out writes the pairs
(sorted) to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from memory_phases import MB, Probe, rss, wrap  # noqa: E402 - the same probe as the whole ingest's


def frame(con: Any, query: str) -> Any:
    """A query's rows as a polars DataFrame."""
    import polars as pl

    got = pl.from_arrow(con.sql(query).to_arrow_table())
    assert isinstance(got, pl.DataFrame)
    return got


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--out", type=Path, help="write the pairs found here (Parquet, sorted)")
    parser.add_argument(
        "--memory-limit", default="128MB", help="DuckDB's memory limit (settings: memory_limit)"
    )
    args = parser.parse_args(argv)

    from winnow.memory import configure_allocators

    configure_allocators()
    import duckdb

    from winnow.settings import get_settings
    from winnow.store.neardup import NearDuplicates, index_from
    from winnow.store.warehouse import open_warehouse

    probe = Probe(every=0)
    for name, label in (
        ("lookup", "lookup (other work)"),
        ("_capped", "lookup: bucket caps"),
        ("_candidates", "lookup: candidate join"),
        ("_score", "lookup: scoring"),
        ("_stored", "lookup: stored signatures"),
        ("_keep", "lookup: staging"),
        ("finish", "finish: index move + recluster"),
    ):
        wrap(NearDuplicates, name, probe, label)

    src = duckdb.connect(str(args.warehouse), read_only=True)
    sigs = frame(
        src, "SELECT doc_id, source_path, shingles, minhash FROM near_dup_signatures ORDER BY sig_key"
    )
    src.close()
    with tempfile.TemporaryDirectory(prefix="neardup-replay-") as tmp:
        path = Path(tmp) / "w.duckdb"
        con = open_warehouse(path)
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        con.execute("BEGIN TRANSACTION")
        near = NearDuplicates(
            con, "replay", index_from(get_settings()), path.parent / f".{path.name}.staging-neardup"
        )
        near.prepare()
        sampler = threading.Thread(target=probe.run, daemon=True)
        sampler.start()
        base = rss()
        t0 = time.perf_counter()
        with probe.phase("adding (between lookups)"):
            for lo in range(0, sigs.height, args.batch):
                near.add(sigs.slice(lo, args.batch))
        near.finish()
        with probe.phase("commit"):
            con.execute("COMMIT")
        took = time.perf_counter() - t0
        probe.done.set()
        sampler.join()
        pairs = frame(con, "SELECT doc_id, of_doc_id, similarity, jaccard FROM near_duplicates ORDER BY ALL")
        con.close()
    print(f"{sigs.height} articles, {near.done.pairs} pairs ({pairs.height} rows), {took:.1f}s")
    print(f"RSS before the run {base / MB:,.0f} MB; peak by step (MB, nested steps apart):")
    for phase, peak in probe.peaks.items():
        print(f"  {phase:<36} {peak / MB:>8,.0f}")
    print(f"  {'whole run':<36} {max(probe.peaks.values()) / MB:>8,.0f}")
    if args.out:
        pairs.write_parquet(args.out)


if __name__ == "__main__":
    main()
