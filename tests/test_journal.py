"""The skipped-run journal is read back line by line: a line that is not a skipped run as winnow
writes it is reported and set aside, never trusted as a run and never fatal to a run."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import article_text, rows, run_flow
from winnow.cli.main import app
from winnow.errors import InvalidRecord
from winnow.run import RunTally
from winnow.store.lock import journal_path, note_skipped, read_journal, set_aside_path

STARTED = "2025-06-01T10:00:00+00:00"


def _real_skip() -> str:
    return RunTally().summary(str(uuid.uuid4()), "skipped", "raw", error="the warehouse was busy").to_json()


def _forged(**fields: object) -> str:
    base: dict[str, object] = {"run_id": str(uuid.uuid4()), "status": "skipped", "started_at": STARTED}
    return json.dumps(base | fields)


BAD_LINES = {
    "poison": '{"run_id": "poison"}',
    "forged completed": _forged(status="completed", loaded=999999, files_seen=999999),
    "skipped claiming work": _forged(loaded=999999),
    "wrong types": _forged(files_seen="many"),
    "not a flow-run id": _forged(run_id="poison"),
    "no time zone": _forged(started_at="2025-06-01T10:00:00"),
    "a list": "[1, 2, 3]",
    "half a line": '{"run_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "sta',
    "unknown field": _forged(owned=True),
}


def test_each_bad_line_is_set_aside_with_its_reason(tmp_path: Path) -> None:
    warehouse = tmp_path / "articles.duckdb"
    good = _real_skip()
    journal = journal_path(warehouse)
    body = "\n".join([*BAD_LINES.values(), good]).encode() + b"\n\xff\xfe not utf-8 \n"
    journal.write_bytes(body)
    runs, problems = read_journal(warehouse)
    assert [r.run_id for r in runs] == [json.loads(good)["run_id"]]
    assert len(problems) == len(BAD_LINES) + 1
    assert all("not a skipped run" in p and "set aside in" in p for p in problems)
    aside = [json.loads(line) for line in set_aside_path(warehouse).read_text("utf-8").splitlines()]
    assert [a["line"] for a in aside] == [*range(1, len(BAD_LINES) + 1), len(BAD_LINES) + 2]
    assert [a["text"] for a in aside[:-1]] == list(BAD_LINES.values())  # nothing lost
    assert all(a["reason"] for a in aside)
    assert journal.read_text("utf-8") == good + "\n"  # only the skipped run stays, to be recorded
    assert read_journal(warehouse) == (runs, [])  # set aside once, not reported again


@pytest.mark.integration
def test_a_poisoned_journal_neither_stops_a_run_nor_forges_one(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    (raw_dir / "a.txt").write_text(article_text(salt="journal"))
    warehouse_file.parent.mkdir(parents=True)
    real = RunTally().summary(str(uuid.uuid4()), "skipped", str(raw_dir), error="busy")
    journal = journal_path(warehouse_file)
    journal.write_bytes(("\n".join(BAD_LINES.values()) + "\n").encode() + b"\xff\n")
    note_skipped(warehouse_file, real)
    first = run_flow(raw_dir, warehouse_file)
    assert first.status == "completed" and first.loaded == 1
    got = rows(warehouse_file, "SELECT run_id, status, loaded FROM runs ORDER BY started_at")
    assert sorted(got) == sorted([(real.run_id, "skipped", 0), (first.run_id, "completed", 1)])
    assert not journal.exists()
    assert len(set_aside_path(warehouse_file).read_text("utf-8").splitlines()) == len(BAD_LINES) + 1
    said = CliRunner().invoke(app, ["status", "-w", str(warehouse_file)]).output
    assert f"skipped-run journal: {len(BAD_LINES) + 1} line(s) that were not runs" in " ".join(said.split())
    journal.write_text('{"run_id": "poison"}\n')  # and again on a later run
    second = run_flow(raw_dir, warehouse_file)
    assert second.status == "completed"
    assert rows(warehouse_file, "SELECT count(*), max(loaded) FROM runs") == [(3, 1)]


def test_a_journal_that_is_not_a_file_is_reported_not_read(tmp_path: Path) -> None:
    warehouse = tmp_path / "articles.duckdb"
    os.mkfifo(journal_path(warehouse))  # reading it would block the run for ever
    assert read_journal(warehouse) == (
        [],
        [f"{journal_path(warehouse)} is not a regular file; it is not read (remove it)"],
    )
    journal_path(warehouse).unlink()
    (tmp_path / "elsewhere.jsonl").write_text(_real_skip() + "\n")
    journal_path(warehouse).symlink_to(tmp_path / "elsewhere.jsonl")
    runs, problems = read_journal(warehouse)
    assert runs == [] and "not a regular file" in problems[0]


def test_a_skipped_run_never_writes_through_a_fifo_or_link(tmp_path: Path) -> None:
    warehouse = tmp_path / "articles.duckdb"
    skip = RunTally().summary(str(uuid.uuid4()), "skipped", "raw", error="busy")
    os.mkfifo(journal_path(warehouse))  # opening it to append would block
    with pytest.raises(InvalidRecord):
        note_skipped(warehouse, skip)
    journal_path(warehouse).unlink()
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    journal_path(warehouse).symlink_to(target)
    with pytest.raises(InvalidRecord):
        note_skipped(warehouse, skip)
    assert target.read_text() == "precious\n"
