"""Exact-duplicate detection by content hash, across batches and runs."""

from __future__ import annotations

import hashlib

import polars as pl


def content_hash(body: str) -> str:
    """Hash of the body with case and spacing folded: the key for exact-duplicate detection."""
    # str.split() and the regex \s agree on what whitespace is; split is several times faster
    return hashlib.sha256(" ".join(body.split()).casefold().encode()).hexdigest()


def split_duplicates(articles: pl.DataFrame, known: dict[str, str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """Return (first copies, {duplicate doc_id: original doc_id}). `known` (hash -> doc_id) grows.

    A document is never a duplicate of itself: a changed file keeps its own identity.
    """
    keep: list[bool] = []
    duplicates: dict[str, str] = {}
    for doc_id, digest in zip(articles["doc_id"].to_list(), articles["content_hash"].to_list(), strict=True):
        original = known.get(digest)
        if original is not None and original != doc_id:
            duplicates[doc_id] = original
            keep.append(False)
        else:
            known[digest] = doc_id
            keep.append(True)
    return articles.filter(pl.Series(keep, dtype=pl.Boolean)), duplicates
