"""Line shapes of a whole-page text dump: each line's weight, whether it reads as prose, and
whether it is page furniture (bullets, buttons, form fields, credits). Generic: nothing here names
a site."""

from __future__ import annotations

import re
from dataclasses import dataclass

from winnow.extract.dates import looks_like_date
from winnow.extract.header import parse_read_time
from winnow.extract.words import count_words

WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENTENCE_ENDS = ".!?…:;\"”’»)]。！？」』"


def ends_sentence(text: str) -> bool:
    last = text.rstrip()[-1:]
    return bool(last) and last in _SENTENCE_ENDS


def _cjk(text: str) -> int:
    return 0 if text.isascii() else len(_CJK.findall(text))
BULLET = re.compile(r"^\s*([*+#•·▪►–-]|o(?=\s)|\d{1,3}\.(?=\s))\s*")
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


def is_widget(text: str) -> bool:
    if "_____" not in text:
        if "(" not in text and "[" not in text and ":" not in text:
            return False
        low = text.lower()
        if not any(word in low for word in _WIDGET_WORDS):
            return False
    return _WIDGET.search(text) is not None


def is_credit(text: str) -> bool:
    if ":" not in text and "|" not in text:
        low = text.lower()
        if not any(word in low for word in _CREDIT_WORDS):
            return False
    return _CREDIT.search(text) is not None


COMMENT_COUNT = re.compile(
    r"^\d+\s+(comments?|replies|shares?|responses?)$|^(comments?|replies)\s*\(\d+\)$", re.I
)

# Section headings after which a page holds no more of the article: comments, related stories.
PROSE_MIN_WORDS = 10


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
        furniture = bool(BULLET.match(raw) or is_widget(text) or COMMENT_COUNT.match(text))
        furniture = furniture or (weight <= 20 and is_credit(text))
        prose = not furniture and weight >= PROSE_MIN_WORDS and ends_sentence(text)
        out.append(Line(i, text, weight, prose, furniture, len(raw) - len(raw.lstrip())))
    return out


def heading_like(line: Line) -> bool:
    words = len(WORD.findall(line.text))
    if line.furniture or not 3 <= max(words, line.weight) <= 30 or len(line.text) > 250:
        return False
    if line.text.endswith((".", ",", ":", ";")) and not line.text.endswith("..."):
        return False
    if looks_like_date(line.text) and words <= 8 or parse_read_time(line.text):
        return False
    return not is_credit(line.text)


