"""Header metadata from the top of a plain-text article: title, byline, dates, read time.

Pure functions over lines. `extract_header` walks the first kept lines and stops at the first
line that is none of title, byline, date or read time: that is where the body begins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from winnow.dates import date_kind, looks_like_date, parse_datetime

_READ_TIME = re.compile(
    r"^(reading time:?\s*)?(?P<n>\d{1,3})[\s-]*(min|mins|minute|minutes)\.?(\s+read(ing)?( time)?)?$",
    re.IGNORECASE,
)
_BY = re.compile(
    r"^(by|written by|words by|author|authors|reporting by|story by|par|por|von|di|door|av|af)\s*:?\s+",
    re.I,
)
_ROLE = re.compile(
    r",?\s*\b(staff writer|senior writer|contributing writer|contributor|reporter|senior reporter|"
    r"correspondent|chief .{0,30}correspondent|editor|senior editor|columnist|special to .{1,40}|"
    r"for .{1,40}|staff|news service|the associated press)\s*$",
    re.IGNORECASE,
)
_SPLIT_NAMES = re.compile(
    r"\s*(?:,\s*and\s+|,\s*&\s*|,\s*|\s+and\s+|\s+&\s+|\s+und\s+|\s+e\s+|\s+y\s+|;\s*)\s*"
)
_PARTICLES = {
    "de",
    "da",
    "do",
    "dos",
    "das",
    "del",
    "della",
    "di",
    "du",
    "van",
    "von",
    "der",
    "den",
    "la",
    "le",
    "bin",
    "ibn",
    "al",
    "el",
    "ter",
    "ten",
    "st.",
    "y",
    "mc",
    "mac",
}
_ROLE_NOUN = re.compile(
    r"\b(writer|reporter|correspondent|editor|columnist|contributor|producer|photographer|"
    r"journalist|analyst|critic|staff)s?$",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w.'’\-]*$")
_SEPARATORS = re.compile(r"\s+[|·•]\s+|\s+[—–]\s+")
_WORD = re.compile(r"\w+")


@dataclass
class Header:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_raw: str | None = None
    updated_at: datetime | None = None
    updated_raw: str | None = None
    read_time_stated_min: int | None = None
    consumed: list[int] = field(default_factory=list)  # indices (into the given lines) used


def parse_read_time(text: str) -> int | None:
    m = _READ_TIME.match(text.strip())
    if not m:
        return None
    n = int(m.group("n"))
    return n if 0 < n <= 600 else None


def _is_name(candidate: str, *, strict: bool) -> bool:
    tokens = candidate.split()
    if not tokens or len(tokens) > 5 or len(candidate) > 60:
        return False
    if strict and len(tokens) < 2:
        return False
    capitals = 0
    for tok in tokens:
        if tok.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(tok) or not tok[0].isupper():
            return False
        capitals += 1
    return capitals >= 1


def parse_byline(text: str, *, max_chars: int = 160) -> list[str] | None:
    """Authors from a byline ('By A', 'By A and B', 'A, B and C', a bare name), or None."""
    line = text.strip().strip(".")
    if not line or len(line) > max_chars or looks_like_date(line):
        return None
    explicit = bool(_BY.match(line))
    line = _BY.sub("", line)
    line = _ROLE.sub("", line).strip(" ,")
    if not line:
        return None
    parts = [p.strip(" .,") for p in _SPLIT_NAMES.split(line) if p.strip(" .,")]
    if len(parts) > 1:
        # "A, AP National Political Writer": a part that ends in a job title is a role, not a name.
        parts = [p for p in parts if not _ROLE_NOUN.search(p)] or parts[:1]
    if not parts:
        return None
    if all(_is_name(p, strict=not explicit) for p in parts):
        return parts
    return None


def _title_ok(line: str, max_chars: int) -> bool:
    words = len(_WORD.findall(line))
    if not line or len(line) > max_chars or words == 0 or words > 40:
        return False
    return not (parse_read_time(line) or looks_like_date(line) and words <= 8)


def extract_header(
    lines: list[str],
    *,
    max_lines: int = 12,
    max_title_chars: int = 400,
    max_byline_chars: int = 160,
) -> Header:
    """Read metadata from the first lines. `lines` are the kept (non-blank) lines, in order."""
    header = Header()
    for i, raw in enumerate(lines[:max_lines]):
        line = raw.strip()
        if i == 0 and _title_ok(line, max_title_chars) and not _BY.match(line):
            header.title = line
            header.consumed.append(i)
            continue
        if not _take_line(line, header, max_byline_chars):
            break
        header.consumed.append(i)
    return header


def _take_line(line: str, header: Header, max_byline_chars: int) -> bool:
    """Fill header fields from one line (possibly 'A | date | 6 min read'). False: body starts."""
    if len(line) > max_byline_chars + 120:
        return False
    parts = [p for p in _SEPARATORS.split(line) if p.strip()] or [line]
    found: list[tuple[str, object]] = []
    for part in parts:
        part = part.strip()
        minutes = parse_read_time(part)
        if minutes is not None:
            found.append(("read", minutes))
            continue
        if looks_like_date(part) and len(_WORD.findall(part)) <= 14:
            found.append(("date", part))
            continue
        authors = parse_byline(part, max_chars=max_byline_chars)
        if authors is not None and not header.authors:
            found.append(("authors", authors))
            continue
        return False
    for kind, value in found:
        if kind == "read" and header.read_time_stated_min is None:
            header.read_time_stated_min = value  # type: ignore[assignment]
        elif kind == "authors":
            header.authors = list(value)  # type: ignore[call-overload]
        elif kind == "date":
            _set_date(header, str(value))
    return True


def _set_date(header: Header, raw: str) -> None:
    when = parse_datetime(raw)
    if date_kind(raw) == "updated":
        if header.updated_raw is None:
            header.updated_raw, header.updated_at = raw, when
        return
    if header.published_raw is None:
        header.published_raw, header.published_at = raw, when
    elif header.updated_raw is None:
        header.updated_raw, header.updated_at = raw, when


def normalise_authors(
    names: list[str], *, max_chars: int = 160, publisher: str | None = None
) -> list[str]:
    """Declared author strings to a clean list of names: 'By A and B' -> [A, B]; roles cut; no repeats.

    A string that does not read as names (an organisation, 'Staff') is kept whole, without 'By'.
    """
    out: list[str] = []
    for raw in names:
        text = re.sub(r"\s+", " ", raw).strip(" ,;|")
        if not text or text.startswith(("http://", "https://")):
            continue
        parsed = parse_byline(text, max_chars=max_chars)
        bare = _BY.sub("", text).strip()
        if parsed is not None and len(parsed) == 1 and "," not in bare and parsed[0] != bare:
            parsed = [bare]  # 'HNN Staff' is how the page signs it: only a role after a comma is cut
        if parsed is None:
            # Not a list of names: drop a leading "By" and a trailing role, keep the rest whole.
            head, comma, tail = bare.rpartition(",")
            stripped = head.strip(" ,;|") if comma and _ROLE_NOUN.search(tail.strip()) else bare
            parsed = [stripped or text]
        if publisher and len(parsed) > 1:
            # "Name, Business Insider": the publisher named beside the author is not an author.
            parsed = [n for n in parsed if n.casefold() != publisher.casefold()] or parsed
        for name in parsed:
            if name.casefold() not in {n.casefold() for n in out}:
                out.append(name)
    return out


def estimate_read_time(words: int, words_per_minute: int) -> int:
    return max(1, math.ceil(words / words_per_minute)) if words else 0
