"""Bylines in a line of visible text: 'By A | Site', 'By A  Fox News', 'Posted on <date> by A',
'Veröffentlicht am 12. Juni 2017 von a', '<date> | A', 'Par A le 14.09.2020 à 11h46',
'Author: A'. The marker words are data (bylinewords.toml); the rules are about where the name
sits: after a byline word that opens the line or follows only a date, a time or a verb like
'Posted'; or, without such a word, beside a date on a short line. A picture credit is no byline.
Pure functions over strings."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Container, Iterable
from importlib import resources

from winnow.extract.authors import parse_byline
from winnow.extract.dates import DATE_PATTERN, MONTHS, TIME_PATTERN


def _words(key: str) -> list[str]:
    data = tomllib.loads(resources.files("winnow.extract").joinpath("bylinewords.toml").read_text("utf-8"))
    return [str(w) for w in data[key]]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_BULLET = re.compile(r"^\s*([*+#•·▪►–-]|o(?=\s))\s*")
_BY = _alternation(_words("by"))
_LEAD = _alternation(_words("lead"))
_MARKER = re.compile(
    rf"(?<!\w)(?:(?P<by>{_BY})\s*:?\s+)(?=\S)|(?<![^\W\d])(?:{_alternation(_words('labels'))})\s*:\s*(?=\S)",
    re.IGNORECASE,
)
_OPENS = re.compile(rf"^\s*(?:{_LEAD})?\s*(?:{_BY})\b|^\s*(?:{_LEAD})\b", re.IGNORECASE)
_STOP = re.compile(
    r"\s+(?:[|•·/~»]|//|—|–|-)\s+|\s{2,}|\s*[|•·(\[]|,\s*(?=\d)|\s+\d|"
    rf"\s+(?:{_alternation(_words('after'))})\s+",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(_words("not_names"))
_USERNAME = re.compile(r"^[^\W\d_][\w.’'-]{1,30}$")
# An e-mail address or a phone number ends a byline; a social handle after the name is dropped.
_CONTACT = re.compile(r"\S+@[\w-]+\.[\w.]+.*$|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}.*$|\s*@\w{2,}\b")
_AGENCIES = frozenset(_words("agencies"))
# Glued by a text browser: 'Evan HalperStaff Writer' -> 'Evan Halper Staff Writer'.
_GLUED_ROLE = re.compile(
    r"(?<=[a-zß-ÿ])(?=(?:Staff |Senior |Contributing |Chief |Special )?"
    r"(?:Writer|Reporter|Editor|Correspondent|Contributor|Columnist|Producer)s?\b)"
)
_SEPARATORS = re.compile(r"\s+(?:[|•·/~»]|//|—|–|-)\s+|\s*[|•·]\s*|\s{2,}|,\s+")
# A credit for a picture or a video names who made the picture, not who wrote the article.
_CREDIT = re.compile(
    r"^(photo|photos|photograph|photography|image|images|picture|pictures|illustration|video|graphic|"
    r"credit|foto|fotos|bild|bilder|fotografía|ilustración|imagen|©)\b|"
    r"\b(photographer|getty images|shutterstock|ap photo|afp|istock)\b",
    re.IGNORECASE,
)
_LEAD_OR_AT = re.compile(rf"(?<!\w)(?:{_LEAD})(?!\w)|\b(on|am|le|el|em|il|op|den|vom|at|um)\b", re.IGNORECASE)
_SIGNED_START = re.compile(rf"^\s*(?:{_LEAD}|{_alternation(_words('labels'))})(?!\w)", re.IGNORECASE)
_PREFIX_WORD = re.compile(rf"^(?:{_LEAD}|updated|last|share|teilen|follow|read|more|view)\b", re.IGNORECASE)
# An author's picture printed beside the byline: 'Jane Doe Image', 'Jane Doe Avatar'.
_PICTURE_TAIL = re.compile(r"\s+(?:image|avatar|photo|picture|foto|bild|profile picture)$", re.IGNORECASE)
# A text browser's stand-in for a picture, glued to the byline: '[Image-from] Jane Doe',
# 'Von [ef7] Jane Doe', '[Jane-Doe-]von Jane Doe' (w3m prints an image as its bracketed name).
_IMAGE_STANDIN = re.compile(r"\[[^\]\s]{1,80}\]")
_CLUTTER = re.compile(r"^[\s,.;:|•·/~»\-–—]*$")


def _prefix_is_header(prefix: str) -> bool:
    """What stands before a mid-line byline word is only a date, a time, separators and at most
    one other word ('Posted on <date> by', '<date>, 23:39 · von', 'Artikel von')."""
    rest = TIME_PATTERN.sub(" ", DATE_PATTERN.sub(" ", prefix))
    rest = re.sub(
        rf"(?<!\w)(?:{_LEAD})(?!\w)|\b(on|am|le|el|em|il|op|den|vom|at|um)\b", " ", rest, flags=re.I
    )
    words = re.findall(r"[^\W\d_]+", rest)
    return len(words) <= 1


def _name_after(text: str) -> list[str] | None:
    text = _CONTACT.sub(" ", text)
    stop = _STOP.search(text)
    date = DATE_PATTERN.search(text)
    end = min(m.start() for m in (stop, date) if m is not None) if stop or date else len(text)
    name = text[:end].strip(" ,;:|-–—")
    if not name.strip("."):
        return None
    names = parse_byline(f"By {_PICTURE_TAIL.sub('', name)}")
    if names:
        return names
    if _USERNAME.match(name) and name.lower() not in _NOT_NAMES:
        return [name]  # a user name after 'by' ('von gizzmo', 'by mady')
    return None


def lowercase_words(texts: Iterable[str]) -> frozenset[str]:
    """The words a page prints in lower case: 'more' in 'read more', 'news' in 'the news'. A bare
    name with one of them is page chrome ('Learn More', 'Recent Posts'), not a byline.

    One scan of the texts newline-joined: a word cannot span the newline, which, being neither a
    word character nor a dot, bounds a word as the start or end of a text does."""
    return frozenset(_LOWERCASE_WORD.findall("\n".join(texts)))


_LOWERCASE_WORD = re.compile(r"(?<![\w.])[a-zß-ÿ]{3,}(?![\w.])")


class LowercaseWords(Container[str]):
    """Membership in lowercase_words of a page's texts, without listing them all: only a bare name
    asks (byline_in), for a word or two. A word is one of them when it is a run of lowercase_words'
    letters that the texts print with neither a word character nor a dot on either side (every
    letter of the class is a word character, so such a run is a whole regex match); that is looked
    up with str.find, and each answer kept. A text with the class's one non-letter, '÷', is listed
    by the regex instead."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts: Iterable[str] | None = texts
        self._text = ""
        self._answers: dict[str, bool] = {}
        self._listed = False  # _answers holds every word: the text has a '÷'

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or _LOWERCASE_RUN.fullmatch(word) is None:
            return False
        if self._texts is not None:
            self._text, self._texts = "\n".join(self._texts), None
            if "÷" in self._text:  # the class's one non-letter: its runs are the regex's to tell
                self._answers, self._listed = dict.fromkeys(lowercase_words((self._text,)), True), True
        found = self._answers.get(word)
        if found is None:
            if self._listed:
                return False
            found = self._answers[word] = _printed_alone(self._text, word)
        return found


