"""winnow: scraped articles in, clean validated records in DuckDB out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winnow.version import __version__

if TYPE_CHECKING:
    import duckdb

__all__ = ["__version__", "connect"]


def connect(path: str | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (default: WINNOW_WAREHOUSE or warehouse/articles.duckdb)."""
    from winnow.store.warehouse import open_warehouse

    return open_warehouse(path, read_only=read_only)
