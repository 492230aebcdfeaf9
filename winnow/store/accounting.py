"""The accounting invariant, checked on a real warehouse: nothing in raw/ is lost or counted twice.

- every file under raw/ has exactly one current row in `sources` (per record) and every current
  row names a file that is still there (otherwise it should have been marked `deleted`);
- every `loaded` source has exactly one article, every `duplicate` names an article that exists,
  every `rejected` one has at least one rejection with a reason for the same bytes;
- every article belongs to a `loaded` (or since `deleted`) source;
- the search index (when the warehouse has one) holds every article exactly once, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from winnow.read.sources import walk_raw


@dataclass(frozen=True, slots=True)
class Breach:
    rule: str  # short name of the broken clause
    path: str
    detail: str


# (rule, query returning (path, detail) rows that break it). Fixed SQL: no values spliced in.
_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "one_row_per_source",
        "SELECT path, 'record ' || record || ' has ' || count(*) || ' rows' FROM sources "
        "GROUP BY path, record HAVING count(*) > 1",
    ),
    (
        "loaded_has_one_article",
        "SELECT s.path, 'loaded source has ' || count(a.doc_id) || ' articles' FROM sources s "
        "LEFT JOIN articles a ON a.doc_id = s.doc_id WHERE s.status = 'loaded' "
        "GROUP BY s.path, s.record HAVING count(a.doc_id) <> 1",
    ),
    (
        "duplicate_names_an_article",
        "SELECT s.path, 'duplicate_of ' || coalesce(s.duplicate_of, 'NULL') || ' is not an article' "
        "FROM sources s WHERE s.status = 'duplicate' AND NOT EXISTS "
        "(SELECT 1 FROM articles a WHERE a.doc_id = s.duplicate_of)",
    ),
    (
        "rejected_has_a_reason",
        "SELECT s.path, 'rejected without a recorded reason for these bytes' FROM sources s "
        "WHERE s.status = 'rejected' AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.path = s.path "
        "AND r.record = s.record AND r.sha256 IS NOT DISTINCT FROM s.sha256 AND length(r.reason) > 0)",
    ),
    (
        "article_has_a_source",
        "SELECT a.source_path, 'article ' || a.doc_id || ' has no loaded source' FROM articles a "
        "WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.doc_id = a.doc_id "
        "AND s.status IN ('loaded', 'deleted'))",
    ),
)


_INDEX_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "article_is_indexed_once",
        "SELECT a.source_path, 'article ' || a.doc_id || ' is in the search index ' || count(s.doc_id) "
        "|| ' times' FROM articles a LEFT JOIN search_docs s ON s.doc_id = a.doc_id "
        "GROUP BY a.source_path, a.doc_id HAVING count(s.doc_id) <> 1",
    ),
    (
        "index_entry_has_an_article",
        "SELECT s.source_path, 'indexed ' || s.doc_id || ' is not an article' FROM search_docs s "
        "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.doc_id = s.doc_id)",
    ),
)


def find_breaches(con: duckdb.DuckDBPyConnection, raw_dir: Path | None) -> list[Breach]:
    """Every breach of the invariant; an empty list means the warehouse accounts for raw/."""
    has_index = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'search_docs'"
    ).fetchall()[0][0]
    queries = _QUERIES + (_INDEX_QUERIES if has_index else ())
    breaches = [
        Breach(rule, str(path), str(detail))
        for rule, sql in queries
        for path, detail in con.execute(sql).fetchall()
    ]
    if raw_dir is not None:
        on_disk = {rel for rel, _ in walk_raw(raw_dir)}
        live = con.execute("SELECT DISTINCT path FROM sources WHERE status <> 'deleted'").fetchall()
        current = {row[0] for row in live}
        breaches += [
            Breach("file_has_a_source", p, "in raw/ but not in sources (not ingested yet?)")
            for p in sorted(on_disk - current)
        ]
        breaches += [
            Breach("source_has_a_file", p, "current in sources but gone from raw/ (not marked deleted)")
            for p in sorted(current - on_disk)
        ]
    return breaches


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute("SELECT status, count(*) FROM sources GROUP BY 1").fetchall()
    out = {str(status): int(n) for status, n in rows}
    row = con.execute("SELECT count(*) FROM articles").fetchone()
    out["articles"] = int(row[0]) if row else 0
    return out
