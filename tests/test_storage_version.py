"""The warehouse file opens in DuckDB 1.x clients (the DuckDB CLI, DBeaver, R, notebooks): new files
are written in DuckDB's v1.4 storage format, and `winnow convert` rewrites an older winnow's file."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SHIPPED_SAMPLES
from tests.helpers import cli_env, rows

pytestmark = pytest.mark.integration
WINNOW = str(Path(sys.executable).with_name("winnow"))
READABLE_BY_DUCKDB_1_4 = 67  # the highest header number DuckDB 1.4 opens ("between 64 and 67")


def header_number(path: Path) -> int:
    head = path.read_bytes()[:20]
    assert head[8:12] == b"DUCK"
    return int.from_bytes(head[12:20], "little")


@pytest.fixture(scope="module")
def duckdb_1_4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with DuckDB 1.4 from the package registry, in a virtual environment of its own."""
    where = tmp_path_factory.mktemp("duckdb-1.4")
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    got = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "duckdb>=1.4,<1.5"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if got.returncode:
        pytest.skip(f"DuckDB 1.4 could not be installed: {got.stderr.strip()[-300:]}")
    return python


def read_with(python: Path, warehouse: Path, sql: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__)\n"
        "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))\n"
    )
    return subprocess.run(
        [str(python), "-c", code, str(warehouse), sql],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_new_warehouse_opens_in_duckdb_1_4(prefect_harness: None, tmp_path: Path, duckdb_1_4: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SHIPPED_SAMPLES.glob("*.txt"):
        (raw / path.name).write_bytes(path.read_bytes())
    warehouse = tmp_path / "w" / "articles.duckdb"
    done = subprocess.run(
        [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, env=cli_env(), timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert header_number(warehouse) <= READABLE_BY_DUCKDB_1_4
    old = read_with(
        duckdb_1_4,
        warehouse,
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_authors), "
        "(SELECT count(*) FROM search_postings) > 0, (SELECT max(version) FROM schema_version)",
    )
    assert old.returncode == 0, old.stderr
    version, result = old.stdout.splitlines()
    assert version.startswith("1.4.")
    articles, authors, indexed, schema = json.loads(result)[0]
    assert articles == 6 and authors >= 6 and indexed and schema >= 6
    # Written again by the ingest (a changed file): the file keeps its format.
    first = sorted(raw.iterdir())[0]
    first.write_text(first.read_text("utf-8") + "\nOne more closing paragraph, added later by its author.\n")
    again = subprocess.run(
        [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, env=cli_env(), timeout=600, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert header_number(warehouse) <= READABLE_BY_DUCKDB_1_4
    assert read_with(duckdb_1_4, warehouse, "SELECT count(*) FROM articles").returncode == 0


def test_convert_rewrites_a_duckdb_2_file_for_1_4_clients(tmp_path: Path, duckdb_1_4: Path) -> None:
    from winnow.errors import warehouse_failure
    from winnow.store.warehouse import open_warehouse

    warehouse = tmp_path / "articles.duckdb"
    duckdb.connect(str(warehouse)).close()  # DuckDB 2.0's own format, as winnow made it before
    con = open_warehouse(warehouse)  # migrated: every table, view, sequence and index
    con.execute("SELECT nextval('search_doc_key') FROM range(5)").fetchall()
    con.close()
    assert header_number(warehouse) > READABLE_BY_DUCKDB_1_4
    schema = rows(warehouse, "SELECT count(*) FROM schema_version")
    refused = read_with(duckdb_1_4, warehouse, "SELECT 1")
    assert refused.returncode != 0 and "version number" in refused.stderr
    # What a winnow on a DuckDB too old for the file says, from that DuckDB's own words.
    said = next(line for line in refused.stderr.splitlines() if "version number" in line)
    advice = str(warehouse_failure(duckdb.IOException(said), warehouse, opening=True))
    assert "a newer DuckDB made it" in advice and "winnow convert" in advice

    status = subprocess.run(
        [WINNOW, "status", "--format", "json", "--warehouse", str(warehouse)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["storage_version"] > READABLE_BY_DUCKDB_1_4 and "winnow convert" in info["storage"]
    done = subprocess.run(
        [WINNOW, "convert", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rewritten" in done.stdout
    assert header_number(warehouse) <= READABLE_BY_DUCKDB_1_4
    assert read_with(duckdb_1_4, warehouse, "SELECT count(*) FROM schema_version").returncode == 0
    # Nothing lost: the schema, and the key sequence goes on where it was.
    assert rows(warehouse, "SELECT count(*) FROM schema_version") == schema
    con = duckdb.connect(str(warehouse))
    try:
        assert con.execute("SELECT nextval('search_doc_key')").fetchall() == [(6,)]
    finally:
        con.close()
    again = subprocess.run(
        [WINNOW, "convert", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0 and "nothing to do" in again.stdout
