"""One raw/ holding every scraper format, through real flow runs: every record accounted for
(`winnow check`), and re-runs that keep the unchanged records of changed files."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CASES
from tests.helpers import assert_accounting, rows, run_flow
from tests.warc_helpers import crawl
from winnow.read.structured import strip_truncation

pytestmark = pytest.mark.integration
SCRAPERS = CASES / "scrapers"


def winnow_check(raw: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    """`winnow check`, the command a user runs, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "winnow.cli.main", "check", "--raw", str(raw), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_format_every_record_accounted_for(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    for path in SCRAPERS.iterdir():
        shutil.copy(path, raw_dir / path.name)
    (raw_dir / "gz").mkdir()
    (raw_dir / "gz" / "newsapi.json.gz").write_bytes(
        gzip.compress((SCRAPERS / "newsapi-everything.json").read_bytes())
    )
    lines = [json.loads((SCRAPERS / "news-please.json").read_text("utf-8"))] * 2 + ["{not json"]
    (raw_dir / "news-please.jsonl").write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", "utf-8"
    )
    crawl(raw_dir / "crawl.warc.gz", range(3))  # with an image, a redirect and a WET record
    crawl(raw_dir / "site.warc", range(10, 12), extra=False)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.status == "completed"
    check = winnow_check(raw_dir, warehouse_file)
    assert check.returncode == 0 and check.stdout.startswith("ok"), check.stdout + check.stderr
    assert_accounting(raw_dir, warehouse_file)
    by_file = dict(rows(warehouse_file, "SELECT path, list(status ORDER BY record) FROM sources GROUP BY 1"))
    files = len(by_file)
    # Copies in two files: whichever is read first is the article, the other its duplicate.
    gz, api = by_file.pop("gz/newsapi.json.gz"), by_file.pop("newsapi-everything.json")
    assert all(sorted(pair) == ["duplicate", "loaded"] for pair in zip(gz[:3], api[:3], strict=True))
    assert gz[3] == api[3] == "rejected"  # [Removed]
    assert by_file == {
        "articles.tsv": ["loaded"],
        "crawl.warc.gz": ["loaded"] * 4,
        "engineering-blog.atom": ["loaded", "loaded"],
        "harbour-bridge.jsonld": ["loaded"],
        "headlines.csv": ["rejected"],
        "news-please.json": ["loaded"],
        "news-please.jsonl": ["duplicate", "duplicate", "rejected"],
        "newsapi-error.json": ["rejected"],
        "newspaper4k.csv": ["duplicate", "loaded"],  # the blog post the Atom feed carries first
        "newspaper4k.json": ["duplicate"],
        "scraped_articles.csv": ["loaded", "rejected", "loaded"],
        "site.warc": ["loaded", "loaded"],
        "trafilatura.json": ["loaded"],
        "valley-courier.rss": ["loaded", "loaded"],
    }
    # Every record of every archive: a sources row, or a skipped row with its reason.
    written = {"crawl.warc.gz": 1 + 3 * 2 + 3, "site.warc": 4}
    for name, total in written.items():
        [(n,)] = rows(warehouse_file, "SELECT count(*) FROM sources WHERE path = ?", [name])
        [(skipped,)] = rows(warehouse_file, "SELECT count(*) FROM skipped_records WHERE path = ?", [name])
        assert n + skipped == total, name
    reasons = rows(warehouse_file, "SELECT reason, count(*) FROM skipped_records GROUP BY 1 ORDER BY 1")
    assert reasons == [("http 301", 1), ("payload image/png", 1), ("request", 5), ("warcinfo", 1)]
    # NewsAPI's teaser: flagged, with the full length it states
    api = json.loads((SCRAPERS / "newsapi-everything.json").read_text("utf-8"))["articles"][0]
    kept, stated = strip_truncation(api["content"])
    [(truncated, full_chars, body)] = rows(
        warehouse_file,
        "SELECT truncated, full_chars, body FROM articles WHERE source_path LIKE '%newsapi%' AND record = 0",
    )
    assert truncated and full_chars == stated == len(kept) + 2622 and "[+" not in body
    [(fetched, published)] = rows(
        warehouse_file,
        "SELECT fetched_at, published_at FROM articles WHERE source_path = 'crawl.warc.gz' "
        "ORDER BY record LIMIT 1",
    )
    assert fetched is not None and published is not None and fetched != published
    again = run_flow(raw_dir, warehouse_file)
    assert again.loaded == 0 and again.files_changed == 0 and again.files_unchanged == files


