"""WARC and WARC.gz web archives (wget --warc, Heritrix, Browsertrix, Common Crawl WARC and WET), by warcio.

An archive is read in two steps, so memory follows the batch, not the file:

1. `scan_archive` (in the flow's process) streams the file once: its sha256, and for every
   record its place (ordinal, byte offset), identity, type and payload type. Nothing is kept but
   that index: hundreds of MB of archive are never in memory.
2. `read_archive_records` (in a batch worker) seeks to the records a part lists and reads each
   one: a `response` (or `resource`) with an HTML payload goes through the HTML reader with
   WARC-Target-URI as its URL and WARC-Date as its fetch time (never as its published time); a
   `conversion` record (WET's extracted text) goes through the text path. Other records
   (warcinfo, request, metadata, revisit, non-HTML payloads, non-2xx responses) are skipped and
   counted, with the reason.

A record's identity is its WARC-Record-ID (a URN the WARC spec makes unique per record; a record
with none, or one repeated in the file, is keyed by its offset): the doc_id stays the same when
the archive is appended to, re-compressed or filtered, and a re-run skips records whose header
block is unchanged (`digest`). HTTP chunking and Content-Encoding (gzip, deflate, brotli) are
undone by warcio.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from winnow.records import Document, Rejection

READABLE = frozenset({"response", "resource", "conversion"})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xhtml", "text/xhtml")
_TEXT_TYPES = ("text/plain",)
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One record of an archive, as its index holds it."""

    ordinal: int  # its place among all the file's records (0-based)
    offset: int  # byte offset in the file (of its gzip member, in a .warc.gz)
    key: str  # WARC-Record-ID, or '@<offset>' when it has none or repeats one
    kind: str  # WARC-Type
    target_uri: str | None
    date: str | None  # WARC-Date
    payload_type: str | None  # the HTTP Content-Type of a response, the record's own otherwise
    status: int | None  # HTTP status of a response
    length: int  # Content-Length of the record block
    digest: str  # sha256 of the WARC header block: the record's identity for re-runs
    skip: str | None = None  # why it is not read (None: it is read)


@dataclass
class ArchiveScan:
    sha256: str = ""
    size: int = 0
    records: list[ArchiveRecord] = field(default_factory=list)
    problem: Rejection | None = None  # what stopped the scan (records before it are good)


class _Hashing:
    """A read-only file wrapper that hashes every byte read through it."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw, self.limit = raw, limit
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.hash.update(data)
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge(self.size)
        return data

    def readline(self, n: int = -1) -> bytes:
        data = self.raw.readline(n)
        self.hash.update(data)
        self.size += len(data)
        return data


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


def _mime(value: str | None) -> str | None:
    return value.split(";", 1)[0].strip().lower() if value else None


def skip_reason(
    kind: str, payload_type: str | None, status: int | None, length: int, max_bytes: int
) -> str | None:
    """Why a record is not read as a document; None when it is."""
    if kind not in READABLE:
        return kind  # warcinfo, request, metadata, revisit, continuation
    if kind == "response" and status is not None and not 200 <= status < 300:
        return f"http {status}"
    mime = payload_type or ""
    if kind == "conversion":
        if mime and not mime.startswith("text/"):
            return f"payload {mime}"
    elif not mime.startswith(_HTML_TYPES + _TEXT_TYPES):
        return f"payload {mime or 'unknown'}"
    return None


def scan_archive(path: Path, max_bytes: int, max_records: int, max_record_bytes: int) -> ArchiveScan:
    """Index the archive (see the module docstring). Never raises for bad data: `problem` says
    what stopped the scan, and the records indexed before it stay good."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    scan = ArchiveScan()
    seen: set[str] = set()
    with open(path, "rb") as raw:
        stream = _Hashing(raw, max_bytes)
        try:
            iterator = ArchiveIterator(stream, no_record_parse=False, arc2warc=True)
            for record in iterator:
                ordinal = len(scan.records)
                if ordinal >= max_records:
                    scan.problem = Rejection(
                        "parse",
                        "too_many_records",
                        f"the archive holds more than {max_records} records (max_records_per_file)",
                        {"limit": max_records},
                    )
                    break
                expected = record.raw_stream.limit  # the block's bytes after any HTTP headers
                got = _drain(record.raw_stream)  # first: the offset is known once the record is read
                info = _index(record, iterator.get_record_offset(), ordinal, seen, max_record_bytes)
                if got < expected:
                    scan.problem = _cut_short(info, info.length - expected + got)
                    break
                scan.records.append(info)
            while stream.read(_CHUNK):  # trailing bytes count in the file's hash
                pass
        except _TooLarge as big:
            scan.problem = Rejection(
                "read",
                "too_large",
                f"the archive is over the limit of {max_bytes} bytes (max_archive_bytes)",
                {"limit": max_bytes, "bytes_read": big.size},
            )
        except (ArchiveLoadFailed, ValueError, EOFError, OSError) as exc:
            if isinstance(exc, OSError) and not _is_data_error(exc):
                raise  # an I/O error of the disk, not of the data: the flow retries it
            scan.problem = _corrupt(scan, exc)
    scan.sha256, scan.size = stream.hash.hexdigest(), stream.size
    if not scan.records and scan.problem is None:
        scan.problem = Rejection("parse", "empty_file", "the archive holds no records")
    return scan


def _drain(stream: Any) -> int:
    """Read a record's block to its end (it is not kept); the bytes there were."""
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
    return total


