"""File names of any bytes: stored losslessly (winnow.names), loaded like any other file, and
shown escaped by every command; a file replaced by a folder mid-run is `not_a_file`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import article_text, rows, run_flow
from winnow.batch import process_batch
from winnow.names import real_name, stored_name
from winnow.read.sources import ReadProblem, discover, read_bytes
from winnow.store.warehouse import open_warehouse

# Bytes a POSIX name may hold: anything but NUL and "/".
NAME_BYTES = st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b and b"/" not in b)


@given(NAME_BYTES)
def test_stored_names_are_text_and_read_back_to_the_same_bytes(raw: bytes) -> None:
    stored = stored_name(os.fsdecode(raw))
    stored.encode("utf-8")  # storable: no lone surrogates
    assert os.fsencode(real_name(stored)) == raw


def test_the_convention() -> None:
    assert stored_name("plain café.txt") == "plain café.txt"  # nearly every name: unchanged
    assert stored_name(os.fsdecode(b"bad-\xff\xfe.txt")) == "bad-\\xff\\xfe.txt"
    assert stored_name("back\\slash.txt") == "back\\\\slash.txt"
    # a name that spells an escape and a name with the byte it spells stay apart
    assert stored_name("a\\xff") != stored_name(os.fsdecode(b"a\xff"))


ODD_FILES = {
    b"bad-\xff.txt": "bad-\\xff.txt",
    b"sub\xfe/in-\xe9t\xe9.txt": "sub\\xfe/in-\\xe9t\\xe9.txt",
    b"back\\slash.txt": "back\\\\slash.txt",
    b"esc-\x1b]0;TITLE\x07\x1b[2J.txt": "esc-\x1b]0;TITLE\x07\x1b[2J.txt",
}
REFUSED = {b"notes-\xff\x1b[2J.pdf": "notes-\\xff\x1b[2J.pdf"}


def _cli(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"winnow.cli.main",
            *(a if isinstance(a, bytes) else a.encode() for a in args),
        ],
        capture_output=True,
        timeout=120,
    )


def _no_raw_controls(done: subprocess.CompletedProcess[bytes]) -> None:
    for stream in (done.stdout, done.stderr):
        assert b"Traceback" not in stream, stream
        assert not any(c in stream for c in (b"\x1b", b"\x07", b"\x9b")), stream


@pytest.mark.integration
def test_odd_names_are_loaded_and_shown_escaped(
    prefect_harness: None, raw_dir: Path, warehouse_file: Path
) -> None:
    root = os.fsencode(raw_dir)
    os.mkdir(root + b"/sub\xfe")
    for i, name in enumerate([*ODD_FILES, *REFUSED]):
        title = f"Harbour \x1b]0;PWNED\x07\x1b[2J Report {i}" if i == 3 else f"Odd Name Number {i} Report"
        with open(root + b"/" + name, "wb") as fh:
            fh.write(article_text(title=title, salt=f"odd {i}").encode())
    (raw_dir / "plain.txt").write_text(article_text(salt="plain"))
    first = run_flow(raw_dir, warehouse_file)
    assert first.status == "completed", first.error
    assert (first.loaded, first.rejected) == (5, 1)
    stored = dict(rows(warehouse_file, "SELECT path, status FROM sources"))
    assert stored == {**{s: "loaded" for s in ODD_FILES.values()}, "plain.txt": "loaded"} | {
        s: "rejected" for s in REFUSED.values()
    }
    again = run_flow(raw_dir, warehouse_file)
    assert again.status == "completed" and again.files_unchanged == 6 and again.loaded == 0

    wh = str(warehouse_file)
    for name in ODD_FILES:
        on_disk = root + b"/" + name
        shown = _cli("show", on_disk, "-w", wh, "-r", str(raw_dir))
        assert shown.returncode == 0, shown.stderr
        _no_raw_controls(shown)
        assert stored_name(os.fsdecode(name)).encode("utf-8").replace(b"\x1b", b"\\x1b").replace(
            b"\x07", b"\\x07"
        ) in shown.stdout.replace(b"\n", b"")
        previewed = _cli("preview", on_disk)
        assert previewed.returncode == 0, previewed.stderr
        _no_raw_controls(previewed)
    shown = _cli("show", "bad-\\xff.txt", "-w", wh)  # the stored form, as the user sees it, works too
    assert shown.returncode == 0 and b"bad-\\xff.txt" in shown.stdout
    for args in (
        ("rejects", "-w", wh),
        ("rejects", "-w", wh, "-f", "json"),
        ("search", "Harbour", "-w", wh),
        ("status", "-w", wh),
        ("query", "SELECT source_path, title FROM articles", "-w", wh),
        ("query", "SELECT source_path, title FROM articles", "-w", wh, "-f", "json"),
        ("show", "esc-\\x1b]0;TITLE\\x07\\x1b[2J.txt", "-w", wh),
    ):
        done = _cli(*args)
        assert done.returncode in (0, 1), (args, done.stderr)
        _no_raw_controls(done)
    said = _cli("rejects", "-w", wh).stdout
    assert b"notes-\\xff\\x1b[2J.pdf" in said and b"unsupported_format" in said


def test_a_file_replaced_by_a_folder_mid_run_is_not_a_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "story.txt").write_text(article_text())
    plan = discover(raw, {})
    (raw / "story.txt").unlink()
    (raw / "story.txt").mkdir()  # after discovery, before reading
    batch = process_batch(raw, plan.to_process)
    assert batch.rejections.select("check").to_series().to_list() == ["not_a_file"]
    assert "internal error" not in batch.rejections["reason"][0]
    with pytest.raises(ReadProblem) as problem:
        read_bytes(raw / "story.txt", 1000)
    assert problem.value.rejection.check == "not_a_file"


def test_backslash_names_of_an_older_warehouse_are_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = open_warehouse(path)
    con.execute(
        "INSERT INTO sources (path, record, sha256, status, doc_id, first_run, last_run, updated_at) "
        "VALUES ('back\\slash.txt', 0, 's1', 'loaded', 'd1', 'r1', 'r1', now())"
    )
    con.execute("DELETE FROM schema_version WHERE version = 10")  # as an older winnow left it
    con.close()
    open_warehouse(path).close()
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT path FROM sources").fetchall() == [("back\\\\slash.txt",)]
    con.close()
