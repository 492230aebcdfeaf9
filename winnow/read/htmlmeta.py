"""Metadata a page declares about itself: JSON-LD, OpenGraph / article:* / <meta>, <link>, <html lang>.

trafilatura's metadata loses what matters for a warehouse: authors come as one ';'-joined string and
dates as a bare day. Pages usually state both precisely in their own markup, so winnow reads that
markup first and falls back to trafilatura only for what the page does not declare.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import html as lxml_html

from winnow.extract.dates import parse_datetime
from winnow.records import Document
from winnow.settings import get_settings

ARTICLE_TYPES = re.compile(r"(article|posting|report|review|story|liveblog|creativework|webpage)$", re.I)
_URLISH = re.compile(r"^(https?:)?//|^www\.|\.(com|org|net)/", re.I)
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")

# Meta keys that state the publication instant, best first.
PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "published_time",
    "publish-date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
    "og:updated_time",
)
MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
TITLE_KEYS = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "title")
PUBLISHER_KEYS = ("og:site_name", "application-name", "publisher", "dc.publisher")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = re.sub(r"\s+", " ", html.unescape(value)).strip()
        return value or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name"))
    return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, in document order (handles @graph and nesting).
    Iterative: a hostile page cannot exhaust the recursion limit."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type", [])
    return [str(k) for k in (kind if isinstance(kind, list) else [kind])]


def _person_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    people = [i for i in items if isinstance(i, dict) and "Person" in _types(i)]
    if people and len(people) < len(items):
        items = people  # [Person, Organization]: the organisation is the publisher, not an author
    names: list[str] = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and not _URLISH.search(name):
            names.append(name)
    return names


def _load_jsonld(raw: str) -> Any:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        # Pages often carry raw newlines or tabs inside strings: JSON forbids them, JSON-LD readers cope.
        # ... and trailing commas before a closing bracket.
        relaxed = re.sub(r",\s*([\]}])", r"\1", re.sub(r"[\n\r\t]+", " ", raw))
        try:
            return json.loads(relaxed)
        except (ValueError, RecursionError):
            return None


def _article_nodes(tree: Any) -> list[dict[str, Any]]:
    nodes = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        data = _load_jsonld(script.text_content() or "")
        if data is None:
            continue
        for node in _walk(data):
            kinds = _types(node)
            if any(ARTICLE_TYPES.search(k) for k in kinds) and (
                "headline" in node or "datePublished" in node
            ):
                nodes.append(node)
    # Articles before generic web pages: a NewsArticle outranks the WebPage that wraps it.
    nodes.sort(key=lambda n: any(k.lower().endswith("webpage") for k in _types(n)))
    return nodes


def _meta_map(tree: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        value = _text(meta.get("content"))
        if key and value:
            out.setdefault(key.strip().lower(), []).append(value)
    return out


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, []):
            if value:
                return value
    return None


def _dated(value: Any) -> str | None:
    """The value as text if it names a plausible instant: CMS placeholders such as
    0001-01-01T00:00:00Z or an empty string fall through to the next source."""
    text = _text(value)
    if not text or not re.search(r"\d{4}", text):
        return None
    when = parse_datetime(text)
    # news on the web starts at earliest_year; earlier years are CMS placeholders
    return text if when is not None and when.year >= get_settings().earliest_year else None


def _date_value(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, []):
            if _dated(value):
                return value
    return None


def _microdata(tree: Any, prop: str) -> str | None:
    """An itemprop value: its content or datetime attribute, else its text."""
    for node in tree.xpath(f'//*[@itemprop="{prop}"]'):
        value = _text(node.get("content") or node.get("datetime") or node.text_content())
        if value and len(value) < 200:
            return value
    return None


def read_page_meta(tree: Any, doc: Document) -> None:
    """Everything the page declares, from an lxml tree, onto the document as declared (raw strings:
    the HTML reader normalises them). Never raises on odd markup."""
    nodes = _article_nodes(tree)
    tags = _meta_map(tree)
    for node in nodes:
        doc.title = doc.title or _text(node.get("headline")) or _text(node.get("name"))
        if not doc.authors:
            doc.authors = _person_names(node.get("author") or node.get("creator") or [])
        published = _dated(node.get("datePublished")) or _dated(node.get("dateCreated"))
        doc.published_raw = doc.published_raw or published
        doc.updated_raw = doc.updated_raw or _dated(node.get("dateModified"))
        body = node.get("articleBody")
        if isinstance(body, str) and not doc.declared_body:
            doc.declared_body = html.unescape(body).strip() or None
        publisher = node.get("publisher")
        doc.publisher = doc.publisher or next(iter(_person_names(publisher)), None)
        doc.declared_language = doc.declared_language or _text(node.get("inLanguage"))
        page = node.get("mainEntityOfPage")
        doc.url = (
            doc.url or _text(node.get("url")) or _text(page.get("@id") if isinstance(page, dict) else page)
        )
    doc.title = doc.title or _first(tags, TITLE_KEYS)
    if not doc.title:
        titles = tree.xpath("//title")
        doc.title = _text(titles[0].text_content()) if titles else None
    if not doc.authors:
        names = [v for k in AUTHOR_KEYS for v in tags.get(k, []) if not _URLISH.search(v)]
        doc.authors = names[:1]
    doc.published_raw = doc.published_raw or _date_value(tags, PUBLISHED_KEYS)
    if not doc.published_raw:
        doc.published_raw = _dated(_microdata(tree, "datePublished"))
    if not doc.authors:
        doc.authors = [a for a in [_microdata(tree, "author")] if a]
    if not doc.published_raw:
        stamps = tree.xpath("//time[@datetime]/@datetime")
        doc.published_raw = next((d for d in map(_dated, stamps) if d), None)
    doc.updated_raw = doc.updated_raw or _date_value(tags, MODIFIED_KEYS)
    doc.publisher = doc.publisher or _first(tags, PUBLISHER_KEYS)
    canonical = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    doc.url = _text(canonical[0]) if canonical else doc.url or _first(tags, ("og:url", "twitter:url"))
    langs = [
        tree.get("lang"),
        tree.get("xml:lang"),
        _first(tags, ("og:locale", "content-language", "language")),
    ]
    candidates = [doc.declared_language, *langs]
    declared = next((x.strip() for x in candidates if x and _LANG.match(x.strip())), None)
    doc.declared_language = declared.replace("_", "-") if declared else None


def parse_html(text: str) -> Any:
    """An lxml tree of the page, or None when lxml finds no document in it."""
    try:
        # Already decoded: tell lxml so, or it believes a stale <meta charset> and makes mojibake.
        parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)
        tree = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    return tree
