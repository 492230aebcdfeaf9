"""Near-duplicate detection in the warehouse: an LSH index over stored MinHash signatures, kept up to
date inside the run's one transaction (the clusters it feeds: winnow.store.clusters).

Syndicated copies (the same story on many sites, each in its own chrome; one page as HTML and as a
text dump) are loaded as articles and flagged, never dropped. Exact copies (the same content hash)
keep their own handling (winnow.store.dedup.split_duplicates): they are not loaded at all.

How a new article is compared with everything already loaded, without reading any body again:

- its signature (winnow.store.dedup.sign, made in the batch workers) is cut into `bands` bands of
  `rows` values, each hashed to one 64-bit key (`near_dup_bands`: one row per article and band);
- the keys of up to LOOKUP_ROWS new articles at a time are joined in SQL with those of every article
  loaded before them (the committed table, this run's earlier lookups staged as Parquet beside the
  warehouse, and one another): articles that share a key are candidates, at most MAX_CANDIDATES
  per new article (those sharing the most bands: the likeliest copies);
- a key (a bucket) holds its first BUCKET_CAP articles only: a band shared by that many is common
  text (a disclaimer, an agency's stock paragraph, a story syndicated everywhere), and comparing
  every new article with every holder made the work grow with the square of the corpus (a cold
  ingest of 100,000 generated articles ran out of memory after 27,500). A new article is still
  compared with the bucket's first holders, and keeps its place in its rarer buckets, so a copy
  of a widely syndicated story still joins its cluster;
- each candidate pair is scored from the two signatures and the two bodies' distinct-shingle
  counts: `similarity` is the estimated share of the shorter body's shingles that the other holds
  (J, the Jaccard similarity, estimated by MinHash; |A ∩ B| = J (|A| + |B|) / (1 + J)); a pair at
  or above `threshold` goes into `near_duplicates`, with J;
- the clusters of the articles whose pairs changed are worked out again at the end of the run.

Memory follows the batch: the index lives in DuckDB (under its memory limit), a run's own rows
wait on disk until the end of the run, and a lookup holds its articles' keys and candidates. The
result does not depend on the order articles arrive in: a pair is a candidate when the two
signatures share a band, whichever came first, so a warehouse built run by run holds the same
pairs and clusters as one built at once (tests/test_neardup_flow.py holds it to that; only an
article with more than MAX_CANDIDATES candidates, or in a bucket of more than BUCKET_CAP, can see
another subset of them).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import polars as pl

if TYPE_CHECKING:  # imported where used: an ingest with nothing to load never needs pyarrow
    import pyarrow as pa

from winnow.faults import hold
from winnow.memory import return_free_memory
from winnow.settings import Settings
from winnow.store.clusters import recluster
from winnow.store.dedup import GOLDEN, Scheme, mix, scheme_from, sign
from winnow.store.scan import execute, python_tables

LOOKUP_ROWS = 5_000  # new articles looked up at once: a lookup scans the index once (queue ~3 MB)
MAX_CANDIDATES = 200  # scored per new article at most: a bound when many articles share chrome
# Articles indexed under one band key at most (schemas/migrations/011_capped_buckets.sql trims
# older warehouses to it): a join row per new article and band is then at most this many.
BUCKET_CAP = 50
CANDIDATE_ROWS = 500  # new articles joined at once: at most 500 x 64 bands x 50 = 1.6M join rows
SCORE_CHUNK = 8_192  # candidate pairs scored at once: 2 x 4 MB of signatures (32,768: 23 MB more at peak)
STORED_CHUNK = 16_384  # earlier articles' signatures read at once when scoring: 8 MB at 128 values
REBUILD_CHUNK = 5_000  # articles re-signed or re-indexed at once when the settings change
_SIGNATURE_COLUMNS = ("sig_key", "doc_id", "source_path", "shingles", "minhash")
_INSERT_SIGNATURES = (
    "INSERT INTO near_dup_signatures (sig_key, doc_id, source_path, shingles, minhash, run_id) "
    "SELECT sig_key, doc_id, source_path, shingles, minhash, ? FROM {source}"
)
_INSERT_STAGED = _INSERT_SIGNATURES.format(source="read_parquet(?)")
_INSERT_BATCH = _INSERT_SIGNATURES.format(source="_nd_rows")
# A lookup's candidates (_nd_batch: a part of the lookup's rows, _nd_lookup) among the articles
# indexed before them: the committed keys, this run's staged ones (read_parquet of a list of files,
# when there are any), and the lookup's own.
_CANDIDATES = (
    "SELECT a, b FROM (SELECT q.sig_key AS a, o.sig_key AS b, count(*) AS shared "
    "FROM _nd_batch q JOIN (SELECT band_key, sig_key FROM near_dup_bands UNION ALL "
    "SELECT band_key, sig_key FROM _nd_lookup{staged}) o ON o.band_key = q.band_key "
    "WHERE o.sig_key < q.sig_key GROUP BY q.sig_key, o.sig_key) "
    "QUALIFY row_number() OVER (PARTITION BY a ORDER BY shared DESC, b) <= ?"
)
_CANDIDATES_COMMITTED = _CANDIDATES.format(staged="")
_CANDIDATES_STAGED = _CANDIDATES.format(staged=" UNION ALL SELECT band_key, sig_key FROM read_parquet(?)")
# Stored signatures of a part of a lookup's earlier articles (_nd_wanted), from the table and this
# run's staged lookups; the key range lets DuckDB skip the row groups and Parquet files outside it.
_STORED = (
    "SELECT sig_key, shingles, doc_id, minhash FROM {source} "
    "WHERE sig_key BETWEEN ? AND ? AND sig_key IN (SELECT k FROM _nd_wanted)"
)
_STORED_COMMITTED = _STORED.format(source="near_dup_signatures") + " ORDER BY sig_key"
_STORED_STAGED = (
    _STORED.format(source="near_dup_signatures")
    + " UNION ALL "
    + _STORED.format(source="read_parquet(?)")
    + " ORDER BY sig_key"
)
_DELETE_GONE_KEYS = "DELETE FROM {table} WHERE sig_key IN (SELECT sig_key FROM _nd_gone_keys)"
# How many articles each of a lookup's keys (_nd_keys) holds in the index already.
_HELD = (
    "SELECT o.band_key, count(*) AS n FROM (SELECT band_key FROM near_dup_bands{staged}) o "
    "JOIN _nd_keys k ON k.band_key = o.band_key GROUP BY o.band_key"
)
_HELD_COMMITTED = _HELD.format(staged="")
_HELD_STAGED = _HELD.format(staged=" UNION ALL SELECT band_key FROM read_parquet(?)")


@dataclass(frozen=True)
class Index:
    """How signatures are compared: the signature scheme, the LSH layout and the decision."""

    scheme: Scheme = field(default_factory=Scheme)
    bands: int = 64
    threshold: float = 0.75

    @property
    def rows(self) -> int:
        return self.scheme.num_perm // self.bands

    def __post_init__(self) -> None:
        if self.bands < 1 or self.scheme.num_perm % self.bands:
            raise ValueError(
                f"near_dup_bands ({self.bands}) must divide near_dup_num_perm ({self.scheme.num_perm})"
            )
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"near_dup_threshold ({self.threshold}) must be in (0, 1]")


def index_from(settings: Settings) -> Index:
    """The index the settings ask for (the near_dup_* keys)."""
    return Index(scheme_from(settings), settings.near_dup_bands, settings.near_dup_threshold)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that two signatures of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, num_perm) uint32 signatures -> (n, bands) uint64 keys; the band's number is in the key,
    so one column holds every band."""
    n = signatures.shape[0]
    cut = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    acc = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(rows):
            acc = acc * GOLDEN + cut[:, :, j]
        return mix(acc ^ (np.arange(bands, dtype=np.uint64) << np.uint64(48)))


