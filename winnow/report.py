"""The run report: one run's summary as Markdown (published by the flow as a Prefect artifact).

Plain text from the summary dict that `RunTally.summary` builds and `runs` stores, so the report,
the table and the CLI summary can never disagree.
"""

from __future__ import annotations

from typing import Any


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


def render_markdown(summary: dict[str, Any]) -> str:
    """Counts per outcome, new and changed files, rejections with reasons, top removal rules, duration."""
    status = summary.get("status", "?")
    lines = [
        f"# winnow ingest: {status}",
        "",
        f"Run `{summary.get('run_id', '')}` on `{summary.get('raw_dir', '')}`, "
        f"{summary.get('duration_s', 0):.1f}s, started {summary.get('started_at')}.",
        "",
    ]
    if summary.get("error"):
        lines += [f"**{'Skipped' if status == 'skipped' else 'Error'}:** {_cell(summary['error'])}", ""]
    if status == "skipped":
        return "\n".join(lines)
    lines += ["## Outcomes", ""]
    lines += _table(
        ("outcome", "count"),
        [
            ("files seen", summary.get("files_seen", 0)),
            ("new files", summary.get("files_new", 0)),
            ("changed files", summary.get("files_changed", 0)),
            ("unchanged files", summary.get("files_unchanged", 0)),
            ("deleted files", summary.get("files_deleted", 0)),
            ("articles loaded", summary.get("loaded", 0)),
            ("duplicates", summary.get("duplicates", 0)),
            ("rejected", summary.get("rejected", 0)),
            ("boilerplate lines removed", summary.get("segments_removed", 0)),
        ],
    )
    lines += _paths("New files", summary.get("new_paths", []), summary.get("files_new", 0))
    lines += _paths("Changed files", summary.get("changed_paths", []), summary.get("files_changed", 0))
    reasons = summary.get("rejection_reasons", {})
    if reasons:
        lines += ["## Rejections by check", ""]
        lines += _table(("check", "count"), sorted(reasons.items(), key=lambda kv: -kv[1]))
        examples = summary.get("rejection_examples", [])
        if examples:
            lines += ["### Rejected files", ""]
            rows = [(e["path"], e["check"], e["reason"]) for e in examples]
            lines += _table(("path", "check", "reason"), rows)
    rules = summary.get("top_rules", {})
    if rules:
        lines += ["## Top removal rules", ""]
        lines += _table(("rule", "lines removed"), list(rules.items()))
    stages = summary.get("stage_seconds", {})
    if stages:
        lines += ["## Time per stage (s)", ""]
        lines += _table(("stage", "seconds"), [(k, f"{v:.3f}") for k, v in stages.items()])
    return "\n".join(lines)
