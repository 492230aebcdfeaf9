"""RSS and Atom feeds (feedparser): each entry is a record.

An entry with full content (RSS `content:encoded`, Atom `<content>`) is an article; an entry with
only a summary (RSS `<description>`, Atom `<summary>`), or whose content is no longer than its
summary, is a teaser and is flagged `truncated`. An entry's identity is its `<guid>`/`<id>` (else
its link): a feed fetched again lists new entries first, so positions move and ids do not.
Fields: title; link as URL; `author`/`dc:creator`/`<author><name>` as authors (an RSS
'email (Name)' keeps the name); `pubDate`/`published`/`dc:date` as published, `updated` as
updated; the entry's or the channel's language; the channel's `dc:publisher` or title as publisher.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from winnow.read.fragment import html_to_text, looks_like_markup
from winnow.read.structured import (
    budgeted,
    kept_or_none,
    record_digest,
    record_document,
    record_too_large,
    too_many_records,
)
from winnow.records import Document


def entry_key(entry: Any, index: int) -> str:
    """A stable identity for the entry within its feed file."""
    for name in ("id", "guid", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return f"entry:{value.strip()}"
    return str(index)


def _text_of(value: str) -> str:
    return html_to_text(value) if looks_like_markup(value) else value.strip()


def _when(entry: Any, name: str) -> str | None:
    # dict.get, not FeedParserDict.get: that maps a missing `updated` to `published`.
    raw = dict.get(entry, name)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    parsed = dict.get(entry, f"{name}_parsed")
    if parsed:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    return None


def entry_record(entry: Any, channel: dict[str, Any]) -> dict[str, Any]:
    """A feed entry as a scraper record (field names of winnow.read.fields)."""
    contents = [c.get("value", "") for c in entry.get("content") or [] if c.get("value", "").strip()]
    content = max(contents, key=len) if contents else ""
    summary = str(entry.get("summary") or "")
    if content and summary and content != summary and len(_text_of(content)) <= len(_text_of(summary)):
        content = ""  # a content no longer than the summary is a teaser too
    # (feedparser copies a lone content:encoded into `summary`: the same text twice is the article)
    names = [a.get("name") or a.get("email") or "" for a in entry.get("authors") or [] if isinstance(a, dict)]
    record: dict[str, Any] = {
        "title": entry.get("title"),
        "url": entry.get("link"),
        # feedparser splits 'email (Name)' itself, and gets it wrong for some addresses: one author
        # is taken from the raw string (winnow.credits reads that form), several from its list.
        "authors": [n for n in names if n] if len(names) > 1 else entry.get("author") or names,
        "published": _when(entry, "published") or _when(entry, "created"),
        "updated": _when(entry, "updated"),
        "content": content or None,
        "summary": summary or None,
        "language": (entry.get("content") or [{}])[0].get("language") or channel.get("language"),
        "publisher": channel.get("publisher") or channel.get("title"),
    }
    return record


def read_feed(
    base: Document,
    text: str,
    max_line_chars: int,
    max_records: int = 0,
    max_record_chars: int = 0,
    known: dict[str, str] | None = None,
    budget_s: float = 0,
) -> list[Document]:
    import feedparser

    # A stream, never a string: feedparser fetches a string that looks like a URL or a path.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        problem = parsed.get("bozo_exception")
        return [
            base.reject(
                "parse",
                "not_a_feed",
                "not an RSS or Atom feed" + (f" ({problem})" if problem else ""),
            )
        ]
    if not entries:
        return [base.reject("parse", "empty_file", "the feed holds no entries")]
    if max_records and len(entries) > max_records:
        return [too_many_records(base, len(entries), max_records)]
    channel = dict(parsed.get("feed") or {})
    docs: list[Document] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        key = entry_key(entry, i)
        if key in seen:
            key = f"{key}#{i}"  # a feed that repeats an id: each entry still counts once
        seen.add(key)
        record = entry_record(entry, channel)
        size = len(record.get("content") or "") + len(record.get("summary") or "")
        ident = key if key != str(i) else None
        digest = record_digest(record)
        kept = kept_or_none(base, i, digest, known or {}, ident)
        if kept is not None:
            docs.append(kept)
            continue
        if max_record_chars and size > max_record_chars:
            docs.append(record_too_large(base.child(i, ident), f"entry {i}", size, max_record_chars))
            continue
        doc = budgeted(
            base.child(i, ident),
            budget_s,
            record_document,
            base,
            i,
            record,
            max_line_chars,
            key=ident,
            what="entry",
        )
        doc.record_sha256 = digest
        docs.append(doc)
    return docs
