"""The headline, byline and date of a whole-page text dump: the heading-like line above the body
that is less indented than the body and recurs elsewhere on the page, and the byline and date lines
around it (a date keeps its time of day)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from winnow.extract.byline import LowercaseWords, byline_in, dateline_agency, signed
from winnow.extract.dates import (
    PREFIX_ONLY,
    date_kind,
    find_date,
    looks_like_date,
    parse_datetime,
    says_when,
    slash_dayfirst,
)
from winnow.extract.header import parse_read_time
from winnow.extract.titles import is_chrome, split_site, strip_label
from winnow.read.pagelines import BULLET, WORD, Line, heading_like, is_widget
from winnow.records import Document

TITLE_LOOKBACK = 40  # lines of substance above the body searched for the headline
# ... and at most this many non-blank lines in all: a share panel or a menu of one-word items
# between the headline and the body (w3m prints each as lines of its own) does not hide it.
TITLE_LOOKBACK_LINES = 80
IN_BODY_TITLE_SCORE = 3.0  # a sentence-like first body line is the headline only on strong signals
NESTED_MAX_INDENT = 24  # deeper indents are centred lines (a renderer's <center>), not nesting
CENTRED_SLACK = 6  # columns a centred line's two margins may differ by (the width read from the text
# is its widest line, a few columns short of the renderer's)
BYLINE_REACH = 12  # lines above the headline searched for an explicit byline when none is beside it
DATE_REACH = 10  # lines either side of the headline searched for a date line when none is beside it
DATE_BELOW_REACH = 12  # lines under the body searched for a labelled date when none is at the top
# A dump that indents nothing (w3m, most scrapers) loses lynx's heading signal (headings flush left,
# body indented); there a headline still stands as a block of its own, between blank lines, where
# menu items, bylines and share bars run on line after line.
ALONE_BONUS = 3.0
STANDFIRST_WORDS = 12  # a line this long under a shorter heading reads as the standfirst
HEADLINE_MIN_WORDS = 5  # ... when that heading is no kicker or label ("BLACK DEATH FEARS", "Watch Live")


@dataclass
class DumpHeader:
    title: int | None = None  # positions in `info`
    meta: tuple[int, ...] = ()


def meta_like(text: str) -> bool:
    if parse_read_time(text) is not None:
        return True
    if looks_like_date(text) and len(WORD.findall(text)) <= 16:
        return True
    return byline_in(text, explicit=True) is not None


_UI_WORDS = re.compile(
    r"\b(share|shares|email|e-mail|print|comments?|subscribe|sign (in|up)|log ?in|menu|search|click|"
    r"newsletter|follow|advertisement|cookies?|privacy|welcome to|read more|image \d+ of|new (window|tab))\b",
    re.I,
)


def _title_score(
    line: Line,
    distance: int,
    body_indent: int,
    text_blob: str,
    *,
    in_body: bool = False,
    byline_below: bool = False,
    alone: bool = False,
    width: int | None = None,
) -> float:
    if (
        not heading_like(line)
        or (line.prose and not in_body)
        or meta_like(line.text)
        or is_chrome(line.text)
    ):
        return float("-inf")
    score = -0.15 * distance
    if byline_below:
        score += 3  # a line that says "By …" right under it: the headline of the article, not a video's
    if line.indent < body_indent:
        score += 3  # less indented than the body paragraphs: a heading in a laid-out dump
    elif body_indent + 2 < line.indent <= NESTED_MAX_INDENT and not _centred(line, width):
        score -= 2  # nested deeper than the body: a panel, a menu, a share box (not a centred line)
    elif alone and body_indent == 0:
        score += ALONE_BONUS  # no indentation to go by (w3m): a block of its own, as headings are
    if text_blob.count(line.text.casefold()) >= 2:
        score += 2  # the headline usually recurs (page title, share text, breadcrumb)
    if 5 <= len(WORD.findall(line.text)) <= 25 or line.weight >= 8:
        score += 1
    if _UI_WORDS.search(line.text):
        score -= 4
    return score


def _centred(line: Line, width: int | None) -> bool:
    """A line centred in a dump wrapped at `width` columns (a <center>ed headline in lynx)."""
    return width is not None and abs(2 * line.indent + len(line.text) - width) <= CENTRED_SLACK


def _over_standfirst(info: list[Line], best: int, body_indent: int, blob: str, width: int | None) -> int:
    """Without indentation to tell them apart, a standfirst under its headline looks like one, and
    is nearer the body: a long line standing alone right under a shorter heading-like line that
    also stands alone is the standfirst, and that line the headline."""
    words = len(WORD.findall(info[best].text))
    above = best - 1
    if words < STANDFIRST_WORDS or above < 0 or not (_alone(info, best) and _alone(info, above)):
        return best
    shorter = HEADLINE_MIN_WORDS <= len(WORD.findall(info[above].text)) < words
    heading = _title_score(info[above], 0, body_indent, blob, alone=True, width=width) > 0
    return above if shorter and heading else best


def _alone(info: list[Line], pos: int) -> bool:
    """A line with a blank line (or the file's edge) on either side of it."""
    before = pos == 0 or info[pos].index - info[pos - 1].index > 1
    return before and (pos + 1 >= len(info) or info[pos + 1].index - info[pos].index > 1)


def _byline_below(info: list[Line], pos: int, start: int) -> bool:
    """An explicit byline ('By A', 'By' then 'A') within the two lines of substance under `pos`."""
    seen = 0
    for below in range(pos + 1, min(start, pos + 6)):
        if info[below].furniture or info[below].weight < 2 and not _BY_ONLY.match(info[below].text):
            continue
        if byline_in(meta_text(info, below), explicit=True):
            return True
        seen += 1
        if seen == 2:
            break
    return False


def find_header(info: list[Line], start: int, end: int | None = None, width: int | None = None) -> DumpHeader:
    """The headline above the body, and the byline and date lines between it and the body; where
    none is there, the explicit byline nearest the headline above the body's end (`end`). `width`:
    the columns the dump was wrapped at, if it was."""
    header = DumpHeader()
    lowest = max(0, start - TITLE_LOOKBACK_LINES)
    indents = sorted(line.indent for line in info[start : start + 12] if line.prose)
    body_indent = indents[len(indents) // 2] if indents else 0
    blob = "\n".join(line.text for line in info).casefold()
    best, best_score = None, 0.0
    distance = 0  # lines of substance between a candidate and the body (share buttons, bylines and
    for pos in range(start - 1, lowest - 1, -1):  # dates do not push the headline away)
        distance += 1
        if distance > TITLE_LOOKBACK:
            break
        score = _title_score(
            info[pos],
            distance,
            body_indent,
            blob,
            byline_below=_byline_below(info, pos, start),
            alone=_alone(info, pos),
            width=width,
        )
        if score > best_score:
            best, best_score = pos, score
        if (
            info[pos].weight < 3
            or info[pos].furniture
            or meta_like(info[pos].text)
            or _UI_WORDS.search(info[pos].text)  # a share panel's 'Share this with Email' lines
        ):
            distance -= 1
    if best is not None and body_indent == 0:
        best = _over_standfirst(info, best, body_indent, blob, width)
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
        if pos != best
        and (not info[pos].prose or _only_a_date(info[pos].text))
        and meta_like(meta_text(info, pos))
    ]
    if best is not None:
        meta += [
            pos for pos in range(best + 1, start) if meta_like(meta_text(info, pos)) and pos not in meta
        ]
    # Right under the headline (or just above the body) a bare name ('Jane Doe', '* Jane Doe') is
    # the byline, though the body span has begun: a name line is not prose.
    below = range(best + 1, min(len(info), best + 4)) if best is not None else range(0)
    meta += [
        pos
        for pos in sorted({*below, *range(max(0, start - 3), start)})
        if pos not in meta
        and pos != best
        and not info[pos].prose
        and byline_in(info[pos].text, explicit=False)
    ]
    if not any(looks_like_date(meta_text(info, pos)) for pos in meta):
        near = _nearest_date_line(info, anchor, start, best)
        if near is None and end is not None:
            near = _said_date_below(info, end)
        meta += [near] if near is not None else []
    if not any(byline_in(meta_text(info, pos), explicit=True) for pos in meta):
        by = _nearest_byline(info, anchor, start if end is None else end, best)
        meta += [by] if by is not None else []
    # 'By' or 'Updated' alone on a line: its value is on the next line, which is metadata too.
    meta += [pos + 1 for pos in meta if _lead_line(info, pos)]
    header.meta = tuple(sorted(set(meta)))
    return header


_BY_WORD = r"^(posted |written |story |words |reporting )?(by|von|por|par|di|door|av|af)"
_BY_ONLY = re.compile(_BY_WORD + r"\s*:?$", re.I)
# A kicker or section label before it, the name on the next line ('Disko Von' / 'Jane Doe'): the
# byline word ends the line, capitalised as a byline's first word is.
_BY_ENDS = re.compile(r"^[^\W\d_][\w-]*\s+(By|Von|Por|Par|Di|Door|Av|Af)\s*:?$")


def _nearest_byline(info: list[Line], anchor: int, end: int, title: int | None) -> int | None:
    """The explicit byline nearest the headline ('Von A', 'Posted by A at 2:33 PM', 'Autor: A'),
    from a few lines above it to just past the body's end (blogs sign a post under it); comments
    after the body, which carry bylines of their own, are not searched."""
    lo, hi = max(0, anchor - BYLINE_REACH), min(len(info), end + 3)
    candidates = [
        pos
        for pos in range(lo, hi)
        if pos != title and len(WORD.findall(info[pos].text)) <= 30 and _signed_byline(meta_text(info, pos))
    ]
    return min(candidates, key=lambda pos: (abs(pos - anchor), pos)) if candidates else None


def _signed_byline(text: str) -> bool:
    names = byline_in(text, explicit=True)
    return names is not None and signed(text, names)


def _only_a_date(text: str) -> bool:
    """A line that is a date and little else, though it ends like a sentence ('Monday, November 18,
    2019, 04:05 pm PT (07:05 pm ET)')."""
    found = find_date(text)
    if found is None:
        return False
    rest = text.replace(found[0], " ")
    return len(re.findall(r"[^\W\d_]+", rest)) <= 4


def _lead_line(info: list[Line], pos: int) -> bool:
    """A line that only announces the next one: 'By' above the name, 'Updated' above the date."""
    if pos + 1 >= len(info):
        return False
    text = BULLET.sub("", info[pos].text).strip()
    nxt = info[pos + 1].text
    if PREFIX_ONLY.match(text):
        return looks_like_date(nxt) and len(WORD.findall(nxt)) <= 16
    by_only = _BY_ONLY.match(text) or _BY_ENDS.match(text)
    return bool(by_only) and byline_in(nxt, explicit=False) is not None


def meta_text(info: list[Line], pos: int) -> str:
    """A header line's text, joined with the next line when it only announces it."""
    return f"{info[pos].text} {info[pos + 1].text}" if _lead_line(info, pos) else info[pos].text


def _nearest_date_line(info: list[Line], anchor: int, start: int, title: int | None) -> int | None:
    """The date line nearest the headline (or the body's top) within DATE_REACH lines: a short line
    that is not a sentence and holds a date ('19.11.2021', '* 25. November 2021 16:11 Uhr')."""
    lo, hi = max(0, anchor - DATE_REACH), min(len(info), max(anchor, start) + DATE_REACH)
    candidates = [
        pos
        for pos in range(lo, hi)
        if pos != title
        and not info[pos].prose
        and not is_widget(info[pos].text)
        and len(WORD.findall(info[pos].text)) <= 16
        and looks_like_date(info[pos].text)
    ]
    return min(candidates, key=lambda pos: (abs(pos - anchor), pos)) if candidates else None


def _said_date_below(info: list[Line], end: int) -> int | None:
    """A date line just under the body that says it is the publication (or update) date: a blog's
    'Dieser Beitrag wurde am 04/02/2020 von A veröffentlicht', an 'Aktualisiert am 17.01.2021.'
    footer. Comments below carry dates too, but not those words."""
    for pos in range(end + 1, min(len(info), end + 1 + DATE_BELOW_REACH)):
        text = info[pos].text
        if len(WORD.findall(text)) <= 40 and looks_like_date(text) and says_when(text):
            return pos
    return None


def _best_byline(info: list[Line], positions: list[int], title: int | None) -> list[str]:
    """The authors of the strongest byline among the header lines: a signed 'By …' line, then an
    unsigned one, then a bare name beside a date, then a bare name; the nearest the headline first."""
    lowercase = LowercaseWords([line.text for line in info])
    anchor = title if title is not None else (positions[0] if positions else 0)
    best: tuple[int, int, list[str]] | None = None
    for pos in positions:
        text = meta_text(info, pos)
        names = byline_in(text, explicit=True)
        if names:
            rank = 0 if signed(text, names) else 1
        else:
            names = byline_in(text, explicit=False, lowercase=lowercase)
            rank = 2 if names and looks_like_date(text) else 3
        if names and (best is None or (rank, abs(pos - anchor)) < best[:2]):
            best = (rank, abs(pos - anchor), names)
    return best[2] if best else []


def read_page_header(doc: Document, info: list[Line], header: DumpHeader) -> None:
    """Title, authors, published time and read time from the header lines found around the body."""
    if header.title is not None:
        page = "\n".join(line.text for line in info)
        doc.title, site = split_site(strip_label(info[header.title].text), page, doc.publisher)
        doc.publisher = doc.publisher or site
    led = {pos + 1 for pos in header.meta if _lead_line(info, pos)}  # read with the line announcing them
    kept = [pos for pos in header.meta if pos not in led]
    texts = [meta_text(info, pos) for pos in kept]
    # only a slashed date (04/05/2022) reads by the page's order: without one, the page is not scanned
    slashed = any("/" in text for text in texts)
    dayfirst = slash_dayfirst("\n".join(line.text for line in info)) if slashed else False
    if not doc.authors:
        doc.authors = _best_byline(info, kept, header.title)
    if not doc.authors:  # no byline: the agency of a wire story's dateline ('WASHINGTON (Reuters) -')
        after = header.title + 1 if header.title is not None else 0
        first = next((line for line in info[after:] if line.prose), None)
        agency = dateline_agency(first.text) if first is not None else None
        doc.authors = [agency] if agency else doc.authors
    for text in sorted(texts, key=lambda t: date_kind(t) == "updated"):
        found = find_date(text, dayfirst=dayfirst)
        if found is not None:
            raw, when = found
            if date_kind(text) == "updated" and doc.updated_raw is None:
                doc.set_updated(raw, parse_datetime(raw, dayfirst=dayfirst))
            if doc.published_raw is None:
                doc.set_published(raw, parse_datetime(raw, dayfirst=dayfirst))
        minutes = parse_read_time(text)
        if minutes is not None:
            doc.read_time_stated_min = minutes
