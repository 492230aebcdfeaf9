"""The one declaration of the warehouse's row shapes: articles, sources, rejections, removed segments,
learned-line observations, runs and near-duplicate signatures.

Everything that names these columns derives from here: the Document's row builder
(winnow.records), the polars frames batches travel in, the Pandera contracts (winnow.schemas.article),
the loader's inserts, export, `winnow show` and `winnow preview`. The SQL migrations create the
tables; tests/test_columns.py checks this declaration against DESCRIBE of a freshly migrated
warehouse, so a new field is added here and in one new migration, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

# Where a column's value comes from: "row" = the frame a batch builds (from the Document or the
# file); "load" = the loader adds it at insert time (run id, timestamps, statuses).
Origin = Literal["row", "load"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    dtype: Any  # the polars type of the column in a batch's frame
    sql: str  # the DuckDB type, as DESCRIBE prints it
    nullable: bool = True
    origin: Origin = "row"
    doc: str = ""


def _c(
    name: str, dtype: Any, sql: str, nullable: bool = True, origin: Origin = "row", doc: str = ""
) -> Column:
    return Column(name, dtype, sql, nullable, origin, doc)


UTC_TIME = pl.Datetime("us", "UTC")
TIMESTAMPTZ = "TIMESTAMP WITH TIME ZONE"

# Stages a document passes; a rejection names the one it failed in.
STAGES = (
    "discover",
    "read",
    "decode",
    "parse",
    "learned",
    "clean",
    "metadata",
    "language",
    "validate",
    "dedup",
    "load",
)

ARTICLES: tuple[Column, ...] = (
    _c("doc_id", pl.String, "VARCHAR", False, doc="stable: hash of the source path and record number"),
    _c("source_path", pl.String, "VARCHAR", False, doc="path under raw/, POSIX separators"),
    _c("record", pl.Int32, "INTEGER", False, doc="record number inside a multi-record file; 0 otherwise"),
    _c("title", pl.String, "VARCHAR"),
    _c("authors", pl.List(pl.String), "VARCHAR[]", False, doc="a list of names"),
    _c("published_at", UTC_TIME, TIMESTAMPTZ, doc="UTC"),
    _c("published_raw", pl.String, "VARCHAR", doc="the date string as found"),
    _c("updated_at", UTC_TIME, TIMESTAMPTZ),
    _c("updated_raw", pl.String, "VARCHAR"),
    _c("read_time_stated_min", pl.Int32, "INTEGER", doc="the read time the page states"),
    _c("read_time_est_min", pl.Int32, "INTEGER", doc="estimated from the word count"),
    _c("word_count", pl.Int32, "INTEGER", False),
    _c("language", pl.String, "VARCHAR"),
    _c("language_prob", pl.Float64, "DOUBLE", doc="langdetect's probability; null when declared"),
    _c("publisher", pl.String, "VARCHAR"),
    _c("url", pl.String, "VARCHAR"),
    _c("body", pl.String, "VARCHAR", False, doc="kept paragraphs joined by one blank line"),
    _c("content_hash", pl.String, "VARCHAR", False, doc="hash of the folded body: exact duplicates"),
    _c("format", pl.String, "VARCHAR", False),
    _c("encoding", pl.String, "VARCHAR"),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
    _c("ingested_at", UTC_TIME, TIMESTAMPTZ, False, "load"),
    _c("truncated", pl.Boolean, "BOOLEAN", False, doc="the text is a teaser the source cut (NewsAPI, feeds)"),
    _c("full_chars", pl.Int32, "INTEGER", doc="the full text's length, where the source states it"),
    _c("fetched_at", UTC_TIME, TIMESTAMPTZ, doc="when the page was fetched (WARC-Date), not published"),
    _c(
        "reading",
        pl.String,
        "VARCHAR",
        doc="how a plain text was read: page_dump, plain, or plain_fallback (the page-dump reading "
        "would have discarded the article); null for other formats",
    ),
    _c(
        "wrap_width",
        pl.Int32,
        "INTEGER",
        doc="the hard-wrap width found in a plain text (reflowed); null: unwrapped",
    ),
)

SOURCES: tuple[Column, ...] = (
    _c("path", pl.String, "VARCHAR", False),
    _c("record", pl.Int32, "INTEGER", False),
    _c("sha256", pl.String, "VARCHAR"),
    _c("bytes", pl.Int64, "BIGINT"),
    _c("mtime_ns", pl.Int64, "BIGINT"),
    _c("format", pl.String, "VARCHAR"),
    _c("status", pl.String, "VARCHAR", False, "load", doc="loaded, duplicate, rejected or deleted"),
    _c("doc_id", pl.String, "VARCHAR", False),
    _c("duplicate_of", pl.String, "VARCHAR", origin="load"),
    _c("first_run", pl.String, "VARCHAR", False, "load"),
    _c("last_run", pl.String, "VARCHAR", False, "load"),
    _c("updated_at", UTC_TIME, TIMESTAMPTZ, False, "load"),
    _c("record_sha256", pl.String, "VARCHAR", doc="the record's own hash: unchanged records are kept"),
    _c("record_offset", pl.Int64, "BIGINT", doc="where the record starts in its file (WARC)"),
)

REJECTIONS: tuple[Column, ...] = (
    _c("path", pl.String, "VARCHAR", False),
    _c("record", pl.Int32, "INTEGER", False),
    _c("sha256", pl.String, "VARCHAR"),
    _c("doc_id", pl.String, "VARCHAR"),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
    _c("stage", pl.String, "VARCHAR", False, doc="one of STAGES"),
    _c("check", pl.String, "VARCHAR", False, doc="short machine name: undecodable, too_large, ..."),
    _c("reason", pl.String, "VARCHAR", False, doc="one sentence for a person"),
    _c("detail", pl.String, "JSON"),
    _c("rejected_at", UTC_TIME, TIMESTAMPTZ, False, "load"),
)

SEGMENTS: tuple[Column, ...] = (
    _c("doc_id", pl.String, "VARCHAR", False),
    _c("position", pl.Int32, "INTEGER", False, doc="1-based line number in the decoded source text"),
    _c("text", pl.String, "VARCHAR", False),
    _c("rule_id", pl.String, "VARCHAR", False),
    _c("category", pl.String, "VARCHAR", False),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
)

OBSERVATIONS: tuple[Column, ...] = (  # learned_line_docs
    _c("source", pl.String, "VARCHAR", False, doc="URL host, first folder under raw/, or '.'"),
    _c("line_hash", pl.String, "VARCHAR", False),
    _c("fingerprint", pl.String, "VARCHAR", False, doc="the article's fingerprint: copies count once"),
    _c("text", pl.String, "VARCHAR", False),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
    _c("seen_at", UTC_TIME, TIMESTAMPTZ, False, "load"),
)

RUNS: tuple[Column, ...] = (
    _c("run_id", pl.String, "VARCHAR", False, doc="the Prefect flow-run id"),
    _c("started_at", UTC_TIME, TIMESTAMPTZ, False),
    _c("finished_at", UTC_TIME, TIMESTAMPTZ),
    _c("status", pl.String, "VARCHAR", False, doc="completed, failed or skipped"),
    _c("raw_dir", pl.String, "VARCHAR"),
    _c("files_seen", pl.Int32, "INTEGER"),
    _c("files_new", pl.Int32, "INTEGER"),
    _c("files_changed", pl.Int32, "INTEGER"),
    _c("files_unchanged", pl.Int32, "INTEGER"),
    _c("files_deleted", pl.Int32, "INTEGER"),
    _c("loaded", pl.Int32, "INTEGER"),
    _c("duplicates", pl.Int32, "INTEGER"),
    _c("rejected", pl.Int32, "INTEGER"),
    _c("segments_removed", pl.Int32, "INTEGER"),
    _c("duration_s", pl.Float64, "DOUBLE"),
    _c("stage_seconds", pl.String, "JSON"),
    _c("winnow_version", pl.String, "VARCHAR"),
    _c("rules_version", pl.String, "VARCHAR"),
    _c("error", pl.String, "VARCHAR"),
    _c("rejection_reasons", pl.String, "JSON", doc="count per check"),
    _c("rejection_examples", pl.String, "JSON", doc="the first 50: path, check, reason"),
    _c("top_rules", pl.String, "JSON", doc="lines removed per rule, top 10"),
    _c("new_files", pl.String, "JSON", doc="the first 50"),
    _c("changed_files", pl.String, "JSON", doc="the first 50"),
)

SIGNATURES: tuple[Column, ...] = (  # near_dup_signatures (winnow.store.dedup, winnow.store.neardup)
    _c("sig_key", pl.Int64, "BIGINT", False, "load", doc="from the near_dup_key sequence, new each signing"),
    _c("doc_id", pl.String, "VARCHAR", False),
    _c("source_path", pl.String, "VARCHAR", False, "load", doc="so a re-processed file's signatures can go"),
    _c("shingles", pl.Int32, "INTEGER", False, doc="distinct word shingles of the clean body"),
    _c("minhash", pl.Binary, "BLOB", False, doc="num_perm uint32 values, little-endian (rensa R-MinHash)"),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
)

SKIPPED: tuple[Column, ...] = (  # archive records that are not documents
    _c("path", pl.String, "VARCHAR", False),
    _c("record", pl.Int32, "INTEGER", False, doc="its place among the file's records"),
    _c("sha256", pl.String, "VARCHAR", doc="the file's bytes when it was skipped"),
    _c("record_offset", pl.Int64, "BIGINT"),
    _c("record_type", pl.String, "VARCHAR", False, doc="WARC-Type"),
    _c("content_type", pl.String, "VARCHAR"),
    _c("target_uri", pl.String, "VARCHAR"),
    _c("reason", pl.String, "VARCHAR", False, doc="request, warcinfo, payload image/png, http 301, ..."),
    _c("run_id", pl.String, "VARCHAR", False, "load"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "articles": ARTICLES,
    "sources": SOURCES,
    "rejections": REJECTIONS,
    "removed_segments": SEGMENTS,
    "learned_line_docs": OBSERVATIONS,
    "runs": RUNS,
    "near_dup_signatures": SIGNATURES,
    "skipped_records": SKIPPED,
}


def names(columns: tuple[Column, ...], origin: Origin | None = None) -> tuple[str, ...]:
    return tuple(c.name for c in columns if origin is None or c.origin == origin)


def frame_schema(columns: tuple[Column, ...]) -> dict[str, Any]:
    """The polars schema of a batch's frame: the columns a row carries (not those the loader adds)."""
    return {c.name: c.dtype for c in columns if c.origin == "row"}


ARTICLE_FRAME = frame_schema(ARTICLES)
SOURCE_FRAME = frame_schema(SOURCES)
REJECTION_FRAME = frame_schema(REJECTIONS)
SEGMENT_FRAME = frame_schema(SEGMENTS)
OBSERVATION_FRAME = frame_schema(OBSERVATIONS)
SIGNATURE_FRAME = frame_schema(SIGNATURES)
SKIPPED_FRAME = frame_schema(SKIPPED)
# Unchanged records of a changed file, kept as they are (their new place in the file).
KEPT_FRAME: dict[str, Any] = {"doc_id": pl.String, "record": pl.Int32, "record_offset": pl.Int64}

# What a person reads about an article: `winnow preview` shows what the pipeline made (every row
# column but the body, shown on its own, and the identity in its heading); `winnow show` every
# stored column but the body.
_IDENTITY = ("body", "doc_id", "source_path", "record")
ARTICLE_METADATA = tuple(c.name for c in ARTICLES if c.origin == "row" and c.name not in _IDENTITY)
ARTICLE_STORED = tuple(c.name for c in ARTICLES if c.name != "body")
