"""What the matcher works out from each rule pattern (winnow.clean.patterns: the characters a match
can start with, the characters and texts every match holds; whether it can join an alternation),
remembered in winnow's cache folder (winnow.cache) so that a process does not parse every pattern
again: about 0.05 s of each ingest's start for the shipped packs.

The file is named by a hash of the Python version (its regex parser) and of the source of the
modules that do the working out, so a change to either starts a new file; a value is stored for
a pattern string exactly as the function was given it. Unreadable or malformed content is worked
out again. Writes replace the file whole (merged with what another process wrote meanwhile).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from winnow import cache

T = TypeVar("T")

_values: dict[str, Any] = {}  # "kind\0pattern" -> the value, as the function returned it
_stored: dict[str, Any] | None = None  # the same, as JSON values (None: the file not read yet)
_new = False  # values worked out here that the file does not hold yet
computed = 0  # values this process worked out (not found in the file)


def _path() -> Path:
    digest = hashlib.sha256(sys.version.encode())
    here = Path(__file__).resolve().parent
    for name in ("analysis.py", "patterns.py", "matcher.py"):
        digest.update((here / name).read_bytes())
    return cache.cache_root() / f"regex-analysis-{digest.hexdigest()[:20]}.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _encode(value: Any) -> Any:
    if isinstance(value, frozenset):
        return {"set": sorted(value)}
    if isinstance(value, tuple):
        return {"tuple": list(value)}
    return value  # bool or None


def _decode(kind: str, stored: Any) -> Any:
    """The value as the function returns it; ValueError for anything else."""
    if kind == "combinable" and isinstance(stored, bool):
        return stored
    if stored is None and kind in ("starts", "texts"):
        return None
    if isinstance(stored, dict) and len(stored) == 1:
        ((form, items),) = stored.items()
        if isinstance(items, list) and all(isinstance(x, str) for x in items):
            if form == "set" and kind in ("starts", "needs"):
                return frozenset(items)
            if form == "tuple" and kind == "texts":
                return tuple(items)
    raise ValueError(f"{kind}: {stored!r}")


def remembered(kind: str, pattern: str, compute: Callable[[str], T]) -> T:
    """compute(pattern), from the cache when it holds it."""
    global _stored, _new, computed
    key = f"{kind}\0{pattern}"
    if key in _values:
        return _values[key]
    if _stored is None:
        try:
            _stored = _read(_path())
        except OSError:
            _stored = {}
    if key in _stored:
        try:
            value = _values[key] = _decode(kind, _stored[key])
            return value
        except ValueError:
            pass
    value = _values[key] = compute(pattern)
    _stored[key] = _encode(value)
    _new = True
    computed += 1
    return value


def save() -> None:
    """Write what this process worked out, if anything (never raises for the file)."""
    global _new
    if not _new or _stored is None:
        return
    _new = False
    with contextlib.suppress(OSError):
        path = _path()
        path.parent.mkdir(parents=True, exist_ok=True)
        merged = {**_read(path), **_stored}
        fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(merged, fh)
            os.replace(scratch, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
            raise
