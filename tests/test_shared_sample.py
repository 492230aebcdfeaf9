"""The shared Yahoo/Bulwark sample must come out exactly as its expected JSON says."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import shared_sample
from tests.helpers import rows, run_flow

NAME = "yahoo-bulwark-security-guarantees"


@pytest.mark.integration
def test_shared_sample_row_is_exact(prefect_harness: None, raw_dir: Path, warehouse_file: Path) -> None:
    source = shared_sample(f"{NAME}.txt")
    expected = json.loads(shared_sample(f"{NAME}.expected.json").read_text("utf-8"))
    shutil.copy(source, raw_dir / source.name)
    summary = run_flow(raw_dir, warehouse_file)
    assert summary.loaded == 1
    (title, authors, published_at, published_raw, read_time, language, body, doc_id) = rows(
        warehouse_file,
        "SELECT title, authors, published_at, published_raw, read_time_stated_min, language, body, "
        "doc_id FROM articles",
    )[0]
    assert title == expected["title"]
    assert authors == expected["authors"]
    assert published_at == datetime.fromisoformat(expected["published_at"])
    assert published_raw == expected["published_raw"]
    assert read_time == expected["read_time_stated_min"]
    assert language == expected["language"]
    assert body.split("\n\n") == expected["body_paragraphs"]
    removed = rows(
        warehouse_file,
        "SELECT position, text, rule_id, category FROM removed_segments "
        "WHERE doc_id = ? AND category <> 'metadata' ORDER BY position",
        [doc_id],
    )
    assert [(p, t) for p, t, _, _ in removed] == [(r["line"], r["text"]) for r in expected["removed_lines"]]
    assert all(rule_id for _, _, rule_id, _ in removed)
    categories = [c for *_, c in removed]
    assert categories.count("ad") == 12 and categories.count("ui") == 2
    assert categories.count("promo") == 1
