"""CSV and TSV scraper exports with a header row: one article per row, columns matched like JSON fields.

The delimiter is the extension's (',' for .csv, tab for .tsv) unless the header line plainly uses
another (';' from a European spreadsheet, '|'). Each data row is its own record (record number =
its place among the data rows, so appended rows leave earlier numbers alone) and becomes an
article or a rejection with a reason. A table without a text column (a list of headlines and
links) is one rejection for the file, `no_text_column`, not a row-by-row failure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from winnow.read import fields as F
from winnow.read.structured import budgeted, kept_or_none, record_digest, record_document, too_many_records
from winnow.records import Document

_DELIMITERS = {"csv": ",", "tsv": "\t"}
_CANDIDATES = (",", ";", "\t", "|")


def delimiter_of(header_line: str, fmt: str) -> str:
    """The extension's delimiter, unless the header line splits only by another candidate."""
    default = _DELIMITERS.get(fmt, ",")
    if header_line.count(default):
        return default
    counts = {d: header_line.count(d) for d in _CANDIDATES if d != default}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else default


def _rows(text: str, delimiter: str, max_field_chars: int) -> Iterator[list[str] | csv.Error]:
    csv.field_size_limit(max(max_field_chars, 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc
            continue
        yield row


def read_table(
    base: Document,
    text: str,
    max_line_chars: int,
    max_records: int = 0,
    max_record_chars: int = 0,
    known: dict[str, str] | None = None,
    budget_s: float = 0,
) -> list[Document]:
    first_line = text.split("\n", 1)[0]
    delimiter = delimiter_of(first_line, base.format)
    rows = _rows(text, delimiter, max_record_chars or 10_000_000)
    header: list[str] | None = None
    for row in rows:
        if isinstance(row, csv.Error):
            return [base.reject("parse", "bad_csv", f"the header row cannot be read: {row}")]
        if any(cell.strip() for cell in row):
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            break
    if header is None:
        return [base.reject("parse", "empty_file", "the table holds no header row")]
    if not F.maps_text(header):
        return [
            base.reject(
                "parse",
                "no_text_column",
                "the table has no column of article text (looked for "
                f"{', '.join(F.TEXT_FIELDS[:5] + F.TEASER_FIELDS[:2])}, ...): it lists "
                f"{', '.join(header[:8])}{', ...' if len(header) > 8 else ''}",
                columns=header[:50],
            )
        ]
    docs: list[Document] = []
    n = 0
    for row in rows:
        if isinstance(row, csv.Error):
            large = "larger than field limit" in str(row)
            docs.append(
                base.child(n).reject(
                    "parse",
                    "record_too_large" if large else "bad_csv_row",
                    f"row {n + 1} has a cell over the limit of {max_record_chars} characters "
                    "(max_record_bytes)"
                    if large
                    else f"row {n + 1} cannot be read: {row}",
                    row=n + 1,
                )
            )
            n += 1
            continue
        if not any(cell.strip() for cell in row):
            continue  # a blank line is not a record
        if max_records and n >= max_records:
            return [
                too_many_records(
                    base, n + 1 + sum(1 for r in rows if not isinstance(r, csv.Error)), max_records
                )
            ]
        digest = record_digest([header, row])
        doc = kept_or_none(base, n, digest, known or {})
        if doc is None:
            record = {name: (row[i] if i < len(row) else None) for i, name in enumerate(header) if name}
            doc = budgeted(
                base.child(n), budget_s, record_document, base, n, record, max_line_chars, what="row"
            )
            doc.record_sha256 = digest
        docs.append(doc)
        n += 1
    if not docs:
        return [base.reject("parse", "empty_file", "the table has a header row and no data rows")]
    return docs
