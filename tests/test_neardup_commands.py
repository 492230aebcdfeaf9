"""What the commands show of near-duplicates: `show` lists an article's copies, `search --collapse`
gives one hit per cluster, `status` counts clusters, `export --canonical` one article per cluster."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.helpers import run_flow
from tests.neardup_helpers import syndicated, unrelated
from winnow.cli.main import app

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def loaded(raw_dir: Path, warehouse_file: Path) -> Path:
    syndicated(raw_dir, seed=3)
    for i in range(3):
        unrelated(raw_dir, i)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 6
    return warehouse_file


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_show_lists_the_copies_and_the_canonical_member(loaded: Path, raw_dir: Path) -> None:
    out = cli("show", "outlet-b/story-3.html", "--warehouse", str(loaded), "--raw", str(raw_dir))
    assert "near-duplicates: cluster" in out and "of 3 articles" in out
    assert "outlet-a/story-3.txt" in out and "outlet-c/story-3.md" in out and "canonical" in out
    data = json.loads(cli("show", "outlet-a/story-3.txt", "--format", "json", "--warehouse", str(loaded)))
    (cluster,) = data["near_duplicates"].values()
    assert cluster["articles"] == 3 and cluster["canonical_doc_id"] == data["articles"][0]["doc_id"]
    assert all(m["similarity"] is None or m["similarity"] >= 0.8 for m in cluster["members"])
    alone = json.loads(cli("show", "other/story-1.txt", "--format", "json", "--warehouse", str(loaded)))
    assert alone["near_duplicates"] == {}


def test_search_collapse_keeps_one_hit_per_cluster(loaded: Path) -> None:
    query = "Council Approves Plan For River Crossing"
    every = json.loads(cli("search", query, "--format", "json", "--warehouse", str(loaded)))
    collapsed = json.loads(cli("search", query, "--collapse", "--format", "json", "--warehouse", str(loaded)))
    story = [h for h in every if h["source_path"].startswith("outlet-")]
    assert len(story) == 3
    kept = [h for h in collapsed if h["source_path"].startswith("outlet-")]
    assert len(kept) == 1 and kept[0]["doc_id"] == story[0]["doc_id"] and kept[0]["cluster_size"] == 3
    assert "+ 2 near-duplicate copies" in cli("search", query, "--collapse", "--warehouse", str(loaded))


def test_status_counts_clusters(loaded: Path) -> None:
    assert "near-duplicates: 1 clusters holding 3 articles (2 copies" in cli(
        "status", "--warehouse", str(loaded)
    )
    info = json.loads(cli("status", "--format", "json", "--warehouse", str(loaded)))
    assert info["near_duplicates"]["clusters"] == 1 and info["near_duplicates"]["copies"] == 2


def test_export_canonical_keeps_one_article_per_cluster(loaded: Path, tmp_path: Path) -> None:
    cli("export", str(tmp_path / "all.parquet"), "--warehouse", str(loaded))
    cli("export", str(tmp_path / "one.parquet"), "--canonical", "--warehouse", str(loaded))
    cli(
        "export",
        str(tmp_path / "en.parquet"),
        "--canonical",
        "--where",
        "word_count > 0",
        "--warehouse",
        str(loaded),
    )
    every, canonical = pl.read_parquet(tmp_path / "all.parquet"), pl.read_parquet(tmp_path / "one.parquet")
    assert every.height == 6 and canonical.height == 4
    assert "outlet-a/story-3.txt" in canonical["source_path"].to_list()  # the earliest published
    assert pl.read_parquet(tmp_path / "en.parquet").height == 4
