"""Hard-wrapped text back to logical lines, before any line-level analysis.

`lynx -dump` wraps at 79 columns, `w3m -dump` at 80, scrapers and copy-pastes at 50 to 120: a
paragraph becomes a run of lines, so a line break no longer ends anything and every later stage
(page-dump analysis, header reading, rule packs) would see fragments. The evidence of wrapping is
the shape of the lines themselves, never their wording:

* a width W: many lines end within a few columns of one width and none that could have been
  broken is longer (a greedy wrapper fills each line until the next word does not fit);
* a line is *full* when the next line's first word would not have fitted after it (its length
  plus a space plus that word exceeds W): that break was the wrapper's, not the author's;
* full lines are often followed by lines that continue the sentence (they start lower-case),
  which menus and lists of headlines, whose items start with capitals, are not.

Only a file that shows all of this is reflowed; unwrapped text (one paragraph per line, tidy
copy-pastes, lists of headlines) has no such width and is left exactly as it is. In a wrapped
file a full line is joined with the next when the next line continues its block: the same
indent (lynx keeps a paragraph's 3-space indent on its continuation lines), or the indent of the
text after a list bullet (lynx's and w3m's wrapped list items), and the next line does not start
a list item itself. Short lines (menu items, headings, list entries) are never full, so they stay
lines of their own. Each logical line remembers the original line it starts on, so the audit
trail (removed segments) names original line numbers.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from winnow.records import Document

# A list item's bullet, as text browsers and scrapers print them: lynx's * + o # @ = (by depth),
# w3m's • □ ◦ ■,
# dashes, and short numbers ('1.', '2)').
_BULLET = re.compile(r"^([*+#=@•·▪►◦□■–-]|o(?=\s)|\d{1,2}[.)](?=\s))\s+")
MIN_WIDTH = 30  # narrower "widths" are menus and lists of short items, not wrapping
MAX_WIDTH = 140  # the widest wrap undone (terminals and scrapers wrap at 40 to 132 columns)
MIN_FULL_LINES = 3  # full lines the width must explain before a file counts as wrapped
MIN_FULL_SHARE = 0.3  # share of the long lines (near the width) that must be full
MIN_CONTINUED_SHARE = 0.2  # share of full lines that go on with their sentence (_continues)
LONG_TOKEN = 15  # columns: a longer first word is a URL or a form field, not evidence
LONG_LINE_SHARE = 0.75  # a line at least this share of the width is "long"
_SENTENCE_END = ".!?…。！？"
# Scripts written without spaces between words (Han, kana, full-width forms; not Hangul).
_NO_SPACES = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
STANDALONE_LINES = 2  # a heading or credit after a paragraph is at most this many wrapped lines
SLACK = 1  # columns of tolerance (a trailing space a renderer counted, a wide character)
OVERHANG = 8  # lynx wraps headings and unindented lines a few columns wider than its paragraphs


@dataclass(frozen=True, slots=True)
class Reflowed:
    lines: list[str]  # logical lines
    origins: list[int]  # for each logical line, the 0-based index of the first original line
    width: int | None  # the wrap width detected (None: the text was not wrapped)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
class _ExtraCells(dict[str, int]):
    """A non-ASCII character's columns minus one, worked out the first time it is looked up (a
    dict lookup through map stays in C for the characters seen before)."""

    def __missing__(self, ch: str) -> int:
        extra = self[ch] = -1 if unicodedata.combining(ch) else int(unicodedata.east_asian_width(ch) in "WF")
        return extra


_EXTRA_CELLS = _ExtraCells()


def _cells(text: str) -> int:
    """Display columns: East Asian wide and full-width characters take two, marks none. Only the
    non-ASCII characters are looked at (a per-character loop over every line was a fifth of the
    text path's time on pages with curly quotes)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_EXTRA_CELLS.__getitem__, _NON_ASCII.findall(text)))


def _wide(ch: str) -> bool:
    return not ch.isascii() and unicodedata.east_asian_width(ch) in "WF"


@dataclass(slots=True)
class _Shape:
    text: str  # without trailing whitespace
    cols: int  # display width, indentation included
    indent: int
    bullet_indent: int  # where the text after a list bullet starts (= indent without a bullet)
    bullet: bool
    first_word: int  # display width of the first word (a wide character alone is a word)
    breakable: bool  # holds a space after its indentation: a wrapper could have broken it


def _shape(raw: str, cells: bool = True) -> _Shape:
    """A line's shape, its lengths in display cells (text browsers) or in characters (a scraper's
    textwrap counts characters, whatever their width)."""
    text = raw.rstrip()
    if text.isascii():  # most lines: one cell a character, nothing wide, either way
        body = text.lstrip()
        indent = len(text) - len(body)
        m = _BULLET.match(body)
        return _Shape(
            text,
            len(text),
            indent,
            indent + (len(m.group(0)) if m else 0),
            m is not None,
            len(body.split(None, 1)[0]) if body else 0,
            " " in body,
        )
    measure = _cells if cells else len
    body = text.lstrip()
    indent = len(text) - len(body)
    m = _BULLET.match(body)
    first = body.split(None, 1)[0] if body else ""
    first_cols = (2 if cells else 1) if first and _wide(first[0]) else measure(first)
    return _Shape(
        text,
        measure(text),
        indent,
        indent + (measure(m.group(0)) if m else 0),
        m is not None,
        first_cols,
        " " in body or any(_wide(ch) for ch in body[:4]),
    )


def _full(line: _Shape, nxt: _Shape, width: int, overhang: int = 0) -> bool:
    """The break after `line` was the wrapper's: the next line's first word did not fit."""
    if not (line.text and nxt.text):
        return False
    return line.cols <= width + SLACK + overhang and width < line.cols + 1 + nxt.first_word


def _continues(line: _Shape, nxt: _Shape) -> bool:
    """`nxt` reads as the rest of `line`'s sentence: it starts lower-case (or in CJK script, which
    has no case), or `line` stops on a lower-case word or a comma (German capitalises nouns, so
    the next line often starts upper-case). Menus and lists of headlines show neither."""
    start = nxt.text.lstrip()[:1]
    if start.islower() or _wide(start):
        return True
    last = line.text.rsplit(None, 1)[-1] if line.text.strip() else ""
    return last.endswith(",") or (last.isalpha() and last.islower())


def _same_block(line: _Shape, nxt: _Shape) -> bool:
    """`nxt` is laid out as a continuation of `line`: same indent, or the indent of the text after
    line's bullet; and it is not a list item of its own."""
    return not nxt.bullet and nxt.indent in (line.indent, line.bullet_indent)


def estimate_width(shapes: list[_Shape]) -> tuple[int, int] | None:
    """The wrap width the line lengths show and the full lines it explains, or None when the text
    does not look wrapped."""
    long = sorted({s.cols for s in shapes if s.breakable and MIN_WIDTH <= s.cols <= MAX_WIDTH})
    if not long:
        return None
    pairs = list(zip(shapes, shapes[1:], strict=False))
    # Each candidate width is scored by counting, in sorted lists (bisect), instead of a pass over
    # the lines per width: the breakable lines' lengths, and for each pair that could be a full
    # line (a.breakable, a word first, the same block) the widths at which it is one,
    # a.cols - SLACK <= width < a.cols + 1 + b.first_word (_full).
    breakable = sorted(s.cols for s in shapes if s.breakable)
    spans = [
        (a.cols - SLACK, a.cols + b.first_word)
        for a, b in pairs
        if a.breakable and b.first_word <= LONG_TOKEN and a.text and b.text and _same_block(a, b)
    ]
    lows = sorted(lo for lo, _ in spans)
    highs = sorted(hi for _, hi in spans)
    best, best_score = None, 0
    for width in long[-12:]:  # the width is at or near the top of the lengths
        # Longer breakable lines contradict the width, strongly beyond lynx's overhang.
        over = bisect_right(breakable, width + SLACK + OVERHANG) - bisect_right(breakable, width + SLACK)
        far = max(0, bisect_right(breakable, MAX_WIDTH) - bisect_right(breakable, width + SLACK + OVERHANG))
        full = bisect_right(lows, width) - bisect_left(highs, width)  # spans holding width
        score = full - over - 4 * far
        if score > best_score:
            best, best_score = width, score
    if best is None or best_score < MIN_FULL_LINES:
        return None
    near = [
        (a, b)
        for a, b in pairs
        if a.breakable and best * LONG_LINE_SHARE <= a.cols <= best + SLACK and b.text and not b.bullet
    ]  # (a list item followed by the next item is no evidence either way)
    full_pairs = [(a, b) for a, b in near if _full(a, b, best) and _same_block(a, b)]
    if len(full_pairs) < MIN_FULL_SHARE * len(near):
        return None
    # A long token (a URL, a field of underscores) after a long line says nothing of wrapping.
    worded = [(a, b) for a, b in full_pairs if b.first_word <= LONG_TOKEN]
    continued = sum(1 for a, b in worded if _continues(a, b))
    if continued < max(2, MIN_CONTINUED_SHARE * len(worded)):
        return None
    return best, len(full_pairs)


def _standalone_after_sentence(shapes: list[_Shape], i: int, width: int) -> bool:
    """A paragraph's last sentence (line i), then a short item that stands alone ('More from
    Sportsnet', a heading, a credit such as 'Jane Doe | Getty Images'): the item, over at most
    STANDALONE_LINES lines, ends without a sentence's end."""
    if shapes[i].text[-1:] not in _SENTENCE_END:
        return False
    j = i + 1
    while j + 1 < len(shapes) and _full(shapes[j], shapes[j + 1], width, OVERHANG):
        j += 1
        if j - i > STANDALONE_LINES:
            return False
    return shapes[j].text[-1:] not in _SENTENCE_END


def _join(left: str, right: str) -> str:
    right = right.strip()
    if left and right and _NO_SPACES.match(left[-1]) and _NO_SPACES.match(right[0]):
        return left + right  # Chinese and Japanese are wrapped between characters, not at spaces
    return f"{left} {right}"


def reflow(lines: list[str], max_chars: int = 0) -> Reflowed:
    """Rejoin hard-wrapped paragraphs of `lines` into logical lines (identity when not wrapped),
    none longer than `max_chars` (0: no limit; the pieces of a pathological line cut by
    `max_line_chars` stay pieces)."""
    shapes = [_shape(line) for line in lines]
    found = estimate_width(shapes)
    if not all(line.isascii() for line in lines):  # wide characters: cells, or characters?
        # an ASCII line measures the same either way: its shape is shared
        by_chars = [
            s if line.isascii() else _shape(line, cells=False) for line, s in zip(lines, shapes, strict=True)
        ]
        other = estimate_width(by_chars)
        if other is not None and (found is None or other[1] > found[1]):
            shapes, found = by_chars, other
    if found is None:
        return Reflowed(list(lines), list(range(len(lines))), None)
    width = found[0]
    out: list[str] = []
    origins: list[int] = []
    i = 0
    while i < len(lines):
        text, start, cur = lines[i].rstrip(), i, shapes[i]
        while i + 1 < len(lines) and cur.breakable and _full(cur, shapes[i + 1], width, OVERHANG):
            nxt = shapes[i + 1]
            if not _same_block(shapes[start], nxt) and not _same_block(cur, nxt):
                break
            if _standalone_after_sentence(shapes, i, width):
                break
            if max_chars and len(text) + 1 + len(nxt.text) > max_chars:
                break
            text = _join(text, nxt.text)
            i += 1
            cur = nxt
        out.append(text)
        origins.append(start)
        i += 1
    return Reflowed(out, origins, width)


def set_text_lines(doc: Document, lines: list[str], max_line_chars: int = 0) -> None:
    """Give a plain-text document its logical lines (reflowed where the text is hard-wrapped)."""
    flowed = reflow(lines, max_line_chars)
    doc.lines = flowed.lines
    doc.line_origins = flowed.origins if flowed.width is not None else []
    doc.wrap_width = flowed.width
