"""The headline, byline and date of a whole-page text dump: the heading-like line above the body
that is less indented than the body and recurs elsewhere on the page, and the byline and date lines
around it (a date keeps its time of day)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from winnow.extract.authors import parse_byline
from winnow.extract.dates import DATE_PATTERN, ZONES, date_kind, looks_like_date, parse_datetime
from winnow.extract.header import parse_read_time
from winnow.read.pagelines import BULLET, WORD, Line, heading_like
from winnow.records import Document

_ZONE_NAMES = [z for z in ZONES if len(z) >= 2]
TITLE_LOOKBACK = 40  # non-blank lines above the body searched for the headline
IN_BODY_TITLE_SCORE = 3.0  # a sentence-like first body line is the headline only on strong signals


@dataclass
class DumpHeader:
    title: int | None = None  # positions in `info`
    meta: tuple[int, ...] = ()


def _meta_like(text: str) -> bool:
    if parse_read_time(text) is not None:
        return True
    if looks_like_date(text) and len(WORD.findall(text)) <= 16:
        return True
    return _byline_in(text, explicit=True) is not None


_UI_WORDS = re.compile(
    r"\b(share|shares|email|e-mail|print|comments?|subscribe|sign (in|up)|log ?in|menu|search|click|"
    r"newsletter|follow|advertisement|cookies?|privacy|welcome to|read more|image \d+ of)\b",
    re.I,
)
_TIME = re.compile(
    r"\b\d{1,2}[:.]\d{2}(:\d{2})?\s*([ap]\.?\s?m\.?)?(\s*\(?\b("
    + "|".join(sorted(_ZONE_NAMES, key=len, reverse=True))
    + r")\b\)?)?",
    re.I,
)


def _title_score(
    line: Line, distance: int, body_indent: int, text_blob: str, *, in_body: bool = False
) -> float:
    if not heading_like(line) or (line.prose and not in_body) or _meta_like(line.text):
        return float("-inf")
    score = -0.15 * distance
    if line.indent < body_indent:
        score += 3  # less indented than the body paragraphs: a heading in a laid-out dump
    if text_blob.count(line.text.casefold()) >= 2:
        score += 2  # the headline usually recurs (page title, share text, breadcrumb)
    if 5 <= len(WORD.findall(line.text)) <= 25 or line.weight >= 8:
        score += 1
    if _UI_WORDS.search(line.text):
        score -= 4
    return score


def find_header(info: list[Line], start: int) -> DumpHeader:
    """The headline above the body, and the byline and date lines between it and the body."""
    header = DumpHeader()
    lowest = max(0, start - TITLE_LOOKBACK)
    indents = sorted(line.indent for line in info[start : start + 12] if line.prose)
    body_indent = indents[len(indents) // 2] if indents else 0
    blob = "\n".join(line.text for line in info).casefold()
    best, best_score = None, 0.0
    distance = 0  # lines of substance between a candidate and the body (share buttons, bylines and
    for pos in range(start - 1, lowest - 1, -1):  # dates do not push the headline away)
        distance += 1
        score = _title_score(info[pos], distance, body_indent, blob)
        if score > best_score:
            best, best_score = pos, score
        if info[pos].weight < 3 or info[pos].furniture or _meta_like(info[pos].text):
            distance -= 1
    # A long headline ending in '?' or a quote reads as a sentence and opens the body span: take it
    # when it stands out as a heading (less indented than the body, or printed again elsewhere).
    opening = _title_score(info[start], 0, body_indent, blob, in_body=True) if start < len(info) else 0.0
    if (
        opening >= IN_BODY_TITLE_SCORE
        and opening > best_score
        and start + 1 < len(info)
        and info[start + 1].prose
    ):
        best = start
    header.title = best
    # Byline and date: just around the headline (or above the body when none was found).
    anchor = best if best is not None else start - 1
    meta = [
        pos
        for pos in range(max(0, anchor - 3), min(len(info), max(start, anchor + 1) + 4))
        if pos != best and not info[pos].prose and _meta_like(info[pos].text)
    ]
    if best is not None:
        meta += [pos for pos in range(best + 1, start) if _meta_like(info[pos].text) and pos not in meta]
        # Right under the headline a bare name ('Jane Doe', '* Jane Doe') is the byline.
        meta += [
            pos
            for pos in range(best + 1, min(start, best + 4))
            if pos not in meta and not info[pos].prose and _byline_in(info[pos].text, explicit=False)
        ]
    header.meta = tuple(sorted(set(meta)))
    return header


def _date_in(text: str) -> str | None:
    """The date (with its time and zone when given) in a line such as
    'Reuters November 18, 2019 11:03 PM' or 'PUBLISHED: 00:01, Tue, Nov 19, 2019'."""
    m = DATE_PATTERN.search(text)
    if not m:
        return None
    date = m.group(0)
    after = text[m.end() : m.end() + 30]
    before = text[max(0, m.start() - 30) : m.start()]
    t = _TIME.search(after)
    if t is None:
        candidates = list(_TIME.finditer(before))
        t = candidates[-1] if candidates else None
    if t is None:
        return date
    clock = re.sub(r"([ap])\.?\s?m\.?", lambda x: x.group(1).upper() + "M", t.group(0), flags=re.I)
    clock = clock.strip(" ()")
    return f"{date} {clock}"


_EXPLICIT_BY = re.compile(r"^(posted |written |story |words |reporting )?(by|von|por|par|di)\b", re.I)


def _undouble(names: list[str]) -> list[str]:
    """'Sean Martin Sean Martin' (a linked name printed twice) -> 'Sean Martin'."""
    out = []
    for name in names:
        tokens = name.split()
        half = len(tokens) // 2
        out.append(" ".join(tokens[:half]) if half and tokens[:half] == tokens[half:] else name)
    return out


def _byline_in(text: str, *, explicit: bool) -> list[str] | None:
    """Authors in a byline-like line: 'By A | Site', 'By A - Contributor 2019-11-19', 'Posted by A on
    <date>', 'By A a@site.com (555) 123'. `explicit`: only a line that says 'by'."""
    text = BULLET.sub("", text).strip()
    if explicit and not _EXPLICIT_BY.match(text):
        return None
    date = DATE_PATTERN.search(text)
    rest = text[: date.start()] if date else text  # the byline comes before the date on a shared line
    rest = re.sub(r"\S+@\S+.*$|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}.*$", "", rest)  # contact details
    rest = re.sub(r"^(posted|published|updated|last updated)\b\s*:?\s*", "", rest, flags=re.I)
    for part in re.split(r"\s+[|•·—–/-]\s+|\s{2,}", rest):
        part = re.sub(r"\s+(on|at)$", "", part.strip(" ,|-"), flags=re.I)
        if part:
            names = parse_byline(part)
            return _undouble(names) if names else None
    return None


def read_page_header(doc: Document, info: list[Line], header: DumpHeader) -> None:
    """Title, authors, published time and read time from the header lines found around the body."""
    if header.title is not None:
        doc.title = info[header.title].text
    ordered = sorted(header.meta, key=lambda pos: date_kind(info[pos].text) == "updated")
    for pos in ordered:
        text = info[pos].text
        if not doc.authors:
            doc.authors = _byline_in(text, explicit=False) or []
        date = _date_in(text)
        if date and doc.published_raw is None:
            doc.set_published(date, parse_datetime(date))
        minutes = parse_read_time(text)
        if minutes is not None:
            doc.read_time_stated_min = minutes
