"""Tests never read the user's raw/: once winnow is in use it holds the user's own files, and
`make test` must pass all the same. The samples the repository ships are copied in tests/cases/samples/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SHIPPED_SAMPLES

TESTS = REPO / "tests"
# The ways a test could reach the repository's raw/: REPO / "raw", a relative "raw" path, the default.
_RAW_REFERENCES = re.compile(r"""REPO\s*/\s*["']raw["']|Path\(\s*["']raw/?["']\s*\)|["']\./raw/?["']""")


def test_no_test_names_the_repositorys_raw_folder() -> None:
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(TESTS.glob("*.py"))
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _RAW_REFERENCES.search(line)
    ]
    assert offenders == []


def test_the_shipped_sample_copies_match_what_raw_ships() -> None:
    shipped = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "raw"], capture_output=True, text=True, check=False
    )
    names = {Path(p).name for p in shipped.stdout.split()}
    if shipped.returncode or not names:
        return  # not a git checkout (an installed copy of the tests): nothing to compare with
    assert {p.name for p in SHIPPED_SAMPLES.glob("*.txt")} == names


def test_tests_pass_with_the_users_own_files_in_raw(tmp_path: Path) -> None:
    """The tests that once read raw/, run by pytest in a copy of the repository whose raw/ holds a
    user's files (more of them, one a whole-page dump, one undecodable)."""
    repo = tmp_path / "repo"
    shutil.copytree(TESTS, repo / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
    raw = repo / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"mine-{i}.txt").write_text(f"My Own Article {i}\nBy Me\n\n" + "Words of my own. " * 80)
    shutil.copy(TESTS / "cases" / "textdump" / "lynx-page.txt", raw / "a-page-dump.txt")
    (raw / "noise.bin.txt").write_bytes(bytes(range(256)) * 20)
    (repo / "tests" / "test_sample_fixture.py").write_text(
        "from tests.conftest import SHIPPED_SAMPLES\n\n"
        "def test_sample_raw_holds_the_shipped_samples(sample_raw):\n"
        "    names = sorted(p.name for p in sample_raw.iterdir())\n"
        "    assert names == sorted(p.name for p in SHIPPED_SAMPLES.glob('*.txt'))\n"
        "    assert len(names) == 6\n"
    )
    done = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/test_sample_fixture.py",
            "tests/test_textdump.py::test_tidy_articles_are_not_treated_as_dumps",
            "tests/test_language.py::test_same_answer_on_real_bodies",
        ],
        cwd=repo, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout
