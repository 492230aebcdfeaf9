"""`winnow rejects`: each quarantined file with every check it failed."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.terminal import emit

_COLUMNS = 'r.path, r.record, r.run_id, r.stage, r."check", r.reason, r.detail, r.rejected_at'


def rejects(
    run: Annotated[
        str | None,
        typer.Option("--run", help="Rejections recorded by this run (a run id or a unique prefix of one)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """List quarantined files with every failed check: those quarantined now, or with --run those
    one run rejected."""
    if fmt not in ("text", "json"):
        fail(f"unknown format {fmt!r}: use text or json", 2)
    con = read_warehouse(warehouse, wait)
    try:
        if run:
            ids = [
                r[0]
                for r in con.execute("SELECT run_id FROM runs WHERE starts_with(run_id, ?)", [run]).fetchall()
            ]
            if len(ids) != 1:
                fail(
                    f"no run {run!r}" if not ids else f"{run!r} matches {len(ids)} runs: give more of the id"
                )
            cur = con.execute(
                f"SELECT {_COLUMNS} FROM rejections r WHERE r.run_id = ? "  # noqa: S608 - fixed columns
                "ORDER BY r.path, r.record, r.stage",
                [ids[0]],
            )
        else:
            cur = con.execute(
                f"SELECT {_COLUMNS} FROM current_rejections r "  # noqa: S608 - fixed columns
                "ORDER BY r.path, r.record, r.stage"
            )
        cols = [d[0] for d in cur.description or []]
        found = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    if fmt == "json":
        for f in found:
            f["detail"] = json.loads(f["detail"]) if f["detail"] else None
        emit(json.dumps(found, ensure_ascii=False, indent=1, default=str) + "\n", json=True)
        return
    if not found:
        console.print("no rejected files" + (f" in run {run}" if run else " are quarantined now"))
        return
    files: dict[tuple[str, int], list[dict[str, object]]] = {}
    for f in found:
        files.setdefault((str(f["path"]), int(f["record"])), []).append(f)
    console.print(f"{len(files)} rejected file(s)" + (f" in run {run}" if run else ", quarantined now"))
    for (path, record), checks in files.items():
        where = f"{path}" + (f" record {record}" if record else "")
        console.print(f"[bold]{escape(where)}[/] (run {checks[0]['run_id']})", highlight=False)
        for c in checks:
            detail = f"  {escape(str(c['detail']))}" if c["detail"] and c["detail"] != "{}" else ""
            console.print(
                f"  [red]{c['stage']}/{c['check']}[/]: {escape(str(c['reason']))}{detail}", highlight=False
            )
