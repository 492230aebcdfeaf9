"""Parsing: the decoded text of one file into one or more documents' lines, by format.

txt (copy-pasted articles, or whole-page dumps found by winnow.read.pagedump), md, html, json and
jsonl each have a reader; every reader returns documents whose `lines` the cleaner then works on.
Readers never raise for bad input: they return rejected documents.
"""

from __future__ import annotations

from collections.abc import Callable

from winnow.read.html import read_html
from winnow.read.lines import split_lines
from winnow.read.markdown import read_markdown
from winnow.read.pagedump import read_if_page_dump
from winnow.read.structured import read_records
from winnow.records import Document

Reader = Callable[[Document, str, int], list[Document]]


def read_text(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    """A plain-text file: a copy-pasted article, or a whole-page dump (then its page layout is read)."""
    doc.lines = split_lines(text, max_line_chars)
    read_if_page_dump(doc)
    return [doc]


READERS: dict[str, Reader] = {
    "txt": read_text,
    "html": read_html,
    "md": read_markdown,
    "json": read_records,
    "jsonl": read_records,
}


def parse_text(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    """The documents of one decoded file, by its format (txt for anything without a reader)."""
    return READERS.get(doc.format, read_text)(doc, text, max_line_chars)
