"""A rich progress bar for `winnow ingest` on a terminal; nothing at all in CI or when piped."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class FilesProgress:
    """Implements winnow.flows.progress.ProgressReporter (structurally: no flows import here)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("ingesting", total=total)

    def advance(self, files: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, files)


def wants_progress(console: Console) -> bool:
    return console.is_terminal and not console.is_dumb_terminal and not os.environ.get("CI")


@contextlib.contextmanager
def progress_bar(console: Console, enabled: bool = True) -> Iterator[FilesProgress | None]:
    """A bar on `console` while the block runs, or None when it is not an interactive terminal
    (or not `enabled`: -q)."""
    if not enabled or not wants_progress(console):
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bar, _logs_above(bar.console):
        yield FilesProgress(bar)


@contextlib.contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """Route log handlers that print through a rich Console (Prefect's do) through the bar's own
    console while it is live, so log lines scroll above the bar instead of tearing through it."""
    swapped: list[tuple[logging.Handler, Console]] = []
    loggers = [
        logging.getLogger(),
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            own = getattr(handler, "console", None)
            if isinstance(own, Console) and own is not console:
                swapped.append((handler, own))
                handler.console = console  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for handler, own in swapped:
            handler.console = own  # type: ignore[attr-defined]
