"""Build small warehouses for search tests: through the real Loader (and so the real indexer), or
through the real flow when the pipeline itself matters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from winnow.schemas.columns import ARTICLE_FRAME, REJECTION_FRAME, SEGMENT_FRAME, SOURCE_FRAME

from winnow.records import RunSummary, doc_id_for
from winnow.store.loader import Loader
from winnow.store.warehouse import open_warehouse


def article_row(path: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "doc_id": doc_id_for(path),
        "source_path": path,
        "record": 0,
        "title": title,
        "authors": ["Jane Doe"],
        "published_at": datetime(2025, 6, 1, tzinfo=UTC),
        "word_count": len(body.split()),
        "language": "en",
        "language_prob": 0.99,
        "body": body,
        "content_hash": doc_id_for(path + body),
        "format": "txt",
        "encoding": "utf-8",
    }
    row.update(extra)
    return row


def article_frames(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Article rows -> (articles, sources) frames as a batch hands them to the Loader."""
    articles = pl.DataFrame(rows, schema=ARTICLE_FRAME)
    sources = articles.select(
        pl.col("source_path").alias("path"),
        "record",
        pl.col("content_hash").alias("sha256"),
        pl.lit(100, pl.Int64).alias("bytes"),
        pl.lit(0, pl.Int64).alias("mtime_ns"),
        "format",
        "doc_id",
        pl.lit(None, pl.String).alias("record_sha256"),
        pl.lit(None, pl.Int64).alias("record_offset"),
    ).cast(SOURCE_FRAME)  # type: ignore[arg-type]
    return articles, sources


def load_rows(warehouse: Path, rows: list[dict[str, Any]], run_id: str = "run-1") -> None:
    """Load article rows in one run, as the ingest's load step would."""
    articles, sources = article_frames(rows)
    con = open_warehouse(warehouse)
    try:
        loader = Loader(con, run_id)
        loader.begin()
        loader.load(
            articles, pl.DataFrame(schema=SEGMENT_FRAME), pl.DataFrame(schema=REJECTION_FRAME), sources, {}
        )
        loader.record_run(RunSummary(loader.run_id, "completed", datetime.now(UTC), loaded=len(rows)))
        loader.commit()
    finally:
        con.close()
