"""Crash points for the crash-safety tests. Inert in normal use.

The crash test (tests/test_crash.py) must SIGKILL a real `winnow ingest` at chosen moments: while
reading, while cleaning, while updating the search index, with a batch loaded but not committed,
and with the run recorded but the transaction not yet committed. Timing a kill from outside cannot
land reliably in windows that last milliseconds on a loaded 2-core machine, so each point calls
`hold(name)`: when, and only when, the environment variable WINNOW_TEST_HOLD_AT equals that name,
the process announces it on stderr and waits there to be killed. Unset (always, outside that
test), `hold` is one dictionary lookup and returns.
"""

from __future__ import annotations

import os
import sys
import time

HOLD_ENV = "WINNOW_TEST_HOLD_AT"
POINTS = ("read", "clean", "index", "load", "near_dups", "commit")
# Points for the signal tests (tests/test_lifetime.py), not the crash test: before the flow starts,
# and just after the commit.
SIGNAL_POINTS = ("before_flow", "committed")


def hold(point: str) -> None:
    if os.environ.get(HOLD_ENV) != point:
        return
    sys.stderr.write(f"winnow: holding at {point} ({HOLD_ENV})\n")
    sys.stderr.flush()
    parent = os.getppid()
    while os.getppid() == parent:  # the test kills the process here
        time.sleep(0.2)
    os._exit(1)  # a worker process whose run was killed: do not linger
