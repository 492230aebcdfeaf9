"""Whole-page text dumps (lynx -dump, text scrapers): find the article among the page's chrome.

A dump holds the article plus navigation menus, link lists, share bars, cookie text, related
stories and footers. Nothing names them, but they look alike everywhere: runs of short lines
without sentences. The method, all generic:

1. Score every line: a prose line (a sentence: enough words, ends like one) scores its word
   count; any other non-blank line a fixed penalty. The body is the span with the highest total
   (the maximum-subarray form of Finn et al.'s Body Text Extraction), so a short caption inside
   the article costs little while a menu of forty items separates two text blocks.
2. End the span early where the page stops being the article: a comments or related-stories
   heading after enough prose, or the start of a listing (story cards that print their headline
   twice, or dated entries one after another: comments, teasers).
3. Inside the span, drop lines that are page furniture by shape: link-like list bullets (a
   bulleted sentence is article text), form fields and buttons, image credits, comment counters.
4. Above the span, find the headline: the heading-like line that is less indented than the body,
   recurs elsewhere on the page and sits close to the body (or the span's own first line, when a
   headline ending in '?' reads like a sentence and stands out as strongly). The byline and date
   lines around it become metadata, not body; a date keeps its time of day.

Thresholds are the constants below; the figures they give on real pages come from `winnow eval`.

A file is treated as a dump only when there is a lot of such chrome outside the span; a tidy
copy-paste (title, byline, date, body) never is, so its cleaning is left to the rule packs alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from winnow.dates import _LOOKS_LIKE_DATE, _ZONES, date_kind, looks_like_date, parse_datetime
from winnow.metadata import parse_byline, parse_read_time
from winnow.records import Document, Segment
from winnow.words import count_words

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENTENCE_ENDS = ".!?…:;\"”’»)]。！？」』"


def _ends_sentence(text: str) -> bool:
    last = text.rstrip()[-1:]
    return bool(last) and last in _SENTENCE_ENDS


def _cjk(text: str) -> int:
    return 0 if text.isascii() else len(_CJK.findall(text))
_BULLET = re.compile(r"^\s*([*+#•·▪►–-]|o(?=\s)|\d{1,3}\.(?=\s))\s*")
_WIDGET = re.compile(
    r"\((BUTTON|IMG|image|FORM|submit)\)|\[(IMG|INLINE|image|BUTTON)[^\]]*\]|_{5,}|\bIFRAME:", re.I
)
_CREDIT = re.compile(
    r"^((photo|image|picture|video|graphic|illustration)s?( credit)?|credit|source|caption)\s*[:|]"
    r"|\b(getty images|shutterstock|ap photo|afp( via getty)?|reuters/|istock(photo)?|file photo)\b",
    re.I,
)
# Every line of a page passes these two tests: a substring check rules out most lines before the
# regex scans them (7-10 us a line otherwise). The checks are necessary conditions of the patterns.
_CREDIT_WORDS = ("getty images", "shutterstock", "ap photo", "afp", "reuters/", "istock", "file photo")


_WIDGET_WORDS = ("button", "img", "image", "form", "submit", "inline", "iframe:")


def _widget(text: str) -> bool:
    if "_____" not in text:
        if "(" not in text and "[" not in text and ":" not in text:
            return False
        low = text.lower()
        if not any(word in low for word in _WIDGET_WORDS):
            return False
    return _WIDGET.search(text) is not None


def _credit(text: str) -> bool:
    if ":" not in text and "|" not in text:
        low = text.lower()
        if not any(word in low for word in _CREDIT_WORDS):
            return False
    return _CREDIT.search(text) is not None


_COMMENTS = re.compile(
    r"^\d+\s+(comments?|replies|shares?|responses?)$|^(comments?|replies)\s*\(\d+\)$", re.I
)

# Section headings after which a page holds no more of the article: comments, related stories.
_COMMENTS_START = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|reactions|thoughts|reader comments|discussion|conversation)"
    r"(\s*\(\d+\))?(\s+(to|on)\b.*)?:?$"
    r"|^(leave|post|add|write|submit) (a|your) (comment|reply|response)\b"
    r"|^comments (are|have been) (closed|disabled)\b|^(join|start) the (conversation|discussion)\b"
    r"|^(show|view|load|read) (all )?(\d+ )?comments\b|\S+ (says|said|wrote):$",
    re.I,
)
_RELATED_START = re.compile(
    r"^(related|related (articles?|stories|posts|coverage|content|links|news|reading|topics)"
    r"|more (from|on|in|stories|news|articles|like this|to read)\b.{0,40}"
    r"|recommended( for you| stories| reading| articles)?"
    r"|you (may|might) (also )?(like|enjoy|be interested in)"
    r"|read (more|next|also)|what to read next|up next|trending( now| stories)?"
    r"|most (read|popular|viewed|shared)"
    r"|popular (now|stories|posts|articles)|latest (news|stories|articles|posts|headlines)|top stories"
    r"|editor'?s? picks|around the web|sponsored (stories|links|content)|from (the web|our partners)"
    r"|further reading|see also|in other news|don'?t miss|share (this|your thoughts)\b.{0,40}"
    r"|(tags?|topics?|filed under|categories|category)\b.{0,80}"
    r"|(media|press) contacts?|for (more|further) information)[:.!]?$",
    re.I,
)
# "About Acme Corp" / "About the author": the boilerplate section that closes press releases and posts.
_ABOUT = re.compile(
    r"^About the (author|authors|writer|contributors?)$"
    r"|^About (the |us$)?[A-Z0-9][\w.&'’-]*( [A-Z0-9&][\w.&'’-]*){0,5}:?$"
)
END_MIN_PROSE = 30  # words of prose the span must hold before an end marker counts
LISTING_WINDOW = 8  # lines within which a story card repeats its headline or a comment list its dates

_ZONE_NAMES = [z for z in _ZONES if len(z) >= 2]
PROSE_MIN_WORDS = 10
LIST_ITEM_MIN_WORDS = 5  # a bulleted line in the body this long, ending like a sentence, is article text
SHORT_PENALTY = 4.0  # score of a non-prose line in the body search
DUMP_MIN_OUTSIDE = 15  # chrome lines outside the body that make a file a page dump
DUMP_MIN_OUTSIDE_RATIO = 0.25
TITLE_LOOKBACK = 40  # non-blank lines above the body searched for the headline
IN_BODY_TITLE_SCORE = 3.0  # a sentence-like first body line is the headline only on strong signals


@dataclass(frozen=True, slots=True)
class Line:
    index: int
    text: str  # stripped
    weight: float  # words, or CJK characters / 2
    prose: bool
    furniture: bool  # bullets, buttons, form fields, credits: never article text
    indent: int


def _weight(text: str) -> float:
    cjk = _cjk(text)
    return max(count_words(text), cjk / 2)


def analyse(lines: list[str]) -> list[Line]:
    out = []
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        weight = _weight(raw)  # the raw line: the key the other stages count it under
        furniture = bool(_BULLET.match(raw) or _widget(text) or _COMMENTS.match(text))
        furniture = furniture or (weight <= 20 and _credit(text))
        prose = not furniture and weight >= PROSE_MIN_WORDS and _ends_sentence(text)
        out.append(Line(i, text, weight, prose, furniture, len(raw) - len(raw.lstrip())))
    return out


def body_span(info: list[Line]) -> tuple[int, int] | None:
    """(first, last) positions in `info` of the best-scoring span, or None without prose."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for pos, line in enumerate(info):
        score = line.weight if line.prose else -SHORT_PENALTY
        if total <= 0:
            total, start = 0.0, pos
        total += score
        if total > best:
            best, best_span = total, (start, pos)
    return best_span


