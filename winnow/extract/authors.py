"""Authors: bylines read from a line of text, and author strings a source declares, as a list of
names. Pure functions over strings."""

from __future__ import annotations

import re

from winnow.extract.credits import split_credit
from winnow.extract.dates import looks_like_date

BYLINE_PREFIX = re.compile(
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
# Trailing periods off, except the one closing an initial ('R. R.', 'Nicolas Gutierrez C.').
_INITIAL_END = re.compile(r"^(.*?(?:(?:^|\s)[A-Z]\.)?)\.*$")

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
    line = _INITIAL_END.sub(r"\1", text.strip())
    if not line or len(line) > max_chars or looks_like_date(line):
        return None
    explicit = bool(BYLINE_PREFIX.match(line))
    line = BYLINE_PREFIX.sub("", line)
    line = _ROLE.sub("", line).strip(" ,")
    if not line:
        return None
    parts = [_INITIAL_END.sub(r"\1", p.strip(" ,")) for p in _SPLIT_NAMES.split(line) if p.strip(" .,")]
    if len(parts) > 1:
        # "A, AP National Political Writer": a part that ends in a job title is a role, not a name.
        parts = [p for p in parts if not _ROLE_NOUN.search(p)] or parts[:1]
    if not parts:
        return None
    if all(_is_name(p, strict=not explicit) for p in parts):
        return parts
    return None


def normalise_authors(
    names: list[str], *, max_chars: int = 160, publisher: str | None = None
) -> list[str]:
    """Declared author strings to a clean list of names (winnow.extract.credits): markup and
    e-mail addresses out, 'A, B and C' split, roles cut, an outlet named beside them dropped, no
    repeats. A string that does not read as names (an organisation, 'HNN Staff') is kept whole."""
    return split_credit(names, publisher=publisher, max_chars=max_chars)[0]
