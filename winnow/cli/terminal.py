"""What reaches the terminal: text from files and the warehouse (names, titles, snippets, errors)
with every control character shown escaped, never sent raw.

A file name or title can carry escape sequences (`ESC ] 0 ; title BEL` retitles the window,
`ESC [ 2 J` clears it) or lone surrogates (a name's odd bytes, which no terminal encoding can
write). `printable` writes them out as `\\xNN` / `\\uXXXX`; `SafeConsole` applies it to every string
rich renders (print, tables, rules), so each command's output goes through it; commands that write
JSON or CSV themselves use `printable` (JSON: `json_printable`, which stays valid JSON).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

# C0 and C1 controls, DEL, the bidirectional overrides and isolates (they reorder what is shown),
# and lone surrogates. Newline and tab are kept where text is multi-line (bodies, tables).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# json.dumps escapes C0 itself; what it leaves raw (with ensure_ascii=False), lone surrogates included.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that was not UTF-8 (surrogateescape)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, one_line: bool = False) -> str:
    """`text` safe for a terminal; with `one_line`, newlines and tabs escaped too (a name, a title)."""
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escaped, text)


def json_printable(text: str) -> str:
    """JSON text (from json.dumps) with the controls json.dumps leaves raw written as \\u escapes:
    the same JSON value, safe on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeConsole(Console):
    """A rich Console that renders no control character from the text it is given, and that does
    not fold its lines when writing to a pipe or a file: a path or message there stays on one line
    (Rich would wrap at 80 columns), so scripts can read it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_terminal:
            self.soft_wrap = True

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text), **kwargs)


def emit(text: str, *, json: bool = False) -> None:
    """Write a command's own output to stdout: JSON always through `json_printable` (the same
    value); other text escaped when stdout is a terminal, exact when it is a pipe or a file."""
    if json:
        text = json_printable(text)
    elif sys.stdout.isatty():
        text = printable(text)
    sys.stdout.write(text)
