"""`winnow eval DIR [DIR ...]`: extraction quality on labelled folders (renderings, truth/, score.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from winnow.cli.app import fail
from winnow.errors import WinnowError


def evaluate(
    eval_dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Folders with truth/, score.py and renderings (html/, text/, text_wrapped/, text_w3m/)."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write predictions and summaries here [default: temp].")
    ] = None,
    path: Annotated[
        list[str] | None,
        typer.Option(
            "--path", "-p", help="Only these renderings: html, text, text_wrapped, text_w3m (repeatable)."
        ),
    ] = None,
) -> None:
    """Run the pipeline over every page of every rendering, write one prediction JSON per page,
    score each folder with its own score.py, and print one table of every folder and rendering."""
    from winnow.evaluate import PATHS, run_evals

    chosen = tuple(path or PATHS)
    unknown = [p for p in chosen if p not in PATHS]
    if unknown:
        fail(f"unknown path {unknown[0]!r}: use {', '.join(PATHS)}", 2)
    for eval_dir in eval_dirs:
        if not (eval_dir / "score.py").is_file() or not (eval_dir / "truth").is_dir():
            fail(f"{eval_dir} has no score.py and truth/: not an evaluation folder")
    if len({d.resolve().name for d in eval_dirs}) < len(eval_dirs):
        fail("two evaluation folders with the same name: their predictions would overwrite each other", 2)
    target = out or Path(tempfile.mkdtemp(prefix="winnow-eval-"))
    try:
        table, _ = run_evals(eval_dirs, target, chosen)
    except WinnowError as exc:
        fail(str(exc))
        return
    sys.stdout.write(table)  # the scorers' own tables, unwrapped, then the overview
    sys.stdout.write(f"predictions and summary.json (per folder) in {target}\n")
