"""Parsing: decoded text of one file into one or more documents' lines, by format.

txt (copy-pasted articles, or whole-page dumps found by winnow.textdump), md, html, json and jsonl
each have a reader; every reader returns documents whose `lines` the cleaner then works on.
"""

from __future__ import annotations

from winnow.records import Document


def split_lines(text: str, max_line_chars: int) -> list[str]:
    """Lines of the text; a pathological line longer than max_line_chars is cut into pieces."""
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= max_line_chars:
            lines.append(line)
        else:
            lines.extend(line[i : i + max_line_chars] for i in range(0, len(line), max_line_chars))
    return lines


def parse_text(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    """Dispatch on doc.format. Readers never raise for bad input: they return rejected documents."""
    if doc.format == "html":
        from winnow.formats.html import read_html

        return read_html(doc, text, max_line_chars)
    if doc.format in ("json", "jsonl"):
        from winnow.formats.structured import read_records

        return read_records(doc, text, max_line_chars)
    if doc.format == "md":
        from winnow.formats.markdown import read_markdown

        return read_markdown(doc, text, max_line_chars)
    doc.text = text
    doc.lines = split_lines(text, max_line_chars)
    from winnow.textdump import read_if_page_dump

    read_if_page_dump(doc)
    return [doc]
