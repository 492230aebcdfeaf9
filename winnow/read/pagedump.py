"""Whole-page text dumps (lynx -dump, text scrapers): find the article among the page's chrome.

A dump holds the article plus navigation menus, link lists, share bars, cookie text, related
stories and footers. Nothing names them, but they look alike everywhere: runs of short lines
without sentences. The method, all generic:

1. Score every line: a prose line (a sentence: enough words, ends like one) scores its word
   count; any other non-blank line a fixed penalty. The body is the span with the highest total
   (the maximum-subarray form of Finn et al.'s Body Text Extraction), so a short caption inside
   the article costs little while a menu of forty items separates two text blocks (a bulleted
   sentence, an item of a list in the article, costs nothing; a list of links pays). Where that span
   has no date or byline line above it and an earlier block with one holds at least a fifth of its
   score, the earlier block is the article (the longer one is a cookie notice, a bio, comments).
2. End the span early where the page stops being the article: a comments or related-stories
   heading after enough prose, or the start of a listing (story cards that print their headline
   twice over a short teaser, or dated entries one after another: comments, teasers; a date line
   opening with a dash signs an embedded post or a quotation, and is no entry).
3. Inside the span, drop lines that are page furniture by shape: link-like list bullets (a
   bulleted sentence is article text, and so is a numbered heading over a paragraph), form fields
   and buttons, image credits, comment counters; and a labelled teaser for another story between
   two paragraphs ("Read also: <headline>").
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
from typing import Any

from winnow.extract.dates import looks_like_date
from winnow.read.linemodel import learned_lines, load_model
from winnow.read.pageheader import DumpHeader, find_header, meta_like, read_page_header
from winnow.read.pagelines import (
    BULLET,
    WORD,
    Line,
    analyse,
    ends_sentence,
    heading_like,
    is_credit,
    is_widget,
)
from winnow.records import Document, Segment

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
# A headline printed twice opens a listing of story cards only when no long paragraph follows it
# within the window: a card's teaser is a sentence or two, while a photo's caption printed twice
# (alt text, then caption) sits among the article's paragraphs.
TEASER_MAX_WORDS = 40
LIST_ITEM_MIN_WORDS = 5  # a bulleted line in the body this long, ending like a sentence, is article text
SHORT_PENALTY = 4.0  # score of a non-prose line in the body search
LIST_ITEM_SCORE = 0.0  # ... and of a bulleted sentence (a list in the article, see _list_item_text)
HEADED_REACH = 5  # lines above a block searched for its date or byline line
HEADED_MIN_SHARE = 0.2  # of the longest block's score, for an earlier headed block to be the article
DUMP_MIN_OUTSIDE = 15  # chrome lines outside the body that make a file a page dump
DUMP_MIN_OUTSIDE_RATIO = 0.25
# Never worse than the file: the page-dump reading is a hypothesis. Where the body it finds is too
# short to validate (fewer than `min_words`) while the file holds at least FALLBACK_MIN_PROSE words
# of sentence-like prose, the file is read as plain text instead (rule packs only) and says so
# (`reading` = plain_fallback). (A share-of-prose test, body < 15-34% of the file's prose, was
# measured on every dev rendering: comment sections are prose too, so it cost ../shared/eval 0.026
# tokF1 and gained nothing on eval-web.)
FALLBACK_MIN_PROSE = 30
# ... and there it still takes out the lines that are chrome beyond doubt: no sentence, and a line
# model score under this (on eval-web's fallback pages such lines are chrome 38 times in 39).
FALLBACK_CHROME_P = 0.05
# A teaser for another story set between two paragraphs of the body: a short label, a colon and a
# headline ("Label: Headline of another story", no sentence end), where the article's own lines
# around it are paragraphs. TEASER_LABEL_WORDS words of letters at most before the colon (no digit:
# "Example 2:", "Step 3:" head the article's own sections), TEASER_HEADLINE_WORDS words after it.
TEASER_LABEL_WORDS = 3
TEASER_HEADLINE_WORDS = (5, 25)
_LABEL_WORD = r"[^\W\d_][^\W\d_’'-]*"  # letters, an apostrophe or a hyphen: no digit
_TEASER = re.compile(
    rf"^{_LABEL_WORD}(?: {_LABEL_WORD}){{0,{TEASER_LABEL_WORDS - 1}}}:\s+(?P<headline>\S.*)$"
)
_TEASER_NO_END = ".!;:,)"  # a headline ends in none of these (a question mark is a headline's too)


def _span_score(line: Line, lists: bool) -> float:
    """A line's score in the body search: a sentence its words, any other line a penalty, except
    (`lists`) a bulleted sentence, which costs nothing: a list of sentences in the article does not
    split the body, where a list of links still costs as a menu does. (Scoring such items as prose
    moved the body onto lists of sentence-like teasers: ../shared/eval tokF1 -.004 to -.005.)"""
    if line.prose:
        return line.weight
    return LIST_ITEM_SCORE if lists and _list_item_text(line) else -SHORT_PENALTY


Block = tuple[float, int, int]  # (score, first, last) of one run of the body search


def _scan(scores: list[float]) -> list[Block]:
    """Every block of the maximum-subarray scan over the line scores: each run (reset where the
    running total falls to zero or below) up to its best line, in page order."""
    out: list[Block] = []
    best, total, start, end = 0.0, 0.0, 0, -1
    for pos, score in enumerate(scores):
        if total <= 0:
            if end >= start:
                out.append((best, start, end))
            best, total, start, end = 0.0, 0.0, pos, pos - 1
        total += score
        if total > best:
            best, end = total, pos
    if end >= start:
        out.append((best, start, end))
    return out


def _best(blocks: list[Block]) -> tuple[int, int] | None:
    """The best-scoring span: the first block with the highest score (the maximum subarray)."""
    top: Block | None = None
    for block in blocks:
        if top is None or block[0] > top[0]:
            top = block
    return None if top is None else (top[1], top[2])


def _blocks(info: list[Line], lists: bool = True) -> list[Block]:
    """(score, first, last) of every block body_span weighs, in page order."""
    return _scan([_span_score(line, lists) for line in info])


def body_span(info: list[Line], lists: bool = True) -> tuple[int, int] | None:
    """(first, last) positions in `info` of the best-scoring span, or None without prose."""
    return _best(_blocks(info, lists))


def _headed(info: list[Line], first: int) -> bool:
    """A date, byline or read-time line (not a sentence) just above the block: an article's header."""
    return any(
        not info[k].prose and meta_like(info[k].text) for k in range(max(0, first - HEADED_REACH), first)
    )


