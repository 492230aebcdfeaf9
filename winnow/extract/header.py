"""Header metadata from the top of a plain-text article: title, byline, dates, read time.

`read_header` walks the first kept lines and stops at the first line that is none of title,
byline, date or read time: that is where the body begins.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime

from winnow.extract.authors import BYLINE_PREFIX
from winnow.extract.byline import LowercaseWords, byline_in, dateline_agency
from winnow.extract.dates import (
    PREFIX_ONLY,
    date_kind,
    find_date,
    looks_like_date,
    parse_datetime,
    slash_dayfirst,
)
from winnow.extract.titles import is_chrome, reads_as_body, split_site, strip_label
from winnow.records import Document

_READ_TIME = re.compile(
    r"^(reading time:?\s*)?(?P<n>\d{1,3})[\s-]*(min|mins|minute|minutes)\.?(\s+read(ing)?( time)?)?$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s+[|·•]\s+|\s+[—–]\s+")
_WORD = re.compile(r"\w+")


def parse_read_time(text: str) -> int | None:
    m = _READ_TIME.match(text.strip())
    if not m:
        return None
    n = int(m.group("n"))
    return n if 0 < n <= 600 else None


def _title_ok(line: str, max_chars: int) -> bool:
    words = len(_WORD.findall(line))
    if not line or len(line) > max_chars or words == 0 or words > 40:
        return False
    return not (parse_read_time(line) or looks_like_date(line) and words <= 8)


def read_header(
    doc: Document,
    lines: Sequence[str],
    *,
    max_lines: int = 12,
    max_title_chars: int = 400,
    max_byline_chars: int = 160,
) -> list[int]:
    """Read title, byline, dates and read time from the first of `lines` (the kept, non-blank lines,
    in order) into `doc`, where the source has not declared them already. Returns the indices
    (into `lines`) of the header lines, which are metadata, not body."""
    found = _Found(_Page("\n".join(lines)))
    consumed: list[int] = []
    skip = False
    # the line that may hold the headline: the first, after page chrome
    title_slot = _headline_below_chrome(lines, found, max_title_chars, max_byline_chars)
    for i, raw in enumerate(lines[:max_lines]):
        if i < title_slot:
            continue  # chrome above the headline: left to the rule packs
        if skip:  # the value line of a 'By' / 'Updated' line, read with it
            skip = False
            continue
        line = raw.strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if i == title_slot and not consumed:
            if is_chrome(line) and i < MAX_CHROME_LINES:
                title_slot += 1  # 'Video Ad Feedback' above the headline: left to the rule packs
                continue
            labelled = strip_label(line)
            if labelled != line and labelled:
                found.title = labelled  # 'Title: …', 'Headline: …'
                consumed.append(i)
                continue
            if reads_as_body(line, nxt):
                break  # no headline: the file starts with the article, which keeps its first sentence
            if _title_ok(line, max_title_chars) and not BYLINE_PREFIX.match(line):
                found.title = line
                consumed.append(i)
                continue
        if nxt and _announces(line, nxt) and _take_line(f"{line} {nxt}", found, max_byline_chars):
            consumed += [i, i + 1]
            skip = True
            continue
        if not _take_line(line, found, max_byline_chars):
            break
        consumed.append(i)
    if not found.authors:  # no byline: the agency of a wire story's dateline ('WASHINGTON (Reuters) -')
        body = next((line for j, line in enumerate(lines) if j > max(consumed, default=-1)), "")
        agency = dateline_agency(body)
        found.authors = [agency] if agency else []
    found.apply(doc)
    return consumed


MAX_CHROME_LINES = 2  # lines of page chrome above a headline passed over


def _headline_below_chrome(lines: Sequence[str], found: _Found, max_title_chars: int, max_byline: int) -> int:
    """0, or the position of the headline when the first line is not followed by a byline or date
    and a title-like line a little further down is ('Welcome to … EXPERIENCE', 'Learn More', a logo,
    then the headline over its byline): the lines above it are the page's, not the article's."""
    if len(lines) < 3 or _meta_line(lines, 1, found, max_byline):
        return 0
    for k in range(1, min(len(lines) - 1, MAX_CHROME_LINES + 2)):
        line = lines[k].strip()
        if (
            _title_ok(line, max_title_chars)
            and not is_chrome(line)
            and not reads_as_body(line, lines[k + 1])
            and not _meta_line(lines, k, found, max_byline)
            and _meta_line(lines, k + 1, found, max_byline)
        ):
            return k
    return 0


def _meta_line(lines: Sequence[str], i: int, found: _Found, max_byline: int) -> bool:
    """Whether lines[i] reads as a byline, date or read-time line, or announces one ('By' above
    the name); tried on a scratch copy of what was found."""
    line = lines[i].strip()
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if not line or nxt and _announces(line, nxt):
        return bool(line)
    scratch = _Found(found.page)
    return _take_line(line, scratch, max_byline)


_FIELD = re.compile(
    r"^(?:(?:url|link|source url|permalink)\s*:\s*(?P<url>https?://\S+)"
    r"|(?:source|publisher|site|site name|outlet|quelle)\s*:\s*(?P<site>[^:]{2,60}))$",
    re.IGNORECASE,
)
_BY_ALONE = re.compile(r"^(?:posted |written |story )?(?:by|von|par|por|di|door|av|af)\s*:?$", re.IGNORECASE)


def _announces(line: str, nxt: str) -> bool:
    """'By' alone on a line above the name, 'Updated' alone above the date."""
    if PREFIX_ONLY.match(line):
        return looks_like_date(nxt)
    return bool(_BY_ALONE.match(line))


class _Page:
    """The page's text (its kept lines, newline-joined) and what is read from all of it, each
    worked out the first time a header line needs it: most pages never ask for the slash order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowercase = LowercaseWords((text,))  # the same words as line by line
        self._dayfirst: bool | None = None

    def dayfirst(self, raw: str) -> bool:
        """slash_dayfirst of the page, for a date string `raw`: only a slashed date (04/05/2022)
        reads by it, so for any other the page is not scanned (and the answer does not matter)."""
        if "/" not in raw:
            return False
        if self._dayfirst is None:
            self._dayfirst = slash_dayfirst(self.text)
        return self._dayfirst


