"""Full-text search: tokenising (non-English too), BM25 ranking, filters, updates and deletes of the
incremental index, an empty warehouse, and the samples' done-when queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner
from winnow.schemas.columns import REJECTION_FRAME, SEGMENT_FRAME

from tests.helpers import article_text, run_flow
from tests.search_helpers import article_frames, article_row, load_rows
from winnow.cli.main import app
from winnow.records import RunSummary
from winnow.store.loader import Loader
from winnow.store.search import query_terms, search, snippets
from winnow.store.warehouse import open_warehouse

FILLER = "The council discussed the budget for parks and libraries at length on Tuesday evening. "


def hits(warehouse: Path, query: str, **kw: object) -> list[str]:
    con = open_warehouse(warehouse, read_only=True)
    try:
        return [h.source_path for h in search(con, query, **kw)]  # type: ignore[arg-type]
    finally:
        con.close()


def test_tokens_fold_case_and_latin_accents_but_keep_other_scripts_marks() -> None:
    assert query_terms("École CAFÉ naïve Ærøskøbing") == ["ecole", "cafe", "naive", "ærøskøbing"]
    assert query_terms("Ελληνικά άλφα") == ["ελληνικα", "αλφα"]
    assert query_terms("Москва йод") == ["москва", "йод"]  # й is a letter of its own: kept
    assert query_terms("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # Devanagari vowel signs kept
    assert query_terms("Kyiv's 2025 a") == ["kyiv", "2025"]  # one-letter words are not indexed


def test_cjk_and_thai_become_overlapping_bigrams() -> None:
    assert sorted(query_terms("東京都")) == sorted(["東京", "京都"])
    assert sorted(query_terms("東京都に行きます")) == sorted(
        ["東京", "京都", "都に", "に行", "行き", "きま", "ます"]
    )
    assert sorted(query_terms("서울특별시")) == sorted(["서울", "울특", "특별", "별시"])
    assert sorted(query_terms("ภาษาไทย")) == sorted(["ภา", "าษ", "ษา", "าไ", "ไท", "ทย"])
    assert query_terms("猫") == ["猫"]
    assert sorted(query_terms("Tokyo 東京 2025")) == sorted(["tokyo", "東京", "2025"])


def test_ranking_follows_term_frequency_rarity_and_title(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row("many.txt", "Parks", FILLER * 3 + "heron " * 5 + "egret"),
            article_row("once.txt", "Parks", FILLER * 3 + "a heron was seen"),
            article_row("title.txt", "The Heron Returns", FILLER * 3 + "a heron was seen"),
            article_row("none.txt", "Parks", FILLER * 4),
        ],
    )
    assert hits(wh, "heron") == ["many.txt", "title.txt", "once.txt"]
    # the rare word decides over the common one
    assert hits(wh, "egret council")[0] == "many.txt"
    assert set(hits(wh, "council")) == {"many.txt", "once.txt", "title.txt", "none.txt"}
    assert hits(wh, "heron", limit=1) == ["many.txt"]


def test_filters_language_dates_author_publisher(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row(
                "en-old.txt", "Harbour", FILLER + "harbour", published_at=datetime(2024, 1, 5, tzinfo=UTC)
            ),
            article_row(
                "en-new.txt",
                "Harbour",
                FILLER + "harbour",
                authors=["Ann Smith", "Bob Stone"],
                publisher="The Post",
                published_at=datetime(2025, 3, 1, 23, 0, tzinfo=UTC),
            ),
            article_row(
                "fr.txt",
                "Port",
                "Le port harbour est calme.",
                language="fr",
                published_at=datetime(2023, 2, 1, tzinfo=UTC),
            ),
        ],
    )
    assert set(hits(wh, "harbour")) == {"en-old.txt", "en-new.txt", "fr.txt"}
    assert hits(wh, "harbour", language="fr") == ["fr.txt"]
    assert set(hits(wh, "harbour", since=date(2025, 1, 1))) == {"en-new.txt"}
    assert hits(wh, "harbour", until=date(2024, 12, 31), since=date(2024, 1, 1)) == ["en-old.txt"]
    assert set(hits(wh, "harbour", until=date(2024, 12, 31))) == {"en-old.txt", "fr.txt"}
    assert hits(wh, "harbour", until=date(2025, 3, 1), since=date(2025, 3, 1)) == ["en-new.txt"]
    assert hits(wh, "harbour", author="stone") == ["en-new.txt"]
    assert hits(wh, "harbour", author="nobody") == []
    assert hits(wh, "harbour", publisher="the post") == ["en-new.txt"]


def test_non_english_documents_are_found(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row(
                "fr.txt",
                "La réforme des retraites",
                "Le gouvernement présente l'École publique.",
                language="fr",
            ),
            article_row("zh.txt", "东京都的新闻", "东京都政府今天宣布了新的交通计划。", language="zh-cn"),
            article_row("ja.txt", "ニュース", "京都の天気は晴れです。", language="ja"),
            article_row("ru.txt", "Новости", "Правительство Москвы объявило о новом плане.", language="ru"),
            article_row(
                "el.txt", "Ειδήσεις", "Η κυβέρνηση ανακοίνωσε νέο σχέδιο για την Αθήνα.", language="el"
            ),
        ],
    )
    assert hits(wh, "reforme ecole") == ["fr.txt"]  # accents folded both ways
    assert hits(wh, "RÉFORME") == ["fr.txt"]
    assert hits(wh, "交通计划") == ["zh.txt"]
    assert hits(wh, "東京") == []  # 東 (traditional and Japanese) is not 东 (simplified)
    assert hits(wh, "东京") == ["zh.txt"]
    assert hits(wh, "天気") == ["ja.txt"]
    assert set(hits(wh, "京都")) == {"ja.txt", "zh.txt"}  # 东京都 holds the bigram 京都 too
    assert hits(wh, "москвы") == ["ru.txt"]
    assert hits(wh, "αθηνα") == ["el.txt"]


def test_replaced_and_reloaded_documents_leave_no_stale_terms(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    load_rows(wh, [article_row("a.txt", "Old", FILLER + "platypus"), article_row("b.txt", "B", FILLER)])
    assert hits(wh, "platypus") == ["a.txt"]
    load_rows(wh, [article_row("a.txt", "New", FILLER + "wombat")], run_id="run-2")
    assert hits(wh, "platypus") == []
    assert hits(wh, "wombat") == ["a.txt"]
    con = open_warehouse(wh, read_only=True)
    try:
        docs = con.execute("SELECT count(*), count(DISTINCT doc_id) FROM search_docs").fetchall()
        postings = con.execute(
            "SELECT count(*) FROM search_postings p ANTI JOIN ("
            "  SELECT d.doc_key FROM search_docs d JOIN articles a USING (doc_id)"
            ") k USING (doc_key)"
        ).fetchall()
    finally:
        con.close()
    assert docs == [(2, 2)] and postings == [(0,)]


def test_index_rows_wait_on_disk_until_the_end_of_the_run(tmp_path: Path) -> None:
    """The run's index rows are staged as Parquet beside the warehouse, not appended to the open
    transaction (which DuckDB keeps in memory until commit), and land in it at the end."""
    wh = tmp_path / "w.duckdb"
    open_warehouse(wh).close()
    load_rows(wh, [article_row("a.txt", "Old", FILLER + "platypus")])
    batches = [
        [article_row("a.txt", "New", FILLER + "wombat"), article_row("b.txt", "Bee", FILLER + "numbat")],
        [article_row("c.txt", "Sea", FILLER + "quokka wombat")],
    ]
    con = open_warehouse(wh)
    try:
        loader = Loader(con, "run-2")
        loader.begin()
        for batch in batches:
            articles, sources = article_frames(batch)
            loader.load(
                articles,
                pl.DataFrame(schema=SEGMENT_FRAME),
                pl.DataFrame(schema=REJECTION_FRAME),
                sources,
                {},
            )
        staged = sorted(
            p.relative_to(tmp_path).as_posix() for p in tmp_path.glob(".w.duckdb.staging-*/search_*/*")
        )
        assert [s.split("/", 1)[1] for s in staged] == [
            "search_docs/000001.parquet",
            "search_docs/000004.parquet",
            "search_postings/000002.parquet",
            "search_postings/000005.parquet",
        ]
        # a.txt's old entry is gone already; the new rows are not in the tables yet
        assert con.execute("SELECT count(*) FROM search_docs").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM search_postings").fetchall() == [(0,)]
        loader.record_run(RunSummary(loader.run_id, "completed", datetime.now(UTC), loaded=3))
        loader.commit()
        postings = con.execute("SELECT term, doc_key FROM search_postings ORDER BY rowid").fetchall()
        keys = con.execute("SELECT doc_key FROM search_docs ORDER BY rowid").fetchall()
    finally:
        con.close()
    assert not list(tmp_path.glob(".w.duckdb.staging-*"))
    assert hits(wh, "platypus") == []
    assert sorted(hits(wh, "wombat")) == ["a.txt", "c.txt"] and hits(wh, "numbat") == ["b.txt"]
    # each batch's postings are one run sorted by term, in the order the batches were loaded
    first = {k for (k,) in keys[:2]}
    split = next(i for i, (_, k) in enumerate(postings) if k not in first)
    for part in (postings[:split], postings[split:]):
        assert [t for t, _ in part] == sorted(t for t, _ in part)
    assert {k for _, k in postings[split:]} == {keys[2][0]}


def test_empty_warehouse_finds_nothing(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    open_warehouse(wh).close()
    assert hits(wh, "anything at all") == []
    assert hits(wh, "   ...  ") == []  # no terms in the query
    result = CliRunner().invoke(app, ["search", "anything", "--warehouse", str(wh)])
    assert result.exit_code == 0 and "no articles match" in result.output


@pytest.mark.integration
def test_samples_done_when(prefect_harness: None, sample_raw: Path, warehouse_file: Path) -> None:
    run_flow(sample_raw, warehouse_file)
    assert hits(warehouse_file, "guarantees Kyiv")[0] == "yahoo-bulwark-security-guarantees.txt"
    runner = CliRunner()
    found = runner.invoke(app, ["search", "guarantees Kyiv", "--warehouse", str(warehouse_file)])
    assert found.exit_code == 0, found.output
    assert found.output.lstrip().startswith("1. Security Guarantees for Ukraine")
    assert "Dalibor Rohac" in found.output and "2025-12-23" in found.output and "score" in found.output
    nothing = runner.invoke(app, ["search", "xylophonequark", "--warehouse", str(warehouse_file)])
    assert nothing.exit_code == 0 and "no articles match" in nothing.output
    as_json = runner.invoke(app, ["search", "retraites", "--format", "json", "-w", str(warehouse_file)])
    assert as_json.exit_code == 0
    assert '"source_path": "lemonde-style-french.txt"' in as_json.output
    assert "**retraites**" in as_json.output  # the snippet marks the match


@pytest.mark.integration
def test_changed_file_through_the_flow_reindexes(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    import os

    path = raw_dir / "story.txt"
    path.write_text(article_text(title="Aardvarks Visit the Parks Committee"))
    run_flow(raw_dir, warehouse_file)
    assert hits(warehouse_file, "aardvarks") == ["story.txt"]
    path.write_text(article_text(title="Pangolins Visit the Parks Committee"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    run_flow(raw_dir, warehouse_file)
    assert hits(warehouse_file, "aardvarks") == []
    assert hits(warehouse_file, "pangolins") == ["story.txt"]


def test_snippet_takes_the_best_paragraph_and_marks_the_matches() -> None:
    body = "Nothing to see here.\n\nOnly a heron.\n\nThe Héron and the egret met."
    assert snippets([body], ["heron", "egret"]) == ["The **Héron** and the **egret** met."]
    long = " ".join(["filler"] * 100) + " the egret landed " + " ".join(["filler"] * 100)
    (cut,) = snippets([long], ["egret"], width=80)
    assert cut.startswith("…") and cut.endswith("…") and "**egret**" in cut and len(cut) < 130
    assert snippets(["东京都政府今天宣布"], ["东京"]) == ["**东京都政府今天宣布**"]
    assert snippets(["No match at all."], ["heron"]) == ["No match at all."]
