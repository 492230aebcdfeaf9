"""Every setting works: each is set through its environment variable (WINNOW_<KEY>), exactly as a
user sets it, and the test sees its effect on real files. The table must name every key of the
settings file, so a new setting comes with a test of what it does."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import article_text, run_flow
from winnow.batch import Batch, process_batch
from winnow.errors import ConfigError, WarehouseError
from winnow.read.sources import FileEntry, format_of
from winnow.settings import defaults, get_settings
from winnow.validate import validate_articles

HEADLINE = "A Perfectly Ordinary Headline About Civic Life"
AMBIGUOUS = "Ciao amigo, como estas? Bene grazie, e tu? Muy bien."  # langdetect hesitates on it


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def batch(raw: Path, files: dict[str, bytes | str]) -> Batch:
    for name, data in files.items():
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    entries = []
    for name in sorted(files):
        st = (raw / name).stat()
        entries.append(FileEntry(name, st.st_size, st.st_mtime_ns, format_of(name) or "txt"))
    return process_batch(raw, entries)


def checks(b: Batch) -> set[str]:
    """Every check that failed, at reading or against the contract."""
    _, invalid = validate_articles(b.articles, b.sources)
    return set(pl.concat([b.rejections, invalid])["check"].to_list())


def one(b: Batch, column: str) -> object:
    assert b.articles.height == 1, b.rejections.to_dicts()
    return b.articles.row(0, named=True)[column]


def _article(**kw: object) -> str:
    return article_text(**kw)  # type: ignore[arg-type]


# (environment variable value, what to run with it, what must be true of the result). Each case is
# also run without the variable, and there its check must NOT hold: the setting made the difference.
Case = tuple[str, Callable[[Path], object], Callable[[object], bool]]


def _language_prob(raw: Path) -> object:
    return one(batch(raw, {"a.txt": f"{HEADLINE}\n{AMBIGUOUS}\n"}), "language_prob")


def _recurring(raw: Path) -> object:
    plug = "Follow our weekly digest for more stories like this"
    files = {
        f"site/{i}.txt": _article(salt=f"s{i}").replace("Advertisement\n", f"{plug}\n", 1) for i in range(3)
    }
    b = batch(raw, files)
    return b.segments.filter(pl.col("rule_id") == "learned").height


def _shingles(raw: Path) -> object:
    """(distinct shingles the signature counts, distinct 3-word runs of the body counted here)."""
    import re

    from tests.neardup_helpers import as_text, story

    b = batch(raw, {"a.txt": as_text("Story", "A. Writer", "May 1, 2026", story(7, paragraphs=2))})
    words = re.findall(r"[^\W_]+", str(one(b, "body")).lower())
    return b.signatures["shingles"][0], len({tuple(words[i : i + 3]) for i in range(len(words) - 2)})


def _near_dups(raw: Path) -> object:
    """(pairs found, band keys stored) for an article and a copy that shares 4 of its 5 paragraphs
    with it, indexed for real."""
    from tests.neardup_helpers import as_text, story
    from winnow.store.neardup import NearDuplicates, index_from
    from winnow.store.warehouse import open_warehouse

    paras = story(3)
    files = {"a.txt": as_text("Story", "A. Writer", "May 1, 2026", paras)}
    files["b.txt"] = as_text("Story", "A. Writer", "May 1, 2026", paras[:4] + story(4)[:1])  # 4 of 5 shared
    b = batch(raw, files)
    con = open_warehouse(raw.parent / f"{raw.name}.duckdb")
    try:
        con.execute("BEGIN TRANSACTION")
        near = NearDuplicates(con, "t", index_from(get_settings()), None)
        near.prepare()
        near.add(b.signatures.join(b.articles.select("doc_id", "source_path"), on="doc_id"))
        near.finish()
        bands = con.execute("SELECT count(*) FROM near_dup_bands").fetchall()[0][0]
        con.execute("COMMIT")
    finally:
        con.close()
    return near.done.pairs, bands


def _records(n: int) -> str:
    import json

    lines = (json.dumps({"title": f"{HEADLINE} {i}", "text": _article(salt=f"r{i}")}) for i in range(n))
    return "".join(f"{line}\n" for line in lines)


def _archive(raw: Path) -> bytes:
    from tests.warc_helpers import crawl

    raw.mkdir(parents=True, exist_ok=True)
    return crawl(raw / "made.warc", range(2), extra=False).read_bytes()


CASES: dict[str, Case] = {
    "max_file_bytes": (
        "300",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "too_large" in c,
    ),
    "max_decompressed_bytes": (
        "300",
        lambda raw: checks(batch(raw, {"a.txt.gz": gzip.compress(_article().encode())})),
        lambda c: "decompressed_too_large" in c,
    ),
    "max_line_chars": (
        "60",
        lambda raw: one(batch(raw, {"a.txt": _article()}), "body"),
        lambda body: max(len(p) for p in str(body).split("\n\n")) <= 60,  # long lines cut into pieces
    ),
    "doc_time_budget_s": (
        "0.000001",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "time_budget" in c,
    ),
    "max_header_lines": (
        "1",
        lambda raw: one(batch(raw, {"a.txt": _article()}), "authors"),
        lambda a: a == [],
    ),
    "max_title_chars": (
        "10",
        lambda raw: one(batch(raw, {"a.txt": _article()}), "title"),
        lambda t: t is None,
    ),
    "max_byline_chars": (
        "5",
        lambda raw: one(batch(raw, {"a.txt": _article()}), "authors"),
        lambda a: a == [],
    ),
    "words_per_minute": (
        "10",
        lambda raw: one(batch(raw, {"a.txt": _article()}), "read_time_est_min"),
        lambda m: isinstance(m, int) and m > 10,
    ),
    "seed": ("2", _language_prob, lambda p: p == 0.6667),
    "sample_chars": (
        "12",
        lambda raw: one(batch(raw, {"a.txt": f"{HEADLINE}\n{AMBIGUOUS}\n"}), "language"),
        lambda lang: lang != "es",
    ),
    "language_trials": ("7", _language_prob, lambda p: p == 0.8571),
    "learned_min_documents": ("3", _recurring, lambda n: n == 3),
    "near_dup_shingle_size": ("3", _shingles, lambda counts: counts[0] == counts[1]),  # type: ignore[index]
    "near_dup_num_perm": (
        "64",
        lambda raw: len(batch(raw, {"a.txt": _article()}).signatures["minhash"][0]),
        lambda n: n == 64 * 4,
    ),
    "near_dup_bands": ("32", _near_dups, lambda found: found[1] == 2 * 32),  # type: ignore[index]
    "near_dup_threshold": ("0.95", _near_dups, lambda found: found[0] == 0),  # type: ignore[index]
    "min_words": ("20", lambda raw: checks(batch(raw, {"a.txt": _article(paragraphs=1)})), lambda c: not c),
    "min_chars": (
        "5000",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "body.str_length" in c,
    ),
    "earliest_year": (
        "2030",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "published_at.greater_than_or_equal_to" in c,
    ),
    "future_slack_hours": (
        "-200000",  # a published time more than 22 years ago counts as "in the future"
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "published_at.not_in_future" in c,
    ),
    "max_read_time_min": (
        "3",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "read_time_stated_min.less_than_or_equal_to" in c,
    ),
    "language_pattern": (
        "^xx$",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "language.str_matches" in c,
    ),
    "max_records_per_file": (
        "2",
        lambda raw: checks(batch(raw, {"a.jsonl": _records(3)})),
        lambda c: "too_many_records" in c,
    ),
    "max_record_bytes": (
        "300",
        lambda raw: checks(batch(raw, {"a.jsonl": _records(2)})),
        lambda c: "record_too_large" in c,
    ),
    "max_archive_bytes": (
        "1000",
        lambda raw: checks(batch(raw, {"a.warc": _archive(raw)})),
        lambda c: "too_large" in c,
    ),
    "ad_marker_pattern": (
        r"(?im)^.*\bcommittee met\b.*$",
        lambda raw: checks(batch(raw, {"a.txt": _article()})),
        lambda c: "body.no_ad_marker" in c,
    ),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_setting_changes_what_winnow_does(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value, run, holds = CASES[key]
    baseline = run(tmp_path / "default")
    assert not holds(baseline), f"{key}: the check holds without the setting ({baseline!r})"
    monkeypatch.setenv(f"WINNOW_{key.upper()}", value)
    get_settings.cache_clear()
    assert getattr(get_settings(), key) == type(defaults()[key])(value)
    result = run(tmp_path / "set")
    assert holds(result), f"WINNOW_{key.upper()}={value}: {result!r}"


def test_learned_max_words_keeps_longer_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_LEARNED_MIN_DOCUMENTS", "3")
    get_settings.cache_clear()
    assert _recurring(tmp_path / "a") == 3
    monkeypatch.setenv("WINNOW_LEARNED_MAX_WORDS", "5")  # the recurring line has 9 words
    get_settings.cache_clear()
    assert _recurring(tmp_path / "b") == 0


def test_rules_dir_loads_the_users_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from winnow.clean.rules import rules_for
    from winnow.store.warehouse import rules_path

    mine = tmp_path / "my-rules"
    mine.mkdir()
    (mine / "mine.toml").write_text(
        'disable = ["ad.marker"]\n[[rule]]\nid = "mine.plug"\ncategory = "promo"\nmatch = "exact"\n'
        'patterns = ["read us daily"]\n'
    )
    assert "mine.plug" not in {r.id for r in rules_for(rules_path(tmp_path / "raw")).rules}
    monkeypatch.setenv("WINNOW_RULES_DIR", str(mine))
    get_settings.cache_clear()
    ids = {r.id for r in rules_for(rules_path(tmp_path / "raw")).rules}
    assert "mine.plug" in ids and "ad.marker" not in ids


def test_batch_size_sets_the_batches_of_a_flow_run(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterName,
    )

    for i in range(3):
        (raw_dir / f"{i}.txt").write_text(article_text(salt=f"n{i}"))
    monkeypatch.setenv("WINNOW_BATCH_SIZE", "1")
    monkeypatch.setenv("WINNOW_WORKERS", "1")  # inline: batch tasks in this process, quicker
    get_settings.cache_clear()
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 3

    async def batch_tasks() -> int:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[summary.run_id])),
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="process-batch")),
            )
        return len(runs)

    assert asyncio.run(batch_tasks()) == 3


def test_workers_and_dask_address_choose_where_batches_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.task_runners import ProcessPoolTaskRunner
    from prefect_dask import DaskTaskRunner
    from winnow.flows.ingest import batch_runner, scale

    monkeypatch.setenv("WINNOW_WORKERS", "3")
    get_settings.cache_clear()
    runner, in_flight = batch_runner(*scale(None, None), batches=10)
    assert isinstance(runner, ProcessPoolTaskRunner) and runner._max_workers == 3 and in_flight == 6
    monkeypatch.setenv("WINNOW_DASK_ADDRESS", "tcp://scheduler.example:8786")
    get_settings.cache_clear()
    runner, _ = batch_runner(*scale(None, None), batches=10)
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://scheduler.example:8786"
    assert batch_runner(*scale(None, 1), batches=10)[0] is not None  # the cluster wins over local workers


def test_memory_limit_reaches_duckdb(
    prefect_harness: None, sample_raw: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WINNOW_MEMORY_LIMIT", "plenty")
    get_settings.cache_clear()
    with pytest.raises(WarehouseError, match="memory_limit 'plenty' is not a size"):
        run_flow(sample_raw, warehouse_file)


def test_every_setting_has_a_test_of_its_effect() -> None:
    tested = set(CASES) | {
        "learned_max_words",
        "rules_dir",
        "batch_size",
        "workers",
        "dask_address",
        "memory_limit",
        "server_idle_minutes",  # tests/test_server.py: test_the_server_stops_itself_when_unused
        "cache_dir",  # tests/test_language.py: test_the_language_model_is_cached_with_the_same_values
    }
    assert tested == set(defaults())


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_MIN_WORDS", "fifty")
    with pytest.raises(ConfigError, match="WINNOW_MIN_WORDS='fifty' is not a valid int"):
        get_settings()


def test_every_setting_is_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    missing = [key for key in defaults() if f"`{key}`" not in readme]
    assert missing == []
