"""JSON and JSONL scraper output: one article per object, common field names.

A JSONL file is one record per line; a JSON file holds one object, a list of objects, or an
object wrapping such a list ("articles", "items", "data", ...). A bad line or an object without
text is quarantined on its own (stage `parse`) and the file's other records still load.
"""

from __future__ import annotations

import json
from typing import Any

from winnow.extract.authors import normalise_authors
from winnow.extract.dates import parse_datetime
from winnow.read.lines import split_lines
from winnow.records import Document

TEXT_FIELDS = (
    "text",
    "content",
    "body",
    "article",
    "articlebody",
    "article_body",
    "maintext",
    "main_text",
    "full_text",
    "fulltext",
    "description",
)
HTML_FIELDS = ("html", "content_html", "body_html", "raw_html", "page_html")
TITLE_FIELDS = ("title", "headline", "name")
AUTHOR_FIELDS = ("authors", "author", "byline", "creator", "creators", "by")
DATE_FIELDS = (
    "published",
    "published_at",
    "date_published",
    "datepublished",
    "publish_date",
    "pubdate",
    "pub_date",
    "date",
    "published_time",
    "created_at",
    "timestamp",
    "time",
)
UPDATED_FIELDS = ("updated", "updated_at", "date_modified", "datemodified", "modified")
URL_FIELDS = ("url", "canonical_url", "link", "source_url", "href", "permalink")
LANG_FIELDS = ("language", "lang", "inlanguage", "locale")
PUBLISHER_FIELDS = ("publisher", "site_name", "sitename", "source", "site", "domain", "outlet")
WRAPPERS = ("articles", "items", "data", "results", "records", "docs", "documents", "entries", "posts")


def _field(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    folded = {str(k).lower(): v for k, v in record.items()}
    for name in names:
        value = folded.get(name)
        if value not in (None, "", []):
            return value
    return None


def _string(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _authors(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [n for n in (_string(v) for v in items) if n]
    if len(names) == 1 and ";" in names[0]:
        names = names[0].split(";")
    return normalise_authors(names)


def _html_to_text(html: str) -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, deduplicate=False)
    if text:
        return text
    from lxml import html as lxml_html

    try:
        return str(lxml_html.fragment_fromstring(html, create_parent="div").text_content())
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return ""


def _published(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        from datetime import UTC, datetime

        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        try:
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return _string(value)


def record_document(base: Document, record_no: int, obj: Any, max_line_chars: int) -> Document:
    """One JSON object to a document (rejected with a reason when it carries no article)."""
    doc = base.child(record_no)
    if not isinstance(obj, dict):
        return doc.reject(
            "parse",
            "not_an_object",
            f"record {record_no} is a JSON {type(obj).__name__}, not an object",
            record=record_no,
        )
    text = _string(_field(obj, TEXT_FIELDS))
    html = _string(_field(obj, HTML_FIELDS))
    if text and text.lstrip().startswith("<") and "</" in text:
        html, text = text, None  # a "content" field holding markup
    if not text and html:
        text = _html_to_text(html)
    if not text:
        return doc.reject(
            "parse",
            "no_text_field",
            f"record {record_no} has no article text (looked for "
            f"{', '.join(TEXT_FIELDS[:5] + HTML_FIELDS[:1])}, ...)",
            record=record_no,
            keys=sorted(map(str, obj))[:20],
        )
    doc.lines = split_lines(text, max_line_chars)
    doc.header_found = True  # the record's fields are its metadata
    doc.title = _string(_field(obj, TITLE_FIELDS))
    doc.authors = _authors(_field(obj, AUTHOR_FIELDS))
    published = _published(_field(obj, DATE_FIELDS))
    if published:
        doc.set_published(published, parse_datetime(published))
    updated = _published(_field(obj, UPDATED_FIELDS))
    if updated:
        doc.set_updated(updated, parse_datetime(updated))
    doc.url = _string(_field(obj, URL_FIELDS))
    doc.declared_language = _string(_field(obj, LANG_FIELDS))
    doc.publisher = _string(_field(obj, PUBLISHER_FIELDS))
    return doc


def _unwrap(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in WRAPPERS:
            inner = data.get(key)
            if isinstance(inner, list) and inner and all(isinstance(x, dict) for x in inner):
                return inner
    return [data]


def read_records(base: Document, text: str, max_line_chars: int) -> list[Document]:
    if base.format == "json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return [base.reject("parse", "bad_json", f"not valid JSON: {exc}")]
        records = _unwrap(data)
        if not records:
            return [base.reject("parse", "empty_file", "the JSON file holds no records")]
        return [record_document(base, i, obj, max_line_chars) for i, obj in enumerate(records)]
    docs = []
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue  # record numbers are line numbers - 1, so they stay put when other lines change
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            docs.append(
                base.child(i).reject(
                    "parse",
                    "bad_json_line",
                    f"line {i + 1} is not valid JSON: {exc}",
                    line=i + 1,
                    text=line[:200],
                )
            )
            continue
        docs.append(record_document(base, i, obj, max_line_chars))
    if not docs:
        return [base.reject("parse", "empty_file", "the JSONL file holds no records")]
    return docs
