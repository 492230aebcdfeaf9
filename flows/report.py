"""Publish a run's report as a Prefect markdown artifact (the text comes from winnow.report)."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from winnow.records import RunSummary
from winnow.report import render_markdown

ARTIFACT_KEY = "winnow-run-report"


def publish_report(summary: RunSummary) -> None:
    """Attach the report to the current flow run. A report that cannot be published is logged,
    never allowed to fail a run whose data is already committed."""
    try:
        create_markdown_artifact(
            markdown=render_markdown(summary),
            key=ARTIFACT_KEY,
            description=f"winnow ingest {summary.status}: {summary.loaded} loaded, "
            f"{summary.rejected} rejected",
        )
    except Exception:
        get_run_logger().exception("could not publish the run report artifact")
