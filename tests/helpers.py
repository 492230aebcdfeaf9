"""Helpers for tests that run the real flow and look into the real warehouse file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

ARTICLE = """{title}
By {author}
Tue, December 23, 2025 at 7:08 AM UTC
5 min read
Advertisement
{body}
Advertisement
"""

PARAGRAPH = (
    "The committee met on Tuesday to discuss the proposal, which would change how the city "
    "funds its parks, libraries and community centres over the next decade, and members "
    "spent several hours hearing from residents who had travelled from every district."
)


def article_text(
    title: str = "A Perfectly Ordinary Headline About Civic Life",
    author: str = "Jane Doe",
    paragraphs: int = 4,
    salt: str = "",
) -> str:
    body = "\n".join(f"{PARAGRAPH} {salt} Paragraph {i}." for i in range(paragraphs))
    return ARTICLE.format(title=title, author=author, body=body)


def run_flow(raw: Path, warehouse: Path) -> dict[str, Any]:
    from winnow.flows.ingest import run_ingest

    return run_ingest(raw, warehouse)


def rows(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def assert_accounting(raw: Path, warehouse: Path) -> None:
    """Every file under raw/ has exactly one current sources row (per record); loaded sources have
    exactly one article; rejected ones have at least one rejection with a reason."""
    on_disk = {
        str(p.relative_to(raw)).replace("\\", "/")
        for p in raw.rglob("*")
        if (p.is_symlink() or not p.is_dir()) and not p.name.startswith(".")  # FIFOs count too
    }
    present = {r[0] for r in rows(warehouse, "SELECT DISTINCT path FROM sources WHERE status <> 'deleted'")}
    assert on_disk == present, (on_disk - present, present - on_disk)
    dupes = rows(warehouse, "SELECT path, record, count(*) FROM sources GROUP BY 1, 2 HAVING count(*) > 1")
    assert not dupes
    orphans = rows(
        warehouse,
        "SELECT s.path FROM sources s LEFT JOIN articles a ON a.doc_id = s.doc_id "
        "WHERE s.status = 'loaded' GROUP BY s.path, s.record HAVING count(a.doc_id) <> 1",
    )
    assert not orphans, orphans
    unexplained = rows(
        warehouse,
        "SELECT s.path FROM sources s WHERE s.status = 'rejected' AND NOT EXISTS ("
        "SELECT 1 FROM rejections r WHERE r.path = s.path AND r.record = s.record "
        "AND r.sha256 IS NOT DISTINCT FROM s.sha256 AND length(r.reason) > 0)",
    )
    assert not unexplained, unexplained


def cli_env() -> dict[str, str]:
    """Environment for a `winnow` subprocess that talks to this session's Prefect test server
    (inside `prefect_harness`) instead of starting a temporary server of its own (~10 s each)."""
    import os

    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    url = PREFECT_API_URL.value()
    if url:
        env["PREFECT_API_URL"] = url
    return env


# Three paragraphs of an article, for the text-metadata tests (titles, bylines, dates around them).
BODY = [
    "The council approved the new budget on Tuesday after a debate that ran late into the evening, "
    "with members split over the cost of the bridge repairs.",
    "Supporters said the repairs could not wait another winter, while critics argued that the money "
    "would be better spent on the schools that have waited for years.",
    "The mayor said the vote showed that the city could still make hard choices together, and promised "
    "a full report on the spending before the end of the year.",
]
