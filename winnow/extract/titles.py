"""Titles as scrapers and text dumps deliver them, to the headline: a scraper's label ("Title: …")
off, a trailing site name ("… | AP News", "… - CNN") split off as the publisher, page chrome
("Video Ad Feedback", a URL, an image file name) and prose sentences never taken for a headline.
Words are data (titlewords.toml); the rules are about the shape of the line. Pure functions."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

from winnow.extract.credits import looks_like_outlet


def _words(key: str) -> list[str]:
    data = tomllib.loads(resources.files("winnow.extract").joinpath("titlewords.toml").read_text("utf-8"))
    return [str(w) for w in data[key]]


_LABEL = re.compile(
    r"^\s*(?:"
    + "|".join(re.escape(w) for w in sorted(_words("labels"), key=len, reverse=True))
    + r")\s*:\s*(?=\S)",
    re.IGNORECASE,
)
_UI = frozenset(_words("ui"))
_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:jpe?g|png|gif|webp|svg|mp4)\b", re.IGNORECASE)
# " | Site", " - Site", " — Site", " :: Site" at the end of a title.
# A text browser's stand-ins: a bullet glyph opening a menu item ('□ Got a news tip?'), an image
# printed as its bracketed file name ('[Pista-F1-1024x723-900x400]').
_PLACEHOLDER = re.compile(r"^(?:[□■◦●○▪▫►▶•·]\s|\[[^\]\s]+\]$)")
_CREDIT = re.compile(r"\b(?:credit|photograph|photo|image|foto|bild)\s*(?:\.\.\.|…|:)", re.IGNORECASE)
# More chrome by shape: a form's text field as w3m prints it ('Suche nach: [          ]'), a
# breadcrumb trail ('Start » Film » Geschichte'), a copyright or picture credit ('© Studio',
# 'APA/Jane Doe'), a file name of underscored words ('Logo_Award_in_Finance'), a line wholly in
# brackets ('(Jane Doe / Agency)', '(crédito: …)': a caption's credit), an image's name of
# hyphenated words ('Jane-Doe-headshot'), a logo's alt text ('Logo Example Party').
_SHAPES = re.compile(
    r"\[\s{3,}\]|(?:\s[»›>]\s.*){2}|\s[»›]$|©|\b[A-Z]{2,6}/\s?[A-Z][\w-]+|\w+_\w+_\w+|^\(.*\)$|^\[.*\]$"
    r"|^\w+(?:-\w+){2,}$|^Logo\b|\bLogo$|\bLogo\b.*\bLogo\b"
)
# lynx prints a page's <link rel=alternate> feeds as a first line opening with '#'
# ('#Example Blog » Feed Example Blog » Kommentar-Feed alternate').
_FEED_LINKS = re.compile(r"^#.*\b(?:feed|rss|atom|alternate)\b", re.IGNORECASE)
_SITE_TAIL = re.compile(r"^(?P<head>.+?)\s+(?P<sep>[|—–-]|::|»|·)\s+(?P<site>[^|—–»·]{2,40})$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
MAX_SITE_WORDS = 5
MIN_HEAD_WORDS = 3
MIN_DOUBLED_CHARS = 8  # shorter halves may repeat by chance ('Go Go')
SENTENCE_WORDS = 12  # a line this long ending in '?' or '!' reads as a sentence when prose follows


def strip_label(title: str) -> str:
    """'Title: A headline' -> 'A headline'."""
    return _LABEL.sub("", title, count=1).strip()


def is_chrome(line: str) -> bool:
    """Page chrome, not a headline: a URL or file name, an image stand-in, a menu bullet, a picture
    credit, a line without letters, or a short line of UI words only."""
    text = line.strip()
    if _URL.search(text) or _PLACEHOLDER.match(text) or _CREDIT.search(text) or not _WORD.search(text):
        return True
    if _SHAPES.search(text) or _FEED_LINKS.search(text) or _doubled(text):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    return bool(words) and len(words) <= 6 and all(w in _UI for w in words)


def _doubled(text: str) -> bool:
    """A picture's alt text and title printed one after the other ('A caption A caption',
    'A captionA caption'): a caption, not a headline."""
    half = len(text) // 2
    if len(text) < 2 * MIN_DOUBLED_CHARS:
        return False
    return text[:half].strip() == text[-half:].strip() or text[: half + 1].strip() == text[half:].strip()


def split_site(title: str, page_text: str = "", publisher: str | None = None) -> tuple[str, str | None]:
    """'A headline | AP News' -> ('A headline', 'AP News'). The tail is a site name when it is short
    and capitalised and it also looks like an outlet (an acronym, a domain, 'The …', an outlet word
    such as News or Times), is the known publisher, or recurs on the page (its footer, its menu;
    after a plain dash only a name of several words counts so). Otherwise the title stays whole."""
    m = _SITE_TAIL.match(title.strip())
    if not m:
        return title, None
    head, sep, site = m.group("head").strip(), m.group("sep"), m.group("site").strip()
    words = site.split()
    if len(words) > MAX_SITE_WORDS or len(_WORD.findall(head)) < MIN_HEAD_WORDS:
        return title, None
    capitalised = all(
        w[0].isupper() or w[0].isdigit() or w.lower() in ("the", "of", "de", "and") for w in words
    )
    if not capitalised and not _DOMAIN.match(site):
        return title, None
    known = publisher is not None and site.casefold() == publisher.casefold()
    recurs = page_text.count(site) >= 2 and (len(words) >= 2 or sep != "-")
    outlet = looks_like_outlet(site, publisher) or bool(_DOMAIN.match(site))
    if known or outlet or recurs:
        return head, site
    return title, None


def reads_as_body(line: str, following: str | None) -> bool:
    """A first line that is a sentence the body continues, not a headline: it ends like a
    sentence (a period, or '?'/'!' on a long line) and prose follows it."""
    text = line.strip().rstrip("\"'”’»)")
    words = len(_WORD.findall(text))
    if not text or words < 4:
        return False
    if text[0].islower():
        return True
    if text.endswith(".") and not text.endswith("...") and not re.search(r"\b[A-Z]\.[A-Z]?\.?$", text):
        return True
    return text.endswith(("?", "!")) and words >= SENTENCE_WORDS and _prose(following)


def _prose(line: str | None) -> bool:
    if not line:
        return False
    text = line.strip()
    return len(_WORD.findall(text)) >= 10 and text[-1:] in '.!?"”’»)'