def _headed_in(info: list[Line], blocks: list[Block]) -> tuple[int, int] | None:
    span = _best(blocks)
    if span is None or _headed(info, span[0]):
        return span
    best = max(score for score, _, _ in blocks)
    for score, first, last in blocks:
        if last < span[0] and score >= HEADED_MIN_SHARE * best and _headed(info, first):
            return first, last
    return span


def headed_span(info: list[Line], lists: bool = True) -> tuple[int, int] | None:
    """body_span, unless the page holds a headed block above it: where the longest block has no
    date or byline over it and an earlier block of at least HEADED_MIN_SHARE of its score has one,
    the earlier block is the article (what follows it is a cookie notice, an author's bio, a
    disclaimer or the comments, none of which carry a header line of their own above)."""
    return _headed_in(info, _blocks(info, lists))


def _both_scans(info: list[Line]) -> tuple[list[Block], list[Block]]:
    """The blocks with bulleted sentences costing as any short line does, and with them forgiven,
    from one pass over the lines: the two scores differ only on non-prose bulleted sentences."""
    strict: list[float] = []
    forgiving: list[float] = []
    for line in info:
        if line.prose:
            strict.append(line.weight)
            forgiving.append(line.weight)
        else:
            strict.append(-SHORT_PENALTY)
            forgiving.append(LIST_ITEM_SCORE if _list_item_text(line) else -SHORT_PENALTY)
    strict_blocks = _scan(strict)
    return strict_blocks, (strict_blocks if forgiving == strict else _scan(forgiving))


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
        text = BULLET.sub("", line.text).strip()
        related = _RELATED_START.match(text) or _ABOUT.match(text)
        if _COMMENTS_START.match(text) or (related and total - prose < prose):
            return first, pos - 1
        if _listing_starts(info, pos, last):
            while pos - 1 > first and not info[pos - 1].prose:
                pos -= 1  # the card's kicker or byline lines belong to the listing too
            return first, pos - 1
    return first, last


# "— Name (@handle) March 16, 2020": the signature under an embedded post or a quotation, which
# opens with a dash; an entry of a list of comments or cards does not.
_ATTRIBUTION = ("—", "–", "―")


def _standalone_date(line: Line) -> bool:
    return (
        not line.prose
        and line.weight <= 10
        and not line.text.startswith(_ATTRIBUTION)
        and looks_like_date(line.text)
    )


