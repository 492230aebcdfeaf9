"""Progress hooks: the flow says how far it is; whoever started it (the CLI) decides how to show it.

A context variable rather than a flow parameter, so nothing unserialisable travels through
Prefect's parameter handling and scheduled runs simply report to nobody.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, files: int) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, files: int) -> None:
        pass


_SILENT = _Silent()
_reporter: ContextVar[ProgressReporter | None] = ContextVar("winnow_progress", default=None)


def progress() -> ProgressReporter:
    return _reporter.get() or _SILENT


@contextlib.contextmanager
def reporting_to(reporter: ProgressReporter | None) -> Iterator[None]:
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)
