"""Near-duplicate signatures and the warehouse index, on real DuckDB files (no flow here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from tests.neardup_helpers import story
from winnow.store import neardup
from winnow.store.dedup import Scheme, minhashes, shingle_hashes, sign
from winnow.store.neardup import (
    BUCKET_CAP,
    Index,
    NearDuplicates,
    band_keys,
    candidate_probability,
    similarity,
)
from winnow.store.warehouse import open_warehouse

BODY = "\n\n".join(story(5))


def test_signature_is_the_same_in_another_process() -> None:
    code = (
        "import json, sys; from winnow.store.dedup import sign, Scheme; "
        "f = sign(['x'], [sys.stdin.read()], Scheme()); "
        "print(json.dumps([f['shingles'][0], f['minhash'][0].hex()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], input=BODY, capture_output=True, text=True, check=True)
    here = sign(["x"], [BODY], Scheme())
    assert json.loads(out.stdout) == [here["shingles"][0], here["minhash"][0].hex()]


def test_wrapping_spacing_and_case_do_not_change_the_signature() -> None:
    words = BODY.split()
    rewrapped = "\n".join(" ".join(words[i : i + 11]) for i in range(0, len(words), 11))
    shouted = "   ".join(w.upper() for w in words)
    sigs = sign(["a", "b", "c"], [BODY, rewrapped, shouted], Scheme())
    assert sigs["minhash"].n_unique() == 1 and sigs["shingles"].n_unique() == 1


def test_word_order_matters_and_counts_are_distinct_shingles() -> None:
    hashes, counts = shingle_hashes(["a b c d e f g", "a b c d e a b c d e", "x y", ""], 5)
    assert counts.tolist() == [3, 6, 1, 0]
    _, distinct = minhashes(["a b c d e f g", "a b c d e a b c d e", "x y", ""], Scheme())
    assert distinct.tolist() == [3, 5, 1, 0]  # 'a b c d e' twice counts once
    assert sign(["e"], [""], Scheme()).height == 0  # no words, no signature
    reordered = " ".join(reversed(BODY.split()))
    a, b = minhashes([BODY, reordered], Scheme())[0]
    assert (a == b).mean() < 0.1


def test_unspaced_scripts_are_shingled_by_character() -> None:
    text = "東京都は新しい計画を発表した。住民は駅の近くに公園を望んでいる。" * 3
    hashes, counts = shingle_hashes([text], 5)
    assert counts[0] > 30


def test_similarity_estimates_follow_the_exact_sets() -> None:
    """Estimated Jaccard and share-of-the-shorter within MinHash's error of the exact values."""
    rng = np.random.default_rng(1)
    paras = [p for seed in range(40) for p in story(seed, paragraphs=2)]
    errors_j, errors_s = [], []
    for _ in range(60):
        a = list(rng.choice(len(paras), size=8, replace=False))
        b = a[: rng.integers(1, 8)] + list(rng.choice(len(paras), size=rng.integers(0, 8)))
        ta, tb = "\n\n".join(paras[i] for i in a), "\n\n".join(paras[i] for i in set(b))
        ha, ca = shingle_hashes([ta], 5)
        hb, cb = shingle_hashes([tb], 5)
        sa, sb = set(ha.tolist()), set(hb.tolist())
        exact_j = len(sa & sb) / len(sa | sb)
        exact_s = len(sa & sb) / min(len(sa), len(sb))
        sig, size = minhashes([ta, tb], Scheme(num_perm=128))
        s, j = similarity(sig[:1], sig[1:], size[:1].astype(float), size[1:].astype(float))
        errors_j.append(abs(j[0] - exact_j))
        errors_s.append(abs(s[0] - exact_s))
    assert np.mean(errors_j) < 0.03 and np.max(errors_j) < 0.15
    assert np.mean(errors_s) < 0.06


def test_bands_catch_similar_pairs_more_than_dissimilar_ones() -> None:
    assert candidate_probability(0.5, 64, 2) > 0.99
    assert candidate_probability(0.02, 64, 2) < 0.03
    sig = np.arange(256, dtype=np.uint32).reshape(2, 128)
    keys = band_keys(sig, 64, 2)
    assert keys.shape == (2, 64) and len(set(keys.ravel().tolist())) == 128
    with pytest.raises(ValueError, match="must divide"):
        Index(Scheme(num_perm=128), bands=48)


def make_docs() -> dict[str, str]:
    """Three stories, two copies of the first (one trimmed, one with a note), and a chain: A and B
    share 4 of their 6 paragraphs, B and C too, A and C only 2."""
    one = story(11)
    chain = story(12, paragraphs=12)
    return {
        "one": "\n\n".join(one),
        "one-trimmed": "\n\n".join(one[1:]),
        "one-noted": "\n\n".join(one + ["Editor's note: an earlier version misspelt a name."]),
        "two": "\n\n".join(story(13)),
        "three": "\n\n".join(story(14)),
        "chain-a": "\n\n".join(chain[:6]),
        "chain-b": "\n\n".join(chain[2:8]),
        "chain-c": "\n\n".join(chain[4:10]),
    }


