"""File names of any bytes, stored losslessly as text.

A POSIX file name is bytes; Python hands it over as text with each byte that is not UTF-8 turned
into a lone surrogate (`surrogateescape`), which DuckDB, Arrow and JSON cannot hold. So winnow stores
every name under raw/ in one lossless form, the *stored name*:

- a name that is valid UTF-8 and has no backslash is stored as it is (nearly every name);
- a byte that is not UTF-8 becomes `\\xNN` (two lower-case hex digits);
- a backslash becomes `\\\\`, so every backslash in a stored name starts an escape and the form
  reads back to exactly the bytes it came from.

The stored name is the name everywhere in the warehouse and the engine (doc ids derive from it);
`real_name` turns it back into what the operating system opens. Control characters (valid UTF-8)
stay as they are in storage; the terminal shows them escaped (winnow.cli.terminal).
"""

from __future__ import annotations

import os
import re

_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def stored_name(name: str) -> str:
    """The stored form of an OS-level name (a str from os.scandir, surrogates for odd bytes)."""
    if "\\" not in name and not _has_surrogates(name):
        return name
    raw = os.fsencode(name)
    out: list[str] = []
    i = 0
    while i < len(raw):
        try:
            # the longest valid UTF-8 run from here, decoded at once
            text = raw[i:].decode("utf-8")
            out.append(text.replace("\\", "\\\\"))
            break
        except UnicodeDecodeError as exc:
            good = raw[i : i + exc.start].decode("utf-8")
            out.append(good.replace("\\", "\\\\"))
            out.extend(f"\\x{b:02x}" for b in raw[i + exc.start : i + exc.end])
            i += exc.end
    return "".join(out)


def real_name(stored: str) -> str:
    """The OS-level name (surrogateescape text, as os functions take it) of a stored name."""
    if "\\" not in stored:
        return stored
    raw = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(stored):
        raw += stored[pos : m.start()].encode("utf-8")
        token = m.group(1)
        raw += b"\\" if token == "\\" else bytes([int(token[1:], 16)])
        pos = m.end()
    raw += stored[pos:].encode("utf-8")
    return os.fsdecode(bytes(raw))


def without_surrogates(text: str) -> str:
    """`text` (an error message that quotes a name, say) with each lone surrogate written out:
    `\\xNN` for an escaped byte, `\\uXXXX` for any other. What DuckDB, Arrow and JSON can hold."""
    if not _has_any_surrogate(text):
        return text
    return "".join(_written_out(ch) for ch in text)


def _written_out(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":
        return f"\\x{ord(ch) - 0xDC00:02x}"  # a byte that was not UTF-8 (surrogateescape)
    if "\ud800" <= ch <= "\udfff":
        return f"\\u{ord(ch):04x}"
    return ch


def _has_any_surrogate(text: str) -> bool:
    # An ASCII name (most names) has none: told in C, not character by character in Python
    # (discovery asks it of every file under raw/ on every run).
    return not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text)


def _has_surrogates(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)