class _Found:
    """What the header lines say, before it is weighed against what the source declared."""

    def __init__(self, page: _Page) -> None:
        self.page = page
        self.page_text = page.text
        self.title: str | None = None
        self.authors: list[str] = []
        self.published: tuple[str, datetime | None] | None = None
        self.updated: tuple[str, datetime | None] | None = None
        self.read_time: int | None = None
        self.publisher: str | None = None
        self.url: str | None = None

    def apply(self, doc: Document) -> None:
        if self.title and not doc.title:
            doc.title, site = split_site(self.title, self.page_text, doc.publisher)
            doc.publisher = doc.publisher or site or self.publisher
        doc.publisher = doc.publisher or self.publisher
        doc.url = doc.url or self.url
        doc.authors = doc.authors or self.authors
        if self.published and doc.published_at is None and doc.published_raw is None:
            doc.set_published(*self.published)
        if self.updated and doc.updated_at is None and doc.updated_raw is None:
            doc.set_updated(*self.updated)
        if doc.published_raw is None and doc.updated_raw is not None:
            # Only an "Updated ..." line: the best published time the page gives.
            doc.set_published(doc.updated_raw, doc.updated_at)
        doc.read_time_stated_min = doc.read_time_stated_min or self.read_time


def _take_line(line: str, found: _Found, max_byline_chars: int) -> bool:
    """Take metadata from one line (possibly 'A | date | 6 min read'). False: the body starts here."""
    if len(line) > max_byline_chars + 120:
        return False
    field = _FIELD.match(line)
    if field:  # a scraper's labelled field: 'URL: …', 'Source: …'
        if field.group("url") and found.url is None:
            found.url = field.group("url")
        elif field.group("site") and found.publisher is None:
            found.publisher = field.group("site").strip()
        return True
    parts = [p for p in _SEPARATORS.split(line) if p.strip()] or [line]
    taken: list[tuple[str, object]] = []
    for part in parts:
        part = part.strip()
        minutes = parse_read_time(part)
        if minutes is not None:
            taken.append(("read", minutes))
            continue
        if looks_like_date(part) and len(_WORD.findall(part)) <= 14:
            names = byline_in(part, explicit=True)  # 'Posted on <date> by A'
            if names and not found.authors:
                taken.append(("authors", names))
            date = find_date(part) if names else None  # the date alone, without the byline
            taken.append(("date", date[0] if date else part))
            continue
        authors = (
            byline_in(part, explicit=False, lowercase=found.page.lowercase)
            if len(part) <= max_byline_chars
            else None
        )
        if authors is not None and not found.authors:
            taken.append(("authors", authors))
            continue
        return False
    for kind, value in taken:
        if kind == "read" and found.read_time is None:
            found.read_time = value  # type: ignore[assignment]
        elif kind == "authors":
            found.authors = list(value)  # type: ignore[call-overload]
        elif kind == "date":
            _take_date(found, str(value))
    return True


def _take_date(found: _Found, raw: str) -> None:
    stamp = (raw, parse_datetime(raw, dayfirst=found.page.dayfirst(raw)))
    if date_kind(raw) == "updated":
        found.updated = found.updated or stamp
    elif found.published is None:
        found.published = stamp
    elif found.updated is None:
        found.updated = stamp


def estimate_read_time(words: int, words_per_minute: int) -> int:
    return max(1, math.ceil(words / words_per_minute)) if words else 0
