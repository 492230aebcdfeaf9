"""Author credits as scrapers deliver them, to names: markup, e-mail addresses, lists, roles, outlets.

Declared author strings (a JSON field, a feed's <author>, a CSV column, a meta tag) arrive as
`<a href="/profiles/helen-regan">Helen Regan</a> and Adam Renton, CNN`,
`joe.foley@futurenet.com (Joseph Foley)` or `Max Foster, Tara John and Sarah Dean, CNN`. One
credit becomes a list of names; an outlet named after the last name ("…, CNN") is not an author
but the publisher; a role after a name ("Tom Warren, Senior Editor") is cut. A credit that does
not read as names (an organisation, "HNN Staff") is kept whole: never worse than the input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_TRIM = " .,;|-–—:"  # what a credit or a name never starts or ends with
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"<?\s*(?:mailto:)?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\s*>?", re.IGNORECASE)
_PARENS = re.compile(r"\(([^()]*)\)")
_URL = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_BY = re.compile(
    r"^(?:(?:posted|written|story|words|reporting|text|photos?|interview)\s+)?"
    r"(?:by|von|par|por|di|door|av|af)\s*:?\s+|^(?:authors?|byline|credit)\s*:\s*",
    re.IGNORECASE,
)
# Separators between names: commas, "and"/"&" (and their French, German, Spanish, Italian,
# Portuguese and Dutch forms), semicolons, slashes and bars with spaces around them.
_SPLIT = re.compile(
    r"\s*(?:,\s*(?:and|&)\s+|,|;|\s+(?:and|&|und|et|y|e|en)\s+|\s+[|/·•]\s+)\s*", re.IGNORECASE
)
_ROLE_WORDS = (
    r"writer|reporter|correspondent|editor|columnist|contributor|producer|photographer|journalist|"
    r"analyst|critic|intern|anchor|host|staff|freelancer|stringer|author|editor-at-large|"
    r"contributing writer|news editor|managing editor|editor-in-chief|bureau chief"
)
# A part that is only a role ("Senior Editor", "AP National Political Writer", "Staff Writer").
_ROLE_ONLY = re.compile(
    rf"^(?:the\s+)?(?:[\w.'’-]+\s+){{0,4}}(?:{_ROLE_WORDS})s?$|^special to .{{1,40}}$|^for .{{1,40}}$",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w.'’-]*$")
_PARTICLES = frozenset(
    [
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
        "bint",
        "ben",
        "lo",
    ]
)
# Words that end the name of an outlet, rarely a person's surname.
_OUTLET_WORDS = frozenset(
    [
        "news",
        "press",
        "media",
        "network",
        "networks",
        "agency",
        "agencies",
        "wire",
        "newswire",
        "newsroom",
        "magazine",
        "insider",
        "reuters",
        "bloomberg",
        "staff",
        "desk",
        "bureau",
        "service",
        "services",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "group",
        "radio",
        "tv",
        "television",
        "online",
        "daily",
        "weekly",
        "times",
        "journal",
        "tribune",
        "herald",
        "gazette",
        "chronicle",
        "telegraph",
        "guardian",
        "observer",
        "examiner",
        "inquirer",
        "intelligencer",
        "broadcasting",
        "corporation",
        "company",
        "newspaper",
        "newspapers",
        "editorial",
        "team",
        "business",
        "politics",
        "sports",
    ]
)
_PAREN_TAIL = re.compile(r"^(.*\S)\s*\(([^()]{2,60})\)$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def plain_credit(raw: str) -> str:
    """One credit string without markup, entities, e-mail addresses or a leading 'By'.

    'joe.foley@futurenet.com (Joseph Foley)' -> 'Joseph Foley' (RSS's own <author> form);
    'Joseph Foley <joe@example.com>' -> 'Joseph Foley'; a bare address -> ''.
    """
    text = raw
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text)) if "<" in text else html.unescape(text)
    text = _SPACE.sub(" ", text).strip()
    if "@" in text and _EMAIL.search(text):
        inside = [p.strip() for p in _PARENS.findall(text) if p.strip() and "@" not in p]
        text = inside[0] if inside else _EMAIL.sub(" ", text)
        text = _SPACE.sub(" ", text.replace("()", " ")).strip()
    return _BY.sub("", text).strip(_TRIM)


def looks_like_name(part: str) -> bool:
    """A person's name: one to five capitalised words (particles such as 'de', 'van' aside)."""
    tokens = part.split()
    if not tokens or len(tokens) > 5 or len(part) > 60:
        return False
    capitals = 0
    for token in tokens:
        if token.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(token) or not token[0].isupper():
            return False
        capitals += 1
    return capitals >= 1


def looks_like_outlet(part: str, publisher: str | None = None) -> bool:
    """An organisation credited beside the names: the publisher, an acronym (CNN, AFP), a domain,
    'The …', or a name ending in an outlet word (News, Press, Times, Insider, …)."""
    text = part.strip()
    folded = text.casefold().removeprefix("the ")
    if publisher and folded == publisher.strip().casefold().removeprefix("the "):
        return True
    tokens = text.split()
    if not tokens:
        return False
    if len(tokens) == 1 and re.fullmatch(r"[A-Z][A-Z&]{1,6}", tokens[0]):
        return True
    if len(tokens) == 1 and _DOMAIN.match(tokens[0]):
        return True
    if len(tokens) >= 2 and tokens[0].lower() == "the":
        return True
    return len(tokens) >= 2 and tokens[-1].lower() in _OUTLET_WORDS or tokens[-1].lower() == "reuters"


def _parts(text: str) -> list[str]:
    return [p.strip(_TRIM) for p in _SPLIT.split(text) if p and p.strip(_TRIM)]


def split_credit(
    credits: Iterable[str], *, publisher: str | None = None, max_chars: int = 160
) -> tuple[list[str], str | None]:
    """Declared credits to (author names, the outlet credited beside them, if any).

    Each credit is cleaned (plain_credit), split into names, and its roles cut. When a credit
    lists several parts and the last is an outlet ("A, B and C, CNN"), that part is the outlet,
    not an author. A credit whose parts are not all names is kept whole (without 'By' and a
    trailing role), so nothing a source declares is lost. URLs are not names and are dropped.
    """
    out: list[str] = []
    seen: set[str] = set()
    outlet: str | None = None
    for raw in credits:
        if not isinstance(raw, str):
            continue
        text = plain_credit(raw)
        if not text or _URL.match(text) or len(text) > max_chars * 4:
            continue
        held = _PAREN_TAIL.match(text)
        if held and _ROLE_ONLY.match(held.group(2).strip()):
            text, held = held.group(1), None  # 'Jane Doe (Staff Writer)'
        if held and (looks_like_outlet(held.group(2), publisher) or _single(held.group(2))):
            outlet = outlet or held.group(2).strip()
            text = held.group(1)
        parts = _parts(text) if len(text) <= max_chars else [text[:max_chars]]
        parts = [p for p in parts if not _ROLE_ONLY.match(p)] or parts
        if len(parts) > 1 and (looks_like_outlet(parts[-1], publisher) or _lone_word_after_names(parts)):
            outlet = outlet or parts[-1]
            parts = parts[:-1]
        if publisher and len(parts) > 1:
            parts = [p for p in parts if not _same(p, publisher)] or parts
        names = parts if all(looks_like_name(p) for p in parts) else [_whole(text, outlet)]
        for name in names:
            key = name.casefold()
            if name and key not in seen and not _URL.match(name):
                seen.add(key)
                out.append(name)
    if len(out) > 1 and looks_like_outlet(out[-1], publisher):
        outlet = outlet or out.pop()
    return out, outlet


def _single(part: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][\w&.-]{1,30}", part.strip()))


def _lone_word_after_names(parts: list[str]) -> bool:
    """'Sarah Perez, TechCrunch': one capitalised word after full names is an outlet's name."""
    return _single(parts[-1]) and all(len(p.split()) >= 2 for p in parts[:-1])


def _same(part: str, publisher: str) -> bool:
    return part.casefold().removeprefix("the ") == publisher.casefold().removeprefix("the ")


def _whole(text: str, outlet: str | None) -> str:
    """A credit that is not a list of names, kept whole: without a trailing role or the outlet."""
    head, comma, tail = text.rpartition(",")
    if comma and (_ROLE_ONLY.match(tail.strip()) or (outlet and tail.strip() == outlet)):
        return head.strip(" ,;")
    return text
