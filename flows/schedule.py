"""Scheduled ingestion: the ingest flow as a Prefect deployment on a cron or interval schedule.

`build_deployment` makes the deployment (like the one `prefect.yaml` declares for teams with a
work pool, under a name of its own); `serve` registers it with the Prefect server and runs its
scheduled flow runs in this process's children until SIGINT or SIGTERM. The server is the
configured one or winnow's shared local server (winnow.flows.local_server.prefect_api), so
scheduled runs share one Prefect history with `ingest` and `watch`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule
from winnow.flows.ingest import ingest_flow
from winnow.flows.lifetime import PARENT_ENV

from winnow.errors import ConfigError
from winnow.store.warehouse import raw_path, warehouse_path

# Its own name: prefect.yaml declares "scheduled" for teams with a work pool, and serving under that
# name would overwrite that deployment's schedule (and pause it on exit).
DEPLOYMENT_NAME = "serve"
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

    Each run is a process of its own that goes when this one goes (PARENT_ENV: it watches us).
    SIGINT and SIGTERM both stop through winnow's handler (winnow.flows.lifetime): the runs in
    flight get SIGTERM, roll back and are recorded cancelled; this deployment's schedule is paused
    (only this one: other deployments of the flow, e.g. prefect.yaml's, are not touched)."""
    os.environ[PARENT_ENV] = str(os.getpid())
    runner = _Runner(pause_on_shutdown=True, limit=1, query_seconds=poll_seconds or None)
    deployment_id = runner.add_deployment(deployment)
    try:
        asyncio.run(runner.start())
    finally:
        # Stopped by a signal, the runner's own exit (which pauses) may not run: pause it here.
        # Only this deployment: nobody serves it now, so its schedule should not pile up runs.
        with contextlib.suppress(Exception), get_client(sync_client=True) as client:
            client.pause_deployment(deployment_id)  # type: ignore[arg-type]


class _Runner(Runner):
    """Prefect's runner, with SIGTERM handled as winnow handles it (Runner.start installs its own)."""

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and handler is not signal.default_int_handler:
            handler(signal.SIGTERM, None)  # winnow's stopper: raises Interrupted
        super().handle_sigterm(*args, **kwargs)
