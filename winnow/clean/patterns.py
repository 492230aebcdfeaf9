"""What a rule's regex says about the lines it can match, read from Python's own parse of it, so the
matcher can rule lines out before running the regex: the ASCII characters a match can start with,
and the characters every match contains.

Both are necessary conditions, never guesses: a character class or literal is tested with the
regex engine itself (compiled alone, with the pattern's flags), zero-width assertions are passed
over (that only widens the set), and anything not understood gives no condition (None, or no
required characters). The parse is the standard library's private `re._parser`; should it change
shape, every function here answers "no condition" and the matcher runs the full regexes as before.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

try:
    _parser: Any = importlib.import_module("re._parser")
    _compiler: Any = importlib.import_module("re._compiler")
    _ONE_CHAR = frozenset({_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY})
    _ZERO_WIDTH = frozenset({_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT})
    _REPEATS = frozenset({_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT})
except (ImportError, AttributeError):  # pragma: no cover - another Python: no conditions
    _parser = None

_ASCII = tuple(map(chr, range(128)))


class _Unknown(Exception):
    """An element the analysis does not follow."""


def ascii_starts(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """The ASCII characters a match of `pattern` (compiled with `flags`) can start with, or None
    when that cannot be told (it can match the empty string, or starts with an element not
    followed). A line starting with an ASCII character outside the set cannot match."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        chars, nullable = _first(parsed.data, parsed.state)
    except Exception:  # _Unknown, or the private parse changed shape
        return None
    return None if nullable else frozenset(chars)


def _first(items: Any, state: Any) -> tuple[set[str], bool]:
    """(the ASCII characters the sequence `items` can start with, whether it can match empty)."""
    chars: set[str] = set()
    for op, av in items:
        if op in _ONE_CHAR:
            alone = _compiler.compile(_parser.SubPattern(state, [(op, av)]), state.flags)
            chars.update(ch for ch in _ASCII if alone.match(ch))
            return chars, False
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the next element starts the match
        if op is _parser.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Unknown(op)  # (?i:…), (?-i:…): other flags inside
            got, nullable = _first(sub, state)
        elif op is _parser.BRANCH:
            got, nullable = set(), False
            for alternative in av[1]:
                more, empty = _first(alternative, state)
                got |= more
                nullable = nullable or empty
        elif op in _REPEATS:
            low, _high, sub = av
            got, nullable = _first(sub, state)
            nullable = nullable or low == 0
        else:
            raise _Unknown(op)
        chars |= got
        if not nullable:
            return chars, False
    return chars, True


def required_chars(pattern: str, flags: int = 0) -> frozenset[str]:
    """ASCII punctuation and digits that every match of `pattern` contains (literals in its
    top-level sequence, in plain groups and in repeats of at least one); empty when none is
    known. These characters have no other case, so they are the same whatever the flags."""
    if _parser is None:
        return frozenset()
    try:
        parsed = _parser.parse(pattern, flags)
        return frozenset(_required(parsed.data))
    except Exception:
        return frozenset()


def _required(items: Any) -> set[str]:
    found: set[str] = set()
    for op, av in items:
        if op is _parser.LITERAL:
            ch = chr(av)
            if ch.isascii() and not ch.isalpha() and not ch.isspace():
                found.add(ch)
        elif op is _parser.SUBPATTERN and not av[1] and not av[2]:
            found |= _required(av[3])
        elif op in _REPEATS and av[0] >= 1:
            found |= _required(av[2])
    return found


def required_texts(pattern: str, flags: int = re.IGNORECASE, shortest: int = 3) -> tuple[str, ...] | None:
    """Strings of which every match of `pattern` holds at least one, lower-cased, at least
    `shortest` characters each: a run of ASCII literals ('to continue reading'), or a group of
    literal alternatives ('(try|get|start)'); the longest such condition, or None. Under
    re.IGNORECASE a casefolded text holds the lower-cased string wherever the pattern matches,
    except where an 'i' of the pattern matches a dotless 'ı' (the one ASCII literal with another
    match that survives casefolding): the caller checks its text is casefolded and has no 'ı'."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        found = _texts(parsed.data)
    except Exception:
        return None
    best = max(found, key=lambda texts: min(map(len, texts)), default=None)
    return best if best is not None and min(map(len, best)) >= shortest else None


def _literal(items: Any) -> str | None:
    """The lower-cased string a sequence of ASCII literals matches, or None."""
    chars = []
    for op, av in items:
        if op is not _parser.LITERAL or av >= 128:
            return None
        chars.append(chr(av).lower())
    return "".join(chars) or None


def _texts(items: Any) -> list[tuple[str, ...]]:
    """Conditions (tuples of strings, one of which every match holds) from a sequence."""
    found: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _parser.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            found.append(("".join(run),))
            run = []
        if op is _parser.SUBPATTERN and not av[1] and not av[2]:
            found.extend(_texts(av[3]))
        elif op is _parser.BRANCH:
            literals = [_literal(alternative) for alternative in av[1]]
            if all(literals):
                found.append(tuple(sorted(set(literals))))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            found.extend(_texts(av[2]))
    return found
