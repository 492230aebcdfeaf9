"""Limits that protect the machine from one pathological document: a per-document time budget.

Two layers, because neither alone is enough:
- a deadline checked between pipeline steps (`Deadline.check`), which works in any thread and
  in worker processes;
- on the main thread (where the Prefect flow runs its tasks, and where a process-pool worker
  runs its batch), an interval timer (SIGALRM) that interrupts the step that overran, even inside
  a catastrophic regular expression: CPython's `re` engine checks for signals while it backtracks.

The overrun is raised as `BudgetExceeded`, a BaseException so that no library's broad
`except Exception` can swallow it; the pipeline catches it and quarantines the document with
the check `time_budget`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType


class BudgetExceeded(BaseException):  # noqa: N818 - it is a signal, not an error of the document
    """A document used up its time budget."""

    def __init__(self, seconds: float, stage: str) -> None:
        super().__init__(f"the document used more than its {seconds:g} s time budget (during {stage})")
        self.seconds = seconds
        self.stage = stage


@dataclass
class Deadline:
    seconds: float
    ends: float
    stage: str = "read"  # the first step every document takes

    def at(self, stage: str) -> None:
        """Enter a step: fail now if the budget is spent, and remember the step for the report."""
        if self.seconds > 0 and time.monotonic() > self.ends:
            raise BudgetExceeded(self.seconds, stage)
        self.stage = stage


def _timer_usable() -> bool:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    # Never steal a timer someone else set (a test runner's timeout, an outer budget).
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) in (
        signal.SIG_DFL,
        signal.SIG_IGN,
        None,
    )


@contextmanager
def time_budget(seconds: float) -> Iterator[Deadline]:
    """Run the body under a budget of `seconds` (0 or less: unlimited)."""
    deadline = Deadline(seconds, time.monotonic() + seconds)
    if seconds <= 0 or not _timer_usable():
        yield deadline
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded(seconds, deadline.stage)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
