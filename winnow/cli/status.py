"""`winnow status`: recent runs, totals, quarantined files, the warehouse's size and search index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.terminal import emit
from winnow.store.warehouse import current_version, warehouse_path


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def gather(con: duckdb.DuckDBPyConnection, path: Path, runs: int) -> dict[str, Any]:
    from winnow.store.clusters import cluster_stats
    from winnow.store.search import index_stats

    cur = con.execute(
        "SELECT run_id, status, started_at, duration_s, files_seen, files_new, files_changed, "
        "files_unchanged, files_deleted, loaded, duplicates, rejected, segments_removed, error "
        "FROM runs ORDER BY started_at DESC LIMIT ?",
        [runs],
    )
    cols = [d[0] for d in cur.description or []]
    recent = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    sources = dict(con.execute("SELECT status, count(*) FROM sources GROUP BY 1 ORDER BY 1").fetchall())
    files = [p for p in (path, path.with_name(path.name + ".wal")) if p.exists()]
    return {
        "warehouse": str(path),
        "bytes": sum(p.stat().st_size for p in files),
        "schema_version": current_version(con),
        "articles": _one(con, "SELECT count(*) FROM articles"),
        "authors": _one(con, "SELECT count(DISTINCT author) FROM article_authors"),
        "languages": _one(con, "SELECT count(DISTINCT language) FROM articles"),
        "publishers": _one(con, "SELECT count(DISTINCT publisher) FROM articles"),
        "first_published": _one(con, "SELECT min(published_at) FROM articles"),
        "last_published": _one(con, "SELECT max(published_at) FROM articles"),
        "removed_segments": _one(con, "SELECT count(*) FROM removed_segments WHERE category <> 'metadata'"),
        "sources": sources,
        "quarantined_files": _one(con, "SELECT count(DISTINCT (path, record)) FROM current_rejections"),
        "runs_total": _one(con, "SELECT count(*) FROM runs"),
        "recent_runs": recent,
        "search_index": index_stats(con),
        "near_duplicates": cluster_stats(con),
        "journal_set_aside": _set_aside(path),
    }


def _set_aside(path: Path) -> int:
    """Lines of the skipped-run journal that were not skipped runs (winnow.store.lock.read_journal)."""
    from winnow.store.lock import set_aside_path

    aside = set_aside_path(path)
    if not aside.is_file() or aside.is_symlink():
        return 0
    with aside.open("rb") as fh:
        return sum(1 for _ in fh)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def status(
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="How many recent runs to list.")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """The warehouse at a glance: recent runs with counts and durations, totals, quarantined files,
    the file's size and the search index."""
    if fmt not in ("text", "json"):
        fail(f"unknown format {fmt!r}: use text or json", 2)
    path = warehouse_path(warehouse)
    con = read_warehouse(warehouse, wait)
    try:
        info = gather(con, path, runs)
    finally:
        con.close()
    if fmt == "json":
        emit(json.dumps(info, ensure_ascii=False, indent=1, default=str) + "\n", json=True)
        return
    console.print(
        f"[bold]{escape(info['warehouse'])}[/]: {_size(info['bytes'])}, "
        f"schema version {info['schema_version']}",
        highlight=False,
    )
    console.print(
        f"  {info['articles']} articles by {info['authors']} authors in {info['languages']} languages "
        f"from {info['publishers']} publishers; published {info['first_published'] or '-'} to "
        f"{info['last_published'] or '-'}",
        highlight=False,
    )
    files = ", ".join(f"{n} {s}" for s, n in info["sources"].items()) or "none"
    console.print(f"  files: {files}", highlight=False)
    console.print(
        f"  quarantined files now: {info['quarantined_files']} (see `winnow rejects`); "
        f"boilerplate lines removed: {info['removed_segments']}",
        highlight=False,
    )
    idx = info["search_index"]
    if idx["available"]:
        lag = f", {idx['missing']} articles not indexed" if idx["missing"] else ""
        console.print(
            f"  search index: {idx['documents']} documents, {idx['postings']} postings{lag}", highlight=False
        )
    else:
        console.print("  search index: not available (older schema; run `winnow ingest` to migrate)")
    near = info["near_duplicates"]
    if near["available"]:
        console.print(
            f"  near-duplicates: {near['clusters']} clusters holding {near['articles_in_clusters']} articles "
            f"({near['copies']} copies beyond one per cluster; {near['pairs']} pairs)",
            highlight=False,
        )
    if info["journal_set_aside"]:
        from winnow.store.lock import set_aside_path

        console.print(
            f"  skipped-run journal: {info['journal_set_aside']} line(s) that were not runs, set aside "
            f"in {escape(str(set_aside_path(path)))}",
            highlight=False,
        )
    table = Table(
        title=f"last {len(info['recent_runs'])} of {info['runs_total']} runs",
        title_justify="left",
        box=box.SIMPLE,
        pad_edge=False,
    )
    for col in (
        "started (UTC)",
        "run",
        "status",
        "secs",
        "files: seen new chg same del",
        "loaded",
        "dup",
        "rej",
    ):
        table.add_column(col, justify="left" if col in ("started (UTC)", "run", "status") else "right")
    for r in info["recent_runs"]:
        files = " ".join(
            str(r[k])
            for k in ("files_seen", "files_new", "files_changed", "files_unchanged", "files_deleted")
        )
        table.add_row(
            r["started_at"].strftime("%Y-%m-%d %H:%M") if r["started_at"] else "",
            str(r["run_id"])[:8],
            escape(r["status"] if not r["error"] else f"{r['status']}: {r['error'][:60]}"),
            f"{r['duration_s']:.1f}" if r["duration_s"] is not None else "",
            files,
            *(str(r[k]) for k in ("loaded", "duplicates", "rejected")),
        )
    console.print(table)
