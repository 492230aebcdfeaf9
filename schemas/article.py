"""Pandera (polars backend) contracts for article rows and rejection rows."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pandera.polars as pa
import polars as pl

LIMITS: dict[str, Any] = tomllib.loads(resources.files("schemas").joinpath("limits.toml").read_text("utf-8"))
EARLIEST = datetime.fromisoformat(LIMITS["earliest_published"])


def _not_in_future(data: pa.PolarsData) -> pl.LazyFrame:
    latest = datetime.now(UTC) + timedelta(hours=LIMITS["future_slack_hours"])
    col = pl.col(data.key)
    return data.lazyframe.select(col.is_null() | (col <= latest))


def _no_ad_marker(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(~pl.col(data.key).str.contains(LIMITS["ad_marker_pattern"]))


def _title_not_blank(data: pa.PolarsData) -> pl.LazyFrame:
    col = pl.col(data.key)
    return data.lazyframe.select(col.is_null() | (col.str.strip_chars().str.len_chars() > 0))


class ArticleModel(pa.DataFrameModel):
    """One clean article, as loaded into the `articles` table."""

    doc_id: str = pa.Field(unique=True, str_length={"min_value": 1})
    source_path: str = pa.Field(str_length={"min_value": 1})
    record: pl.Int32 = pa.Field(ge=0)
    title: str = pa.Field(nullable=True, str_length={"max_value": LIMITS["max_title_chars"]})
    authors: pl.List(pl.String)  # type: ignore[valid-type]
    published_at: pl.Datetime("us", "UTC") = pa.Field(nullable=True, ge=EARLIEST)  # type: ignore[valid-type]
    published_raw: str = pa.Field(nullable=True)
    updated_at: pl.Datetime("us", "UTC") = pa.Field(nullable=True, ge=EARLIEST)  # type: ignore[valid-type]
    updated_raw: str = pa.Field(nullable=True)
    read_time_stated_min: pl.Int32 = pa.Field(nullable=True, ge=1, le=LIMITS["max_read_time_min"])
    read_time_est_min: pl.Int32 = pa.Field(ge=1)
    word_count: pl.Int32 = pa.Field(ge=LIMITS["min_words"])
    language: str = pa.Field(nullable=True, str_matches=LIMITS["language_pattern"])
    language_prob: float = pa.Field(nullable=True, ge=0.0, le=1.0)
    publisher: str = pa.Field(nullable=True)
    url: str = pa.Field(nullable=True)
    body: str = pa.Field(str_length={"min_value": LIMITS["min_body_chars"]})
    content_hash: str = pa.Field(str_length={"min_value": 64, "max_value": 64})
    format: str
    encoding: str = pa.Field(nullable=True)

    @pa.check("title", name="title_not_blank")
    def title_not_blank(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _title_not_blank(data)

    @pa.check("published_at", name="not_in_future")
    def not_in_future(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _not_in_future(data)

    @pa.check("updated_at", name="not_in_future")
    def updated_not_in_future(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _not_in_future(data)

    @pa.check("body", name="no_ad_marker")
    def no_ad_marker(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _no_ad_marker(data)

    class Config:
        strict = True  # an unexpected column is a bug upstream, not data
        coerce = False


class RejectionModel(pa.DataFrameModel):
    """One reason a file or record did not load."""

    path: str = pa.Field(str_length={"min_value": 1})
    record: pl.Int32 = pa.Field(ge=0)
    sha256: str = pa.Field(nullable=True)
    doc_id: str
    stage: str = pa.Field(
        isin=[
            "discover",
            "read",
            "decode",
            "parse",
            "clean",
            "metadata",
            "language",
            "validate",
            "dedup",
            "load",
        ]
    )
    check: str = pa.Field(str_length={"min_value": 1})
    reason: str = pa.Field(str_length={"min_value": 1})
    detail: str

    class Config:
        strict = True


# Check names that carry a user-facing name of their own.
CHECK_REASONS: dict[str, str] = {
    "str_length": "text length out of range",
    "greater_than_or_equal_to": "value below the minimum",
    "less_than_or_equal_to": "value above the maximum",
    "str_matches": "value does not match the expected pattern",
    "unique": "duplicate value",
    "not_nullable": "required value is missing",
    "not_in_future": "date is in the future",
    "no_ad_marker": "an ad marker is left in the body",
    "title_not_blank": "title is blank",
}