def test_appended_records_are_read_and_the_others_kept(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from winnow.settings import get_settings

    monkeypatch.setenv("WINNOW_BATCH_SIZE", "2")  # the archive goes out in parts of two records
    get_settings.cache_clear()
    try:
        crawl(raw_dir / "crawl.warc.gz", range(5), extra=False)
        table = (SCRAPERS / "scraped_articles.csv").read_text("utf-8")
        (raw_dir / "articles.csv").write_text(table, "utf-8")
        feed = (SCRAPERS / "valley-courier.rss").read_text("utf-8")
        (raw_dir / "feed.rss").write_text(feed, "utf-8")
        first = run_flow(raw_dir, warehouse_file)
        assert first.loaded == 5 + 2 + 2 and winnow_check(raw_dir, warehouse_file).returncode == 0
        before = dict(rows(warehouse_file, "SELECT doc_id, run_id FROM articles"))

        crawl(raw_dir / "crawl.warc.gz", range(5, 8), extra=False)  # the crawler appends
        body = "The ferry timetable changes on Monday, with an earlier first crossing. " * 12
        row = ["Ferry timetable changes", "Sam Ortiz", "2024-03-05", "https://example.org/ferry", body]
        (raw_dir / "articles.csv").write_text(table + ",".join(json.dumps(c) for c in row) + "\n", "utf-8")
        item = feed.index("<item>")  # the feed fetched again: a new entry listed first
        new_entry = (
            "<item><title>Bridge tolls scrapped</title><link>https://courier.example/news/tolls/</link>"
            "<guid isPermaLink='false'>https://courier.example/?p=10250</guid>"
            "<pubDate>Wed, 13 Mar 2024 08:00:00 +0000</pubDate>"
            f"<content:encoded><![CDATA[<p>{body.replace('ferry timetable', 'bridge toll')}</p>]]>"
            "</content:encoded>"
            "</item>\n"
        )
        (raw_dir / "feed.rss").write_text(feed[:item] + new_entry + feed[item:], "utf-8")
        second = run_flow(raw_dir, warehouse_file)
        assert second.status == "completed" and second.files_changed == 3
        check = winnow_check(raw_dir, warehouse_file)
        assert check.returncode == 0, check.stdout
        after = dict(rows(warehouse_file, "SELECT doc_id, run_id FROM articles"))
        assert {d: after[d] for d in before} == before  # kept as they were, not processed again
        assert second.loaded == 3 + 1 + 1 and len(after) == len(before) + 5
        # kept rows moved with their file: its new hash, and the feed entries' new places
        [(stale,)] = rows(
            warehouse_file,
            "SELECT count(*) FROM sources s "
            "WHERE s.sha256 <> (SELECT max(sha256) FROM sources t WHERE t.path = s.path)",
        )
        assert stale == 0
        assert rows(
            warehouse_file,
            "SELECT record, title FROM articles WHERE source_path = 'feed.rss' ORDER BY record",
        ) == [
            (0, "Bridge tolls scrapped"),
            (1, "Flood defences finished a year early"),
            (2, "Market day moves to Saturday from April"),
        ]
        # records gone from a file go with it
        (raw_dir / "articles.csv").write_text(table, "utf-8")
        third = run_flow(raw_dir, warehouse_file)
        assert third.loaded == 0 and winnow_check(raw_dir, warehouse_file).returncode == 0
        [(n,)] = rows(warehouse_file, "SELECT count(*) FROM articles WHERE source_path = 'articles.csv'")
        assert n == 2
    finally:
        get_settings.cache_clear()
