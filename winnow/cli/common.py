"""What the query-side commands share: open the warehouse read-only, failing or waiting cleanly."""

from __future__ import annotations

import duckdb

from winnow.cli.app import fail, waiting
from winnow.errors import WinnowError
from winnow.store.readonly import open_reader


def read_warehouse(warehouse: str | None, wait: bool) -> duckdb.DuckDBPyConnection:
    try:
        return open_reader(warehouse, wait=wait, on_wait=waiting)
    except WinnowError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
