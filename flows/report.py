"""Publish a run's report as a Prefect markdown artifact (the text comes from winnow.report)."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from winnow.report import render_markdown

ARTIFACT_KEY = "winnow-run-report"


def publish_report(summary: dict[str, Any]) -> None:
    """Attach the report to the current flow run. A report that cannot be published is logged,
    never allowed to fail a run whose data is already committed."""
    try:
        create_markdown_artifact(
            markdown=render_markdown(summary),
            key=ARTIFACT_KEY,
            description=f"winnow ingest {summary.get('status')}: {summary.get('loaded', 0)} loaded, "
            f"{summary.get('rejected', 0)} rejected",
        )
    except Exception:
        get_run_logger().exception("could not publish the run report artifact")
