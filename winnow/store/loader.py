"""Loading a run into the warehouse: one transaction, from begin() to commit() or rollback().

One writer. Bulk inserts come from Arrow (polars) frames in one statement each; a changed
document is replaced by DELETE then INSERT inside the run's transaction. SQL text never holds a
value: every value travels as a parameter or a frame read by name (winnow/store/scan.py).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from winnow.clean.learned import FINGERPRINT_KEY_SQL, PAIR_KEY_SQL, LearnedState
from winnow.errors import WarehouseError
from winnow.memory import return_free_memory
from winnow.read.sources import Known
from winnow.records import RunSummary
from winnow.schemas.columns import RUNS, SEGMENTS, SKIPPED, names
from winnow.settings import get_settings
from winnow.store.learned_reader import WarehouseLearned
from winnow.store.neardup import NearDuplicates, index_from
from winnow.store.scan import execute, python_tables
from winnow.store.search import index_articles

# Staged tables in the order they are inserted at the end of a run, and the columns a staged row
# gets at insert time (values from the Loader).
_STAGED = {
    "articles": ("run_id", "ingested_at"),
    "removed_segments": ("run_id",),
    "search_docs": (),
    "search_postings": (),
    "learned_line_docs": ("run_id", "seen_at"),
}
_SEGMENT_COLUMNS = list(names(SEGMENTS, "row"))
_MEMORY = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)
_RUN_COLUMNS = ", ".join(names(RUNS))
_RUN_MARKS = ", ".join("?" for _ in RUNS)


class Loader:
    """Holds the run's write transaction. begin() once, load batches, then finish() or abort()."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, memory_limit: str | None = None) -> None:
        self.con = con
        self.run_id = run_id
        self.now = datetime.now(UTC)
        self.memory_limit = memory_limit
        self._first_run: dict[str, str] = {}
        self._staging: Path | None = None  # Parquet shards of this run's rows, inserted at the end
        self._shards = 0
        self._columns: dict[str, list[str]] = {}  # staged table -> its columns
        self._learned: LearnedState | None = None
        self.near_dups: NearDuplicates | None = None  # the run's side of the index, from begin()
        self.committed = False  # after COMMIT the run is recorded: nothing may record it again

    # --- reading state -------------------------------------------------------------------
    def manifest(self) -> dict[str, Known]:
        rows = self.con.execute(
            "SELECT path, any_value(sha256), any_value(bytes), any_value(mtime_ns), "
            "CASE WHEN bool_and(status = 'deleted') THEN 'deleted' "
            "WHEN bool_or(status = 'rejected') AND count(*) = 1 THEN 'rejected' ELSE 'present' END, "
            "min(first_run) FROM sources GROUP BY path"
        ).fetchall()
        out = {}
        for path, sha, size, mtime, status, first in rows:
            out[path] = Known(sha or "", int(size or 0), int(mtime or 0), status)
            self._first_run[path] = first
        return out

    def known_hashes(self) -> dict[str, str]:
        rows = self.con.execute("SELECT content_hash, min(doc_id) FROM articles GROUP BY 1").fetchall()
        return {h: d for h, d in rows}

    def learned_state(self, whole: bool = True) -> LearnedState:
        """Recurring-line counts so far (read once per run, then kept up to date in memory).
        `whole` False: read for the pairs asked about only (winnow.store.learned_reader), for a
        run whose one batch is processed in this process; the same answers."""
        if self._learned is None and not whole:
            self._learned = WarehouseLearned(self.con)
        if self._learned is None:
            counts = self.con.execute(
                "SELECT source, line_hash, count(DISTINCT fingerprint) FROM learned_line_docs GROUP BY ALL "
                "HAVING count(DISTINCT fingerprint) >= 2"
            ).fetchall()
            # A line one article carries is most lines ever seen: those come as compact keys,
            # computed by DuckDB (a million Python tuples would take seconds at 100,000 articles).
            singles = self.con.execute(
                f"SELECT {PAIR_KEY_SQL} AS k FROM learned_line_docs "  # noqa: S608 - a fixed expression
                "GROUP BY source, line_hash HAVING count(DISTINCT fingerprint) = 1"
            ).fetchnumpy()["k"]
            fps = self.con.execute(
                f"SELECT DISTINCT {FINGERPRINT_KEY_SQL} AS k FROM learned_line_docs"  # noqa: S608 - fixed
            ).fetchnumpy()["k"]
            self._learned = LearnedState.from_rows(
                counts, single_keys=np.asarray(singles), fingerprint_keys=np.asarray(fps)
            )
        return self._learned

    def add_observations(self, observations: pl.DataFrame) -> None:
        """Record a batch's (source, line, article) observations once each (staged; see
        `_insert_from`); update the run's state."""
        if not observations.height:
            return
        # seq: the batch's place in the run, so the line's text as first seen is the one kept
        self._stage(
            "learned_line_docs",
            observations.select("source", "line_hash", "fingerprint", "text").with_columns(
                pl.lit(self._shards, dtype=pl.Int64).alias("seq")
            ),
        )
        if self._learned is not None:
            self._learned.absorb_frame(observations)

    # --- writing -------------------------------------------------------------------------
    def begin(self) -> None:
        if self.memory_limit:
            # DuckDB's default is 80% of RAM; the run's memory should follow the batch, not the corpus.
            if not _MEMORY.fullmatch(self.memory_limit):
                raise WarehouseError(f"memory_limit {self.memory_limit!r} is not a size such as 512MB")
            self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
        self._remove_stale_staging()
        self.con.execute("BEGIN TRANSACTION")
        db = self._database_file()
        staging = db.parent / f".{db.name}.staging-neardup" if db is not None else None
        self.near_dups = NearDuplicates(self.con, self.run_id, index_from(get_settings()), staging)
        self.near_dups.prepare()  # one query, unless the settings changed since the last run

    # --- staging: rows wait on disk, not in the transaction's memory -----------------------
    # DuckDB keeps a transaction's small appends in memory until commit (measured: 3.2 GB for
    # 100,000 10 KB bodies inserted 500 at a time). Articles, removed segments and the search
    # index's rows are written as Parquet shards next to the warehouse and inserted by one
    # statement per table at the end, which DuckDB streams to disk.
    def _database_file(self) -> Path | None:
        rows = self.con.execute(
            "SELECT file FROM pragma_database_list WHERE name = current_database()"
        ).fetchall()
        return Path(rows[0][0]) if rows and rows[0][0] else None

    def _remove_stale_staging(self) -> None:
        """Shards a crashed run left behind; we hold the write lock, so no live run owns them."""
        db = self._database_file()
        if db is not None:
            for stale in db.parent.glob(f".{db.name}.staging-*"):
                shutil.rmtree(stale, ignore_errors=True)

    def _stage(self, table: str, frame: pl.DataFrame) -> None:
        if self._staging is None:
            db = self._database_file()
            if db is None:  # an in-memory warehouse: nothing to spill to
                self._insert(table, frame, "_staged")
                return
            self._staging = db.parent / f".{db.name}.staging-{uuid.uuid4().hex[:12]}"
            self._staging.mkdir()
        folder = self._staging / table
        folder.mkdir(exist_ok=True)
        self._columns[table] = frame.columns
        frame.write_parquet(folder / f"{self._shards:06d}.parquet", compression="lz4")
        self._shards += 1

    def _insert(self, table: str, frame: pl.DataFrame, name: str) -> None:
        with python_tables(**{name: frame.to_arrow()}):
            self._insert_from(table, frame.columns, name)

    def _insert_from(
        self, table: str, columns: list[str], source: str, params: list[Any] | None = None
    ) -> None:
        run_values = {"run_id": self.run_id, "ingested_at": self.now, "seen_at": self.now}
        extra = _STAGED[table]
        args = [*(run_values[c] for c in extra), *(params or [])]  # select list's marks come first
        if table == "learned_line_docs":
            # One row per (source, line, article) ever: observations already in the table, or made
            # twice in this run (copies of an article in batches processed at once), are dropped.
            execute(
                self.con,
                "INSERT INTO learned_line_docs (source, line_hash, fingerprint, text, run_id, seen_at) "  # noqa: S608
                "SELECT o.source, o.line_hash, o.fingerprint, arg_min(o.text, o.seq), ?, ? "
                f"FROM {source} o WHERE NOT EXISTS (SELECT 1 FROM "  # a fixed source only
                "learned_line_docs l WHERE l.source = o.source AND l.line_hash = o.line_hash "
                "AND l.fingerprint = o.fingerprint) GROUP BY o.source, o.line_hash, o.fingerprint",
                args,
            )
            return
        cols = ", ".join([*columns, *extra])
        values = ", ".join([*columns, *("?" for _ in extra)])
        execute(
            self.con,
            f"INSERT INTO {table} ({cols}) SELECT {values} FROM {source}",  # noqa: S608 - fixed names only
            args,
        )

    def flush_staged(self) -> None:
        """Insert the staged rows into the run's transaction (before anything reads them). The
        shards of a table are read in the order they were written (a sorted glob, and DuckDB keeps
        insertion order), so each batch's postings stay sorted by term."""
        if self._staging is None or not self._shards:
            return
        for table in _STAGED:
            if table in self._columns:
                folder = str(self._staging / table / "*.parquet")
                self._insert_from(table, self._columns[table], "read_parquet(?)", [folder])
                return_free_memory()  # each insert's buffers, freed, leave before the next one
        self._drop_staging()

    def _drop_staging(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
        self._staging, self._shards, self._columns = None, 0, {}

    def replace_sources(self, paths: Iterable[str], keep: Iterable[str] = ()) -> None:
        """Forget the current rows of files that are being re-processed, but for the unchanged
        records in `keep` (doc_ids, winnow.read.parts), and the archive records they skipped."""
        frame = pl.DataFrame({"path": sorted(set(paths))}, schema={"path": pl.String})
        if frame.is_empty():
            return
        if self.near_dups is not None:
            self.near_dups.forget(frame["path"].to_list(), keep)
        kept = pl.DataFrame({"doc_id": sorted(set(keep))}, schema={"doc_id": pl.String})
        with python_tables(_paths=frame.to_arrow(), _keep=kept.to_arrow()):
            execute(
                self.con,
                "DELETE FROM articles WHERE source_path IN (SELECT path FROM _paths) "
                "AND doc_id NOT IN (SELECT doc_id FROM _keep)",
            )
            execute(
                self.con,
                "DELETE FROM removed_segments WHERE doc_id IN (SELECT doc_id FROM sources WHERE path IN "
                "(SELECT path FROM _paths) EXCEPT SELECT doc_id FROM _keep)",
            )
            execute(
                self.con,
                "DELETE FROM sources WHERE path IN (SELECT path FROM _paths) "
                "AND doc_id NOT IN (SELECT doc_id FROM _keep)",
            )
            execute(self.con, "DELETE FROM skipped_records WHERE path IN (SELECT path FROM _paths)")

    def record_priors(self, path: str) -> dict[str, str]:
        """{doc_id: record_sha256} of the path's loaded records (the per-record skip's memory)."""
        rows = self.con.execute(
            "SELECT doc_id, record_sha256 FROM sources WHERE path = ? AND status = 'loaded' "
            "AND record_sha256 IS NOT NULL",
            [path],
        ).fetchall()
        return {d: h for d, h in rows}

    def keep_records(self, kept: pl.DataFrame, files: list[tuple[str, str, int, int]]) -> None:
        """Unchanged records of changed files stay: their rows take the file's new hash, size and
        mtime, and the record's new place (its ordinal and offset may have moved)."""
        if kept.is_empty():
            return
        kept_files = pl.DataFrame(
            files,
            schema={"path": pl.String, "sha256": pl.String, "bytes": pl.Int64, "mtime_ns": pl.Int64},
            orient="row",
        )
        with python_tables(_kept=kept.to_arrow(), _kept_files=kept_files.to_arrow()):
            execute(
                self.con,
                "UPDATE sources SET record = k.record, record_offset = k.record_offset, sha256 = f.sha256, "
                "bytes = f.bytes, mtime_ns = f.mtime_ns, last_run = ?, updated_at = ? "
                "FROM _kept k, _kept_files f WHERE sources.doc_id = k.doc_id AND sources.path = f.path",
                [self.run_id, self.now],
            )
            execute(
                self.con,
                "UPDATE articles SET record = k.record FROM _kept k WHERE articles.doc_id = k.doc_id",
            )

    def add_skipped(self, skipped: pl.DataFrame) -> None:
        """Archive records that are not documents (request, warcinfo, images, ...), with why."""
        if skipped.is_empty():
            return
        cols = ", ".join(names(SKIPPED, "row"))
        with python_tables(_skipped=skipped.to_arrow()):
            execute(
                self.con,
                f"INSERT INTO skipped_records ({cols}, run_id) SELECT {cols}, ? FROM _skipped",  # noqa: S608 - declared names
                [self.run_id],
            )

    def load(
        self,
        articles: pl.DataFrame,
        segments: pl.DataFrame,
        rejections: pl.DataFrame,
        sources: pl.DataFrame,
        duplicates: dict[str, str],
        signatures: pl.DataFrame | None = None,
        replace: list[str] | None = None,
        keep: Iterable[str] = (),
        terms: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    ) -> None:
        """Insert one validated batch. `sources` has one row per document of re-processed files;
        the earlier rows of `replace` (default: every path in `sources`) go, but for `keep`;
        `signatures` (winnow.store.dedup.sign) are the batch's, of articles loaded or not; `terms`
        (winnow.store.search.document_terms, from the worker) their search rows, if made."""
        replace = sources["path"].unique().to_list() if replace is None else replace
        keep = list(keep)
        self.replace_sources(replace, keep)
        for name, dtype in (("record_sha256", pl.String), ("record_offset", pl.Int64)):
            if name not in sources.columns:  # a batch made without the per-record columns
                sources = sources.with_columns(pl.lit(None, dtype=dtype).alias(name))
        loaded = set(articles["doc_id"].to_list())
        rejected = set(rejections["doc_id"].to_list())
        status = [
            "rejected"
            if d in rejected
            else "duplicate"
            if d in duplicates
            else "loaded"
            if d in loaded
            else "rejected"
            for d in sources["doc_id"].to_list()
        ]
        src = sources.with_columns(
            pl.Series("status", status, dtype=pl.String),
            pl.col("doc_id")
            .replace_strict(duplicates, default=None, return_dtype=pl.String)
            .alias("duplicate_of"),
            pl.col("path")
            .replace_strict(self._first_run, default=self.run_id, return_dtype=pl.String)
            .alias("first_run"),
            pl.lit(self.run_id).alias("last_run"),
            pl.lit(self.now).alias("updated_at"),
        )
        if articles.height:
            if "truncated" in articles.columns:  # rows made without the flag are whole articles
                articles = articles.with_columns(pl.col("truncated").fill_null(False))
            self._stage("articles", articles)
        index_articles(self.con, articles, replace, stage=self._stage, keep=keep, terms=terms)
        if self.near_dups is not None and signatures is not None and articles.height:
            self.near_dups.add(signatures.join(articles.select("doc_id", "source_path"), on="doc_id"))
        kept_segments = segments.filter(pl.col("doc_id").is_in(list(loaded)))
        if kept_segments.height:
            self._stage("removed_segments", kept_segments.select(_SEGMENT_COLUMNS))
        self.add_rejections(rejections)
        if src.height:
            with python_tables(_sources=src.to_arrow()):
                execute(
                    self.con,
                    "INSERT INTO sources (path, record, sha256, bytes, mtime_ns, format, status, "
                    "doc_id, duplicate_of, first_run, last_run, updated_at, record_sha256, record_offset) "
                    "SELECT path, record, sha256, bytes, mtime_ns, format, status, doc_id, duplicate_of, "
                    "first_run, last_run, updated_at, record_sha256, record_offset FROM _sources",
                )

    def add_rejections(self, rejections: pl.DataFrame) -> None:
        if not rejections.height:
            return
        with python_tables(_rejections=rejections.to_arrow()):
            execute(
                self.con,
                'INSERT INTO rejections (path, record, sha256, doc_id, run_id, stage, "check", reason, '
                'detail, rejected_at) SELECT path, record, sha256, doc_id, ?, stage, "check", reason, '
                "detail, ? FROM _rejections",
                [self.run_id, self.now],
            )

    def touch(self, touched: list[tuple[str, int, int]]) -> None:
        """Same bytes, new mtime: remember the new stat so the next run skips without hashing."""
        if not touched:
            return
        frame = pl.DataFrame(
            touched,
            schema={"path": pl.String, "bytes": pl.Int64, "mtime_ns": pl.Int64},
            orient="row",
        )
        with python_tables(_touched=frame.to_arrow()):
            execute(
                self.con,
                "UPDATE sources SET bytes = t.bytes, mtime_ns = t.mtime_ns, last_run = ? "
                "FROM _touched t WHERE sources.path = t.path",
                [self.run_id],
            )

    def mark_deleted(self, paths: list[str]) -> None:
        if not paths:
            return
        frame = pl.DataFrame({"path": paths}, schema={"path": pl.String})
        with python_tables(_deleted=frame.to_arrow()):
            execute(
                self.con,
                "UPDATE sources SET status = 'deleted', last_run = ?, updated_at = ? "
                "WHERE path IN (SELECT path FROM _deleted)",
                [self.run_id, self.now],
            )

    def record_run(self, summary: RunSummary) -> None:
        """One row in `runs`: counts, timings, and the run report's lists as JSON."""
        self.con.execute(
            f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({_RUN_MARKS})",  # noqa: S608 - declared names only
            summary.row(),
        )

    def record_skipped(self, summaries: list[RunSummary]) -> set[str]:
        """Record runs that were skipped for the lock (from the journal); once each. Returns their ids."""
        recorded = set()
        for summary in summaries:
            exists = self.con.execute(
                "SELECT count(*) FROM runs WHERE run_id = ?", [summary.run_id]
            ).fetchone()
            if not exists or not exists[0]:
                self.record_run(summary)
            recorded.add(summary.run_id)
        return recorded

    def commit(self) -> None:
        if self.near_dups is not None:
            self.near_dups.finish()
            return_free_memory()
        self.flush_staged()
        self.con.execute("COMMIT")
        self.committed = True

    def rollback(self) -> None:
        if self.near_dups is not None:
            self.near_dups.discard()
        self._drop_staging()
        # Nothing may be open: the failure can come before BEGIN or after COMMIT.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("ROLLBACK")
