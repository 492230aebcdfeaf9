"""Markdown: front matter becomes metadata, markup is stripped to plain lines for the cleaner.

The first '# Heading' stays the first line, so the plain-text header reader finds the title,
byline and date under it as it does for a copy-pasted article.
"""

from __future__ import annotations

import re

from winnow.extract.authors import normalise_authors
from winnow.extract.dates import parse_datetime
from winnow.read.lines import split_lines
from winnow.records import Document, Segment

_FRONT = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n(.*?)\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
MAX_INLINE_CHARS = 20_000


def _unquote(value: str) -> str:
    return value.strip().strip("'\"").strip()


def _front_matter(block: str) -> dict[str, list[str]]:
    """A small YAML/TOML subset: `key: value`, `key: [a, b]` and `key:` followed by `- item` lines."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in block.splitlines():
        item = re.match(r"^\s*-\s+(.*)$", line)
        if item and current:
            fields[current].append(_unquote(item.group(1)))
            continue
        m = _FIELD.match(line.strip())
        if not m:
            continue
        current = m.group(1).lower()
        value = m.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            fields[current] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            fields[current] = [_unquote(value)] if value else []
    return fields


def strip_markdown(line: str) -> str:
    if _RULE.match(line) or _REF_DEF.match(line) or line.strip().startswith("```"):
        return ""
    heading = _HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = _QUOTE.sub("", line)
    line = _LIST.sub("", line)
    line = _IMAGE.sub("", line)
    if len(line) > MAX_INLINE_CHARS:
        return line  # inline markup on a pathological line is not worth quadratic regex time
    line = _LINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return _HTML_TAG.sub("", line)


def read_markdown(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    front = _FRONT.match(text)
    offset = 0
    if front:
        fields = _front_matter(front.group(1))
        offset = front.group(0).count("\n")
        title = next(iter(fields.get("title") or []), None)
        doc.title = title or None
        authors = fields.get("authors") or fields.get("author") or []
        doc.authors = normalise_authors(authors)
        date = next(
            (fields[k][0] for k in ("date", "published", "published_at", "pubdate") if fields.get(k)), None
        )
        if date:
            doc.set_published(date, parse_datetime(date))
        doc.url = next((fields[k][0] for k in ("url", "canonical_url", "link") if fields.get(k)), None)
        doc.declared_language = next((fields[k][0] for k in ("lang", "language") if fields.get(k)), None)
        doc.publisher = next((fields[k][0] for k in ("publisher", "site", "source") if fields.get(k)), None)
    raw_lines = split_lines(text, max_line_chars)
    # Front matter lines become blank (not dropped) so positions still point into the file.
    in_code = False
    lines = []
    for i, line in enumerate(raw_lines):
        if i < offset:
            lines.append("")
            continue
        if line.strip().startswith("```"):
            in_code = not in_code
            lines.append("")
            continue
        lines.append(line if in_code else strip_markdown(line))
    doc.lines = lines
    if doc.title:
        # The front matter named the title: the body's first line is body, unless it repeats the title.
        doc.header_found = True
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].strip().casefold() == doc.title.strip().casefold():
            doc.removed.append(Segment(first + 1, lines[first].strip(), "header", "metadata"))
    return [doc]
