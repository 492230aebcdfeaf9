"""`winnow search`: BM25 full-text search over titles and bodies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from winnow.cli.app import WaitOpt, WarehouseOpt, console, fail
from winnow.cli.common import read_warehouse
from winnow.cli.terminal import emit


def search(
    query: Annotated[str, typer.Argument(help='Words to look for, e.g. "security guarantees ukraine".')],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most hits to show.")] = 10,
    language: Annotated[str | None, typer.Option("--language", "-l", help="Only this language code.")] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only published on or after this date.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only published on or before this date.")
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", "-a", help="Only articles with an author containing this.")
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Only this publisher.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    collapse: Annotated[
        bool, typer.Option("--collapse", help="One hit per near-duplicate cluster (its best-ranked copy).")
    ] = False,
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Full-text search (BM25 over title and body): ranked hits with title, authors, date, score and
    a snippet. Finding nothing is not an error."""
    from winnow.store.search import SearchUnavailable
    from winnow.store.search import search as run_search

    if fmt not in ("text", "json"):
        fail(f"unknown format {fmt!r}: use text or json", 2)
    con = read_warehouse(warehouse, wait)
    clusters: dict[str, tuple[str, int, str]] = {}

    def fetch(n: int) -> list[Any]:
        return run_search(
            con,
            query,
            limit=n,
            language=language,
            since=since.date() if since else None,
            until=until.date() if until else None,
            author=author,
            publisher=publisher,
        )

    try:
        if collapse:
            from winnow.store.clusters import collapse_hits

            hits, clusters = collapse_hits(con, fetch, limit)
        else:
            hits = fetch(limit)
    except SearchUnavailable as exc:
        fail(str(exc))
        return
    finally:
        con.close()
    if fmt == "json":
        out = [
            {
                "rank": i,
                "doc_id": h.doc_id,
                "score": round(h.score, 4),
                "title": h.title,
                "authors": h.authors,
                "published_at": h.published_at.isoformat() if h.published_at else None,
                "publisher": h.publisher,
                "language": h.language,
                "source_path": h.source_path,
                "matched": h.matched,
                "snippet": h.snippet,
                **(
                    {"cluster_id": clusters[h.doc_id][0], "cluster_size": clusters[h.doc_id][1]}
                    if collapse
                    else {}
                ),
            }
            for i, h in enumerate(hits, 1)
        ]
        emit(json.dumps(out, ensure_ascii=False, indent=1) + "\n", json=True)
        return
    if not hits:
        console.print(f"no articles match {query!r}", highlight=False)
        return
    for i, h in enumerate(hits, 1):
        date = h.published_at.strftime("%Y-%m-%d") if h.published_at else "undated"
        console.print(f"[bold]{i}. {_esc(h.title or '(untitled)')}[/]  [dim]score {h.score:.3f}[/]")
        console.print(
            f"   {_esc(', '.join(h.authors) or 'unknown author')} · {date} · "
            f"{_esc(h.publisher or 'unknown publisher')} · {h.language or '?'} · {h.doc_id}",
            highlight=False,
        )
        snippet = _esc(h.snippet).replace("**", "\0")
        parts = snippet.split("\0")
        marked = "".join(f"[bold yellow]{p}[/]" if k % 2 else p for k, p in enumerate(parts))
        console.print(f"   {marked}", highlight=False)
        if collapse and clusters[h.doc_id][1] > 1:
            copies = clusters[h.doc_id][1] - 1
            console.print(f"   [dim]+ {copies} near-duplicate copies (cluster {clusters[h.doc_id][0]})[/]")
        console.print()


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
