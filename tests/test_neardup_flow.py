"""Near-duplicates through real flow runs on real DuckDB files: copies across formats are loaded and
clustered, and the clusters stay right across runs that add, change and delete files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import rows, run_flow
from tests.neardup_helpers import as_text, story, syndicated, unrelated, write

pytestmark = pytest.mark.usefixtures("prefect_harness")


def pairs(warehouse: Path) -> set[frozenset[str]]:
    got = rows(
        warehouse,
        "SELECT a.source_path, b.source_path FROM near_duplicates n "
        "JOIN articles a ON a.doc_id = n.doc_id JOIN articles b ON b.doc_id = n.of_doc_id",
    )
    return {frozenset(p) for p in got}


def clusters(warehouse: Path) -> set[frozenset[str]]:
    got = rows(
        warehouse,
        "SELECT list(a.source_path) FROM near_dup_clusters c JOIN articles a USING (doc_id) "
        "GROUP BY cluster_id",
    )
    return {frozenset(r[0]) for r in got}


def test_copies_in_three_formats_are_loaded_and_clustered(raw_dir: Path, warehouse_file: Path) -> None:
    syndicated(raw_dir)
    for i in range(3):
        unrelated(raw_dir, i)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 6 and summary.duplicates == 1
    status = dict(rows(warehouse_file, "SELECT path, status FROM sources"))
    assert status["outlet-d/story-1.txt"] == "duplicate"  # byte-identical: today's behaviour
    assert {
        status["outlet-a/story-1.txt"],
        status["outlet-b/story-1.html"],
        status["outlet-c/story-1.md"],
    } == {"loaded"}
    assert clusters(warehouse_file) == {
        frozenset({"outlet-a/story-1.txt", "outlet-b/story-1.html", "outlet-c/story-1.md"})
    }
    canonical = rows(
        warehouse_file,
        "SELECT DISTINCT a.source_path FROM article_clusters c "
        "JOIN articles a ON a.doc_id = c.canonical_doc_id WHERE c.cluster_size > 1",
    )
    assert canonical == [("outlet-a/story-1.txt",)]  # earliest published


def partition(warehouse: Path, live_only: bool = False) -> set[frozenset[str]]:
    """Clusters as sets of source paths (cluster ids depend on doc ids only, paths read better)."""
    cond = "WHERE s.status <> 'deleted'" if live_only else ""
    query = (
        "SELECT list(a.source_path) FROM near_dup_clusters c JOIN articles a USING (doc_id) "  # noqa: S608
        f"JOIN sources s ON s.doc_id = a.doc_id {cond} GROUP BY c.cluster_id"
    )
    got = rows(warehouse, query)
    return {frozenset(r[0]) for r in got if len(r[0]) > 1}


def index_rows(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: rows(warehouse, f"SELECT * FROM {t} ORDER BY ALL")  # noqa: S608 - fixed names
        for t in (
            "near_dup_signatures",
            "near_dup_bands",
            "near_duplicates",
            "near_dup_clusters",
            "near_dup_state",
        )
    }


def same_as_fresh(raw: Path, warehouse: Path, tmp: Path) -> None:
    """The incrementally kept pairs and clusters equal those of one run on raw/ as it is now."""
    fresh = tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}.duckdb"
    run_flow(raw, fresh)
    assert pairs(warehouse) == pairs(fresh)
    assert partition(warehouse) == partition(fresh)
    # every article is signed once, and only articles are
    assert rows(
        warehouse, "SELECT count(*) FROM near_dup_signatures s ANTI JOIN articles a USING (doc_id)"
    ) == [(0,)]
    assert rows(
        warehouse, "SELECT count(*) FROM articles a ANTI JOIN near_dup_signatures s USING (doc_id)"
    ) == [(0,)]
    assert rows(warehouse, "SELECT count(*) - count(DISTINCT doc_id) FROM near_dup_signatures") == [(0,)]


def test_runs_that_add_change_and_remove_keep_clusters_as_one_fresh_run(
    raw_dir: Path, warehouse_file: Path, tmp_path: Path
) -> None:
    a = syndicated(raw_dir, seed=1)
    syndicated(raw_dir, seed=2)
    for i in range(3):
        unrelated(raw_dir, i)
    run_flow(raw_dir, warehouse_file)
    first = partition(warehouse_file)
    assert len(first) == 2
    same_as_fresh(raw_dir, warehouse_file, tmp_path)

    # add: a fourth outlet's copy of story 1 joins its cluster; a new unrelated story stays alone
    paras = story(1)
    write(
        raw_dir,
        "outlet-e/copy.txt",
        as_text("Council Approves Plan", "A. Lovelace", "March 6, 2026", paras[1:]),
    )
    unrelated(raw_dir, 7)
    run_flow(raw_dir, warehouse_file)
    story_one = next(c for c in partition(warehouse_file) if "outlet-a/story-1.txt" in c)
    assert "outlet-e/copy.txt" in story_one and len(story_one) == 4
    same_as_fresh(raw_dir, warehouse_file, tmp_path)

    # change: the HTML copy becomes another story (leaves the cluster); an unrelated story is
    # rewritten as a copy of story 2 (joins that one)
    a["html"].write_text(a["html"].read_text("utf-8").replace(paras[0], " ".join(story(555))), "utf-8")
    a["html"].write_text(
        "<html><body><article><h1>Other</h1>"
        + "".join(f"<p>{p}</p>" for p in story(556))
        + "</article></body></html>",
        "utf-8",
    )
    two = story(2)
    write(
        raw_dir,
        "other/story-0.txt",
        as_text("Rewritten", "G. Hopper", "March 7, 2026", two + ["Corrected on Friday."]),
    )
    run_flow(raw_dir, warehouse_file)
    after = partition(warehouse_file)
    assert not any("outlet-b/story-1.html" in c for c in after)
    assert any({"other/story-0.txt", "outlet-a/story-2.txt"} <= c for c in after)
    same_as_fresh(raw_dir, warehouse_file, tmp_path)

    # remove: a changed JSONL file drops a record that was a copy (the article goes, and its pairs)
    import json

    records = [
        {"title": "Wire copy", "text": "\n\n".join(story(2)[:-1]), "date": "2026-03-08"},
        {"title": "Unrelated wire", "text": "\n\n".join(story(4242)), "date": "2026-03-08"},
    ]
    feed = write(raw_dir, "feeds/wire.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    run_flow(raw_dir, warehouse_file)
    assert any("feeds/wire.jsonl" in c for c in partition(warehouse_file))
    feed.write_text(json.dumps(records[1]) + "\n", "utf-8")
    run_flow(raw_dir, warehouse_file)
    assert not any("feeds/wire.jsonl" in c for c in partition(warehouse_file))
    same_as_fresh(raw_dir, warehouse_file, tmp_path)

    # delete: a vanished file's article is kept (as every article is), and so is its place in its
    # cluster; the live articles' clusters are those of a fresh run
    (raw_dir / "outlet-e" / "copy.txt").unlink()
    before = partition(warehouse_file)
    run_flow(raw_dir, warehouse_file)
    assert partition(warehouse_file) == before
    fresh = tmp_path / "fresh-after-delete.duckdb"
    run_flow(raw_dir, fresh)
    assert partition(warehouse_file, live_only=True) == partition(fresh)


def test_unchanged_rerun_leaves_the_index_untouched(raw_dir: Path, warehouse_file: Path) -> None:
    syndicated(raw_dir)
    unrelated(raw_dir, 1)
    run_flow(raw_dir, warehouse_file)
    before = index_rows(warehouse_file)
    second = run_flow(raw_dir, warehouse_file)
    assert second.files_unchanged == 5
    assert index_rows(warehouse_file) == before
    assert "near_dups" not in second.stage_seconds


@pytest.mark.slow
def test_a_run_killed_with_its_index_updated_leaves_the_index_as_before(
    raw_dir: Path, warehouse_file: Path
) -> None:
    from tests.test_crash import kill_at

    syndicated(raw_dir, seed=1)
    unrelated(raw_dir, 1)
    run_flow(raw_dir, warehouse_file)
    before = index_rows(warehouse_file)
    syndicated(raw_dir, seed=2)  # new copies; and a changed file, now a copy of another story
    unrelated(raw_dir, 1, name="outlet-b/story-1.html")
    kill_at("near_dups", raw_dir, warehouse_file)
    assert index_rows(warehouse_file) == before
    run_flow(raw_dir, warehouse_file)
    assert not list(warehouse_file.parent.glob(".*staging*"))  # the killed run's shards are gone
    assert partition(warehouse_file) == {
        frozenset({"outlet-a/story-1.txt", "outlet-c/story-1.md"}),
        frozenset({"outlet-a/story-2.txt", "outlet-b/story-2.html", "outlet-c/story-2.md"}),
        frozenset({"other/story-1.txt", "outlet-b/story-1.html"}),
    }
