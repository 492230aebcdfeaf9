"""Validation against the Pandera contracts: valid rows continue, failing rows become rejections."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl


@contextmanager
def _hypothesis_hidden() -> Iterator[None]:
    """pandera's polars checks import its data-synthesis strategies, which import hypothesis when
    it is installed (it is, with winnow's dev tools): 0.1-0.2 s of every process that validates,
    for a feature winnow does not use. Imported with hypothesis hidden (pandera then defines
    the strategies as unavailable), unless the process has imported it already (the tests)."""
    if "hypothesis" in sys.modules:
        yield
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # `import hypothesis` raises ImportError
    try:
        yield
    finally:
        if sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


with _hypothesis_hidden():
    import pandera.backends.polars.builtin_checks  # noqa: F401 - what the first validate() imports
    import pandera.polars as pa

from winnow.schemas.article import (  # noqa: E402 - pandera first, above
    CHECK_REASONS,
    REJECTION_SCHEMA,
    article_schema,
    teaser_schema,
)
from winnow.schemas.columns import REJECTION_FRAME  # noqa: E402
from winnow.settings import Settings, get_settings  # noqa: E402


def _reason(column: str | None, check: str) -> str:
    base = check.split("(")[0]
    text = CHECK_REASONS.get(base, check)
    return f"{column}: {text}" if column else text


def validate_articles(
    articles: pl.DataFrame, sources: pl.DataFrame, settings: Settings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split into (valid articles, rejection rows). Every failed check of a row is reported.
    Truncated rows (teasers) are held to the teaser contract, the others to the article's."""
    limits = settings or get_settings()
    if articles.is_empty() or not articles["truncated"].fill_null(False).any():
        return _validate(article_schema(limits), articles, sources)
    truncated = articles["truncated"].fill_null(False)
    parts = [
        _validate(article_schema(limits), articles.filter(~truncated), sources),
        _validate(teaser_schema(limits), articles.filter(truncated), sources),
    ]
    valid = set(parts[0][0]["doc_id"].to_list()) | set(parts[1][0]["doc_id"].to_list())
    # In the batch's order: the first of two copies stays the original in de-duplication.
    return articles.filter(pl.col("doc_id").is_in(list(valid))), pl.concat([p[1] for p in parts])


def _validate(
    schema: pa.DataFrameSchema, articles: pl.DataFrame, sources: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    if articles.is_empty():
        return articles, pl.DataFrame(schema=REJECTION_FRAME)
    try:
        schema.validate(articles, lazy=True)
        return articles, pl.DataFrame(schema=REJECTION_FRAME)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    bad_rows: dict[int, list[dict[str, Any]]] = {}
    whole_frame: list[dict[str, Any]] = []
    for case in cases.iter_rows(named=True):
        entry = {
            "column": case["column"],
            "check": case["check"],
            "value": None if case["failure_case"] is None else str(case["failure_case"])[:200],
        }
        if case["index"] is None:
            whole_frame.append(entry)
        else:
            bad_rows.setdefault(int(case["index"]), []).append(entry)
    if whole_frame:
        # A frame-level failure (a missing or mistyped column) is a bug: reject every row loudly.
        bad_rows = {i: bad_rows.get(i, []) + whole_frame for i in range(articles.height)}
    sha_by_doc = dict(zip(sources["doc_id"].to_list(), sources["sha256"].to_list(), strict=False))
    rows: list[dict[str, Any]] = []
    for index, failures in sorted(bad_rows.items()):
        art = articles.row(index, named=True)
        for failure in failures:
            check = str(failure["check"]).split("(")[0]
            rows.append(
                {
                    "path": art["source_path"],
                    "record": art["record"],
                    "sha256": sha_by_doc.get(art["doc_id"]),
                    "doc_id": art["doc_id"],
                    "stage": "validate",
                    "check": f"{failure['column']}.{check}",
                    "reason": _reason(failure["column"], str(failure["check"])),
                    "detail": json.dumps(failure, default=str),
                }
            )
    keep = pl.Series([i not in bad_rows for i in range(articles.height)])
    return articles.filter(keep), pl.DataFrame(rows, schema=REJECTION_FRAME)


def check_rejections(rejections: pl.DataFrame) -> None:
    """The rejection rows a run records obey their contract (a stage name that drifted, an empty
    reason, a missing column): a bug upstream, raised before anything is written."""
    if rejections.height:
        REJECTION_SCHEMA.validate(rejections, lazy=True)
