"""`winnow rules candidates`: learned boilerplate lines, for a person to promote into a rule pack."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from winnow.clean.rules import normalise_line
from winnow.cli.app import WarehouseOpt, console, fail
from winnow.cli.query import render_rows
from winnow.errors import WinnowError

rules_app = typer.Typer(help="Inspect boilerplate rules and learned boilerplate.", no_args_is_help=True)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


@rules_app.command("candidates")
def candidates(
    min_docs: Annotated[
        int | None,
        typer.Option("--min-docs", help="Distinct articles that must carry a line [default: the setting]."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source (host or folder).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many lines.")] = 100,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or toml.")] = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Lines that recur across many distinct articles of one source (removed as `learned`).

    With --format toml, prints a rule pack to review and save under a rules folder.
    """
    from winnow.settings import get_settings
    from winnow.store.warehouse import open_warehouse

    if fmt not in ("table", "csv", "json", "toml"):
        fail(f"unknown format {fmt!r}: use table, csv, json or toml", 2)
    threshold = min_docs if min_docs is not None else get_settings().learned_min_documents
    try:
        con = open_warehouse(warehouse, read_only=True)
    except WinnowError as exc:
        fail(str(exc))
        return
    try:
        sql = (
            "SELECT source, documents, text, line_hash FROM learned_lines WHERE documents >= ? "
            "AND (? IS NULL OR source = ?) ORDER BY documents DESC, source, text LIMIT ?"
        )
        rows = con.execute(sql, [threshold, source, source, limit]).fetchall()
    finally:
        con.close()
    if fmt == "toml":
        by_source: dict[str, list[str]] = {}
        for src, _, text, _ in rows:
            by_source.setdefault(src, []).append(normalise_line(text))  # the form exact rules match
        out = ["# Learned boilerplate, promoted by hand. Review every line before saving this pack."]
        used: set[str] = set()
        for src, texts in by_source.items():
            slug = "".join(c if c.isalnum() else "-" for c in src).strip("-") or "root"
            slug = slug if slug not in used else f"{slug}-{len(used)}"  # rule ids must be unique
            used.add(slug)
            out += [
                "",
                "[[rule]]",
                f'id = "learned.{slug}"',
                'category = "learned"',
                'match = "exact"',
                "patterns = [" + ", ".join(_toml_string(t) for t in texts) + "]",
                f"note = {_toml_string(f'Recurring lines of {src}, from winnow rules candidates')}",
            ]
            if src.endswith("/"):
                out.append(f"paths = [{_toml_string(src + '*')}]")
        sys.stdout.write("\n".join(out) + "\n")
        return
    rendered = render_rows(["source", "documents", "text", "line_hash"], rows, fmt)
    if isinstance(rendered, str):
        sys.stdout.write(rendered + "\n")
    else:
        console.print(rendered)
        console.print(f"{len(rows)} line(s) carried by at least {threshold} distinct articles of a source")
