"""The HTML reader: main text by trafilatura, metadata from the page's own declarations first.

The body goes on through winnow's text rules (ad labels and promo lines trafilatura keeps); the
metadata is normalised here: authors as a list of names, the published time with its time of day
and UTC offset, title, language, publisher and canonical URL.
"""

from __future__ import annotations

import logging

from winnow.extract.authors import normalise_authors
from winnow.extract.dates import parse_datetime
from winnow.read.htmlmeta import parse_html, read_page_meta
from winnow.read.lines import split_lines
from winnow.records import Document, Segment

# trafilatura logs every page it finds too short at WARNING; the pipeline records its own reasons.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
DECLARED_BODY_RATIO = 1.5


def _fold(text: str) -> str:
    return " ".join(text.split()).strip(" .").casefold()


def read_html(doc: Document, text: str, max_line_chars: int) -> list[Document]:
    tree = parse_html(text)
    if tree is None:
        return [doc.reject("parse", "unparseable_html", "lxml found no HTML document in the file")]
    read_page_meta(tree, doc)  # what the page declares, as declared
    complete = bool(doc.title and doc.authors and doc.published_raw and doc.publisher and doc.url)
    import trafilatura  # here, not at the top: a run that reads no HTML never loads it (0.15 s)

    result = trafilatura.bare_extraction(
        tree,  # parsed once; trafilatura's cleaning may change it, and the page metadata is read
        url=doc.url,
        with_metadata=not complete,  # its metadata is only a fallback: skip it when the page declares all
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    body = (getattr(result, "text", None) or "") if result is not None else ""
    if doc.declared_body and len(doc.declared_body.split()) > DECLARED_BODY_RATIO * len(body.split()):
        # The page declares its text (JSON-LD articleBody) and trafilatura found much less of it:
        # the extractor picked a wrong or partial block.
        body = doc.declared_body
    if not body.strip():
        return [doc.reject("parse", "no_main_text", "trafilatura found no main text in the page")]
    doc.lines = split_lines(body, max_line_chars)
    declared_url = doc.url
    doc.title = doc.title or getattr(result, "title", None)
    doc.url = doc.url or getattr(result, "url", None)
    first = next((i for i, line in enumerate(doc.lines) if line.strip()), None)
    if first is not None and doc.title and _fold(doc.lines[first]) == _fold(doc.title):
        # trafilatura sometimes keeps the <h1>: it is the title, not body text.
        doc.removed.append(Segment(first + 1, doc.lines[first].strip(), "html.title", "metadata"))
    own = {u.rstrip("/") for u in (declared_url, getattr(result, "url", None)) if u}
    for i, line in enumerate(doc.lines):
        if line.strip().rstrip("/") in own:
            # The page's own address printed as a line (print view, share box): not article text.
            doc.removed.append(Segment(i + 1, line.strip(), "html.own_url", "ui"))
    doc.header_found = True  # the page declared its metadata: the body's first line is not a title
    raw_authors = doc.authors or [a for a in (getattr(result, "author", None) or "").split(";") if a.strip()]
    doc.publisher = doc.publisher or getattr(result, "sitename", None)
    doc.authors = normalise_authors(raw_authors, publisher=doc.publisher)
    published = doc.published_raw or getattr(result, "date", None)
    if published:
        doc.set_published(published, parse_datetime(published))
    if doc.updated_raw:
        doc.set_updated(doc.updated_raw, parse_datetime(doc.updated_raw))
    doc.declared_language = doc.declared_language or getattr(result, "language", None)
    return [doc]
