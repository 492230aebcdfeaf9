"""Decoded text to the lines every later stage works on."""

from __future__ import annotations


def split_lines(text: str, max_line_chars: int) -> list[str]:
    """Lines of the text; a pathological line longer than max_line_chars is cut into pieces."""
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= max_line_chars:
            lines.append(line)
        else:
            lines.extend(line[i : i + max_line_chars] for i in range(0, len(line), max_line_chars))
    return lines
