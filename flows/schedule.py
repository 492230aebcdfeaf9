"""Scheduled ingestion: the ingest flow as a Prefect deployment on a cron or interval schedule.

`build_deployment` makes the deployment (the same one `prefect.yaml` declares for teams with a
work pool); `serve` registers it with the Prefect server and runs its scheduled flow runs in this
process's children until SIGINT or SIGTERM; `prefect_api` provides that server.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from prefect import serve as prefect_serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule
from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings
from winnow.flows.ingest import ingest_flow
from winnow.flows.local_server import LocalServer, local_prefect_server

from winnow.errors import ConfigError
from winnow.store.warehouse import raw_path, warehouse_path

DEPLOYMENT_NAME = "scheduled"
DEFAULT_INTERVAL = timedelta(minutes=15)
def make_schedule(cron: str | None, interval: timedelta | None, timezone: str = "UTC") -> Schedule:
    if cron and interval:
        raise ConfigError("give --cron or --interval, not both")
    if cron:
        try:
            CronSchedule(cron=cron, timezone=timezone)  # validates the expression and the zone
        except ValueError as exc:  # pydantic's ValidationError: keep its first message only
            errors = getattr(exc, "errors", None)
            detail = errors()[0]["msg"] if callable(errors) else str(exc)
            raise ConfigError(f"invalid cron schedule {cron!r} ({timezone}): {detail}") from exc
        return Cron(cron, timezone=timezone)
    return Interval(interval or DEFAULT_INTERVAL, timezone=timezone)


def build_deployment(
    schedule: Schedule,
    raw: str | Path | None = None,
    warehouse: str | Path | None = None,
    name: str = DEPLOYMENT_NAME,
) -> RunnerDeployment:
    """The ingest flow on `schedule`, with absolute paths (runs start in other processes).
    Scheduled runs do not wait for a busy warehouse: they are recorded as skipped and the next
    tick catches up."""
    deployment = ingest_flow.to_deployment(
        name=name,
        schedule=schedule,
        parameters={
            "raw": str(raw_path(raw).resolve()),
            "warehouse": str(warehouse_path(warehouse).resolve()),
            "wait": False,
        },
        paused=False,
        description="Ingest new and changed files from raw/ into the winnow warehouse on a schedule.",
        tags=["winnow"],
    )
    assert isinstance(deployment, RunnerDeployment)  # to_deployment is sync here (no running loop)
    return deployment


def serve(deployment: RunnerDeployment, poll_seconds: float | None = None) -> None:
    """Register the deployment and execute its scheduled runs (one at a time) until stopped.
    Stopping pauses the schedule and cancels a run in flight, whose transaction rolls back."""
    kwargs = {"query_seconds": poll_seconds} if poll_seconds else {}
    prefect_serve(deployment, limit=1, pause_on_shutdown=True, print_starting_message=False, **kwargs)


@contextlib.contextmanager
def prefect_api() -> Iterator[LocalServer | None]:
    """The configured Prefect server (PREFECT_API_URL, from the environment or the active profile),
    else a local one started for the duration: the temporary server Prefect would otherwise use
    has no scheduler. Yields the local server, or None when a configured one is used."""
    if PREFECT_API_URL.value():
        yield None
        return
    home = Path(str(PREFECT_HOME.value())).expanduser()
    with local_prefect_server(home) as server:
        before = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = server.api_url  # for the processes that run the flows
        try:
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                yield server
        finally:
            if before is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = before