def _listing_starts(info: list[Line], pos: int, last: int) -> bool:
    """A list of other stories or of comments begins here: a card whose headline is printed twice
    within a few lines, or a date line followed soon by another date line (each card or comment
    carries its own). An article body does neither."""
    line = info[pos]
    window = info[pos + 1 : min(last, pos + LISTING_WINDOW) + 1]
    card = heading_like(line) and len(WORD.findall(line.text)) >= 4 and not line.text.startswith("[")
    if card and any(other.text == line.text for other in window):
        return not any(other.prose and other.weight >= TEASER_MAX_WORDS for other in window)
    if not _standalone_date(line):
        return False
    # A date, some prose, another date: one comment or story card after another. ('Published …'
    # then 'Updated …' on adjacent lines is a header, not a list.)
    for i, other in enumerate(window):
        if _standalone_date(other):
            return any(between.prose for between in window[:i])
    return False


def _list_item_text(line: Line) -> bool:
    """A bulleted line inside the body that reads as text (a list in the article), not a link."""
    if not BULLET.match(line.text) or is_widget(line.text) or is_credit(line.text):
        return False
    item = BULLET.sub("", line.text)
    return len(WORD.findall(item)) >= LIST_ITEM_MIN_WORDS and ends_sentence(item)


_NUMBERED = re.compile(r"^\s*\d{1,3}\.\s")


def numbered_heading(info: list[Line], pos: int) -> bool:
    """A numbered line over a paragraph of the body: a section heading of a list article ("1. Choose
    the right pot"), where a list of links runs on item after item."""
    line = info[pos]
    return (
        bool(_NUMBERED.match(line.text))
        and pos + 1 < len(info)
        and info[pos + 1].prose
        and not is_widget(line.text)
        and not is_credit(line.text)
    )


def inline_teaser(info: list[Line], pos: int) -> bool:
    """A labelled link to another story between two paragraphs of the body ("Read also: …")."""
    if not 0 < pos < len(info) - 1 or not (info[pos - 1].prose and info[pos + 1].prose):
        return False
    match = None if info[pos].furniture else _TEASER.match(info[pos].text)
    if match is None:
        return False
    headline = match.group("headline")
    low, high = TEASER_HEADLINE_WORDS
    return (
        (headline[0].isupper() or headline[0] in "¿¡")
        and headline[-1] not in _TEASER_NO_END
        and low <= len(WORD.findall(headline)) <= high
    )


def _discards_the_article(info: list[Line], first: int, last: int, min_words: int) -> bool:
    """The page-dump reading would keep too little to validate while the file plainly holds an
    article (sentence-like prose)."""
    if sum(line.weight for line in info if line.prose) < FALLBACK_MIN_PROSE:
        return False
    span = info[first : last + 1]
    return sum(line.weight for line in span if not line.furniture or _list_item_text(line)) < min_words


@dataclass(frozen=True, slots=True)
class DumpBody:
    first: int  # positions in the analysed lines
    last: int
    unlikely: frozenset[int]  # lines inside the span that the line model says are not article


def _body_words(info: list[Line], body: DumpBody) -> float:
    span = range(body.first, body.last + 1)
    return sum(
        info[k].weight
        for k in span
        if k not in body.unlikely and (not info[k].furniture or _list_item_text(info[k]))
    )


def refine_span(
    info: list[Line], first: int, last: int, min_words: int, model: dict[str, Any] | None = None
) -> DumpBody:
    """The body under the learned line scores (winnow.read.linemodel): their best span, cut at a
    section end like the hand-set one, less the lines inside it the model finds very unlikely
    (a share bar, a 'Read more' teaser between paragraphs). It may move the hand-set span's edges,
    not replace it: where it shares no line with the hand-set span, or would keep too little to
    validate, the hand-set span stands as it is."""
    model = model or load_model()
    hand_set = DumpBody(first, last, frozenset())
    span, p = learned_lines(info, first, last, model)
    if span is None:
        return hand_set
    new_first, new_last = cut_at_section_end(info, *span)
    if new_first > last or new_last < first:  # another block altogether: moving the edges only
        return hand_set
    drop = model.get("drop", 0.0)
    unlikely = frozenset(k for k in range(new_first, new_last + 1) if p[k] < drop)
    body = DumpBody(new_first, new_last, unlikely)
    return hand_set if _body_words(info, body) < min_words else body


