"""What the query-side commands share: open the warehouse read-only, failing or waiting cleanly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winnow.cli.app import fail, waiting
from winnow.errors import WinnowError

if TYPE_CHECKING:  # DuckDB, polars and pyarrow load when a command runs, not when the CLI starts
    import duckdb


def read_warehouse(warehouse: str | None, wait: bool) -> duckdb.DuckDBPyConnection:
    from winnow.store.readonly import open_reader

    try:
        return open_reader(warehouse, wait=wait, on_wait=waiting)
    except WinnowError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