def index_into(
    path: Path, docs: dict[str, str], order: list[str], index: Index, batch: int = 3
) -> NearDuplicates:
    con = open_warehouse(path)
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "t", index, path.parent / f".{path.name}.staging-neardup", lookup_rows=batch)
    near.prepare()
    for start in range(0, len(order), batch):
        keys = order[start : start + batch]
        frame = sign(keys, [docs[k] for k in keys], index.scheme)
        near.add(frame.with_columns(pl.col("doc_id").alias("source_path")))
    near.finish()
    con.execute("COMMIT")
    con.close()
    return near


def graph(path: Path) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        edges = {
            frozenset(e) for e in con.execute("SELECT doc_id, of_doc_id FROM near_duplicates").fetchall()
        }
        groups = con.execute("SELECT list(doc_id) FROM near_dup_clusters GROUP BY cluster_id").fetchall()
    finally:
        con.close()
    return edges, {frozenset(g[0]) for g in groups}


def test_copies_are_found_within_a_batch_and_across_batches(tmp_path: Path) -> None:
    docs = make_docs()
    near = index_into(tmp_path / "w.duckdb", docs, list(docs), Index(threshold=0.8))
    edges, clusters = graph(tmp_path / "w.duckdb")
    assert frozenset({"one", "one-trimmed"}) in edges  # same batch
    assert frozenset({"one", "one-noted"}) in edges  # across batches
    assert {"one", "one-trimmed", "one-noted"} in clusters
    assert not any({"two", "three"} & c for c in clusters)
    assert near.done.signed == len(docs)
    assert not list(tmp_path.glob(".w.duckdb.staging-neardup*"))  # staging removed at finish


def test_the_result_does_not_depend_on_arrival_order(tmp_path: Path) -> None:
    docs = make_docs()
    keys = list(docs)
    index_into(tmp_path / "a.duckdb", docs, keys, Index(threshold=0.5), batch=2)
    index_into(tmp_path / "b.duckdb", docs, keys[::-1], Index(threshold=0.5), batch=5)
    assert graph(tmp_path / "a.duckdb") == graph(tmp_path / "b.duckdb")
    _, clusters = graph(tmp_path / "a.duckdb")
    assert {"chain-a", "chain-b", "chain-c"} in clusters  # a chain is one cluster


def test_forgetting_the_middle_of_a_chain_splits_its_cluster(tmp_path: Path) -> None:
    docs = make_docs()
    path = tmp_path / "w.duckdb"
    index_into(path, docs, list(docs), Index(threshold=0.5))
    con = duckdb.connect(str(path))
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "t2", Index(threshold=0.5), None)
    near.prepare()
    near.forget(["chain-b"])
    near.finish()
    con.execute("COMMIT")
    con.close()
    edges, clusters = graph(path)
    assert not any("chain-b" in e for e in edges)
    assert not any("chain-b" in c or {"chain-a", "chain-c"} <= c for c in clusters)
    assert {"one", "one-trimmed", "one-noted"} in clusters  # untouched


def test_a_rolled_back_run_leaves_nothing(tmp_path: Path) -> None:
    docs = make_docs()
    path = tmp_path / "w.duckdb"
    index_into(path, docs, ["one", "two"], Index())
    before = graph(path)
    con = duckdb.connect(str(path))
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "t2", Index(), tmp_path / ".w.duckdb.staging-neardup", lookup_rows=1)
    near.prepare()
    near.add(sign(["one-noted"], [docs["one-noted"]], Scheme()).with_columns(source_path=pl.lit("x")))
    assert list(tmp_path.glob(".w.duckdb.staging-neardup*"))
    near.discard()
    con.execute("ROLLBACK")
    con.close()
    assert graph(path) == before
    assert not list(tmp_path.glob(".w.duckdb.staging-neardup*"))


@pytest.mark.parametrize(
    ("changed", "how"),
    [(Index(threshold=0.5), "re-indexed"), (Index(Scheme(shingle_size=4), threshold=0.6), "re-signed")],
)
def test_changed_settings_rebuild_the_index_as_a_fresh_one(tmp_path: Path, changed: Index, how: str) -> None:
    docs = make_docs()
    path = tmp_path / "w.duckdb"
    index_into(path, docs, list(docs), Index(threshold=0.9))
    con = duckdb.connect(str(path))
    # the articles the re-signing reads its bodies from
    con.execute(
        "INSERT INTO articles (doc_id, source_path, authors, word_count, body, content_hash, format, run_id, "
        "ingested_at) SELECT unnest(?), unnest(?), [], 1, unnest(?), 'h', 'txt', 't', now()",
        [list(docs), list(docs), list(docs.values())],
    )
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "t2", changed, tmp_path / ".w.duckdb.staging-neardup")
    near.prepare()
    con.execute("COMMIT")
    con.close()
    assert near.done.rebuilt == how
    index_into(tmp_path / "fresh.duckdb", docs, list(docs), changed)
    assert graph(path) == graph(tmp_path / "fresh.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT doc_id) FROM near_dup_signatures").fetchall() == [
        (8, 8)
    ]
    con.close()


