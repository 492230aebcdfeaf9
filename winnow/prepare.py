"""A processed batch made ready to load, in the worker that processed it: the per-document work the
warehouse's single writer would otherwise do while the workers wait on it.

    validate (Pandera: failing rows become rejections) -> search-index terms (winnow.store.search)

What stays with the writer is what needs the run's state: exact duplicates against everything
loaded so far, the search index's document keys, the near-duplicate lookup and the inserts.
"""

from __future__ import annotations

import time
from dataclasses import replace

import polars as pl

from winnow.batch import Batch
from winnow.settings import Settings
from winnow.store.search import document_terms
from winnow.validate import check_rejections, validate_articles


def prepare_batch(batch: Batch, settings: Settings | None = None) -> Batch:
    """Validate the batch's articles and tokenise the valid ones for search."""
    if batch.validated:
        return batch
    t0 = time.perf_counter()
    valid, invalid = validate_articles(batch.articles, batch.sources, settings)
    rejections = (
        pl.concat([batch.rejections, invalid], how="vertical") if invalid.height else batch.rejections
    )
    check_rejections(rejections)
    t1 = time.perf_counter()
    terms = document_terms(valid.select("doc_id", "source_path", "title", "body")) if valid.height else None
    timings = dict(batch.timings)
    timings["validate"] = timings.get("validate", 0.0) + t1 - t0
    timings["search_terms"] = timings.get("search_terms", 0.0) + time.perf_counter() - t1
    return replace(batch, articles=valid, rejections=rejections, validated=True, terms=terms, timings=timings)
