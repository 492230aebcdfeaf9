"""winnow.memory: freed heap pages go back to the OS (measured in a fresh process, by its RSS)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

from winnow.memory import _malloc_trim, return_free_memory

PROBE = r"""
import json, sys
import psutil
from winnow.memory import return_free_memory

def rss():
    return psutil.Process().memory_info().rss

base = rss()
# 200 MB in 1 KB chunks (past pymalloc's 512 bytes: glibc's malloc), then every chunk but one in
# a hundred freed: the survivors pin the heap's top, so free() alone gives almost nothing back.
chunks = [bytes(1024) for _ in range(200_000)]
full = rss()
kept = chunks[::100]
del chunks
freed = rss()
released = return_free_memory()
trimmed = rss()
print(json.dumps(dict(base=base, full=full, freed=freed, trimmed=trimmed, released=released, kept=len(kept))))
"""


@pytest.mark.skipif(platform.system() != "Linux" or _malloc_trim() is None, reason="glibc's malloc_trim")
def test_freed_pages_leave_the_process() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    m = json.loads(out.stdout)
    grown = m["full"] - m["base"]
    assert grown > 150 * 2**20  # the chunks were resident
    assert m["freed"] - m["base"] > grown / 2  # free() alone kept most of them
    assert m["released"] is True
    assert m["trimmed"] - m["base"] < grown / 4  # malloc_trim gave them back


def test_callable_anywhere() -> None:
    assert return_free_memory() in (True, False)  # a no-op where malloc is not glibc's
