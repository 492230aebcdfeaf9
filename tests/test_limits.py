"""Limits that protect the machine: file size (unread), line length, per-document time budget,
and files that vanish, change or lock up while a run reads them. Engine level, real files."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import pytest

from tests.helpers import article_text
from winnow.batch import process_batch, process_file
from winnow.clean.rules import Rule, RuleSet, default_rules
from winnow.read.sources import ReadProblem, discover, read_bytes
from winnow.run import RunTally, finish_run, load_batch, plan_run
from winnow.settings import Settings, get_settings
from winnow.store.accounting import find_breaches
from winnow.store.loader import Loader
from winnow.store.warehouse import open_warehouse

EVIL = Rule(id="test.catastrophic", category="ad", match="regex", patterns=(r"^(a+)+$",))


def settings(**changes: object) -> Settings:
    return dataclasses.replace(get_settings(), **changes)  # type: ignore[arg-type]


def test_oversized_file_is_refused_from_its_size_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    tracemalloc.start()
    with pytest.raises(ReadProblem) as caught:
        read_bytes(huge, 50_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.rejection.check == "too_large"
    assert caught.value.rejection.detail == {"bytes": 209715200, "limit": 50_000_000}
    assert peak < 1_000_000  # nothing close to the file's size was allocated


def test_size_limit_is_configurable(raw_dir: Path) -> None:
    (raw_dir / "a.txt").write_text(article_text())
    plan = discover(raw_dir, {})
    small = process_batch(raw_dir, plan.to_process, settings=settings(max_file_bytes=100))
    assert small.rejections["check"].to_list() == ["too_large"]
    assert process_batch(raw_dir, plan.to_process).articles.height == 1


def test_a_catastrophic_regex_is_stopped_by_the_time_budget_and_the_batch_goes_on(raw_dir: Path) -> None:
    (raw_dir / "evil.txt").write_text(article_text() + "a" * 40 + "!\n")
    (raw_dir / "good.txt").write_text(article_text(salt="good"))
    rules = RuleSet((*default_rules().rules, EVIL), "test")
    plan = discover(raw_dir, {})
    t0 = time.monotonic()
    batch = process_batch(raw_dir, plan.to_process, rules=rules, settings=settings(doc_time_budget_s=1.0))
    assert time.monotonic() - t0 < 10  # without the budget this line backtracks for centuries
    rejected = batch.rejections.to_dicts()
    assert [(r["path"], r["stage"], r["check"]) for r in rejected] == [("evil.txt", "clean", "time_budget")]
    assert "1 s time budget" in rejected[0]["reason"]
    assert rejected[0]["sha256"]  # tied to the bytes, so the next run skips it unless it changes
    assert batch.articles["source_path"].to_list() == ["good.txt"]


def test_off_the_main_thread_the_budget_is_checked_between_steps(raw_dir: Path) -> None:
    (raw_dir / "a.txt").write_text(article_text())
    entry = discover(raw_dir, {}).to_process[0]
    out: list[object] = []
    worker = threading.Thread(
        target=lambda: out.append(
            process_file(
                raw_dir, entry, default_rules(), settings(doc_time_budget_s=1e-9), defaultdict(float)
            )
        )
    )
    worker.start()
    worker.join(30)
    (docs, _sha) = out[0]  # type: ignore[misc]
    assert [r.check for r in docs[0].rejections] == ["time_budget"]


def test_a_file_that_vanishes_mid_run_is_rejected_and_marked_deleted(
    raw_dir: Path, warehouse_file: Path
) -> None:
    """The flow's own steps (plan, process, load, finish) on a real warehouse, with the file
    removed between discovery and reading: the books balance when the run ends."""
    (raw_dir / "gone.txt").write_text(article_text())
    (raw_dir / "stays.txt").write_text(article_text(salt="stays"))
    con = open_warehouse(warehouse_file)
    loader, tally = Loader(con, "run-1"), RunTally()
    loader.begin()
    plan, known = plan_run(loader, raw_dir, tally)
    (raw_dir / "gone.txt").unlink()
    batch = process_batch(raw_dir, plan.to_process)
    assert batch.rejections["check"].to_list() == ["vanished"]
    load_batch(loader, batch, known, tally)
    summary = finish_run(loader, plan, tally, str(raw_dir))
    assert (summary.loaded, summary.files_deleted) == (1, 1)
    assert con.execute("SELECT path, status FROM sources ORDER BY 1").fetchall() == [
        ("gone.txt", "deleted"),
        ("stays.txt", "loaded"),
    ]
    assert con.execute('SELECT "check" FROM rejections').fetchall() == [("vanished",)]
    assert find_breaches(con, raw_dir) == []
    con.close()


def test_a_file_rewritten_while_it_is_read_is_refused(tmp_path: Path) -> None:
    """Another process keeps rewriting the file in place while we read it. Reads that overlap a
    write are refused as changed_while_reading (stat moved, or two reads differ). A writer that is
    paused mid-file leaves a stable mix that no reader can tell from a finished file: such a read
    is accepted as the file is, and the next run reads it again once the writer moves its mtime
    (README "Failure modes": write to a dot-file and rename it into place)."""
    path = tmp_path / "busy.txt"
    size = 16 << 20
    path.write_bytes(b"A" * size)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, itertools\n"
            f"size = {size}\n"
            "with open(sys.argv[1], 'r+b', buffering=0) as fh:\n"
            "    for i in itertools.count():\n"
            "        block = bytes([65 + i % 3]) * (1 << 20)\n"
            "        for start in range(0, size, 1 << 20):\n"
            "            fh.seek(start); fh.write(block)\n",
            str(path),
        ]
    )
    versions = {bytes([65 + i]) * size for i in range(3)}
    outcomes = set()
    try:
        time.sleep(0.2)
        for _ in range(20):
            try:
                data = read_bytes(path, 50_000_000)
            except ReadProblem as problem:
                outcomes.add(problem.rejection.check)
                continue
            outcomes.add("whole" if data in versions else "stable mix")
    finally:
        writer.kill()
        writer.wait()
    assert outcomes <= {"whole", "stable mix", "changed_while_reading"}
    assert "changed_while_reading" in outcomes
    path.write_bytes(b"Z" * size)  # the writer's last word
    assert read_bytes(path, 50_000_000) == b"Z" * size


def test_a_fifo_swapped_in_after_discovery_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ReadProblem) as caught:
        read_bytes(fifo, 1000)  # would block forever on a plain open()
    assert caught.value.rejection.check == "not_a_file"


def test_unreadable_file_is_rejected_with_permission_denied() -> None:
    """chmod 000 does not stop root: as root, the engine runs in a forked child that has dropped
    to user nobody (the kernel then enforces the permission bits as for any user)."""
    base = Path(tempfile.mkdtemp(prefix="winnow-perm-"))
    base.chmod(0o755)
    (base / "locked.txt").write_text(article_text())
    (base / "locked.txt").chmod(0)
    rules, config = default_rules(), get_settings()

    def checks() -> str:
        entry = discover(base, {}).to_process[0]
        docs, _ = process_file(base, entry, rules, config, defaultdict(float))
        return ",".join(r.check for d in docs for r in d.rejections)

    try:
        if os.geteuid() != 0:
            assert checks() == "permission_denied"
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: drop privileges, run the engine, report, exit without cleanup
            try:
                os.setgid(65534)
                os.setuid(65534)
                os.write(write_end, checks().encode())
            finally:
                os._exit(0)
        os.close(write_end)
        deadline = time.monotonic() + 60
        while os.waitpid(pid, os.WNOHANG) == (0, 0):  # never hang the suite on a stuck child
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                pytest.fail("the unprivileged child did not finish in 60 s")
            time.sleep(0.05)
        with os.fdopen(read_end, "rb") as fh:
            assert fh.read().decode() == "permission_denied"
    finally:
        (base / "locked.txt").unlink()
        base.rmdir()
