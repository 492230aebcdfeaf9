"""Scale-out: batches in worker processes and on a Dask cluster load exactly what one process
loads; the benchmark's corpus generator makes files the pipeline takes; the cheap mojibake gate
decides exactly as ftfy's is_bad."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from ftfy.badness import is_bad
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers import article_text, assert_accounting, rows
from winnow.batch import process_batch
from winnow.read.decode import _maybe_mojibake
from winnow.read.sources import discover
from winnow.settings import get_settings

REPO = Path(__file__).resolve().parent.parent

# Characters ftfy's mojibake patterns are made of, plus plain ASCII around them.
MOJIBAKE_ALPHABET = "aZ .,!\n\t\xa0ÂÃÎÐØÙàâéœŒ€™“”‘’–—•…¢£¥°±²³µ·»«¼½¾×÷‚„†‡ˆ‰Š‹ŽšžŸВГРСЂўΒΓΞΟā√≈¿¡¦¨¬¯¸"


@given(st.text(alphabet=MOJIBAKE_ALPHABET, max_size=60))
@example("Z\u00c2 \xa0")  # its window 'Â \xa0' looks bad; the whole text does not
@settings(max_examples=400, deadline=None)
def test_mojibake_gate_agrees_with_ftfy(text: str) -> None:
    assert _maybe_mojibake(text) == is_bad(text)


def test_mojibake_gate_on_real_mojibake() -> None:
    text = "The café’s owner said “hello” — it was fine. Ça va à Zürich."
    for codec in ("cp1252", "latin-1", "cp1251", "mac_roman"):
        broken = text.encode("utf-8").decode(codec, errors="replace")
        assert _maybe_mojibake(broken) and is_bad(broken), codec
    assert not _maybe_mojibake(text) and not _maybe_mojibake("plain ascii only")


def test_bench_corpus_is_varied_and_loads(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO))
    from bench.make_corpus import generate

    raw = tmp_path / "raw"
    counts = generate(raw, 150, seed=3)
    assert sum(counts.values()) == 150 and counts["bad"] and counts["duplicates"]
    sizes = [p.stat().st_size for p in raw.rglob("*.txt") if not p.name.startswith("copy-")]
    assert min(s for s in sizes if s > 1500) >= 2000 and max(sizes) <= 21_000
    plan = discover(raw, {})
    batch = process_batch(raw, plan.to_process)
    assert len(plan.refused) + batch.files == 150
    # every generated article survives cleaning with a title and a language; only bad files fail
    assert batch.articles.height >= counts["articles"] + counts["duplicates"] - 1
    assert batch.articles["title"].null_count() == 0
    assert set(batch.articles["language"].to_list()) <= {"en", "fr"}
    assert len(Counter(batch.articles["title"].str.split(":").list.first().to_list())) >= 5


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WINNOW_BATCH_SIZE", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("WINNOW_BATCH_SIZE")
    get_settings.cache_clear()


def fill(raw: Path) -> None:
    for i in range(10):
        (raw / f"story-{i:02d}.txt").write_text(article_text(title=f"Council story number {i}", salt=f"s{i}"))
    (raw / "copy.txt").write_text(article_text(title="Council story number 3", salt="s3"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "short.txt").write_text("A Title\nBy Jane Doe\nToo short to be an article.\n")


def snapshot(warehouse: Path) -> tuple[list[tuple[object, ...]], ...]:
    return (
        rows(
            warehouse, "SELECT doc_id, title, authors, body, language, content_hash FROM articles ORDER BY 1"
        ),
        rows(warehouse, "SELECT path, status, duplicate_of FROM sources ORDER BY 1"),
        rows(warehouse, 'SELECT path, "check" FROM rejections ORDER BY 1, 2'),
        rows(warehouse, "SELECT doc_id, position, rule_id FROM removed_segments ORDER BY 1, 2"),
    )


@pytest.mark.slow
@pytest.mark.integration
def test_worker_processes_load_what_one_process_loads(
    prefect_harness: None, small_batches: None, raw_dir: Path, tmp_path: Path
) -> None:
    from winnow.flows.ingest import run_ingest

    fill(raw_dir)
    api_url = os.environ.get("PREFECT_API_URL")  # the shared server's, set by the harness
    inline, pooled = tmp_path / "inline.duckdb", tmp_path / "pooled.duckdb"
    first = run_ingest(raw_dir, inline, workers=1)
    second = run_ingest(raw_dir, pooled, workers=2)  # 5 batches of 3 over a pool of 2 processes
    assert first.loaded == second.loaded == 10 and second.duplicates == 1
    assert snapshot(inline) == snapshot(pooled)
    assert_accounting(raw_dir, pooled)
    assert os.environ.get("PREFECT_API_URL") == api_url  # lent to the workers, then given back as it was


@pytest.mark.slow
@pytest.mark.integration
def test_dask_cluster_runs_the_batches(
    prefect_harness: None, small_batches: None, raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL
    from winnow.flows.ingest import run_ingest

    fill(raw_dir)
    inline = tmp_path / "inline.duckdb"
    run_ingest(raw_dir, inline, workers=1)
    # Dask workers are separate processes, as on a real cluster: they reach the Prefect API by
    # PREFECT_API_URL and read raw/ from the same path.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = tmp_path / "dask.duckdb"
        summary = run_ingest(raw_dir, on_dask, dask_address=cluster.scheduler_address)
        ran = {name for w in cluster.scheduler.workers.values() for name in w.task_prefix_count} | set(
            cluster.scheduler.task_prefixes
        )
    assert summary.status == "completed" and summary.loaded == 10
    assert "process_batch_task" in ran, ran  # the batches ran on the cluster's workers
    assert snapshot(inline) == snapshot(on_dask)
    assert_accounting(raw_dir, on_dask)


@pytest.mark.integration
def test_staged_articles_leave_no_files_and_stale_shards_are_removed(
    prefect_harness: None, small_batches: None, raw_dir: Path, warehouse_file: Path
) -> None:
    from winnow.flows.ingest import run_ingest

    fill(raw_dir)
    warehouse_file.parent.mkdir(parents=True)
    stale = warehouse_file.parent / f".{warehouse_file.name}.staging-crashed"
    stale.mkdir()
    (stale / "000000.parquet").write_bytes(b"left by a run that was killed")
    summary = run_ingest(raw_dir, warehouse_file, workers=1)  # 5 batches: 5 shards, one insert
    assert summary.loaded == 10
    assert not [p.name for p in warehouse_file.parent.iterdir() if ".staging-" in p.name]
    assert rows(warehouse_file, "SELECT count(*), count(DISTINCT run_id) FROM articles") == [(10, 1)]
    assert_accounting(raw_dir, warehouse_file)


class RecordingRunner:
    """A task runner double: runs nothing, records what each submission was given. (The runner is
    not what is under test: process_batches' hand-over of the learned state is.)"""

    def __init__(self) -> None:
        self.submitted: list[dict[str, object]] = []

    def __enter__(self) -> RecordingRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, task: object, parameters: dict[str, object]) -> object:
        self.submitted.append(parameters)
        n = len(self.submitted)

        class Done:
            def result(self) -> int:
                return n

        return Done()


