"""`winnow convert`: rewrite the warehouse in the storage format DuckDB 1.4 and later read."""

from __future__ import annotations

from winnow.cli.app import WarehouseOpt, console, fail
from winnow.errors import WinnowError


def convert(warehouse: WarehouseOpt = None) -> None:
    """Rewrite a warehouse made in DuckDB 2.0's own storage format (by an earlier winnow) in the
    format DuckDB 1.4 and later read, so the DuckDB CLI, DBeaver, R and notebooks can open it."""
    from winnow.store.storage import convert_storage, describe_storage
    from winnow.store.warehouse import warehouse_path

    target = warehouse_path(warehouse)
    try:
        before, after = convert_storage(target)
    except WinnowError as exc:
        fail(str(exc))
        return
    if before == after:
        console.print(f"{target}: nothing to do, {describe_storage(target)}", highlight=False)
    else:
        console.print(f"{target}: rewritten, {describe_storage(target)}", highlight=False)