def _hand_set_reading(info: list[Line], min_words: int) -> tuple[str, int, int] | None:
    """How the hand-set rules read the lines: None when not as a page dump (no chrome outside the
    body), else ('page_dump' or 'plain_fallback', first, last) with the hand-set span. Whether the
    file is a dump is judged on the span found with bulleted sentences costing as any short line
    does (a list-heavy article, a privacy policy, say, keeps its reading); the body is the span that
    forgives them."""
    strict, forgiving = _both_scans(info)
    judged = _headed_in(info, strict)
    if judged is None:
        return None
    first, last = cut_at_section_end(info, *judged)
    outside = [line for pos, line in enumerate(info) if pos < first or pos > last]
    chrome = [line for line in outside if not line.prose]
    if len(chrome) < DUMP_MIN_OUTSIDE or len(chrome) < DUMP_MIN_OUTSIDE_RATIO * len(info):
        return None
    span = (judged if forgiving is strict else _headed_in(info, forgiving)) or judged
    first, last = cut_at_section_end(info, *span)
    if _discards_the_article(info, first, last, min_words):
        return "plain_fallback", first, last
    return "page_dump", first, last


def dump_body(
    info: list[Line], min_words: int, model: dict[str, Any] | None = None, learned: bool = True
) -> DumpBody | None:
    """The article's lines in a page dump, or None when the lines are not read as one (no chrome
    outside the body, or the reading would discard the article). `learned` False: the hand-set
    span alone."""
    reading = _hand_set_reading(info, min_words)
    if reading is None or reading[0] != "page_dump":
        return None
    _, first, last = reading
    return refine_span(info, first, last, min_words, model) if learned else DumpBody(first, last, frozenset())


def certain_chrome(
    info: list[Line], first: int, last: int, header: DumpHeader, model: dict[str, Any] | None = None
) -> list[Segment]:
    """Where the page-dump reading falls back to the whole file, the lines that are page chrome
    beyond doubt: not a sentence, no list item, no header line, and scored under
    FALLBACK_CHROME_P by the line model (menu entries, 'Back to overview', a copyright footer)."""
    _, p = learned_lines(info, first, last, model or load_model())
    keep = set(header.meta) | ({header.title} if header.title is not None else set())
    return [
        Segment(line.index + 1, line.text, "page.chrome_line", "navigation")
        for pos, line in enumerate(info)
        if p[pos] < FALLBACK_CHROME_P and not line.prose and pos not in keep and not _list_item_text(line)
    ]


def read_if_page_dump(doc: Document, min_words: int = 0) -> bool:
    """If doc.lines look like a whole-page dump, take out the page chrome (as removed segments)
    and set title, authors and date from the page layout. Returns whether it was read as a dump;
    `doc.reading` says how the text was read (page_dump, plain, plain_fallback)."""
    doc.reading = "plain"
    info = analyse(doc.lines)
    reading = _hand_set_reading(info, min_words)
    if reading is None:
        return False
    kind, first, last = reading
    if kind == "plain_fallback":
        doc.reading = "plain_fallback"
        # The page's layout still says where its headline, byline and date are; the rule-only
        # cleaning keeps the text, but the metadata comes from the page, not from its first line.
        header = find_header(info, first, last, doc.wrap_width)
        read_page_header(doc, info, header)
        doc.removed.extend(certain_chrome(info, first, last, header))
        return False
    doc.reading = "page_dump"
    header = find_header(info, first, last, doc.wrap_width)  # the headline sits above the hand-set span
    body = refine_span(info, first, last, min_words)
    first, last = body.first, body.last
    removed: list[Segment] = []
    keep_meta = set(header.meta) | ({header.title} if header.title is not None else set())
    for pos, line in enumerate(info):
        if pos in keep_meta:
            removed.append(Segment(line.index + 1, line.text, "page.header", "metadata"))
        elif pos < first or pos > last:
            removed.append(Segment(line.index + 1, line.text, "page.outside_body", "navigation"))
        elif line.furniture and not _list_item_text(line) and not numbered_heading(info, pos):
            removed.append(Segment(line.index + 1, line.text, "page.furniture", "ui"))
        elif pos != first and pos != last and inline_teaser(info, pos):
            removed.append(Segment(line.index + 1, line.text, "page.teaser", "related"))
        elif pos in body.unlikely:
            removed.append(Segment(line.index + 1, line.text, "page.line_model", "ui"))
    doc.removed = removed
    doc.header_found = True
    read_page_header(doc, info, header)
    return True
