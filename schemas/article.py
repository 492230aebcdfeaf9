"""The Pandera (polars backend) contracts for article and rejection rows, built from the one column
declaration (winnow.schemas.columns) and the thresholds of the settings file.

Built per set of thresholds, so a setting such as WINNOW_MIN_WORDS changes what passes. The
contract is strict (an unexpected or missing column is a bug upstream, not data) and never coerces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import pandera.polars as pa
import polars as pl
from winnow.schemas.columns import ARTICLES, REJECTIONS, STAGES, Column


class ContractLimits(Protocol):
    """The thresholds the article contract reads (winnow.settings.Settings has them)."""

    @property
    def min_words(self) -> int: ...
    @property
    def min_chars(self) -> int: ...
    @property
    def max_title_chars(self) -> int: ...
    @property
    def max_read_time_min(self) -> int: ...
    @property
    def earliest_year(self) -> int: ...
    @property
    def future_slack_hours(self) -> int: ...
    @property
    def language_pattern(self) -> str: ...
    @property
    def ad_marker_pattern(self) -> str: ...


def _not_in_future(slack_hours: int) -> pa.Check:
    def check(data: pa.PolarsData) -> pl.LazyFrame:
        latest = datetime.now(UTC) + timedelta(hours=slack_hours)
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_null() | (col <= latest))

    return pa.Check(check, name="not_in_future")


def _no_ad_marker(pattern: str) -> pa.Check:
    def check(data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.col(data.key).str.contains(pattern))

    return pa.Check(check, name="no_ad_marker")


def _title_not_blank(data: pa.PolarsData) -> pl.LazyFrame:
    col = pl.col(data.key)
    return data.lazyframe.select(col.is_null() | (col.str.strip_chars().str.len_chars() > 0))


def _article_checks(limits: ContractLimits) -> dict[str, list[pa.Check]]:
    earliest = datetime(limits.earliest_year, 1, 1, tzinfo=UTC)
    return {
        "doc_id": [pa.Check.str_length(min_value=1)],
        "source_path": [pa.Check.str_length(min_value=1)],
        "record": [pa.Check.ge(0)],
        "title": [
            pa.Check.str_length(max_value=limits.max_title_chars),
            pa.Check(_title_not_blank, name="title_not_blank"),
        ],
        "published_at": [pa.Check.ge(earliest), _not_in_future(limits.future_slack_hours)],
        "updated_at": [pa.Check.ge(earliest), _not_in_future(limits.future_slack_hours)],
        "read_time_stated_min": [pa.Check.ge(1), pa.Check.le(limits.max_read_time_min)],
        "read_time_est_min": [pa.Check.ge(1)],
        "word_count": [pa.Check.ge(limits.min_words)],
        "language": [pa.Check.str_matches(limits.language_pattern)],
        "language_prob": [pa.Check.ge(0.0), pa.Check.le(1.0)],
        "body": [pa.Check.str_length(min_value=limits.min_chars), _no_ad_marker(limits.ad_marker_pattern)],
        "content_hash": [pa.Check.str_length(min_value=64, max_value=64)],
    }


def _schema(
    columns: tuple[Column, ...], checks: dict[str, list[pa.Check]], unique: set[str]
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(
                c.dtype, checks=checks.get(c.name), nullable=c.nullable, unique=c.name in unique
            )
            for c in columns
            if c.origin == "row"
        },
        strict=True,
        coerce=False,
    )


@lru_cache(maxsize=8)  # limits are frozen settings: one schema per set of thresholds
def article_schema(limits: ContractLimits) -> pa.DataFrameSchema:
    """One clean article, as a batch hands it to the loader (the columns the loader adds aside)."""
    return _schema(ARTICLES, _article_checks(limits), unique={"doc_id"})


@lru_cache(maxsize=8)
def teaser_schema(limits: ContractLimits) -> pa.DataFrameSchema:
    """A truncated record (NewsAPI's cut `content`, a feed's summary, a paywalled article's
    description): the source gives only a teaser, so the article minimums (min_words, min_chars)
    do not apply; it must still hold words. Every other check is the article's."""
    checks = _article_checks(limits)
    checks["word_count"] = [pa.Check.ge(1)]
    checks["body"] = [pa.Check.str_length(min_value=1), _no_ad_marker(limits.ad_marker_pattern)]
    return _schema(ARTICLES, checks, unique={"doc_id"})


REJECTION_SCHEMA = _schema(
    REJECTIONS,
    {
        "path": [pa.Check.str_length(min_value=1)],
        "record": [pa.Check.ge(0)],
        "stage": [pa.Check.isin(list(STAGES))],
        "check": [pa.Check.str_length(min_value=1)],
        "reason": [pa.Check.str_length(min_value=1)],
    },
    unique=set(),
)

# Check names that carry a user-facing name of their own.
CHECK_REASONS: dict[str, str] = {
    "str_length": "text length out of range",
    "greater_than_or_equal_to": "value below the minimum",
    "less_than_or_equal_to": "value above the maximum",
    "str_matches": "value does not match the expected pattern",
    "field_uniqueness": "duplicate value",
    "unique": "duplicate value",
    "not_nullable": "required value is missing",
    "not_in_future": "date is in the future",
    "no_ad_marker": "an ad marker is left in the body",
    "title_not_blank": "title is blank",
}
