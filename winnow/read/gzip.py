"""gzip-compressed sources (*.gz): inflated in bounded steps so a gzip bomb is refused, not expanded."""

from __future__ import annotations

import zlib

from winnow.read.sources import ReadProblem
from winnow.records import Rejection

_CHUNK = 1 << 20


def gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """The decompressed bytes (all gzip members), or ReadProblem past `max_bytes` or on bad data."""
    out = bytearray()
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
            pending = rest
            while pending and not inflater.eof:
                out += inflater.decompress(pending, max_bytes + 1 - len(out))
                pending = inflater.unconsumed_tail
                if len(out) > max_bytes:
                    raise ReadProblem(
                        Rejection(
                            "read",
                            "decompressed_too_large",
                            f"the gzip data inflates past the limit of {max_bytes} bytes "
                            f"({len(data)} compressed bytes): refused as a possible gzip bomb",
                            {"limit": max_bytes, "compressed_bytes": len(data)},
                        )
                    )
            if not inflater.eof:
                raise zlib.error("truncated gzip stream")
            rest = inflater.unused_data.lstrip(b"\0")  # concatenated members; zero padding is legal
    except zlib.error as exc:
        raise ReadProblem(Rejection("read", "corrupt_gzip", f"not valid gzip data: {exc}")) from exc
    return bytes(out)
