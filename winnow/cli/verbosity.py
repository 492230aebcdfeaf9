"""How much the commands print: -q (errors only), default, -v (Prefect's own log lines too).

Prefect logs a dozen INFO lines around every flow run (temporary server, flow and task runs
created and finished); on a terminal they bury winnow's three-line summary, so by default only its
warnings and errors show there. Piped output and CI keep Prefect's INFO lines, which are the run's
log. The level reaches Prefect through PREFECT_LOGGING_LEVEL, read when Prefect is first imported:
set here, before any command imports it. A PREFECT_LOGGING_LEVEL the user set is kept unless -q or
-v says otherwise.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

QUIET, NORMAL, VERBOSE = -1, 0, 1
_level = NORMAL


def set_verbosity(quiet: bool, verbose: bool) -> None:
    global _level
    if quiet and verbose:
        raise typer.BadParameter("-q and -v contradict each other: give one")
    if quiet:
        _level = QUIET
        os.environ["PREFECT_LOGGING_LEVEL"] = "ERROR"
    elif verbose:
        _level = VERBOSE
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    elif _level == NORMAL and sys.stderr.isatty():
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def quiet() -> bool:
    return _level == QUIET


def verbose() -> bool:
    return _level == VERBOSE


def logging_level() -> str:
    """The level winnow's own loggers use (watch's lines go through Prefect's console handler)."""
    return "ERROR" if quiet() else "INFO"


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Also print Prefect's own log lines.")]
