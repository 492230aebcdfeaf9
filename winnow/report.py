"""The run report: one run's summary as Markdown (published by the flow as a Prefect artifact).

Plain text from the RunSummary that `RunTally.summary` builds and `runs` stores, so the report,
the table and the CLI summary can never disagree.
"""

from __future__ import annotations

from typing import Any

from winnow.records import RunSummary


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _paths(title: str, paths: list[str], total: int) -> list[str]:
    if not total:
        return []
    more = f" (first {len(paths)})" if total > len(paths) else ""
    return [f"### {title}: {total}{more}", "", *[f"- `{p}`" for p in paths], ""]


def render_markdown(summary: RunSummary) -> str:
    """Counts per outcome, new and changed files, rejections with reasons, top removal rules, duration."""
    status = summary.status
    lines = [
        f"# winnow ingest: {status}",
        "",
        f"Run `{summary.run_id}` on `{summary.raw_dir}`, "
        f"{summary.duration_s:.1f}s, started {summary.started_at}.",
        "",
    ]
    if summary.error:
        lines += [f"**{'Skipped' if status == 'skipped' else 'Error'}:** {_cell(summary.error)}", ""]
    if status == "skipped":
        return "\n".join(lines)
    lines += ["## Outcomes", ""]
    lines += _table(
        ("outcome", "count"),
        [
            ("files seen", summary.files_seen),
            ("new files", summary.files_new),
            ("changed files", summary.files_changed),
            ("unchanged files", summary.files_unchanged),
            ("deleted files", summary.files_deleted),
            ("articles loaded", summary.loaded),
            ("duplicates", summary.duplicates),
            ("rejected", summary.rejected),
            ("boilerplate lines removed", summary.segments_removed),
        ],
    )
    lines += _paths("New files", summary.new_files, summary.files_new)
    lines += _paths("Changed files", summary.changed_files, summary.files_changed)
    if summary.rejection_reasons:
        lines += ["## Rejections by check", ""]
        lines += _table(("check", "count"), sorted(summary.rejection_reasons.items(), key=lambda kv: -kv[1]))
        if summary.rejection_examples:
            lines += ["### Rejected files", ""]
            rows = [(e["path"], e["check"], e["reason"]) for e in summary.rejection_examples]
            lines += _table(("path", "check", "reason"), rows)
    if summary.top_rules:
        lines += ["## Top removal rules", ""]
        lines += _table(("rule", "lines removed"), list(summary.top_rules.items()))
    if summary.stage_seconds:
        lines += ["## Time per stage (s)", ""]
        lines += _table(("stage", "seconds"), [(k, f"{v:.3f}") for k, v in summary.stage_seconds.items()])
    return "\n".join(lines)
