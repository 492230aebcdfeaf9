"""`winnow rules candidates`: learned boilerplate lines, for a person to promote into a rule pack."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from winnow.clean.rules import normalise_line
from winnow.cli.app import RawOpt, WarehouseOpt, console, fail
from winnow.cli.output import render_rows
from winnow.cli.terminal import emit
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
        emit("\n".join(out) + "\n")
        return
    rendered = render_rows(["source", "documents", "text", "line_hash"], rows, fmt)
    if isinstance(rendered, str):
        emit(rendered + "\n")
    else:
        console.print(rendered)
        console.print(f"{len(rows)} line(s) carried by at least {threshold} distinct articles of a source")


@rules_app.command("list")
def list_rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    raw: RawOpt = None,
) -> None:
    """The cleaning rules in force: the built-in packs, then the user's packs in the rules folder
    (the rules_dir setting, WINNOW_RULES_DIR, else rules/ beside raw/), minus those switched off."""
    from winnow.clean.rules import rules_for
    from winnow.store.warehouse import rules_path

    if fmt not in ("table", "csv", "json"):
        fail(f"unknown format {fmt!r}: use table, csv or json", 2)
    folder = rules_path(raw)
    try:
        ruleset = rules_for(folder)
    except WinnowError as exc:
        fail(str(exc))
        return
    columns = ["id", "category", "match", "where", "pack", "note"]
    rows = [(r.id, r.category, r.match, r.where, r.pack, r.note) for r in ruleset.rules]
    rendered = render_rows(columns, rows, fmt)
    if isinstance(rendered, str):
        emit(rendered + "\n")
        return
    console.print(rendered)
    where = f"built-in packs and {folder}" if ruleset.folders else f"built-in packs ({folder} has no packs)"
    off = f"; switched off: {', '.join(ruleset.disabled)}" if ruleset.disabled else ""
    console.print(f"{len(rows)} rules from the {where} (version {ruleset.version}){off}", highlight=False)