def test_each_parallel_batch_gets_the_learned_state_as_it_was_when_submitted() -> None:
    # The real runner resolves and pickles parameters on a thread of its own while the flow loads
    # earlier batches, which updates the learned state: a batch must get a copy, not the live object.
    from winnow.flows.ingest import Sealed, process_batches

    from winnow.clean.learned import LearnedState

    learned = LearnedState()
    runner = RecordingRunner()

    def known_lines(state: LearnedState) -> int:
        return sum(state.count("site", f"line-{n}") for n in range(1, 6))
    seen_at_submit: list[int] = []

    def load(batch: object) -> None:
        learned.absorb([("site", f"line-{batch}", f"fp-{batch}")])  # what Loader.add_observations does

    real_submit = runner.submit

    def submit(task: object, parameters: dict[str, object]) -> object:
        seen_at_submit.append(known_lines(learned))
        return real_submit(task, parameters)

    runner.submit = submit  # type: ignore[method-assign]
    process_batches("raw", [[], [], [], [], []], runner, 2, load, learned)  # type: ignore[arg-type]
    assert len(runner.submitted) == 5 and known_lines(learned) == 5
    for params, counts_then in zip(runner.submitted, seen_at_submit, strict=True):
        given_state = params["learned"]
        assert isinstance(given_state, Sealed)  # the runner must not walk into it
        state = given_state.value
        assert state is not learned and known_lines(state) == counts_then
