"""`winnow eval DIR`: extraction quality on a labelled folder (html/, text/, truth/, score.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from winnow.cli.app import fail
from winnow.errors import WinnowError


def evaluate(
    eval_dir: Annotated[Path, typer.Argument(help="Folder with html/, text/, truth/ and score.py.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write predictions and summary here [default: temp].")
    ] = None,
    path: Annotated[
        list[str] | None, typer.Option("--path", "-p", help="Only these inputs: html, text (repeatable).")
    ] = None,
) -> None:
    """Run the pipeline over every page, write one prediction JSON per page, score with score.py."""
    from winnow.evaluate import PATHS, run_eval

    chosen = tuple(path or PATHS)
    unknown = [p for p in chosen if p not in PATHS]
    if unknown:
        fail(f"unknown path {unknown[0]!r}: use {' or '.join(PATHS)}", 2)
    if not (eval_dir / "score.py").is_file() or not (eval_dir / "truth").is_dir():
        fail(f"{eval_dir} has no score.py and truth/: not an evaluation folder")
    target = out or Path(tempfile.mkdtemp(prefix="winnow-eval-"))
    try:
        table, _ = run_eval(eval_dir, target, chosen)
    except WinnowError as exc:
        fail(str(exc))
        return
    sys.stdout.write(table)  # the scorer's own table, unwrapped
    sys.stdout.write(f"predictions and summary.json in {target}\n")
