"""Search index benchmark: build an N-article warehouse, then time adding 1,000 articles (the index
update alone, and the whole load with its commit), replacing 1,000, and a set of queries.

    .venv/bin/python bench/search_bench.py [--n 100000] [--keep DIR]

Articles are synthetic and quick to make: words drawn with a Zipf-like law from a vocabulary of the
shipped samples' words (the most frequent ranks) followed by 200,000 made-up words (names, rare
terms), so term frequencies look like news text. They go through the real `Loader.load` (and so the
real indexer), in batches like an ingest's, skipping only parsing and cleaning.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from winnow.schemas.columns import ARTICLE_FRAME, REJECTION_FRAME, SEGMENT_FRAME, SOURCE_FRAME

from winnow.store.loader import Loader
from winnow.store.search import index_articles, search
from winnow.store.warehouse import open_warehouse

REPO = Path(__file__).resolve().parent.parent
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ze",
    "bra",
    "chi",
    "dor",
    "fen",
    "gal",
    "hun",
    "jor",
    "kel",
    "mar",
    "nos",
    "pel",
    "quo",
    "ris",
    "tan",
    "ul",
    "vek",
]
QUERIES = [
    ("common word", "the government"),
    ("3 words", "security guarantees ukraine"),
    ("rare name", "{rare}"),
    ("mixed 4 words", "city council {rare} budget"),
    ("filtered: language, since, author", "power grid demand"),
]


def vocabulary(n_made_up: int = 200_000) -> list[str]:
    text = " ".join(p.read_text("utf-8") for p in sorted((REPO / "raw").glob("*.txt")))
    counts = Counter(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    words = [w for w, _ in counts.most_common()]
    seen = set(words)
    made = []
    i = 0
    while len(made) < n_made_up:
        a, b, c = i % 25, (i // 25) % 25, (i // 625) % 25
        w = SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c] + (str(i // 15625) if i >= 15625 else "")
        if w not in seen:
            made.append(w)
            seen.add(w)
        i += 1
    return words + made


def zipf_words(vocab: pl.Series, n: int, seed: int) -> pl.Series:
    """n words with P(rank r) ~ 1/r: rank = floor(V ** u) for u uniform in [0, 1)."""
    u = (pl.int_range(n, eager=True).hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003
    rank = (len(vocab) ** u).floor().cast(pl.Int64) - 1
    return vocab.gather(rank.clip(0, len(vocab) - 1))


def articles(start: int, count: int, vocab: pl.Series, seed: int) -> pl.DataFrame:
    """`count` articles numbered from `start`: ~600 words of body, 9-word titles."""
    lengths = (pl.int_range(start, start + count, eager=True).hash(seed) % 900 + 150).to_list()
    body_words = zipf_words(vocab, sum(lengths), seed)
    title_words = zipf_words(vocab, count * 9, seed + 1)
    doc = pl.Series(
        "doc", [i for i, n in zip(range(count), lengths, strict=True) for _ in range(n)], dtype=pl.Int64
    )
    bodies = (
        pl.DataFrame({"doc": doc, "w": body_words})
        .with_columns(para=pl.int_range(pl.len()).over("doc") // 80)
        .group_by("doc", "para", maintain_order=True)
        .agg(pl.col("w").str.join(" "))
        .group_by("doc", maintain_order=True)
        .agg(pl.col("w").str.join("\n\n").alias("body"))
        .sort("doc")["body"]
    )
    titles = (
        pl.DataFrame({"doc": pl.int_range(count * 9, eager=True) // 9, "w": title_words})
        .group_by("doc", maintain_order=True)
        .agg(pl.col("w").str.join(" "))
        .sort("doc")["w"]
        .str.to_titlecase()
    )
    ids = [f"bench{start + i:09d}" for i in range(count)]
    day0 = datetime(2020, 1, 1, tzinfo=UTC)
    given: dict[str, object] = {
        "doc_id": ids,
        "source_path": [f"bench/{d}.txt" for d in ids],
        "record": [0] * count,
        "title": titles,
        "authors": [[f"Author {(start + i) % 2000}"] for i in range(count)],
        "published_at": [
            day0 + (datetime(2026, 1, 1, tzinfo=UTC) - day0) * ((start + i) % 997 / 997) for i in range(count)
        ],
        "published_raw": None,
        "updated_at": None,
        "updated_raw": None,
        "read_time_stated_min": None,
        "read_time_est_min": [max(1, n // 230) for n in lengths],
        "word_count": lengths,
        "language": ["fr" if (start + i) % 10 == 0 else "en" for i in range(count)],
        "language_prob": 0.99,
        "publisher": None,
        "url": None,
        "body": bodies,
        "content_hash": [f"h{seed}-{d}" for d in ids],
        "format": "txt",
        "encoding": "utf-8",
        "truncated": False,
    }
    # columns the bench has no value for (added by later releases) stay null
    return pl.DataFrame({name: given.get(name) for name in ARTICLE_FRAME}, schema=ARTICLE_FRAME)


def load(con, frame: pl.DataFrame, run_id: str, commit: bool = True) -> Loader:  # type: ignore[no-untyped-def]
    loader = Loader(con, run_id)
    loader.begin()
    sources = frame.select(
        pl.col("source_path").alias("path"),
        "record",
        pl.col("content_hash").alias("sha256"),
        pl.lit(1000, pl.Int64).alias("bytes"),
        pl.lit(0, pl.Int64).alias("mtime_ns"),
        "format",
        "doc_id",
    ).cast(SOURCE_FRAME)  # type: ignore[arg-type]
    loader.load(
        frame,
        pl.DataFrame(schema=SEGMENT_FRAME),
        pl.DataFrame(schema=REJECTION_FRAME),
        sources,
        {},
    )
    if commit:
        loader.commit()
    return loader


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: the latter survives exec and so
    reports the parent's peak in a child process."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def update_only(path: Path, n: int) -> None:
    """Open the built warehouse and load 1,000 new articles: time and peak memory of this process."""
    vocab = pl.Series(vocabulary())
    frame = articles(n + 10_000, 1_000, vocab, seed=13)
    con = open_warehouse(path)
    before = peak_mb()
    t_load, _ = timed(lambda: load(con, frame, "add-1000"))
    con.close()
    peak = peak_mb()
    print(
        f"+1,000 articles to {n:,}: whole load incl. index and commit {t_load:.2f}s in a fresh process "
        f"whose peak RSS went from {before:.0f} MB (opened, articles generated) to {peak:.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles in the warehouse before the update")
    ap.add_argument("--batch", type=int, default=5_000, help="articles per load while building")
    ap.add_argument("--repeat", type=int, default=7, help="runs of each query")
    ap.add_argument("--keep", type=Path, help="build the warehouse in this folder and keep it")
    ap.add_argument("--reuse", action="store_true", help="with --keep: re-use a warehouse built before")
    ap.add_argument("--update-only", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.update_only:
        update_only(args.update_only, args.n)
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="winnow-search-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    built = folder / f"built-{args.n}.duckdb"
    path = folder / "bench.duckdb"  # the measurements change the warehouse: they run on a copy
    vocab = pl.Series(vocabulary())
    print(f"vocabulary: {len(vocab):,} words; warehouse {path}")
    if args.reuse and built.exists():
        print(f"re-using {built} (built by an earlier run with --keep)")
    else:
        build_warehouse(built, args.n, args.batch, vocab)
    shutil.copyfile(built, path)
    measure(path, args.n, args.repeat, vocab)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


def build_warehouse(path: Path, n: int, batch: int, vocab: pl.Series) -> None:
    path.unlink(missing_ok=True)
    con = open_warehouse(path)
    t0 = time.perf_counter()
    gen = 0.0
    for start in range(0, n, batch):
        g, frame = timed(lambda s=start: articles(s, min(batch, n - s), vocab, seed=7))
        gen += g
        load(con, frame, f"build-{start}")  # type: ignore[arg-type]
    build = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    docs, postings, terms = con.execute(
        "SELECT (SELECT count(*) FROM search_docs), count(*), count(DISTINCT term) FROM search_postings"
    ).fetchall()[0]
    con.close()
    print(
        f"built {n:,} articles in {build:.1f}s ({gen:.1f}s of it generating text): "
        f"{docs:,} indexed documents, {postings:,} postings, {terms:,} distinct terms, "
        f"file {path.stat().st_size / 2**20:.0f} MB"
    )


def measure(path: Path, n: int, repeat: int, vocab: pl.Series) -> None:
    with open("/proc/loadavg") as fh:
        print(f"load average before measuring: {fh.read().split()[:3]}")
    con = open_warehouse(path)
    new = articles(n, 1_000, vocab, seed=7)
    con.execute("BEGIN TRANSACTION")
    t_index, _ = timed(lambda: index_articles(con, new, new["source_path"].to_list()))
    con.execute("ROLLBACK")
    con.close()
    print(f"+1,000 articles to {n:,}: index update alone {t_index:.2f}s (rolled back)")
    # The whole load in a fresh process, so its peak memory is the update's and not the build's.
    out = subprocess.run(
        [sys.executable, __file__, "--update-only", str(path), "--n", str(n)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(out.strip())
    con = open_warehouse(path)
    changed = articles(n - 1_000, 1_000, vocab, seed=11)  # same paths and ids, new text
    t_replace, _ = timed(lambda: load(con, changed, "replace-1000"))
    n_now = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    con.close()
    print(f"replace 1,000 changed articles: whole load incl. index and commit {t_replace:.2f}s")

    ro = open_warehouse(path, read_only=True)
    rare = ro.execute(
        "SELECT term FROM search_postings GROUP BY term HAVING count(*) BETWEEN 20 AND 40 "
        "ORDER BY term LIMIT 1"
    ).fetchall()[0][0]
    print(
        f"queries over {n_now:,} articles ({repeat} runs each; first run, then median and max of the rest):"
    )
    for label, q in QUERIES:
        q = q.format(rare=rare)
        kw = (
            {"language": "en", "since": datetime(2023, 1, 1).date(), "author": "author 1"}
            if "filtered" in label
            else {}
        )
        times, hits = [], []
        for _ in range(repeat):
            t, hits = timed(lambda q=q, kw=kw: search(ro, q, limit=10, **kw))  # type: ignore[misc]
            times.append(t)
        rest = times[1:] or times
        print(
            f"  {label:36} {q!r:38} first {times[0] * 1000:6.0f} ms, "
            f"median {statistics.median(rest) * 1000:6.0f} ms, "
            f"max {max(rest) * 1000:6.0f} ms, {len(hits)} hits"  # type: ignore[arg-type]
        )
    ro.close()
    peak = peak_mb()
    print(f"peak RSS of the main process (generating and building, queries): {peak:.0f} MB")
    with open("/proc/loadavg") as fh:
        print(f"load average at the end: {fh.read().split()[:3]}")


if __name__ == "__main__":
    main()
