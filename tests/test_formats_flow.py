"""Every input format through a real flow run into a real warehouse: records, quarantine, gzip."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from tests.conftest import CASES
from tests.helpers import assert_accounting, rows, run_flow
from winnow.batch import doc_id_for

pytestmark = pytest.mark.integration


def test_every_format_loads_and_bad_records_are_quarantined_alone(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    shutil.copy(CASES / "html" / "harbour-bridge.html", raw_dir)
    shutil.copy(CASES / "md" / "front-matter.md", raw_dir)
    shutil.copy(CASES / "json" / "articles.json", raw_dir)
    (raw_dir / "feeds").mkdir()
    (raw_dir / "feeds" / "feed.jsonl.gz").write_bytes(
        gzip.compress((CASES / "json" / "feed.jsonl").read_bytes())
    )
    shutil.copy(CASES / "textdump" / "lynx-page.txt", raw_dir)
    # A gzip bomb: 120 MB of zeros (over the 100 MB default) in about 120 kB.
    with gzip.open(raw_dir / "bomb.txt.gz", "wb", compresslevel=9) as fh:
        chunk = b"\0" * 1_000_000
        for _ in range(120):
            fh.write(chunk)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.status == "completed"
    assert_accounting(raw_dir, warehouse_file)
    statuses = rows(warehouse_file, "SELECT path, record, format, status FROM sources ORDER BY path, record")
    assert statuses == [
        ("articles.json", 0, "json", "loaded"),
        ("articles.json", 1, "json", "loaded"),
        ("articles.json", 2, "json", "rejected"),
        ("bomb.txt.gz", 0, "txt", "rejected"),
        ("feeds/feed.jsonl.gz", 0, "jsonl", "loaded"),
        ("feeds/feed.jsonl.gz", 1, "jsonl", "rejected"),
        ("feeds/feed.jsonl.gz", 2, "jsonl", "loaded"),
        ("front-matter.md", 0, "md", "loaded"),
        ("harbour-bridge.html", 0, "html", "loaded"),
        ("lynx-page.txt", 0, "txt", "loaded"),
    ]
    checks = dict(rows(warehouse_file, "SELECT path || '#' || record, \"check\" FROM current_rejections"))
    assert checks == {
        "articles.json#2": "no_text_field",
        "bomb.txt.gz#0": "decompressed_too_large",
        "feeds/feed.jsonl.gz#1": "bad_json_line",
    }
    assert rows(
        warehouse_file,
        "SELECT doc_id FROM articles WHERE source_path = 'feeds/feed.jsonl.gz' ORDER BY record",
    ) == [
        (doc_id_for("feeds/feed.jsonl.gz", 0),),
        (doc_id_for("feeds/feed.jsonl.gz", 2),),
    ]
    html = rows(
        warehouse_file,
        "SELECT authors, published_at, published_raw, url, language FROM articles WHERE format = 'html'",
    )[0]
    assert html[0] == ["Priya Raman", "Tomás O’Neill"]
    assert html[2] == "2024-03-05T09:15:00+01:00" and html[1].hour == 8 and html[1].minute == 15
    assert html[3].endswith("/news/2024/03/harbour-bridge-reopens") and html[4] == "en"
    dump = rows(warehouse_file, "SELECT title, authors FROM articles WHERE source_path = 'lynx-page.txt'")
    assert dump == [("Flood defences completed a year early on the lower valley", ["Miriam Achterberg"])]
    # Re-running changes nothing: every record of every file is unchanged.
    again = run_flow(raw_dir, warehouse_file)
    assert again.loaded == 0 and again.files_unchanged == 6
