"""Finding the first rule that names a line, fast: one combined test rules out the prose lines no
rule names, and only the few lines that pass are tried rule by rule, in order."""

from __future__ import annotations

import re
from collections.abc import Sequence

from winnow.clean import analysis
from winnow.clean.patterns import ascii_starts, required_chars, required_texts
from winnow.clean.rules import Rule

_BACKREF = re.compile(r"\\\d|\(\?P=")
_CUTS_MAX = 1_024  # cut alternations kept per matcher (each a compiled regex)


def _combinable(rule: Rule) -> bool:
    if rule.case_sensitive:
        return False
    if rule.match != "regex":
        return True
    return all(analysis.remembered("combinable", p, _pattern_combinable) for p in rule.patterns)


def _pattern_combinable(pattern: str) -> bool:
    if _BACKREF.search(pattern):
        return False  # group numbers shift inside an alternation
    try:
        re.compile(f"x|(?:{pattern})")  # global inline flags, e.g. (?s), must start a pattern
    except re.error:
        return False
    return True


def _starts(pattern: str) -> frozenset[str] | None:
    return analysis.remembered("starts", pattern, ascii_starts)


def _needs(pattern: str) -> frozenset[str]:
    return analysis.remembered("needs", pattern, lambda p: required_chars(p, re.IGNORECASE))


def _texts(pattern: str) -> tuple[str, ...] | None:
    return analysis.remembered("texts", pattern, required_texts)


