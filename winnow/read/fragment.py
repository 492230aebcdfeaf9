"""HTML held in a field (a feed entry's content, NewsAPI's description, a JSON `html` value) to text.

A whole page (it has <html> or <body>) goes through trafilatura like any page. A fragment is
already the article: its text is kept whole, one line per block (paragraph, heading, list item,
quote, table row), so the cleaner sees the paragraphs it would see in a page. Scripts, styles
and embedded media are not text.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "dl",
        "hr",
        "aside",
        "main",
        "nav",
    ]
)
_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "video",
        "audio",
    ]
)
_WHOLE_PAGE = re.compile(r"<\s*(html|body|head)\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def looks_like_markup(text: str) -> bool:
    """A field value that is HTML rather than text: it opens with a tag and closes one."""
    head = text.lstrip()[:200]
    return head.startswith("<") and "</" in text or bool(re.search(r"<(p|br|div)\b[^>]*>", text[:2000], re.I))


def html_to_text(markup: str) -> str:
    """Text of a page (trafilatura's main text) or of a fragment (all of it, block by block)."""
    if _WHOLE_PAGE.search(markup[:5000]):
        import trafilatura

        text = trafilatura.extract(markup, include_comments=False, deduplicate=False)
        if text:
            return str(text)
    return fragment_text(markup)


def fragment_text(markup: str) -> str:
    try:
        parts = lxml_html.fragments_fromstring(markup)
    except (etree.ParserError, ValueError, TypeError):
        return ""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            _walk(part, out)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(node: etree._Element, out: list[str]) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag in _DROP or not isinstance(node.tag, str):  # comments, processing instructions
        if node.tail:
            out.append(node.tail)
        return
    block = tag in _BLOCKS
    if block:
        out.append("\n")
    if node.text:
        out.append(node.text)
    for child in node:
        _walk(child, out)
    if block:
        out.append("\n")
    if node.tail:
        out.append(node.tail)
