"""`winnow check`: verify the accounting invariant on a real warehouse (exit 1 on any breach)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from winnow.cli.app import RawOpt, WarehouseOpt, console, fail
from winnow.cli.terminal import emit
from winnow.errors import WinnowError


def check(
    raw: RawOpt = None,
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    limit: Annotated[int, typer.Option(help="Breaches to list (all are counted).")] = 50,
) -> None:
    """Check that every file in raw/ is accounted for exactly once (loaded, duplicate, rejected with
    a reason, or deleted) and that no article is orphaned or doubled. Exits 1 on any breach."""
    from winnow.store.accounting import counts, find_breaches
    from winnow.store.warehouse import open_warehouse, raw_path

    root = raw_path(raw)
    if not root.is_dir():
        fail(f"raw folder {root} does not exist or is not a folder")
    try:
        con = open_warehouse(warehouse, read_only=True)
    except WinnowError as exc:
        fail(str(exc))
        return
    try:
        breaches = find_breaches(con, root)
        totals = counts(con)
    finally:
        con.close()
    if fmt == "json":
        payload = {"ok": not breaches, "counts": totals, "breaches": [asdict(b) for b in breaches]}
        emit(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", json=True)
    else:
        summary = ", ".join(f"{n} {k}" for k, n in sorted(totals.items()))
        if not breaches:
            console.print(f"ok: the warehouse accounts for every file in {root} ({summary})", highlight=False)
        else:
            console.print(f"[bold red]{len(breaches)} breach(es)[/] of the accounting invariant ({summary}):")
            for b in breaches[:limit]:
                console.print(f"  {b.rule}: {b.path!r}: {b.detail}", highlight=False, markup=False)
            if len(breaches) > limit:
                console.print(f"  … and {len(breaches) - limit} more")
    if breaches:
        raise typer.Exit(1)