def _cut_short(info: ArchiveRecord, got: int) -> Rejection:
    return Rejection(
        "parse",
        "corrupt_warc",
        f"record {info.ordinal} is cut short ({got} of its {info.length} bytes): the archive ends "
        "mid-record (still being written, or a download that stopped); the records before it load",
        {"record": info.ordinal, "offset": info.offset, "bytes": got, "length": info.length},
    )


def _corrupt(scan: ArchiveScan, exc: Exception) -> Rejection:
    message = str(exc)
    if "Non-chunked gzip" in message or "gzip block continues" in message:
        return Rejection(
            "parse",
            "warc_not_gzipped_per_record",
            "the archive is gzipped as one stream, not record by record as WARC.gz must be: "
            "gunzip it (a plain .warc is read as well), or recompress it with `warcio recompress`",
            {"records_before": len(scan.records)},
        )
    return Rejection(
        "parse",
        "corrupt_warc",
        f"not valid WARC data after {len(scan.records)} good records: {message[:200]}",
        {"records_before": len(scan.records)},
    )


def _is_data_error(exc: OSError) -> bool:
    # zlib and gzip errors arrive as OSError subclasses or plain errors with no errno.
    return exc.errno is None


def _index(record: Any, offset: int, ordinal: int, seen: set[str], max_record_bytes: int) -> ArchiveRecord:
    headers = record.rec_headers
    kind = (headers.get_header("WARC-Type") or "unknown").strip().lower()
    key = (headers.get_header("WARC-Record-ID") or "").strip()
    if not key or key in seen:
        key = f"@{offset}"
    seen.add(key)
    status = None
    payload = _mime(headers.get_header("Content-Type"))
    if record.http_headers is not None and kind in ("response", "revisit", "request"):
        payload = _mime(record.http_headers.get_header("Content-Type"))
        try:
            status = int(record.http_headers.get_statuscode() or 0) or None
        except ValueError:
            status = None
    length = int(headers.get_header("Content-Length") or 0)
    block = "\r\n".join(f"{k}: {v}" for k, v in headers.headers).encode("utf-8", "surrogateescape")
    skip = skip_reason(kind, payload, status, length, max_record_bytes)
    if skip is None and length > max_record_bytes:
        skip = None  # read and refused with a reason (record_too_large): it is a document
    return ArchiveRecord(
        ordinal=ordinal,
        offset=offset,
        key=key,
        kind=kind,
        target_uri=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"),
        payload_type=payload,
        status=status,
        length=length,
        digest=hashlib.sha256(block).hexdigest(),
        skip=skip,
    )


def read_archive_records(
    path: Path, records: list[ArchiveRecord], max_record_bytes: int
) -> Iterator[tuple[ArchiveRecord, bytes | Rejection]]:
    """(record, its payload or why it cannot be had) for the listed records, in file order. The
    payload is HTTP-decoded (chunking, Content-Encoding) and read up to max_record_bytes + 1."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with open(path, "rb") as fh:
        for info in sorted(records, key=lambda r: r.offset):
            if info.length > max_record_bytes:
                yield info, _too_large(info, max_record_bytes)
                continue
            fh.seek(info.offset)
            try:
                record = next(iter(ArchiveIterator(fh, arc2warc=True)))
                payload = record.content_stream().read(max_record_bytes + 1)
            except (ArchiveLoadFailed, StopIteration, ValueError, EOFError, OSError) as exc:
                if isinstance(exc, OSError) and not _is_data_error(exc):
                    raise
                yield (
                    info,
                    Rejection(
                        "parse",
                        "corrupt_warc",
                        f"the record cannot be read: {str(exc)[:200]}",
                        {"offset": info.offset},
                    ),
                )
                continue
            if len(payload) > max_record_bytes:
                yield info, _too_large(info, max_record_bytes, decoded=True)
                continue
            yield info, payload


def _too_large(info: ArchiveRecord, limit: int, decoded: bool = False) -> Rejection:
    what = "its payload inflates past" if decoded else f"its block holds {info.length} bytes, over"
    return Rejection(
        "read",
        "decompressed_too_large" if decoded else "record_too_large",
        f"record {info.ordinal} ({info.target_uri}): {what} the limit of {limit} bytes (max_record_bytes)",
        {"limit": limit, "offset": info.offset},
    )


def record_documents(
    doc: Document, info: ArchiveRecord, payload: bytes, max_line_chars: int
) -> list[Document]:
    """One record's payload through the HTML or text path."""
    from winnow.extract.dates import parse_datetime
    from winnow.read.decode import decode

    decoded = decode(payload)
    if decoded.text is None:
        return [
            doc.reject("decode", decoded.problem or "undecodable", decoded.detail, encoding=decoded.encoding)
        ]
    doc.encoding = decoded.encoding
    if info.kind == "conversion" or (info.payload_type or "").startswith(_TEXT_TYPES):
        from winnow.read.lines import split_lines
        from winnow.read.pagedump import read_if_page_dump
        from winnow.read.reflow import set_text_lines
        from winnow.settings import get_settings

        set_text_lines(doc, split_lines(decoded.text, max_line_chars), max_line_chars)
        read_if_page_dump(doc, get_settings().min_words)
        out = [doc]
    else:
        from winnow.read.html import read_html

        out = read_html(doc, decoded.text, max_line_chars)
    for d in out:
        d.url = info.target_uri or d.url  # what was fetched: the archive's own record of it
        d.fetched_at = parse_datetime(info.date) if info.date else None
    return out
