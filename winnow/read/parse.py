"""Parsing: the decoded text of one file into one or more documents' lines, by format.

txt (copy-pasted articles, or whole-page dumps found by winnow.read.pagedump), md and html each
have a reader; so do the multi-record formats (JSON, JSONL, CSV/TSV, RSS/Atom feeds), which are
bounded (records per file, bytes per record) and skip the records a file loaded before unchanged.
Every reader returns documents whose `lines` the cleaner then works on. Readers never raise for
bad input: they return rejected documents. (WARC archives are not text: winnow.read.parts.)
"""

from __future__ import annotations

from collections.abc import Callable

from winnow.read.delimited import read_table
from winnow.read.feeds import read_feed
from winnow.read.html import read_html
from winnow.read.lines import split_lines
from winnow.read.markdown import read_markdown
from winnow.read.pagedump import read_if_page_dump
from winnow.read.reflow import set_text_lines
from winnow.read.structured import read_records
from winnow.records import Document
from winnow.settings import Settings, get_settings

Reader = Callable[[Document, str, int], list[Document]]
# (document, text, max_line_chars, max_records, max_record_chars, known records, seconds per
# record) -> documents
RecordReader = Callable[[Document, str, int, int, int, dict[str, str], float], list[Document]]


def read_text(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    """A plain-text file: a copy-pasted article, or a whole-page dump (then its page layout is read)."""
    set_text_lines(doc, split_lines(text, max_line_chars), max_line_chars)
    read_if_page_dump(doc, get_settings().min_words)
    return [doc]


READERS: dict[str, Reader] = {
    "txt": read_text,
    "html": read_html,
    "md": read_markdown,
}
RECORD_READERS: dict[str, RecordReader] = {
    "json": read_records,
    "jsonl": read_records,
    "csv": read_table,
    "tsv": read_table,
    "feed": read_feed,
}


def parse_text(
    doc: Document,
    text: str,
    max_line_chars: int,
    settings: Settings | None = None,
    known: dict[str, str] | None = None,
) -> list[Document]:
    """The documents of one decoded file, by its format (txt for anything without a reader).
    `known`: {doc_id: record_sha256} of the records the file loaded before (winnow.read.parts)."""
    records = RECORD_READERS.get(doc.format)
    if records is not None:
        limits = settings or get_settings()
        return records(
            doc,
            text,
            max_line_chars,
            limits.max_records_per_file,
            limits.max_record_bytes,
            known or {},
            limits.doc_time_budget_s,
        )
    return READERS.get(doc.format, read_text)(doc, text, max_line_chars)
