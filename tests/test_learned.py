"""Learned boilerplate through real flow runs: counts per source in the warehouse, never from copies."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import article_text, assert_accounting, rows, run_flow
from winnow.clean.learned import LearnedState, fingerprint, learn_and_remove, source_key
from winnow.clean.lines import clean_lines
from winnow.clean.rules import _parse_pack
from winnow.records import Document

pytestmark = pytest.mark.integration
PLUG = "Support independent reporting from the valley this winter"


def article_with_plug(salt: str) -> str:
    text = article_text(salt=salt)
    lines = text.split("\n")
    lines.insert(7, PLUG)  # inside the body, between paragraphs: no rule names it
    return "\n".join(lines)


def write(folder: Path, names: list[str], salt_of: dict[str, str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.txt").write_text(article_with_plug((salt_of or {}).get(name, name)), "utf-8")


def bodies_with_plug(warehouse: Path, prefix: str) -> int:
    return rows(
        warehouse,
        "SELECT count(*) FROM articles WHERE source_path LIKE ? AND contains(body, ?)",
        [f"{prefix}%", PLUG],
    )[0][0]


def test_lines_recurring_across_distinct_articles_are_learned_across_runs(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    write(raw_dir / "valley", [f"a{i}" for i in range(4)])
    write(raw_dir / "other", [f"b{i}" for i in range(7)])
    run_flow(raw_dir, warehouse_file)
    assert bodies_with_plug(warehouse_file, "valley/") == 4  # 4 < 6 distinct articles: kept
    assert bodies_with_plug(warehouse_file, "other/") == 0  # 7 distinct articles of that folder: learned
    write(raw_dir / "valley", [f"a{i}" for i in range(4, 7)])
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 3
    # The warehouse remembered 4 articles; with 3 more the line is learned for the new ones.
    assert rows(
        warehouse_file,
        "SELECT count(*) FROM articles WHERE source_path IN ('valley/a4.txt', 'valley/a5.txt', "
        "'valley/a6.txt') AND contains(body, ?)",
        [PLUG],
    ) == [(0,)]
    learned = rows(
        warehouse_file,
        "SELECT DISTINCT r.category, r.rule_id FROM removed_segments r WHERE r.text = ?",
        [PLUG],
    )
    assert learned == [("learned", "learned")]
    assert rows(
        warehouse_file, "SELECT source, documents FROM learned_lines WHERE text = ? ORDER BY 1", [PLUG]
    ) == [
        ("other/", 7),
        ("valley/", 7),
    ]
    assert_accounting(raw_dir, warehouse_file)

    from winnow.cli.main import app

    result = CliRunner().invoke(app, ["rules", "candidates", "-w", str(warehouse_file), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert PLUG in result.output and '"documents": 7' in result.output
    toml = CliRunner().invoke(app, ["rules", "candidates", "-w", str(warehouse_file), "-f", "toml"])
    assert (
        toml.exit_code == 0
        and 'category = "learned"' in toml.output
        and 'paths = ["valley/*"]' in toml.output
    )
    # The printed pack is a valid rule pack whose rules remove the line, only under its folder.
    pack, _ = _parse_pack(toml.output, "candidates.toml")
    assert clean_lines([PLUG], [r for r in pack if r.applies_to("valley/new.txt")])[0] == []
    assert clean_lines([PLUG], [r for r in pack if r.applies_to("elsewhere.txt")])[0] == [0]


def test_copies_of_one_article_never_teach(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    write(raw_dir / "mirror", [f"copy{i}" for i in range(9)], {f"copy{i}": "same" for i in range(9)})
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 1 and summary.duplicates == 8
    assert bodies_with_plug(warehouse_file, "mirror/") == 1
    assert rows(warehouse_file, "SELECT max(documents) FROM learned_lines") == [(1,)]


def test_learning_is_per_source_and_bounded_by_length() -> None:
    docs = []
    for i in range(6):
        doc = Document(source_path=f"a{i}.txt", url=f"https://www.site{i % 2}.example/{i}", header_found=True)
        doc.lines = [f"A long enough unique article sentence number {i} with many words in it today.", PLUG]
        docs.append(doc)
    assert source_key(docs[0]) == "site0.example"
    learn_and_remove(docs, LearnedState(), min_documents=3, max_words=40)
    assert all(s.category == "learned" for d in docs for s in d.removed)
    assert all(len(d.removed) == 1 for d in docs)  # 3 per host: exactly the threshold
    fresh = [Document(source_path="x.txt", url=d.url, lines=list(d.lines), header_found=True) for d in docs]
    learn_and_remove(fresh, LearnedState(), min_documents=4, max_words=40)
    assert not any(d.removed for d in fresh)
    short = [Document(source_path="y.txt", url=d.url, lines=list(d.lines), header_found=True) for d in docs]
    learn_and_remove(short, LearnedState(), min_documents=3, max_words=5)
    assert not any(d.removed for d in short)  # the plug is longer than max_words
    assert fingerprint(docs[0].lines) != fingerprint(docs[1].lines)


def test_observations_wait_on_disk_and_are_recorded_once_each(tmp_path: Path) -> None:
    """A run's observations are staged beside the warehouse and inserted at its end: one row per
    (source, line, article), keeping the text of the first batch that saw it, and none that an
    earlier run recorded."""
    import polars as pl
    from winnow.schemas.columns import OBSERVATION_FRAME

    from winnow.store.loader import Loader
    from winnow.store.warehouse import open_warehouse

    def obs(*rows: tuple[str, str, str, str]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema=OBSERVATION_FRAME, orient="row")

    wh = tmp_path / "w.duckdb"
    con = open_warehouse(wh)
    try:
        first = Loader(con, "run-1")
        first.begin()
        first.add_observations(obs(("s/", "h1", "fp1", "Old text")))
        first.commit()
        loader = Loader(con, "run-2")
        loader.begin()
        state = loader.learned_state()
        loader.add_observations(obs(("s/", "h1", "fp1", "Again"), ("s/", "h2", "fp1", "First seen")))
        loader.add_observations(obs(("s/", "h2", "fp1", "first  SEEN"), ("s/", "h2", "fp2", "Other copy")))
        assert len(list(tmp_path.glob(".w.duckdb.staging-*/learned_line_docs/*.parquet"))) == 2
        assert con.execute("SELECT count(*) FROM learned_line_docs").fetchall() == [(1,)]
        assert state.known("s/", "fp2")  # the run's later batches count what earlier ones saw
        loader.commit()
        got = con.execute(
            "SELECT line_hash, fingerprint, text, run_id FROM learned_line_docs ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert got == [
        ("h1", "fp1", "Old text", "run-1"),
        ("h2", "fp1", "First seen", "run-2"),
        ("h2", "fp2", "Other copy", "run-2"),
    ]
    assert not list(tmp_path.glob(".w.duckdb.staging-*"))


def test_reading_only_the_pairs_asked_about_gives_the_whole_states_answers(tmp_path: Path) -> None:
    """winnow.store.learned_reader (a one-batch run's state) answers as Loader.learned_state()
    does, before and after the run absorbs its batches."""
    import polars as pl
    from winnow.schemas.columns import OBSERVATION_FRAME

    from winnow.store.learned_reader import WarehouseLearned
    from winnow.store.loader import Loader
    from winnow.store.warehouse import open_warehouse

    def obs(*rows: tuple[str, str, str]) -> pl.DataFrame:
        return pl.DataFrame([(*r, f"text {r[1]}") for r in rows], schema=OBSERVATION_FRAME, orient="row")

    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        first = Loader(con, "run-1")
        first.begin()
        first.add_observations(
            obs(("s/", "h1", "fp1"), ("s/", "h1", "fp2"), ("s/", "h1", "fp3"), ("s/", "h2", "fp1"))
        )
        first.add_observations(obs(("t/", "h1", "fp1"), ("s/", "h3", "fp2"), ("s/", "h3", "fp2")))
        first.commit()
        whole, part = Loader(con, "run-2"), Loader(con, "run-3")
        whole.begin()
        full = whole.learned_state()
        lazy = part.learned_state(whole=False)
        assert isinstance(lazy, WarehouseLearned) and not isinstance(full, WarehouseLearned)
        pairs = [(s, h) for s in ("s/", "t/", "u/") for h in ("h1", "h2", "h3", "h4")]
        fps = [(s, f) for s in ("s/", "t/", "u/") for f in ("fp1", "fp2", "fp3", "fp4")]
        lazy.prefetch(pairs[:3], fps[:2])
        assert lazy.prior(pairs) == full.prior(pairs) == [3, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        assert [lazy.known(*f) for f in fps] == [full.known(*f) for f in fps]
        assert lazy.known("s/", "fp3") and not lazy.known("t/", "fp2")
        batch = obs(("s/", "h2", "fp4"), ("s/", "h4", "fp4"), ("t/", "h1", "fp1"), ("u/", "h1", "fp9"))
        for state in (full, lazy):
            state.absorb_frame(batch)
        fps.append(("u/", "fp9"))
        assert lazy.prior(pairs) == full.prior(pairs)
        assert lazy.prior(pairs)[:4] == [3, 2, 1, 1]
        assert [lazy.known(*f) for f in fps] == [full.known(*f) for f in fps]
        fresh = Loader(con, "run-4").learned_state(whole=False)  # absorbed first, asked after
        fresh.absorb_frame(batch)
        assert fresh.prior(pairs) == full.prior(pairs)
        whole.rollback()
    finally:
        con.close()


def test_an_article_two_parallel_batches_both_carried_counts_once() -> None:
    # Batches run at the same time each get the state as it was before either loaded: a copy of one
    # article in both reports the same (source, line, article) twice. The warehouse keeps one row.
    state = LearnedState.from_rows([("s/", "h1", 2)], [("s/", "fp0")])
    first = [("s/", "h1", "fp1"), ("s/", "h2", "fp1")]
    state.absorb(first)
    state.absorb([*first, ("s/", "h1", "fp2")])
    assert (state.count("s/", "h1"), state.count("s/", "h2"), state.count("s/", "h3")) == (4, 1, 0)
    assert all(state.known("s/", fp) for fp in ("fp0", "fp1", "fp2")) and not state.known("s/", "fp3")
    assert state.fingerprints.size == 3
    state.absorb([("s/", "h1", "fp0")])  # counted in an earlier run
    assert state.count("s/", "h1") == 4


def test_lines_one_article_carries_are_compact_keys_and_still_counted() -> None:
    state = LearnedState.from_rows([("s/", "two", 2)], [("s/", "fp0")], singles=[("s/", "one")])
    assert state.counts.size == 1 and state.singles.size == 1
    assert state.prior([("s/", "one"), ("s/", "two"), ("t/", "one"), ("s/", "none")]) == [1, 2, 0, 0]
    copy = state.copy()
    state.absorb([("s/", "one", "fp1"), ("s/", "new", "fp1")])  # 'one' reaches two articles
    assert state.count("s/", "one") == 2 and state.count("s/", "new") == 1
    assert state.counts.size == 2 and state.singles.size == 2  # 'one' counted; 'new' a single
    assert copy.count("s/", "one") == 1 and copy.count("s/", "new") == 0  # the copy is unchanged


def test_duckdb_computes_the_same_line_keys(tmp_path: Path) -> None:
    import duckdb

    from winnow.clean.learned import PAIR_KEY_SQL, pair_key

    pairs = [("example.com", "0123456789abcdef"), ("raw/dossier-été/", "h"), (".", "")]
    con = duckdb.connect()
    con.execute("CREATE TABLE learned_line_docs (source VARCHAR, line_hash VARCHAR)")
    con.executemany("INSERT INTO learned_line_docs VALUES (?, ?)", pairs)
    query = f"SELECT {PAIR_KEY_SQL} AS k FROM learned_line_docs"  # noqa: S608 - a fixed expression
    keys = [int(k) for k in con.execute(query).fetchnumpy()["k"]]
    assert keys == [pair_key(s, h) for s, h in pairs]


def test_a_promoted_pack_in_the_rules_folder_is_applied_by_the_next_ingest(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from winnow.cli.main import app

    write(raw_dir / "valley", [f"a{i}" for i in range(7)])
    run_flow(raw_dir, warehouse_file)
    # The command line's `> rules/learned.toml`, into the rules folder beside raw/.
    toml = CliRunner().invoke(app, ["rules", "candidates", "-w", str(warehouse_file), "-f", "toml"])
    assert toml.exit_code == 0, toml.output
    rules = raw_dir.parent / "rules"
    rules.mkdir()
    (rules / "learned.toml").write_text(toml.output, "utf-8")
    listed = CliRunner().invoke(app, ["rules", "list", "--raw", str(raw_dir), "-f", "csv"])
    assert "learned.valley" in listed.output
    write(raw_dir / "valley", ["fresh"])
    assert run_flow(raw_dir, warehouse_file).loaded == 1
    # The named rule now removes the line (before, only the learned counts did, as rule `learned`).
    assert rows(
        warehouse_file,
        "SELECT DISTINCT s.rule_id FROM removed_segments s JOIN articles a USING (doc_id) "
        "WHERE a.source_path = 'valley/fresh.txt' AND s.text = ?",
        [PLUG],
    ) == [("learned.valley",)]
    before, after = rows(warehouse_file, "SELECT rules_version FROM runs ORDER BY started_at")
    assert before != after and after[0]  # the run records the packs it cleaned with
