"""Clusters of near-duplicate copies: kept in `near_dup_clusters` by the loader, read by the commands.

A cluster is a connected component of the `near_duplicates` graph: one row per article in a cluster
of two or more, labelled by its smallest doc_id, so the label depends on the cluster's members only,
never on the order they arrived in. The views of migration 006 add each cluster's size and canonical
member (earliest published, else most words, else first seen); `article_clusters` gives every
article a cluster, its own when it has no copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import duckdb

from winnow.store.scan import execute, python_tables

if TYPE_CHECKING:
    import pyarrow as pa

# export --canonical: one article per cluster
CANONICAL_ONLY = "doc_id IN (SELECT canonical_doc_id FROM article_clusters)"


def _ids(ids: set[str] | Sequence[str]) -> pa.Table:
    import pyarrow as pa  # here: an ingest with nothing to load never needs pyarrow

    return pa.table({"doc_id": pa.array(sorted(ids), pa.string())})


def recluster(con: duckdb.DuckDBPyConnection, dirty: set[str]) -> int:
    """Work out again the clusters of these articles (added, removed, or whose pairs changed): their
    connected components as the pairs are now. Returns how many clusters of two or more they form.

    The set grows until it is closed: whole old clusters of its members and every pair touching it,
    so no component outside it changes and none inside is cut short."""
    import pyarrow as pa

    nodes, frontier = set(dirty), set(dirty)
    edges: set[tuple[str, str]] = set()
    while frontier:
        with python_tables(_nd_frontier=_ids(frontier)):
            mates = execute(
                con,
                "SELECT doc_id FROM near_dup_clusters WHERE cluster_id IN (SELECT cluster_id FROM "
                "near_dup_clusters WHERE doc_id IN (SELECT doc_id FROM _nd_frontier))",
            ).fetchall()
            touching = execute(
                con,
                "SELECT doc_id, of_doc_id FROM near_duplicates WHERE doc_id IN (SELECT doc_id FROM "
                "_nd_frontier) OR of_doc_id IN (SELECT doc_id FROM _nd_frontier)",
            ).fetchall()
        edges.update((a, b) for a, b in touching)
        found = {m[0] for m in mates} | {x for pair in touching for x in pair}
        frontier = found - nodes
        nodes |= found
    groups = components(nodes, edges)
    with python_tables(_nd_nodes=_ids(nodes)):
        execute(con, "DELETE FROM near_dup_clusters WHERE doc_id IN (SELECT doc_id FROM _nd_nodes)")
    # the cluster's id is its smallest member, found once per cluster (per member it was quadratic)
    members = [(doc, first) for group in groups if len(group) > 1 for first in [min(group)] for doc in group]
    if members:
        table = pa.table(
            {
                "doc_id": pa.array([m[0] for m in members], pa.string()),
                "cluster_id": pa.array([m[1] for m in members], pa.string()),
            }
        )
        with python_tables(_nd_members=table):
            execute(con, "INSERT INTO near_dup_clusters (doc_id, cluster_id) SELECT * FROM _nd_members")
    return sum(1 for group in groups if len(group) > 1)


def components(nodes: set[str], edges: set[tuple[str, str]]) -> list[list[str]]:
    """Connected components (union-find; each root is its component's smallest member)."""
    parent = {x: x for x in nodes}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in nodes:
        groups.setdefault(root(x), []).append(x)
    return list(groups.values())


# --- reading (the query-side commands) -------------------------------------------------------
def has_clusters(con: duckdb.DuckDBPyConnection) -> bool:
    """The warehouse has the near-duplicate tables (an older one, opened read-only, may not)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name IN ('near_duplicates', 'near_dup_clusters', 'near_duplicate_members')"
    ).fetchall()[0]
    return bool(row and row[0] == 3)


def clusters_of(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """doc_id -> (cluster_id, cluster size, canonical doc_id) for these articles; an article with no
    copy is its own cluster of one."""
    if not doc_ids:
        return {}
    rows = (
        con.execute(
            "SELECT doc_id, cluster_id, cluster_size, canonical_doc_id FROM near_duplicate_members "
            "WHERE list_contains(?, doc_id)",
            [doc_ids],
        ).fetchall()
        if has_clusters(con)
        else []
    )
    found = {r[0]: (r[1], int(r[2]), r[3]) for r in rows}
    return {d: found.get(d, (d, 1, d)) for d in doc_ids}


def copies_of(con: duckdb.DuckDBPyConnection, doc_id: str) -> dict[str, Any] | None:
    """The cluster an article is in: its id, canonical member and members (each with the pair's
    similarity where it was compared with this article directly). None when it has no copy."""
    if not has_clusters(con):
        return None
    row = con.execute("SELECT cluster_id FROM near_dup_clusters WHERE doc_id = ?", [doc_id]).fetchall()
    if not row:
        return None
    cluster = row[0][0]
    cur = con.execute(
        "SELECT c.doc_id, c.canonical_doc_id, a.title, a.publisher, a.source_path, a.published_at, "
        "a.word_count, e.similarity, e.jaccard "
        "FROM near_duplicate_members c JOIN articles a USING (doc_id) LEFT JOIN ("
        "  SELECT CASE WHEN doc_id = $1 THEN of_doc_id ELSE doc_id END AS other, similarity, jaccard"
        "  FROM near_duplicates WHERE doc_id = $1 OR of_doc_id = $1"
        ") e ON e.other = c.doc_id "
        "WHERE c.cluster_id = $2 ORDER BY a.published_at NULLS LAST, c.doc_id",
        [doc_id, cluster],
    )
    cols = [d[0] for d in cur.description or []]
    members = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    canonical = members[0]["canonical_doc_id"] if members else doc_id
    for m in members:
        m["canonical"] = m.pop("canonical_doc_id") == m["doc_id"]
    return {
        "cluster_id": cluster,
        "canonical_doc_id": canonical,
        "articles": len(members),
        "members": members,
    }


def cluster_stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Clusters of two or more, the articles in them, the copies beyond one per cluster, the pairs,
    and the settings the index was built with."""
    if not has_clusters(con):
        return {"available": False}
    clusters, members = con.execute(
        "SELECT count(DISTINCT cluster_id), count(*) FROM near_dup_clusters"
    ).fetchall()[0]
    pairs = con.execute("SELECT count(*) FROM near_duplicates").fetchall()[0][0]
    state = con.execute("SELECT scheme, bands, threshold FROM near_dup_state").fetchall()
    return {
        "available": True,
        "clusters": int(clusters),
        "articles_in_clusters": int(members),
        "copies": int(members) - int(clusters),
        "pairs": int(pairs),
        "index": dict(zip(("scheme", "bands", "threshold"), state[0], strict=True)) if state else None,
    }


def collapse_hits(
    con: duckdb.DuckDBPyConnection, fetch: Callable[[int], list[Any]], limit: int
) -> tuple[list[Any], dict[str, tuple[str, int, str]]]:
    """Ranked search hits, one per cluster (its best-ranked copy), up to `limit`. `fetch(n)` gives
    the first n hits (objects with a doc_id); more are fetched until `limit` clusters are filled or
    the hits run out. Returns the kept hits and doc_id -> (cluster_id, size, canonical)."""
    n = max(limit * 4, 20)
    while True:
        hits = fetch(n)
        clusters = clusters_of(con, [h.doc_id for h in hits])
        seen: set[str] = set()
        kept = []
        for hit in hits:
            cluster = clusters[hit.doc_id][0]
            if cluster not in seen:
                seen.add(cluster)
                kept.append(hit)
        if len(kept) >= limit or len(hits) < n:
            return kept[:limit], clusters
        n *= 4
