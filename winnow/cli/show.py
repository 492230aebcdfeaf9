"""`winnow show`: one document in full, for auditing: metadata, clean body, what was removed and why."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.markup import escape

from winnow.cli.app import RawOpt, WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.terminal import emit
from winnow.names import stored_name, without_surrogates
from winnow.schemas.columns import ARTICLE_STORED
from winnow.store.warehouse import raw_path


def _candidates(target: str, raw: str | None) -> list[str]:
    """A doc id, a path under raw/ (as stored, or as the OS names it), or a path on disk to a file
    under raw/. Names of odd bytes are looked up by their stored form (winnow.names)."""
    out = [target, target.replace("\\", "/"), stored_name(target)]
    root = raw_path(raw).resolve()
    with contextlib.suppress(ValueError):  # not under raw/: only a doc id or a stored path then
        out.append(stored_name(Path(target).resolve().relative_to(root).as_posix()))
    return [c for c in dict.fromkeys(out) if c == without_surrogates(c)]


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def find_document(con: duckdb.DuckDBPyConnection, target: str, raw: str | None) -> dict[str, Any] | None:
    keys = _candidates(target, raw)
    sources = _dicts(
        con.execute(
            "SELECT * FROM sources WHERE doc_id IN (SELECT unnest(?)) OR path IN (SELECT unnest(?)) "
            "ORDER BY path, record",
            [keys, keys],
        )
    )
    articles = _dicts(
        con.execute(
            f"SELECT {', '.join(ARTICLE_STORED)}, body FROM articles "  # noqa: S608 - fixed column names
            "WHERE doc_id IN (SELECT unnest(?)) OR source_path IN (SELECT unnest(?)) ORDER BY record",
            [keys, keys],
        )
    )
    if not sources and not articles:
        return None
    doc_ids = sorted({s["doc_id"] for s in sources} | {a["doc_id"] for a in articles})
    paths = sorted({s["path"] for s in sources} | {a["source_path"] for a in articles})
    segments = _dicts(
        con.execute(
            "SELECT doc_id, position, rule_id, category, text FROM removed_segments "
            "WHERE doc_id IN (SELECT unnest(?)) ORDER BY doc_id, position",
            [doc_ids],
        )
    )
    rejections = _dicts(
        con.execute(
            'SELECT path, record, run_id, stage, "check", reason, detail, rejected_at FROM rejections '
            "WHERE path IN (SELECT unnest(?)) ORDER BY rejected_at, path, record",
            [paths],
        )
    )
    from winnow.store.clusters import copies_of

    copies = {a["doc_id"]: copies_of(con, a["doc_id"]) for a in articles}
    return {
        "sources": sources,
        "articles": articles,
        "removed": segments,
        "rejections": rejections,
        "near_duplicates": {d: c for d, c in copies.items() if c},  # doc_id -> its cluster
    }


def show(
    target: Annotated[
        str, typer.Argument(metavar="DOC_ID|PATH", help="A doc id or a file's path under raw/.")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    raw: RawOpt = None,
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Show one document: its metadata, clean body, every removed line with the rule that removed
    it, and any rejection of its file."""
    if fmt not in ("text", "json"):
        fail(f"unknown format {fmt!r}: use text or json", 2)
    con = read_warehouse(warehouse, wait)
    try:
        found = find_document(con, target, raw)
    finally:
        con.close()
    if found is None:
        fail(f"no document or file {target!r} in the warehouse")
        return
    if fmt == "json":
        emit(json.dumps(found, ensure_ascii=False, indent=1, default=str) + "\n", json=True)
        return
    for src in found["sources"]:
        dup = f" of {src['duplicate_of']}" if src["duplicate_of"] else ""
        console.print(
            f"[bold]file[/] {escape(src['path'])} record {src['record']}: [cyan]{src['status']}[/]{dup} "
            f"(doc {src['doc_id']}, sha256 {str(src['sha256'] or '')[:12]}, {src['bytes']} bytes, "
            f"last run {src['last_run']})",
            highlight=False,
        )
    for rej in found["rejections"]:
        console.print(
            f"[red]rejected[/] in run {rej['run_id']} "
            f"{escape('[' + rej['stage'] + '/' + rej['check'] + ']')} {escape(rej['reason'])}",
            highlight=False,
        )
    for art in found["articles"]:
        console.rule(escape(art["title"] or "(untitled)"))
        for key in ARTICLE_STORED:
            value = art[key]
            if isinstance(value, list):
                value = ", ".join(value)
            console.print(f"[bold]{key}[/]: {escape(str(value))}", highlight=False)
        _print_copies(art["doc_id"], found["near_duplicates"].get(art["doc_id"]))
        removed = [s for s in found["removed"] if s["doc_id"] == art["doc_id"]]
        console.rule(f"removed ({len(removed)} lines)")
        for seg in removed:
            console.print(
                f"  line {seg['position']:>4}  [cyan]{escape(seg['rule_id'])}[/] ({seg['category']}): "
                f"{escape(seg['text'][:160])}",
                highlight=False,
            )
        console.rule("body")
        console.print(art["body"], highlight=False, markup=False)


def _print_copies(doc_id: str, cluster: dict[str, Any] | None) -> None:
    """The article's near-duplicate copies (winnow.store.clusters), if it has any."""
    if not cluster:
        console.print("[bold]near-duplicates[/]: none", highlight=False)
        return
    role = (
        "this is its canonical member"
        if cluster["canonical_doc_id"] == doc_id
        else f"canonical {cluster['canonical_doc_id']}"
    )
    console.print(
        f"[bold]near-duplicates[/]: cluster {cluster['cluster_id']} of {cluster['articles']} articles "
        f"({role})",
        highlight=False,
    )
    for m in cluster["members"]:
        if m["doc_id"] == doc_id:
            continue
        sim = f"similarity {m['similarity']:.2f}" if m["similarity"] is not None else "via other copies"
        date = m["published_at"].strftime("%Y-%m-%d") if m["published_at"] else "undated"
        mark = "  [green]canonical[/]" if m["canonical"] else ""
        console.print(
            f"  {m['doc_id']}  {sim}  {date}  {escape(m['publisher'] or '-')}  {escape(m['source_path'])}  "
            f"{escape((m['title'] or '(untitled)')[:80])}{mark}",
            highlight=False,
        )
