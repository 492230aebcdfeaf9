"""Terminal output never carries a control character from the data: names, titles, snippets and
errors are shown escaped, by every command (winnow.cli.terminal)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.search_helpers import article_row, load_rows
from winnow.cli.terminal import json_printable, printable

HOSTILE = "esc-\x1b]0;TITLE\x07\x1b[2J\x9b31m\u202eevil"


def test_printable_escapes_every_control() -> None:
    assert printable(HOSTILE) == "esc-\\x1b]0;TITLE\\x07\\x1b[2J\\x9b31m\\u202eevil"
    assert printable("line one\nline two\ttab") == "line one\nline two\ttab"  # bodies keep their lines
    assert printable("a\nb", one_line=True) == "a\\x0ab"
    assert printable("name-\udcff.txt") == "name-\\xff.txt"  # an odd byte, as the stored name shows it
    assert printable("café — ok") == "café — ok"


def test_json_printable_is_the_same_json() -> None:
    value = {"title": HOSTILE, "name": "a\udcffb"}
    text = json.dumps(value, ensure_ascii=False)
    safe = json_printable(text)
    assert json.loads(safe) == json.loads(text)
    assert not any(c in safe for c in "\x1b\x07\x9b\u202e")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row(
                HOSTILE + ".txt",
                f"Harbour {HOSTILE} Report",
                f"The harbour was calm. {HOSTILE} The boats came home before the storm arrived.",
                authors=[f"Ann {HOSTILE}"],
                publisher=HOSTILE,
            )
        ],
    )
    return wh


@pytest.mark.parametrize(
    "args",
    [
        ["show", HOSTILE + ".txt"],
        ["show", HOSTILE + ".txt", "-f", "json"],
        ["search", "harbour"],
        ["search", "harbour", "-f", "json"],
        ["query", "SELECT * FROM articles"],
        ["query", "SELECT title, publisher FROM articles", "-f", "json"],
        ["query", f"SELECT '{HOSTILE}' FROM nowhere"],  # noqa: S608 - the error quotes the SQL
        ["show", f"missing-{HOSTILE}"],  # so does this one
        ["show", "[/]"],  # and a name that looks like rich markup is text, not markup
        ["query", "SELECT '[/]' AS \"[/b]\", '[bold]x[/bold]' AS y"],
        ["status"],
    ],
)
def test_no_command_sends_control_characters(warehouse: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "winnow.cli.main", *args, "-w", str(warehouse)],
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr
    for stream in (done.stdout, done.stderr):
        assert not any(c in stream for c in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xe2\x80\xae")), stream
    assert done.stdout or done.stderr


def test_markup_in_the_data_is_shown_as_text(warehouse: Path, tmp_path: Path) -> None:
    page = tmp_path / "page [x] [bold]x.txt"
    page.write_text(
        "A Title With [/] and [bold]Markup[/bold] In It\nBy Jane Doe\n\n"
        + "The harbour was calm [/] and the boats came home before the storm arrived that night. " * 5
    )
    for args, shown in (
        (["preview", str(page)], b"A Title With [/] and [bold]Markup[/bold] In It"),
        (["query", "SELECT '[/]' AS \"[/b]\"", "-w", str(warehouse)], b"[/b]"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "winnow.cli.main", *args], capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert shown in done.stdout.replace(b"\n", b"")
