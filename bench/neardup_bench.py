"""Near-duplicate detection at scale: what finding copies costs per new article when the warehouse
already holds N articles, and how much memory the index takes.

    python bench/neardup_bench.py [--n 100000] [--add 5000] [--copies 0.05] [--keep DIR]

Articles are synthetic (bench/search_bench.py's generator: Zipf-distributed words over the samples'
vocabulary and 200,000 made-up words, 150 to 1,050 words each); a share `--copies` of the added
articles are edited copies of loaded ones (a paragraph cut or added, words changed) that must be
found. Steps, each on the real code (winnow.store.dedup.sign, winnow.store.neardup.NearDuplicates) and a real
DuckDB file under DuckDB's memory limit (settings: memory_limit):

1. sign: signatures in one process (in an ingest this runs in the batch workers);
2. cold: N articles indexed in one transaction, batches of --batch, as one big first run;
3. add: --add new articles to the N-article warehouse, in a new transaction, then commit;
4. the alternative not taken: the same lookups against an in-memory index (every band key of the
   warehouse in sorted NumPy arrays), with its load time and size;
5. an unchanged run: prepare() alone.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import psutil

from winnow.settings import get_settings
from winnow.store.dedup import sign
from winnow.store.neardup import NearDuplicates, band_keys, decode, index_from
from winnow.store.warehouse import open_warehouse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import articles, vocabulary  # noqa: E402


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def edited(body: str, rnd: random.Random) -> str:
    """A syndicated copy: one paragraph cut or one added, and a few words changed."""
    paras = body.split("\n\n")
    kind = rnd.random()
    if kind < 0.4 and len(paras) > 2:
        del paras[rnd.randrange(len(paras))]
    elif kind < 0.7:
        paras.insert(
            rnd.randrange(len(paras) + 1),
            "This story was originally published elsewhere and is republished here.",
        )
    words = "\n\n".join(paras).split(" ")
    for _ in range(max(1, len(words) // 100)):
        words[rnd.randrange(len(words))] = "changed"
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--add", type=int, default=5_000)
    ap.add_argument("--copies", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--keep", type=Path, help="work here and keep the warehouse")
    args = ap.parse_args()
    settings = get_settings()
    index = index_from(settings)
    work = args.keep or Path(tempfile.mkdtemp(prefix="winnow-neardup-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    for old in (db, db.with_suffix(".duckdb.wal")):
        old.unlink(missing_ok=True)
    print(
        f"index: {index.scheme.key}, {index.bands} bands x {index.rows} rows, threshold {index.threshold}, "
        f"DuckDB memory_limit {settings.memory_limit or 'default'}"
    )
    vocab = pl.Series(vocabulary())
    t0 = time.perf_counter()
    corpus = [
        articles(s, min(10_000, args.n - s), vocab, seed=7 + s).select("doc_id", "source_path", "body")
        for s in range(0, args.n, 10_000)
    ]
    print(
        f"corpus: {args.n:,} articles generated in {time.perf_counter() - t0:.1f}s, "
        f"mean {np.mean([len(b.split()) for b in corpus[0]['body'].to_list()]):.0f} words"
    )

    # 1. signatures (the workers' share)
    signed: list[pl.DataFrame] = []
    t_sign = 0.0
    for frame in corpus:
        for s in range(0, frame.height, args.batch):
            part = frame.slice(s, args.batch)
            t0 = time.perf_counter()
            sig = sign(part["doc_id"].to_list(), part["body"].to_list(), index.scheme)
            t_sign += time.perf_counter() - t0
            signed.append(sig.join(part.select("doc_id", "source_path"), on="doc_id", maintain_order="left"))
    print(f"1. sign: {1e3 * t_sign / args.n:.3f} ms per article (one process; batch workers in an ingest)")

    # 2. cold: one big run
    con = open_warehouse(db)
    if settings.memory_limit:
        con.execute(f"SET memory_limit = '{settings.memory_limit}'")
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "cold", index, db.parent / f".{db.name}.staging-neardup")
    near.prepare()
    peak = rss_mb()
    t0 = time.perf_counter()
    for part in signed:
        near.add(part)
        peak = max(peak, rss_mb())
    t_add = time.perf_counter() - t0
    t1 = time.perf_counter()
    near.finish()
    con.execute("COMMIT")
    t_finish = time.perf_counter() - t1
    print(
        f"2. cold run of {args.n:,}: lookups {1e3 * t_add / args.n:.3f} ms per article, finish + commit "
        f"{t_finish:.1f}s; {near.done.pairs} pairs; peak RSS {peak:.0f} MB"
    )
    del signed
    t0 = time.perf_counter()
    con.execute(
        "CHECKPOINT"
    )  # DuckDB would checkpoint the cold run at the next commit: not the next run's cost
    print(f"   checkpoint after the cold run {time.perf_counter() - t0:.1f}s")

    # 3. add new articles, a share of them copies of loaded ones
    rnd = random.Random(3)
    fresh = articles(10_000_000, args.add, vocab, seed=11).select("doc_id", "source_path", "body")
    bodies = fresh["body"].to_list()
    planted = 0
    for i in range(len(bodies)):
        if rnd.random() < args.copies:
            source = corpus[rnd.randrange(len(corpus))]
            bodies[i] = edited(source["body"][rnd.randrange(source.height)], rnd)
            planted += 1
    fresh = fresh.with_columns(pl.Series("body", bodies))
    del corpus
    t0 = time.perf_counter()
    new_sigs = [
        sign(part["doc_id"].to_list(), part["body"].to_list(), index.scheme).join(
            part.select("doc_id", "source_path"), on="doc_id", maintain_order="left"
        )
        for part in (fresh.slice(s, args.batch) for s in range(0, fresh.height, args.batch))
    ]
    t_sign_new = time.perf_counter() - t0
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "add", index, db.parent / f".{db.name}.staging-neardup")
    before = rss_mb()
    peak = before
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    near.prepare()
    near.lookup_rows = (
        args.add + 1
    )  # all added articles in one lookup, timed apart (as in a run of this size)
    for part in new_sigs:
        near.add(part)
    t1 = time.perf_counter()
    near.lookup()  # the lookup and scoring alone
    t2 = time.perf_counter()
    peak = max(peak, rss_mb())
    near.finish()
    t3 = time.perf_counter()
    con.execute("COMMIT")
    t4 = time.perf_counter()
    phases = {
        "queue": t1 - t0,
        "lookup + score": t2 - t1,
        "finish (move rows, clusters)": t3 - t2,
        "commit": t4 - t3,
    }
    t_new = t4 - t0
    found = con.execute("SELECT count(DISTINCT doc_id) FROM near_duplicates WHERE run_id = 'add'").fetchall()[
        0
    ][0]
    rows = con.execute("SELECT count(*) FROM near_dup_bands").fetchall()[0][0]
    print(
        f"3. +{args.add:,} articles to {args.n:,}: "
        f"{1e3 * t_new / args.add:.3f} ms per article in the loader, "
        f"{1e3 * t_sign_new / args.add:.3f} ms signing in the workers; "
        f"{found} of the {planted} planted copies flagged (+ any copies the generator made by chance); "
        f"RSS {before:.0f} MB before, peak {peak:.0f} MB"
    )
    print("   " + ", ".join(f"{k} {1e3 * v / args.add:.3f}" for k, v in phases.items()) + " (ms per article)")

    # 4. the alternative: every band key in memory
    t0 = time.perf_counter()
    got = con.execute("SELECT band_key, sig_key FROM near_dup_bands ORDER BY band_key").fetchnumpy()
    keys = np.asarray(got["band_key"], dtype=np.uint64)
    owners = np.asarray(got["sig_key"], dtype=np.int64)
    t_load = time.perf_counter() - t0
    queries = [
        band_keys(decode(part["minhash"].to_list(), index.scheme.num_perm), index.bands, index.rows).ravel()
        for part in new_sigs
    ]
    t0 = time.perf_counter()
    candidates = 0
    for q in queries:
        lo = np.searchsorted(keys, q, "left")
        hi = np.searchsorted(keys, q, "right")
        candidates += int((hi - lo).sum())
    t_mem = time.perf_counter() - t0
    print(
        f"4. in-memory index instead: {rows:,} band keys, {(keys.nbytes + owners.nbytes) / 1e6:.0f} MB "
        f"(grows with the warehouse), loaded in {t_load:.1f}s per run; lookups alone "
        f"{1e3 * t_mem / args.add:.4f} ms per article "
        f"({candidates - args.add * index.bands} candidate hits besides themselves)"
    )
    del keys, owners

    # 5. unchanged run
    con.execute("BEGIN TRANSACTION")
    t0 = time.perf_counter()
    near = NearDuplicates(con, "same", index, db.parent / f".{db.name}.staging-neardup")
    near.prepare()
    near.finish()
    con.execute("COMMIT")
    print(f"5. unchanged run: {1e3 * (time.perf_counter() - t0):.1f} ms")
    print(f"warehouse file: {db.stat().st_size / 1e6:.0f} MB")
    con.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
