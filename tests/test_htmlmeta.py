"""What a page declares about itself, table-driven: (markup, field, expected)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from winnow.extract.dates import local_iso
from winnow.read.htmlmeta import parse_html, read_page_meta
from winnow.records import Document


def page(head: str = "", body: str = "", lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return f"<html{attr}><head>{head}</head><body>{body}</body></html>"


CASES = [
    # JSON-LD in a @graph, an author as a plain string, a BlogPosting
    (
        page(
            '<script type="application/ld+json">{"@graph": [{"@type": "BlogPosting", "headline": "H",'
            ' "author": "Jo Bloggs", "datePublished": "2020-01-02T03:04:05-05:00"}]}</script>'
        ),
        {"title": "H", "authors": ["Jo Bloggs"], "published": "2020-01-02T03:04:05-05:00"},
    ),
    # HTML entities in JSON-LD strings are unescaped
    (
        page(
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"headline": "A &amp; B &#8220;C&#8221;"}</script>'
        ),
        {"title": "A & B \u201cC\u201d"},
    ),
    # meta fallbacks: og:title, article:published_time, author, og:site_name, canonical, og:locale
    (
        page(
            '<meta property="og:title" content="T"><meta property="article:published_time" '
            'content="2021-05-06T07:08:00+02:00"><meta name="author" content="Ann Lee">'
            '<meta property="og:site_name" content="Site"><link rel="canonical" href="https://s.example/a">'
            '<meta property="og:locale" content="de_DE">'
        ),
        {
            "title": "T",
            "published": "2021-05-06T07:08:00+02:00",
            "authors": ["Ann Lee"],
            "publisher": "Site",
            "url": "https://s.example/a",
            "language": "de-DE",
        },
    ),
    # an author given as a profile URL is not a name
    (page('<meta property="article:author" content="https://www.facebook.com/someone">'), {"authors": []}),
    # microdata datePublished on a span, then <time datetime>
    (
        page(body='<span itemprop="datePublished" content="2019-02-16T18:45:00-06:00">Fri 6:45 PM</span>'),
        {"published": "2019-02-16T18:45:00-06:00"},
    ),
    (
        page(body='<time datetime="2018-03-04T05:06:07Z">March 4</time>'),
        {"published": "2018-03-04T05:06:07Z"},
    ),
    # a placeholder date falls through; <html lang> gives the language
    (
        page(
            '<script type="application/ld+json">{"@type": "Article", "headline": "X", "datePublished": '
            '"0001-01-01T00:00:00Z"}</script><meta name="pubdate" content="2017-08-02">',
            lang="it",
        ),
        {"published": "2017-08-02", "language": "it"},
    ),
    # broken JSON-LD (a raw newline inside a string, a trailing comma) is still read
    (
        page(
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Line\none",'
            ' "keywords": ["a", "b",],}</script>'
        ),
        {"title": "Line one"},
    ),
    # the <title> is the last resort
    (page("<title> Just the title </title>"), {"title": "Just the title"}),
]


@pytest.mark.parametrize(("markup", "expected"), CASES)
def test_read_page_meta(markup: str, expected: dict[str, object]) -> None:
    tree = parse_html(markup)
    assert tree is not None
    doc = Document("page.html", format="html")
    read_page_meta(tree, doc)
    for key, value in expected.items():
        assert getattr(doc, FIELDS.get(key, key)) == value, key


# The page's declarations land on the Document's fields under these names.
FIELDS = {
    "published": "published_raw",
    "modified": "updated_raw",
    "language": "declared_language",
    "body": "declared_body",
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-11-18T23:03:00-08:00", "2019-11-18T23:03:00-08:00"),  # the source's own offset is kept
        ("November 18, 2019 11:03 PM", "2019-11-18T23:03:00"),  # no zone stated: wall-clock time, no offset
        ("Nov. 20, 2019 5:52 AM EST", "2019-11-20T05:52:00-05:00"),
        (None, "2019-11-19T07:03:25+00:00"),  # no raw string: the UTC instant
    ],
)
def test_local_iso(raw: str | None, expected: str) -> None:
    assert local_iso(raw, datetime(2019, 11, 19, 7, 3, 25, tzinfo=UTC) if raw is None else None) == expected
