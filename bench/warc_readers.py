"""WARC readers compared on one generated archive: warcio (winnow's) and FastWARC, if installed.

Times reading every record's payload, plain and gzipped, and winnow's own index pass
(winnow.read.warc.scan_archive: the file's sha256 and every record's place and type). FastWARC is
not a dependency: `pip install fastwarc` to include it. Note what each gives: warcio undoes HTTP
chunking and Content-Encoding, FastWARC returns the payload as sent.

    python bench/warc_readers.py --n 3000
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from winnow.read.warc import scan_archive


def write(path: Path, n: int, gz: bool) -> None:
    rng = random.Random(1)
    words = [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "he",
        "this",
        "are",
        "or",
        "his",
        "from",
        "at",
    ]
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for i in range(n):
            paras = "".join(
                "<p>" + " ".join(rng.choice(words) for _ in range(80)) + ".</p>" for _ in range(60)
            )
            html = f"<html><head><title>Story {i}</title></head><body>{paras}</body></html>".encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"https://example.com/{i}", "response", payload=io.BytesIO(html), http_headers=headers
                )
            )


def timed(label: str, fn: object) -> None:
    t0 = time.perf_counter()
    records, size = fn()  # type: ignore[operator]
    seconds = time.perf_counter() - t0
    print(f"  {label:<28} {records:>6} records {size / 2**20:>7.1f} MB payload  {seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for gz in (False, True):
            path = Path(tmp) / ("a.warc.gz" if gz else "a.warc")
            write(path, args.n, gz)
            print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MB on disk")

            def warcio_read(p: Path = path) -> tuple[int, int]:
                n = size = 0
                with open(p, "rb") as fh:
                    for record in ArchiveIterator(fh):
                        size += len(record.content_stream().read())
                        n += 1
                return n, size

            def index(p: Path = path) -> tuple[int, int]:
                scan = scan_archive(p, 10**12, 10**7, 10**9)
                return len(scan.records), sum(r.length for r in scan.records)

            timed("warcio, payloads", warcio_read)
            timed("winnow index (scan_archive)", index)
            try:
                from fastwarc.warc import ArchiveIterator as FastIterator
            except ImportError:
                print("  fastwarc                     not installed")
                continue

            def fast_read(p: Path = path) -> tuple[int, int]:
                n = size = 0
                with open(p, "rb") as fh:
                    for record in FastIterator(fh):
                        size += len(record.reader.read())
                        n += 1
                return n, size

            timed("fastwarc, payloads", fast_read)


if __name__ == "__main__":
    main()
