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


def count_words(text: str) -> int:
    """Number of words (runs of letters, digits and underscores) in `text`."""
    if len(text) > CACHED_MAX_CHARS:
        return len(_WORD.findall(text))
    return _cached(text)


@lru_cache(maxsize=32_768)  # a batch's lines between its page-dump pass and its cleaning
def _cached(text: str) -> int:
    return len(_WORD.findall(text))
