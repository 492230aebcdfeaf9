"""Small WARC files written with warcio, the way crawlers write them."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PARAGRAPH = (
    "The harbour bridge reopened to traffic on Tuesday after two years of repairs, and commuters "
    "said the crossing was quicker than the detour through the tunnel they had used since the works began."
)


def page(
    title: str, *, published: str | None = "2024-03-05T09:15:00+01:00", author: str = "Priya Raman"
) -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    paras = "".join(f"<p>{PARAGRAPH} ({title}, part {i}.)</p>" for i in range(6))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="author" content="{author}">{meta}</head><body><nav><a href="/">Home</a> '
        f"<a href='/news'>News</a></nav><article><h1>{title}</h1>{paras}</article>"
        "<footer>Copyright The Coastal Courier</footer></body></html>"
    ).encode()


class Archive:
    """Append records to a WARC (gzip per record when the name ends .gz), as wget or Heritrix do."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "ab")  # noqa: SIM115 - closed by close()
        self.writer = WARCWriter(self.fh, gzip=path.name.endswith(".gz"))

    def warcinfo(self) -> None:
        self.writer.write_record(
            self.writer.create_warcinfo_record(self.path.name, {"software": "Wget/1.21.4"})
        )

    def request(self, uri: str) -> None:
        headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        self.writer.write_record(
            self.writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=headers)
        )

    def response(
        self,
        uri: str,
        body: bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        encoding: str | None = None,
        chunked: bool = False,
    ) -> None:
        fields = [("Content-Type", content_type)]
        if encoding == "gzip":
            body = gzip.compress(body)
            fields.append(("Content-Encoding", "gzip"))
        if chunked:
            body = b"".join(
                b"%x\r\n%s\r\n" % (len(body[i : i + 500]), body[i : i + 500])
                for i in range(0, len(body), 500)
            )
            body += b"0\r\n\r\n"
            fields.append(("Transfer-Encoding", "chunked"))
        headers = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
        self.writer.write_record(
            self.writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
        )

    def conversion(self, uri: str, text: str) -> None:
        self.writer.write_record(
            self.writer.create_warc_record(
                uri, "conversion", payload=io.BytesIO(text.encode()), warc_content_type="text/plain"
            )
        )

    def revisit(self, uri: str) -> None:
        self.writer.write_record(
            self.writer.create_revisit_record(
                uri, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri, "20240305000000"
            )
        )

    def close(self) -> None:
        self.fh.close()


def crawl(path: Path, stories: range, *, extra: bool = True) -> Path:
    """A crawl of `stories`: warcinfo, then request + response per story; with `extra`, an image,
    a redirect and a WET conversion record too."""
    archive = Archive(path)
    if stories.start == 0:
        archive.warcinfo()
    for i in stories:
        uri = f"https://news.example/story/{i}"
        archive.request(uri)
        archive.response(uri, page(f"Harbour story number {i}"))
    if extra:
        archive.response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
        archive.response("https://news.example/old", b"", status="301 Moved Permanently")
        archive.conversion(
            f"https://news.example/story/{stories.start}",
            f"Harbour story text {stories.start}\n\n" + " ".join([PARAGRAPH] * 4),
        )
    archive.close()
    return path