def scored_pairs(path: Path) -> list[tuple[str, str, float, float]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT doc_id, of_doc_id, similarity, jaccard FROM near_duplicates ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_scoring_in_parts_finds_the_same_pairs_as_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lookup reads the earlier articles' signatures STORED_CHUNK at a time and scores the pairs
    SCORE_CHUNK at a time: with parts of one or two (every earlier article read apart: from the
    committed table, this run's staged lookups and the lookup's own) the pairs, their direction and
    their figures are those of one part holding everything."""
    docs = make_docs()
    docs.update({f"one-copy-{i}": "\n\n".join([*story(11), f"Reported from desk {i}."]) for i in range(6)})
    keys = list(docs)
    first, second = keys[::2], keys[1::2]  # the second run finds copies in the committed table

    def run(path: Path) -> None:
        index_into(path, docs, first, Index(threshold=0.5), batch=3)
        index_into(path, docs, second, Index(threshold=0.5), batch=4)

    run(tmp_path / "whole.duckdb")
    whole = scored_pairs(tmp_path / "whole.duckdb")
    monkeypatch.setattr(neardup, "STORED_CHUNK", 1)
    monkeypatch.setattr(neardup, "SCORE_CHUNK", 2)
    run(tmp_path / "parts.duckdb")
    assert scored_pairs(tmp_path / "parts.duckdb") == whole
    assert len(whole) > 20 and {"one-copy-0", "one-copy-5"} <= {p[0] for p in whole} | {p[1] for p in whole}


def bucket_sizes(path: Path) -> list[int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT count(*) FROM near_dup_bands GROUP BY band_key").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def test_a_crowded_bucket_holds_its_first_articles_and_later_copies_still_join(tmp_path: Path) -> None:
    """120 copies of one story: every band key is shared by all of them. A bucket keeps its first
    BUCKET_CAP; the copies after that are still compared with those and join the one cluster."""
    common = story(21)
    copies = BUCKET_CAP + 70
    docs = {f"copy-{i:03d}": "\n\n".join([*common, f"Reported from desk {i}."]) for i in range(copies)}
    near = index_into(tmp_path / "w.duckdb", docs, list(docs), Index(), batch=40)
    sizes = bucket_sizes(tmp_path / "w.duckdb")
    assert max(sizes) == BUCKET_CAP
    assert near.done.capped > 0 and near.done.signed == copies
    edges, clusters = graph(tmp_path / "w.duckdb")
    assert clusters == {frozenset(docs)}
    assert any(f"copy-{copies - 1:03d}" in e for e in edges)  # the last copy found its earlier ones


def test_common_text_in_every_article_stays_within_a_small_memory_limit(tmp_path: Path) -> None:
    """3,000 articles that all carry one long stock paragraph (every one a candidate of every other
    when buckets were unbounded: a join that grew with the square of the corpus and ran out of
    DuckDB memory) index under a 20 MB limit, and each finds copies among the bucket's holders."""
    stock = " ".join(story(31, paragraphs=3))
    n = 3_000
    docs = {f"a{i:05d}": stock + "\n\n" + " ".join(story(1000 + i, paragraphs=1, words=40)) for i in range(n)}
    path = tmp_path / "w.duckdb"
    con = open_warehouse(path)
    con.execute("SET memory_limit = '20MB'")
    con.execute("SET threads = 1")
    con.execute("BEGIN TRANSACTION")
    near = NearDuplicates(con, "t", Index(), path.parent / ".w.staging-neardup", lookup_rows=1_000)
    near.prepare()
    keys = list(docs)
    for start in range(0, n, 500):
        part = keys[start : start + 500]
        frame = sign(part, [docs[k] for k in part], Scheme())
        near.add(frame.with_columns(pl.col("doc_id").alias("source_path")))
    near.finish()
    con.execute("COMMIT")
    con.close()
    assert near.done.signed == n
    assert max(bucket_sizes(path)) <= BUCKET_CAP
    assert near.done.pairs >= n - 1  # every article after the first is a copy of an earlier one


def test_migration_trims_an_older_warehouse_s_buckets_to_the_cap(tmp_path: Path) -> None:
    """A warehouse indexed before buckets were capped holds them whole; migration 011 keeps each
    bucket's first BUCKET_CAP articles (by sig_key), as a fresh index would."""
    path = tmp_path / "w.duckdb"
    open_warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO near_dup_bands SELECT 7, i FROM range(?) r(i)", [BUCKET_CAP + 30])
    con.execute("INSERT INTO near_dup_bands SELECT 8, i FROM range(3) r(i)")
    con.execute("DELETE FROM schema_version WHERE version = 11")
    con.close()
    open_warehouse(path).close()
    con = duckdb.connect(str(path), read_only=True)
    kept = con.execute(
        "SELECT band_key, list(sig_key ORDER BY sig_key) FROM near_dup_bands GROUP BY 1 ORDER BY 1"
    )
    assert kept.fetchall() == [(7, list(range(BUCKET_CAP))), (8, [0, 1, 2])]
    con.close()
