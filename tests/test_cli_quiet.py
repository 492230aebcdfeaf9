"""Prefect's own log lines stay off a terminal by default (-v brings them back, -q leaves only
errors); piped output keeps them, as the run's log."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import article_text, cli_env

pytestmark = pytest.mark.integration
WINNOW = str(Path(sys.executable).with_name("winnow"))
PREFECT_INFO = re.compile(r"\| INFO +\| (?:prefect|Flow run|Task run)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run winnow with stdout and stderr on a pseudo-terminal; its exit code and what it showed."""
    main, child = pty.openpty()
    env = {**cli_env(), "TERM": "xterm", "COLUMNS": "200"}
    env.pop("PREFECT_LOGGING_LEVEL", None)  # the suite quietens Prefect for itself: not for this
    proc = subprocess.Popen([WINNOW, *args], stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    code = proc.wait(timeout=600)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


def test_prefect_logs_off_on_a_terminal_unless_verbose(prefect_harness: None, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "one.txt").write_text(article_text(salt="quiet one"))
    base = ["ingest", "--raw", str(raw), "--warehouse", str(tmp_path / "w.duckdb")]

    code, shown = on_a_terminal(base)
    assert code == 0, shown
    assert "1 loaded" in shown and not PREFECT_INFO.search(shown), shown

    (raw / "two.txt").write_text(article_text(title="A Second Headline", salt="quiet two"))
    code, shown = on_a_terminal(["-v", *base])
    assert code == 0 and "1 loaded" in shown and PREFECT_INFO.search(shown), shown

    (raw / "three.txt").write_text(article_text(title="A Third Headline", salt="quiet three"))
    code, shown = on_a_terminal([*base, "-q"])
    assert code == 0 and shown.strip() == "", shown

    env = {**cli_env()}
    env.pop("PREFECT_LOGGING_LEVEL", None)
    (raw / "four.txt").write_text(article_text(title="A Fourth Headline", salt="quiet four"))
    piped = subprocess.run(
        [WINNOW, *base], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "1 loaded" in piped.stdout and PREFECT_INFO.search(piped.stderr + piped.stdout)
