"""winnow: scraped articles in, clean validated records in DuckDB out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import duckdb


def connect(path: str | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (default: WINNOW_WAREHOUSE or warehouse/articles.duckdb)."""
    from winnow.warehouse import open_warehouse

    return open_warehouse(path, read_only=read_only)


def __getattr__(name: str) -> Any:  # pragma: no cover - convenience only
    raise AttributeError(name)
