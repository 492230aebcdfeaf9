"""Word counts of lines, shared by the stages that each need them.

Page-dump scoring, the cleaner's prose anchors, learned boilerplate and the body's word count all
count the words (runs of \\w) of the same lines; a regex pass costs about 5 us a line, so each line
is counted once. The cache is bounded by entries and skips long lines (they are rare), so its memory
stays a few megabytes; a line's count is the same whatever stage asks.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+")
CACHED_MAX_CHARS = 2_000
# An ASCII line's words without the regex: its word characters (\w is [A-Za-z0-9_] in ASCII) to
# 'a', everything else to a space, and the runs split (a quarter faster than findall).
_ASCII_WORDS = bytes.maketrans(
    bytes(range(128)), bytes(b"a"[0] if chr(b).isalnum() or b == ord("_") else b" "[0] for b in range(128))
)


def count_words(text: str) -> int:
    """Number of words (runs of letters, digits and underscores) in `text`."""
    if len(text) > CACHED_MAX_CHARS:
        return _count(text)
    return _cached(text)


def _count(text: str) -> int:
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_WORDS).split())
    return len(_WORD.findall(text))


_cached = lru_cache(maxsize=32_768)(_count)  # a batch's lines between its page-dump pass and its cleaning
