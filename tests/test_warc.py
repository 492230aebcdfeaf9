"""WARC and WARC.gz archives (warcio-written): records through the HTML and text paths, limits."""

from __future__ import annotations

import dataclasses
import gzip
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.warc_helpers import Archive, crawl, page
from winnow.batch import process_file
from winnow.clean.rules import default_rules
from winnow.read.sources import FileEntry, format_of
from winnow.read.warc import scan_archive
from winnow.records import Document, doc_id_for
from winnow.settings import get_settings


def process(path: Path, **overrides: int) -> list[Document]:
    settings = dataclasses.replace(get_settings(), **overrides)
    entry = FileEntry(path.name, path.stat().st_size, path.stat().st_mtime_ns, format_of(path.name) or "")
    docs, _ = process_file(path.parent, entry, default_rules(), settings, defaultdict(float))
    return docs


def scan(path: Path, **limits: int):  # type: ignore[no-untyped-def]
    s = get_settings()
    return scan_archive(
        path,
        limits.get("max_bytes", s.max_archive_bytes),
        limits.get("max_records", s.max_records_per_file),
        limits.get("max_record_bytes", s.max_record_bytes),
    )


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_records_by_type(tmp_path: Path, name: str) -> None:
    path = crawl(tmp_path / name, range(3))
    index = scan(path)
    assert index.problem is None
    assert [r.kind for r in index.records] == ["warcinfo"] + ["request", "response"] * 3 + [
        "response",
        "response",
        "conversion",
    ]
    assert [r.skip for r in index.records if r.skip] == [
        "warcinfo",
        "request",
        "request",
        "request",
        "payload image/png",
        "http 301",
    ]
    import hashlib

    assert index.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    docs = process(path)
    assert [d.record for d in docs] == [2, 4, 6, 9]  # ordinals among all records
    assert all(not d.rejected for d in docs), [d.rejections for d in docs]
    story = docs[0]
    assert story.title == "Harbour story number 0" and story.authors == ["Priya Raman"]
    assert story.url == "https://news.example/story/0"  # WARC-Target-URI
    assert story.published_at == datetime(2024, 3, 5, 8, 15, tzinfo=UTC)  # the page's own date
    assert story.fetched_at is not None and story.fetched_at.year >= 2024  # WARC-Date
    assert story.doc_id == doc_id_for(name, index.records[2].key) and index.records[2].key.startswith(
        "<urn:uuid:"
    )
    wet = docs[3]
    assert wet.format == "warc" and wet.body.startswith("The harbour bridge reopened")


def test_fetch_time_is_never_the_published_time(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "undated.warc.gz")
    archive.response("https://news.example/undated", page("An undated story", published=None))
    archive.close()
    [doc] = process(tmp_path / "undated.warc.gz")
    assert doc.fetched_at is not None and doc.published_at is None and doc.published_raw is None


def test_chunked_and_gzip_encoded_payloads(tmp_path: Path) -> None:
    """wget --warc keeps the HTTP body as sent: chunked and compressed."""
    archive = Archive(tmp_path / "wget.warc.gz")
    archive.response(
        "https://news.example/chunked", page("A chunked and gzipped page"), encoding="gzip", chunked=True
    )
    archive.close()
    [doc] = process(tmp_path / "wget.warc.gz")
    assert not doc.rejected and doc.title == "A chunked and gzipped page" and "harbour bridge" in doc.body


def test_a_truncated_archive_keeps_its_good_records(tmp_path: Path) -> None:
    """A crawl cut off mid-record (a crawler still writing, a download stopped): the records before
    the break load, the rest is one rejection."""
    path = crawl(tmp_path / "cut.warc.gz", range(3), extra=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])
    docs = process(path)
    assert [d.rejected for d in docs] == [False, False, True]
    assert docs[-1].rejections[0].check == "corrupt_warc"


def test_not_a_warc(tmp_path: Path) -> None:
    (tmp_path / "fake.warc").write_bytes(b"this is not an archive\n" * 10)
    [doc] = process(tmp_path / "fake.warc")
    assert [r.check for r in doc.rejections] == ["corrupt_warc"]


def test_limits_each_with_its_reason(tmp_path: Path) -> None:
    path = crawl(tmp_path / "limits.warc.gz", range(3), extra=False)
    [doc] = process(path, max_records_per_file=4)
    assert [r.check for r in doc.rejections] == ["too_many_records"]
    docs = process(path, max_record_bytes=1000)
    assert {r.check for d in docs for r in d.rejections} == {"record_too_large"} and len(docs) == 3
    [doc] = process(path, max_archive_bytes=1000)
    assert [r.check for r in doc.rejections] == ["too_large"]


def test_a_compression_bomb_in_a_payload(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "bomb.warc.gz")
    archive.response("https://news.example/bomb", b"<html>" + b" " * 5_000_000, encoding="gzip")
    archive.close()
    [doc] = process(tmp_path / "bomb.warc.gz", max_record_bytes=1_000_000)
    assert [r.check for r in doc.rejections] == ["decompressed_too_large"]


def test_identity_survives_appending_and_recompressing(tmp_path: Path) -> None:
    plain = crawl(tmp_path / "a.warc", range(2), extra=False)
    before = {r.key: r.digest for r in scan(plain).records}
    crawl(plain, range(2, 4), extra=False)  # the crawler appends
    after = scan(plain).records
    assert all(before[r.key] == r.digest for r in after if r.key in before) and len(after) == len(before) + 4
    packed = tmp_path / "b.warc.gz"
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    with open(plain, "rb") as src, open(packed, "wb") as dst:
        writer = WARCWriter(dst, gzip=True)
        for record in ArchiveIterator(src):
            writer.write_record(record)
    assert [(r.key, r.digest) for r in scan(packed).records] == [(r.key, r.digest) for r in after]


def test_a_warc_gzipped_whole_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = crawl(tmp_path / "x.warc", range(2), extra=False)
    (tmp_path / "y.warc.gz").write_bytes(gzip.compress(path.read_bytes()))  # `gzip x.warc`: one member
    [doc] = process(tmp_path / "y.warc.gz")
    [rejection] = doc.rejections
    assert rejection.check == "warc_not_gzipped_per_record" and "warcio recompress" in rejection.reason
