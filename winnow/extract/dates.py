"""Date strings as scraped ("Tue, December 23, 2025 at 7:08 AM UTC", "Updated Dec 23, 2025,
2:08 AM EST", "Published - April 16, 2025 09:19 pm IST", "Veröffentlicht am 8. Januar 2020 um
9:58 Uhr", "4 de mayo de 2022", "07.08.2013", ISO 8601, ...) to timezone-aware UTC datetimes.
Never raises.

Month names, the words around dates and the time-zone abbreviations are data
(datewords.toml). A visible date is read by its shape: a day, a month (name or number) and a
year, then a time of day and a zone where they follow (or precede) it. Numeric dates with dots are
day-first everywhere they are written; with slashes the caller says which order the page uses
(`slash_dayfirst`; month-first when it does not say). Anything else (ISO 8601 with offsets,
RFC 2822) goes to dateutil.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Any

from dateutil import parser as du_parser
from dateutil import tz


def _load() -> dict[str, Any]:
    return tomllib.loads(resources.files("winnow.extract").joinpath("datewords.toml").read_text("utf-8"))


_DATA = _load()


def _zone(value: str) -> tzinfo | None:
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})", value)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    return tz.gettz(value)


ZONES: dict[str, tzinfo | None] = {name: _zone(str(v)) for name, v in _DATA["zones"].items()}
MONTHS: dict[str, int] = {word: int(number) for number, words in _DATA["months"].items() for word in words}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))


_MONTH = rf"(?:{_alternation(MONTHS)})\.?(?!\w)"
_ORD = r"(?:st|nd|rd|th|er|º|°)?\.?"
# Day Month Year ("8. Januar 2020", "4 de mayo de 2022", "23 December 2025", "01. Dez. 2022"),
# glued to the name before it in dumps ("Por Jane Doe04 de mayo 2022")
_DMY = (
    rf"(?<![\d._])(?P<d1>\d{{1,2}}){_ORD}\s*(?:de\s+)?(?P<m1>{_MONTH}),?\s*(?:de\s+|del\s+)?(?P<y1>\d{{4}})"
)
# Month Day, Year ("Nov 8, 2023", "mayo 11, 2022", "Feb. 13, 2024")
_MDY = rf"(?<!\w)(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
_ISO = (
    r"(?<!\d)(?P<iso>\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)(?![\d-])"
)
# 07.08.2013 (day first), 04/05/2022 (order per page), glued to a word in dumps ("am09.02.2022")
_NUM = r"(?<![\d./])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y3>\d{4})"
DATE_PATTERN = re.compile(f"{_DMY}|{_MDY}|{_ISO}|{_NUM}", re.IGNORECASE)

_ZONE_ALT = _alternation(z for z in ZONES if len(z) >= 2)
_AT = _alternation(_DATA["words"]["at"])
_CLOCK = _alternation(_DATA["words"]["clock"])
TIME_PATTERN = re.compile(
    r"(?<![\d:.])(?P<h>\d{1,2})(?:(?P<sep>[:.h])(?P<mi>\d{2}))(?::(?P<s>\d{2}))?(?![\d])"
    r"\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
    rf"(?:\s*(?:{_CLOCK})\b\.?)?"
    rf"(?:\s*\(?(?P<zone>(?:UTC|GMT)\s?[+-]\s?\d{{1,2}}(?::?\d{{2}})?|[+-]\d{{2}}:?\d{{2}}|\b(?-i:{_ZONE_ALT})\b)\)?)?",
    re.IGNORECASE,
)
_BETWEEN = re.compile(rf"^\s*(?:(?:{_AT})\s*)*$", re.IGNORECASE)

_PUBLISHED = _alternation(_DATA["words"]["published"])
_UPDATED = _alternation(_DATA["words"]["updated"])
_PREFIX = re.compile(
    rf"^\s*(?:(?P<updated>{_UPDATED})|(?P<published>{_PUBLISHED}))(?!\w)\s*(?:on|at|le|am|el|em|il|op)?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Mid-line, the longer of those words say so too ('Dieser Beitrag wurde am 04/02/2020 von A
# veröffentlicht', 'This entry was posted in News on May 3, 2020'); the short ones ('on', 'am',
# 'le', 'date') are everyday words there.
_SAYING = [w for kind in ("published", "updated") for w in _DATA["words"][kind] if len(w) >= 6]
_SAYS = re.compile(rf"(?<!\w)(?:{_alternation(_SAYING)})(?!\w)", re.IGNORECASE)


def says_when(text: str) -> bool:
    """Whether a line says its date is when the article was published or changed."""
    return bool(_PREFIX.match(text) or _SAYS.search(text))


# A line that only says what the date on the next line is ("Updated", "Published:", "Stand:").
PREFIX_ONLY = re.compile(rf"^\s*(?:{_UPDATED}|{_PUBLISHED})\s*[:\-–—]?\s*$", re.IGNORECASE)
# "10.15 BST" (Guardian style): a dotted time of day, not part of a dotted date.
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![.\d])")
_NOISE = re.compile(r"\b(at|on)\b|\|", re.IGNORECASE)


def looks_like_date(text: str) -> bool:
    return bool(DATE_PATTERN.search(text))


def date_kind(text: str) -> str:
    """'updated' when the line says so, else 'published'."""
    m = _PREFIX.match(text)
    return "updated" if m and m.group("updated") else "published"


def slash_dayfirst(text: str) -> bool:
    """Whether the slashed dates of a page (04/05/2022) put the day first: an unambiguous one on
    the page decides (a first number over 12, or a second one); else a page that does not read as
    English is taken as day-first, as nearly everywhere but the United States."""
    if "/" in text:  # every slashed date has one; most pages have none, and the scan is the cost
        for m in _SLASHED.finditer(text):
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 >= b:
                return True
            if b > 12 >= a:
                return False
    words = _LETTERS.findall(text[:20_000].lower())
    english = sum(map(_ENGLISH.__contains__, words))
    return not words or english < 0.04 * len(words)


_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/\d{4}")
_LETTERS = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(["the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "are", "by"])


def _time_near(text: str, start: int, end: int) -> re.Match[str] | None:
    """The time of day printed right after the date ('…, 2:36 AM UTC', '… um 9:58 Uhr') or right
    before it ('00:01, Tue, Nov 19, 2019')."""
    for m in TIME_PATTERN.finditer(text, end, min(len(text), end + 40)):
        if _BETWEEN.match(text[end : m.start()]):
            return m
        break
    before = list(TIME_PATTERN.finditer(text, max(0, start - 30), start))
    if before and re.fullmatch(r"[\s,|·\-–—]*(?:[^\W\d_]+,?\s*)?", text[before[-1].end() : start]):
        return before[-1]
    return None


def find_date(text: str, *, dayfirst: bool | None = None) -> tuple[str, datetime | None] | None:
    """The first date in `text` with its time of day and zone where given: the raw string (as the
    page printed it) and the instant as an aware datetime in the stated zone, naive without one."""
    m = DATE_PATTERN.search(text)
    if not m:
        return None
    clock = _time_near(text, m.start(), m.end())
    span = (min(m.start(), clock.start()), max(m.end(), clock.end())) if clock else m.span()
    raw = text[span[0] : span[1]].strip(" ,")
    return raw, _instant(m, clock, dayfirst)


def _instant(m: re.Match[str], clock: re.Match[str] | None, dayfirst: bool | None) -> datetime | None:
    if m.group("iso"):
        iso = m.group("iso")
        return _dateutil(iso if not clock or "T" in iso else f"{iso} {clock.group(0)}")
    if m.group("y1"):
        day, month, year = int(m.group("d1")), MONTHS[m.group("m1").lower().rstrip(".")], int(m.group("y1"))
    elif m.group("y2"):
        day, month, year = int(m.group("d2")), MONTHS[m.group("m2").lower().rstrip(".")], int(m.group("y2"))
    else:
        a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y3"))
        first = a > 12 or b <= 12 and (m.group("sep") == "." or bool(dayfirst))
        day, month = (a, b) if first else (b, a)
    if not 1900 <= year <= 2100:
        return None
    hour = minute = second = 0
    zone: tzinfo | None = None
    if clock:
        hour, minute, second = int(clock.group("h")), int(clock.group("mi")), int(clock.group("s") or 0)
        ampm = (clock.group("ampm") or "").lower()
        if ampm and not 1 <= hour <= 12:
            return None
        if ampm.startswith("p") and hour != 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        zone = _zone_of(clock.group("zone"))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _zone_of(text: str | None) -> tzinfo | None:
    if not text:
        return None
    compact = re.sub(r"\s", "", text).upper()
    if compact in ZONES:
        return ZONES[compact]
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", compact)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))


_DEFAULTS = (datetime(2000, 1, 1), datetime(2000, 2, 2))  # differ in month and day, both valid for any day


def _dateutil(text: str) -> datetime | None:
    text = _PREFIX.sub("", text.strip())
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    text = re.sub(r"\s+", " ", _NOISE.sub(" ", text)).strip(" ,.-")
    if not text or not re.search(r"\d{4}", text):  # fuzzy parsing invents a date from "22 hours ago"
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # dateutil fills what the text leaves out from `default` (today, unless told): parsed
            # against two defaults, a month or day the text does not give shows as a difference,
            # and "2006" or "May 2006" names no calendar date (the raw string is still kept).
            first = du_parser.parse(text, tzinfos=ZONES, fuzzy=True, default=_DEFAULTS[0])
            second = du_parser.parse(text, tzinfos=ZONES, fuzzy=True, default=_DEFAULTS[1])
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        return None
    return first if (first.month, first.day) == (second.month, second.day) else None


@lru_cache(maxsize=8_192)  # one site's pages share date lines
def parse_local(raw: str, *, dayfirst: bool | None = None) -> datetime | None:
    """The instant a scraped date string names, in the zone it states (naive when it states none)."""
    if not raw or len(raw) > 200:
        return None
    found = find_date(raw, dayfirst=dayfirst)
    if found is not None:
        return found[1]
    return _dateutil(raw)


def parse_datetime(raw: str, *, dayfirst: bool | None = None) -> datetime | None:
    """Parse a scraped date string to an aware UTC datetime, or None if it names no real instant.

    A string without a zone is taken as UTC (scrapers rarely keep the page's zone).
    """
    value = parse_local(raw, dayfirst=dayfirst)
    if value is None:
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
        for dayfirst in (None, True):
            value = parse_local(raw, dayfirst=dayfirst)
            if value is None:
                continue
            if utc is None or value.tzinfo is None and value.replace(tzinfo=UTC) == utc:
                return value.isoformat()
            try:
                if value.tzinfo is not None and value.astimezone(UTC) == utc:
                    return value.isoformat()
            except (OverflowError, ValueError):
                continue
    return utc.isoformat() if utc else None
