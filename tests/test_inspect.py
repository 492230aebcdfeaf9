"""`winnow show`, `status` and `rejects`, and the views, on a warehouse made by a real flow run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SHIPPED_SAMPLES
from tests.helpers import run_flow
from winnow.cli.main import app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ingested(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("inspect")
    raw = root / "raw"
    raw.mkdir()
    for path in SHIPPED_SAMPLES.glob("*.txt"):
        shutil.copy(path, raw / path.name)
    (raw / "tiny.txt").write_text("Too Short\nBy Nobody\nJust a few words here.\n")
    warehouse = root / "w.duckdb"
    run_flow(raw, warehouse)
    return raw, warehouse


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_show_by_path_and_doc_id_audits_the_document(ingested: tuple[Path, Path]) -> None:
    raw, wh = ingested
    by_path = invoke("show", "nyt-style-transit.txt", "-w", str(wh))
    assert "City Council Approves the Largest Expansion of Bus Lanes" in by_path
    assert "Maria Gonzalez" in by_path
    assert re.search(r"line\s+6\s+ad\.marker \(ad\): ADVERTISEMENT", by_path)
    assert "The City Council voted 38 to 9" in by_path  # the clean body
    doc_id = re.search(r"doc_id: ([0-9a-f]{16})", by_path)
    assert doc_id
    assert invoke("show", doc_id.group(1), "-w", str(wh)) == by_path
    on_disk = invoke("show", str(raw / "nyt-style-transit.txt"), "--raw", str(raw), "-w", str(wh))
    assert on_disk == by_path
    as_json = json.loads(invoke("show", "nyt-style-transit.txt", "-f", "json", "-w", str(wh)))
    assert as_json["articles"][0]["authors"] == ["Maria Gonzalez"]
    assert {"position": 6, "rule_id": "ad.marker"}.items() <= {
        k: v for s in as_json["removed"] if s["position"] == 6 for k, v in s.items()
    }.items()


def test_show_a_rejected_file_and_an_unknown_one(ingested: tuple[Path, Path]) -> None:
    _, wh = ingested
    out = " ".join(invoke("show", "tiny.txt", "-w", str(wh)).split())
    assert "tiny.txt record 0: rejected" in out
    assert "[validate/word_count.greater_than_or_equal_to] word_count: value below the minimum" in out
    missing = CliRunner().invoke(app, ["show", "nope.txt", "-w", str(wh)])
    assert missing.exit_code == 1 and "no document or file" in missing.output


def test_status_reports_runs_totals_quarantine_and_size(ingested: tuple[Path, Path]) -> None:
    _, wh = ingested
    info = json.loads(invoke("status", "--format", "json", "-w", str(wh)))
    assert info["articles"] == 6
    assert info["sources"] == {"loaded": 6, "rejected": 1}
    assert info["quarantined_files"] == 1
    assert info["bytes"] == wh.stat().st_size + (
        wh.with_name(wh.name + ".wal").stat().st_size if wh.with_name(wh.name + ".wal").exists() else 0
    )
    index = info["search_index"]
    assert (
        index["available"] and index["documents"] == 6 and index["missing"] == 0 and index["postings"] > 500
    )
    (run,) = info["recent_runs"]
    assert run["status"] == "completed" and run["loaded"] == 6 and run["rejected"] == 1
    text = " ".join(invoke("status", "-w", str(wh)).split())
    assert "6 articles" in text and "quarantined files now: 1" in text and "completed" in text


def test_rejects_lists_each_file_with_every_failed_check(ingested: tuple[Path, Path]) -> None:
    _, wh = ingested
    out = " ".join(invoke("rejects", "-w", str(wh)).split())
    assert "1 rejected file(s)" in out and "tiny.txt" in out
    assert "validate/word_count.greater_than_or_equal_to: word_count: value below the minimum" in out
    assert "validate/body.str_length" in out  # every failed check, not just the first
    found = json.loads(invoke("rejects", "--format", "json", "-w", str(wh)))
    assert {r["path"] for r in found} == {"tiny.txt"}
    run_id = found[0]["run_id"]
    assert json.loads(invoke("rejects", "--run", run_id[:8], "-f", "json", "-w", str(wh))) == found
    bad = CliRunner().invoke(app, ["rejects", "--run", "no-such-run", "-w", str(wh)])
    assert bad.exit_code == 1 and "no run" in bad.output


def test_latest_run_views(ingested: tuple[Path, Path]) -> None:
    _, wh = ingested
    out = json.loads(
        invoke("query", 'SELECT path, "check" FROM latest_run_rejections', "-f", "json", "-w", str(wh))
    )
    assert sorted((r["path"], r["check"]) for r in out) == [
        ("tiny.txt", "body.str_length"),
        ("tiny.txt", "word_count.greater_than_or_equal_to"),
    ]
    by_check = json.loads(invoke("query", "SELECT * FROM rejections_by_check", "-f", "json", "-w", str(wh)))
    assert by_check and by_check[0]["files"] == 1