def similarity(
    a: np.ndarray, b: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise (similarity, jaccard) of signature pairs: J is the share of equal values; the
    similarity is the estimated share of the smaller shingle set found in the larger one."""
    jaccard = (a == b).mean(axis=1)
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    smaller = np.maximum(np.minimum(size_a, size_b), 1)
    return np.minimum(inter / smaller, 1.0), jaccard


def decode(minhash: list[bytes], num_perm: int) -> np.ndarray:
    """Stored signatures (little-endian uint32 bytes) -> an (n, num_perm) uint32 array."""
    return np.frombuffer(b"".join(minhash), dtype="<u4").reshape(len(minhash), num_perm)


@dataclass
class _Shard:
    """One lookup's rows, staged: its signatures and band keys, for sig_keys lo..hi."""

    lo: int
    hi: int
    signatures: Path
    bands: Path


@dataclass
class Pass:
    """What one run did to the index (tests and benchmarks read it)."""

    signed: int = 0  # articles added to the index
    forgotten: int = 0  # articles taken out (changed or removed)
    pairs: int = 0  # near-duplicate pairs found
    capped: int = 0  # band rows left out of the index: their bucket held BUCKET_CAP articles
    rebuilt: str | None = None  # "re-indexed" or "re-signed" when the settings had changed
    clusters_touched: int = 0  # clusters of two or more among the articles worked out again


class NearDuplicates:
    """The run's side of near-duplicate detection, on the loader's connection and transaction:
    prepare() once, forget() the sources being re-processed, add() each loaded batch's signatures,
    finish() before the commit, discard() on rollback."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        index: Index,
        staging: Path | None,
        lookup_rows: int = LOOKUP_ROWS,
    ) -> None:
        self.con = con
        self.run_id = run_id
        self.index = index
        self.lookup_rows = lookup_rows
        self.done = Pass()
        self._staging_name = staging  # <folder>-<random> is created on first use; None: insert at once
        self._staging: Path | None = None
        self._shards: list[_Shard] = []
        self._queue: list[pl.DataFrame] = []
        self._queued = 0
        self._dirty: set[str] = set()  # articles whose clusters must be worked out again

    # --- the run's steps ---------------------------------------------------------------
    def prepare(self) -> None:
        """Make the stored index match the settings: one small query when it does; otherwise
        re-index the stored signatures (threshold or bands changed) or re-sign every article from
        its stored body (shingle size, num_perm or rensa's algorithm changed, or a warehouse from
        before near-duplicates), in the run's transaction."""
        rows = self.con.execute("SELECT scheme, bands, threshold FROM near_dup_state").fetchall()
        want = (self.index.scheme.key, self.index.bands, self.index.threshold)
        if rows and tuple(rows[0]) == want:
            return
        if self.con.execute("SELECT count(*) FROM articles").fetchall()[0][0]:
            same_signatures = bool(rows) and rows[0][0] == want[0]
            self.done.rebuilt = "re-indexed" if same_signatures else "re-signed"
            self._rebuild(same_signatures)
        self.con.execute("DELETE FROM near_dup_state")
        self.con.execute(
            "INSERT INTO near_dup_state VALUES (?, ?, ?, ?, ?)", [*want, datetime.now(UTC), self.run_id]
        )

    def forget(self, paths: list[str], keep: Iterable[str] = ()) -> None:
        """Take the articles of these source paths out of the index (they are being replaced or
        removed), but for the unchanged records in `keep` (doc_ids): their signatures, band keys
        and pairs. Their clusters are worked out again."""
        import pyarrow as pa

        if not paths:
            return
        with python_tables(
            _nd_paths=pa.table({"path": pa.array(sorted(set(paths)), pa.string())}),
            _nd_keep=pa.table({"doc_id": pa.array(sorted(set(keep)), pa.string())}),
        ):
            gone = execute(
                self.con,
                "SELECT sig_key, doc_id FROM near_dup_signatures WHERE source_path IN "
                "(SELECT path FROM _nd_paths) AND doc_id NOT IN (SELECT doc_id FROM _nd_keep)",
            ).fetchall()
        if not gone:
            return
        with python_tables(
            _nd_gone_keys=pa.table({"sig_key": pa.array([g[0] for g in gone], pa.int64())}),
            _nd_gone=pa.table({"doc_id": pa.array([g[1] for g in gone], pa.string())}),
        ):
            affected = execute(
                self.con,
                "SELECT of_doc_id FROM near_duplicates WHERE doc_id IN (SELECT doc_id FROM _nd_gone) "
                "UNION SELECT doc_id FROM near_duplicates WHERE of_doc_id IN (SELECT doc_id FROM _nd_gone)",
            ).fetchall()
            for table in ("near_dup_bands", "near_dup_signatures"):
                execute(self.con, _DELETE_GONE_KEYS.format(table=table))
            execute(
                self.con,
                "DELETE FROM near_duplicates WHERE doc_id IN (SELECT doc_id FROM _nd_gone) "
                "OR of_doc_id IN (SELECT doc_id FROM _nd_gone)",
            )
        # recluster() takes in the rest of their old clusters itself
        self._dirty.update(g[1] for g in gone)
        self._dirty.update(a[0] for a in affected)
        self.done.forgotten += len(gone)

    def add(self, signatures: pl.DataFrame) -> None:
        """Queue one loaded batch's signatures (doc_id, source_path, shingles, minhash); they are
        looked up LOOKUP_ROWS at a time (each lookup scans the index once, so fewer, larger
        lookups cost less per article)."""
        if signatures.height:
            self._queue.append(signatures.select("doc_id", "source_path", "shingles", "minhash"))
            self._queued += signatures.height
        if self._queued >= self.lookup_rows:
            self.lookup()

    def finish(self) -> None:
        """Look up what is queued, move this run's staged rows into the index, and work out again
        the clusters the run touched."""
        self.lookup()
        if self._shards:
            self.con.execute(
                _INSERT_STAGED,
                [self.run_id, [str(s.signatures) for s in self._shards]],
            )
            self.con.execute(
                "INSERT INTO near_dup_bands SELECT band_key, sig_key FROM read_parquet(?)",
                [[str(s.bands) for s in self._shards]],
            )
        self._shards = []
        self._drop_staging()
        return_free_memory()
        if self._dirty:
            self.done.clusters_touched = recluster(self.con, self._dirty)
        self._dirty = set()
        hold("near_dups")  # crash-test point (winnow/faults.py): the index updated, not committed

    def discard(self) -> None:
        self._queue, self._queued, self._shards, self._dirty = [], 0, [], set()
        self._drop_staging()

    # --- a lookup ------------------------------------------------------------------------
    def lookup(self) -> None:
        """Look up what is queued now (finish() does; so does add() once LOOKUP_ROWS are queued)."""
        if not self._queue:
            return
        signatures = pl.concat(self._queue, how="vertical")
        self._queue, self._queued = [], 0
        self.done.pairs += self._index(signatures)
        return_free_memory()  # the lookup's joins and pairs, freed, go back to the OS
        self.done.signed += signatures.height

    def _index(self, signatures: pl.DataFrame) -> int:
        """Index these signatures and record their near-duplicates among every article indexed
        before them and one another. Returns the number of pairs found."""
        import pyarrow as pa

        ix, n = self.index, signatures.height
        sig = decode(signatures["minhash"].to_list(), ix.scheme.num_perm)
        sizes = signatures["shingles"].to_numpy().astype(np.float64)
        drawn = self.con.execute("SELECT nextval('near_dup_key') AS k FROM range(?)", [n]).fetchnumpy()
        sig_keys = np.sort(np.asarray(drawn["k"], dtype=np.int64))
        bands = pa.table(
            {
                "band_key": pa.array(band_keys(sig, ix.bands, ix.rows).ravel()),
                "sig_key": pa.array(np.repeat(sig_keys, ix.bands)),
            }
        )
        kept = self._capped(bands)
        self.done.capped += bands.num_rows - kept.num_rows
        pairs = self._candidates(bands, kept)
        found = self._score(signatures, sig, sizes, sig_keys, pairs)
        self._keep(
            signatures.with_columns(pl.Series("sig_key", sig_keys)).select(_SIGNATURE_COLUMNS),
            kept,
        )
        return found

    def _capped(self, bands: pa.Table) -> pa.Table:
        """The lookup's band rows that enter the index: those whose bucket (the articles indexed
        under that key before them, then this lookup's in sig_key order) has room under BUCKET_CAP.
        The index's buckets are capped already, so counting them reads at most BUCKET_CAP rows per
        key."""

        frame = pl.from_arrow(bands)
        assert isinstance(frame, pl.DataFrame)
        if self._shards:
            query, args = _HELD_STAGED, [[str(s.bands) for s in self._shards]]
        else:
            query, args = _HELD_COMMITTED, []
        with python_tables(_nd_keys=frame.select(pl.col("band_key").unique()).to_arrow()):
            got = execute(self.con, query, args).fetchnumpy()
        held = pl.DataFrame(
            {
                "band_key": np.asarray(got["band_key"], dtype=np.uint64),
                "held": np.asarray(got["n"], dtype=np.int64),
            }
        )
        kept = (
            frame.with_columns(pl.col("sig_key").rank("ordinal").over("band_key").alias("rank"))
            .join(held, on="band_key", how="left")
            .filter(pl.col("held").fill_null(0) + pl.col("rank") <= BUCKET_CAP)
            .select("band_key", "sig_key")
        )
        return bands if kept.height == frame.height else kept.to_arrow()

    def _candidates(self, bands: pa.Table, kept: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        """(new sig_key, earlier sig_key) pairs that share a band key, the likeliest first: every
        band of the new articles (`bands`) against the index's capped buckets and the lookup's own
        rows that enter them (`kept`). The new articles are joined CANDIDATE_ROWS at a time: the
        pairs of one join wait in a hash table under DuckDB's memory limit (Out of Memory at
        10,000 generated articles when a lookup was joined at once)."""
        if self._shards:
            query, args = _CANDIDATES_STAGED, [[str(s.bands) for s in self._shards], MAX_CANDIDATES]
        else:
            query, args = _CANDIDATES_COMMITTED, [MAX_CANDIDATES]
        step = CANDIDATE_ROWS * self.index.bands  # band rows are grouped by article, in key order
        found_a: list[np.ndarray] = []
        found_b: list[np.ndarray] = []
        for lo in range(0, bands.num_rows, step):
            with python_tables(_nd_lookup=kept, _nd_batch=bands.slice(lo, step)):
                got = execute(self.con, query, args).fetchnumpy()
            found_a.append(np.asarray(got["a"], dtype=np.int64))
            found_b.append(np.asarray(got["b"], dtype=np.int64))
        return_free_memory()  # the joins' freed hash tables go back before the scoring (28 MB at 30,000)
        if not found_a:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(found_a), np.concatenate(found_b)

    def _score(
        self,
        signatures: pl.DataFrame,
        sig: np.ndarray,
        sizes: np.ndarray,
        sig_keys: np.ndarray,
        pairs: tuple[np.ndarray, np.ndarray],
    ) -> int:
        """Score the candidate pairs; record those at or above the threshold. Returns their number.

        The earlier articles' signatures are read from storage STORED_CHUNK articles at a time (in
        sig_key order) and the pairs scored against each part as it comes, so a lookup holds the
        signatures of one part, not of every earlier article its candidates name: those grow with
        the index (4,500 in the first lookup of 30,000 generated files, 13,600 in the last; up to
        LOOKUP_ROWS x MAX_CANDIDATES), and were held as a Python tuple each. Each pair's figures
        depend on its two signatures only: the parts change nothing."""
        import pyarrow as pa

        a_keys, b_keys = pairs
        if not a_keys.size:
            return 0
        first = int(sig_keys[0])
        ids = np.asarray(signatures["doc_id"].to_list(), dtype=object)
        keys, inverse = np.unique(b_keys, return_inverse=True)
        at = np.searchsorted(sig_keys, a_keys)
        sim = np.empty(a_keys.size, dtype=np.float64)
        jac = np.empty(a_keys.size, dtype=np.float64)
        # the pairs grouped by their earlier article's place in `keys` (each group in pair order)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(keys.size + 1))
        stored = int(np.searchsorted(keys, first))  # keys[:stored] are earlier lookups' articles
        hit_at: list[np.ndarray] = []
        hit_of: list[np.ndarray] = []

        def score(lo: int, hi: int, b_sig: np.ndarray, b_size: np.ndarray, b_ids: np.ndarray) -> None:
            """The pairs whose earlier article is keys[lo:hi], whose signatures, sizes and doc_ids
            are given in that order."""
            group = order[bounds[lo] : bounds[hi]]
            for c in range(0, group.size, SCORE_CHUNK):
                p = group[c : c + SCORE_CHUNK]
                b = inverse[p] - lo
                sim[p], jac[p] = similarity(sig[at[p]], b_sig[b], sizes[at[p]], b_size[b])
                hit = sim[p] >= self.index.threshold
                hit_at.append(p[hit])
                hit_of.append(b_ids[b[hit]])

        for lo in range(0, stored, STORED_CHUNK):
            hi = min(lo + STORED_CHUNK, stored)
            score(lo, hi, *self._stored(keys[lo:hi]))
        if stored < keys.size:  # the lookup's own articles
            here = np.searchsorted(sig_keys, keys[stored:])
            score(stored, keys.size, sig[here], sizes[here], ids[here])
        where = np.concatenate(hit_at) if hit_at else np.empty(0, dtype=np.int64)
        if not where.size:
            return 0
        in_order = np.argsort(where)  # the pairs in their candidate order, as found
        hit = where[in_order]
        edges = pa.table(
            {
                "doc_id": pa.array(ids[at[hit]].tolist(), pa.string()),
                "of_doc_id": pa.array(np.concatenate(hit_of)[in_order].tolist(), pa.string()),
                "similarity": pa.array(np.round(sim[hit], 4)),
                "jaccard": pa.array(np.round(jac[hit], 4)),
            }
        )
        with python_tables(_nd_edges=edges):
            execute(
                self.con,
                "INSERT INTO near_duplicates (doc_id, of_doc_id, similarity, jaccard, run_id) "
                "SELECT doc_id, of_doc_id, similarity, jaccard, ? FROM _nd_edges",
                [self.run_id],
            )
        self._dirty.update(edges["doc_id"].to_pylist())
        self._dirty.update(edges["of_doc_id"].to_pylist())
        return edges.num_rows

    # --- storage ----------------------------------------------------------------------
    def _stored(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (signatures, shingles, doc_ids) of these articles indexed before this lookup, in the
        order of `keys` (sorted, distinct): from the table, or staged by this run (only the shards
        whose key range holds one are read)."""
        import pyarrow as pa

        lo, hi = int(keys[0]), int(keys[-1])
        staged = [str(s.signatures) for s in self._shards if s.hi >= lo and s.lo <= hi]
        query, args = (_STORED_STAGED, [lo, hi, staged, lo, hi]) if staged else (_STORED_COMMITTED, [lo, hi])
        with python_tables(_nd_wanted=pa.table({"k": pa.array(keys)})):
            got = execute(self.con, query, args).fetchnumpy()
        if not np.array_equal(np.asarray(got["sig_key"], dtype=np.int64), keys):
            raise RuntimeError("near-duplicate index: a candidate's stored signature is missing")
        return (
            decode(list(got["minhash"]), self.index.scheme.num_perm),
            np.asarray(got["shingles"], dtype=np.float64),
            np.asarray(got["doc_id"], dtype=object),
        )

    def _keep(self, signatures: pl.DataFrame, bands: pa.Table) -> None:
        """A lookup's rows: staged on disk until finish() (a transaction's appends stay in memory
        until its commit), or inserted at once into an in-memory warehouse."""
        import pyarrow.parquet as pq

        if self._staging_name is None:
            with python_tables(_nd_rows=signatures.to_arrow(), _nd_band_rows=bands):
                execute(self.con, _INSERT_BATCH, [self.run_id])
                execute(self.con, "INSERT INTO near_dup_bands SELECT band_key, sig_key FROM _nd_band_rows")
            return
        if self._staging is None:
            self._staging = self._staging_name.with_name(f"{self._staging_name.name}-{uuid.uuid4().hex[:12]}")
            self._staging.mkdir(parents=True)
        n = len(self._shards)
        shard = _Shard(
            int(signatures["sig_key"].min()),  # type: ignore[arg-type]
            int(signatures["sig_key"].max()),  # type: ignore[arg-type]
            self._staging / f"signatures-{n:06d}.parquet",
            self._staging / f"bands-{n:06d}.parquet",
        )
        signatures.write_parquet(shard.signatures, compression="lz4")
        pq.write_table(bands, shard.bands, compression="lz4")
        self._shards.append(shard)

    def _drop_staging(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    # --- rebuilding -------------------------------------------------------------------
    def _rebuild(self, same_signatures: bool) -> None:
        """Index every article again, REBUILD_CHUNK at a time: from its stored signature, or signed
        again from its stored body; then move it all into the tables, so this run's forget() calls
        find it there."""
        self.con.execute("DELETE FROM near_dup_bands")
        self.con.execute("DELETE FROM near_duplicates")
        self.con.execute("DELETE FROM near_dup_clusters")
        if same_signatures:  # set the signatures aside (a temp table), then index them as new
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE _nd_old AS "
                "SELECT doc_id, source_path, shingles, minhash FROM near_dup_signatures"
            )
            page_sql = (
                "SELECT doc_id, source_path, shingles, minhash FROM _nd_old "
                "WHERE doc_id > ? ORDER BY doc_id LIMIT ?"
            )
        else:
            page_sql = (
                "SELECT doc_id, source_path, body FROM articles WHERE doc_id > ? ORDER BY doc_id LIMIT ?"
            )
        self.con.execute("DELETE FROM near_dup_signatures")
        last = ""
        while True:  # keyset pages: no result stays open while the lookups use the connection
            page = pl.from_arrow(self.con.sql(page_sql, params=[last, REBUILD_CHUNK]).to_arrow_table())
            assert isinstance(page, pl.DataFrame)
            if not page.height:
                break
            last = page["doc_id"][-1]
            if not same_signatures:
                signed = sign(page["doc_id"].to_list(), page["body"].to_list(), self.index.scheme)
                page = signed.join(page.select("doc_id", "source_path"), on="doc_id", maintain_order="left")
            self.add(page)
        if same_signatures:
            self.con.execute("DROP TABLE _nd_old")
        self.finish()
