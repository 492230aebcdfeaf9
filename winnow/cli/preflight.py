"""Checks made before Prefect starts: every argument, folder, schedule, time zone, address, the
rule packs, the settings and the writer lock, each failing in one line with the right exit code
(2 for a usage error) instead of after Prefect's 10-second start-up with a traceback.

Cheap checks only, none of which imports Prefect: the command line must stay quick to start. The
flow checks the same things again (a scheduled run, a watch's run) and stays the guarantee; these
only say it sooner.
"""

from __future__ import annotations

import importlib.util
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from winnow.cli.app import EXIT_SKIPPED, err, fail, waiting
from winnow.errors import ConfigError, WarehouseBusy

USAGE = 2  # click's own code for a usage error


def raw_folder(raw: str | os.PathLike[str] | None) -> Path:
    """The raw/ folder, which must exist and be a folder we can list."""
    from winnow.store.files import raw_path

    folder = raw_path(raw)
    if not folder.exists():
        fail(f"the raw folder {folder} does not exist (give one with --raw DIR or WINNOW_RAW)", USAGE)
    if not folder.is_dir():
        fail(f"--raw {folder} is not a folder: give the folder that holds the files", USAGE)
    if not os.access(folder, os.R_OK | os.X_OK):
        fail(f"cannot read the raw folder {folder}: permission denied")
    return folder


def warehouse_file(warehouse: str | os.PathLike[str] | None) -> Path:
    """The warehouse file: not a folder, and a DuckDB file if it exists."""
    from winnow.store.files import storage_number, warehouse_path

    target = warehouse_path(warehouse)
    if target.is_dir():
        fail(f"--warehouse {target} is a folder: give a file, e.g. {target / 'articles.duckdb'}", USAGE)
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                fail(f"--warehouse {target}: {parent} is a file, not a folder", USAGE)
            break
    if target.exists() and target.stat().st_size and storage_number(target) is None:
        fail(f"--warehouse {target} is not a DuckDB file (winnow will not overwrite it)", USAGE)
    return target


def settings_and_rules(raw: str | os.PathLike[str] | None) -> None:
    """WINNOW_* settings that do not parse, and rule packs that do not load, fail here."""
    from winnow.clean.rules import rules_for
    from winnow.settings import get_settings
    from winnow.store.files import rules_path

    try:
        get_settings()
        rules_for(rules_path(raw))
    except ConfigError as exc:
        fail(str(exc), USAGE)


def dask_scheduler(address: str | None) -> None:
    """A Dask scheduler address must parse and answer a TCP connection (refused: at once)."""
    if not address:
        return
    from winnow.flows.dask_address import BadAddress, probe

    try:
        why = probe(address)
    except BadAddress as exc:
        fail(str(exc), USAGE)
        return
    if why:
        fail(f"cannot reach the Dask scheduler at {address}: {why} (is `dask scheduler` running there?)")


def writer_lock(target: Path, raw: str | os.PathLike[str] | None, wait: bool) -> None:
    """Another ingest holds the writer lock: without --wait this run is skipped now (recorded as
    the flow would record it, exit 75); with --wait, say so at once (the flow then queues)."""
    from winnow.store.lock import WriterLock

    if not target.parent.is_dir():
        return  # a new warehouse: nobody can be writing it
    lock = WriterLock(target, f"preflight-{uuid.uuid4()}")
    try:
        lock.acquire(wait=False)
    except WarehouseBusy as busy:
        if wait:
            waiting(str(busy).split(";")[0] + "; waiting for it to finish")
            return
        _journal_skip(target, raw, busy)
        fail(str(busy), EXIT_SKIPPED)
    except OSError:
        return  # a folder we cannot write: the flow reports it in its own words
    else:
        try:
            held_open(target, raw, wait)
        finally:
            lock.release()


_HOLDER = re.compile(r"Conflicting lock is held in (\S+) \(PID (\d+)\)")


def held_open(target: Path, raw: str | os.PathLike[str] | None, wait: bool) -> None:
    """A program holding the warehouse open (a notebook, the DuckDB CLI, DBeaver; even read-only)
    keeps every writer out. Without --wait the run is skipped now, recorded and naming the holder
    (a run never vanishes); with --wait the flow waits for the connection to close."""
    if wait or not target.exists():
        return
    import duckdb

    from winnow.errors import process_command

    try:
        duckdb.connect(str(target)).close()
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" not in text.lower():
            return  # anything else is the flow's to report, in its own words
        found = _HOLDER.search(text)
        who = f" (pid {found.group(2)}: {process_command(int(found.group(2)))})" if found else ""
        message = (
            f"the warehouse {target} is held open by another program{who}; this run was skipped: close "
            "that connection (a notebook, the DuckDB CLI, DBeaver), or use --wait to wait for it"
        )
        _journal_skip(target, raw, message)
        fail(message, EXIT_SKIPPED)


def _journal_skip(target: Path, raw: str | os.PathLike[str] | None, busy: WarehouseBusy | str) -> None:
    from winnow.records import RunSummary
    from winnow.store.files import raw_path
    from winnow.store.lock import note_skipped
    from winnow.version import __version__

    now = datetime.now(UTC)
    summary = RunSummary(
        run_id=str(uuid.uuid4()),
        status="skipped",
        started_at=now,
        finished_at=now,
        raw_dir=str(raw_path(raw)),
        winnow_version=__version__,
        error=str(busy),
    )
    try:
        note_skipped(target, summary)
    except OSError as exc:
        err.print(f"[yellow]warning:[/] could not record the skipped run: {exc}")


def time_zone(zone: str) -> None:
    from zoneinfo import available_timezones

    if zone not in available_timezones():
        fail(f"unknown time zone {zone!r}: use an IANA name such as UTC or Europe/Paris", USAGE)


def cron_expression(cron: str | None) -> None:
    """The cron expression, checked with the croniter Prefect itself uses (loaded alone: importing
    it through Prefect costs Prefect's whole start-up). If it cannot be found, Prefect checks later."""
    if not cron:
        return
    croniter = _prefect_croniter()
    if croniter is None:
        return
    if not croniter.croniter.is_valid(cron) or any(c.casefold() in ("r", "h") for c in cron.split()):
        fail(f"invalid cron schedule {cron!r}: use five fields, e.g. \"*/15 * * * *\"", USAGE)


def _prefect_croniter() -> ModuleType | None:
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "_vendor" / "croniter" / "croniter.py"
    module_spec = importlib.util.spec_from_file_location("winnow_preflight_croniter", path)
    if module_spec is None or module_spec.loader is None or not path.exists():
        return None
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception:  # any failure here only means Prefect will check it later
        return None
    return module


def preview_target(path: Path) -> None:
    if not path.exists() and not path.is_symlink():
        fail(f"no such file: {path}", USAGE)
    if path.is_dir():
        fail(f"{path} is a folder: preview takes one file (ingest reads a whole folder)", USAGE)
