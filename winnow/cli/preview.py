"""`winnow preview`: a dry run of the document path on one file. Writes nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from winnow.cli.app import console, fail
from winnow.cli.terminal import emit
from winnow.schemas.columns import ARTICLE_METADATA


def preview(
    path: Annotated[Path, typer.Argument(help="A raw file to run through the pipeline.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Dry run on one file: metadata, clean body and each removed line with its rule. Writes nothing."""
    from winnow.errors import WinnowError
    from winnow.preview import preview_file
    from winnow.store.warehouse import rules_path

    if not path.exists():
        fail(f"no such file: {path}")
    try:
        result = preview_file(path, rules_path(None))
    except WinnowError as exc:
        fail(str(exc))
        return
    if fmt == "json":
        emit(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", json=True)
        return
    for doc in result["documents"]:
        console.rule(escape(f"{doc['source_path']} (record {doc['record']})"))
        if doc["rejections"]:
            for r in doc["rejections"]:
                said = escape(f"[{r['stage']}/{r['check']}] {r['reason']}")
                console.print(f"[red]REJECTED[/] {said}")
        for key in ARTICLE_METADATA:
            console.print(f"[bold]{key}[/]: {escape(str(doc.get(key)))}", highlight=False)
        console.rule("removed")
        counts: Counter[str] = Counter()
        for seg in doc["removed"]:
            counts[seg["rule_id"]] += 1
            console.print(
                f"  line {seg['position']:>4}  [cyan]{escape(seg['rule_id'])}[/] "
                f"({escape(seg['category'])}): {escape(seg['text'][:120])}",
                highlight=False,
                markup=True,
            )
        console.rule("body")
        console.print(doc["body"], highlight=False, markup=False)