_LOWERCASE_RUN = re.compile(r"[a-zß-ÿ]{3,}")


def _printed_alone(text: str, word: str) -> bool:
    """Whether `text` holds `word` with no word character (\\w: alphanumeric or '_') or dot next to it."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_.") and not (after.isalnum() or after in "_."):
            return True
        start = text.find(word, start + 1)
    return False


def byline_in(text: str, *, explicit: bool, lowercase: Container[str] = frozenset()) -> list[str] | None:
    """Authors in a byline-like line, or None. `explicit`: only a line with a byline word ('By',
    'Von', 'Posted by', 'Author:'); otherwise a bare name beside a date counts too ('<date> | A'),
    unless one of its words is one the page prints in lower case (`lowercase`, lowercase_words):
    'Learn More', 'Recent Posts', German 'Grüne Jobs' are page text, not people."""
    text = _BULLET.sub("", _IMAGE_STANDIN.sub(" ", text)).strip()
    if not text or len(text) > 240 or _CREDIT.search(text):
        return None
    text = _GLUED_ROLE.sub(" ", text)
    for m in _MARKER.finditer(text):
        if m.start() == 0 or _OPENS.match(text) and m.start() < 40 or _prefix_is_header(text[: m.start()]):
            names = _name_after(text[m.end() :])
            if names:
                return _undouble(names)
            if m.start() == 0:
                return None
    if explicit:
        return None
    names = _bare_name(text)
    if names and any(_chrome(name, lowercase) for name in names):
        return None
    return names


def _chrome(name: str, lowercase: Container[str]) -> bool:
    return any(token.lower() in lowercase for token in name.split()) or _PREFIX_WORD.match(name) is not None


def signed(text: str, names: list[str]) -> bool:
    """Whether a byline found away from the headline reads as one: names of two words or more, or
    a line that also says when ('Eingestellt von A um 10:52') or opens with 'Posted', 'Author:'.
    German 'von' and Spanish 'por' also mean 'of' and 'for': 'von Unternehmen' is no byline."""
    if any(w.lower().rstrip(".") in MONTHS for name in names for w in name.split()):
        return False
    if all(" " in name for name in names):
        return True
    return bool(DATE_PATTERN.search(text) or TIME_PATTERN.search(text) or _SIGNED_START.match(text))


def _bare_name(text: str) -> list[str] | None:
    """'Jane Doe', 'Jane Doe | 3 May 2022', '04.02.2022 | 13:10 Uhr | Jane Doe', 'Jane Doe, 21. Jan. 2015'."""
    date = DATE_PATTERN.search(text)
    if date is None:
        parts = [text]
    else:
        after = text[date.end() :]
        clock = TIME_PATTERN.match(after.lstrip(" ,|·-–—"))
        if clock:
            after = after.lstrip(" ,|·-–—")[clock.end() :]
        parts = [text[: date.start()], after]
    for chunk in parts:
        pieces = [p.strip(" ,.;:|-–—~»") for p in _SEPARATORS.split(_CONTACT.sub("", chunk))]
        pieces = [p for p in pieces if p and not _CLUTTER.match(p)]
        if not pieces:
            continue
        if date is not None and pieces[0].lower() in _AGENCIES:
            return [pieces[0]]
        names = parse_byline(_PICTURE_TAIL.sub("", pieces[0]))
        return _undouble(names) if names and (date is None or all(" " in n for n in names)) else None
    return None


# A wire story's dateline: 'WASHINGTON (Reuters) - Scientists on Monday …', 'BERLIN (dpa) –'.
_DATELINE = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ .,'’/-]{1,40}\s*\((?P<agency>[^()]{2,30})\)\s*[-–—:]\s")


def dateline_agency(text: str) -> str | None:
    """The news agency an article's first line credits in its dateline, if it is a known one."""
    m = _DATELINE.match(text.strip())
    agency = m.group("agency").strip() if m else None
    return agency if agency and agency.lower() in _AGENCIES else None


def _undouble(names: list[str]) -> list[str]:
    """'Sean Martin Sean Martin' (a linked name printed twice) -> 'Sean Martin'."""
    out = []
    for name in names:
        tokens = name.split()
        half = len(tokens) // 2
        initials = all(len(t) <= 2 and t.endswith(".") for t in tokens)  # 'R. R.' is a name
        doubled = half and tokens[:half] == tokens[half:] and not initials
        out.append(" ".join(tokens[:half]) if doubled else name)
    return out