def cut_at_section_end(info: list[Line], first: int, last: int) -> tuple[int, int]:
    """End the span before a comments heading, or a related-stories heading with less prose after
    it than before (a 'More on this' box in mid-article is not the end), that follows enough prose."""
    total = sum(line.weight for line in info[first : last + 1] if line.prose)
    prose = 0.0
    for pos in range(first, last + 1):
        line = info[pos]
        if line.prose:
            prose += line.weight
            continue
        if prose < END_MIN_PROSE or line.weight > 12:
            continue
        text = _BULLET.sub("", line.text).strip()
        related = _RELATED_START.match(text) or _ABOUT.match(text)
        if _COMMENTS_START.match(text) or (related and total - prose < prose):
            return first, pos - 1
        if _listing_starts(info, pos, last):
            while pos - 1 > first and not info[pos - 1].prose:
                pos -= 1  # the card's kicker or byline lines belong to the listing too
            return first, pos - 1
    return first, last


def _standalone_date(line: Line) -> bool:
    return not line.prose and line.weight <= 10 and looks_like_date(line.text)


def _listing_starts(info: list[Line], pos: int, last: int) -> bool:
    """A list of other stories or of comments begins here: a card whose headline is printed twice
    within a few lines, or a date line followed soon by another date line (each card or comment
    carries its own). An article body does neither."""
    line = info[pos]
    window = info[pos + 1 : min(last, pos + LISTING_WINDOW) + 1]
    card = _heading_like(line) and len(_WORD.findall(line.text)) >= 4 and not line.text.startswith("[")
    if card and any(other.text == line.text for other in window):
        return True
    if not _standalone_date(line):
        return False
    # A date, some prose, another date: one comment or story card after another. ('Published …'
    # then 'Updated …' on adjacent lines is a header, not a list.)
    for i, other in enumerate(window):
        if _standalone_date(other):
            return any(between.prose for between in window[:i])
    return False


