"""What a search string asks for: every word (AND), "quoted phrases" (the words next to each other,
in order), alternatives joined by OR, and words or phrases to leave out (-word, -"a phrase", NOT
word). AND, OR and NOT are operators in any case; quote one to look for the word itself ("not").

Words become index terms by the index's own tokeniser (winnow.store.search.query_terms), so a
query word matches exactly what the index holds: folded case and accents, no one-letter words.
A phrase's terms must all be in a document, and then its words in order with only spaces or
punctuation between them (checked on the title and body of those documents alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_OPERATORS = {"and", "or", "not"}
# Between two words of a phrase: anything that is not a letter, digit or mark (the tokeniser's gaps).
_GAP = r"[^\p{L}\p{N}\p{M}]+"
_EDGE_START = r"(?:^|[^\p{L}\p{N}\p{M}])"
_EDGE_END = r"(?:$|[^\p{L}\p{N}\p{M}])"


@dataclass(frozen=True)
class Clause:
    """One word (its index terms, all required) or one phrase (its terms, in order, adjacent)."""

    terms: tuple[str, ...]
    phrase: str | None = None  # a phrase of two words or more, as written


@dataclass
class SearchQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # all groups; any clause of a group
    excluded: list[Clause] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """The terms that rank (BM25) and get highlighted, in query order."""
        return list(dict.fromkeys(t for group in self.groups for c in group for t in c.terms))

    @property
    def excluded_terms(self) -> list[str]:
        return list(dict.fromkeys(t for c in self.excluded for t in c.terms))


def parse(text: str, terms_of: Callable[[str], list[str]]) -> SearchQuery:
    """`terms_of` is the index's tokeniser."""
    query = SearchQuery()
    negate = join = after_positive = False
    for m in _TOKEN.finditer(text):
        minus, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word.lower() in _OPERATORS:
            negate = negate or word.lower() == "not"
            join = word.lower() == "or" and after_positive  # OR joins the clause just before
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            minus, word = "-", word[1:]
        clause = _clause(phrase, terms_of) if phrase is not None else _word(word or "", terms_of)
        if clause is None:
            continue
        if minus or negate:
            query.excluded.append(clause)
        elif join:
            query.groups[-1].append(clause)
        else:
            query.groups.append([clause])
        after_positive = not (minus or negate)
        negate = join = False
    return query


def _word(word: str, terms_of: Callable[[str], list[str]]) -> Clause | None:
    terms = tuple(terms_of(word))
    return Clause(terms) if terms else None


def _clause(phrase: str, terms_of: Callable[[str], list[str]]) -> Clause | None:
    terms = tuple(terms_of(phrase))
    if not terms:
        return None
    # One word in quotes is that word (or a run of an unspaced script, whose bigrams are in order).
    return Clause(terms, phrase if len(phrase.split()) > 1 else None)


# A phrase is checked on the candidates' text, folded in SQL (lower, strip_accents) on both sides.
WORD_CLASS = r"[\p{L}\p{N}\p{M}]+"


def phrase_pattern(words: list[str]) -> str:
    """An RE2 pattern: the folded words in order, only gaps (no letters) between them."""
    return _EDGE_START + _GAP.join(re.escape(w) for w in words) + _EDGE_END
