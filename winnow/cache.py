"""winnow's cache folder: derived data that is slow to build and the same every time, such as the
language model in a form that loads in a few milliseconds. Never the only copy of anything:
what is missing, unreadable or out of date is built again from its source.

The folder is the `cache_dir` setting, else `$XDG_CACHE_HOME/winnow`, else `~/.cache/winnow`.
An entry is a folder named by a hash of what it was built from; it is written under a temporary
name and renamed into place, so a reader sees a whole entry or none, and two processes building
the same entry at once both succeed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from winnow.settings import get_settings


def cache_root() -> Path:
    configured = get_settings().cache_dir
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "winnow"


def entry(name: str, write: Callable[[Path], None]) -> Path | None:
    """The cache entry `name` (a folder), written by `write(folder)` if it is not there yet.
    None when the cache cannot be written (a read-only home): the caller builds in memory."""
    root = cache_root()
    final = root / name
    if final.is_dir():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    except OSError:
        return None
    try:
        write(scratch)
        os.rename(scratch, final)  # atomic; fails if another process put it there first
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        return final if final.is_dir() else None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return final


def forget(name: str) -> None:
    """Remove an entry found unreadable, so the next process writes it again."""
    with contextlib.suppress(OSError):
        shutil.rmtree(cache_root() / name)
