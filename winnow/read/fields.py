"""Scraper records to document fields: which field of which tool's output means what.

One table for JSON, JSON lines and CSV/TSV columns alike. Field names are compared folded (case,
and '-', '_', ':' and spaces dropped), so `publishedAt`, `published_at` and `Published At` are one
name. The first name in a list that holds a value wins. Known tools' output, field by field:

- NewsAPI (`/v2/everything`, `/v2/top-headlines`): `content` (cut at about 200 characters and
  ended "… [+N chars]"), `description`, `title`, `author`, `publishedAt`, `url`, `source.name`.
- news-please (`NewsArticle.get_dict`, its JSON file storage): `maintext`, `description`, `title`,
  `authors`, `date_publish`, `date_modify`, `date_download`, `url`, `source_domain`, `language`.
- trafilatura (`--json`, `extract(output_format="json")`): `text`, `raw_text`, `excerpt`, `title`,
  `author` ('A; B'), `date`, `source` (the URL), `source-hostname` (the site name), `hostname`,
  `language`, `filedate`.
- newspaper4k (`Article.to_json`, its CLI's JSON and CSV): `text`, `summary`, `meta_description`,
  `title`, `authors`, `publish_date`, `url`, `canonical_link`, `meta_site_name`, `meta_lang`.
- JSON-LD (`NewsArticle`, `Article`, `BlogPosting`, ..., alone or in an `@graph`): `articleBody`,
  `description`, `headline`, `author` (`{"name": ...}`), `datePublished`, `dateModified`, `url` or
  `mainEntityOfPage`, `publisher.name`, `inLanguage`.
"""

from __future__ import annotations

import re
from typing import Any

# Full article text, best first. `raw_text` is trafilatura's text without its line breaks.
TEXT_FIELDS = (
    "text",
    "content",
    "body",
    "article",
    "articlebody",
    "maintext",
    "fulltext",
    "articletext",
    "contentencoded",
    "rawtext",
    "texte",
    "texto",
    "inhalt",
)
HTML_FIELDS = ("html", "contenthtml", "bodyhtml", "rawhtml", "pagehtml", "articlehtml")
# A teaser of the article: used when no full text is there, and the record is flagged truncated.
TEASER_FIELDS = (
    "description",
    "summary",
    "excerpt",
    "abstract",
    "lead",
    "standfirst",
    "snippet",
    "dek",
    "metadescription",
)
TITLE_FIELDS = ("title", "headline", "name", "titlepage", "titlerss", "titel", "titre", "titulo", "titolo")
AUTHOR_FIELDS = (
    "authors",
    "author",
    "byline",
    "creator",
    "creators",
    "by",
    "dccreator",
    "writer",
    "autor",
    "auteur",
    "autore",
)
DATE_FIELDS = (
    "published",
    "publishedat",
    "datepublish",
    "datepublished",
    "publishdate",
    "publisheddate",
    "publicationdate",
    "pubdate",
    "dcdate",
    "date",
    "datum",
    "fecha",
    "publishedtime",
    "createdat",
    "timestamp",
    "time",
)
UPDATED_FIELDS = ("updated", "updatedat", "datemodify", "datemodified", "modified", "lastmodified")
FETCHED_FIELDS = (
    "datedownload",
    "fetchedat",
    "fetched",
    "crawledat",
    "crawldate",
    "scrapedat",
    "retrievedat",
    "downloadedat",
    "filedate",
)
URL_FIELDS = ("canonicallink", "canonicalurl", "url", "link", "sourceurl", "href", "permalink", "source")
LANG_FIELDS = ("language", "lang", "inlanguage", "locale", "metalang")
PUBLISHER_FIELDS = (
    "publisher",
    "sitename",
    "metasitename",
    "sourcehostname",
    "source",
    "sourcedomain",
    "site",
    "outlet",
    "newspaper",
    "hostname",
    "domain",
)
# Lists of records inside a wrapper object (NewsAPI's "articles", a feed export's "items", ...).
WRAPPERS = ("articles", "items", "data", "results", "records", "docs", "documents", "entries", "posts")
# JSON-LD types that are articles (schema.org's Article and its subtypes).
ARTICLE_TYPES = frozenset(
    t.casefold()
    for t in (
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
        "AdvertiserContentArticle",
    )
)

_FOLD = re.compile(r"[-_:\s.@]")


def fold(name: str) -> str:
    """'publishedAt', 'published_at', 'Published At' -> 'publishedat'."""
    return _FOLD.sub("", name).casefold()


def folded(record: dict[str, Any]) -> dict[str, Any]:
    """The record keyed by folded names; where two keys fold alike, the first keeps its value."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        out.setdefault(fold(str(key)), value)
    return out


def present(value: Any) -> bool:
    """A value that says something: not None, not blank, not an empty list, not the string 'None'
    (news-please writes str(None) for a missing date)."""
    if value is None or value == [] or value == {}:
        return False
    if isinstance(value, str):
        stripped = value.strip()
        return bool(stripped) and stripped not in ("None", "null", "NaT", "nan")
    return True


def first(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | tuple[None, None]:
    """(name, value) of the first of `names` the (folded) record holds a value for."""
    for name in names:
        value = record.get(name)
        if present(value):
            return name, value
    return None, None


def maps_text(columns: list[str]) -> bool:
    """Whether a header row names a column the reader takes article text from."""
    names = {fold(c) for c in columns}
    return bool(names & set(TEXT_FIELDS + HTML_FIELDS + TEASER_FIELDS) - {"source"})