def _top_level_bar(pattern: str) -> bool:
    """Whether `pattern` has a | outside groups and classes (then a leading ^ anchors one branch)."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if pattern[i + 1 : i + 2] == "]" else 3 if pattern[i + 1 : i + 3] == "^]" else 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


class Matcher:
    """The first rule, in order, that names a line, found fast.

    Most lines are prose that no rule names. One test rules them out: the line is longer than any
    rule allows, or it is in no exact list, starts with no prefix and matches neither combined
    regex (the patterns anchored with ^ as one alternation tried at the line's start, the others
    as one alternation searched along it: 2-3x faster than a search per pattern). Only the few
    lines that pass are tried rule by rule, so the first rule in order still wins. Case-sensitive
    rules, and patterns that cannot join an alternation (back-references), are tried one by one.

    The anchored alternation is tried at the line's first character only, so for a line starting
    with an ASCII character it is cut to the patterns that can start with that character
    (patterns.ascii_starts; a pattern whose start cannot be told stays in every cut) and whose
    required punctuation the line holds (patterns.required_chars, e.g. the '/' of 'Jane Doe/AFP'):
    a few of the alternatives for most lines, and the same answer. The loose alternation is cut
    likewise to the patterns whose required text (patterns.required_texts: 'to continue reading',
    one of 'try', 'get', 'start') a casefolded line holds.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        exact: set[str] = set()
        prefixes: list[str] = []
        anchored: list[str] = []  # patterns that start with ^: one alternation tried at the start only
        loose: list[str] = []  # the others: one alternation searched along the line
        always: list[Rule] = []
        limit = loose_limit = 0.0  # most words a line may have and still match any rule / a loose pattern
        for rule in self.rules:
            if not _combinable(rule):
                always.append(rule)
                continue
            if rule.match == "exact":
                exact |= rule._exact  # type: ignore[attr-defined]
                longest = max((len(p.split()) for p in rule._exact), default=0)  # type: ignore[attr-defined]
                limit = max(limit, longest if rule.max_words is None else min(longest, rule.max_words))
                continue
            words = float("inf") if rule.max_words is None else rule.max_words
            limit = max(limit, words)
            if rule.match == "prefix":
                prefixes.extend(rule._prefixes)  # type: ignore[attr-defined]
            else:
                for p in rule.patterns:
                    if p.startswith("^") and not _top_level_bar(p):
                        anchored.append(f"(?:{p[1:]})")
                    else:
                        loose.append(f"(?:{p})")
                        loose_limit = max(loose_limit, words)
        self._exact = frozenset(exact)
        self._prefixes = tuple(prefixes)
        self._always = tuple(always)
        self._limit = limit
        self._loose_limit = loose_limit
        self._anchored_parts = tuple(anchored)
        self._anchored_starts = tuple(_starts(p) for p in anchored)
        self._anchored_needs = tuple(_needs(p) for p in anchored)
        self._gates = "".join(sorted(set().union(*self._anchored_needs)))
        self._anchored_cut: dict[tuple[str, str], re.Pattern[str] | None] = {}
        self._loose_parts = tuple(loose)
        texts = [_texts(p) for p in loose]
        self._loose_texts = tuple((text, i) for i, terms in enumerate(texts) for text in terms or ())
        self._loose_open = frozenset(i for i, terms in enumerate(texts) if terms is None)  # never cut
        self._loose_cut: dict[frozenset[int], re.Pattern[str] | None] = {}
        try:
            self._anchored = re.compile("|".join(anchored), re.IGNORECASE) if anchored else None
            self._loose = re.compile("|".join(loose), re.IGNORECASE) if loose else None
        except re.error:  # e.g. two rules name a group alike: every line is tried rule by rule
            self._anchored, self._loose, self._always, self._limit = None, None, self.rules, -1.0
        analysis.save()  # what this build worked out, for the next process

    def _maybe(self, folded: str, words: int) -> bool:
        if words > self._limit:
            return False
        if folded in self._exact or folded.rstrip(".:!") in self._exact:
            return True
        if self._prefixes and folded.startswith(self._prefixes):
            return True
        if self._anchored is not None:
            start = folded[:1]
            if not start or not start.isascii():
                anchored: re.Pattern[str] | None = self._anchored
            else:
                key = (start, "".join([ch for ch in self._gates if ch in folded]))
                if key in self._anchored_cut:
                    anchored = self._anchored_cut[key]
                else:
                    if len(self._anchored_cut) >= _CUTS_MAX:
                        self._anchored_cut.clear()
                    anchored = self._anchored_cut[key] = self._anchored_for(*key)
            if anchored is not None and anchored.match(folded):
                return True
        if self._loose is None or words > self._loose_limit:
            return False
        loose: re.Pattern[str] | None = self._loose
        if "ı" not in folded and folded.casefold() == folded:  # patterns.required_texts' terms
            held = frozenset([i for text, i in self._loose_texts if text in folded])
            if held in self._loose_cut:
                loose = self._loose_cut[held]
            else:
                if len(self._loose_cut) >= _CUTS_MAX:  # many user patterns: subsets without end
                    self._loose_cut.clear()
                loose = self._loose_cut[held] = self._loose_for(held)
        return loose is not None and loose.search(folded) is not None

    def _loose_for(self, held: frozenset[int]) -> re.Pattern[str] | None:
        """The loose alternation cut to the patterns that have no required text and those numbered
        in `held` (whose required text, patterns.required_texts, a line holds), in order."""
        kept = [p for i, p in enumerate(self._loose_parts) if i in held or i in self._loose_open]
        if len(kept) == len(self._loose_parts):
            return self._loose
        return re.compile("|".join(kept), re.IGNORECASE) if kept else None

    def _anchored_for(self, start: str, present: str) -> re.Pattern[str] | None:
        """The anchored alternation cut to the patterns that can match a line starting with
        `start` (an ASCII character) that holds, of the characters some pattern requires
        (patterns.required_chars), those in `present`."""
        kept = [
            p
            for p, chars, needs in zip(
                self._anchored_parts, self._anchored_starts, self._anchored_needs, strict=True
            )
            if (chars is None or start in chars) and needs <= set(present)
        ]
        if len(kept) == len(self._anchored_parts):
            return self._anchored
        return re.compile("|".join(kept), re.IGNORECASE) if kept else None

    def first(self, line: str, folded: str) -> Rule | None:
        """The first rule that names `line` (`folded` is its normalise_line() form), or None."""
        words = len(folded.split())
        pool = self.rules if self._maybe(folded, words) else self._always
        for rule in pool:
            if rule.matches(line, folded, words):
                return rule
        return None


_matchers: dict[tuple[int, ...], Matcher] = {}


def matcher(rules: Sequence[Rule]) -> Matcher:
    """The Matcher for these rules, built once per distinct rule list (it keeps them alive, so
    their ids stay theirs)."""
    key = tuple(map(id, rules))
    found = _matchers.get(key)
    if found is None:
        if len(_matchers) > 256:  # rule lists vary only with path-filtered packs: a few per run
            _matchers.clear()
        found = _matchers[key] = Matcher(rules)
    return found