@dataclass
class DumpHeader:
    title: int | None = None  # positions in `info`
    meta: tuple[int, ...] = ()


def _heading_like(line: Line) -> bool:
    words = len(_WORD.findall(line.text))
    if line.furniture or not 3 <= max(words, line.weight) <= 30 or len(line.text) > 250:
        return False
    if line.text.endswith((".", ",", ":", ";")) and not line.text.endswith("..."):
        return False
    if looks_like_date(line.text) and words <= 8 or parse_read_time(line.text):
        return False
    return not _credit(line.text)


def _meta_like(text: str) -> bool:
    if parse_read_time(text) is not None:
        return True
    if looks_like_date(text) and len(_WORD.findall(text)) <= 16:
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
    if not _heading_like(line) or (line.prose and not in_body) or _meta_like(line.text):
        return float("-inf")
    score = -0.15 * distance
    if line.indent < body_indent:
        score += 3  # less indented than the body paragraphs: a heading in a laid-out dump
    if text_blob.count(line.text.casefold()) >= 2:
        score += 2  # the headline usually recurs (page title, share text, breadcrumb)
    if 5 <= len(_WORD.findall(line.text)) <= 25 or line.weight >= 8:
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
    m = _LOOKS_LIKE_DATE.search(text)
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
    text = _BULLET.sub("", text).strip()
    if explicit and not _EXPLICIT_BY.match(text):
        return None
    date = _LOOKS_LIKE_DATE.search(text)
    rest = text[: date.start()] if date else text  # the byline comes before the date on a shared line
    rest = re.sub(r"\S+@\S+.*$|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}.*$", "", rest)  # contact details
    rest = re.sub(r"^(posted|published|updated|last updated)\b\s*:?\s*", "", rest, flags=re.I)
    for part in re.split(r"\s+[|•·—–/-]\s+|\s{2,}", rest):
        part = re.sub(r"\s+(on|at)$", "", part.strip(" ,|-"), flags=re.I)
        if part:
            names = parse_byline(part)
            return _undouble(names) if names else None
    return None


def _list_item_text(line: Line) -> bool:
    """A bulleted line inside the body that reads as text (a list in the article), not a link."""
    if not _BULLET.match(line.text) or _widget(line.text) or _credit(line.text):
        return False
    item = _BULLET.sub("", line.text)
    return len(_WORD.findall(item)) >= LIST_ITEM_MIN_WORDS and _ends_sentence(item)


def read_if_page_dump(doc: Document) -> bool:
    """If doc.lines look like a whole-page dump, take out the page chrome (as removed segments)
    and set title, authors and date from the page layout. Returns whether it was a dump."""
    info = analyse(doc.lines)
    span = body_span(info)
    if span is None:
        return False
    first, last = cut_at_section_end(info, *span)
    outside = [line for pos, line in enumerate(info) if pos < first or pos > last]
    chrome = [line for line in outside if not line.prose]
    if len(chrome) < DUMP_MIN_OUTSIDE or len(chrome) < DUMP_MIN_OUTSIDE_RATIO * len(info):
        return False
    header = find_header(info, first)
    removed: list[Segment] = []
    keep_meta = set(header.meta) | ({header.title} if header.title is not None else set())
    for pos, line in enumerate(info):
        if pos in keep_meta:
            removed.append(Segment(line.index + 1, line.text, "page.header", "metadata"))
        elif pos < first or pos > last:
            removed.append(Segment(line.index + 1, line.text, "page.outside_body", "navigation"))
        elif line.furniture and not _list_item_text(line):
            removed.append(Segment(line.index + 1, line.text, "page.furniture", "ui"))
    doc.removed = removed
    doc.header_found = True
    if header.title is not None:
        doc.title = info[header.title].text
    ordered = sorted(header.meta, key=lambda pos: date_kind(info[pos].text) == "updated")
    for pos in ordered:
        text = info[pos].text
        if not doc.authors:
            doc.authors = _byline_in(text, explicit=False) or []
        date = _date_in(text)
        if date and doc.published_raw is None:
            doc.published_raw, doc.published_at = date, parse_datetime(date)
        minutes = parse_read_time(text)
        if minutes is not None:
            doc.read_time_stated_min = minutes
    return True
