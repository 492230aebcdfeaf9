"""Where the warehouse, raw/ and the rule packs are, and which DuckDB storage format a warehouse
file is in (read from its header). No DuckDB import: the command line checks these before
anything heavy loads (winnow.cli.preflight)."""

from __future__ import annotations

import os
from pathlib import Path

from winnow.settings import get_settings

DEFAULT_WAREHOUSE = "warehouse/articles.duckdb"
DEFAULT_RAW = "raw"

# Users open the warehouse from notebooks, the DuckDB CLI, DBeaver and R, whose DuckDB is often a
# 1.x: a file in DuckDB 2.0's own format is refused by all of them ("version number 999, but we can
# only read versions between 64 and 67"). New warehouses are written in the v1.4 format; a file keeps
# the format it was made in.
STORAGE_VERSION = "v1.4.0"
STORAGE_NUMBER = 67  # the file header's storage version number that STORAGE_VERSION writes


def warehouse_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("WINNOW_WAREHOUSE") or DEFAULT_WAREHOUSE)


def raw_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("WINNOW_RAW") or DEFAULT_RAW)


def rules_path(raw: str | os.PathLike[str] | None = None) -> Path:
    """The user's rule packs: the rules_dir setting (WINNOW_RULES_DIR), else rules/ beside raw/."""
    return Path(get_settings().rules_dir or raw_path(raw).parent / "rules")


def storage_number(path: str | os.PathLike[str]) -> int | None:
    """The storage version number in a DuckDB file's header (None: not a DuckDB file, or empty)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[8:12] != b"DUCK":
        return None
    return int.from_bytes(head[12:20], "little")
