"""JSON and JSONL scraper output: one article per object, fields matched by winnow.read.fields.

A JSONL file is one record per line; a JSON file holds one object, a list of objects, an object
wrapping such a list (NewsAPI's "articles", "items", "data", ...) or a JSON-LD "@graph". Every
record becomes an article or a rejection with a reason (stage `parse`), on its own: a bad line or
an object without text never takes the file's other records with it.

Truncated records: NewsAPI cuts `content` to about 200 characters and ends it "… [+2622 chars]";
the marker is stripped and the record flagged `truncated` with the full length it states. A
record whose only text is a teaser field (`description`, `summary`, `excerpt`, ...) is flagged
truncated too. Validation does not hold a truncated teaser to the minimum article length (it
still needs words); see schemas/article.py.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from winnow.budget import BudgetExceeded, time_budget
from winnow.extract.credits import split_credit
from winnow.extract.dates import parse_datetime
from winnow.read import fields as F
from winnow.read.fragment import html_to_text, looks_like_markup
from winnow.read.lines import split_lines
from winnow.records import Document, Segment

_MARKER = re.compile(r"\s*(?:…|\.{3})?\s*\[\+\s*(\d{1,9})\s*chars?\]\s*$", re.IGNORECASE)
_REMOVED = "[removed]"  # NewsAPI's placeholder for an article taken down at the source
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d{9,13}(?:\.\d+)?$")


def _string(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("name", "@value", "value", "@id", "url", "href"):
            if F.present(value.get(key)):
                return _string(value[key])
        return None
    if isinstance(value, list):
        return next((s for s in (_string(v) for v in value) if s), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and F.present(value):
        return value.strip()
    return None


def _author_strings(value: Any) -> list[str]:
    """Authors as a list of strings: a list, {"name": ...} objects, 'A; B' (trafilatura), or the
    Python list a CSV writer made of one ("['A', 'B']", newspaper4k's CSV)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = json.loads(text)
            except ValueError:
                try:
                    parsed = ast.literal_eval(text)
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    parsed = None
            if isinstance(parsed, list):
                value = parsed
    items = value if isinstance(value, list) else [value]
    names = [n for n in (_string(v) for v in items) if n]
    if len(names) == 1 and ";" in names[0]:
        names = [n for n in names[0].split(";") if n.strip()]
    return names


def _timestamp(value: Any) -> tuple[str | None, datetime | None]:
    """(raw string, UTC time) from an ISO string, a date string, or epoch seconds/milliseconds."""
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        value = float(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            when = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return str(value), None
        return when.isoformat(), when
    raw = _string(value)
    return (raw, parse_datetime(raw)) if raw else (None, None)


def strip_truncation(text: str) -> tuple[str, int | None]:
    """'… first 200 chars… [+2622 chars]' -> (the text without the marker, the full length stated)."""
    m = _MARKER.search(text)
    if not m:
        return text, None
    kept = text[: m.start()].rstrip()
    return kept, len(kept) + int(m.group(1))


def record_document(
    base: Document,
    record_no: int,
    obj: Any,
    max_line_chars: int,
    *,
    key: str | None = None,
    what: str = "record",
) -> Document:
    """One scraper record (a JSON object, a CSV row as a dict) to a document, or a rejection."""
    doc = base.child(record_no, key)
    if not isinstance(obj, dict):
        return doc.reject(
            "parse",
            "not_an_object",
            f"{what} {record_no} is a JSON {type(obj).__name__}, not an object",
            record=record_no,
        )
    rec = F.folded(obj)
    title = _string(F.first(rec, F.TITLE_FIELDS)[1])
    value = F.first(rec, F.TEXT_FIELDS)[1]
    text = _string(value)
    if (text or "").casefold() == _REMOVED or (title or "").casefold() == _REMOVED:
        return doc.reject(
            "parse",
            "removed_at_source",
            f"{what} {record_no} is a '[Removed]' placeholder (the article was taken down at the "
            "source): there is no article to load",
            record=record_no,
            url=_string(rec.get("url")),
        )
    truncated, full_chars = False, None
    if text:
        text, full_chars = strip_truncation(text)
        truncated = full_chars is not None
    html = _string(F.first(rec, F.HTML_FIELDS)[1])
    if text and looks_like_markup(text):
        html, text = text, None  # a "content" field holding markup
    if not text and html:
        text = html_to_text(html)
    if not text:
        teaser = F.first(rec, F.TEASER_FIELDS)[1]
        teaser_text = _string(teaser)
        if teaser_text:
            teaser_text, stated = strip_truncation(teaser_text)
            text = html_to_text(teaser_text) if looks_like_markup(teaser_text) else teaser_text
            truncated, full_chars = True, stated
    if not text or not text.strip():
        return doc.reject(
            "parse",
            "no_text_field",
            f"{what} {record_no} has no article text (looked for "
            f"{', '.join(F.TEXT_FIELDS[:5] + F.HTML_FIELDS[:1] + F.TEASER_FIELDS[:2])}, ...)",
            record=record_no,
            keys=sorted(map(str, obj))[:20],
        )
    doc.lines = split_lines(text, max_line_chars)
    doc.header_found = True  # the record's fields are its metadata
    doc.truncated, doc.full_chars = truncated, full_chars
    doc.title = title
    first_line = next((i for i, line in enumerate(doc.lines) if line.strip()), None)
    if title and first_line is not None and _fold(doc.lines[first_line]) == _fold(title):
        # trafilatura's JSON (and many scrapers) repeat the headline as the text's first line.
        doc.removed.append(Segment(first_line + 1, doc.lines[first_line].strip(), "record.title", "metadata"))
    doc.url = _url(rec)
    doc.publisher = _publisher(rec)
    authors, outlet = split_credit(_author_strings(F.first(rec, F.AUTHOR_FIELDS)[1]), publisher=doc.publisher)
    doc.authors = authors
    doc.publisher = doc.publisher or outlet
    doc.published_raw, doc.published_at = _timestamp(F.first(rec, F.DATE_FIELDS)[1])
    doc.updated_raw, doc.updated_at = _timestamp(F.first(rec, F.UPDATED_FIELDS)[1])
    doc.fetched_at = _timestamp(F.first(rec, F.FETCHED_FIELDS)[1])[1]
    doc.declared_language = _string(F.first(rec, F.LANG_FIELDS)[1])
    return doc


def _url(rec: dict[str, Any]) -> str | None:
    for name in F.URL_FIELDS + ("mainentityofpage",):
        value = _string(rec.get(name))
        if value and (name not in ("source", "mainentityofpage") or _URLISH.match(value)):
            return value
    return None


def _publisher(rec: dict[str, Any]) -> str | None:
    for name in F.PUBLISHER_FIELDS:
        value = _string(rec.get(name))
        if value and "://" not in value and value.casefold() != _REMOVED:
            return value.removeprefix("www.")  # news-please's source_domain: 'www.rt.com'
    return None


def _fold(text: str) -> str:
    return " ".join(text.split()).strip(" .").casefold()


def _is_article(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.casefold() in F.ARTICLE_TYPES for k in kinds)


def unwrap(data: Any) -> tuple[list[Any], str | None]:
    """The records of a parsed JSON document, and the problem when it holds none."""
    if isinstance(data, list):
        return data, None if data else "the JSON file holds an empty list"
    if isinstance(data, dict):
        if str(data.get("status", "")).lower() == "error" and ("code" in data or "message" in data):
            return [], f"an API error response ({data.get('code')}: {data.get('message')})"
        graph = data.get("@graph")
        if isinstance(graph, list):
            articles = [n for n in graph if _is_article(n)]
            if articles:
                return articles, None
        for key in F.WRAPPERS:
            inner = data.get(key)
            if isinstance(inner, list) and all(isinstance(x, dict) for x in inner):
                if not inner:
                    return [], f"its '{key}' list is empty"
                return inner, None
    return [data], None


def read_records(
    base: Document,
    text: str,
    max_line_chars: int,
    max_records: int = 0,
    max_record_chars: int = 0,
    known: dict[str, str] | None = None,
    budget_s: float = 0,
) -> list[Document]:
    if base.format == "json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return [base.reject("parse", "bad_json", f"not valid JSON: {exc}")]
        records, problem = unwrap(data)
        if problem:
            check = "api_error" if problem.startswith("an API error") else "empty_file"
            return [base.reject("parse", check, f"no records: {problem}")]
        if max_records and len(records) > max_records:
            return [too_many_records(base, len(records), max_records)]
        docs = []
        for i, obj in enumerate(records):
            digest = record_digest(obj)
            doc = kept_or_none(base, i, digest, known or {}) or budgeted(
                base.child(i), budget_s, record_document, base, i, obj, max_line_chars
            )
            doc.record_sha256 = digest
            docs.append(doc)
        return docs
    lines = text.split("\n")
    if max_records and sum(1 for line in lines if line.strip()) > max_records:
        return [too_many_records(base, sum(1 for line in lines if line.strip()), max_records)]
    docs = list(_jsonl(base, lines, max_line_chars, max_record_chars, known or {}, budget_s))
    if not docs:
        return [base.reject("parse", "empty_file", "the JSONL file holds no records")]
    return docs


def _jsonl(
    base: Document,
    lines: Iterable[str],
    max_line_chars: int,
    max_record_chars: int,
    known: dict[str, str],
    budget_s: float,
) -> Iterable[Document]:
    for i, line in enumerate(lines):
        if not line.strip():
            continue  # record numbers are line numbers - 1, so they stay put when other lines change
        if max_record_chars and len(line) > max_record_chars:
            yield record_too_large(base.child(i), f"line {i + 1}", len(line), max_record_chars)
            continue
        digest = record_digest(line.strip())
        kept = kept_or_none(base, i, digest, known)
        if kept is not None:
            yield kept
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield base.child(i).reject(
                "parse",
                "bad_json_line",
                f"line {i + 1} is not valid JSON: {exc}",
                line=i + 1,
                text=line[:200],
            )
            continue
        doc = budgeted(base.child(i), budget_s, record_document, base, i, obj, max_line_chars)
        doc.record_sha256 = digest
        yield doc


def budgeted(
    stub: Document, seconds: float, make: Callable[..., Document], *args: Any, **kwargs: Any
) -> Document:
    """One record mapped under its own time budget (a JSON file of full pages is many documents):
    a record that overruns is rejected `time_budget`, and the file's other records go on."""
    try:
        with time_budget(seconds) as deadline:
            deadline.at("parse")
            return make(*args, **kwargs)
    except BudgetExceeded as exc:
        return stub.reject(exc.stage, "time_budget", str(exc), seconds=exc.seconds)


def record_too_large(doc: Document, what: str, size: int, limit: int) -> Document:
    return doc.reject(
        "parse",
        "record_too_large",
        f"{what} holds {size} characters, over the limit of {limit} for one record (max_record_bytes)",
        chars=size,
        limit=limit,
    )


def record_digest(value: Any) -> str:
    """The record's identity for the per-record skip: its text, or its object in a canonical form."""
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def kept_or_none(
    base: Document, record_no: int, digest: str, known: dict[str, str], key: str | None = None
) -> Document | None:
    """A stub for a record loaded before with the same digest (winnow.read.parts), else None."""
    doc = base.child(record_no, key)
    if known and known.get(doc.doc_id) == digest:
        doc.unchanged, doc.record_sha256 = True, digest
        return doc
    return None


def too_many_records(base: Document, count: int, limit: int) -> Document:
    return base.reject(
        "parse",
        "too_many_records",
        f"the file holds {count} records, over the limit of {limit} (max_records_per_file)",
        records=count,
        limit=limit,
    )
