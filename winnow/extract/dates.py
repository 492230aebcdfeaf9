"""Date strings as scraped ("Tue, December 23, 2025 at 7:08 AM UTC", "Updated Dec 23, 2025,
2:08 AM EST", ISO 8601, ...) to timezone-aware UTC datetimes. Never raises."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from dateutil import parser as du_parser
from dateutil import tz

ZONES: dict[str, tzinfo | int | None] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "WET": 0,
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CST": -6 * 3600,
    "CDT": -5 * 3600,
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
    "AKST": -9 * 3600,
    "AKDT": -8 * 3600,
    "HST": -10 * 3600,
    "ET": tz.gettz("America/New_York"),
    "CT": tz.gettz("America/Chicago"),
    "MT": tz.gettz("America/Denver"),
    "PT": tz.gettz("America/Los_Angeles"),
    "BST": 3600,
    "IST": 19800,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "WEST": 3600,
    "MSK": 10800,
    "JST": 9 * 3600,
    "KST": 9 * 3600,
    "HKT": 8 * 3600,
    "SGT": 8 * 3600,
    "AEST": 10 * 3600,
    "AEDT": 11 * 3600,
    "ACST": 34200,
    "AWST": 8 * 3600,
    "NZST": 12 * 3600,
    "NZDT": 13 * 3600,
    "WIB": 7 * 3600,
    "BRT": -3 * 3600,
    "ART": -3 * 3600,
}

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_PATTERN = re.compile(
    rf"(\b{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b)"
    rf"|(\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}\b)"
    r"|(\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\b)"
    r"|(\b\d{1,2}/\d{1,2}/\d{4}\b)"
    r"|(\b\d{1,2}\.\d{1,2}\.\d{4}\b)",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^\s*(?P<kind>(last\s+)?updated|published|posted|originally published|first published|"
    r"modified|date|dated|on)\s*(on|at)?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# "10.15 BST" (Guardian style): a dotted time of day, not part of a dotted date.
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![.\d])")
_NOISE = re.compile(r"\b(at|on)\b|\|", re.IGNORECASE)


def looks_like_date(text: str) -> bool:
    return bool(DATE_PATTERN.search(text))


def date_kind(text: str) -> str:
    """'updated' when the line says so, else 'published'."""
    m = _PREFIX.match(text)
    if m and "updated" in m.group("kind").lower() or m and "modified" in m.group("kind").lower():
        return "updated"
    return "published"


@lru_cache(maxsize=8_192)  # one site's pages share date lines; dateutil costs ~0.1 ms a try
def parse_datetime(raw: str, *, dayfirst: bool = False) -> datetime | None:
    """Parse a scraped date string to an aware UTC datetime, or None if it names no real instant.

    A string without a zone is taken as UTC (scrapers rarely keep the page's zone).
    """
    if not raw or len(raw) > 200:
        return None
    text = _PREFIX.sub("", raw.strip())
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.-")
    if not text:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = du_parser.parse(text, tzinfos=ZONES, dayfirst=dayfirst, fuzzy=True)
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def local_iso(raw: str | None, utc: datetime | None) -> str | None:
    """The instant as the source stated it: ISO 8601 in the source's own offset when it gave one,
    and without an offset when it gave none (then the wall-clock time is what is known)."""
    if raw:
        text = _PREFIX.sub("", raw.strip())
        text = _DOTTED_TIME.sub(r"\1:\2", text)
        text = re.sub(r"\s+", " ", _NOISE.sub(" ", text)).strip(" ,.-")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = du_parser.parse(text, tzinfos=ZONES, fuzzy=True)
        except (ValueError, OverflowError, TypeError, du_parser.ParserError):
            value = None
        if value is not None and (utc is None or value.tzinfo is None or value.astimezone(UTC) == utc):
            return value.isoformat()
    return utc.isoformat() if utc else None
